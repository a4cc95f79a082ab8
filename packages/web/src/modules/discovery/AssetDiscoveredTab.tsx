/**
 * The asset page's "Discovered" tab: what agents report about the asset — last seen, the linked
 * devices, identifiers, the fields discovery writes (with their source and lock), the hardware,
 * OS, network and storage of the latest record, the installed software and the raw message.
 */
import { ActionIcon, Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconLock, IconLockOpen } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { useCan } from '../../app/session';
import { Dash, EmptyRow } from '../catalog/bits';
import { AssetSoftwareTable } from '../software/SoftwareTable';
import { notifyError, notifySuccess } from '../../ui/notify';
import { QueryState } from '../../ui/QueryState';
import { MatchStatusBadge, PayloadDownload, StaleBadge, When } from './bits';
import { HardwareBlock, IdentityBlock, NetworkTable, OsBlock, StorageTable, TableBlock } from './DeviceRecord';
import { useFieldSources, useUnlockField } from './hooks';
import { UnlinkButton } from './ReviewActions';
import type { AssetDiscovery } from './types';

const FIELD_LABELS: Record<string, string> = { name: 'Name', serial: 'Serial number', modelId: 'Model', parentAssetId: 'Parent asset' };
const SOURCE_LABELS: Record<string, string> = { discovery: 'Discovery', manual: 'Edited by hand', import: 'Import' };
const IDENTIFIER_LABELS: Record<string, string> = { uuid: 'SMBIOS UUID', mac: 'MAC address', hostname: 'Host name', serial: 'Serial' };

