/** The asset grid's columns: label, width, the server's sort key and how a cell renders. */
import type { ReactNode } from 'react';
import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { formatDate, formatDateTime, formatValue } from '../../ui/format';
import type { AssetListItem, CustomField } from './contract';
import { StateBadge } from './StateBadge';

export interface GridColumn {
  id: string;
  label: string;
  width: number;
  /** Value of the list's `sort` parameter; absent = not sortable. */
  sortKey?: string;
  align?: 'left' | 'right';
  render: (a: AssetListItem) => ReactNode;
}

const dim = <Text span c="dimmed" size="sm">—</Text>;
const text = (v: string | null | undefined) => (v ? v : dim);

export function formatMoney(amount: number | null | undefined, currency: string | null | undefined): string {
  if (amount === null || amount === undefined) return '—';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency || 'USD', maximumFractionDigits: 2 }).format(amount);
  } catch {
    return `${amount.toFixed(2)}${currency ? ` ${currency}` : ''}`;
  }
}

export const BASE_COLUMNS: readonly GridColumn[] = [
  {
    id: 'assetTag',
    label: 'Tag',
    width: 130,
    sortKey: 'assetTag',
    render: (a) => (
      <Anchor component={Link} to={`/assets/${a.id}`} size="sm" fw={600} ff="monospace">
        {a.assetTag}
      </Anchor>
    ),
  },
  { id: 'name', label: 'Name', width: 200, sortKey: 'name', render: (a) => text(a.name) },
  { id: 'serial', label: 'Serial', width: 150, sortKey: 'serial', render: (a) => (a.serial ? <Text span size="sm" ff="monospace">{a.serial}</Text> : dim) },
  { id: 'lifecycleState', label: 'State', width: 130, sortKey: 'lifecycleState', render: (a) => <StateBadge state={a.lifecycleState} size="xs" /> },
  { id: 'category', label: 'Category', width: 130, sortKey: 'category', render: (a) => text(a.category?.name) },
  { id: 'model', label: 'Model', width: 180, sortKey: 'model', render: (a) => text(a.model?.name) },
  { id: 'manufacturer', label: 'Manufacturer', width: 140, sortKey: 'manufacturer', render: (a) => text(a.manufacturer?.name) },
  { id: 'location', label: 'Location', width: 170, sortKey: 'location', render: (a) => text(a.location?.name) },
  { id: 'assignee', label: 'Assigned to', width: 170, sortKey: 'assignee', render: (a) => text(a.assignee?.label) },
  { id: 'purchaseDate', label: 'Purchased', width: 110, sortKey: 'purchaseDate', render: (a) => text(a.purchaseDate) },
  { id: 'purchaseCost', label: 'Cost', width: 110, sortKey: 'purchaseCost', align: 'right', render: (a) => (a.purchaseCost === null ? dim : formatMoney(a.purchaseCost, a.currency)) },
  { id: 'warrantyEnd', label: 'Warranty end', width: 120, sortKey: 'warrantyEnd', render: (a) => text(a.warrantyEnd) },
  { id: 'createdAt', label: 'Created', width: 110, sortKey: 'createdAt', render: (a) => formatDate(a.createdAt) },
  { id: 'updatedAt', label: 'Updated', width: 140, sortKey: 'updatedAt', render: (a) => formatDateTime(a.updatedAt) },
];

export const DEFAULT_COLUMNS = ['assetTag', 'name', 'lifecycleState', 'model', 'serial', 'location', 'assignee', 'warrantyEnd'];

/** A column for a custom field of the filtered category (`cf.<key>`). */
export function customFieldColumn(f: CustomField): GridColumn {
  return {
    id: `cf.${f.key}`,
    label: f.label,
    width: f.type === 'long_text' ? 220 : 140,
    sortKey: `cf.${f.key}`,
    align: f.type === 'number' || f.type === 'money' ? 'right' : 'left',
    render: (a) => {
      const v = a.customFields?.[f.key];
      if (v === undefined || v === null || v === '') return dim;
      if (typeof v === 'boolean') return v ? 'Yes' : 'No';
      return formatValue(v);
    },
  };
}
