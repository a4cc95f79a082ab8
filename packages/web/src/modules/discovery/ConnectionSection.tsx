import { useState, type FormEvent } from 'react';
import { Button, Group, NumberInput, Radio, Stack, Switch, Text, TextInput } from '@mantine/core';
import { Section } from '../../ui/Section';
import { notifySuccess } from '../../ui/notify';
import { MONO_INPUT } from '../catalog/bits';
import { CopyableValue } from './bits';
import { useUpdateSettings } from './hooks';
import { useSettingsErrors } from './settingsErrors';
import { POLICY_LABELS, type DiscoverySettings, type UnknownAgentPolicy } from './types';

const FIELDS = ['inventoryPath', 'unknownAgentPolicy', 'requireEnrollment', 'contactIntervalHours'] as const;

/** Where agents post and which agents are let in. */
export function ConnectionSection({ settings, canManage }: { settings: DiscoverySettings; canManage: boolean }) {
  const update = useUpdateSettings();
  const form = useSettingsErrors(FIELDS);
  const [v, setV] = useState({
    inventoryPath: settings.customPath ? settings.inventoryPath : '',
    unknownAgentPolicy: settings.unknownAgentPolicy,
    requireEnrollment: settings.requireEnrollment,
    contactIntervalHours: settings.contactIntervalHours as number | string,
  });
  const set = <K extends keyof typeof v>(k: K, value: (typeof v)[K]) => {
    setV((p) => ({ ...p, [k]: value }));
    form.clearField(k);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const path = v.inventoryPath.trim();
    update.mutate(
      {
        inventoryPath: path ? path : null,
        unknownAgentPolicy: v.unknownAgentPolicy,
        requireEnrollment: v.requireEnrollment,
        ...(typeof v.contactIntervalHours === 'number' ? { contactIntervalHours: v.contactIntervalHours } : {}),
      },
      {
        onSuccess: (s) => {
          form.clear();
          setV((p) => ({ ...p, inventoryPath: s.customPath ? s.inventoryPath : '' }));
          notifySuccess('The agent settings were saved.');
        },
        onError: (err) => form.handle(err, 'Could not save the agent settings'),
      },
    );
  };
  return (
    <Section title="Agent connection" id="connection" description="The URL to give inventory agents, and which agents are let in.">
      <form onSubmit={submit} noValidate aria-label="Agent connection">
        <Stack gap="md">
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              Inventory URL
            </Text>
            <CopyableValue label="Inventory URL" value={settings.inventoryUrl} />
            <Text size="xs" c="dimmed">
              Give this to the agents as <code>--server</code>. Agents already configured for another server’s default path can use these instead:
            </Text>
            {settings.defaultPathUrls.map((u) => (
              <CopyableValue key={u} label={`Default-path URL ${u}`} value={u} />
            ))}
          </Stack>
          <TextInput
            label="Custom path"
            description={`Agents post to /inventory/<path>. Empty: the organization slug. 3–100 of a–z, 0–9, - and _.`}
            placeholder="(organization slug)"
            styles={MONO_INPUT}
            maxLength={100}
            value={v.inventoryPath}
            onChange={(e) => set('inventoryPath', e.currentTarget.value)}
            error={form.errors.inventoryPath}
            readOnly={!canManage}
            w={{ base: '100%', sm: 380 }}
          />
          <Radio.Group
            label="Agents seen for the first time"
            value={v.unknownAgentPolicy}
            onChange={(p) => set('unknownAgentPolicy', p as UnknownAgentPolicy)}
            error={form.errors.unknownAgentPolicy}
          >
            <Stack gap={6} mt={6}>
              {(Object.keys(POLICY_LABELS) as UnknownAgentPolicy[]).map((p) => (
                <Radio key={p} value={p} label={POLICY_LABELS[p].label} description={POLICY_LABELS[p].help} disabled={!canManage} />
              ))}
            </Stack>
          </Radio.Group>
          <Switch
            label="Enrolment required"
            description="Agents must send an enrolment secret (HTTP Basic password). Off: any agent that knows the URL may send inventories — lab networks only."
            checked={v.requireEnrollment}
            onChange={(e) => set('requireEnrollment', e.currentTarget.checked)}
            error={form.errors.requireEnrollment}
            disabled={!canManage}
          />
          <NumberInput
            label="Contact interval (hours)"
            description="How often agents running as daemons should come back (1–720)."
            min={1}
            max={720}
            allowDecimal={false}
            value={v.contactIntervalHours}
            onChange={(n) => set('contactIntervalHours', n)}
            error={form.errors.contactIntervalHours}
            readOnly={!canManage}
            w={260}
          />
          {canManage ? (
            <Group>
              <Button type="submit" loading={update.isPending}>
                Save agent settings
              </Button>
            </Group>
          ) : null}
        </Stack>
      </form>
    </Section>
  );
}
