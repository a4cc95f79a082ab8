import { useState } from 'react';
import { Anchor, Badge, Button, Group, Paper, Select, Table, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Link, useSearchParams } from 'react-router-dom';
import { Dash, EmptyRow, ListToolbar } from '../modules/catalog/bits';
import { MatchStatusBadge, When } from '../modules/discovery/bits';
import { useDevices } from '../modules/discovery/hooks';
import { MATCH_STATUSES, MATCH_STATUS_LABELS, type DeviceQuery, type MatchStatus } from '../modules/discovery/types';
import { PageHeader } from '../ui/PageHeader';
import { ErrorBlock, LoadingBlock } from '../ui/QueryState';

/** Discovered devices: one per agent, with search and the reconciliation status. */
export function DiscoveryDevicesPage() {
  const [params, setParams] = useSearchParams();
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [q] = useDebouncedValue(search.trim(), 250);
  const statusParam = params.get('status');
  const status = MATCH_STATUSES.includes(statusParam as MatchStatus) ? (statusParam as MatchStatus) : null;
  const query: DeviceQuery = { ...(q ? { q } : {}), ...(status ? { matchStatus: status } : {}) };
  const devices = useDevices(query);
  const items = devices.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader title="Discovered devices" description="What inventory agents reported, one device per agent, and the asset each one is linked to." />
      <Paper withBorder>
        <ListToolbar label="Search host name, serial, model or MAC" value={search} onChange={setSearch} count={devices.data ? items.length : undefined} noun={['device', 'devices']}>
          <Select
            size="sm"
            aria-label="Match status"
            placeholder="Any match status"
            clearable
            data={MATCH_STATUSES.map((s) => ({ value: s, label: MATCH_STATUS_LABELS[s] }))}
            value={status}
            onChange={(v) => {
              const next = new URLSearchParams(params);
              if (v) next.set('status', v);
              else next.delete('status');
              setParams(next, { replace: true });
            }}
            w={220}
          />
        </ListToolbar>
        {devices.isPending ? (
          <LoadingBlock label="Loading devices…" />
        ) : devices.isError ? (
          <ErrorBlock error={devices.error} onRetry={() => void devices.refetch()} />
        ) : (
          <Table.ScrollContainer minWidth={1000} type="native">
            <Table aria-label="Discovered devices" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Host name</Table.Th>
                  <Table.Th>Serial</Table.Th>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>OS</Table.Th>
                  <Table.Th>MAC</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Asset</Table.Th>
                  <Table.Th>Last seen</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.length === 0 ? <EmptyRow cols={8} text={q || status ? 'No device matches.' : 'No device yet: devices appear when agents send inventories.'} /> : null}
                {items.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Anchor component={Link} to={`/discovery/devices/${d.id}`} size="sm" fw={500}>
                          {d.hostname ?? d.systemSerial ?? d.id.slice(0, 8)}
                        </Anchor>
                        {d.isVirtual ? (
                          <Badge size="xs" variant="light" color="gray">
                            VM
                          </Badge>
                        ) : null}
                      </Group>
                    </Table.Td>
                    <Table.Td ff="monospace" fz="sm">
                      {d.systemSerial ?? <Dash />}
                    </Table.Td>
                    <Table.Td>{[d.manufacturer, d.model].filter(Boolean).join(' ') || <Dash />}</Table.Td>
                    <Table.Td>{d.osName ?? <Dash />}</Table.Td>
                    <Table.Td ff="monospace" fz="xs">
                      {d.primaryMac ?? <Dash />}
                    </Table.Td>
                    <Table.Td>
                      <MatchStatusBadge status={d.matchStatus} rule={d.matchRule} />
                    </Table.Td>
                    <Table.Td>
                      {d.assetId ? (
                        <Anchor component={Link} to={`/assets/${d.assetId}?tab=discovered`} size="sm">
                          Open asset
                        </Anchor>
                      ) : d.matchStatus === 'review' ? (
                        <Anchor component={Link} to="/discovery/review" size="sm">
                          Review
                        </Anchor>
                      ) : (
                        <Dash />
                      )}
                    </Table.Td>
                    <Table.Td>
                      <When at={d.lastSeenAt} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {devices.hasNextPage ? (
          <Group justify="center" p="sm">
            <Button size="xs" variant="default" loading={devices.isFetchingNextPage} onClick={() => void devices.fetchNextPage()}>
              Load more
            </Button>
          </Group>
        ) : null}
      </Paper>
      <Text size="xs" c="dimmed" mt="xs">
        Newest first. A device that needs a decision is also listed in the <Anchor component={Link} to="/discovery/review" size="xs">review queue</Anchor>.
      </Text>
    </>
  );
}
