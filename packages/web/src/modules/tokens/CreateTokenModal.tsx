import { useMemo, useState, type FormEvent } from 'react';
import { Button, Group, Modal, MultiSelect, NumberInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useCan } from '../../app/session';
import { CopyableSecret } from '../../ui/CopyableSecret';
import { useFormErrors } from '../../ui/useFormErrors';
import { useCreateToken, useTokenScopes, type NewToken } from './hooks';

const FIELDS = ['name', 'kind', 'scopes', 'expiresInDays'] as const;

/** "Create token" modal; after creation it shows the secret once, with a copy button. */
export function CreateTokenModal({ onClose }: { onClose: () => void }) {
  const can = useCan();
  const scopes = useTokenScopes(true);
  const create = useCreateToken();
  const form = useFormErrors(FIELDS);
  const [v, setV] = useState<NewToken>({ name: '', kind: 'personal', scopes: [], expiresInDays: 90 });
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);

  // Only scopes the user may grant, grouped by area for the picker.
  const scopeData = useMemo(() => {
    const groups = new Map<string, { value: string; label: string }[]>();
    for (const s of scopes.data ?? []) {
      if (!s.grantable) continue;
      const list = groups.get(s.area) ?? [];
      list.push({ value: s.scope, label: s.scope });
      groups.set(s.area, list);
    }
    return [...groups].map(([group, items]) => ({ group, items }));
  }, [scopes.data]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { ...v, name: v.name.trim() },
      { onSuccess: (res) => setSecret({ name: res.token.name, value: res.secret }), onError: (err) => form.handle(err, 'Could not create the token') },
    );
  };

  if (secret) {
    return (
      <Modal opened onClose={onClose} title="Token created" size="lg" centered closeOnClickOutside={false}>
        <Stack gap="md">
          <Text size="sm">
            Use it as <code>Authorization: Bearer &lt;secret&gt;</code> with the API or the command-line tool.
          </Text>
          <CopyableSecret label={`Secret of ${secret.name}`} value={secret.value} warning="This secret is shown only once. Copy it now and store it safely; if you lose it, revoke the token and create a new one." />
          <Group justify="flex-end">
            <Button onClick={onClose}>I have copied it</Button>
          </Group>
        </Stack>
      </Modal>
    );
  }

  return (
    <Modal opened onClose={onClose} title="Create API token" size="lg" centered>
      <form onSubmit={submit} noValidate aria-label="Create API token">
        <Stack gap="sm">
          <TextInput
            label="Name"
            description="What uses this token, e.g. “Inventory script on build server”."
            required
            maxLength={100}
            value={v.name}
            onChange={(e) => {
              const name = e.currentTarget.value;
              setV((p) => ({ ...p, name }));
              form.clearField('name');
            }}
            error={form.errors.name}
            data-autofocus
          />
          {can('token.service') ? (
            <Stack gap={4}>
              <Text size="sm" fw={500} id="token-kind-label">
                Kind
              </Text>
              <SegmentedControl
                aria-labelledby="token-kind-label"
                value={v.kind}
                onChange={(kind) => setV((p) => ({ ...p, kind: kind === 'service' ? 'service' : 'personal' }))}
                data={[
                  { value: 'personal', label: 'Personal' },
                  { value: 'service', label: 'Service' },
                ]}
                w={260}
              />
              <Text size="xs" c="dimmed">
                {v.kind === 'service'
                  ? 'Belongs to the organization and keeps working if you leave; other token managers can revoke it.'
                  : 'Acts as you, limited to the scopes you choose; removed if you leave the organization.'}
              </Text>
              {form.errors.kind ? (
                <Text size="xs" c="red">
                  {form.errors.kind}
                </Text>
              ) : null}
            </Stack>
          ) : null}
          <MultiSelect
            label="Scopes"
            description="Only scopes your role can grant are listed. Write includes read of the same area."
            placeholder={v.scopes.length ? undefined : 'Choose scopes'}
            data={scopeData}
            value={v.scopes}
            onChange={(s) => {
              setV((p) => ({ ...p, scopes: s }));
              form.clearField('scopes');
            }}
            searchable
            clearable
            hidePickedOptions
            maxDropdownHeight={260}
            disabled={scopes.isPending}
            error={form.errors.scopes ?? (scopes.isError ? 'Could not load the scopes' : undefined)}
            required
          />
          <NumberInput
            label="Expires in (days)"
            description="Between 1 and 730 days."
            min={1}
            max={730}
            allowDecimal={false}
            allowNegative={false}
            value={v.expiresInDays}
            onChange={(n) => {
              setV((p) => ({ ...p, expiresInDays: typeof n === 'number' ? n : Number(n) || 0 }));
              form.clearField('expiresInDays');
            }}
            error={form.errors.expiresInDays}
            w={200}
          />
          <Group justify="flex-end" gap="xs" mt="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!v.name.trim() || v.scopes.length === 0 || v.expiresInDays < 1}>
              Create token
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
