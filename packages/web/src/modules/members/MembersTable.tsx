import { useState } from 'react';
import { ActionIcon, Anchor, Badge, Menu, Select, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { Link } from 'react-router-dom';
import { IconDots, IconKey, IconShieldOff, IconUserMinus } from '@tabler/icons-react';
import type { Member, Role } from '../../api';
import { useSession } from '../../app/session';
import { ConfirmDialog } from '../../ui/ConfirmButton';
import { formatDate, formatDateTime } from '../../ui/format';
import { notifyError, notifySuccess } from '../../ui/notify';
import { useChangeRole, useDisableMemberTotp, useRemoveMember, useResetPassword } from './hooks';
import { isRoleKey, roleLabel, roleOptions } from './roles';
import { TemporaryPasswordModal } from './TemporaryPasswordModal';

type PendingAction = { kind: 'reset' | 'disable2fa' | 'remove'; member: Member };

export function MembersTable({ members, roles, canManage }: { members: Member[]; roles: Role[] | undefined; canManage: boolean }) {
  const session = useSession();
  const changeRole = useChangeRole();
  const reset = useResetPassword();
  const disable2fa = useDisableMemberTotp();
  const remove = useRemoveMember();
  const [pending, setPending] = useState<PendingAction | null>(null);
  const [temporary, setTemporary] = useState<{ person: string; password: string } | null>(null);
  const options = roleOptions(roles);
  const cols = canManage ? 7 : 6;

  const confirmProps = (p: PendingAction) => {
    const who = p.member.displayName || p.member.email;
    switch (p.kind) {
      case 'reset':
        return {
          title: 'Reset password',
          message: `${who} gets a temporary password (shown once) and is signed out everywhere.`,
          confirmLabel: 'Reset password',
          color: 'orange',
          onConfirm: async () => {
            const res = await reset.mutateAsync(p.member.userId);
            setTemporary({ person: who, password: res.temporaryPassword });
          },
        };
      case 'disable2fa':
        return {
          title: 'Turn off two-factor',
          message: `${who} will sign in with only their password until they enrol a new authenticator. Do this only when they lost their device.`,
          confirmLabel: 'Turn off two-factor',
          color: 'orange',
          onConfirm: async () => {
            await disable2fa.mutateAsync(p.member.userId);
            notifySuccess(`Two-factor sign-in is off for ${who}.`);
          },
        };
      case 'remove':
        return {
          title: 'Remove from organization',
          message: `${who} loses access to ${session.currentOrganization?.name ?? 'this organization'} and their API tokens here are deleted. Their account stays for other organizations.`,
          confirmLabel: 'Remove',
          color: 'red',
          onConfirm: async () => {
            await remove.mutateAsync(p.member.userId);
            notifySuccess(`${who} was removed.`);
          },
        };
    }
  };

  return (
    <>
      <Table.ScrollContainer minWidth={820} type="native">
        <Table aria-label="Members">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th w={210}>Role</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Two-factor</Table.Th>
              <Table.Th>Last sign-in</Table.Th>
              <Table.Th>Joined</Table.Th>
              {canManage ? (
                <Table.Th w={48}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              ) : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={cols}>
                  <Text size="sm" c="dimmed" ta="center" py="md">
                    No users match.
                  </Text>
                </Table.Td>
              </Table.Tr>
            ) : null}
            {members.map((m) => {
              const who = m.displayName || m.email;
              const isSelf = m.userId === session.user.id;
              return (
                <Table.Tr key={m.userId}>
                  <Table.Td>
                    <Stack gap={0}>
                      <Text size="sm" fw={500}>
                        <Anchor component={Link} to={`/people/${m.userId}`} size="sm" fw={500}>
                          {m.displayName}
                        </Anchor>
                        {isSelf ? (
                          <Text span size="xs" c="dimmed">
                            {' '}
                            (you)
                          </Text>
                        ) : null}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {m.email}
                      </Text>
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    {canManage ? (
                      <Select
                        aria-label={`Role of ${who}`}
                        data={options}
                        value={m.role}
                        size="xs"
                        allowDeselect={false}
                        disabled={changeRole.isPending && changeRole.variables?.userId === m.userId}
                        onChange={(role) => {
                          if (!isRoleKey(role) || role === m.role) return;
                          changeRole.mutate(
                            { userId: m.userId, role },
                            {
                              onSuccess: () => notifySuccess(`${who} is now ${roleLabel(roles, role)}.`),
                              onError: (err) => notifyError(err, 'Could not change the role'),
                            },
                          );
                        }}
                        comboboxProps={{ withinPortal: true }}
                      />
                    ) : (
                      roleLabel(roles, m.role)
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" color={m.isActive ? 'teal' : 'gray'} radius="sm">
                      {m.isActive ? 'Active' : 'Disabled'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Badge size="sm" variant="light" color={m.totpEnabled ? 'teal' : 'gray'} radius="sm">
                      {m.totpEnabled ? 'On' : 'Off'}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{m.lastLoginAt ? formatDateTime(m.lastLoginAt) : 'Never'}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDate(m.joinedAt)}</Table.Td>
                  {canManage ? (
                    <Table.Td>
                      <Menu position="bottom-end" withinPortal shadow="md" width={220}>
                        <Menu.Target>
                          <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${who}`}>
                            <IconDots size={16} aria-hidden />
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Item leftSection={<IconKey size={16} aria-hidden />} onClick={() => setPending({ kind: 'reset', member: m })} disabled={isSelf}>
                            Reset password
                          </Menu.Item>
                          {m.totpEnabled ? (
                            <Menu.Item leftSection={<IconShieldOff size={16} aria-hidden />} onClick={() => setPending({ kind: 'disable2fa', member: m })}>
                              Turn off two-factor
                            </Menu.Item>
                          ) : null}
                          <Menu.Divider />
                          <Menu.Item color="red" leftSection={<IconUserMinus size={16} aria-hidden />} onClick={() => setPending({ kind: 'remove', member: m })} disabled={isSelf}>
                            Remove from organization
                          </Menu.Item>
                        </Menu.Dropdown>
                      </Menu>
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {pending ? <ConfirmDialog opened onClose={() => setPending(null)} {...confirmProps(pending)} /> : null}
      {temporary ? <TemporaryPasswordModal person={temporary.person} password={temporary.password} onClose={() => setTemporary(null)} /> : null}
    </>
  );
}
