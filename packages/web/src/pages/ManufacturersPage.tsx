import { useState } from 'react';
import { Anchor, Button, Paper, Table, VisuallyHidden } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useCan } from '../app/session';
import { Dash, EmptyRow, ListToolbar, matches } from '../modules/catalog/bits';
import { useDeleteManufacturer, useManufacturerList } from '../modules/catalog/hooks';
import { ManufacturerModal } from '../modules/catalog/ManufacturerModal';
import type { Manufacturer } from '../modules/catalog/types';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { RowActions } from '../ui/RowActions';

function ExternalLink({ href }: { href: string | null }) {
  if (!href) return <Dash />;
  return (
    <Anchor href={href} target="_blank" rel="noopener noreferrer" size="sm" style={{ wordBreak: 'break-all' }}>
      {href.replace(/^https?:\/\//, '')}
    </Anchor>
  );
}

/** Manufacturers of the catalog (catalog.read); editing needs catalog.manage. */
export function ManufacturersPage() {
  const can = useCan();
  const canManage = can('catalog.manage');
  const list = useManufacturerList();
  const del = useDeleteManufacturer();
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<Manufacturer | null | undefined>(undefined);
  const rows = (list.data ?? []).filter((m) => matches(q, m.name));
  const cols = canManage ? 6 : 5;

  return (
    <>
      <PageHeader
        title="Manufacturers"
        description="Makers of the devices in the catalog, with their support and warranty lookup links."
        actions={
          canManage ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing(null)}>
              New manufacturer
            </Button>
          ) : null
        }
      />
      <Paper withBorder>
        <ListToolbar label="Filter manufacturers" value={q} onChange={setQ} count={list.data ? rows.length : undefined} noun={['manufacturer', 'manufacturers']} />
        <QueryState query={list} loadingLabel="Loading manufacturers…">
          {() => (
            <Table.ScrollContainer minWidth={720} type="native">
              <Table aria-label="Manufacturers">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Support</Table.Th>
                    <Table.Th>Warranty lookup</Table.Th>
                    <Table.Th ta="right">Models</Table.Th>
                    <Table.Th ta="right">Assets</Table.Th>
                    {canManage ? (
                      <Table.Th w={84}>
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    ) : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.length === 0 ? <EmptyRow cols={cols} text={q.trim() ? 'No manufacturer matches.' : 'No manufacturers yet.'} /> : null}
                  {rows.map((m) => (
                    <Table.Tr key={m.id}>
                      <Table.Td fw={500}>{m.name}</Table.Td>
                      <Table.Td>
                        <ExternalLink href={m.supportUrl} />
                      </Table.Td>
                      <Table.Td>
                        <ExternalLink href={m.warrantyLookupUrl} />
                      </Table.Td>
                      <Table.Td ta="right">{m.modelCount}</Table.Td>
                      <Table.Td ta="right">{m.assetCount}</Table.Td>
                      {canManage ? (
                        <Table.Td>
                          <RowActions name={m.name} noun="manufacturer"
                            message={`Delete the manufacturer “${m.name}”? Manufacturers with models cannot be deleted.`}
                            onEdit={() => setEditing(m)} onDelete={() => del.mutateAsync(m.id)} />
                        </Table.Td>
                      ) : null}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Paper>
      {editing !== undefined ? <ManufacturerModal manufacturer={editing} onClose={() => setEditing(undefined)} /> : null}
    </>
  );
}
