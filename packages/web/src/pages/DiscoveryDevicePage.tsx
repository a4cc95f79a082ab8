import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { IconChevronLeft } from '@tabler/icons-react';
import { useQueries } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { api, unwrap } from '../api';
import { useCan } from '../app/session';
import { Detail, DetailList } from '../modules/assets/tabs/DetailsTab';
import { EmptyRow } from '../modules/catalog/bits';
import { AgentStatusBadge, Block, MatchStatusBadge, PayloadDownload, When } from '../modules/discovery/bits';
import { DeviceRecordView } from '../modules/discovery/DeviceRecord';
import { useDevice, usePayloads } from '../modules/discovery/hooks';
import { CandidateList, DecisionBar, UnlinkButton } from '../modules/discovery/ReviewActions';
import type { CandidateAsset, Device } from '../modules/discovery/types';
import { ErrorBlock, LoadingBlock, QueryState } from '../ui/QueryState';

/** One discovered device: its status and review actions, agent, raw messages and full record. */
export function DiscoveryDevicePage() {
  const { id = '' } = useParams();
  const device = useDevice(id);
  return (
    <QueryState query={device} loadingLabel="Loading the device…">
      {(d) => <DeviceView key={d.id} device={d} />}
    </QueryState>
  );
}

function DeviceView({ device: d }: { device: Device }) {
  const can = useCan();
  const canManage = can('discovery.manage');
  const name = d.hostname ?? d.systemSerial ?? d.id.slice(0, 8);
  useDocumentTitle(`${name} · Discovered device · Custodian`);
  const linked = d.matchStatus === 'matched' || d.matchStatus === 'created';
  return (
    <>
      <Anchor component={Link} to="/discovery/devices" size="xs" c="dimmed">
        <Group gap={2} component="span">
          <IconChevronLeft size={14} aria-hidden /> Discovered devices
        </Group>
      </Anchor>
      <Group justify="space-between" align="flex-start" gap="sm" mt={4} mb="md" wrap="wrap">
        <Stack gap={4}>
          <Group gap="sm" align="center">
            <Title order={1} fz="h3" fw={700}>
              {name}
            </Title>
            <MatchStatusBadge status={d.matchStatus} rule={d.matchRule} />
            {d.isVirtual ? (
              <Badge size="sm" variant="light" color="gray" tt="none">
                Virtual machine
              </Badge>
            ) : null}
          </Group>
          <Text size="sm" c="dimmed">
            {[d.manufacturer, d.model, d.systemSerial ? `S/N ${d.systemSerial}` : null, d.osName].filter(Boolean).join(' · ')}
          </Text>
          <Text size="sm" c="dimmed">
            First seen <When at={d.firstSeenAt} /> · last seen <When at={d.lastSeenAt} />
          </Text>
        </Stack>
        {d.assetId ? (
          <Button component={Link} to={`/assets/${d.assetId}?tab=discovered`} variant="default">
            Open asset
          </Button>
        ) : null}
      </Group>

      <Stack gap="md">
        {canManage || d.reviewReason ? <ReviewBox device={d} canManage={canManage} linked={linked} /> : null}
        <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
          <AgentBlock device={d} />
          <PayloadsBlock agentId={d.agentId} canDownload={canManage} />
        </SimpleGrid>
        <DeviceRecordView record={d.record} />
      </Stack>
    </>
  );
}

