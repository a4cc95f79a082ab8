import { Badge, Button, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { IconLogin, IconLogout } from '@tabler/icons-react';
import { formatDate, formatDateTime } from '../../../ui/format';
import { ErrorBlock, LoadingBlock } from '../../../ui/QueryState';
import type { AssetDetail } from '../contract';
import { useAssignments } from '../hooks';
import { AcceptanceBadge, TARGET_LABELS, TargetLabel } from './custodyBits';
import { Detail, DetailList } from './DetailsTab';

export function CustodyTab({ asset, canRead, canManage, onCheckout, onCheckin }: { asset: AssetDetail; canRead: boolean; canManage: boolean; onCheckout: () => void; onCheckin: () => void }) {
  const history = useAssignments(asset.id, canRead);
  const current = asset.currentAssignment;
  const rows = history.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack gap="md">
      <Paper withBorder p="md" aria-labelledby="custody-current">
        <Group justify="space-between" mb="xs">
          <Title order={3} fz="sm" fw={600} id="custody-current">
            Current custody
          </Title>
          {canManage && !asset.deletedAt ? (
            current ? (
              <Button size="xs" variant="light" leftSection={<IconLogin size={14} aria-hidden />} onClick={onCheckin}>
                Check in
              </Button>
            ) : asset.lifecycleState === 'in_stock' ? (
              <Button size="xs" variant="light" leftSection={<IconLogout size={14} aria-hidden />} onClick={onCheckout}>
                Check out
              </Button>
            ) : null
          ) : null}
        </Group>
        {current ? (
          <DetailList>
            <Detail label={TARGET_LABELS[current.targetType] ?? 'Holder'}>
              <TargetLabel type={current.targetType} id={current.target.id} label={current.target.label} />
            </Detail>
            <Detail label="Checked out">{formatDateTime(current.checkedOutAt)}</Detail>
            <Detail label="Expected return">{current.expectedReturnAt ? formatDate(current.expectedReturnAt) : null}</Detail>
            <Detail label="Acceptance">
              <AcceptanceBadge status={current.acceptance?.status} />
            </Detail>
          </DetailList>
        ) : (
          <Text size="sm" c="dimmed">
            Not checked out{asset.location ? ` — at ${asset.location.name}` : ''}.
          </Text>
        )}
      </Paper>
      <Paper withBorder>
        <Title order={3} fz="sm" fw={600} px="md" py="xs" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          Custody history
        </Title>
        {!canRead ? (
          <Text size="sm" c="dimmed" p="md">
            You need the custody.read permission to see the history.
          </Text>
        ) : history.isPending ? (
          <LoadingBlock label="Loading custody history…" />
        ) : history.isError ? (
          <ErrorBlock error={history.error} onRetry={() => void history.refetch()} />
        ) : (
          <Table.ScrollContainer minWidth={820} type="native">
            <Table aria-label="Custody history">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Held by</Table.Th>
                  <Table.Th>Checked out</Table.Th>
                  <Table.Th>Expected return</Table.Th>
                  <Table.Th>Returned</Table.Th>
                  <Table.Th>Acceptance</Table.Th>
                  <Table.Th>Notes</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={6}>
                      <Text size="sm" c="dimmed" ta="center" py="md">
                        Never checked out.
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ) : null}
                {rows.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Text span size="xs" c="dimmed">
                        {TARGET_LABELS[r.targetType] ?? r.targetType}:{' '}
                      </Text>
                      <TargetLabel type={r.targetType} id={r.target.id} label={r.target.label} />
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(r.checkedOutAt)}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.expectedReturnAt ? formatDate(r.expectedReturnAt) : '—'}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.returnedAt ? formatDateTime(r.returnedAt) : <Badge size="sm" variant="light" tt="none">Open</Badge>}</Table.Td>
                    <Table.Td>
                      <AcceptanceBadge status={r.acceptance?.status} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs">{[r.checkoutNote && `Out: ${r.checkoutNote}`, r.checkinNote && `In: ${r.checkinNote}`].filter(Boolean).join(' · ') || '—'}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {history.hasNextPage ? (
              <Group justify="center" py="xs">
                <Button size="xs" variant="default" loading={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>
                  Load more
                </Button>
              </Group>
            ) : null}
          </Table.ScrollContainer>
        )}
      </Paper>
    </Stack>
  );
}
