import { Checkbox, MultiSelect, NumberInput, Select, Textarea, TextInput } from '@mantine/core';
import type { CustomField } from './contract';
import { MONO_INPUT } from './media';

interface Props {
  field: CustomField;
  value: unknown;
  onChange: (value: unknown) => void;
  error?: string | undefined;
  size?: 'xs' | 'sm';
}

const PLACEHOLDERS: Partial<Record<CustomField['type'], string>> = {
  url: 'https://…',
  email: 'name@example.com',
  ip: '192.0.2.10 or 2001:db8::1',
  mac: '00:1A:2B:3C:4D:5E',
};

/** The value to send for a field: trimmed text, numbers, booleans, arrays; `null` when empty. */
export function toFieldValue(f: CustomField, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  switch (f.type) {
    case 'boolean':
      return !!v;
    case 'number':
    case 'money': {
      if (v === '') return null;
      const n = typeof v === 'number' ? v : Number(v);
      return Number.isFinite(n) ? n : v;
    }
    case 'multi_select':
      return Array.isArray(v) && v.length ? v : null;
    default:
      return typeof v === 'string' ? (v.trim() === '' ? null : v.trim()) : v;
  }
}

function asString(v: unknown): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
}

/** One custom field, rendered by its type, with its label, required mark and help text. */
export function CustomFieldInput({ field: f, value, onChange, error, size = 'sm' }: Props) {
  const common = {
    label: f.label,
    description: f.helpText || undefined,
    required: f.required,
    error,
    size,
    name: `customFields.${f.key}`,
  };
  switch (f.type) {
    case 'long_text':
      return <Textarea {...common} autosize minRows={2} maxRows={8} value={asString(value)} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'number':
    case 'money':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' || typeof value === 'string' ? value : ''}
          onChange={(v) => onChange(v)}
          decimalScale={f.type === 'money' ? 2 : undefined}
          fixedDecimalScale={f.type === 'money'}
          thousandSeparator={f.type === 'money' ? ',' : undefined}
          hideControls
        />
      );
    case 'date':
      return <TextInput {...common} type="date" value={asString(value)} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'boolean':
      return (
        <Checkbox
          label={f.label}
          description={f.helpText || undefined}
          error={error}
          size={size}
          mt={size === 'xs' ? 4 : 'md'}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          name={common.name}
        />
      );
    case 'select':
      return <Select {...common} data={f.options} value={typeof value === 'string' ? value : null} onChange={(v) => onChange(v)} clearable={!f.required} searchable comboboxProps={{ withinPortal: true }} />;
    case 'multi_select':
      return (
        <MultiSelect
          {...common}
          data={f.options}
          value={Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : []}
          onChange={(v) => onChange(v)}
          clearable
          searchable
          comboboxProps={{ withinPortal: true }}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          type={f.type === 'url' ? 'url' : f.type === 'email' ? 'email' : 'text'}
          placeholder={PLACEHOLDERS[f.type]}
          description={f.helpText || (f.type === 'regex' && f.regex ? `Format: ${f.regex}` : undefined)}
          styles={f.type === 'mac' || f.type === 'ip' ? MONO_INPUT : undefined}
          value={asString(value)}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}
