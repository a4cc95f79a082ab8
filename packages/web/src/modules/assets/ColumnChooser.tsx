import { Button, Checkbox, Divider, Group, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { useLocalStorage } from '@mantine/hooks';
import { IconColumns } from '@tabler/icons-react';
import { DEFAULT_COLUMNS, type GridColumn } from './columns';

const STORAGE_KEY = 'custodian.assets.columns';

/** The visible grid columns, persisted in this browser's localStorage. */
export function useColumnPrefs() {
  const [columns, setColumns] = useLocalStorage<string[]>({ key: STORAGE_KEY, defaultValue: DEFAULT_COLUMNS, getInitialValueInEffect: false });
  return [Array.isArray(columns) && columns.length ? columns : DEFAULT_COLUMNS, setColumns] as const;
}

/** Popover with one checkbox per column (custom fields of the filtered category included). */
export function ColumnChooser({ available, visible, onChange }: { available: GridColumn[]; visible: string[]; onChange: (ids: string[]) => void }) {
  const toggle = (id: string, on: boolean) => {
    if (on) {
      // Keep the registry order so columns do not jump around.
      const next = new Set([...visible, id]);
      onChange(available.map((c) => c.id).filter((c) => next.has(c)).concat(visible.filter((v) => !available.some((c) => c.id === v))));
    } else {
      onChange(visible.filter((v) => v !== id));
    }
  };
  const base = available.filter((c) => !c.id.startsWith('cf.'));
  const custom = available.filter((c) => c.id.startsWith('cf.'));
  return (
    <Popover position="bottom-end" shadow="md" width={240} trapFocus>
      <Popover.Target>
        <Button variant="default" size="xs" leftSection={<IconColumns size={14} aria-hidden />}>
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown p="xs">
        <ScrollArea.Autosize mah={360} type="auto">
          <Stack gap={6} role="group" aria-label="Visible columns">
            {base.map((c) => (
              <Checkbox key={c.id} size="xs" label={c.label} checked={visible.includes(c.id)} disabled={c.id === 'assetTag'} onChange={(e) => toggle(c.id, e.currentTarget.checked)} />
            ))}
            {custom.length ? (
              <>
                <Divider my={2} />
                <Text size="xs" c="dimmed" fw={600}>
                  Custom fields
                </Text>
                {custom.map((c) => (
                  <Checkbox key={c.id} size="xs" label={c.label} checked={visible.includes(c.id)} onChange={(e) => toggle(c.id, e.currentTarget.checked)} />
                ))}
              </>
            ) : null}
          </Stack>
        </ScrollArea.Autosize>
        <Group justify="flex-end" mt="xs">
          <Button size="compact-xs" variant="subtle" color="gray" onClick={() => onChange(DEFAULT_COLUMNS)}>
            Reset to default
          </Button>
        </Group>
      </Popover.Dropdown>
    </Popover>
  );
}
