import { Fragment, useState } from 'react';
import { ActionIcon, Button, Group, Paper, Table, Text, Tooltip } from '@mantine/core';
import { IconArrowRight, IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import type { AuditEvent } from '../../../api';
import { ActionBadge } from '../../events/ActionBadge';
import { EventDetails } from '../../events/EventDetails';
import { formatDateTime, formatTimestamp, formatValue } from '../../../ui/format';
import { ErrorBlock, LoadingBlock } from '../../../ui/QueryState';
import { useAssetTimeline } from '../hooks';

/** The first changes of an event inline (`serial: A → B`), the rest counted. */
function ChangeSummary({ event }: { event: AuditEvent }) {
  const changes = Object.entries(event.changes);
  const meta = event.meta as Record<string, unknown>;
  // Custody and lifecycle events say to whom and why in their meta.
  const context = [
    typeof meta.targetLabel === 'string' ? `to ${meta.targetLabel}` : null,
    typeof meta.reason === 'string' && meta.reason ? `reason: ${meta.reason}` : null,
    typeof meta.note === 'string' && meta.note ? `note: ${meta.note}` : null,
  ].filter((x): x is string => !!x);
  const shown = changes.slice(0, 3);
  if (!shown.length && !context.length) return <Text size="xs" c="dimmed">—</Text>;
  return (
    <Text size="xs" component="div">
      {shown.map(([field, { before, after }]) => (
        <div key={field} style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
          <Text span size="xs" ff="monospace" c="dimmed">
            {field}
          </Text>{' '}
          <Text span size="xs" c={before === null ? 'dimmed' : undefined}>
            {formatValue(before)}
          </Text>{' '}
          <IconArrowRight size={10} aria-label="changed to" />{' '}
          <Text span size="xs" fw={500}>
            {formatValue(after)}
          </Text>
        </div>
      ))}
      {changes.length > shown.length ? (
        <Text span size="xs" c="dimmed">
          and {changes.length - shown.length} more
        </Text>
      ) : null}
      {context.length ? (
        <Text size="xs" c="dimmed">
          {context.join(' · ')}
        </Text>
      ) : null}
    </Text>
  );
}

/** The asset's events, newest first: who did what, the fields before → after, and each event's full record. */
export function TimelineTab({ assetId, includeDeleted = false }: { assetId: string; includeDeleted?: boolean }) {
  const timeline = useAssetTimeline(assetId, includeDeleted);
  const events = timeline.data?.pages.flatMap((p) => p.items) ?? [];
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <Paper withBorder>
      {timeline.isPending ? (
        <LoadingBlock label="Loading the timeline…" />
      ) : timeline.isError ? (
        <ErrorBlock error={timeline.error} onRetry={() => void timeline.refetch()} />
      ) : (
        <>
          <Table.ScrollContainer minWidth={760} type="native">
            <Table aria-label="Timeline" layout="fixed">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={40} aria-label="Details" />
                  <Table.Th w={140}>Time</Table.Th>
                  <Table.Th w={200}>By</Table.Th>
                  <Table.Th w={210}>Action</Table.Th>
                  <Table.Th>Changes</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {events.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={5}>
                      <Text size="sm" c="dimmed" ta="center" py="md">
                        No events yet.
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ) : null}
                {events.map((e) => {
                  const isOpen = open.has(e.id);
                  return (
                    <Fragment key={e.id}>
                      <Table.Tr bg={isOpen ? 'var(--mantine-color-gray-0)' : undefined} style={{ verticalAlign: 'top' }}>
                        <Table.Td>
                          <ActionIcon
                            variant="subtle"
                            color="gray"
                            size="sm"
                            aria-expanded={isOpen}
                            aria-controls={`timeline-${e.id}`}
                            aria-label={`${isOpen ? 'Hide' : 'Show'} details of ${e.action} #${e.seq}`}
                            onClick={() => toggle(e.id)}
                          >
                            {isOpen ? <IconChevronDown size={16} aria-hidden /> : <IconChevronRight size={16} aria-hidden />}
                          </ActionIcon>
                        </Table.Td>
                        <Table.Td>
                          <Tooltip label={formatTimestamp(e.occurredAt)} withArrow openDelay={400}>
                            <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>
                              {formatDateTime(e.occurredAt)}
                            </Text>
                          </Tooltip>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" truncate>
                            {e.actor.label}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <ActionBadge action={e.action} />
                        </Table.Td>
                        <Table.Td>
                          <ChangeSummary event={e} />
                        </Table.Td>
                      </Table.Tr>
                      {isOpen ? (
                        <Table.Tr id={`timeline-${e.id}`} bg="var(--mantine-color-gray-0)">
                          <Table.Td />
                          <Table.Td colSpan={4}>
                            <EventDetails event={e} />
                          </Table.Td>
                        </Table.Tr>
                      ) : null}
                    </Fragment>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="space-between" px="sm" py="xs" style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}>
            <Text size="xs" c="dimmed">
              {events.length} event{events.length === 1 ? '' : 's'}
              {timeline.hasNextPage ? '' : ' (complete history)'}
            </Text>
            {timeline.hasNextPage ? (
              <Button size="xs" variant="default" loading={timeline.isFetchingNextPage} onClick={() => void timeline.fetchNextPage()}>
                Load more
              </Button>
            ) : null}
          </Group>
        </>
      )}
    </Paper>
  );
}
