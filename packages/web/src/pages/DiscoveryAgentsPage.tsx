import { Anchor, Button, Group, Paper, SegmentedControl, Table, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconSettings, IconX } from '@tabler/icons-react';
import { Link, useSearchParams } from 'react-router-dom';
import { useCan } from '../app/session';
import { Dash, EmptyRow } from '../modules/catalog/bits';
import { AgentStatusBadge, ConfirmActionButton, When } from '../modules/discovery/bits';
import { useAgents, useDecideAgent } from '../modules/discovery/hooks';
import { AGENT_STATUSES, AGENT_STATUS_LABELS, type Agent, type AgentStatus } from '../modules/discovery/types';
import { notifyError, notifySuccess } from '../ui/notify';
import { PageHeader } from '../ui/PageHeader';
import { ErrorBlock, LoadingBlock } from '../ui/QueryState';

const agentName = (a: Agent) => a.name ?? a.deviceId;

/** Agents that contacted the organization: status, last contact, errors; approve or refuse. */
export function DiscoveryAgentsPage() {
  const can = useCan();
  const canManage = can('discovery.manage');
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status');
  const status = AGENT_STATUSES.includes(statusParam as AgentStatus) ? (statusParam as AgentStatus) : null;
  const agents = useAgents(status);
  const decide = useDecideAgent();
  const items = agents.data?.pages.flatMap((p) => p.items) ?? [];

  const approve = (a: Agent) =>
    decide.mutate(
      { id: a.id, decision: 'approve' },
      { onSuccess: () => notifySuccess(`${agentName(a)} is approved; its waiting inventories were processed.`), onError: (err) => notifyError(err, 'Could not approve the agent') },
    );

  return (
    <>
      <PageHeader
        title="Agents"
        description="Inventory agents (FusionInventory, GLPI Agent, OCS Inventory) that contacted this organization."
        actions={
          <Button component={Link} to="/discovery/settings" variant="default" leftSection={<IconSettings size={16} aria-hidden />}>
            Setup and secrets
          </Button>
        }
      />
      <Paper withBorder>
        <Group justify="space-between" p="sm" gap="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          <SegmentedControl
            size="xs"
            aria-label="Agent status"
            value={status ?? 'all'}
            onChange={(v) => {
              const next = new URLSearchParams(params);
              if (v === 'all') next.delete('status');
              else next.set('status', v);
              setParams(next, { replace: true });
            }}
            data={[{ value: 'all', label: 'All' }, ...AGENT_STATUSES.map((s) => ({ value: s, label: s === 'pending' ? 'Pending' : AGENT_STATUS_LABELS[s] }))]}
          />
          <Text size="xs" c="dimmed" aria-live="polite">
            {agents.data ? `${items.length}${agents.hasNextPage ? '+' : ''} agent${items.length === 1 ? '' : 's'}` : ''}
          </Text>
        </Group>
        {agents.isPending ? (
          <LoadingBlock label="Loading agents…" />
        ) : agents.isError ? (
          <ErrorBlock error={agents.error} onRetry={() => void agents.refetch()} />
        ) : (
          <Table.ScrollContainer minWidth={1100} type="native">
            <Table aria-label="Agents" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Agent</Table.Th>
                  <Table.Th>DEVICEID</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Last contact</Table.Th>
                  <Table.Th>Last IP</Table.Th>
                  <Table.Th>Last error</Table.Th>
                  <Table.Th>Device</Table.Th>
                  <Table.Th>Secret</Table.Th>
                  {canManage ? <Table.Th aria-label="Actions" /> : null}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.length === 0 ? <EmptyRow cols={canManage ? 9 : 8} text={status ? 'No agent with this status.' : 'No agent has contacted this organization yet. See Setup for the URL to give them.'} /> : null}
                {items.map((a) => (
                  <Table.Tr key={a.id} style={{ verticalAlign: 'top' }}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {a.name ?? <Dash />}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {a.version ?? a.userAgent ?? ''}
                      </Text>
                    </Table.Td>
                    <Table.Td ff="monospace" fz="xs" style={{ wordBreak: 'break-all' }}>
                      {a.deviceId}
                    </Table.Td>
                    <Table.Td>
                      <AgentStatusBadge status={a.status} />
                      {a.decidedBy ? (
                        <Text size="xs" c="dimmed">
                          by {a.decidedBy}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <When at={a.lastContactAt} />
                    </Table.Td>
                    <Table.Td ff="monospace" fz="sm">
                      {a.lastIp ?? <Dash />}
                    </Table.Td>
                    <Table.Td maw={260}>
                      {a.lastError ? (
                        <Tooltip label={a.lastErrorAt ? `At ${a.lastErrorAt}` : a.lastError} withArrow multiline w={300}>
                          <Text size="xs" c="red" lineClamp={2}>
                            {a.lastError}
                          </Text>
                        </Tooltip>
                      ) : (
                        <Dash />
                      )}
                    </Table.Td>
                    <Table.Td>
                      {a.discoveredDeviceId ? (
                        <Anchor component={Link} to={`/discovery/devices/${a.discoveredDeviceId}`} size="sm">
                          View device
                        </Anchor>
                      ) : (
                        <Dash />
                      )}
                    </Table.Td>
                    <Table.Td>{a.enrollment?.name ?? <Dash />}</Table.Td>
                    {canManage ? (
                      <Table.Td>
                        <Group gap={4} wrap="nowrap">
                          {a.status !== 'approved' ? (
                            <Button size="xs" variant="light" color="teal" leftSection={<IconCheck size={14} aria-hidden />} aria-label={`Approve ${agentName(a)}`} loading={decide.isPending && decide.variables.id === a.id && decide.variables.decision === 'approve'} onClick={() => approve(a)}>
                              Approve
                            </Button>
                          ) : null}
                          {a.status !== 'refused' ? (
                            <ConfirmActionButton
                              label="Refuse"
                              ariaLabel={`Refuse ${agentName(a)}`}
                              icon={<IconX size={14} aria-hidden />}
                              title={`Refuse ${agentName(a)}`}
                              message={`${agentName(a)} will get an error reply to everything it sends. Its discovered device and history are kept; you can approve it again later.`}
                              confirmLabel="Refuse agent"
                              onConfirm={async () => {
                                await decide.mutateAsync({ id: a.id, decision: 'refuse' });
                                notifySuccess(`${agentName(a)} is refused.`);
                              }}
                            />
                          ) : null}
                        </Group>
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {agents.hasNextPage ? (
          <Group justify="center" p="sm">
            <Button size="xs" variant="default" loading={agents.isFetchingNextPage} onClick={() => void agents.fetchNextPage()}>
              Load more
            </Button>
          </Group>
        ) : null}
      </Paper>
    </>
  );
}
