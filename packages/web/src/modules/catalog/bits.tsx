/** Small presentational pieces shared by the catalog, location and people screens. */
import type { ReactNode } from 'react';
import { Badge, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';

export function Dash() {
  return (
    <Text span c="dimmed">
      —
    </Text>
  );
}

export function YesNo({ value }: { value: boolean }) {
  return value ? (
    <Badge size="sm" variant="light" color="teal" tt="none">
      Yes
    </Badge>
  ) : (
    <Text span size="sm" c="dimmed">
      No
    </Text>
  );
}

export function EmptyRow({ cols, text }: { cols: number; text: string }) {
  return (
    <Table.Tr>
      <Table.Td colSpan={cols}>
        <Text size="sm" c="dimmed" ta="center" py="md">
          {text}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

/** A labelled value in a details grid. */
export function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children ?? <Dash />}
      </Text>
    </Stack>
  );
}

/** A compact "label: value" line. */
export function InlineDetail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="baseline">
      <Text size="xs" c="dimmed" w={110} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ minWidth: 0 }}>
        {children}
      </Text>
    </Group>
  );
}

/** The bar above a catalog table: a quick filter and the row count. */
export function ListToolbar({ label, value, onChange, count, noun, children }: { label: string; value: string; onChange: (v: string) => void; count: number | undefined; noun: [string, string]; children?: ReactNode }) {
  return (
    <Group justify="space-between" p="sm" gap="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
      <Group gap="sm">
      <TextInput
        aria-label={label}
        placeholder={label}
        leftSection={<IconSearch size={16} aria-hidden />}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        w={{ base: '100%', sm: 300 }}
        size="sm"
        type="search"
      />
      {children}
      </Group>
      {count !== undefined ? (
        <Text size="xs" c="dimmed" aria-live="polite">
          {count} {count === 1 ? noun[0] : noun[1]}
          {value.trim() ? ` matching “${value.trim()}”` : ''}
        </Text>
      ) : null}
    </Group>
  );
}

/** Case-insensitive "contains" over a few string properties. */
export function matches(q: string, ...values: (string | null | undefined)[]): boolean {
  const needle = q.trim().toLowerCase();
  return !needle || values.some((v) => !!v && v.toLowerCase().includes(needle));
}

/** `styles` for an input whose value (not its label or messages) is code: keys, patterns, regexes. */
export const MONO_INPUT = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } } as const;
