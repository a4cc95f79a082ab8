import { Fragment, useState } from 'react';
import { ActionIcon, Code, Table, Text, Tooltip } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import type { AuditEvent } from '../../api';
import { formatDateTime, formatTimestamp } from '../../ui/format';
import { ActionBadge } from './ActionBadge';
import { EventDetails } from './EventDetails';

/** The event log table; with `expandable`, each row opens its changes and provenance. */
export function EventTable({ events, expandable = true }: { events: AuditEvent[]; expandable?: boolean }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const columns = expandable ? 6 : 5;

  return (
    <Table.ScrollContainer minWidth={720} type="native">
      <Table aria-label="Events">
        <Table.Thead>
          <Table.Tr>
            {expandable ? <Table.Th w={40} aria-label="Details" /> : null}
            <Table.Th w={150}>Time</Table.Th>
            <Table.Th>Actor</Table.Th>
            <Table.Th>Action</Table.Th>
            <Table.Th>Entity type</Table.Th>
            <Table.Th>Entity id</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={columns}>
                <Text size="sm" c="dimmed" ta="center" py="md">
                  No events match.
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : null}
          {events.map((e) => {
            const isOpen = open.has(e.id);
            return (
              <Fragment key={e.id}>
                <Table.Tr
                  onClick={expandable ? () => toggle(e.id) : undefined}
                  style={expandable ? { cursor: 'pointer' } : undefined}
                  bg={isOpen ? 'var(--mantine-color-gray-0)' : undefined}
                >
                  {expandable ? (
                    <Table.Td>
                      <ActionIcon
                        variant="subtle"
                        color="gray"
                        size="sm"
                        aria-expanded={isOpen}
                        aria-controls={`event-${e.id}`}
                        aria-label={`${isOpen ? 'Hide' : 'Show'} details of ${e.action} #${e.seq}`}
                        onClick={(ev) => {
                          ev.stopPropagation();
                          toggle(e.id);
                        }}
                      >
                        {isOpen ? <IconChevronDown size={16} aria-hidden /> : <IconChevronRight size={16} aria-hidden />}
                      </ActionIcon>
                    </Table.Td>
                  ) : null}
                  <Table.Td>
                    <Tooltip label={formatTimestamp(e.occurredAt)} withArrow openDelay={400}>
                      <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>
                        {formatDateTime(e.occurredAt)}
                      </Text>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" truncate maw={220}>
                      {e.actor.label}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <ActionBadge action={e.action} />
                  </Table.Td>
                  <Table.Td>{e.entityType}</Table.Td>
                  <Table.Td>
                    <Code fz="xs" style={{ whiteSpace: 'nowrap' }}>
                      {e.entityId}
                    </Code>
                  </Table.Td>
                </Table.Tr>
                {expandable && isOpen ? (
                  <Table.Tr id={`event-${e.id}`} bg="var(--mantine-color-gray-0)">
                    <Table.Td />
                    <Table.Td colSpan={columns - 1}>
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
  );
}
