import type { ReactNode } from 'react';
import { Code, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import type { AuditEvent } from '../../api';
import { formatTimestamp, formatValue } from '../../ui/format';

/** Field-level changes (before → after) and the event's provenance (request id, hash). */
export function EventDetails({ event }: { event: AuditEvent }) {
  const changes = Object.entries(event.changes);
  const meta = Object.entries(event.meta);
  return (
    <Stack gap="sm" py="xs">
      {changes.length ? (
        <Table withTableBorder withColumnBorders={false} bg="var(--mantine-color-body)" aria-label={`Changes of event ${event.seq}`} layout="fixed">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="22%">Field</Table.Th>
              <Table.Th>Before</Table.Th>
              <Table.Th w={32} aria-label="changed to" />
              <Table.Th>After</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {changes.map(([field, { before, after }]) => (
              <Table.Tr key={field}>
                <Table.Td>
                  <Code>{field}</Code>
                </Table.Td>
                <Table.Td c={before === null ? 'dimmed' : undefined} style={{ wordBreak: 'break-word' }}>
                  {formatValue(before)}
                </Table.Td>
                <Table.Td>
                  <IconArrowRight size={14} aria-hidden color="var(--mantine-color-dimmed)" />
                </Table.Td>
                <Table.Td c={after === null ? 'dimmed' : undefined} style={{ wordBreak: 'break-word' }}>
                  {formatValue(after)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : (
        <Text size="sm" c="dimmed">
          No field-level changes recorded for this event.
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xs" verticalSpacing={4}>
        <Detail label="Occurred">{formatTimestamp(event.occurredAt)}</Detail>
        <Detail label="Sequence">#{event.seq}</Detail>
        <Detail label="Actor">
          {event.actor.label} <Text span c="dimmed" size="xs">({event.actor.type}{event.actor.id ? ` ${event.actor.id}` : ''})</Text>
        </Detail>
        <Detail label="Request id">{event.requestId ? <Code>{event.requestId}</Code> : '—'}</Detail>
        <Detail label="Event id">
          <Code>{event.id}</Code>
        </Detail>
        <Detail label="Hash">
          <Code style={{ wordBreak: 'break-all' }}>{event.hash}</Code>
        </Detail>
        {meta.map(([k, v]) => (
          <Detail key={k} label={k}>
            <Code style={{ wordBreak: 'break-all' }}>{formatValue(v)}</Code>
          </Detail>
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="baseline">
      <Text size="xs" c="dimmed" w={90} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ minWidth: 0 }}>
        {children}
      </Text>
    </Group>
  );
}