function ReviewBox({ device: d, canManage, linked }: { device: Device; canManage: boolean; linked: boolean }) {
  // The device names its candidates by id; show them as the review queue does.
  const candidates = useQueries({
    queries: d.matchStatus === 'review' ? d.reviewCandidates.map((assetId) => ({
      queryKey: ['assets', 'detail', assetId, false],
      queryFn: async () => unwrap(await api.GET('/api/v1/assets/{id}', { params: { path: { id: assetId } } })),
    })) : [],
  });
  const refs: CandidateAsset[] = candidates.flatMap((c) =>
    c.data ? [{ id: c.data.id, assetTag: c.data.assetTag, name: c.data.name, serial: c.data.serial, model: c.data.model.name, lifecycleState: c.data.lifecycleState }] : [],
  );
  return (
    <Paper withBorder p="md" component="section" aria-label="Reconciliation">
      <Stack gap="sm">
        <Title order={2} fz="md" fw={600}>
          Reconciliation
        </Title>
        {linked ? (
          <Group justify="space-between">
            <Text size="sm">
              Linked to{' '}
              <Anchor component={Link} to={`/assets/${d.assetId ?? ''}`} size="sm">
                its asset
              </Anchor>{' '}
              {d.matchStatus === 'created' ? '(created from this device)' : d.matchRule === 'manual' ? '(by a person)' : `(matched by ${d.matchRule ?? 'a rule'})`} <When at={d.linkedAt} />.
            </Text>
            {canManage ? <UnlinkButton device={d} /> : null}
          </Group>
        ) : d.matchStatus === 'ignored' ? (
          <Group justify="space-between">
            <Text size="sm">This device is ignored: it never becomes an asset.</Text>
            {canManage ? <UnlinkButton device={d} /> : null}
          </Group>
        ) : (
          <>
            <Text size="sm">{d.reviewReason ?? (d.matchStatus === 'pending' ? 'Not reconciled yet (the agent may be waiting for approval).' : 'Waiting for a decision.')}</Text>
            {canManage ? (
              <>
                {d.matchStatus === 'review' && d.reviewCandidates.length ? <CandidateList device={d} candidates={refs} /> : null}
                <DecisionBar device={d} />
              </>
            ) : null}
          </>
        )}
      </Stack>
    </Paper>
  );
}

function AgentBlock({ device: d }: { device: Device }) {
  const a = d.agent;
  return (
    <Block title="Agent">
      <DetailList>
        <Detail label="Agent">{[a.name, a.version].filter(Boolean).join(' ') || null}</Detail>
        <Detail label="DEVICEID">
          <Text span size="sm" ff="monospace">
            {a.deviceId}
          </Text>
        </Detail>
        <Detail label="Status">
          <AgentStatusBadge status={a.status} />
        </Detail>
        <Detail label="Last contact">
          <When at={a.lastContactAt} />
        </Detail>
        <Detail label="Last IP">{a.lastIp}</Detail>
        <Detail label="Enrolment secret">{a.enrollment?.name}</Detail>
        <Detail label="Last error">{a.lastError ? <Text span size="sm" c="red">{a.lastError}</Text> : null}</Detail>
      </DetailList>
    </Block>
  );
}

function PayloadsBlock({ agentId, canDownload }: { agentId: string; canDownload: boolean }) {
  const payloads = usePayloads(agentId);
  const items = payloads.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Paper withBorder component="section" aria-label="Inventory messages">
      <Group px="md" py="xs" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Text fw={600} fz="sm">
          Inventory messages
        </Text>
        {!canDownload ? (
          <Text size="xs" c="dimmed">
            Downloading a raw message needs discovery.manage.
          </Text>
        ) : null}
      </Group>
      {payloads.isPending ? (
        <LoadingBlock label="Loading messages…" />
      ) : payloads.isError ? (
        <ErrorBlock error={payloads.error} onRetry={() => void payloads.refetch()} />
      ) : (
        <Table.ScrollContainer minWidth={560} type="native">
          <Table aria-label="Inventory messages">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Received</Table.Th>
                <Table.Th>Format</Table.Th>
                <Table.Th ta="right">Size</Table.Th>
                <Table.Th>Status</Table.Th>
                {canDownload ? <Table.Th aria-label="Download" /> : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.length === 0 ? <EmptyRow cols={canDownload ? 5 : 4} text="No inventory received yet." /> : null}
              {items.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>
                    <When at={p.receivedAt} />
                  </Table.Td>
                  <Table.Td>
                    {p.format.toUpperCase()}
                    {p.partial ? ' (partial)' : ''}
                    <Text span size="xs" c="dimmed">
                      {' '}
                      {p.compression}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{p.sizeBytes >= 1024 ? `${Math.round(p.sizeBytes / 1024)} KB` : `${p.sizeBytes} B`}</Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" tt="none" color={p.status === 'processed' ? 'teal' : p.status === 'failed' ? 'red' : 'gray'}>
                      {p.status}
                    </Badge>
                    {p.error ? (
                      <Text size="xs" c="red">
                        {p.error}
                      </Text>
                    ) : null}
                  </Table.Td>
                  {canDownload ? (
                    <Table.Td>
                      <PayloadDownload payloadId={p.id} label="Raw" />
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {payloads.hasNextPage ? (
        <Group justify="center" p="xs">
          <Button size="xs" variant="default" loading={payloads.isFetchingNextPage} onClick={() => void payloads.fetchNextPage()}>
            Load more
          </Button>
        </Group>
      ) : null}
    </Paper>
  );
}