export function AssetDiscoveredTab({ assetId, discovery }: { assetId: string; discovery: AssetDiscovery }) {
  const can = useCan();
  const canManage = can('discovery.manage');
  const canReadDiscovery = can('discovery.read');
  const current = discovery.current;
  const latestPayload = current?.lastPayloadId ?? discovery.devices[0]?.lastPayloadId ?? null;
  return (
    <Stack gap="md">
      <Paper withBorder p="md">
        <Group justify="space-between" wrap="wrap" gap="sm">
          <Group gap="xs">
            <Text size="sm">
              Last seen by an agent: <When at={discovery.lastSeenAt} />
            </Text>
            <StaleBadge stale={discovery.stale} />
          </Group>
          {canManage && latestPayload ? <PayloadDownload payloadId={latestPayload} label="Download the latest raw inventory" /> : null}
        </Group>
      </Paper>

      <TableBlock title="Linked devices" count={discovery.devices.length}>
        <Table.ScrollContainer minWidth={720} type="native">
          <Table aria-label="Linked devices">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Host name</Table.Th>
                <Table.Th>Serial</Table.Th>
                <Table.Th>Model</Table.Th>
                <Table.Th>Match</Table.Th>
                <Table.Th>Last seen</Table.Th>
                {canManage ? <Table.Th aria-label="Actions" /> : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {discovery.devices.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>
                    {canReadDiscovery ? (
                      <Anchor component={Link} to={`/discovery/devices/${d.id}`} size="sm" fw={500}>
                        {d.hostname ?? d.id.slice(0, 8)}
                      </Anchor>
                    ) : (
                      (d.hostname ?? <Dash />)
                    )}
                  </Table.Td>
                  <Table.Td ff="monospace" fz="sm">
                    {d.systemSerial ?? <Dash />}
                  </Table.Td>
                  <Table.Td>{[d.manufacturer, d.model].filter(Boolean).join(' ') || <Dash />}</Table.Td>
                  <Table.Td>
                    <MatchStatusBadge status={d.matchStatus} rule={d.matchRule} />
                  </Table.Td>
                  <Table.Td>
                    <When at={d.lastSeenAt} />
                  </Table.Td>
                  {canManage ? (
                    <Table.Td>
                      <UnlinkButton device={d} />
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </TableBlock>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <FieldSources assetId={assetId} />
        <TableBlock title="Identifiers" count={discovery.identifiers.length}>
          <Table aria-label="Identifiers">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Value</Table.Th>
                <Table.Th>Source</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {discovery.identifiers.length === 0 ? <EmptyRow cols={3} text="No identifier recorded." /> : null}
              {discovery.identifiers.map((i) => (
                <Table.Tr key={`${i.kind}:${i.value}`}>
                  <Table.Td>{IDENTIFIER_LABELS[i.kind] ?? i.kind}</Table.Td>
                  <Table.Td ff="monospace" fz="sm">
                    {i.value}
                  </Table.Td>
                  <Table.Td>{SOURCE_LABELS[i.source] ?? i.source}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableBlock>
      </SimpleGrid>

      {current ? (
        <>
          <SimpleGrid cols={{ base: 1, lg: 3 }} spacing="md">
            <IdentityBlock record={current.record} />
            <HardwareBlock record={current.record} />
            <OsBlock record={current.record} />
          </SimpleGrid>
          <TableBlock title="Network interfaces" count={current.record.networks.length}>
            <NetworkTable record={current.record} />
          </TableBlock>
          <TableBlock title="Storage devices" count={current.record.storage.length}>
            <StorageTable record={current.record} />
          </TableBlock>
        </>
      ) : (
        <Text size="sm" c="dimmed">
          The hardware, network and storage details need the discovery.read permission.
        </Text>
      )}

      {can('software.read') ? (
        <Stack gap={4}>
          <Text fw={600} fz="sm">
            Installed software
          </Text>
          <AssetSoftwareTable assetId={assetId} />
        </Stack>
      ) : null}
    </Stack>
  );
}

/** Fields discovery writes, who wrote them last, and the hand-edit locks. */
function FieldSources({ assetId }: { assetId: string }) {
  const can = useCan();
  const sources = useFieldSources(assetId);
  const unlock = useUnlockField(assetId);
  const canUnlock = can('asset.write');
  return (
    <TableBlock title="Field sources" count={sources.data?.length ?? 0}>
      <QueryState query={sources} loadingLabel="Loading field sources…">
        {(items) => (
          <Table aria-label="Field sources">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Field</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th>Updated</Table.Th>
                <Table.Th aria-label="Lock" />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.length === 0 ? <EmptyRow cols={4} text="No field was written by discovery or import yet." /> : null}
              {items.map((f) => (
                <Table.Tr key={f.field}>
                  <Table.Td>{FIELD_LABELS[f.field] ?? f.field}</Table.Td>
                  <Table.Td>
                    {SOURCE_LABELS[f.source] ?? f.source}
                    {f.source === 'manual' && f.sourceRef ? (
                      <Text span size="xs" c="dimmed">
                        {' '}
                        ({f.sourceRef})
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <When at={f.updatedAt} />
                  </Table.Td>
                  <Table.Td>
                    {f.locked ? (
                      <Group gap={4} wrap="nowrap">
                        <Tooltip label={`Edited by hand${f.lockedBy ? ` by ${f.lockedBy}` : ''}: inventories leave it alone`} withArrow>
                          <ActionIcon variant="subtle" color="orange" aria-label={`${FIELD_LABELS[f.field] ?? f.field} is locked`} component="span">
                            <IconLock size={16} aria-hidden />
                          </ActionIcon>
                        </Tooltip>
                        {canUnlock ? (
                          <Button
                            size="compact-xs"
                            variant="light"
                            leftSection={<IconLockOpen size={12} aria-hidden />}
                            aria-label={`Unlock ${FIELD_LABELS[f.field] ?? f.field}`}
                            loading={unlock.isPending && unlock.variables === f.field}
                            onClick={() =>
                              unlock.mutate(f.field, {
                                onSuccess: () => notifySuccess(`${FIELD_LABELS[f.field] ?? f.field} will be updated by the next inventory.`),
                                onError: (err) => notifyError(err, 'Could not unlock the field'),
                              })
                            }
                          >
                            Unlock
                          </Button>
                        ) : null}
                      </Group>
                    ) : (
                      <Badge size="xs" variant="light" color="gray" tt="none">
                        Automatic
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
    </TableBlock>
  );
}
