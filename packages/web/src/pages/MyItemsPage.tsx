import { useState } from 'react';
import { Alert, Badge, Button, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { IconCheck, IconInfoCircle, IconX } from '@tabler/icons-react';
import { useCan, useSession } from '../app/session';
import { EmptyRow } from '../modules/catalog/bits';
import { AcceptanceStatusBadge, AssetCell, DueLabel } from '../modules/custody/AssignmentBits';
import { useMyItems } from '../modules/custody/hooks';
import type { Acceptance, Assignment } from '../modules/custody/types';
import { AcceptDialog, DeclineDialog } from '../modules/selfservice/AcceptanceDialogs';
import { formatDateTime } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { Section } from '../ui/Section';

/** Self-service (selfservice.use): what I hold, and the check-outs I still have to accept or decline. */
export function MyItemsPage() {
  const session = useSession();
  const items = useMyItems();
  const [answering, setAnswering] = useState<{ kind: 'accept' | 'decline'; acceptance: Acceptance } | null>(null);

  return (
    <>
      <PageHeader title="My items" description={`Equipment checked out to ${session.user.displayName} in ${session.currentOrganization?.name ?? 'this organization'}.`} />
      <QueryState query={items} loadingLabel="Loading your items…">
        {(data) => (
          <Stack gap="md">
            {data.pendingAcceptances.length ? (
              <Section
                id="pending"
                title="Waiting for your acceptance"
                description="Read the terms and sign with your full name, or decline if something is wrong."
                actions={
                  <Badge color="yellow" variant="light" tt="none">
                    {data.pendingAcceptances.length} pending
                  </Badge>
                }
              >
                <PendingTable pending={data.pendingAcceptances} onAnswer={(kind, acceptance) => setAnswering({ kind, acceptance })} />
              </Section>
            ) : (
              <Alert color="teal" variant="light" icon={<IconInfoCircle size={18} aria-hidden />} role="status" py="xs">
                Nothing is waiting for your acceptance.
              </Alert>
            )}
            <Paper withBorder>
              <ItemsTable items={data.items} />
            </Paper>
          </Stack>
        )}
      </QueryState>
      {answering?.kind === 'accept' ? <AcceptDialog acceptance={answering.acceptance} onClose={() => setAnswering(null)} /> : null}
      {answering?.kind === 'decline' ? <DeclineDialog acceptance={answering.acceptance} onClose={() => setAnswering(null)} /> : null}
    </>
  );
}

function PendingTable({ pending, onAnswer }: { pending: Acceptance[]; onAnswer: (kind: 'accept' | 'decline', a: Acceptance) => void }) {
  return (
    <Table.ScrollContainer minWidth={600} type="native">
      <Table aria-label="Pending acceptances" withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Item</Table.Th>
            <Table.Th>Checked out</Table.Th>
            <Table.Th>Terms</Table.Th>
            <Table.Th w={200}>
              <Text span size="sm" fw={600}>
                Your answer
              </Text>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {pending.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>
                <AssetCell asset={a.asset} link={false} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.createdAt)}</Table.Td>
              <Table.Td>{a.termsVersion ? `Version ${a.termsVersion}` : '—'}</Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Button size="xs" color="teal" leftSection={<IconCheck size={14} aria-hidden />} onClick={() => onAnswer('accept', a)} aria-label={`Accept ${a.asset.assetTag}`}>
                    Accept
                  </Button>
                  <Button size="xs" variant="light" color="red" leftSection={<IconX size={14} aria-hidden />} onClick={() => onAnswer('decline', a)} aria-label={`Decline ${a.asset.assetTag}`}>
                    Decline
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function ItemsTable({ items }: { items: Assignment[] }) {
  const can = useCan();
  const canOpenAssets = can('asset.read');
  return (
    <Table.ScrollContainer minWidth={640} type="native">
      <Table aria-label="My items">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Item</Table.Th>
            <Table.Th>Checked out</Table.Th>
            <Table.Th>Expected back</Table.Th>
            <Table.Th>Acceptance</Table.Th>
            <Table.Th>Note</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.length === 0 ? <EmptyRow cols={5} text="Nothing is checked out to you." /> : null}
          {items.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>
                <AssetCell asset={a.asset} link={canOpenAssets} />
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.checkedOutAt)}</Table.Td>
              <Table.Td>
                <DueLabel date={a.expectedReturnAt} overdue={a.overdue} />
              </Table.Td>
              <Table.Td>
                <AcceptanceStatusBadge status={a.acceptance?.status} />
              </Table.Td>
              <Table.Td maw={260}>
                <Text size="xs" c="dimmed" lineClamp={2}>
                  {a.checkoutNote ?? '—'}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
