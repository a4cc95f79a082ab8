import { Badge, Code, Group, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import type { ApiToken } from '../../api';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { formatDate, formatDateTime, formatTimestamp } from '../../ui/format';
import { notifySuccess } from '../../ui/notify';
import { StatusBadge } from '../../ui/StatusBadge';
import { useRevokeToken } from './hooks';

export function TokensTable({ tokens, showOwner }: { tokens: ApiToken[]; showOwner: boolean }) {
  const revoke = useRevokeToken();
  const cols = showOwner ? 10 : 9;
  return (
    <Table.ScrollContainer minWidth={900} type="native">
      <Table aria-label="API tokens">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Kind</Table.Th>
            {showOwner ? <Table.Th>Owner</Table.Th> : null}
            <Table.Th>Prefix</Table.Th>
            <Table.Th>Scopes</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th w={48}>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tokens.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={cols}>
                <Text size="sm" c="dimmed" ta="center" py="md">
                  No API tokens yet. Create one to use the API or the command-line tool.
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {tokens.map((t) => (
            <Table.Tr key={t.id} c={t.status === 'active' ? undefined : 'dimmed'}>
              <Table.Td fw={500}>{t.name}</Table.Td>
              <Table.Td>
                <Badge size="sm" variant="outline" color={t.kind === 'service' ? 'grape' : 'gray'} radius="sm">
                  {t.kind}
                </Badge>
              </Table.Td>
              {showOwner ? <Table.Td>{t.owner.email}</Table.Td> : null}
              <Table.Td>
                <Code fz="xs">{t.prefix}…</Code>
              </Table.Td>
              <Table.Td maw={280}>
                <Group gap={4}>
                  {t.scopes.map((s) => (
                    <Badge key={s} size="xs" variant="light" radius="sm" tt="none" ff="monospace">
                      {s}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(t.createdAt)}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{t.expiresAt ? formatDate(t.expiresAt) : 'Never'}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {t.lastUsedAt ? (
                  <Tooltip label={formatTimestamp(t.lastUsedAt)} withArrow>
                    <span>{formatDateTime(t.lastUsedAt)}</span>
                  </Tooltip>
                ) : (
                  'Never'
                )}
              </Table.Td>
              <Table.Td>
                <StatusBadge status={t.status} />
              </Table.Td>
              <Table.Td>
                {t.status === 'active' ? (
                  <ConfirmButton
                    label={`Revoke ${t.name}`}
                    title="Revoke API token"
                    icon={<IconTrash size={16} aria-hidden />}
                    message={`“${t.name}” (${t.prefix}…) stops working immediately. Scripts using it will get 401 errors.`}
                    confirmLabel="Revoke token"
                    onConfirm={async () => {
                      await revoke.mutateAsync(t.id);
                      notifySuccess(`Token “${t.name}” was revoked.`);
                    }}
                  />
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
