import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { Box, Checkbox, Group, Loader, Table, Text, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconSelector } from '@tabler/icons-react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useNavigate } from 'react-router-dom';
import type { GridColumn } from './columns';
import type { AssetListItem } from './contract';
import { parseSort } from './listQuery';
import classes from './AssetGrid.module.css';

const ROW_HEIGHT = 34;
const CHECK_WIDTH = 40;
/** Start loading the next page this many rows before the end. */
const PREFETCH_ROWS = 40;

interface AssetGridProps {
  items: AssetListItem[];
  columns: GridColumn[];
  /** The order shown (null: by relevance). */
  sort: string | null;
  onSort: (sort: string) => void;
  selected: ReadonlySet<string>;
  onSelect: (ids: string[], on: boolean) => void;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  /** Rows are being replaced (filters changed); the old ones stay visible, dimmed. */
  refreshing: boolean;
  selectable: boolean;
}

/**
 * Height that makes the element end `reserve` px above the bottom of the window, so the grid
 * (not the page) scrolls; follows window resizes and anything above it changing size.
 */
function useFillViewport(ref: RefObject<HTMLElement | null>, reserve: number): number | undefined {
  const [height, setHeight] = useState<number>();
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => {
      const top = el.getBoundingClientRect().top + window.scrollY;
      const h = Math.max(320, Math.floor(window.innerHeight - top - reserve));
      setHeight((prev) => (prev === h ? prev : h));
    };
    update();
    const observer = new ResizeObserver(update);
    observer.observe(document.getElementById('main') ?? document.body);
    window.addEventListener('resize', update);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', update);
    };
  }, [ref, reserve]);
  return height;
}

/**
 * The asset register as a dense table whose rows are virtualised: only the visible rows (plus a
 * small overscan) are in the DOM, so thousands of loaded rows scroll smoothly. The header stays
 * sticky; the next keyset page is fetched as the user nears the end.
 */
export function AssetGrid({ items, columns, sort, onSort, selected, onSelect, hasNextPage, isFetchingNextPage, fetchNextPage, refreshing, selectable }: AssetGridProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const height = useFillViewport(scrollRef, 58);
  const navigate = useNavigate();
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
  });
  const rows = virtualizer.getVirtualItems();
  const lastIndex = rows.length ? rows[rows.length - 1]!.index : -1;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= items.length - PREFETCH_ROWS) fetchNextPage();
  }, [lastIndex, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // A new filter or sort starts at the top.
  const firstId = items[0]?.id;
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [sort, firstId]);

  const { key: sortKey, desc } = parseSort(sort);
  const totalWidth = columns.reduce((w, c) => w + c.width, selectable ? CHECK_WIDTH : 0);
  const paddingTop = rows.length ? rows[0]!.start : 0;
  const paddingBottom = rows.length ? virtualizer.getTotalSize() - rows[rows.length - 1]!.end : 0;
  const colCount = columns.length + (selectable ? 1 : 0);
  const allSelected = items.length > 0 && items.every((a) => selected.has(a.id));
  const someSelected = !allSelected && items.some((a) => selected.has(a.id));

  return (
    <div ref={scrollRef} className={classes.scroller} style={height ? { height } : undefined} data-refreshing={refreshing || undefined}>
      <Table
        className={classes.table}
        style={{ width: totalWidth, minWidth: '100%' }}
        layout="fixed"
        aria-label="Assets"
        aria-rowcount={items.length + 1}
        aria-busy={refreshing || isFetchingNextPage}
        verticalSpacing={0}
        highlightOnHover
      >
        <colgroup>
          {selectable ? <col style={{ width: CHECK_WIDTH }} /> : null}
          {columns.map((c) => (
            <col key={c.id} style={{ width: c.width }} />
          ))}
        </colgroup>
        <Table.Thead className={classes.thead}>
          <Table.Tr aria-rowindex={1}>
            {selectable ? (
              <Table.Th className={classes.th}>
                <Checkbox
                  size="xs"
                  aria-label={allSelected ? 'Clear the selection' : 'Select all loaded assets'}
                  checked={allSelected}
                  indeterminate={someSelected}
                  onChange={() => onSelect(items.map((a) => a.id), !allSelected)}
                />
              </Table.Th>
            ) : null}
            {columns.map((c) => {
              const active = c.sortKey !== undefined && c.sortKey === sortKey;
              return (
                <Table.Th key={c.id} className={classes.th} aria-sort={active ? (desc ? 'descending' : 'ascending') : undefined} style={{ textAlign: c.align ?? 'left' }}>
                  {c.sortKey ? (
                    <UnstyledButton
                      className={classes.sortButton}
                      onClick={() => onSort(active && !desc ? `-${c.sortKey}` : c.sortKey!)}
                      aria-label={`Sort by ${c.label}${active ? (desc ? ', sorted descending' : ', sorted ascending') : ''}`}
                      data-active={active || undefined}
                    >
                      <span className={classes.thLabel}>{c.label}</span>
                      {active ? desc ? <IconArrowDown size={13} aria-hidden /> : <IconArrowUp size={13} aria-hidden /> : <IconSelector size={13} aria-hidden className={classes.idleIcon} />}
                    </UnstyledButton>
                  ) : (
                    <span className={classes.thLabel}>{c.label}</span>
                  )}
                </Table.Th>
              );
            })}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {paddingTop > 0 ? (
            <tr aria-hidden>
              <td colSpan={colCount} style={{ height: paddingTop, padding: 0, border: 0 }} />
            </tr>
          ) : null}
          {rows.map((v) => {
            const a = items[v.index]!;
            const isSelected = selected.has(a.id);
            return (
              <Table.Tr
                key={a.id}
                aria-rowindex={v.index + 2}
                aria-selected={selectable ? isSelected : undefined}
                className={classes.row}
                data-selected={isSelected || undefined}
                style={{ height: ROW_HEIGHT }}
                onClick={(e) => {
                  // Clicks on the row (not on its link or checkbox) open the asset.
                  if ((e.target as HTMLElement).closest('a, button, input, label')) return;
                  void navigate(`/assets/${a.id}`);
                }}
              >
                {selectable ? (
                  <Table.Td className={classes.td}>
                    <Checkbox size="xs" aria-label={`Select ${a.assetTag}`} checked={isSelected} onChange={(e) => onSelect([a.id], e.currentTarget.checked)} />
                  </Table.Td>
                ) : null}
                {columns.map((c) => (
                  <Table.Td key={c.id} className={classes.td} style={{ textAlign: c.align ?? 'left' }}>
                    {c.render(a)}
                  </Table.Td>
                ))}
              </Table.Tr>
            );
          })}
          {paddingBottom > 0 ? (
            <tr aria-hidden>
              <td colSpan={colCount} style={{ height: paddingBottom, padding: 0, border: 0 }} />
            </tr>
          ) : null}
        </Table.Tbody>
      </Table>
      {items.length === 0 && !refreshing ? (
        <Text size="sm" c="dimmed" ta="center" py="xl">
          No assets match.
        </Text>
      ) : null}
      {isFetchingNextPage ? (
        <Box className={classes.loadingMore} role="status">
          <Group gap="xs" justify="center" py={6}>
            <Loader size="xs" />
            <Text size="xs" c="dimmed">
              Loading more…
            </Text>
          </Group>
        </Box>
      ) : null}
    </div>
  );
}
