import { Anchor, Paper, Table, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { ErrorBlock, LoadingBlock } from '../../../ui/QueryState';
import { useChildren } from '../hooks';
import { StateBadge } from '../StateBadge';

/** Assets whose parent is this one (a laptop's dock, a server's drives shelf…). */
export function ChildrenTab({ assetId, includeDeleted = false }: { assetId: string; includeDeleted?: boolean }) {
  const children = useChildren(assetId, includeDeleted);
  return (
    <Paper withBorder>
      {children.isPending ? (
        <LoadingBlock label="Loading child assets…" />
      ) : children.isError ? (
        <ErrorBlock error={children.error} onRetry={() => void children.refetch()} />
      ) : (
        <Table.ScrollContainer minWidth={600} type="native">
          <Table aria-label="Child assets">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Tag</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Model</Table.Th>
                <Table.Th>Serial</Table.Th>
                <Table.Th>State</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {children.data.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text size="sm" c="dimmed" ta="center" py="md">
                      No assets are part of this one. Set “Parent asset” on another asset to attach it here.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ) : null}
              {children.data.map((c) => (
                <Table.Tr key={c.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/assets/${c.id}`} ff="monospace" size="sm" fw={600}>
                      {c.assetTag}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{c.name ?? '—'}</Table.Td>
                  <Table.Td>{c.model.name}</Table.Td>
                  <Table.Td ff="monospace">{c.serial ?? '—'}</Table.Td>
                  <Table.Td>
                    <StateBadge state={c.lifecycleState} size="xs" />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
