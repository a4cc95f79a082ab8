import { useMemo, useState } from 'react';
import { ActionIcon, Box, Button, Group, Menu, Paper, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { IconArrowsMove, IconChevronDown, IconChevronRight, IconDots, IconMapPin, IconPencil, IconPlus, IconSearch, IconTrash } from '@tabler/icons-react';
import { useCan } from '../app/session';
import { Dash, EmptyRow } from '../modules/catalog/bits';
import { useDeleteLocation, useLocationList } from '../modules/locations/hooks';
import { LocationModal, type LocationDialog } from '../modules/locations/LocationModal';
import { buildTree, visibleRows, type TreeRow } from '../modules/locations/tree';
import { locationPathLabel, type Location } from '../modules/locations/types';
import { ConfirmDialog } from '../ui/ConfirmButton';
import { notifySuccess } from '../ui/notify';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';

const LARGE_TREE = 150;

/** The location tree (location.read): expand/collapse, create child, edit, move, delete (location.manage). */
export function LocationsPage() {
  const can = useCan();
  const canManage = can('location.manage');
  const locations = useLocationList();
  const [dialog, setDialog] = useState<LocationDialog | null>(null);

  return (
    <>
      <PageHeader
        title="Locations"
        description="Sites, buildings, floors and rooms. Assets, people and check-outs point at them."
        actions={
          canManage ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setDialog({ mode: 'create', parent: null })}>
              New location
            </Button>
          ) : null
        }
      />
      <Paper withBorder>
        <QueryState query={locations} loadingLabel="Loading locations…">
          {(list) => <LocationTree list={list} canManage={canManage} onDialog={setDialog} dialog={dialog} onCloseDialog={() => setDialog(null)} />}
        </QueryState>
      </Paper>
    </>
  );
}

