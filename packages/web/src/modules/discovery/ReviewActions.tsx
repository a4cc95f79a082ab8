/**
 * What a person decides about a discovered device: merge it into an asset (a candidate the matcher
 * found, or any asset picked by tag, serial or name), split it into a new asset, ignore it, or undo
 * a link. The buttons need discovery.manage; the caller decides whether to show them.
 */
import { useState } from 'react';
import { Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { IconLink, IconLinkOff, IconPlus, IconEyeOff } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { AssetPicker } from '../assets/pickers';
import { StateBadge } from '../assets/StateBadge';
import { ConfirmActionButton } from './bits';
import { notifyError, notifySuccess } from '../../ui/notify';
import { useReviewDevice, type ReviewAction } from './hooks';
import type { CandidateAsset, DeviceSummary } from './types';

const deviceName = (d: Pick<DeviceSummary, 'hostname' | 'systemSerial' | 'id'>) => d.hostname ?? d.systemSerial ?? d.id.slice(0, 8);

function useAct(device: DeviceSummary, onDone?: () => void) {
  const review = useReviewDevice();
  const act = (action: ReviewAction, message: string) =>
    review.mutateAsync({ id: device.id, action }).then(
      () => {
        notifySuccess(message);
        onDone?.();
      },
      (err: unknown) => notifyError(err, 'Could not apply the decision'),
    );
  return { act, pending: review.isPending ? review.variables.action.kind : null };
}

/** Candidate assets with a "Link" button each. */
export function CandidateList({ device, candidates, onDone }: { device: DeviceSummary; candidates: readonly CandidateAsset[]; onDone?: () => void }) {
  const { act, pending } = useAct(device, onDone);
  if (!candidates.length) return <Text size="sm" c="dimmed">The matcher found no candidate asset.</Text>;
  return (
    <Stack gap={6}>
      {candidates.map((c) => (
        <Group key={c.id} gap="xs" wrap="nowrap" justify="space-between">
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <Anchor component={Link} to={`/assets/${c.id}`} ff="monospace" size="sm" fw={600}>
              {c.assetTag}
            </Anchor>
            <Text size="sm" truncate>
              {[c.name, c.model, c.serial ? `S/N ${c.serial}` : null].filter(Boolean).join(' · ')}
            </Text>
            <StateBadge state={c.lifecycleState} />
          </Group>
          <Button
            size="xs"
            variant="light"
            leftSection={<IconLink size={14} aria-hidden />}
            loading={pending === 'link'}
            disabled={!!pending}
            aria-label={`Link ${deviceName(device)} to ${c.assetTag}`}
            onClick={() => void act({ kind: 'link', assetId: c.id }, `${deviceName(device)} is now linked to ${c.assetTag}.`)}
          >
            Link
          </Button>
        </Group>
      ))}
    </Stack>
  );
}

/** Link to any asset, create a new one, or ignore the device. */
export function DecisionBar({ device, onDone }: { device: DeviceSummary; onDone?: () => void }) {
  const { act, pending } = useAct(device, onDone);
  const [assetId, setAssetId] = useState<string | null>(null);
  const [assetLabel, setAssetLabel] = useState<string | null>(null);
  const name = deviceName(device);
  return (
    <Group gap="xs" align="flex-end" wrap="wrap">
      <AssetPicker
        label="Link to another asset"
        placeholder="Search by tag, serial or name"
        aria-label={`Asset to link ${name} to`}
        value={assetId}
        onChange={(id, label) => {
          setAssetId(id);
          setAssetLabel(label);
        }}
        clearable
        w={300}
        size="xs"
      />
      <Button
        size="xs"
        variant="default"
        leftSection={<IconLink size={14} aria-hidden />}
        disabled={!assetId || !!pending}
        loading={pending === 'link'}
        onClick={() => assetId && void act({ kind: 'link', assetId }, `${name} is now linked to ${assetLabel ?? 'the asset'}.`)}
      >
        Merge
      </Button>
      <Button
        size="xs"
        variant="default"
        leftSection={<IconPlus size={14} aria-hidden />}
        disabled={!!pending}
        loading={pending === 'create'}
        aria-label={`Create a new asset for ${name}`}
        onClick={() => void act({ kind: 'create' }, `A new asset was created for ${name}.`)}
      >
        Create a new asset
      </Button>
      <ConfirmActionButton
        label="Ignore"
        ariaLabel={`Ignore ${name}`}
        variant="default"
        color="gray"
        disabled={!!pending}
        icon={<IconEyeOff size={14} aria-hidden />}
        title={`Ignore ${name}`}
        message={`${name} will never become an asset; its inventories are still received. You can undo this from the device page.`}
        confirmLabel="Ignore device"
        onConfirm={() => act({ kind: 'ignore' }, `${name} is ignored.`)}
      />
    </Group>
  );
}

/** Undo a link (or an ignore): the device goes back to the review queue. */
export function UnlinkButton({ device, assetTag, onDone }: { device: DeviceSummary; assetTag?: string | null; onDone?: () => void }) {
  const { act } = useAct(device, onDone);
  const name = deviceName(device);
  const ignored = device.matchStatus === 'ignored';
  return (
    <ConfirmActionButton
      label={ignored ? 'Stop ignoring' : 'Unlink'}
      ariaLabel={ignored ? `Stop ignoring ${name}` : `Unlink ${name}`}
      color={ignored ? 'blue' : 'red'}
      icon={<IconLinkOff size={14} aria-hidden />}
      title={ignored ? `Stop ignoring ${name}` : `Unlink ${name}`}
      message={
        ignored
          ? `${name} goes back to the review queue, where it can be linked to an asset or given one of its own.`
          : `${name} is no longer ${assetTag ? `linked to ${assetTag}` : 'linked to its asset'}; the device goes back to the review queue. The asset keeps its data and history.`
      }
      confirmLabel={ignored ? 'Stop ignoring' : 'Unlink device'}
      onConfirm={() => act({ kind: 'unlink' }, ignored ? `${name} is back in the review queue.` : `${name} was unlinked and waits for review.`)}
    />
  );
}
