import { useState } from 'react';
import { ActionIcon, Badge, Button, Code, Group, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPlus } from '@tabler/icons-react';
import { notifyError } from '../../ui/notify';
import { QueryState } from '../../ui/QueryState';
import { Section } from '../../ui/Section';
import { EmptyRow, YesNo } from './bits';
import { FieldModal } from './FieldModal';
import { useDeleteField, useFields, useReorderFields } from './hooks';
import { FIELD_TYPE_LABELS, type Category, type CustomField } from './types';
import { RowActions } from '../../ui/RowActions';

/** The custom fields of one category, in display order: add, edit, reorder, delete. */
export function FieldsEditor({ category, canManage }: { category: Category; canManage: boolean }) {
  const fields = useFields(category.id);
  const del = useDeleteField();
  const reorder = useReorderFields();
  // undefined = closed, null = adding, a field = editing it.
  const [editing, setEditing] = useState<CustomField | null | undefined>(undefined);
  const list = fields.data ?? [];
  const cols = canManage ? 8 : 7;

  const move = (index: number, delta: -1 | 1) => {
    const next = [...list];
    const [f] = next.splice(index, 1);
    if (!f) return;
    next.splice(index + delta, 0, f);
    reorder.mutate(next, { onError: (err) => notifyError(err, 'Could not reorder the fields') });
  };

  return (
    <Section
      id="custom-fields"
      title="Custom fields"
      description={`Extra attributes every ${category.name} asset carries, in the order the asset form shows them.`}
      actions={
        canManage ? (
          <Button size="xs" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => setEditing(null)}>
            Add field
          </Button>
        ) : null
      }
    >
      <QueryState query={fields} loadingLabel="Loading custom fields…">
        {() => (
          <Table.ScrollContainer minWidth={760} type="native">
            <Table aria-label="Custom fields" withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={canManage ? 80 : 48}>Order</Table.Th>
                  <Table.Th>Label</Table.Th>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Required</Table.Th>
                  <Table.Th>Unique</Table.Th>
                  <Table.Th>Details</Table.Th>
                  {canManage ? (
                    <Table.Th w={84}>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  ) : null}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.length === 0 ? <EmptyRow cols={cols} text={`No custom fields.${canManage ? ' Add one for attributes such as RAM, IMEI or a cost code.' : ''}`} /> : null}
                {list.map((f, i) => (
                  <Table.Tr key={f.id}>
                    <Table.Td>
                      {canManage ? (
                        <Group gap={2} wrap="nowrap">
                          <ActionIcon variant="subtle" color="gray" size="sm" aria-label={`Move ${f.label} up`} disabled={i === 0 || reorder.isPending} onClick={() => move(i, -1)}>
                            <IconArrowUp size={14} aria-hidden />
                          </ActionIcon>
                          <ActionIcon
                            variant="subtle"
                            color="gray"
                            size="sm"
                            aria-label={`Move ${f.label} down`}
                            disabled={i === list.length - 1 || reorder.isPending}
                            onClick={() => move(i, 1)}
                          >
                            <IconArrowDown size={14} aria-hidden />
                          </ActionIcon>
                        </Group>
                      ) : (
                        <Text size="sm" c="dimmed">
                          {i + 1}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td fw={500}>{f.label}</Table.Td>
                    <Table.Td>
                      <Code fz="xs">{f.key}</Code>
                    </Table.Td>
                    <Table.Td>{FIELD_TYPE_LABELS[f.type] ?? f.type}</Table.Td>
                    <Table.Td>
                      <YesNo value={f.required} />
                    </Table.Td>
                    <Table.Td>
                      <YesNo value={f.unique} />
                    </Table.Td>
                    <Table.Td maw={320}>
                      <FieldDetails field={f} />
                    </Table.Td>
                    {canManage ? (
                      <Table.Td>
                        <RowActions name={f.label} noun="field" deleteTitle="Delete custom field"
                          message={`Delete the field “${f.label}” (${f.key})? A field that assets hold values for cannot be deleted.`}
                          onEdit={() => setEditing(f)} onDelete={() => del.mutateAsync(f.id)} />
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      {editing !== undefined ? (
        <FieldModal
          categoryId={category.id}
          categoryName={category.name}
          field={editing}
          nextPosition={list.length ? Math.max(...list.map((f) => f.position)) + 1 : 0}
          onClose={() => setEditing(undefined)}
        />
      ) : null}
    </Section>
  );
}

function FieldDetails({ field: f }: { field: CustomField }) {
  const parts = [];
  if (f.options.length) {
    parts.push(
      <Group key="o" gap={4}>
        {f.options.slice(0, 8).map((o) => (
          <Badge key={o} size="xs" variant="outline" color="gray" tt="none">
            {o}
          </Badge>
        ))}
        {f.options.length > 8 ? (
          <Text span size="xs" c="dimmed">
            +{f.options.length - 8} more
          </Text>
        ) : null}
      </Group>,
    );
  }
  if (f.regex) parts.push(<Code key="r" fz="xs">{f.regex}</Code>);
  if (f.helpText) {
    parts.push(
      <Text key="h" size="xs" c="dimmed" lineClamp={2}>
        {f.helpText}
      </Text>,
    );
  }
  return parts.length ? <>{parts}</> : <Text span size="sm" c="dimmed">—</Text>;
}