function LocationTree({
  list,
  canManage,
  dialog,
  onDialog,
  onCloseDialog,
}: {
  list: Location[];
  canManage: boolean;
  dialog: LocationDialog | null;
  onDialog: (d: LocationDialog) => void;
  onCloseDialog: () => void;
}) {
  const { ordered, childrenOf } = useMemo(() => buildTree(list), [list]);
  // Collapsed nodes (new and moved nodes show expanded). A large tree starts with its first two levels.
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() =>
    ordered.length > LARGE_TREE ? new Set(ordered.filter((r) => r.depth >= 1 && r.hasChildren).map((r) => r.location.id)) : new Set(),
  );
  const expanded = useMemo(() => new Set(ordered.filter((r) => r.hasChildren && !collapsed.has(r.location.id)).map((r) => r.location.id)), [ordered, collapsed]);
  /** Expands a location and its ancestors, so it (and a new child) is visible. */
  const reveal = (l: Location | null | undefined) => {
    if (!l) return;
    setCollapsed((prev) => {
      const next = new Set(prev);
      for (const id of [...l.path, l.id]) next.delete(id);
      return next;
    });
  };
  const [q, setQ] = useState('');
  const [deleting, setDeleting] = useState<Location | null>(null);
  const del = useDeleteLocation();

  const needle = q.trim().toLowerCase();
  const rows: TreeRow[] = useMemo(() => {
    if (!needle) return visibleRows(ordered, expanded);
    // Filtering: matches plus their ancestors, all expanded.
    const keep = new Set<string>();
    for (const r of ordered) {
      if (r.location.name.toLowerCase().includes(needle)) for (const id of r.location.path.length ? r.location.path : [r.location.id]) keep.add(id);
    }
    return ordered.filter((r) => keep.has(r.location.id));
  }, [ordered, expanded, needle]);

  const toggle = (id: string) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const cols = canManage ? 5 : 4;

  return (
    <>
      <Group justify="space-between" p="sm" gap="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <TextInput
          aria-label="Filter locations"
          placeholder="Filter locations"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          w={{ base: '100%', sm: 300 }}
          size="sm"
          type="search"
        />
        <Group gap="xs">
          <Text size="xs" c="dimmed" aria-live="polite">
            {list.length} {list.length === 1 ? 'location' : 'locations'}
          </Text>
          <Button size="xs" variant="subtle" color="gray" onClick={() => setCollapsed(new Set())} disabled={!!needle}>
            Expand all
          </Button>
          <Button size="xs" variant="subtle" color="gray" onClick={() => setCollapsed(new Set(ordered.filter((r) => r.hasChildren).map((r) => r.location.id)))} disabled={!!needle}>
            Collapse all
          </Button>
        </Group>
      </Group>
      <Table.ScrollContainer minWidth={720} type="native">
        <Table aria-label="Locations">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Address</Table.Th>
              <Table.Th ta="right">Assets here</Table.Th>
              <Table.Th ta="right">Incl. sub-locations</Table.Th>
              {canManage ? (
                <Table.Th w={48}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              ) : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 ? <EmptyRow cols={cols} text={needle ? 'No location matches.' : `No locations yet.${canManage ? ' Start with a site such as “HQ”.' : ''}`} /> : null}
            {rows.map(({ location: l, depth, hasChildren }) => {
              const isOpen = !!needle || expanded.has(l.id);
              return (
                <Table.Tr key={l.id} data-depth={depth}>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap" pl={depth * 22}>
                      {hasChildren ? (
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          size="sm"
                          aria-expanded={isOpen}
                          aria-label={`${isOpen ? 'Collapse' : 'Expand'} ${l.name}`}
                          onClick={() => toggle(l.id)}
                          disabled={!!needle}
                        >
                          {isOpen ? <IconChevronDown size={16} aria-hidden /> : <IconChevronRight size={16} aria-hidden />}
                        </ActionIcon>
                      ) : (
                        <Box w={22} />
                      )}
                      <IconMapPin size={15} color="var(--mantine-color-gray-6)" aria-hidden style={{ flexShrink: 0 }} />
                      <Text size="sm" fw={depth === 0 ? 600 : 500} title={locationPathLabel(l)}>
                        {l.name}
                      </Text>
                      {hasChildren && !isOpen ? (
                        <Text span size="xs" c="dimmed">
                          ({l.childCount})
                        </Text>
                      ) : null}
                    </Group>
                  </Table.Td>
                  <Table.Td maw={320}>
                    {l.address ? (
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {l.address}
                      </Text>
                    ) : (
                      <Dash />
                    )}
                  </Table.Td>
                  <Table.Td ta="right">{l.assetCount}</Table.Td>
                  <Table.Td ta="right">{l.subtreeAssetCount}</Table.Td>
                  {canManage ? (
                    <Table.Td>
                      <Menu position="bottom-end" withinPortal shadow="md" width={200}>
                        <Menu.Target>
                          <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${l.name}`}>
                            <IconDots size={16} aria-hidden />
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Item leftSection={<IconPlus size={16} aria-hidden />} onClick={() => onDialog({ mode: 'create', parent: l })}>
                            Add sub-location
                          </Menu.Item>
                          <Menu.Item leftSection={<IconPencil size={16} aria-hidden />} onClick={() => onDialog({ mode: 'edit', location: l })}>
                            Edit
                          </Menu.Item>
                          <Menu.Item leftSection={<IconArrowsMove size={16} aria-hidden />} onClick={() => onDialog({ mode: 'move', location: l })}>
                            Move…
                          </Menu.Item>
                          <Menu.Divider />
                          <Menu.Item color="red" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => setDeleting(l)}>
                            Delete
                          </Menu.Item>
                        </Menu.Dropdown>
                      </Menu>
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {dialog ? (
        <LocationModal
          dialog={dialog}
          all={list}
          childrenOf={childrenOf}
          onSaved={(l) => reveal(list.find((x) => x.id === l.parentId) ?? null)}
          onClose={onCloseDialog}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          opened
          onClose={() => setDeleting(null)}
          title="Delete location"
          message={`Delete “${locationPathLabel(deleting)}”? A location with sub-locations, assets, check-outs or people cannot be deleted.`}
          confirmLabel="Delete location"
          onConfirm={async () => {
            await del.mutateAsync(deleting.id);
            notifySuccess(`Location “${deleting.name}” was deleted.`);
          }}
        />
      ) : null}
    </>
  );
}
