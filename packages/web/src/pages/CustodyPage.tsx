import { Anchor, Badge, Group, Paper, Select, Table, Tabs, Text } from '@mantine/core';
import { IconAlertTriangle, IconCalendarDue } from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router-dom';
import { useCan } from '../app/session';
import { EmptyRow } from '../modules/catalog/bits';
import { AcceptanceStatusBadge, AssetCell, DueLabel } from '../modules/custody/AssignmentBits';
import { useDueAssignments, useOverdueAssignments } from '../modules/custody/hooks';
import type { Assignment } from '../modules/custody/types';
import { formatDateTime } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';

const DAY_OPTIONS = ['1', '3', '7', '14', '30', '60', '90'].map((d) => ({ value: d, label: d === '1' ? '1 day' : `${d} days` }));
const TARGET_LABEL: Record<Assignment['targetType'], string> = { user: 'Person', location: 'Location', asset: 'Asset' };

/** Check-outs coming due and overdue (custody.read), each linking to its asset. */
export function CustodyPage() {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'overdue' ? 'overdue' : 'due';
  const days = DAY_OPTIONS.some((o) => o.value === params.get('days')) ? Number(params.get('days')) : 7;
  const due = useDueAssignments(days, tab === 'due');
  const overdue = useOverdueAssignments();

  const update = (next: Record<string, string>) => setParams((prev) => ({ ...Object.fromEntries(prev), ...next }), { replace: true });

  return (
    <>
      <PageHeader title="Custody" description="Check-outs with an expected return date: what is coming back soon and what is late." />
      <Tabs value={tab} onChange={(t) => update({ tab: t === 'overdue' ? 'overdue' : 'due' })} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="due" leftSection={<IconCalendarDue size={16} aria-hidden />}>
            Due soon
          </Tabs.Tab>
          <Tabs.Tab
            value="overdue"
            leftSection={<IconAlertTriangle size={16} aria-hidden />}
            rightSection={
              overdue.data?.length ? (
                <Badge size="xs" color="red" variant="filled" circle={overdue.data.length < 10} aria-label={`${overdue.data.length} overdue`}>
                  {overdue.data.length}
                </Badge>
              ) : null
            }
          >
            Overdue
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="due">
          <Paper withBorder>
            <Group justify="space-between" p="sm" gap="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
              <Group gap="xs">
                <Select
                  label="Expected back within"
                  data={DAY_OPTIONS}
                  value={String(days)}
                  onChange={(d) => update({ days: d ?? '7' })}
                  allowDeselect={false}
                  size="xs"
                  w={140}
                  comboboxProps={{ withinPortal: true }}
                />
              </Group>
              {due.data ? (
                <Text size="xs" c="dimmed" aria-live="polite">
                  {due.data.length} {due.data.length === 1 ? 'check-out' : 'check-outs'} due within {days} {days === 1 ? 'day' : 'days'}
                </Text>
              ) : null}
            </Group>
            <QueryState query={due} loadingLabel="Loading check-outs…">
              {(list) => <AssignmentsTable label="Due soon" items={list} empty={`Nothing is due back within ${days} ${days === 1 ? 'day' : 'days'}.`} />}
            </QueryState>
          </Paper>
        </Tabs.Panel>
        <Tabs.Panel value="overdue">
          <Paper withBorder>
            <QueryState query={overdue} loadingLabel="Loading overdue check-outs…">
              {(list) => <AssignmentsTable label="Overdue" items={list} empty="Nothing is overdue." />}
            </QueryState>
          </Paper>
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

function Holder({ a }: { a: Assignment }) {
  const can = useCan();
  const link =
    a.targetType === 'asset' ? `/assets/${a.target.id}` : a.targetType === 'user' && can('member.read') ? `/people/${a.target.id}` : null;
  return (
    <Group gap={6} wrap="nowrap">
      <Text span size="xs" c="dimmed" w={56}>
        {TARGET_LABEL[a.targetType]}
      </Text>
      {link ? (
        <Anchor component={Link} to={link} size="sm">
          {a.target.label}
        </Anchor>
      ) : (
        <Text span size="sm">
          {a.target.label}
        </Text>
      )}
    </Group>
  );
}

function AssignmentsTable({ label, items, empty }: { label: string; items: Assignment[]; empty: string }) {
  return (
    <Table.ScrollContainer minWidth={760} type="native">
      <Table aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Asset</Table.Th>
            <Table.Th>Held by</Table.Th>
            <Table.Th>Checked out</Table.Th>
            <Table.Th>Expected back</Table.Th>
            <Table.Th>Acceptance</Table.Th>
            <Table.Th>Note</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.length === 0 ? <EmptyRow cols={6} text={empty} /> : null}
          {items.map((a) => (
            <Table.Tr key={a.id}>
              <Table.Td>
                <AssetCell asset={a.asset} />
              </Table.Td>
              <Table.Td>
                <Holder a={a} />
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
