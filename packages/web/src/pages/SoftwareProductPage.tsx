import { useState } from 'react';
import { Anchor, Badge, Button, Grid, Group, Pagination, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowsJoin } from '@tabler/icons-react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useCan } from '../app/session';
import { Dash, EmptyRow } from '../modules/catalog/bits';
import { useMergeProduct, useProduct, useProductInstallations, useProducts } from '../modules/software/hooks';
import { describeEffect, type ProductDetail } from '../modules/software/types';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { formatDate } from '../ui/format';
import { notifyError, notifySuccess } from '../ui/notify';

const PAGE = 100;

/** Picks another product and merges this one into it (a merge rule). */
function MergeControl({ product }: { product: ProductDetail }) {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [into, setInto] = useState<string | null>(null);
  const candidates = useProducts({ q: q || undefined, limit: 20, sort: '-installations', ignored: false });
  const merge = useMergeProduct();
  const navigate = useNavigate();
  const options = (candidates.data?.items ?? []).filter((p) => p.id !== product.id).map((p) => ({ value: p.id, label: p.publisher ? `${p.name} — ${p.publisher}` : p.name }));
  return (
    <Group gap="xs" align="flex-end">
      <Select
        label="Merge into"
        placeholder="Search products"
        searchable
        searchValue={search}
        onSearchChange={setSearch}
        data={options}
        value={into}
        onChange={setInto}
        filter={({ options: o }) => o}
        w={320}
        nothingFoundMessage={candidates.isFetching ? 'Searching…' : 'No product'}
      />
      <Button
        leftSection={<IconArrowsJoin size={16} aria-hidden />}
        disabled={!into}
        loading={merge.isPending}
        onClick={() =>
          into &&
          merge.mutate(
            { id: product.id, into },
            {
              onSuccess: (r) => {
                notifySuccess(`Merged by a new rule: ${describeEffect(r.effect)}.`, 'Product merged');
                navigate(`/software/products/${into}`);
              },
              onError: (err) => notifyError(err, 'Could not merge the product'),
            },
          )
        }
      >
        Merge
      </Button>
    </Group>
  );
}

function Installations({ id, versions }: { id: string; versions: ProductDetail['versions'] }) {
  const [version, setVersion] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const list = useProductInstallations(id, { limit: PAGE, offset: (page - 1) * PAGE, ...(version !== null ? { version } : {}) });
  return (
    <Paper withBorder>
      <Group p="sm" justify="space-between" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Title order={2} fz="h5">
          Where it is installed
        </Title>
        <Select
          aria-label="Version"
          placeholder="All versions"
          clearable
          size="xs"
          data={versions.map((v) => ({ value: v.version ?? '', label: v.version ?? '(no version)' }))}
          value={version}
          onChange={(v) => {
            setVersion(v);
            setPage(1);
          }}
        />
      </Group>
      <QueryState query={list} loadingLabel="Loading installations…">
        {(data) => (
          <>
            <Table.ScrollContainer minWidth={720} type="native">
              <Table aria-label="Installations" highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Device</Table.Th>
                    <Table.Th>Asset</Table.Th>
                    <Table.Th>Version</Table.Th>
                    <Table.Th>Arch</Table.Th>
                    <Table.Th>Installed</Table.Th>
                    <Table.Th>Last seen</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.length === 0 ? <EmptyRow cols={6} text="Not installed anywhere." /> : null}
                  {data.items.map((i) => (
                    <Table.Tr key={i.id}>
                      <Table.Td>{i.hostname ?? <Dash />}</Table.Td>
                      <Table.Td>
                        {i.asset ? (
                          <Anchor component={Link} to={`/assets/${i.asset.id}`} size="sm">
                            {i.asset.assetTag}
                            {i.asset.name ? ` · ${i.asset.name}` : ''}
                          </Anchor>
                        ) : (
                          <Text size="xs" c="dimmed">
                            not linked
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td ff="monospace" fz="sm">{i.version ?? <Dash />}</Table.Td>
                      <Table.Td>{i.arch ?? <Dash />}</Table.Td>
                      <Table.Td>{i.installDate ?? <Dash />}</Table.Td>
                      <Table.Td>{formatDate(i.lastSeenAt)}</Table.Td>
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
  );
}

/** One software product: versions with counts, reported names, where it is installed. */
export function SoftwareProductPage() {
  const { id = '' } = useParams();
  const can = useCan();
  const product = useProduct(id);
  return (
    <QueryState query={product} loadingLabel="Loading product…">
      {(p) => (
        <Stack gap="md">
          <div>
            <Anchor component={Link} to="/software" size="xs" c="dimmed">
              ← Software
            </Anchor>
            <PageHeader
              title={p.name}
              description={
                <>
                  {p.publisher ?? 'No publisher'} · {p.installationCount} installation{p.installationCount === 1 ? '' : 's'} on {p.deviceCount} device{p.deviceCount === 1 ? '' : 's'}
                  {p.ignored ? (
                    <Badge ml="xs" size="xs" variant="light" color="gray">
                      Ignored
                    </Badge>
                  ) : null}
                </>
              }
              actions={can('software.manage') && !p.ignored ? <MergeControl key={p.id} product={p} /> : null}
            />
          </div>
          <Grid>
            <Grid.Col span={{ base: 12, md: 5 }}>
              <Paper withBorder>
                <Table aria-label="Versions">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Version</Table.Th>
                      <Table.Th ta="right">Installations</Table.Th>
                      <Table.Th ta="right">Devices</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {p.versions.length === 0 ? <EmptyRow cols={3} text="No installations." /> : null}
                    {p.versions.map((v) => (
                      <Table.Tr key={v.version ?? ''}>
                        <Table.Td ff="monospace" fz="sm">{v.version ?? <Dash />}</Table.Td>
                        <Table.Td ta="right">{v.installations}</Table.Td>
                        <Table.Td ta="right">{v.devices}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Paper>
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 7 }}>
              <Paper withBorder p="sm">
                <Text size="xs" c="dimmed" fw={600} tt="uppercase" mb={6}>
                  Reported as
                </Text>
                {p.rawNames.length === 0 ? <Dash /> : null}
                <Stack gap={2}>
                  {p.rawNames.map((r) => (
                    <Text size="sm" key={`${r.publisher ?? ''}\t${r.name}`}>
                      {r.name}
                      <Text span c="dimmed" size="xs">
                        {r.publisher ? ` — ${r.publisher}` : ''} · {r.installations}
                      </Text>
                    </Text>
                  ))}
                </Stack>
              </Paper>
            </Grid.Col>
          </Grid>
          <Installations id={p.id} versions={p.versions} />
        </Stack>
      )}
    </QueryState>
  );
}
