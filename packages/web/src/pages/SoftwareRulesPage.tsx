import { useState } from 'react';
import { ActionIcon, Anchor, Badge, Button, Group, Paper, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconPlus } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { useCan } from '../app/session';
import { Dash, EmptyRow } from '../modules/catalog/bits';
import { useDeleteRule, useRules, useSaveRule } from '../modules/software/hooks';
import { RuleModal } from '../modules/software/RuleModal';
import { describeEffect, MATCH_MODE_LABELS, RULE_KIND_LABELS, type Rule } from '../modules/software/types';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { RowActions } from '../ui/RowActions';
import { notifyError, notifySuccess } from '../ui/notify';

const KIND_COLORS = { rename: 'blue', merge: 'violet', ignore: 'gray' } as const;

function Match({ rule }: { rule: Rule }) {
  const parts: string[] = [];
  if (rule.match.publisher !== null) parts.push(`publisher ${MATCH_MODE_LABELS[rule.match.mode]} “${rule.match.publisher}”`);
  if (rule.match.name !== null) parts.push(`name ${MATCH_MODE_LABELS[rule.match.mode]} “${rule.match.name}”`);
  return <Text size="sm" ff={rule.match.mode === 'regex' ? 'monospace' : undefined}>{parts.join(' and ')}</Text>;
}

function Target({ rule }: { rule: Rule }) {
  if (rule.kind === 'ignore') return <Dash />;
  const pub = rule.kind === 'merge' ? rule.target.publisher ?? '(no publisher)' : rule.target.publisher;
  return (
    <Text size="sm">
      {[pub, rule.target.name].filter(Boolean).join(' / ') || <Dash />}
    </Text>
  );
}

/** The organization's software normalisation rules, in the order they apply. */
export function SoftwareRulesPage() {
  const can = useCan();
  const canManage = can('software.manage');
  const rules = useRules();
  const del = useDeleteRule();
  const move = useSaveRule();
  const [editing, setEditing] = useState<Rule | null | undefined>(undefined);
  const cols = canManage ? 6 : 4;

  const moveTo = (r: Rule, position: number) =>
    move.mutate({ id: r.id, body: { position } }, {
      onSuccess: (res) => notifySuccess(`Rule moved to position ${position}: ${describeEffect(res.effect)}.`),
      onError: (err) => notifyError(err, 'Could not move the rule'),
    });

  return (
    <>
      <Anchor component={Link} to="/software" size="xs" c="dimmed">
        ← Software
      </Anchor>
      <PageHeader
        title="Software rules"
        description="Rename and merge rules apply in order to each product's normalised publisher and name; then ignore rules drop what they match. Every change is re-applied to all installations."
        actions={
          canManage ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing(null)}>
              New rule
            </Button>
          ) : null
        }
      />
      <Paper withBorder>
        <QueryState query={rules} loadingLabel="Loading rules…">
          {(list) => (
            <Table.ScrollContainer minWidth={720} type="native">
              <Table aria-label="Software rules">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={40}>#</Table.Th>
                    <Table.Th w={90}>Kind</Table.Th>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Becomes</Table.Th>
                    {canManage ? (
                      <>
                        <Table.Th w={80}>
                          <VisuallyHidden>Order</VisuallyHidden>
                        </Table.Th>
                        <Table.Th w={84}>
                          <VisuallyHidden>Actions</VisuallyHidden>
                        </Table.Th>
                      </>
                    ) : null}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.length === 0 ? <EmptyRow cols={cols} text="No rules: products are named by the built-in normalisation only." /> : null}
                  {list.map((r, i) => (
                    <Table.Tr key={r.id}>
                      <Table.Td>{r.position}</Table.Td>
                      <Table.Td>
                        <Badge size="sm" variant="light" color={KIND_COLORS[r.kind]} tt="none">
                          {RULE_KIND_LABELS[r.kind]}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Match rule={r} />
                      </Table.Td>
                      <Table.Td>
                        <Target rule={r} />
                      </Table.Td>
                      {canManage ? (
                        <>
                          <Table.Td>
                            <Group gap={2} wrap="nowrap">
                              <Tooltip label="Move up">
                                <ActionIcon variant="subtle" color="gray" aria-label={`Move rule ${r.position} up`} disabled={i === 0 || move.isPending} onClick={() => moveTo(r, r.position - 1)}>
                                  <IconArrowUp size={16} aria-hidden />
                                </ActionIcon>
                              </Tooltip>
                              <Tooltip label="Move down">
                                <ActionIcon variant="subtle" color="gray" aria-label={`Move rule ${r.position} down`} disabled={i === list.length - 1 || move.isPending} onClick={() => moveTo(r, r.position + 1)}>
                                  <IconArrowDown size={16} aria-hidden />
                                </ActionIcon>
                              </Tooltip>
                            </Group>
                          </Table.Td>
                          <Table.Td>
                            <RowActions name={`rule ${r.position}`} noun="rule"
                              message="Delete this rule? The remaining rules are re-applied to every installation; products it ignored come back with each device's next inventory."
                              onEdit={() => setEditing(r)} onDelete={() => del.mutateAsync(r.id)} />
                          </Table.Td>
                        </>
                      ) : null}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Paper>
      {editing !== undefined ? <RuleModal rule={editing} onClose={() => setEditing(undefined)} /> : null}
    </>
  );
}
