import { useEffect, useState } from 'react';
import { Anchor, Group, NumberInput, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Link } from 'react-router-dom';
import { StateBadge } from '../modules/assets/StateBadge';
import { Dash, EmptyRow } from '../modules/catalog/bits';
import { MatchStatusBadge, When } from '../modules/discovery/bits';
import { useDiscoverySettings, useStale } from '../modules/discovery/hooks';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';

/** Assets no agent has reported for N days, and devices not linked to an asset that went quiet. */
export function DiscoveryStalePage() {
  const settings = useDiscoverySettings();
  const [days, setDays] = useState<number | string>('');
  useEffect(() => {
    if (settings.data && days === '') setDays(settings.data.reconciliation.staleDays);
  }, [settings.data, days]);
  const [debounced] = useDebouncedValue(days, 300);
  const valid = typeof debounced === 'number' && Number.isInteger(debounced) && debounced >= 1 && debounced <= 3650;
  // The organization's default is the server's default too: no second request for it.
  const stale = useStale(valid && debounced !== settings.data?.reconciliation.staleDays ? debounced : null);

  return (
    <>
      <PageHeader title="Stale assets" description="Assets that agents used to report and have not reported for a while: switched off, lost, or no longer where they should be." />
      <Group mb="md" align="flex-end">
        <NumberInput
          label="Not seen for (days)"
          description={settings.data ? `The organization's default is ${settings.data.reconciliation.staleDays}.` : undefined}
          min={1}
          max={3650}
          allowDecimal={false}
          value={days}
          onChange={setDays}
          error={days !== '' && !valid && debounced === days ? 'Between 1 and 3650 days' : undefined}
          w={260}
        />
      </Group>
      <QueryState query={stale} loadingLabel="Loading stale assets…">
        {(r) => (
          <Stack gap="md">
            <Paper withBorder>
              <Group px="md" py="xs" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
                <Title order={2} fz="sm" fw={600}>
                  Assets not seen since {r.cutoff.slice(0, 10)}
                </Title>
                <Text size="xs" c="dimmed" aria-live="polite">
                  {r.assets.length} asset{r.assets.length === 1 ? '' : 's'}
                </Text>
              </Group>
              <Table.ScrollContainer minWidth={900} type="native">
                <Table aria-label="Stale assets" highlightOnHover>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Asset tag</Table.Th>
                      <Table.Th>Name</Table.Th>
                      <Table.Th>Model</Table.Th>
                      <Table.Th>State</Table.Th>
                      <Table.Th>Host name</Table.Th>
                      <Table.Th>Last seen</Table.Th>
                      <Table.Th ta="right">Days</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {r.assets.length === 0 ? <EmptyRow cols={7} text={`Every asset agents report was seen in the last ${r.days} days.`} /> : null}
                    {r.assets.map((a) => (
                      <Table.Tr key={a.assetId}>
                        <Table.Td>
                          <Anchor component={Link} to={`/assets/${a.assetId}?tab=discovered`} ff="monospace" size="sm" fw={600}>
                            {a.assetTag}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{a.name ?? <Dash />}</Table.Td>
                        <Table.Td>{a.model}</Table.Td>
                        <Table.Td>
                          <StateBadge state={a.lifecycleState} />
                        </Table.Td>
                        <Table.Td>{a.hostname ?? <Dash />}</Table.Td>
                        <Table.Td>
                          <When at={a.lastSeenAt} />
                        </Table.Td>
                        <Table.Td ta="right" fw={600}>
                          {a.daysSinceSeen}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Paper>
            <Paper withBorder>
              <Group px="md" py="xs" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
                <Title order={2} fz="sm" fw={600}>
                  Devices without an asset, not seen since {r.cutoff.slice(0, 10)}
                </Title>
                <Text size="xs" c="dimmed">
                  {r.unlinkedDevices.length} device{r.unlinkedDevices.length === 1 ? '' : 's'}
                </Text>
              </Group>
              <Table.ScrollContainer minWidth={760} type="native">
                <Table aria-label="Stale devices without an asset" highlightOnHover>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Host name</Table.Th>
                      <Table.Th>Serial</Table.Th>
                      <Table.Th>Model</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Last seen</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {r.unlinkedDevices.length === 0 ? <EmptyRow cols={5} text="None." /> : null}
                    {r.unlinkedDevices.map((d) => (
                      <Table.Tr key={d.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/discovery/devices/${d.id}`} size="sm">
                            {d.hostname ?? d.id.slice(0, 8)}
                          </Anchor>
                        </Table.Td>
                        <Table.Td ff="monospace" fz="sm">
                          {d.systemSerial ?? <Dash />}
                        </Table.Td>
                        <Table.Td>{[d.manufacturer, d.model].filter(Boolean).join(' ') || <Dash />}</Table.Td>
                        <Table.Td>
                          <MatchStatusBadge status={d.matchStatus} />
                        </Table.Td>
                        <Table.Td>
                          <When at={d.lastSeenAt} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Paper>
          </Stack>
        )}
      </QueryState>
    </>
  );
}
