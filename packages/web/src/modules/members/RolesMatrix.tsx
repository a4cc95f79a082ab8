import { Code, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconCheck, IconMinus } from '@tabler/icons-react';
import type { Role } from '../../api';

/** Role × permission matrix of the built-in roles. */
export function RolesMatrix({ roles }: { roles: Role[] }) {
  // Every permission any role holds, in the order the most privileged role lists them (grouped by area).
  const permissions: string[] = [];
  for (const r of roles) for (const p of r.permissions) if (!permissions.includes(p)) permissions.push(p);
  const sets = new Map(roles.map((r) => [r.key, new Set(r.permissions)]));

  return (
    <Table.ScrollContainer minWidth={760} type="native">
      <Table aria-label="Permissions by role" withColumnBorders stickyHeader striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Permission</Table.Th>
            {roles.map((r) => (
              <Table.Th key={r.key} ta="center">
                <Tooltip label={r.description} withArrow multiline w={240}>
                  <Text span size="sm" fw={600} style={{ whiteSpace: 'nowrap', cursor: 'help' }}>
                    {r.label}
                  </Text>
                </Tooltip>
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {permissions.map((p) => (
            <Table.Tr key={p}>
              <Table.Th scope="row" fw={400}>
                <Code fz="xs">{p}</Code>
              </Table.Th>
              {roles.map((r) => {
                const has = sets.get(r.key)?.has(p) ?? false;
                return (
                  <Table.Td key={r.key} ta="center">
                    {has ? (
                      <IconCheck size={16} color="var(--mantine-color-teal-7)" aria-hidden style={{ verticalAlign: 'middle' }} />
                    ) : (
                      <IconMinus size={14} color="var(--mantine-color-gray-4)" aria-hidden style={{ verticalAlign: 'middle' }} />
                    )}
                    <VisuallyHidden>{has ? 'Yes' : 'No'}</VisuallyHidden>
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
