import type { ReactNode } from 'react';
import { Anchor, Avatar, Badge, Breadcrumbs, Group, Paper, Stack, Text } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useCan, useSession } from '../app/session';
import { useRoles } from '../modules/members/hooks';
import { roleLabel } from '../modules/members/roles';
import { HoldingsSection } from '../modules/people/HoldingsSection';
import { useMember } from '../modules/people/hooks';
import { ProfileSection } from '../modules/people/ProfileSection';
import { TimelineSection } from '../modules/people/TimelineSection';
import { formatDate, formatDateTime, initials } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';

/** A person in the organization: profile, what they hold (and offboarding), and their timeline. */
export function PersonPage() {
  const { userId = '' } = useParams();
  const member = useMember(userId);
  const roles = useRoles();
  const can = useCan();
  const session = useSession();

  return (
    <>
      <Breadcrumbs mb="xs">
        <Anchor component={Link} to="/admin/users" size="sm">
          Users & roles
        </Anchor>
        <Text size="sm">{member.data?.displayName ?? '…'}</Text>
      </Breadcrumbs>
      <QueryState query={member} loadingLabel="Loading person…">
        {(m) => (
          <>
            <PageHeader title={m.displayName} description={m.email} />
            <Stack gap="md">
              <Paper withBorder p="md">
                <Group gap="lg" wrap="wrap">
                  <Avatar radius="xl" size="lg" color="brand" aria-hidden>
                    {initials(m.displayName)}
                  </Avatar>
                  <Summary label="Role">{roleLabel(roles.data, m.role)}</Summary>
                  <Summary label="Status">
                    <Badge size="sm" variant="light" color={m.isActive ? 'teal' : 'gray'} radius="sm">
                      {m.isActive ? 'Active' : 'Disabled'}
                    </Badge>
                  </Summary>
                  <Summary label="Two-factor">{m.totpEnabled ? 'On' : 'Off'}</Summary>
                  <Summary label="Last sign-in">{m.lastLoginAt ? formatDateTime(m.lastLoginAt) : 'Never'}</Summary>
                  <Summary label="Joined">{formatDate(m.joinedAt)}</Summary>
                  {m.userId === session.user.id ? (
                    <Badge variant="outline" color="gray" tt="none">
                      This is you
                    </Badge>
                  ) : null}
                </Group>
              </Paper>
              <ProfileSection userId={m.userId} displayName={m.displayName} />
              {can('custody.read') ? <HoldingsSection userId={m.userId} displayName={m.displayName} /> : null}
              <TimelineSection userId={m.userId} />
            </Stack>
          </>
        )}
      </QueryState>
    </>
  );
}

function Summary({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Stack>
  );
}
