/** Searchable selects whose options come from the server as the user types (assets, people). */
import { useState } from 'react';
import { Select, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { useMembers } from '../members/hooks';

/** The selected option stays in the list even when the latest search did not return it. */
function keepCurrent(options: { value: string; label: string }[], value: string | null, picked: { value: string; label: string } | null, currentLabel: string | null | undefined) {
  if (!value || options.some((o) => o.value === value)) return;
  const label = picked?.value === value ? picked.label : currentLabel;
  if (label) options.unshift({ value, label });
}

type PickerProps = Omit<SelectProps, 'data' | 'value' | 'onChange' | 'searchValue' | 'onSearchChange'> & {
  value: string | null;
  onChange: (id: string | null, label: string | null) => void;
  /** Label of the current value when it is not among the fetched options. */
  currentLabel?: string | null;
};

/** Picks an asset by tag, serial or name (full-text list search). `exclude` hides one asset (itself). */
export function AssetPicker({ value, onChange, currentLabel, exclude, ...rest }: PickerProps & { exclude?: string }) {
  const [search, setSearch] = useState('');
  const [picked, setPicked] = useState<{ value: string; label: string } | null>(null);
  // After a pick the box shows the option's label: that is not a new search.
  const [q] = useDebouncedValue(picked && search === picked.label ? '' : search, 200);
  const assets = useQuery({
    queryKey: ['assets', 'picker', q],
    queryFn: async () => unwrap(await api.GET('/api/v1/assets', { params: { query: { limit: 20, ...(q.trim() ? { q: q.trim() } : {}) } } })).items,
    placeholderData: keepPreviousData,
  });
  const options = (assets.data ?? []).filter((a) => a.id !== exclude).map((a) => ({ value: a.id, label: a.name ? `${a.assetTag} · ${a.name}` : a.assetTag }));
  keepCurrent(options, value, picked, currentLabel);
  return (
    <Select
      {...rest}
      data={options}
      value={value}
      onChange={(id, opt) => {
        setPicked(id && opt ? { value: id, label: opt.label } : null);
        onChange(id, opt?.label ?? null);
      }}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
      nothingFoundMessage={assets.isFetching ? 'Searching…' : 'No asset matches'}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

/** Picks a member of the organization (server-side search by name or email). */
export function MemberPicker({ value, onChange, currentLabel, ...rest }: PickerProps) {
  const [search, setSearch] = useState('');
  const [picked, setPicked] = useState<{ value: string; label: string } | null>(null);
  const [q] = useDebouncedValue(picked && search === picked.label ? '' : search, 200);
  const members = useMembers(q);
  const options = (members.data ?? []).filter((m) => m.isActive !== false).map((m) => ({ value: m.userId, label: `${m.displayName} (${m.email})` }));
  keepCurrent(options, value, picked, currentLabel);
  return (
    <Select
      {...rest}
      data={options}
      value={value}
      onChange={(id, opt) => {
        setPicked(id && opt ? { value: id, label: opt.label } : null);
        onChange(id, opt?.label ?? null);
      }}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: o }) => o}
      nothingFoundMessage={members.isFetching ? 'Searching…' : 'Nobody matches'}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
