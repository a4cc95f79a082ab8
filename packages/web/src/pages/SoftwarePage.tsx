import { useState } from 'react';
import { Anchor, Badge, Button, Group, Pagination, Paper, SegmentedControl, Table, Text, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowDown, IconArrowUp, IconListDetails } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { useCan } from '../app/session';
import { Dash, EmptyRow, ListToolbar } from '../modules/catalog/bits';
import { useProducts } from '../modules/software/hooks';
import type { ProductQuery } from '../modules/software/types';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';

const PAGE = 50;
type SortKey = 'name' | 'publisher' | 'installations' | 'devices';

function SortHeader({ label, k, sort, onSort, right }: { label: string; k: SortKey; sort: string; onSort: (s: string) => void; right?: boolean }) {
  const active = sort.replace(/^-/, '') === k;
  const desc = sort.startsWith('-');
  const Icon = desc ? IconArrowDown : IconArrowUp;
  return (
    <Table.Th ta={right ? 'right' : undefined} aria-sort={active ? (desc ? 'descending' : 'ascending') : 'none'}>
      <UnstyledButton onClick={() => onSort(active && !desc ? `-${k}` : active ? k : k === 'installations' || k === 'devices' ? `-${k}` : k)} fw={600} fz="sm">
        <Group gap={4} wrap="nowrap" justify={right ? 'flex-end' : undefined}>
          {label}
          {active ? <Icon size={14} aria-hidden /> : null}
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}

/** The software catalogue: normalised products with installation and device counts. */
export function SoftwarePage() {
  const can = useCan();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [sort, setSort] = useState('-installations');
  const [ignored, setIgnored] = useState<'false' | 'true' | 'all'>('false');
  const [page, setPage] = useState(1);
  const query: ProductQuery = { sort, limit: PAGE, offset: (page - 1) * PAGE, ...(q ? { q } : {}), ...(ignored === 'all' ? {} : { ignored: ignored === 'true' }) };
  const list = useProducts(query);
  const onSort = (s: string) => {
    setSort(s);
    setPage(1);
  };

  return (
    <>
      <PageHeader
        title="Software"
        description="Products found by discovery agents, normalised (publisher + product; versions kept per installation)."
        actions={
          can('software.read') ? (
            <Button component={Link} to="/software/rules" variant="default" leftSection={<IconListDetails size={16} aria-hidden />}>
              Normalisation rules
            </Button>
          ) : null
        }
      />
      <Paper withBorder>
        <ListToolbar
          label="Search products or publishers"
          value={search}
          onChange={(v) => {
            setSearch(v);
            setPage(1);
          }}
          count={list.data?.total}
          noun={['product', 'products']}
        >
          <SegmentedControl
            size="xs"
            aria-label="Ignored products"
            value={ignored}
            onChange={(v) => {
              setIgnored(v as typeof ignored);
              setPage(1);
            }}
            data={[{ value: 'false', label: 'Tracked' }, { value: 'true', label: 'Ignored' }, { value: 'all', label: 'All' }]}
          />
        </ListToolbar>
        <QueryState query={list} loadingLabel="Loading software…">
          {(data) => (
            <>
              <Table.ScrollContainer minWidth={720} type="native">
                <Table aria-label="Software products" highlightOnHover>
                  <Table.Thead>
                    <Table.Tr>
                      <SortHeader label="Product" k="name" sort={sort} onSort={onSort} />
                      <SortHeader label="Publisher" k="publisher" sort={sort} onSort={onSort} />
                      <Table.Th>Versions</Table.Th>
                      <SortHeader label="Installations" k="installations" sort={sort} onSort={onSort} right />
                      <SortHeader label="Devices" k="devices" sort={sort} onSort={onSort} right />
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.length === 0 ? <EmptyRow cols={5} text={q ? 'No product matches.' : 'No software yet: it appears when agents send inventories.'} /> : null}
                    {data.items.map((p) => (
                      <Table.Tr key={p.id}>
                        <Table.Td>
                          <Group gap="xs" wrap="nowrap">
                            <Anchor component={Link} to={`/software/products/${p.id}`} fw={500} size="sm">
                              {p.name}
                            </Anchor>
                            {p.ignored ? (
                              <Badge size="xs" variant="light" color="gray">
                                Ignored
                              </Badge>
                            ) : null}
                          </Group>
                        </Table.Td>
                        <Table.Td>{p.publisher ?? <Dash />}</Table.Td>
                        <Table.Td>
                          <Text size="xs" ff="monospace" c="dimmed" lineClamp={1} title={p.versions.map((v) => v.version ?? '?').join(', ')}>
                            {p.versions.length ? p.versions.slice(0, 4).map((v) => v.version ?? '?').join(', ') + (p.versions.length > 4 ? ` +${p.versions.length - 4}` : '') : '—'}
                          </Text>
                        </Table.Td>
                        <Table.Td ta="right">{p.installationCount}</Table.Td>
                        <Table.Td ta="right">{p.deviceCount}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {data.total > PAGE ? (
                <Group justify="center" p="sm">
                  <Pagination total={Math.ceil(data.total / PAGE)} value={page} onChange={setPage} size="sm" aria-label="Pages" />
                </Group>
              ) : null}
            </>
          )}
        </QueryState>
      </Paper>
    </>
  );
}
