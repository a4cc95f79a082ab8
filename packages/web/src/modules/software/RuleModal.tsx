import { useState, type FormEvent } from 'react';
import { Alert, Button, Group, Modal, NumberInput, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { MONO_INPUT } from '../catalog/bits';
import { notifySuccess } from '../../ui/notify';
import { useFormErrors } from '../../ui/useFormErrors';
import { usePreviewRule, useSaveRule } from './hooks';
import { describeEffect, MATCH_MODE_LABELS, RULE_KIND_LABELS, type MatchMode, type Rule, type RuleCreate, type RuleKind, type RulePreview } from './types';

const FIELDS = ['kind', 'match', 'target', 'position'] as const;

const KIND_HELP: Record<RuleKind, string> = {
  rename: 'Give matching products another publisher and/or name (what you leave empty is kept).',
  merge: 'Map matching products into one product (publisher and name), e.g. an existing one.',
  ignore: 'Do not store installations of matching products (updates, drivers, runtimes you do not track).',
};

/** Create or edit a normalisation rule, with a preview of what it matches now. */
export function RuleModal({ rule, defaults, onClose }: { rule: Rule | null; defaults?: Partial<RuleCreate>; onClose: () => void }) {
  const save = useSaveRule();
  const preview = usePreviewRule();
  const form = useFormErrors(FIELDS);
  const [kind, setKind] = useState<RuleKind>(rule?.kind ?? defaults?.kind ?? 'rename');
  const [mode, setMode] = useState<MatchMode>(rule?.match.mode ?? defaults?.match?.mode ?? 'exact');
  const [v, setV] = useState({
    matchPublisher: rule?.match.publisher ?? defaults?.match?.publisher ?? '',
    matchName: rule?.match.name ?? defaults?.match?.name ?? '',
    targetPublisher: rule?.target.publisher ?? defaults?.target?.publisher ?? '',
    targetName: rule?.target.name ?? defaults?.target?.name ?? '',
  });
  const [position, setPosition] = useState<number | ''>(rule?.position ?? '');
  const [previewed, setPreviewed] = useState<RulePreview | null>(null);
  const set = (k: keyof typeof v, value: string) => {
    setV((p) => ({ ...p, [k]: value }));
    setPreviewed(null);
    form.clearField(k.startsWith('match') ? 'match' : 'target');
  };

  const body = (): RuleCreate => ({
    kind,
    match: { mode, publisher: v.matchPublisher.trim() || null, name: v.matchName.trim() || null },
    ...(kind === 'ignore' ? {} : { target: { publisher: v.targetPublisher.trim() || null, name: v.targetName.trim() || null } }),
  });

  const runPreview = () => preview.mutate(body(), { onSuccess: setPreviewed, onError: (err) => form.handle(err, 'Could not preview the rule') });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const b = body();
    const pos = position === '' ? undefined : position;
    save.mutate(rule ? { id: rule.id, body: { ...b, ...(kind === 'ignore' ? { target: {} } : {}), ...(pos !== undefined && pos !== rule.position ? { position: pos } : {}) } } : { id: null, body: { ...b, ...(pos !== undefined ? { position: pos } : {}) } }, {
      onSuccess: (r) => {
        notifySuccess(`Rules re-applied: ${describeEffect(r.effect)}.`, rule ? 'Rule updated' : 'Rule created');
        onClose();
      },
      onError: (err) => form.handle(err, rule ? 'Could not update the rule' : 'Could not create the rule'),
    });
  };

  return (
    <Modal opened onClose={onClose} title={rule ? 'Edit rule' : 'New rule'} centered size="lg">
      <form onSubmit={submit} noValidate aria-label={rule ? 'Edit rule' : 'New rule'}>
        <Stack gap="sm">
          <div>
            <SegmentedControl
              aria-label="Kind"
              value={kind}
              onChange={(k) => {
                setKind(k as RuleKind);
                setPreviewed(null);
              }}
              data={(Object.keys(RULE_KIND_LABELS) as RuleKind[]).map((k) => ({ value: k, label: RULE_KIND_LABELS[k] }))}
            />
            <Text size="xs" c="dimmed" mt={4}>
              {KIND_HELP[kind]}
            </Text>
          </div>
          <Select
            label="Match"
            description="Against the normalised publisher and product name; fill one or both."
            data={(Object.keys(MATCH_MODE_LABELS) as MatchMode[]).map((m) => ({ value: m, label: MATCH_MODE_LABELS[m] }))}
            value={mode}
            onChange={(m) => {
              if (m) setMode(m as MatchMode);
              setPreviewed(null);
            }}
            allowDeselect={false}
            error={form.errors.match}
          />
          <Group grow align="flex-start">
            <TextInput label="Publisher" maxLength={200} value={v.matchPublisher} onChange={(e) => set('matchPublisher', e.currentTarget.value)} styles={mode === 'regex' ? MONO_INPUT : undefined} />
            <TextInput label="Product name" maxLength={200} value={v.matchName} onChange={(e) => set('matchName', e.currentTarget.value)} styles={mode === 'regex' ? MONO_INPUT : undefined} data-autofocus />
          </Group>
          {kind !== 'ignore' ? (
            <Group grow align="flex-start">
              <TextInput label={kind === 'merge' ? 'Into publisher' : 'New publisher'} maxLength={200} value={v.targetPublisher} onChange={(e) => set('targetPublisher', e.currentTarget.value)} error={form.errors.target} />
              <TextInput label={kind === 'merge' ? 'Into product' : 'New name'} required={kind === 'merge'} maxLength={200} value={v.targetName} onChange={(e) => set('targetName', e.currentTarget.value)} />
            </Group>
          ) : form.errors.target ? (
            <Text size="sm" c="red">
              {form.errors.target}
            </Text>
          ) : null}
          <NumberInput label="Position" description="Rename and merge rules apply in this order; empty: last." min={1} w={200} value={position} onChange={(n) => setPosition(typeof n === 'number' ? n : '')} error={form.errors.position} />
          {previewed ? (
            <Alert variant="light" color="blue" title="Matches now" role="status">
              {previewed.products} product{previewed.products === 1 ? '' : 's'}, {previewed.installations} installation{previewed.installations === 1 ? '' : 's'} on {previewed.devices} device{previewed.devices === 1 ? '' : 's'}
              {previewed.sample.length ? `: ${previewed.sample.slice(0, 5).map((p) => p.name).join(', ')}${previewed.products > 5 ? ', …' : ''}` : ''}
            </Alert>
          ) : null}
          <Group justify="space-between" gap="xs" mt="xs">
            <Button variant="light" onClick={runPreview} loading={preview.isPending}>
              Preview
            </Button>
            <Group gap="xs">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={save.isPending}>
                {rule ? 'Save and re-apply' : 'Create and apply'}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
