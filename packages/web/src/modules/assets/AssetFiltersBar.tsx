import { useEffect, useState, type ReactNode } from 'react';
import { ActionIcon, Badge, Button, Collapse, Group, MultiSelect, Select, SimpleGrid, Switch, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconAdjustmentsHorizontal, IconSearch, IconX } from '@tabler/icons-react';
import { useCan } from '../../app/session';
import { useMembers } from '../members/hooks';
import type { CustomField } from './contract';
import { cleanFilters, countFilters, type AssetFilters } from './listQuery';
import { locationOptions, modelOptions, useCategories, useCategoryFields, useLocations, useManufacturers, useModels } from './lookups';
import { STATE_OPTIONS } from './StateBadge';

interface Props {
  filters: AssetFilters;
  onChange: (f: AssetFilters) => void;
  /** Extra controls at the end of the first row (saved views, columns, export…). */
  actions?: ReactNode;
}

/** The asset list's filter bar: full-text search, state, category, and more filters behind a toggle. */
export function AssetFiltersBar({ filters, onChange, actions }: Props) {
  const can = useCan();
  const [q, setQ] = useState(filters.q ?? '');
  const [debouncedQ] = useDebouncedValue(q, 300);
  const extraCount = countFilters({ ...filters, state: undefined, categoryId: undefined });
  const [more, setMore] = useState(extraCount > 0);

  // Typing searches after a short pause (only the debounced text triggers this); a filter change
  // from outside (a saved view) resets the box.
  useEffect(() => {
    if ((filters.q ?? '') !== debouncedQ.trim()) onChange({ ...filters, q: debouncedQ });
  }, [debouncedQ]);
  useEffect(() => {
    setQ((prev) => (prev.trim() === (filters.q ?? '') ? prev : (filters.q ?? '')));
  }, [filters.q]);

  const categories = useCategories(can('catalog.read'));
  const models = useModels(can('catalog.read'));
  const manufacturers = useManufacturers(can('catalog.read'));
  const locations = useLocations(can('location.read'));
  const members = useMembers('', can('member.read'));
  const fields = useCategoryFields(filters.categoryId);

  const set = (patch: Partial<AssetFilters>) => onChange(cleanFilters({ ...filters, ...patch }));
  const setCf = (key: string, value: string | null) => {
    const cf = { ...(filters.cf ?? {}) };
    if (value) cf[key] = value;
    else delete cf[key];
    set({ cf });
  };
  const modelsOfCategory = filters.categoryId ? (models.data ?? []).filter((m) => m.categoryId === filters.categoryId) : models.data;
  const anyFilter = countFilters(filters) > 0 || !!filters.q;

  return (
    <div>
      <Group gap="xs" wrap="wrap" align="flex-end">
        <TextInput
          aria-label="Search assets"
          placeholder="Search tag, serial, name, model, assignee, notes…"
          leftSection={<IconSearch size={14} aria-hidden />}
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onChange({ ...filters, q });
          }}
          rightSection={
            q ? (
              <ActionIcon variant="subtle" color="gray" size="sm" aria-label="Clear search" onClick={() => setQ('')}>
                <IconX size={12} aria-hidden />
              </ActionIcon>
            ) : null
          }
          size="xs"
          style={{ flex: '1 1 180px', maxWidth: 360 }}
        />
        <MultiSelect
          aria-label="State"
          placeholder={filters.state?.length ? undefined : 'Any state'}
          data={STATE_OPTIONS}
          value={filters.state ?? []}
          onChange={(v) => set({ state: v as AssetFilters['state'] })}
          size="xs"
          w={180}
          clearable
          comboboxProps={{ withinPortal: true }}
        />
        <Select
          aria-label="Category"
          placeholder="Any category"
          data={(categories.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
          value={filters.categoryId ?? null}
          onChange={(v) => set({ categoryId: v ?? undefined, cf: undefined, modelId: undefined })}
          size="xs"
          w={150}
          clearable
          searchable
          disabled={!can('catalog.read')}
        />
        <Button
          variant={more ? 'light' : 'default'}
          size="xs"
          leftSection={<IconAdjustmentsHorizontal size={14} aria-hidden />}
          rightSection={extraCount ? <Badge size="xs" circle>{extraCount}</Badge> : null}
          onClick={() => setMore((m) => !m)}
          aria-expanded={more}
          aria-controls="asset-more-filters"
        >
          More filters
        </Button>
        {anyFilter ? (
          <Button
            variant="subtle"
            color="gray"
            size="xs"
            px={6}
            leftSection={<IconX size={14} aria-hidden />}
            onClick={() => {
              setQ('');
              onChange({});
            }}
          >
            Clear all
          </Button>
        ) : null}
        <Group gap="xs" ml="auto">
          {actions}
        </Group>
      </Group>
      <Collapse expanded={more} id="asset-more-filters">
        <SimpleGrid cols={{ base: 2, sm: 3, md: 4, lg: 6 }} spacing="xs" verticalSpacing={6} mt="xs">
          <Select
            label="Model"
            placeholder="Any model"
            data={modelOptions(modelsOfCategory)}
            value={filters.modelId ?? null}
            onChange={(v) => set({ modelId: v ?? undefined })}
            size="xs"
            clearable
            searchable
          />
          <Select
            label="Manufacturer"
            placeholder="Any manufacturer"
            data={(manufacturers.data ?? []).map((m) => ({ value: m.id, label: m.name }))}
            value={filters.manufacturerId ?? null}
            onChange={(v) => set({ manufacturerId: v ?? undefined })}
            size="xs"
            clearable
            searchable
          />
          <div>
            <Select
              label="Location"
              placeholder="Anywhere"
              data={locationOptions(locations.data)}
              value={filters.locationId ?? null}
              onChange={(v) => set({ locationId: v ?? undefined })}
              size="xs"
              clearable
              searchable
              disabled={!can('location.read')}
            />
            {filters.locationId ? (
              <Switch
                mt={4}
                size="xs"
                label="Include sub-locations"
                checked={filters.includeSublocations !== false}
                onChange={(e) => set({ includeSublocations: e.currentTarget.checked ? undefined : false })}
              />
            ) : null}
          </div>
          <Select
            label="Assigned to"
            placeholder={can('member.read') ? 'Anyone' : 'You cannot list users'}
            data={(members.data ?? []).map((m) => ({ value: m.userId, label: m.displayName }))}
            value={filters.assigneeUserId ?? null}
            onChange={(v) => set({ assigneeUserId: v ?? undefined })}
            size="xs"
            clearable
            searchable
            disabled={!can('member.read')}
          />
          <DateRange label="Warranty ends" from={filters.warrantyEndFrom} to={filters.warrantyEndTo} onChange={(from, to) => set({ warrantyEndFrom: from, warrantyEndTo: to })} />
          <DateRange label="End of life" from={filters.eolDateFrom} to={filters.eolDateTo} onChange={(from, to) => set({ eolDateFrom: from, eolDateTo: to })} />
        </SimpleGrid>
        {filters.categoryId && fields.data?.length ? (
          <>
            <Text size="xs" fw={600} c="dimmed" mt="xs">
              Custom fields of the category
            </Text>
            <SimpleGrid cols={{ base: 2, sm: 3, md: 4, lg: 6 }} spacing="xs" verticalSpacing={6}>
              {fields.data.map((f) => (
                <CustomFieldFilter key={f.id} field={f} cf={filters.cf ?? {}} onChange={setCf} />
              ))}
            </SimpleGrid>
          </>
        ) : null}
      </Collapse>
    </div>
  );
}

