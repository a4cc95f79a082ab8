import { useMemo } from 'react';
import { Button, Group, Text } from '@mantine/core';
import type { AuditEvent } from '../../api';
import { useCan } from '../../app/session';
import { useDepartments } from '../departments/hooks';
import { EventTable } from '../events/EventTable';
import { useLocationList } from '../locations/hooks';
import { locationPathLabel } from '../locations/types';
import { useMembers } from '../members/hooks';
import { ErrorBlock, LoadingBlock } from '../../ui/QueryState';
import { Section } from '../../ui/Section';
import { useMemberTimeline } from './hooks';

/** Events on this person in the organization (profile, role, custody …), with field-level changes. */
export function TimelineSection({ userId }: { userId: string }) {
  const timeline = useMemberTimeline(userId, true);
  const labelOf = useIdLabels();
  const events = useMemo(() => (timeline.data?.pages.flatMap((p) => p.items) ?? []).map((e) => withLabels(e, labelOf)), [timeline.data, labelOf]);
  return (
    <Section id="timeline" title="Timeline" description="Everything recorded about this person here, newest first. Open a row for the field-level changes.">
      {timeline.isPending ? (
        <LoadingBlock label="Loading timeline…" />
      ) : timeline.isError ? (
        <ErrorBlock error={timeline.error} onRetry={() => void timeline.refetch()} />
      ) : (
        <>
          <EventTable events={events} />
          <Group justify="space-between" pt="xs">
            <Text size="xs" c="dimmed" aria-live="polite">
              Showing {events.length} event{events.length === 1 ? '' : 's'}
              {timeline.hasNextPage ? '' : events.length ? ' (end of timeline)' : ''}
            </Text>
            {timeline.hasNextPage ? (
              <Button size="xs" variant="default" loading={timeline.isFetchingNextPage} onClick={() => void timeline.fetchNextPage()}>
                Load more
              </Button>
            ) : null}
          </Group>
        </>
      )}
    </Section>
  );
}

type Resolver = (field: string, value: unknown) => unknown;

/** Shows the names of referenced records (location, manager, department) instead of their ids. */
function useIdLabels(): Resolver {
  const can = useCan();
  const locations = useLocationList(can('location.read'));
  const members = useMembers('', can('member.read'));
  const departments = useDepartments();
  return useMemo(() => {
    const byKind: Record<string, Map<string, string>> = {
      location: new Map((locations.data ?? []).map((l) => [l.id, locationPathLabel(l)])),
      user: new Map((members.data ?? []).map((m) => [m.userId, m.displayName])),
      department: new Map((departments.data ?? []).map((d) => [d.id, d.name])),
    };
    const kindOf: Record<string, string> = { locationId: 'location', defaultLocationId: 'location', managerUserId: 'user', userId: 'user', departmentId: 'department' };
    return (field, value) => {
      const kind = kindOf[field];
      return kind && typeof value === 'string' ? (byKind[kind]?.get(value) ?? value) : value;
    };
  }, [locations.data, members.data, departments.data]);
}

function withLabels(e: AuditEvent, labelOf: Resolver): AuditEvent {
  const changes = Object.fromEntries(Object.entries(e.changes).map(([k, c]) => [k, { before: labelOf(k, c.before), after: labelOf(k, c.after) }]));
  return { ...e, changes };
}
