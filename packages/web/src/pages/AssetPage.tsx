import { useState } from 'react';
import { Alert, Anchor, Badge, Button, Group, Stack, Tabs, Text, Title, Tooltip } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { IconArrowBackUp, IconChevronLeft, IconLogin, IconLogout, IconPencil, IconTrash } from '@tabler/icons-react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useCan } from '../app/session';
import { AssetForm } from '../modules/assets/AssetForm';
import type { AssetDetail } from '../modules/assets/contract';
import { CheckinModal, CheckoutModal } from '../modules/assets/CustodyDialogs';
import { useAsset, useDeleteAsset, useRestoreAsset } from '../modules/assets/hooks';
import { LifecycleActions } from '../modules/assets/LifecycleActions';
import { StateBadge, stateLabel } from '../modules/assets/StateBadge';
import { AttachmentsTab } from '../modules/assets/tabs/AttachmentsTab';
import { ChildrenTab } from '../modules/assets/tabs/ChildrenTab';
import { CustodyTab } from '../modules/assets/tabs/CustodyTab';
import { AcceptanceBadge, TargetLabel } from '../modules/assets/tabs/custodyBits';
import { DetailsTab } from '../modules/assets/tabs/DetailsTab';
import { MediaTab } from '../modules/assets/tabs/MediaTab';
import { TimelineTab } from '../modules/assets/tabs/TimelineTab';
import { AssetDiscoveredTab } from '../modules/discovery/AssetDiscoveredTab';
import { StaleBadge, When } from '../modules/discovery/bits';
import { useAssetDiscovery } from '../modules/discovery/hooks';
import { ConfirmButton } from '../ui/ConfirmButton';
import { formatTimestamp } from '../ui/format';
import { notifySuccess } from '../ui/notify';
import { QueryState } from '../ui/QueryState';

const TABS = ['details', 'media', 'custody', 'timeline', 'attachments', 'children', 'discovered'] as const;
type Tab = (typeof TABS)[number];

/** One asset: header with state and actions, custody dialogs, and its tabs. */
export function AssetPage() {
  const { id = '' } = useParams();
  const can = useCan();
  const asset = useAsset(id, can('asset.delete'));
  return (
    <QueryState query={asset} loadingLabel="Loading the asset…">
      {(a) => <AssetView key={a.id} asset={a} />}
    </QueryState>
  );
}

