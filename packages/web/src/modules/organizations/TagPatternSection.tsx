import { useEffect, useState, type FormEvent } from 'react';
import { Button, Code, Group, Text, TextInput } from '@mantine/core';
import type { Organization } from '../../api';
import { FieldMessage } from '../../ui/FieldMessage';
import { notifySuccess } from '../../ui/notify';
import { Section } from '../../ui/Section';
import { useFormErrors } from '../../ui/useFormErrors';
import { MONO_INPUT } from '../catalog/bits';
import { previewTag } from '../catalog/types';
import { useUpdateTagPattern } from './hooks';

const FIELDS = ['assetTagPattern'] as const;

/** The default asset tag pattern (`LAP-{00000}` → LAP-00001), with a live preview. */
export function TagPatternSection({ org, canUpdate }: { org: Organization; canUpdate: boolean }) {
  const save = useUpdateTagPattern();
  const form = useFormErrors(FIELDS);
  const [pattern, setPattern] = useState(org.assetTagPattern);
  useEffect(() => setPattern(org.assetTagPattern), [org.assetTagPattern]);
  const trimmed = pattern.trim();
  const preview = previewTag(trimmed);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(trimmed, {
      onSuccess: (o) => notifySuccess(`New asset tags follow ${o.assetTagPattern}.`),
      onError: (err) => form.handle(err, 'Could not change the tag pattern'),
    });
  };

  return (
    <Section
      title="Asset tags"
      id="asset-tags"
      description="Assets created without a tag get the next one from this pattern, unless their category has its own. The zeros in braces are the counter."
    >
      <form onSubmit={submit} noValidate aria-label="Asset tag pattern">
        <Group align="flex-end" gap="xs">
          <TextInput
            label="Asset tag pattern"
            required
            maxLength={60}
            styles={MONO_INPUT}
            placeholder="LAP-{00000}"
            value={pattern}
            onChange={(e) => {
              setPattern(e.currentTarget.value);
              form.clearField('assetTagPattern');
            }}
            error={!!form.errors.assetTagPattern}
            aria-describedby={form.errors.assetTagPattern ? 'tag-pattern-error' : 'tag-pattern-preview'}
            readOnly={!canUpdate}
            w={{ base: '100%', sm: 260 }}
          />
          {canUpdate ? (
            <Button type="submit" loading={save.isPending} disabled={!trimmed || trimmed === org.assetTagPattern}>
              Set pattern
            </Button>
          ) : null}
        </Group>
        <FieldMessage id="tag-pattern-error" message={form.errors.assetTagPattern} />
        {!form.errors.assetTagPattern ? (
          <Text id="tag-pattern-preview" size="xs" c={trimmed && !preview ? 'orange' : 'dimmed'} mt={6} aria-live="polite">
            {preview ? (
              <>
                Preview: <Code>{preview}</Code>, <Code>{previewTag(trimmed, 2)}</Code>, …
              </>
            ) : trimmed ? (
              'Needs exactly one counter group of zeros in braces, e.g. LAP-{00000}.'
            ) : (
              'Enter a pattern such as LAP-{00000}.'
            )}
          </Text>
        ) : null}
      </form>
    </Section>
  );
}
