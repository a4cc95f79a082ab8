import { Anchor, Badge, Code, Group, Table, Text, VisuallyHidden } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useDeleteCategory } from './hooks';
import { assetClassLabel, type Category } from './types';
import { Dash, EmptyRow, YesNo } from './bits';
import { RowActions } from '../../ui/RowActions';

export function CategoriesTable({ categories, canManage, onEdit }: { categories: Category[]; canManage: boolean; onEdit: (c: Category) => void }) {
  const del = useDeleteCategory();
  const cols = canManage ? 9 : 8;
  return (
    <Table.ScrollContainer minWidth={900} type="native">
      <Table aria-label="Categories">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Asset class</Table.Th>
            <Table.Th>Data-bearing</Table.Th>
            <Table.Th>Acceptance</Table.Th>
            <Table.Th>Tag pattern</Table.Th>
            <Table.Th ta="right">Fields</Table.Th>
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
          {categories.length === 0 ? <EmptyRow cols={cols} text={`No categories yet.${canManage ? ' Create one for each kind of device you track.' : ''}`} /> : null}
          {categories.map((c) => (
            <Table.Tr key={c.id}>
              <Table.Td fw={500}>
                <Anchor component={Link} to={`/catalog/categories/${c.id}`} size="sm" fw={500}>
                  {c.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{assetClassLabel(c.assetClass)}</Table.Td>
              <Table.Td>
                <YesNo value={c.dataBearing} />
              </Table.Td>
              <Table.Td>
                {c.requiresAcceptance ? (
                  <Group gap={4} wrap="nowrap">
                    <Badge size="sm" variant="light" color="violet" tt="none">
                      Required
                    </Badge>
                    {c.acceptanceTermsVersion ? (
                      <Text span size="xs" c="dimmed">
                        terms v{c.acceptanceTermsVersion}
                      </Text>
                    ) : null}
                  </Group>
                ) : (
                  <Dash />
                )}
              </Table.Td>
              <Table.Td>{c.tagPattern ? <Code fz="xs">{c.tagPattern}</Code> : <Text span size="xs" c="dimmed">Organization default</Text>}</Table.Td>
              <Table.Td ta="right">{c.fieldCount}</Table.Td>
              <Table.Td ta="right">{c.modelCount}</Table.Td>
              <Table.Td ta="right">{c.assetCount}</Table.Td>
              {canManage ? (
                <Table.Td>
                  <RowActions name={c.name} noun="category"
                    message={`Delete the category “${c.name}”? A category still used by models, assets or custom fields cannot be deleted.`}
                    onEdit={() => onEdit(c)} onDelete={() => del.mutateAsync(c.id)} />
                </Table.Td>
              ) : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
