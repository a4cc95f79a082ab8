import { useState } from 'react';
import { Button, Group, Paper, Text } from '@mantine/core';
import { useSession } from '../app/session';
import { EventFiltersForm } from '../modules/events/EventFiltersForm';
import { EventTable } from '../modules/events/EventTable';
import { useEventLog, useVerifyChain, type EventFilters } from '../modules/events/hooks';
import { VerifyIntegrityButton, VerifyIntegrityResult } from '../modules/events/VerifyIntegrity';
import { PageHeader } from '../ui/PageHeader';
import { ErrorBlock, LoadingBlock } from '../ui/QueryState';

/** The organization's tamper-evident event log: filters, keyset "Load more", per-event details. */
export function EventLogPage() {
  const session = useSession();
  const [filters, setFilters] = useState<EventFilters>({});
  const log = useEventLog(filters);
  const verify = useVerifyChain();
  const events = log.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader
        title="Event log"
        description={`Every change in ${session.currentOrganization?.name ?? 'this organization'}, newest first. Each event is hash-chained to the previous one.`}
        actions={<VerifyIntegrityButton verify={verify} />}
      />
      <VerifyIntegrityResult verify={verify} />
      <Paper withBorder p="sm" mb="md">
        <EventFiltersForm onApply={setFilters} />
      </Paper>
      <Paper withBorder>
        {log.isPending ? (
          <LoadingBlock label="Loading events…" />
        ) : log.isError ? (
          <ErrorBlock error={log.error} onRetry={() => void log.refetch()} />
        ) : (
          <>
            <EventTable events={events} />
            <Group justify="space-between" px="sm" py="xs" style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}>
              <Text size="xs" c="dimmed" aria-live="polite">
                Showing {events.length} event{events.length === 1 ? '' : 's'}
                {log.hasNextPage ? '' : events.length ? ' (end of results)' : ''}
              </Text>
              {log.hasNextPage ? (
                <Button size="xs" variant="default" loading={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
                  Load more
                </Button>
              ) : null}
            </Group>
          </>
        )}
      </Paper>
    </>
  );
}
