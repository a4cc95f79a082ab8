/**
 * The software installed on an asset (or any list of installations with their products): product
 * (linked to its catalogue page), publisher, version, arch, install date, device, last seen, with a
 * quick filter. `AssetSoftwareTable` fetches `GET /assets/:id/software` itself, for the asset page.
 */
import { useState } from 'react';
import { Anchor, Paper, Table, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { Dash, EmptyRow, ListToolbar, matches } from '../catalog/bits';
import { QueryState } from '../../ui/QueryState';
import { formatDate } from '../../ui/format';
import { useAssetSoftware } from './hooks';
import type { AssetSoftware } from './types';

export function SoftwareTable({ items, emptyText = 'No software was reported for this asset.' }: { items: readonly AssetSoftware[]; emptyText?: string }) {
  const [q, setQ] = useState('');
  const rows = items.filter((i) => matches(q, i.product.name, i.product.publisher, i.version, i.rawName));
  const devices = new Set(items.map((i) => i.deviceId));
  const cols = devices.size > 1 ? 7 : 6;
  return (
    <Paper withBorder>
      <ListToolbar label="Filter software" value={q} onChange={setQ} count={rows.length} noun={['installation', 'installations']} />
      <Table.ScrollContainer minWidth={720} type="native">
        <Table aria-label="Installed software" striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Product</Table.Th>
              <Table.Th>Publisher</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>Arch</Table.Th>
              <Table.Th>Installed</Table.Th>
              {devices.size > 1 ? <Table.Th>Device</Table.Th> : null}
              <Table.Th>Last seen</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 ? <EmptyRow cols={cols} text={q.trim() ? 'No software matches.' : emptyText} /> : null}
            {rows.map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/software/products/${i.product.id}`} size="sm" fw={500}>
                    {i.product.name}
                  </Anchor>
                  {i.rawName !== i.product.name ? (
                    <Text size="xs" c="dimmed">
                      {i.rawName}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>{i.product.publisher ?? <Dash />}</Table.Td>
                <Table.Td ff="monospace" fz="sm">{i.version ?? <Dash />}</Table.Td>
                <Table.Td>{i.arch ?? <Dash />}</Table.Td>
                <Table.Td>{i.installDate ?? <Dash />}</Table.Td>
                {devices.size > 1 ? <Table.Td>{i.hostname ?? <Dash />}</Table.Td> : null}
                <Table.Td>{formatDate(i.lastSeenAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

/** The asset page's software tab: loads the asset's installations and shows them. */
export function AssetSoftwareTable({ assetId }: { assetId: string }) {
  const query = useAssetSoftware(assetId);
  return <QueryState query={query} loadingLabel="Loading software…">{(items) => <SoftwareTable items={items} />}</QueryState>;
}
