import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Button, Group, SimpleGrid, TextInput } from '@mantine/core';
import { IconFilter, IconX } from '@tabler/icons-react';
import type { EventFilters } from './hooks';

interface Draft {
  action: string;
  entityType: string;
  entityId: string;
  from: string;
  to: string;
}

const EMPTY: Draft = { action: '', entityType: '', entityId: '', from: '', to: '' };

/** `yyyy-mm-dd` from a date input → ISO instant at the start (or end) of that local day. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function toFilters(d: Draft): EventFilters {
  const from = dayBound(d.from, false);
  const to = dayBound(d.to, true);
  return {
    ...(d.action.trim() ? { action: d.action.trim() } : {}),
    ...(d.entityType.trim() ? { entityType: d.entityType.trim() } : {}),
    ...(d.entityId.trim() ? { entityId: d.entityId.trim() } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

/** Filter bar of the event log; applies on submit (Enter or the Filter button). */
export function EventFiltersForm({ onApply }: { onApply: (filters: EventFilters) => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const set = (k: keyof Draft) => (e: ChangeEvent<HTMLInputElement>) => {
    const v = e.currentTarget.value;
    setDraft((prev) => ({ ...prev, [k]: v }));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(toFilters(draft));
  };
  const dirty = Object.values(draft).some(Boolean);
  return (
    <form onSubmit={submit} aria-label="Filter events">
      <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }} spacing="sm" verticalSpacing="xs">
        <TextInput label="Action" placeholder="member.* or token.created" value={draft.action} onChange={set('action')} size="sm" />
        <TextInput label="Entity type" placeholder="department" value={draft.entityType} onChange={set('entityType')} size="sm" />
        <TextInput label="Entity id" placeholder="UUID" value={draft.entityId} onChange={set('entityId')} size="sm" />
        <TextInput label="From" type="date" value={draft.from} onChange={set('from')} size="sm" />
        <TextInput label="To" type="date" value={draft.to} onChange={set('to')} size="sm" />
      </SimpleGrid>
      <Group gap="xs" mt="sm" justify="flex-end">
        <Button
          variant="subtle"
          color="gray"
          size="xs"
          leftSection={<IconX size={14} aria-hidden />}
          disabled={!dirty}
          onClick={() => {
            setDraft(EMPTY);
            onApply({});
          }}
        >
          Clear filters
        </Button>
        <Button type="submit" size="xs" leftSection={<IconFilter size={14} aria-hidden />}>
          Apply filters
        </Button>
      </Group>
    </form>
  );
}
