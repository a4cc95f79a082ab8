import { useState, type FormEvent } from 'react';
import { ActionIcon, Button, Checkbox, Group, NumberInput, Paper, Select, Stack, Switch, TagsInput, Text, Tooltip } from '@mantine/core';
import { IconArrowDown, IconArrowUp } from '@tabler/icons-react';
import { STATE_LABELS } from '../assets/StateBadge';
import { Section } from '../../ui/Section';
import { notifySuccess } from '../../ui/notify';
import { useUpdateSettings } from './hooks';
import { useSettingsErrors } from './settingsErrors';
import { CREATE_STATES, MATCH_RULES, MATCH_RULE_LABELS, type CreateState, type DiscoverySettings, type MatchRule } from './types';

const FIELDS = ['matchRules', 'autoCreate', 'createState', 'staleDays', 'ignoredSerials', 'ignoreVirtualSerials', 'linkPeripherals'] as const;

interface RuleRow {
  rule: MatchRule;
  enabled: boolean;
}

/** Enabled rules in their order first, then the disabled ones. */
function rowsOf(enabled: readonly MatchRule[]): RuleRow[] {
  return [...enabled.map((rule) => ({ rule, enabled: true })), ...MATCH_RULES.filter((r) => !enabled.includes(r)).map((rule) => ({ rule, enabled: false }))];
}

