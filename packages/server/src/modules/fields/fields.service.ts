/**
 * Custom field definitions (per category) and the validation of the values assets hold for them.
 *
 * Values live in `assets.custom_fields` (JSON, what the API returns) and, for filtering, sorting and
 * the `unique` rule, as one indexed row per (asset, field) in `asset_field_values`:
 *
 * | type                                        | value_text                                | value_num |
 * |---------------------------------------------|-------------------------------------------|-----------|
 * | text, url, email, select, regex, ip, mac    | lower-cased value                         | null      |
 * | long_text                                   | lower-cased first 255 characters          | null      |
 * | number, money                               | null                                      | the number|
 * | date                                        | `YYYY-MM-DD`                              | null      |
 * | boolean                                     | `true` / `false`                          | 1 / 0     |
 * | multi_select                                | `|a|b|` (lower-cased, in option order)    | null      |
 *
 * `indexValue()` is that mapping; list filters normalise their operand with it.
 */
import { isIP } from 'node:net';
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { conflict, notFound, unprocessable, type FieldError } from '../../errors.js';
import { fromDbBool, isUniqueViolation, toDbBool } from '../../db/dialect.js';
import { newId, nowIso } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import * as repo from './fields.repository.js';
import { FIELD_KEY_RE, isFieldType, type CreateFieldInput, type FieldDto, type FieldType, type UpdateFieldInput } from './fields.schemas.js';

export type { FieldDto, FieldType } from './fields.schemas.js';

// ---------- definitions ----------

const parseOptions = (text: string): string[] => {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
};

export const toFieldDto = (f: repo.FieldRow): FieldDto => ({
  id: f.id,
  categoryId: f.category_id,
  key: f.key,
  label: f.label,
  // Only this module writes the column, always from FIELD_TYPES.
  type: f.type as FieldType,
  options: parseOptions(f.options),
  regex: f.regex,
  required: fromDbBool(f.required),
  unique: fromDbBool(f.unique_values),
  helpText: f.help_text,
  position: Number(f.position),
  createdAt: f.created_at,
  updatedAt: f.updated_at,
});

type Snapshot = Pick<FieldDto, 'categoryId' | 'key' | 'label' | 'type' | 'options' | 'regex' | 'required' | 'unique' | 'helpText' | 'position'>;
const SNAPSHOT_FIELDS = ['categoryId', 'key', 'label', 'type', 'options', 'regex', 'required', 'unique', 'helpText', 'position'] as const;
const snap = (f: FieldDto): Snapshot => ({
  categoryId: f.categoryId, key: f.key, label: f.label, type: f.type, options: f.options, regex: f.regex,
  required: f.required, unique: f.unique, helpText: f.helpText, position: f.position,
});

const HAS_OPTIONS: readonly FieldType[] = ['select', 'multi_select'];
/** A unique boolean or multi-select makes no sense; long text is only indexed by its start. */
const NO_UNIQUE: readonly FieldType[] = ['boolean', 'multi_select', 'long_text'];

