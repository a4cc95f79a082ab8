import { useMemo, useState } from 'react';
import { Button, Group, Paper, Text } from '@mantine/core';
import { IconDownload, IconEdit, IconPlus, IconX } from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router-dom';
import { useCan } from '../app/session';
import { AssetFiltersBar } from '../modules/assets/AssetFiltersBar';
import { AssetGrid } from '../modules/assets/AssetGrid';
import { BulkEditModal } from '../modules/assets/BulkEditModal';
import { BASE_COLUMNS, customFieldColumn } from '../modules/assets/columns';
import { ColumnChooser, useColumnPrefs } from '../modules/assets/ColumnChooser';
import type { SavedView, SavedViewDefinition } from '../modules/assets/contract';
import { useAssetList } from '../modules/assets/hooks';
import { effectiveSort, fromSearchParams, fromViewFilters, toSearchParams, toViewFilters, type AssetFilters } from '../modules/assets/listQuery';
import { useCategoryFields } from '../modules/assets/lookups';
import { SavedViewsMenu } from '../modules/assets/SavedViewsMenu';
import { ScanButton } from '../modules/scan/ScanButton';
import { PageHeader } from '../ui/PageHeader';
import { ErrorBlock, LoadingBlock } from '../ui/QueryState';

/** The asset register: filters (kept in the URL), saved views, virtualised grid, bulk edit, CSV and XLSX export. */
export function AssetsPage() {
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const { filters, sort } = useMemo(() => fromSearchParams(params), [params]);
  const [columnIds, setColumnIds] = useColumnPrefs();
  const [activeView, setActiveView] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulkOpen, setBulkOpen] = useState(false);
  const list = useAssetList(filters, sort);
  const fields = useCategoryFields(filters.categoryId);

  const available = useMemo(() => [...BASE_COLUMNS, ...(fields.data ?? []).map(customFieldColumn)], [fields.data]);
  const columns = useMemo(() => {
    const visible = columnIds.map((id) => available.find((c) => c.id === id)).filter((c) => c !== undefined);
    return visible.length ? visible : BASE_COLUMNS.slice(0, 1);
  }, [available, columnIds]);
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  const apply = (f: AssetFilters, s: string | null = sort) => {
    setParams(toSearchParams(f, s), { replace: true });
    setSelected(new Set());
  };
  const applyView = (v: SavedView) => {
    apply(fromViewFilters(v.definition.filters), v.definition.sort || null);
    if (v.definition.columns?.length) setColumnIds(v.definition.columns);
    setActiveView(v.id);
  };
  const current: SavedViewDefinition = { filters: toViewFilters(filters), sort, columns: columnIds };
  const exportParams = toSearchParams(filters, sort);
  // The export writes the visible columns (the currency with the cost).
  exportParams.set('columns', columnIds.flatMap((c) => (c === 'purchaseCost' ? [c, 'currency'] : [c])).join(','));
  const exportHref = (format: 'csv' | 'xlsx') => `/api/v1/assets/export.${format}?${exportParams.toString()}`;
  const selectedAssets = items.filter((a) => selected.has(a.id));

  return (
    <>
      <PageHeader
        title="Assets"
        description="The hardware register. Filter, sort by any column, save views and export what you see."
        actions={
          <>
            <ScanButton />
            {can('asset.write') ? (
              <Button component={Link} to="/assets/new" leftSection={<IconPlus size={16} aria-hidden />}>
                New asset
              </Button>
            ) : null}
          </>
        }
      />
      <Paper withBorder p="xs" mb="xs">
        <AssetFiltersBar
          filters={filters}
          onChange={(f) => apply(f)}
          actions={
            <>
              <SavedViewsMenu activeId={activeView} current={current} onApply={applyView} onActiveChange={setActiveView} />
              <ColumnChooser available={available} visible={columnIds} onChange={setColumnIds} />
              <Button component="a" href={exportHref('csv')} download variant="default" size="xs" leftSection={<IconDownload size={14} aria-hidden />}>
                Export CSV
              </Button>
              <Button component="a" href={exportHref('xlsx')} download variant="default" size="xs" leftSection={<IconDownload size={14} aria-hidden />}>
                Export XLSX
              </Button>
            </>
          }
        />
      </Paper>
      {selected.size ? (
        <Paper withBorder px="sm" py={6} mb="xs" bg="var(--mantine-color-brand-0)" role="region" aria-label="Selection">
          <Group gap="sm">
            <Text size="sm" fw={500}>
              {selected.size} selected
            </Text>
            {can('asset.write') ? (
              <Button size="xs" leftSection={<IconEdit size={14} aria-hidden />} onClick={() => setBulkOpen(true)}>
                Bulk edit
              </Button>
            ) : null}
            <Button size="xs" variant="subtle" color="gray" leftSection={<IconX size={14} aria-hidden />} onClick={() => setSelected(new Set())}>
              Clear selection
            </Button>
          </Group>
        </Paper>
      ) : null}
      <Paper withBorder>
        {list.isPending ? (
          <LoadingBlock label="Loading assets…" />
        ) : list.isError && !items.length ? (
          <ErrorBlock error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <>
            <AssetGrid
              items={items}
              columns={columns}
              sort={effectiveSort(filters, sort)}
              onSort={(s) => apply(filters, s)}
              selected={selected}
              selectable={can('asset.write')}
              onSelect={(ids, on) =>
                setSelected((prev) => {
                  const next = new Set(prev);
                  for (const id of ids) if (on) next.add(id);
                  else next.delete(id);
                  return next;
                })
              }
              hasNextPage={list.hasNextPage}
              isFetchingNextPage={list.isFetchingNextPage}
              fetchNextPage={() => void list.fetchNextPage()}
              refreshing={list.isPlaceholderData}
            />
            <Group justify="space-between" px="sm" py={6} style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}>
              <Text size="xs" c="dimmed" aria-live="polite" data-testid="asset-count">
                {items.length} asset{items.length === 1 ? '' : 's'} loaded
                {list.hasNextPage ? ' · scroll for more' : items.length ? ' · end of results' : ''}
              </Text>
              {list.isError ? (
                <Text size="xs" c="red">
                  Loading more failed.{' '}
                  <Button size="compact-xs" variant="subtle" onClick={() => void list.fetchNextPage()}>
                    Retry
                  </Button>
                </Text>
              ) : null}
            </Group>
          </>
        )}
      </Paper>
      {bulkOpen ? (
        <BulkEditModal
          assets={selectedAssets}
          onClose={() => setBulkOpen(false)}
          onDone={() => {
            setBulkOpen(false);
            setSelected(new Set());
          }}
        />
      ) : null}
    </>
  );
}