function AssetView({ asset }: { asset: AssetDetail }) {
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const [editing, setEditing] = useState(false);
  const [dialog, setDialog] = useState<'checkout' | 'checkin' | null>(null);
  const del = useDeleteAsset();
  const restore = useRestoreAsset();
  const discovery = useAssetDiscovery(asset.id);
  const discovered = discovery.data && discovery.data.devices.length > 0 ? discovery.data : null;
  useDocumentTitle(`${asset.assetTag}${asset.name ? ` · ${asset.name}` : ''} · Custodian`);

  const tabParam = params.get('tab');
  const requested: Tab = TABS.includes(tabParam as Tab) ? (tabParam as Tab) : 'details';
  // The Discovered tab exists only once an agent reported the asset.
  const tab: Tab = requested === 'discovered' && discovery.isSuccess && !discovered ? 'details' : requested;
  const deleted = !!asset.deletedAt;
  const canWrite = can('asset.write') && !deleted;
  const canCustody = can('custody.manage') && !deleted;
  const held = asset.currentAssignment;
  // CHECKOUT_FROM on the server: only assets in stock can be checked out.
  const available = asset.lifecycleState === 'in_stock';

  return (
    <>
      <Anchor component={Link} to="/assets" size="xs" c="dimmed">
        <Group gap={2} component="span">
          <IconChevronLeft size={14} aria-hidden /> Assets
        </Group>
      </Anchor>
      <Group justify="space-between" align="flex-start" gap="sm" mt={4} mb="md" wrap="wrap">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Group gap="sm" wrap="wrap" align="center">
            <Title order={1} fz="h3" fw={700} ff="monospace">
              {asset.assetTag}
            </Title>
            {asset.name ? (
              <Text fz="lg" fw={500}>
                {asset.name}
              </Text>
            ) : null}
            <StateBadge state={asset.lifecycleState} size="md" />
            {deleted ? (
              <Badge color="red" variant="filled" size="md" tt="none">
                Deleted
              </Badge>
            ) : null}
          </Group>
          <Text size="sm" c="dimmed">
            {[asset.model.name, asset.category.name, asset.manufacturer?.name, asset.location ? `at ${asset.location.name}` : null].filter(Boolean).join(' · ')}
          </Text>
          {held ? (
            <Group gap={6}>
              <Text size="sm">
                Checked out to{' '}
                <strong>
                  <TargetLabel type={held.targetType} id={held.target.id} label={held.target.label} />
                </strong>
              </Text>
              {held.acceptance ? <AcceptanceBadge status={held.acceptance.status} /> : null}
            </Group>
          ) : null}
          {discovered ? (
            <Group gap={6}>
              <Text size="sm" c="dimmed">
                Last seen by an agent <When at={discovered.lastSeenAt} />
              </Text>
              <StaleBadge stale={discovered.stale} />
            </Group>
          ) : null}
        </Stack>
        <Group gap="xs">
          {canCustody ? (
            held ? (
              <Button leftSection={<IconLogin size={16} aria-hidden />} onClick={() => setDialog('checkin')}>
                Check in
              </Button>
            ) : (
              <Tooltip label={`Only assets in stock can be checked out (this one is ${stateLabel(asset.lifecycleState).toLowerCase()})`} disabled={available} withArrow>
                <Button leftSection={<IconLogout size={16} aria-hidden />} onClick={() => setDialog('checkout')} disabled={!available}>
                  Check out
                </Button>
              </Tooltip>
            )
          ) : null}
          {canWrite && !editing ? (
            <Button variant="default" leftSection={<IconPencil size={16} aria-hidden />} onClick={() => setEditing(true)}>
              Edit
            </Button>
          ) : null}
          {can('asset.delete') && !deleted ? (
            <ConfirmButton
              label="Delete"
              title={`Delete ${asset.assetTag}`}
              buttonProps={{ size: 'sm', leftSection: <IconTrash size={16} aria-hidden /> }}
              message={`Delete ${asset.assetTag}? Use this for assets created in error. The record, its tag and serial stay reserved and it can be restored; retire an asset that left the organization instead.`}
              confirmLabel="Delete asset"
              onConfirm={async () => {
                await del.mutateAsync(asset.id);
                notifySuccess(`${asset.assetTag} was deleted.`);
              }}
            />
          ) : null}
          {can('asset.delete') && deleted ? (
            <ConfirmButton
              label="Restore"
              color="brand"
              title={`Restore ${asset.assetTag}`}
              buttonProps={{ size: 'sm', variant: 'filled', leftSection: <IconArrowBackUp size={16} aria-hidden /> }}
              message={`Restore ${asset.assetTag} into the register?`}
              confirmLabel="Restore asset"
              onConfirm={async () => {
                await restore.mutateAsync(asset.id);
                notifySuccess(`${asset.assetTag} was restored.`);
              }}
            />
          ) : null}
        </Group>
      </Group>

      {deleted ? (
        <Alert color="red" variant="light" mb="md" title="This asset was deleted">
          Deleted {formatTimestamp(asset.deletedAt)}. It is hidden from lists and searches; its tag and serial stay reserved.
        </Alert>
      ) : null}

      {!editing ? (
        <Group mb="md" gap="xs">
          <LifecycleActions assetId={asset.id} assetTag={asset.assetTag} enabled={canWrite} />
        </Group>
      ) : null}

      {editing ? (
        <AssetForm
          asset={asset}
          onCancel={() => setEditing(false)}
          onSaved={(a) => {
            notifySuccess(`${a.assetTag ?? asset.assetTag} was saved.`);
            setEditing(false);
          }}
        />
      ) : (
        <Tabs
          value={tab}
          onChange={(t) => {
            const next = new URLSearchParams(params);
            if (!t || t === 'details') next.delete('tab');
            else next.set('tab', t);
            setParams(next, { replace: true });
          }}
          keepMounted={false}
        >
          <Tabs.List mb="md">
            <Tabs.Tab value="details">Details</Tabs.Tab>
            <Tabs.Tab value="media">Media ({asset.media.length})</Tabs.Tab>
            <Tabs.Tab value="custody">Custody</Tabs.Tab>
            <Tabs.Tab value="timeline">Timeline</Tabs.Tab>
            <Tabs.Tab value="attachments">Attachments ({asset.attachmentCount})</Tabs.Tab>
            <Tabs.Tab value="children">Children ({asset.childCount})</Tabs.Tab>
            {discovered ? <Tabs.Tab value="discovered">Discovered</Tabs.Tab> : null}
          </Tabs.List>
          <Tabs.Panel value="details">
            <DetailsTab asset={asset} />
          </Tabs.Panel>
          <Tabs.Panel value="media">
            <MediaTab asset={asset} canWrite={canWrite} />
          </Tabs.Panel>
          <Tabs.Panel value="custody">
            <CustodyTab asset={asset} canRead={can('custody.read')} canManage={canCustody} onCheckout={() => setDialog('checkout')} onCheckin={() => setDialog('checkin')} />
          </Tabs.Panel>
          <Tabs.Panel value="timeline">
            <TimelineTab assetId={asset.id} includeDeleted={deleted} />
          </Tabs.Panel>
          <Tabs.Panel value="attachments">
            <AttachmentsTab assetId={asset.id} canWrite={canWrite} />
          </Tabs.Panel>
          <Tabs.Panel value="children">
            <ChildrenTab assetId={asset.id} includeDeleted={deleted} />
          </Tabs.Panel>
          {discovered ? (
            <Tabs.Panel value="discovered">
              <AssetDiscoveredTab assetId={asset.id} discovery={discovered} />
            </Tabs.Panel>
          ) : null}
        </Tabs>
      )}

      {dialog === 'checkout' ? <CheckoutModal asset={asset} onClose={() => setDialog(null)} /> : null}
      {dialog === 'checkin' ? <CheckinModal asset={asset} onClose={() => setDialog(null)} /> : null}
    </>
  );
}
