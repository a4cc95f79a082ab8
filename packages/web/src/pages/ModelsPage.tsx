import { useState } from 'react';
import { Anchor, Button, Image, Paper, Select, Stack, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconPhoto, IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { useCan } from '../app/session';
import { Dash, EmptyRow, ListToolbar, matches } from '../modules/catalog/bits';
import { modelImageUrl, useCategoryList, useDeleteModel, useModelList } from '../modules/catalog/hooks';
import { ModelModal } from '../modules/catalog/ModelModal';
import type { Model } from '../modules/catalog/types';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { RowActions } from '../ui/RowActions';

function eolLabel(months: number | null): string {
  if (months === null) return '—';
  if (months % 12 === 0 && months > 0) return `${months / 12} ${months === 12 ? 'year' : 'years'}`;
  return `${months} months`;
}

/** Models of the catalog (catalog.read); editing needs catalog.manage. */
export function ModelsPage() {
  const can = useCan();
  const canManage = can('catalog.manage');
  const models = useModelList();
  const categories = useCategoryList();
  const del = useDeleteModel();
  const [q, setQ] = useState('');
  const [categoryId, setCategoryId] = useState<string | null>(null);
  const [editing, setEditing] = useState<Model | null | undefined>(undefined);
  const rows = (models.data ?? []).filter((m) => (!categoryId || m.categoryId === categoryId) && matches(q, m.name, m.modelNumber, m.manufacturer?.name));
  const cols = canManage ? 8 : 7;

  return (
    <>
      <PageHeader
        title="Models"
        description="Device models with their category, manufacturer, end of life and default custom field values."
        actions={
          canManage ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing(null)}>
              New model
            </Button>
          ) : null
        }
      />
      <Paper withBorder>
        <ListToolbar label="Filter models" value={q} onChange={setQ} count={models.data ? rows.length : undefined} noun={['model', 'models']}>
          <Select
            aria-label="Filter by category"
            placeholder="All categories"
            data={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
            value={categoryId}
            onChange={setCategoryId}
            clearable
            searchable
            size="sm"
            w={220}
            comboboxProps={{ withinPortal: true }}
          />
        </ListToolbar>
        <QueryState query={models} loadingLabel="Loading models…">
          {() => (
            <Table.ScrollContainer minWidth={860} type="native">
              <Table aria-label="Models">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={64}>
                      <VisuallyHidden>Picture</VisuallyHidden>
                    </Table.Th>
                    <Table.Th>Model</Table.Th>
                    <Table.Th>Category</Table.Th>
                    <Table.Th>Manufacturer</Table.Th>
                    <Table.Th>End of life</Table.Th>
                    <Table.Th ta="right">Defaults</Table.Th>
                    <Table.Th ta="right">Assets</Table.Th>
                    {canManage ? (
                      <Table.Th w={84}>
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    ) : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.length === 0 ? <EmptyRow cols={cols} text={q.trim() || categoryId ? 'No model matches.' : 'No models yet.'} /> : null}
                  {rows.map((m) => {
                    const defaults = Object.keys(m.defaultCustomFields ?? {}).length;
                    return (
                      <Table.Tr key={m.id}>
                        <Table.Td>
                          {m.hasImage ? (
                            <Image src={modelImageUrl(m.id, m.updatedAt)} alt={`Picture of ${m.name}`} w={48} h={36} fit="contain" />
                          ) : (
                            <IconPhoto size={20} color="var(--mantine-color-gray-4)" aria-hidden />
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Stack gap={0}>
                            <Text size="sm" fw={500}>
                              {m.name}
                            </Text>
                            {m.modelNumber ? (
                              <Text size="xs" c="dimmed" ff="monospace">
                                {m.modelNumber}
                              </Text>
                            ) : null}
                          </Stack>
                        </Table.Td>
                        <Table.Td>
                          <Anchor component={Link} to={`/catalog/categories/${m.categoryId}`} size="sm">
                            {m.category.name}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{m.manufacturer?.name ?? <Dash />}</Table.Td>
                        <Table.Td>{eolLabel(m.eolMonths)}</Table.Td>
                        <Table.Td ta="right">
                          {defaults ? (
                            <Tooltip label={Object.entries(m.defaultCustomFields).map(([k, val]) => `${k}: ${Array.isArray(val) ? val.join(', ') : String(val)}`).join(' · ')} withArrow multiline maw={320}>
                              <Text span size="sm" tabIndex={0}>
                                {defaults}
                              </Text>
                            </Tooltip>
                          ) : (
                            <Dash />
                          )}
                        </Table.Td>
                        <Table.Td ta="right">{m.assetCount}</Table.Td>
                        {canManage ? (
                          <Table.Td>
                            <RowActions name={m.name} noun="model"
                              message={`Delete the model “${m.name}”? Models that assets use cannot be deleted.`}
                              onEdit={() => setEditing(m)} onDelete={() => del.mutateAsync(m.id)} />
                          </Table.Td>
                        ) : null}
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Paper>
      {editing !== undefined ? <ModelModal model={editing} onClose={() => setEditing(undefined)} /> : null}
    </>
  );
}
