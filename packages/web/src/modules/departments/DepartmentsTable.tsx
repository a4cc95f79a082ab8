import { Code, Table, Text, VisuallyHidden } from '@mantine/core';
import type { Department } from '../../api';
import { formatDate } from '../../ui/format';
import { useDeleteDepartment } from './hooks';
import { RowActions } from '../../ui/RowActions';

export function DepartmentsTable({ departments, canManage, onEdit }: { departments: Department[]; canManage: boolean; onEdit: (d: Department) => void }) {
  const del = useDeleteDepartment();
  const cols = canManage ? 6 : 5;
  return (
    <Table.ScrollContainer minWidth={640} type="native">
      <Table aria-label="Departments">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Code</Table.Th>
            <Table.Th>Cost centre</Table.Th>
            <Table.Th>Manager</Table.Th>
            <Table.Th>Updated</Table.Th>
            {canManage ? (
              <Table.Th w={84}>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            ) : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {departments.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={cols}>
                <Text size="sm" c="dimmed" ta="center" py="md">
                  No departments yet.{canManage ? ' Create one to group people and cost centres.' : ''}
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {departments.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td fw={500}>{d.name}</Table.Td>
              <Table.Td>{d.code ? <Code fz="xs">{d.code}</Code> : <Text span c="dimmed">—</Text>}</Table.Td>
              <Table.Td>{d.costCentre ?? <Text span c="dimmed">—</Text>}</Table.Td>
              <Table.Td>{d.manager?.displayName ?? <Text span c="dimmed">—</Text>}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(d.updatedAt)}</Table.Td>
              {canManage ? (
                <Table.Td>
                  <RowActions name={d.name} noun="department"
                    message={`Delete the department “${d.name}”? The change is recorded in the event log.`}
                    onEdit={() => onEdit(d)} onDelete={() => del.mutateAsync(d.id)} />
                </Table.Td>
              ) : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
