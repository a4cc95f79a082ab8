import { useState, type FormEvent } from 'react';
import { Button, Checkbox, Group, Modal, Select, SimpleGrid, Stack, TagsInput, Textarea, TextInput } from '@mantine/core';
import { notifySuccess } from '../../ui/notify';
import { useFormErrors } from '../../ui/useFormErrors';
import { MONO_INPUT } from './bits';
import { useSaveField } from './hooks';
import { FIELD_KEY_RE, FIELD_TYPES, FIELD_TYPE_LABELS, isFieldType, keyFromLabel, type CustomField, type FieldCreate, type FieldInput, type FieldType, type Save } from './types';

const FIELDS = ['key', 'label', 'type', 'options', 'regex', 'required', 'unique', 'helpText', 'position'] as const;
const TYPE_OPTIONS = FIELD_TYPES.map((t) => ({ value: t, label: FIELD_TYPE_LABELS[t] }));
const hasOptions = (t: FieldType | null) => t === 'select' || t === 'multi_select';

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Add (field = null) or edit a custom field of a category. */
export function FieldModal({ categoryId, categoryName, field, nextPosition, onClose }: { categoryId: string; categoryName: string; field: CustomField | null; nextPosition: number; onClose: () => void }) {
  const save = useSaveField(categoryId);
  const form = useFormErrors(FIELDS);
  const [v, setV] = useState({
    label: field?.label ?? '',
    key: field?.key ?? '',
    type: (field?.type ?? 'text') as FieldType | null,
    options: field?.options ?? [],
    regex: field?.regex ?? '',
    required: field?.required ?? false,
    unique: field?.unique ?? false,
    helpText: field?.helpText ?? '',
  });
  // On create the key follows the label until it is edited by hand.
  const [keyTouched, setKeyTouched] = useState(field !== null);
  const keyValid = FIELD_KEY_RE.test(v.key);

  const set = <K extends keyof typeof v>(k: K, value: (typeof v)[K]) => {
    setV((p) => ({ ...p, [k]: value }));
    form.clearField(k);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!isFieldType(v.type)) {
      form.setErrors({ type: 'Choose a type' });
      return;
    }
    const full = {
      key: v.key.trim(),
      label: v.label.trim(),
      type: v.type,
      options: hasOptions(v.type) ? v.options : [],
      regex: v.type === 'regex' ? v.regex.trim() || null : null,
      required: v.required,
      unique: v.unique,
      helpText: v.helpText.trim() || null,
    };
    let vars: Save<FieldCreate, FieldInput>;
    if (field) {
      const body: FieldInput = {};
      if (full.key !== field.key) body.key = full.key;
      if (full.label !== field.label) body.label = full.label;
      if (full.type !== field.type) body.type = full.type;
      if (!sameList(full.options, field.options)) body.options = full.options;
      if (full.regex !== field.regex) body.regex = full.regex;
      if (full.required !== field.required) body.required = full.required;
      if (full.unique !== field.unique) body.unique = full.unique;
      if (full.helpText !== field.helpText) body.helpText = full.helpText;
      if (Object.keys(body).length === 0) {
        onClose();
        return;
      }
      vars = { id: field.id, body };
    } else {
      vars = { id: null, body: { ...full, position: nextPosition } };
    }
    save.mutate(
      vars,
      {
        onSuccess: (f) => {
          notifySuccess(field ? `Field “${f.label}” was updated.` : `Field “${f.label}” was added to ${categoryName}.`);
          onClose();
        },
        onError: (err) => form.handle(err, field ? 'Could not update the field' : 'Could not add the field'),
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={field ? `Edit field ${field.label}` : 'New custom field'} size="lg" centered>
      <form onSubmit={submit} noValidate aria-label={field ? 'Edit custom field' : 'New custom field'}>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="Label"
              required
              maxLength={200}
              value={v.label}
              onChange={(e) => {
                const label = e.currentTarget.value;
                setV((p) => ({ ...p, label, key: keyTouched ? p.key : keyFromLabel(label) }));
                form.clearField('label');
                if (!keyTouched) form.clearField('key');
              }}
              error={form.errors.label}
              data-autofocus
            />
            <TextInput
              label="Key"
              required
              maxLength={40}
              styles={MONO_INPUT}
              value={v.key}
              onChange={(e) => {
                setKeyTouched(true);
                set('key', e.currentTarget.value);
              }}
              description="a-z, 0-9 and _, starting with a letter; used in the API, filters and exports."
              inputWrapperOrder={['label', 'input', 'description', 'error']}
              error={form.errors.key ?? (v.key && !keyValid ? 'Use a-z, 0-9 and _, starting with a letter (at most 40)' : undefined)}
            />
          </SimpleGrid>
          <Select
            label="Type"
            required
            data={TYPE_OPTIONS}
            value={v.type}
            onChange={(t) => set('type', isFieldType(t) ? t : null)}
            allowDeselect={false}
            error={form.errors.type}
            comboboxProps={{ withinPortal: true }}
          />
          {hasOptions(v.type) ? (
            <TagsInput
              label="Options"
              required
              description="Type an option and press Enter. The order here is the order in the select."
              placeholder={v.options.length ? undefined : 'e.g. 8 GB'}
              value={v.options}
              onChange={(options) => set('options', options)}
              maxTags={200}
              clearable
              error={form.errors.options}
              comboboxProps={{ withinPortal: true }}
            />
          ) : null}
          {v.type === 'regex' ? (
            <TextInput
              label="Pattern (regular expression)"
              required
              maxLength={500}
              styles={MONO_INPUT}
              placeholder="^[A-Z]{2}-\d{4}$"
              description="The whole value must match."
              value={v.regex}
              onChange={(e) => set('regex', e.currentTarget.value)}
              error={form.errors.regex}
            />
          ) : null}
          <Group gap="xl">
            <Checkbox label="Required" description="Every asset of the category needs a value." checked={v.required} onChange={(e) => set('required', e.currentTarget.checked)} error={form.errors.required} />
            <Checkbox label="Unique" description="No two assets may hold the same value." checked={v.unique} onChange={(e) => set('unique', e.currentTarget.checked)} error={form.errors.unique} />
          </Group>
          <Textarea
            label="Help text"
            description="Shown below the input on the asset form."
            autosize
            minRows={2}
            maxRows={5}
            maxLength={2000}
            value={v.helpText}
            onChange={(e) => set('helpText', e.currentTarget.value)}
            error={form.errors.helpText}
          />
          <Group justify="flex-end" gap="xs" mt="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!v.label.trim() || !v.key.trim()}>
              {field ? 'Save field' : 'Add field'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
