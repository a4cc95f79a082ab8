import { useState } from 'react';
import { Anchor, Button, Paper, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useCan } from '../app/session';
import { Dash, EmptyRow, ListToolbar, matches } from '../modules/catalog/bits';
import { useDeleteSupplier, useSupplierList } from '../modules/catalog/hooks';
import { SupplierModal } from '../modules/catalog/SupplierModal';
import type { Supplier } from '../modules/catalog/types';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { RowActions } from '../ui/RowActions';

/** Suppliers (vendors the organization buys from); editing needs catalog.manage. */
export function SuppliersPage() {
  const can = useCan();
  const canManage = can('catalog.manage');
  const list = useSupplierList();
  const del = useDeleteSupplier();
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<Supplier | null | undefined>(undefined);
  const rows = (list.data ?? []).filter((s) => matches(q, s.name, s.contactName, s.email));
  const cols = canManage ? 6 : 5;

  return (
    <>
      <PageHeader
        title="Suppliers"
        description="Vendors the organization buys devices from."
        actions={
          canManage ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing(null)}>
              New supplier
            </Button>
          ) : null
        }
      />
      <Paper withBorder>
        <ListToolbar label="Filter suppliers" value={q} onChange={setQ} count={list.data ? rows.length : undefined} noun={['supplier', 'suppliers']} />
        <QueryState query={list} loadingLabel="Loading suppliers…">
          {() => (
            <Table.ScrollContainer minWidth={760} type="native">
              <Table aria-label="Suppliers">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Contact</Table.Th>
                    <Table.Th>Website</Table.Th>
                    <Table.Th>Notes</Table.Th>
                    <Table.Th ta="right">Assets</Table.Th>
                    {canManage ? (
                      <Table.Th w={84}>
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    ) : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.length === 0 ? <EmptyRow cols={cols} text={q.trim() ? 'No supplier matches.' : 'No suppliers yet.'} /> : null}
                  {rows.map((s) => (
                    <Table.Tr key={s.id}>
                      <Table.Td fw={500}>{s.name}</Table.Td>
                      <Table.Td>
                        {s.contactName || s.email || s.phone ? (
                          <Stack gap={0}>
                            {s.contactName ? <Text size="sm">{s.contactName}</Text> : null}
                            {s.email ? (
                              <Anchor href={`mailto:${s.email}`} size="xs">
                                {s.email}
                              </Anchor>
                            ) : null}
                            {s.phone ? (
                              <Text size="xs" c="dimmed">
                                {s.phone}
                              </Text>
                            ) : null}
                          </Stack>
                        ) : (
                          <Dash />
                        )}
                      </Table.Td>
                      <Table.Td>
                        {s.url ? (
                          <Anchor href={s.url} target="_blank" rel="noopener noreferrer" size="sm" style={{ wordBreak: 'break-all' }}>
                            {s.url.replace(/^https?:\/\//, '')}
                          </Anchor>
                        ) : (
                          <Dash />
                        )}
                      </Table.Td>
                      <Table.Td maw={280}>
                        {s.notes ? (
                          <Text size="xs" c="dimmed" lineClamp={2}>
                            {s.notes}
                          </Text>
                        ) : (
                          <Dash />
                        )}
                      </Table.Td>
                      <Table.Td ta="right">{s.assetCount}</Table.Td>
                      {canManage ? (
                        <Table.Td>
                          <RowActions name={s.name} noun="supplier"
                            message={`Delete the supplier “${s.name}”? Suppliers that assets reference cannot be deleted.`}
                            onEdit={() => setEditing(s)} onDelete={() => del.mutateAsync(s.id)} />
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
      {editing !== undefined ? <SupplierModal supplier={editing} onClose={() => setEditing(undefined)} /> : null}
    </>
  );
}