function DateRange({ label, from, to, onChange }: { label: string; from: string | undefined; to: string | undefined; onChange: (from: string | undefined, to: string | undefined) => void }) {
  return (
    <Group gap={4} wrap="nowrap" align="flex-end">
      <TextInput label={`${label} from`} type="date" size="xs" value={from ?? ''} onChange={(e) => onChange(e.currentTarget.value || undefined, to)} style={{ flex: 1 }} />
      <TextInput label="to" aria-label={`${label} to`} type="date" size="xs" value={to ?? ''} onChange={(e) => onChange(from, e.currentTarget.value || undefined)} style={{ flex: 1 }} />
    </Group>
  );
}

/** One filter input per custom field: equals for text and choices, from/to for numbers and dates. */
function CustomFieldFilter({ field: f, cf, onChange }: { field: CustomField; cf: Record<string, string>; onChange: (key: string, value: string | null) => void }) {
  if (f.type === 'number' || f.type === 'money' || f.type === 'date') {
    const type = f.type === 'date' ? 'date' : 'number';
    return (
      <Group gap={4} wrap="nowrap" align="flex-end">
        <TextInput label={`${f.label} from`} type={type} size="xs" value={cf[`${f.key}.from`] ?? ''} onChange={(e) => onChange(`${f.key}.from`, e.currentTarget.value || null)} style={{ flex: 1 }} />
        <TextInput label="to" aria-label={`${f.label} to`} type={type} size="xs" value={cf[`${f.key}.to`] ?? ''} onChange={(e) => onChange(`${f.key}.to`, e.currentTarget.value || null)} style={{ flex: 1 }} />
      </Group>
    );
  }
  if (f.type === 'boolean') {
    return (
      <Select
        label={f.label}
        placeholder="Any"
        data={[
          { value: 'true', label: 'Yes' },
          { value: 'false', label: 'No' },
        ]}
        value={cf[f.key] ?? null}
        onChange={(v) => onChange(f.key, v)}
        size="xs"
        clearable
      />
    );
  }
  if (f.type === 'select' || f.type === 'multi_select') {
    return <Select label={f.label} placeholder="Any" data={f.options} value={cf[f.key] ?? null} onChange={(v) => onChange(f.key, v)} size="xs" clearable searchable />;
  }
  return <DebouncedText label={f.label} value={cf[f.key] ?? ''} onChange={(v) => onChange(f.key, v || null)} />;
}

/** A text filter that applies after a pause in typing (one request, not one per key). */
function DebouncedText({ label, value, onChange }: { label: string; value: string; onChange: (v: string) => void }) {
  const [text, setText] = useState(value);
  const [debounced] = useDebouncedValue(text, 400);
  useEffect(() => {
    if (debounced.trim() !== value) onChange(debounced.trim());
  }, [debounced]);
  useEffect(() => {
    setText((prev) => (prev.trim() === value ? prev : value));
  }, [value]);
  return <TextInput label={label} placeholder="Equals…" size="xs" value={text} onChange={(e) => setText(e.currentTarget.value)} />;
}
