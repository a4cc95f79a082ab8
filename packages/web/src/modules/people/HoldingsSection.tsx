import { useState } from 'react';
import { Alert, Button, Group, List, Modal, Stack, Table, Text, Textarea } from '@mantine/core';
import { IconCircleCheck, IconUserOff } from '@tabler/icons-react';
import { useCan } from '../../app/session';
import { formatDateTime } from '../../ui/format';
import { notifyError } from '../../ui/notify';
import { QueryState } from '../../ui/QueryState';
import { Section } from '../../ui/Section';
import { EmptyRow } from '../catalog/bits';
import { AcceptanceStatusBadge, AssetCell, DueLabel } from '../custody/AssignmentBits';
import type { Assignment } from '../custody/types';
import { useHoldings, useOffboard } from './hooks';

/** What the person holds now (custody.read) and the offboarding action (custody.manage). */
export function HoldingsSection({ userId, displayName }: { userId: string; displayName: string }) {
  const can = useCan();
  const canManage = can('custody.manage');
  const holdings = useHoldings(userId, true);
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<Assignment[] | null>(null);
  const count = holdings.data?.items.length ?? 0;

  return (
    <Section
      id="holdings"
      title="Holdings"
      description={holdings.data ? `${count} ${count === 1 ? 'item' : 'items'} checked out to ${displayName}` : 'Everything checked out to this person now.'}
      actions={
        canManage ? (
          <Button size="xs" color="orange" variant="light" leftSection={<IconUserOff size={14} aria-hidden />} onClick={() => setConfirming(true)} disabled={!holdings.data}>
            Offboard
          </Button>
        ) : null
      }
    >
      <QueryState query={holdings} loadingLabel="Loading holdings…">
        {(h) => <HoldingsTable items={h.items} />}
      </QueryState>
      {confirming ? <OffboardDialog userId={userId} displayName={displayName} count={count} onClose={() => setConfirming(false)} onDone={setResult} /> : null}
      {result ? <OffboardResult displayName={displayName} items={result} onClose={() => setResult(null)} /> : null}
    </Section>
  );
}

function HoldingsTable({ items }: { items: Assignment[] }) {
  return (
    <Table.ScrollContainer minWidth={640} type="native">
      <Table aria-label="Holdings" withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Asset</Table.Th>
            <Table.Th>Checked out</Table.Th>
            <Table.Th>Expected back</Table.Th>
            <Table.Th>Acceptance</Table.Th>
            <Table.Th>Note</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.length === 0 ? <EmptyRow cols={5} text="Holds nothing right now." /> : null}
          {items.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>
                <AssetCell asset={a.asset} />
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

function OffboardDialog({ userId, displayName, count, onClose, onDone }: { userId: string; displayName: string; count: number; onClose: () => void; onDone: (items: Assignment[]) => void }) {
  const offboard = useOffboard(userId);
  const [note, setNote] = useState('');
  const confirm = () =>
    offboard.mutate(note.trim() || null, {
      onSuccess: (res) => {
        onClose();
        onDone(res.items);
      },
      onError: (err) => notifyError(err, 'Offboarding failed'),
    });
  return (
    <Modal opened onClose={onClose} title={`Offboard ${displayName}`} size="md" centered>
      <Stack gap="sm">
        <Text size="sm">
          {count === 0
            ? `${displayName} holds nothing right now; offboarding records that nothing had to be returned.`
            : `Checks in all ${count} ${count === 1 ? 'item' : 'items'} ${displayName} holds, in one step. Each item goes back to its default location and pending acceptances are cancelled.`}
        </Text>
        <Textarea label="Note" description="Recorded on every check-in, e.g. “Leaver, returned at exit interview”." autosize minRows={2} maxRows={5} maxLength={2000} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose} disabled={offboard.isPending}>
            Cancel
          </Button>
          <Button color="orange" loading={offboard.isPending} onClick={confirm} data-autofocus>
            Check in everything
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function OffboardResult({ displayName, items, onClose }: { displayName: string; items: Assignment[]; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title="Offboarding complete" size="md" centered>
      <Stack gap="sm">
        <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} aria-hidden />} role="status">
          {items.length === 0 ? `${displayName} held nothing; no item had to be checked in.` : `${items.length} ${items.length === 1 ? 'item was' : 'items were'} checked in from ${displayName}.`}
        </Alert>
        {items.length ? (
          <List size="sm" spacing={4} aria-label="Checked-in items">
            {items.map((a) => (
              <List.Item key={a.id}>
                <Text span size="sm" ff="monospace" fw={500}>
                  {a.asset.assetTag}
                </Text>
                {a.asset.name ? ` — ${a.asset.name}` : ''}
                {a.returnedAt ? (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    (returned {formatDateTime(a.returnedAt)})
                  </Text>
                ) : null}
              </List.Item>
            ))}
          </List>
        ) : null}
        <Group justify="flex-end">
          <Button onClick={onClose} data-autofocus>
            Done
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
