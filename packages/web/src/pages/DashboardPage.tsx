import { Alert, Anchor, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { useCan, useSession } from '../app/session';
import { CountCards } from '../modules/dashboard/CountCards';
import { useDashboard } from '../modules/dashboard/hooks';
import { EventTable } from '../modules/events/EventTable';
import { useRecentEvents } from '../modules/events/hooks';
import { humanize } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { ErrorBlock, LoadingBlock, QueryState } from '../ui/QueryState';

/** Counts for the organization and, with event.read, the ten most recent events. */
export function DashboardPage() {
  const session = useSession();
  const can = useCan();
  const canDashboard = can('dashboard.read');
  const canEvents = can('event.read');
  const dashboard = useDashboard(canDashboard && !!session.currentOrganization);
  const recent = useRecentEvents(10, canEvents && !!session.currentOrganization);

  if (!session.currentOrganization) {
    return (
      <>
        <PageHeader title="Dashboard" />
        <Alert color="yellow" variant="light" icon={<IconInfoCircle size={18} aria-hidden />} title="No organization">
          You are not a member of any organization. Ask an administrator to add you to one.
        </Alert>
      </>
    );
  }

  return (
    <>
      <PageHeader title="Dashboard" description={`Overview of ${session.currentOrganization.name}`} />
      <Stack gap="lg">
        {canDashboard ? (
          <QueryState query={dashboard} loadingLabel="Loading counts…">
            {(d) => <CountCards counts={d.counts} />}
          </QueryState>
        ) : (
          <Text size="sm" c="dimmed">
            Welcome, {session.user.displayName}. Your role ({humanize(session.role)}) has no dashboard.
          </Text>
        )}
        {canEvents ? (
          <Paper withBorder>
            <Group justify="space-between" px="md" py="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
              <Title order={2} fz="md" fw={600}>
                Recent events
              </Title>
              <Anchor component={Link} to="/events" size="sm">
                View event log
              </Anchor>
            </Group>
            {recent.isPending ? (
              <LoadingBlock label="Loading events…" />
            ) : recent.isError ? (
              <ErrorBlock error={recent.error} onRetry={() => void recent.refetch()} />
            ) : (
              <EventTable events={recent.data.items} expandable={false} />
            )}
          </Paper>
        ) : null}
      </Stack>
    </>
  );
}