/** Compiles a field's pattern so that it must match the whole value. */
const compilePattern = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`, 'u');

interface Definition { key: string; label: string; type: FieldType; options: string[]; regex: string | null; unique: boolean }

/** Checks a complete definition; returns one error per bad member (paths under /body). */
function checkDefinition(d: Definition): FieldError[] {
  const errors: FieldError[] = [];
  if (!FIELD_KEY_RE.test(d.key)) {
    errors.push({ path: '/body/key', message: 'must start with a lower-case letter and contain only a-z, 0-9 and _ (at most 40)', code: 'pattern' });
  }
  if (!d.label.trim()) errors.push({ path: '/body/label', message: 'must not be empty', code: 'required' });
  if (HAS_OPTIONS.includes(d.type)) {
    if (!d.options.length) errors.push({ path: '/body/options', message: `a ${d.type} field needs at least one option`, code: 'required' });
    const seen = new Map<string, number>();
    d.options.forEach((o, i) => {
      if (!o.trim()) errors.push({ path: `/body/options/${i}`, message: 'must not be empty', code: 'required' });
      else if (/[|\r\n]/.test(o)) errors.push({ path: `/body/options/${i}`, message: 'must not contain "|" or line breaks', code: 'pattern' });
      const k = o.trim().toLowerCase();
      if (seen.has(k)) errors.push({ path: `/body/options/${i}`, message: `repeats option ${seen.get(k)} ("${o}")`, code: 'duplicate' });
      else seen.set(k, i);
    });
  } else if (d.options.length) {
    errors.push({ path: '/body/options', message: 'only select and multi_select fields have options', code: 'not_allowed' });
  }
  if (d.type === 'regex') {
    if (!d.regex) errors.push({ path: '/body/regex', message: 'a regex field needs a pattern', code: 'required' });
    else {
      try {
        compilePattern(d.regex);
      } catch (err) {
        errors.push({ path: '/body/regex', message: `is not a valid regular expression: ${(err as Error).message}`, code: 'invalid_regex' });
      }
    }
  } else if (d.regex) {
    errors.push({ path: '/body/regex', message: 'only regex fields have a pattern', code: 'not_allowed' });
  }
  if (d.unique && NO_UNIQUE.includes(d.type)) errors.push({ path: '/body/unique', message: `a ${d.type} field cannot be unique`, code: 'not_allowed' });
  return errors;
}

const invalidDefinition = (errors: FieldError[]) => unprocessable('field.invalid', 'The custom field is not valid; see errors.', errors);

const duplicateKey = (existing: repo.FieldRow) =>
  conflict('field.duplicate_key', `The category already has a field with key "${existing.key}".`, { conflict: { id: existing.id, key: existing.key } }, [
    { path: '/body/key', message: 'is already used by another field of this category', code: 'duplicate' },
  ]);

async function requireCategory(db: Executor, orgId: string, categoryId: string) {
  const c = await repo.findCategory(db, orgId, categoryId);
  if (!c) throw notFound('category');
  return c;
}

async function requireField(db: Executor, orgId: string, id: string): Promise<repo.FieldRow> {
  const f = await repo.findField(db, orgId, id);
  if (!f) throw notFound('field');
  return f;
}

/** `GET /categories/:id/fields` */
export async function list(ctx: Ctx, categoryId: string): Promise<FieldDto[]> {
  authorize(ctx.actor, 'catalog.read');
  const orgId = orgOf(ctx);
  await requireCategory(ctx.db, orgId, categoryId);
  return (await repo.listFields(ctx.db, orgId, categoryId)).map(toFieldDto);
}

/** The category's field definitions, in display order (other modules: forms, imports, list columns). */
export async function definitions(db: Executor, orgId: string, categoryId: string): Promise<FieldDto[]> {
  return (await repo.listFields(db, orgId, categoryId)).map(toFieldDto);
}

const cleanOptions = (options: string[] | undefined) => (options ?? []).map((o) => o.trim());
const blankToNull = (v: string | null | undefined) => (v === undefined || v === null || !v.trim() ? null : v.trim());

/** `POST /categories/:id/fields` */
export async function create(ctx: Ctx, categoryId: string, input: CreateFieldInput): Promise<FieldDto> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  const def: Definition = {
    key: input.key, label: input.label.trim(), type: input.type, options: cleanOptions(input.options),
    regex: input.regex ?? null, unique: input.unique ?? false,
  };
  return ctx.db.transaction().execute(async (trx) => {
    await requireCategory(trx, orgId, categoryId);
    const errors = checkDefinition(def);
    if (errors.length) throw invalidDefinition(errors);
    const existing = await repo.findFieldByKey(trx, orgId, categoryId, def.key);
    if (existing) throw duplicateKey(existing);
    const now = nowIso();
    const row: repo.FieldRow = {
      id: newId(), org_id: orgId, category_id: categoryId, key: def.key, label: def.label, type: def.type,
      options: JSON.stringify(def.options), regex: def.regex, required: toDbBool(input.required ?? false),
      unique_values: toDbBool(def.unique), help_text: blankToNull(input.helpText),
      position: input.position ?? await repo.nextPosition(trx, orgId, categoryId), created_at: now, updated_at: now,
    };
    try {
      await repo.insertField(trx, row);
    } catch (err) {
      if (isUniqueViolation(err)) {
        const dup = await repo.findFieldByKey(trx, orgId, categoryId, def.key);
        if (dup) throw duplicateKey(dup);
      }
      throw err;
    }
    const dto = toFieldDto(row);
    await events.record(trx, ctx, { action: 'field.created', entityType: 'custom_field', entityId: row.id, changes: events.diff<Snapshot>(null, snap(dto), SNAPSHOT_FIELDS) });
    return dto;
  });
}

/** `PATCH /fields/:id`: key and type are fixed once any asset holds a value; options in use cannot be removed. */
export async function update(ctx: Ctx, id: string, input: UpdateFieldInput): Promise<FieldDto> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const beforeRow = await requireField(trx, orgId, id);
    const before = toFieldDto(beforeRow);
    const type = input.type ?? before.type;
    const typeChanged = type !== before.type;
    const def: Definition = {
      key: input.key ?? before.key,
      label: input.label !== undefined ? input.label.trim() : before.label,
      type,
      // Switching to a type without options / pattern drops them unless they are given again.
      options: input.options !== undefined ? cleanOptions(input.options) : typeChanged && !HAS_OPTIONS.includes(type) ? [] : before.options,
      regex: input.regex !== undefined ? input.regex : typeChanged && type !== 'regex' ? null : before.regex,
      unique: input.unique ?? before.unique,
    };
    const errors = checkDefinition(def);
    if (errors.length) throw invalidDefinition(errors);

    const inUse = await repo.countValues(trx, orgId, id);
    if (inUse > 0) {
      const fixed: FieldError[] = [];
      if (def.key !== before.key) fixed.push({ path: '/body/key', message: `cannot change while ${inUse} asset(s) hold a value`, code: 'in_use' });
      if (typeChanged) fixed.push({ path: '/body/type', message: `cannot change while ${inUse} asset(s) hold a value`, code: 'in_use' });
      if (fixed.length) throw conflict('field.in_use', `"${before.label}" is used by ${inUse} asset(s); its key and type can no longer change.`, { assetCount: inUse }, fixed);
      if (HAS_OPTIONS.includes(type)) {
        const kept = new Set(def.options.map((o) => o.toLowerCase()));
        for (const removed of before.options.filter((o) => !kept.has(o.toLowerCase()))) {
          const text = removed.toLowerCase();
          const n = await repo.countValuesMatching(trx, orgId, id, type === 'select' ? 'equals' : 'contains', type === 'select' ? text : `|${text}|`);
          if (n > 0) {
            throw conflict('field.option_in_use', `The option "${removed}" is used by ${n} asset(s); change those assets first.`, { option: removed, assetCount: n }, [
              { path: '/body/options', message: `must keep "${removed}" (used by ${n} asset(s))`, code: 'in_use' },
            ]);
          }
        }
      }
      if (def.unique && !before.unique) {
        const rep = await repo.firstRepeatedValue(trx, orgId, id);
        if (rep) {
          const shown = rep.value_num !== null ? String(rep.value_num) : (rep.value_text ?? '');
          throw conflict('field.duplicate_values', `"${before.label}" cannot become unique: ${Number(rep.n)} assets share the value "${shown}".`, { value: shown, assetCount: Number(rep.n) }, [
            { path: '/body/unique', message: 'assets already share values of this field', code: 'duplicate' },
          ]);
        }
      }
    }
    if (def.key !== before.key) {
      const other = await repo.findFieldByKey(trx, orgId, before.categoryId, def.key);
      if (other && other.id !== id) throw duplicateKey(other);
    }
    const patch: Partial<repo.FieldRow> = {
      key: def.key, label: def.label, type: def.type, options: JSON.stringify(def.options), regex: def.regex,
      unique_values: toDbBool(def.unique), updated_at: nowIso(),
    };
    if (input.required !== undefined) patch.required = toDbBool(input.required);
    if (input.helpText !== undefined) patch.help_text = blankToNull(input.helpText);
    if (input.position !== undefined) patch.position = input.position;
    await repo.updateField(trx, orgId, id, patch);
    const after = toFieldDto(await requireField(trx, orgId, id));
    const changes = events.diff<Snapshot>(snap(before), snap(after), SNAPSHOT_FIELDS);
    if (Object.keys(changes).length) await events.record(trx, ctx, { action: 'field.updated', entityType: 'custom_field', entityId: id, changes });
    return after;
  });
}

/** `DELETE /fields/:id`: refused while any asset (deleted ones too) holds a value. */
export async function remove(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'catalog.manage');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const before = toFieldDto(await requireField(trx, orgId, id));
    const inUse = await repo.countValues(trx, orgId, id);
    if (inUse > 0) {
      throw conflict('field.in_use', `"${before.label}" cannot be deleted: ${inUse} asset(s) hold a value for it. Clear those values first.`, { assetCount: inUse });
    }
    await repo.deleteField(trx, orgId, id);
    await events.record(trx, ctx, { action: 'field.deleted', entityType: 'custom_field', entityId: id, changes: events.diff<Snapshot>(snap(before), null, SNAPSHOT_FIELDS) });
  });
}

// ---------- values ----------

export interface IndexEntry { fieldId: string; valueText: string | null; valueNum: number | null }
export interface ValidatedValues {
  /** Normalised values by key, only the keys that hold a value (what `assets.custom_fields` stores). */
  json: Record<string, unknown>;
  /** One row per field holding a value, for `writeIndex`. */
  index: IndexEntry[];
}

type Coerced = { ok: true; value: unknown } | { ok: false; message: string; code: string };

const MAX_LEN: Partial<Record<FieldType, number>> = { text: 1000, long_text: 20000, url: 2000, email: 254, regex: 1000, select: 200 };
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function isIsoDate(v: string): boolean {
  const m = DATE_RE.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v;
}

function normaliseMac(v: string): string | null {
  const hex = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(v) || /^([0-9a-f]{4}\.){2}[0-9a-f]{4}$/i.test(v) || /^[0-9a-f]{12}$/i.test(v)
    ? v.replace(/[^0-9a-f]/gi, '').toLowerCase() : null;
  return hex ? hex.match(/../g)!.join(':') : null;
}

const ok = (value: unknown): Coerced => ({ ok: true, value });
const bad = (message: string, code: string): Coerced => ({ ok: false, message, code });

/** Checks and normalises one present (non-empty) value for its field. */
function coerce(f: FieldDto, raw: unknown): Coerced {
  const max = MAX_LEN[f.type];
  const str = (): string | null => (typeof raw === 'string' ? raw.trim() : null);
  if (typeof raw === 'string' && max !== undefined && raw.trim().length > max) return bad(`must be at most ${max} characters`, 'maxLength');
  switch (f.type) {
    case 'text':
    case 'long_text': {
      const s = str();
      return s === null ? bad('must be a string', 'type') : ok(s);
    }
    case 'number':
    case 'money': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && NUMBER_RE.test(raw.trim()) ? Number(raw.trim()) : NaN;
      if (!Number.isFinite(n)) return bad('must be a number', 'type');
      if (f.type === 'money' && Math.abs(Math.round(n * 100) - n * 100) > 1e-6) return bad('must have at most 2 decimal places', 'multipleOf');
      return ok(n);
    }
    case 'date': {
      const s = str();
      return s !== null && isIsoDate(s) ? ok(s) : bad('must be a date (YYYY-MM-DD)', 'format');
    }
    case 'boolean':
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === 'true' || raw === 'false') return ok(raw === 'true');
      return bad('must be true or false', 'type');
    case 'select': {
      const s = str();
      if (s === null) return bad('must be a string', 'type');
      const opt = f.options.find((o) => o === s) ?? f.options.find((o) => o.toLowerCase() === s.toLowerCase());
      return opt !== undefined ? ok(opt) : bad(`must be one of: ${f.options.join(', ')}`, 'enum');
    }
    case 'multi_select': {
      if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string')) return bad('must be a list of options', 'type');
      const chosen = new Set<string>();
      for (const x of raw as string[]) {
        const opt = f.options.find((o) => o === x.trim()) ?? f.options.find((o) => o.toLowerCase() === x.trim().toLowerCase());
        if (opt === undefined) return bad(`"${x}" is not one of: ${f.options.join(', ')}`, 'enum');
        chosen.add(opt);
      }
      return ok(f.options.filter((o) => chosen.has(o)));
    }
    case 'url': {
      const s = str();
      if (s === null) return bad('must be a string', 'type');
      try {
        const u = new URL(s);
        if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname) return ok(s);
      } catch {
        // falls through
      }
      return bad('must be an http(s) URL', 'format');
    }
    case 'email': {
      const s = str();
      return s !== null && EMAIL_RE.test(s) ? ok(s) : bad('must be an email address', 'format');
    }
    case 'ip': {
      const s = str();
      return s !== null && isIP(s) !== 0 ? ok(s.toLowerCase()) : bad('must be an IPv4 or IPv6 address', 'format');
    }
    case 'mac': {
      const s = str();
      const mac = s === null ? null : normaliseMac(s);
      return mac ? ok(mac) : bad('must be a MAC address (e.g. 00:1a:2b:3c:4d:5e)', 'format');
    }
    case 'regex': {
      const s = str();
      if (s === null) return bad('must be a string', 'type');
      let re: RegExp;
      try {
        re = compilePattern(f.regex ?? '');
      } catch {
        return bad('the field\'s pattern is not valid; fix the field definition', 'invalid_regex');
      }
      return re.test(s) ? ok(s) : bad(`must match the pattern ${f.regex ?? ''}`, 'pattern');
    }
  }
}

/** The indexed form of a normalised value (see the table at the top of this file). */
export function indexValue(type: FieldType, value: unknown): { valueText: string | null; valueNum: number | null } {
  switch (type) {
    case 'number':
    case 'money':
      return { valueText: null, valueNum: Number(value) };
    case 'boolean':
      return { valueText: value ? 'true' : 'false', valueNum: value ? 1 : 0 };
    case 'date':
      return { valueText: String(value), valueNum: null };
    case 'multi_select':
      return { valueText: `|${(value as string[]).map((v) => v.toLowerCase()).join('|')}|`, valueNum: null };
    case 'long_text':
      return { valueText: String(value).toLowerCase().slice(0, 255), valueNum: null };
    default:
      return { valueText: String(value).toLowerCase(), valueNum: null };
  }
}

const isEmpty = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && !v.trim()) || (Array.isArray(v) && v.length === 0);

/**
 * The database-free part of `validateValues`: checks and normalises a complete set of values
 * against the given field definitions (unknown keys, types, required, options, patterns) and
 * returns the normalised values, their index rows and one error per bad key. Uniqueness against
 * other assets is left to the caller (imports check it in bulk).
 */
export function checkValues(fields: readonly FieldDto[], input: Record<string, unknown>, pathPrefix: string): {
  json: Record<string, unknown>; index: (IndexEntry & { field: FieldDto; value: unknown })[]; errors: FieldError[];
} {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const errors: FieldError[] = [];
  const json: Record<string, unknown> = {};
  const index: (IndexEntry & { field: FieldDto; value: unknown })[] = [];
  for (const [key, raw] of Object.entries(input)) {
    const f = byKey.get(key);
    if (!f) {
      errors.push({ path: `${pathPrefix}/${key}`, message: 'is not a custom field of this category', code: 'unknown_field' });
      continue;
    }
    if (isEmpty(raw)) continue;
    const c = coerce(f, raw);
    if (!c.ok) {
      errors.push({ path: `${pathPrefix}/${key}`, message: c.message, code: c.code });
      continue;
    }
    json[key] = c.value;
    index.push({ fieldId: f.id, ...indexValue(f.type, c.value), field: f, value: c.value });
  }
  for (const f of fields) {
    if (f.required && !(f.key in json) && !errors.some((e) => e.path === `${pathPrefix}/${f.key}`)) {
      errors.push({ path: `${pathPrefix}/${f.key}`, message: `is required ("${f.label}")`, code: 'required' });
    }
  }
  return { json, index, errors };
}

/**
 * Validates a complete set of custom values against the category's fields: unknown keys, wrong
 * types, missing required values, pattern and option mismatches → one 422 error per bad key
 * (`<pathPrefix>/<key>`); a `unique` value another asset holds → 409 naming that asset. Empty values
 * (null, "", []) mean "no value". Call it with the transaction that will write the values.
 */
export async function validateValues(
  db: Executor, orgId: string, categoryId: string, input: Record<string, unknown>,
  opts: { assetId?: string; pathPrefix: string },
): Promise<ValidatedValues> {
  const fields = await definitions(db, orgId, categoryId);
  const { json, index, errors } = checkValues(fields, input, opts.pathPrefix);
  if (errors.length) throw unprocessable('custom_fields.invalid', 'Some custom field values are not valid; see errors.', errors);

  const duplicates: FieldError[] = [];
  let first: { id: string; assetTag: string } | null = null;
  for (const e of index.filter((x) => x.field.unique)) {
    await repo.lockField(db, orgId, e.fieldId);
    const dup = await repo.findDuplicate(db, orgId, e.fieldId, e, opts.assetId);
    if (dup) {
      first ??= { id: dup.id, assetTag: dup.asset_tag };
      duplicates.push({ path: `${opts.pathPrefix}/${e.field.key}`, message: `is already used by ${dup.asset_tag}${dup.deleted_at ? ' (deleted)' : ''}`, code: 'duplicate' });
    }
  }
  if (first) {
    throw conflict('custom_fields.duplicate_value', `${duplicates.length === 1 ? 'A unique custom field value is' : 'Unique custom field values are'} already used by ${first.assetTag}.`, { conflict: first }, duplicates);
  }
  return { json, index: index.map(({ fieldId, valueText, valueNum }) => ({ fieldId, valueText, valueNum })) };
}

/** Replaces the asset's rows in `asset_field_values` (inside the caller's transaction). */
export async function writeIndex(trx: Executor, orgId: string, assetId: string, index: IndexEntry[]): Promise<void> {
  await repo.deleteValues(trx, orgId, assetId);
  await repo.insertValues(trx, index.map((e) => ({ org_id: orgId, asset_id: assetId, field_id: e.fieldId, value_text: e.valueText, value_num: e.valueNum })));
}

export { isFieldType };