/** How discovered devices become assets: match rules in order, creation, staleness, placeholder serials. */
export function ReconciliationSection({ settings, canManage }: { settings: DiscoverySettings; canManage: boolean }) {
  const r = settings.reconciliation;
  const update = useUpdateSettings();
  const form = useSettingsErrors(FIELDS);
  const [rules, setRules] = useState<RuleRow[]>(() => rowsOf(r.matchRules));
  const [v, setV] = useState({
    autoCreate: r.autoCreate,
    createState: r.createState,
    staleDays: r.staleDays as number | string,
    ignoredSerials: r.ignoredSerials,
    ignoreVirtualSerials: r.ignoreVirtualSerials,
    linkPeripherals: r.linkPeripherals,
  });
  const set = <K extends keyof typeof v>(k: K, value: (typeof v)[K]) => {
    setV((p) => ({ ...p, [k]: value }));
    form.clearField(k);
  };
  const move = (i: number, by: -1 | 1) => {
    setRules((prev) => {
      const next = [...prev];
      const [row] = next.splice(i, 1);
      if (row) next.splice(i + by, 0, row);
      return next;
    });
    form.clearField('matchRules');
  };
  const toggle = (i: number, enabled: boolean) => {
    setRules((prev) => prev.map((row, j) => (j === i ? { ...row, enabled } : row)));
    form.clearField('matchRules');
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate(
      {
        reconciliation: {
          matchRules: rules.filter((x) => x.enabled).map((x) => x.rule),
          autoCreate: v.autoCreate,
          createState: v.createState,
          // An emptied number input is sent as is so that the server names the field.
          staleDays: typeof v.staleDays === 'number' ? v.staleDays : Number.NaN,
          ignoredSerials: v.ignoredSerials,
          ignoreVirtualSerials: v.ignoreVirtualSerials,
          linkPeripherals: v.linkPeripherals,
        },
      },
      {
        onSuccess: (s) => {
          form.clear();
          setRules(rowsOf(s.reconciliation.matchRules));
          notifySuccess('The reconciliation settings were saved.');
        },
        onError: (err) => form.handle(err, 'Could not save the reconciliation settings'),
      },
    );
  };

  return (
    <Section title="Reconciliation" id="reconciliation" description="How discovered devices are matched to assets, and what happens when none matches.">
      <form onSubmit={submit} noValidate aria-label="Reconciliation">
        <Stack gap="md">
          <Stack gap={4}>
            <Text size="sm" fw={500} id="match-rules-label">
              Match rules
            </Text>
            <Text size="xs" c="dimmed">
              Tried from the top; the first rule that finds assets decides. One asset: linked. Several: the device waits in the review queue.
            </Text>
            <Paper withBorder role="list" aria-labelledby="match-rules-label">
              {rules.map((row, i) => (
                <Group key={row.rule} role="listitem" justify="space-between" px="sm" py={6} wrap="nowrap" style={i ? { borderTop: '1px solid var(--mantine-color-gray-3)' } : undefined}>
                  <Checkbox
                    label={MATCH_RULE_LABELS[row.rule].label}
                    description={MATCH_RULE_LABELS[row.rule].help}
                    checked={row.enabled}
                    onChange={(e) => toggle(i, e.currentTarget.checked)}
                    disabled={!canManage}
                  />
                  {canManage ? (
                    <Group gap={2} wrap="nowrap">
                      <Tooltip label="Move up" withArrow>
                        <ActionIcon variant="subtle" color="gray" aria-label={`Move ${MATCH_RULE_LABELS[row.rule].label} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                          <IconArrowUp size={16} aria-hidden />
                        </ActionIcon>
                      </Tooltip>
                      <Tooltip label="Move down" withArrow>
                        <ActionIcon variant="subtle" color="gray" aria-label={`Move ${MATCH_RULE_LABELS[row.rule].label} down`} disabled={i === rules.length - 1} onClick={() => move(i, 1)}>
                          <IconArrowDown size={16} aria-hidden />
                        </ActionIcon>
                      </Tooltip>
                    </Group>
                  ) : null}
                </Group>
              ))}
            </Paper>
            {form.errors.matchRules ? (
              <Text size="xs" c="red" role="alert">
                {form.errors.matchRules}
              </Text>
            ) : null}
          </Stack>
          <Group align="flex-start" gap="xl">
            <Switch
              label="Create assets for unmatched devices"
              description="Off: an unmatched device waits in the review queue."
              checked={v.autoCreate}
              onChange={(e) => set('autoCreate', e.currentTarget.checked)}
              error={form.errors.autoCreate}
              disabled={!canManage}
              maw={340}
            />
            <Select
              label="State of created assets"
              data={CREATE_STATES.map((s) => ({ value: s, label: STATE_LABELS[s] }))}
              value={v.createState}
              onChange={(s) => s && set('createState', s as CreateState)}
              allowDeselect={false}
              error={form.errors.createState}
              disabled={!canManage || !v.autoCreate}
              w={220}
            />
          </Group>
          <NumberInput
            label="Stale after (days)"
            description="An asset no agent has reported for this many days is listed as stale (1–3650)."
            min={1}
            max={3650}
            allowDecimal={false}
            value={v.staleDays}
            onChange={(n) => set('staleDays', n)}
            error={form.errors.staleDays}
            readOnly={!canManage}
            w={260}
          />
          <TagsInput
            label="Ignored serials"
            description="Serials your hardware ships as placeholders, besides the built-in list (To Be Filled By O.E.M., Default string, 0123456789, all zeros…). Press Enter after each."
            value={v.ignoredSerials}
            onChange={(x) => set('ignoredSerials', x)}
            error={form.errors.ignoredSerials}
            readOnly={!canManage}
            clearable
            maxTags={200}
            splitChars={[',']}
          />
          <Switch
            label="Never match virtual machines by serial"
            description="Hypervisors often give every guest the same or a made-up serial."
            checked={v.ignoreVirtualSerials}
            onChange={(e) => set('ignoreVirtualSerials', e.currentTarget.checked)}
            error={form.errors.ignoreVirtualSerials}
            disabled={!canManage}
          />
          <Switch
            label="Link peripherals"
            description="Monitors and printers reported with a serial become assets linked to the computer."
            checked={v.linkPeripherals}
            onChange={(e) => set('linkPeripherals', e.currentTarget.checked)}
            error={form.errors.linkPeripherals}
            disabled={!canManage}
          />
          {canManage ? (
            <Group>
              <Button type="submit" loading={update.isPending}>
                Save reconciliation settings
              </Button>
            </Group>
          ) : null}
        </Stack>
      </form>
    </Section>
  );
}
