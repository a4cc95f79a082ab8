import { useState, type FormEvent } from 'react';
import { Button, Code, Group, Modal, Stack, Table, Text, TextInput, VisuallyHidden } from '@mantine/core';
import { IconKey, IconTrash } from '@tabler/icons-react';
import { EmptyRow } from '../catalog/bits';
import { ConfirmButton } from '../../ui/ConfirmButton';
import { CopyableSecret } from '../../ui/CopyableSecret';
import { formatDate } from '../../ui/format';
import { notifySuccess } from '../../ui/notify';
import { QueryState } from '../../ui/QueryState';
import { Section } from '../../ui/Section';
import { StatusBadge } from '../../ui/StatusBadge';
import { useFormErrors } from '../../ui/useFormErrors';
import { CopyableValue, When } from './bits';
import { useCreateEnrollment, useEnrollments, useRevokeEnrollment } from './hooks';

const FIELDS = ['name'] as const;

/** Shell-quotes a value for the example command line. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Enrolment secrets: create (shown once, with an agent command line), list, revoke. */
export function EnrollmentsSection({ inventoryUrl, canManage }: { inventoryUrl: string; canManage: boolean }) {
  const list = useEnrollments();
  const revoke = useRevokeEnrollment();
  const [creating, setCreating] = useState(false);
  return (
    <Section
      title="Enrolment secrets"
      id="enrollments"
      description="Agents send a secret as their HTTP Basic password. Create one per group of machines, so that one can be revoked without redeploying all agents."
      actions={
        canManage ? (
          <Button size="xs" leftSection={<IconKey size={14} aria-hidden />} onClick={() => setCreating(true)}>
            Create secret
          </Button>
        ) : null
      }
    >
      <QueryState query={list} loadingLabel="Loading secrets…">
        {(items) => (
          <Table.ScrollContainer minWidth={760} type="native">
            <Table aria-label="Enrolment secrets">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Prefix</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th ta="right">Agents</Table.Th>
                  {canManage ? (
                    <Table.Th w={48}>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  ) : null}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.length === 0 ? <EmptyRow cols={canManage ? 7 : 6} text="No enrolment secret yet." /> : null}
                {items.map((e) => (
                  <Table.Tr key={e.id} c={e.status === 'active' ? undefined : 'dimmed'}>
                    <Table.Td fw={500}>{e.name}</Table.Td>
                    <Table.Td>
                      <Code fz="xs">{e.prefix}…</Code>
                    </Table.Td>
                    <Table.Td>
                      <StatusBadge status={e.status} />
                    </Table.Td>
                    <Table.Td>
                      {formatDate(e.createdAt)}
                      {e.createdBy ? (
                        <Text span size="xs" c="dimmed">
                          {' '}
                          by {e.createdBy}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>{e.lastUsedAt ? <When at={e.lastUsedAt} /> : 'Never'}</Table.Td>
                    <Table.Td ta="right">{e.agentCount}</Table.Td>
                    {canManage ? (
                      <Table.Td>
                        {e.status === 'active' ? (
                          <ConfirmButton
                            label={`Revoke ${e.name}`}
                            title="Revoke enrolment secret"
                            icon={<IconTrash size={16} aria-hidden />}
                            message={`Agents using “${e.name}” (${e.prefix}…) are refused from their next request. ${e.agentCount ? `${e.agentCount} agent${e.agentCount === 1 ? '' : 's'} used it.` : ''}`}
                            confirmLabel="Revoke secret"
                            onConfirm={async () => {
                              await revoke.mutateAsync(e.id);
                              notifySuccess(`The secret “${e.name}” was revoked.`);
                            }}
                          />
                        ) : null}
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      {creating ? <CreateEnrollmentModal inventoryUrl={inventoryUrl} onClose={() => setCreating(false)} /> : null}
    </Section>
  );
}

function CreateEnrollmentModal({ inventoryUrl, onClose }: { inventoryUrl: string; onClose: () => void }) {
  const create = useCreateEnrollment();
  const form = useFormErrors(FIELDS);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(name.trim(), {
      onSuccess: (r) => setCreated({ name: r.enrollment.name, secret: r.secret }),
      onError: (err) => form.handle(err, 'Could not create the secret'),
    });
  };
  if (created) {
    const command = `fusioninventory-agent --server ${sq(inventoryUrl)} --user agent --password ${sq(created.secret)}`;
    return (
      <Modal opened onClose={onClose} title="Enrolment secret created" size="lg" centered closeOnClickOutside={false}>
        <Stack gap="md">
          <CopyableSecret label={`Secret of ${created.name}`} value={created.secret} warning="This secret is shown only once. Copy it now into your agent deployment; if you lose it, revoke it and create another." />
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Example command line
            </Text>
            <CopyableValue label="Agent command line" value={command} block />
            <Text size="xs" c="dimmed">
              GLPI Agent takes the same options (<code>glpi-agent --server … --user agent --password …</code>). The user name is not checked.
            </Text>
          </Stack>
          <Group justify="flex-end">
            <Button onClick={onClose}>I have copied it</Button>
          </Group>
        </Stack>
      </Modal>
    );
  }
  return (
    <Modal opened onClose={onClose} title="Create enrolment secret" centered>
      <form onSubmit={submit} noValidate aria-label="Create enrolment secret">
        <Stack gap="sm">
          <TextInput
            label="Name"
            description="Which machines or deployment channel use it, e.g. “Linux servers”."
            required
            maxLength={100}
            value={name}
            onChange={(e) => {
              setName(e.currentTarget.value);
              form.clearField('name');
            }}
            error={form.errors.name}
            data-autofocus
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              Create secret
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
