import { useState } from 'react';
import { Button, Group, Paper, Tabs, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch, IconShieldLock, IconUserPlus, IconUsers } from '@tabler/icons-react';
import { useCan, useSession } from '../app/session';
import { AddMemberModal } from '../modules/members/AddMemberModal';
import { useMembers, useRoles } from '../modules/members/hooks';
import { MembersTable } from '../modules/members/MembersTable';
import { RolesMatrix } from '../modules/members/RolesMatrix';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';

/** Users & roles: the organization's members (search, add, role, reset, 2FA, remove) and the role matrix. */
export function UsersPage() {
  const session = useSession();
  const can = useCan();
  const canManage = can('member.manage');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  const members = useMembers(q);
  const roles = useRoles();
  const [adding, setAdding] = useState(false);

  return (
    <>
      <PageHeader
        title="Users & roles"
        description={`People with access to ${session.currentOrganization?.name ?? 'this organization'} and what each role may do.`}
        actions={
          canManage ? (
            <Button leftSection={<IconUserPlus size={16} aria-hidden />} onClick={() => setAdding(true)}>
              Add user
            </Button>
          ) : null
        }
      />
      <Tabs defaultValue="members" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="members" leftSection={<IconUsers size={16} aria-hidden />}>
            Members
          </Tabs.Tab>
          <Tabs.Tab value="roles" leftSection={<IconShieldLock size={16} aria-hidden />}>
            Roles
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="members">
          <Paper withBorder>
            <Group justify="space-between" p="sm" gap="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
              <TextInput
                aria-label="Search users"
                placeholder="Search by name or email"
                leftSection={<IconSearch size={16} aria-hidden />}
                value={search}
                onChange={(e) => setSearch(e.currentTarget.value)}
                w={{ base: '100%', sm: 320 }}
                size="sm"
                type="search"
              />
              {members.data ? (
                <Text size="xs" c="dimmed" aria-live="polite">
                  {members.data.length} {members.data.length === 1 ? 'user' : 'users'}
                  {q.trim() ? ` matching “${q.trim()}”` : ''}
                </Text>
              ) : null}
            </Group>
            <QueryState query={members} loadingLabel="Loading users…">
              {(list) => <MembersTable members={list} roles={roles.data} canManage={canManage} />}
            </QueryState>
          </Paper>
        </Tabs.Panel>
        <Tabs.Panel value="roles">
          <Paper withBorder>
            <QueryState query={roles} loadingLabel="Loading roles…">
              {(list) => <RolesMatrix roles={list} />}
            </QueryState>
          </Paper>
        </Tabs.Panel>
      </Tabs>
      {adding ? <AddMemberModal roles={roles.data} onClose={() => setAdding(false)} /> : null}
    </>
  );
}
