/**
 * The asset list and everything built on it: filters (incl. custom fields, location subtree,
 * assignee), sorts on any column with keyset pagination, full-text search, the streamed CSV
 * export, the global quick search and entity timelines. Saved views and bulk edit live in
 * views.service.ts and bulk.service.ts beside this file.
 */
import { parseJsonObject } from '../../lib/json.js';
import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { can, authorize, orgOf } from '../../authz/policies.js';
import { badRequest, forbidden, notFound, unprocessable, type FieldError } from '../../errors.js';
import { fullTextQuery, searchWords, type Engine } from '../../db/dialect.js';
import { UUID_RE } from '../../lib/ids.js';
import { toAssetDto } from '../assets/assets.service.js';
import { subtreePath } from '../catalog/catalog.service.js';
import { indexValue, isIsoDate, type FieldType } from '../fields/fields.service.js';
import * as events from '../events/events.service.js';
import {
  CF_PARAM_RE, DEFAULT_EXPORT_COLUMNS, EXPORT_COLUMNS, REF_SORT_COLUMNS, SORT_COLUMNS,
  type AssetListItemDto, type AssetListQueryInput, type AssetTimelineQueryInput, type ExportColumn, type ExportQueryInput,
  type FilterInput, type QuickSearchResultDto, type RefSortColumn, type SortColumn, type TimelineQueryInput,
} from './search.schemas.js';
import * as repo from './search.repository.js';
import { escapeFormula, writeCsv, writeXlsx, type OutCell } from '../imports/imports.write.js';

// ---------------------------------------------------------------------------------------------
// Items

const ASSIGNEE_TYPES = ['user', 'location', 'asset'] as const;
const isAssigneeType = (v: string | null): v is (typeof ASSIGNEE_TYPES)[number] => (ASSIGNEE_TYPES as readonly (string | null)[]).includes(v);

export function toListItem(r: repo.ListRow): AssetListItemDto {
  const assignee = isAssigneeType(r.assignee_type) && r.assignee_id ? { type: r.assignee_type, id: r.assignee_id, label: r.assignee_label ?? '' } : null;
  return { ...toAssetDto(r), assignee, customFields: parseJsonObject(r.custom_fields) };
}


// ---------------------------------------------------------------------------------------------
// Validating the query

interface FieldInfo { id: string; key: string; type: FieldType; categoryId: string; label: string }

/** Custom fields by key (one per category), restricted to one category when the list is. */
async function loadFields(db: Executor, orgId: string, keys: string[], categoryId: string | undefined): Promise<Map<string, FieldInfo[]>> {
  const out = new Map<string, FieldInfo[]>();
  if (!keys.length) return out;
  for (const f of await repo.fieldsByKey(db, orgId, [...new Set(keys)], categoryId)) {
    // Only the fields module writes the column, always from FIELD_TYPES.
    const info: FieldInfo = { id: f.id, key: f.key, type: f.type as FieldType, categoryId: f.category_id, label: f.label };
    out.set(f.key, [...(out.get(f.key) ?? []), info]);
  }
  return out;
}

const NUMERIC: readonly FieldType[] = ['number', 'money'];
const RANGE_TYPES: readonly FieldType[] = ['number', 'money', 'date', 'text', 'long_text', 'url', 'email', 'ip', 'mac', 'regex', 'select'];

/** The value column a field sorts and compares on. */
const valueColumn = (t: FieldType): repo.ValueColumn => (NUMERIC.includes(t) || t === 'boolean' ? 'value_num' : 'value_text');

/** A query operand normalised like the stored index value, or an error message. */
function operand(t: FieldType, raw: string, range: boolean): { value: string | number; column: repo.ValueColumn; op?: 'has' } | string {
  if (range && !RANGE_TYPES.includes(t)) return `a ${t} field has no range; use cf.<key>=value`;
  switch (t) {
    case 'number':
    case 'money': {
      const n = Number(raw.trim());
      return raw.trim() !== '' && Number.isFinite(n) ? { value: n, column: 'value_num' } : 'must be a number';
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(v)) return { value: 1, column: 'value_num' };
      if (['false', '0', 'no'].includes(v)) return { value: 0, column: 'value_num' };
      return 'must be true or false';
    }
    case 'date':
      return isIsoDate(raw.trim()) ? { value: raw.trim(), column: 'value_text' } : 'must be a date (YYYY-MM-DD)';
    case 'multi_select':
      return { value: raw.trim().toLowerCase(), column: 'value_text', op: 'has' };
    default: {
      const v = indexValue(t, raw.trim());
      return { value: v.valueText ?? '', column: 'value_text' };
    }
  }
}

export interface ParsedQuery {
  filter: repo.ListFilter;
  sort: repo.SortSpec;
  sortToken: string;
  text: repo.TextMatch | undefined;
  fields: Map<string, FieldInfo[]>;
}

interface ParseOptions {
  /** where the filters sit in the request: `/querystring` or `/body/definition/filters` */
  base: string;
  sortPath: string;
  /** views store filters: no permission or existence checks, which apply when they are used */
  stored?: boolean;
}

function textMatch(engine: Engine, q: string): repo.TextMatch | undefined {
  const trimmed = q.trim();
  if (!trimmed) return undefined;
  const words = searchWords(trimmed);
  const single = !/\s/.test(trimmed);
  const upper = trimmed.toUpperCase();
  return {
    fullText: words.length ? fullTextQuery(engine, words) : null,
    exact: single ? [...new Set([trimmed, upper])] : [],
    prefix: single && trimmed.length >= 2 ? upper : null,
  };
}

const qHash = (q: string) => createHash('sha256').update(q.trim()).digest('base64url').slice(0, 10);

/**
 * Validates filters and sort into a repository query. Errors: 422 with one entry per bad member
 * (unknown custom field, value of the wrong type, from after to), 403 for includeDeleted without
 * asset.delete, 404 for a location that is not the organization's.
 */
export async function parseQuery(ctx: Ctx, input: FilterInput & { sort?: string | null | undefined }, opts: ParseOptions): Promise<ParsedQuery> {
  const orgId = orgOf(ctx);
  const errors: FieldError[] = [];
  const str = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : undefined);

  // Custom-field parameters and the custom-field sort need the fields behind their keys.
  const cfParams: { param: string; key: string; bound?: 'from' | 'to'; raw: string }[] = [];
  for (const [param, raw] of Object.entries(input)) {
    const m = CF_PARAM_RE.exec(param);
    if (!m) continue;
    if (typeof raw !== 'string') {
      errors.push({ path: `${opts.base}/${param}`, message: 'must be a string', code: 'type' });
      continue;
    }
    cfParams.push({ param, key: m[1]!, ...(m[2] ? { bound: m[2] as 'from' | 'to' } : {}), raw });
  }
  const sortRaw = input.sort ?? undefined;
  const q = str('q')?.trim() || undefined;
  let sortName = sortRaw ?? (q ? 'relevance' : 'assetTag');
  if (sortName === 'relevance' && !q) sortName = 'assetTag';
  const desc = sortName.startsWith('-');
  const bare = desc ? sortName.slice(1) : sortName;
  const sortCfKey = bare.startsWith('cf.') ? bare.slice(3) : undefined;
  const categoryId = str('categoryId');
  const fields = await loadFields(ctx.db, orgId, [...cfParams.map((c) => c.key), ...(sortCfKey ? [sortCfKey] : [])], categoryId);

  const cf: repo.CfCondition[] = [];
  for (const c of cfParams) {
    const defs = fields.get(c.key);
    if (!defs?.length) {
      errors.push({ path: `${opts.base}/${c.param}`, message: `no custom field has the key "${c.key}"${categoryId ? ' in this category' : ''}`, code: 'unknown_field' });
      continue;
    }
    const groups: repo.CfCondition['groups'] = [];
    let lastError = '';
    for (const f of defs) {
      const o = operand(f.type, c.raw, !!c.bound);
      if (typeof o === 'string') {
        lastError = o;
        continue;
      }
      const op = o.op ?? (c.bound === 'from' ? '>=' : c.bound === 'to' ? '<=' : '=');
      const same = groups.find((g) => g.column === o.column && g.op === op && g.value === o.value);
      if (same) same.fieldIds.push(f.id);
      else groups.push({ fieldIds: [f.id], column: o.column, op, value: o.value });
    }
    if (!groups.length) errors.push({ path: `${opts.base}/${c.param}`, message: lastError, code: 'invalid_value' });
    else cf.push({ groups });
  }

  const ranges: repo.ListFilter['ranges'] = [];
  for (const [name, column] of [['warrantyEnd', 'warranty_end'], ['eolDate', 'eol_date'], ['purchaseDate', 'purchase_date']] as const) {
    const from = str(`${name}From`);
    const to = str(`${name}To`);
    if (from && to && from > to) errors.push({ path: `${opts.base}/${name}To`, message: `must not be before ${name}From`, code: 'range' });
    if (from || to) ranges.push({ column, from, to });
  }

  // Sort.
  let sort: repo.SortSpec = { kind: 'relevance' };
  if (bare === 'relevance') {
    if (desc) errors.push({ path: opts.sortPath, message: 'relevance has a fixed order; it cannot be reversed', code: 'invalid_sort' });
  } else if (sortCfKey) {
    const defs = fields.get(sortCfKey);
    if (!defs?.length) {
      errors.push({ path: opts.sortPath, message: `no custom field has the key "${sortCfKey}"${categoryId ? ' in this category' : ''}`, code: 'unknown_field' });
    } else {
      // A key holds one type in practice; if categories disagree, numbers win (text sorts them wrong).
      const column = defs.some((d) => valueColumn(d.type) === 'value_num') ? 'value_num' : 'value_text';
      sort = { kind: 'cf', fieldIds: defs.filter((d) => valueColumn(d.type) === column).map((d) => d.id), key: sortCfKey, column, desc };
    }
  } else if ((REF_SORT_COLUMNS as readonly string[]).includes(bare)) {
    sort = { kind: 'ref', key: repo.REF_SORTABLE[bare as RefSortColumn], desc };
  } else if ((SORT_COLUMNS as readonly string[]).includes(bare)) {
    const s = repo.SORTABLE[bare as SortColumn];
    sort = { kind: 'column', column: s.column, nullable: s.nullable, desc };
  } else {
    errors.push({ path: opts.sortPath, message: `cannot sort by "${bare}"`, code: 'invalid_sort' });
  }

  const states = Array.isArray(input.state) ? (input.state as string[]) : undefined;
  const includeDeleted = input.includeDeleted === true;
  if (errors.length) throw unprocessable('search.invalid_query', 'The list query is not valid; see errors.', errors);
  if (includeDeleted && !opts.stored && !can(ctx.actor, 'asset.delete')) throw forbidden('You need the "asset.delete" permission to list deleted assets.');

  let location: repo.ListFilter['location'];
  const locationId = str('locationId');
  if (locationId && !opts.stored) {
    const sub = input.includeSublocations !== false;
    location = { id: locationId, subtreePath: sub ? await subtreePath(ctx.db, orgId, locationId, `${opts.base}/locationId`) : null };
  }

  // Custom fields belong to categories: a custom-field filter only matches assets of a category
  // that has the field. When that is one category, say so, so that the list can walk the
  // category's (category, sort) index instead of the whole organization's sort order.
  let impliedCategory: string | undefined;
  if (!categoryId && cf.length) {
    const byField = new Map([...fields.values()].flat().map((d) => [d.id, d.categoryId]));
    const sets = cf.map((c) => new Set(c.groups.flatMap((g) => g.fieldIds.map((id) => byField.get(id)))));
    const common = [...(sets[0] ?? [])].filter((cat) => sets.every((set) => set.has(cat)));
    if (common.length === 1) impliedCategory = common[0];
  }

  const text = q ? textMatch(ctx.engine, q) : undefined;
  const filter: repo.ListFilter = {
    orgId,
    states: states?.length ? [...new Set(states)] : undefined,
    categoryId: categoryId ?? impliedCategory,
    modelId: str('modelId'),
    manufacturerId: str('manufacturerId'),
    supplierId: str('supplierId'),
    departmentId: str('departmentId'),
    location,
    assigneeUserId: str('assigneeUserId'),
    assigned: typeof input.assigned === 'boolean' ? input.assigned : undefined,
    ranges,
    cf,
    includeDeleted,
    // With relevance the tiers do the matching; with any other sort q is a filter.
    text: sort.kind === 'relevance' ? undefined : text,
  };
  // If q has neither letters/digits nor a usable tag, nothing can match.
  const sortToken = q ? `${desc ? '-' : ''}${bare}~${qHash(q)}` : `${desc ? '-' : ''}${bare}`;
  return { filter, sort, sortToken, text, fields };
}

// ---------------------------------------------------------------------------------------------
// Cursors: base64url(JSON [sortToken, segment, value, id]); a cursor only works with its sort (and q)

export function encodeCursor(sortToken: string, segment: number, value: string | number | null, id: string): string {
  return Buffer.from(JSON.stringify([sortToken, segment, value, id])).toString('base64url');
}

function invalidCursor(): never {
  throw badRequest('asset.invalid_cursor', 'The cursor is not valid for this list; start again from the first page.', [
    { path: '/querystring/cursor', message: 'is not a cursor of this list and sort order', code: 'invalid_cursor' },
  ]);
}

export function decodeCursor(sortToken: string, cursor: string): repo.Keyset {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    invalidCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) invalidCursor();
  const [s, segment, value, id] = parsed as unknown[];
  // A cursor remembers its sort order: reusing it under another order would skip or repeat rows.
  if (s !== sortToken || typeof segment !== 'number' || !Number.isInteger(segment) || segment < 0 || segment > 8) invalidCursor();
  if (!(value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) invalidCursor();
  if (typeof id !== 'string' || !UUID_RE.test(id)) invalidCursor();
  return { segment, value, id };
}

// ---------------------------------------------------------------------------------------------
// The list

export async function list(ctx: Ctx, q: AssetListQueryInput): Promise<{ items: AssetListItemDto[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'asset.read');
  const limit = q.limit ?? 50;
  const parsed = await parseQuery(ctx, q as FilterInput & { sort?: string }, { base: '/querystring', sortPath: '/querystring/sort' });
  const after = q.cursor ? decodeCursor(parsed.sortToken, q.cursor) : undefined;
  const rows = await repo.listPage(ctx.db, ctx.engine, { filter: parsed.filter, sort: parsed.sort, text: parsed.text, after, limit: limit + 1 }, false);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => toListItem(r.row)),
    nextCursor: rows.length > limit && last ? encodeCursor(parsed.sortToken, last.segment, last.row.sort_value, last.row.id) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// CSV and XLSX export

const COLUMN_LABELS: Record<ExportColumn, string> = {
  assetTag: 'Asset tag', name: 'Name', serial: 'Serial', lifecycleState: 'State', category: 'Category', manufacturer: 'Manufacturer',
  model: 'Model', location: 'Location', assignee: 'Assigned to', department: 'Department', supplier: 'Supplier',
  purchaseDate: 'Purchase date', purchaseCost: 'Purchase cost', currency: 'Currency', warrantyEnd: 'Warranty end', eolDate: 'End of life',
  orderNumber: 'Order number', invoiceNumber: 'Invoice number', notes: 'Notes', createdAt: 'Created', updatedAt: 'Updated', id: 'Id',
};

/** `columns=a,b&columns=c` → [a, b, c], validated; custom fields must exist. */
export async function parseColumns(db: Executor, orgId: string, raw: string[] | undefined, path: string): Promise<{ columns: string[]; fields: Map<string, FieldInfo[]> }> {
  const columns = raw?.length ? raw.flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean) : [...DEFAULT_EXPORT_COLUMNS];
  const errors: FieldError[] = [];
  const cfKeys: string[] = [];
  columns.forEach((c, i) => {
    const m = /^cf\.([a-z][a-z0-9_]{0,39})$/.exec(c);
    if (m) cfKeys.push(m[1]!);
    else if (!(EXPORT_COLUMNS as readonly string[]).includes(c)) errors.push({ path: `${path}/${i}`, message: `"${c}" is not a column (${EXPORT_COLUMNS.join(', ')}, cf.<key>)`, code: 'unknown_column' });
  });
  if (new Set(columns).size !== columns.length) errors.push({ path, message: 'names a column twice', code: 'duplicate' });
  const fields = await loadFields(db, orgId, cfKeys, undefined);
  columns.forEach((c, i) => {
    if (c.startsWith('cf.') && !fields.has(c.slice(3))) errors.push({ path: `${path}/${i}`, message: `no custom field has the key "${c.slice(3)}"`, code: 'unknown_field' });
  });
  if (errors.length) throw unprocessable('search.invalid_columns', 'The export columns are not valid; see errors.', errors);
  return { columns, fields };
}

/** A value as an export cell: numbers stay numbers, lists join with "; ", objects become JSON. */
function toCell(v: unknown): OutCell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  return typeof v === 'string' ? v : Array.isArray(v) ? v.map(String).join('; ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * Formula injection: a cell a spreadsheet would evaluate (starting with = + - @, tab or CR) gets a
 * leading apostrophe (imports.write's escapeFormula, shared by every CSV and XLSX writer). Numbers
 * are written as numbers and are not touched.
 */
export function safeCell(v: unknown): string | number {
  const c = toCell(v);
  return c === null ? '' : typeof c === 'number' ? c : escapeFormula(c);
}

function cellOf(item: AssetListItemDto, row: repo.ExportRow, column: string): unknown {
  switch (column as ExportColumn) {
    case 'assetTag': return item.assetTag;
    case 'name': return item.name;
    case 'serial': return item.serial;
    case 'lifecycleState': return item.lifecycleState;
    case 'category': return item.category.name;
    case 'manufacturer': return item.manufacturer?.name;
    case 'model': return item.model.name;
    case 'location': return item.location?.name;
    case 'assignee': return item.assignee?.label;
    case 'department': return row.department_name;
    case 'supplier': return row.supplier_name;
    case 'purchaseDate': return item.purchaseDate;
    case 'purchaseCost': return item.purchaseCost;
    case 'currency': return item.currency;
    case 'warrantyEnd': return item.warrantyEnd;
    case 'eolDate': return row.eol_date;
    case 'orderNumber': return row.order_number;
    case 'invoiceNumber': return row.invoice_number;
    case 'notes': return row.notes;
    case 'createdAt': return item.createdAt;
    case 'updatedAt': return item.updatedAt;
    case 'id': return item.id;
    default: return column.startsWith('cf.') ? item.customFields[column.slice(3)] : undefined;
  }
}

const EXPORT_PAGE = 500;

/** Columns written as dates in XLSX (ISO dates and timestamps become real date cells). */
const DATE_COLUMNS: ReadonlySet<string> = new Set<ExportColumn>(['purchaseDate', 'warrantyEnd', 'eolDate', 'createdAt', 'updatedAt']);

export interface FileExport {
  fileName: string;
  stream: Readable;
}

interface PreparedExport { header: string[]; columns: string[]; dateColumns: number[]; rows: AsyncGenerator<OutCell[]> }

/**
 * Validates the query and columns (problems are 4xx before the first byte), then yields the rows a
 * keyset page at a time (EXPORT_PAGE rows in memory at most, whatever the result size).
 */
async function prepareExport(ctx: Ctx, q: ExportQueryInput): Promise<PreparedExport> {
  authorize(ctx.actor, 'asset.read');
  const orgId = orgOf(ctx);
  const parsed = await parseQuery(ctx, q as FilterInput & { sort?: string }, { base: '/querystring', sortPath: '/querystring/sort' });
  const { columns, fields } = await parseColumns(ctx.db, orgId, q.columns, '/querystring/columns');
  const header = columns.map((c) => (c.startsWith('cf.') ? fields.get(c.slice(3))?.[0]?.label ?? c : COLUMN_LABELS[c as ExportColumn]));
  const dateColumns = columns.flatMap((c, i) => (DATE_COLUMNS.has(c) || (c.startsWith('cf.') && fields.get(c.slice(3))?.every((f) => f.type === 'date')) ? [i] : []));
  const { db, engine } = ctx;

  async function* rows(): AsyncGenerator<OutCell[]> {
    let after: repo.Keyset | undefined;
    for (;;) {
      const page = await repo.listPage(db, engine, { filter: parsed.filter, sort: parsed.sort, text: parsed.text, after, limit: EXPORT_PAGE }, true);
      for (const { row } of page) {
        const item = toListItem(row);
        yield columns.map((c) => toCell(cellOf(item, row, c)));
      }
      if (page.length < EXPORT_PAGE) return;
      const last = page[page.length - 1]!;
      after = { segment: last.segment, value: last.row.sort_value, id: last.row.id };
    }
  }
  return { header, columns, dateColumns, rows: rows() };
}

/** Runs a writer into a stream handed to the response; a failure mid-way ends the response early. */
function streamed(write: (out: PassThrough) => Promise<void>): Readable {
  const out = new PassThrough();
  write(out).catch((err: unknown) => { if (!out.destroyed) out.destroy(err instanceof Error ? err : new Error(String(err))); });
  return out;
}

const today = () => new Date().toISOString().slice(0, 10);

/** The list as CSV (UTF-8 with BOM, CRLF), streamed. */
export async function exportCsv(ctx: Ctx, q: ExportQueryInput): Promise<FileExport> {
  const { header, rows } = await prepareExport(ctx, q);
  return { fileName: `assets-${today()}.csv`, stream: streamed((out) => writeCsv(out, header, rows)) };
}

/** The list as an XLSX workbook (one sheet, bold frozen header, real dates and numbers), streamed. */
export async function exportXlsx(ctx: Ctx, q: ExportQueryInput): Promise<FileExport> {
  const { header, dateColumns, rows } = await prepareExport(ctx, q);
  return { fileName: `assets-${today()}.xlsx`, stream: streamed((out) => writeXlsx(out, 'Assets', header, rows, { dateColumns })) };
}

// ---------------------------------------------------------------------------------------------
// Global quick search (Ctrl-K)

const QUICK = 10;

export async function quickSearch(ctx: Ctx, input: { q: string }): Promise<QuickSearchResultDto> {
  authorize(ctx.actor, 'asset.read');
  const orgId = orgOf(ctx);
  const q = input.q.trim();
  if (!q) return { assets: [], people: [], locations: [] };
  const text = textMatch(ctx.engine, q);
  const filter: repo.ListFilter = { orgId, ranges: [], cf: [], includeDeleted: false };
  const rows = await repo.listPage(ctx.db, ctx.engine, { filter, sort: { kind: 'relevance' }, text, limit: QUICK }, false);
  const people = can(ctx.actor, 'member.read') ? await repo.searchPeople(ctx.db, orgId, q, QUICK) : [];
  let locations: QuickSearchResultDto['locations'] = [];
  if (can(ctx.actor, 'location.read')) {
    const found = await repo.searchLocations(ctx.db, orgId, q, QUICK);
    const ids = [...new Set(found.flatMap((l) => l.path.split('/').filter(Boolean)))];
    const names = new Map((await repo.locationNames(ctx.db, orgId, ids)).map((l) => [l.id, l.name]));
    locations = found.map((l) => ({ id: l.id, name: l.name, pathNames: l.path.split('/').filter(Boolean).map((id) => names.get(id) ?? '?') }));
  }
  return {
    assets: rows.map((r) => toListItem(r.row)),
    people: people.map((p) => ({ userId: p.user_id, displayName: p.display_name, email: p.email })),
    locations,
  };
}

// ---------------------------------------------------------------------------------------------
// Timelines

export async function assetTimeline(ctx: Ctx, assetId: string, q: AssetTimelineQueryInput) {
  authorize(ctx.actor, 'asset.read');
  const orgId = orgOf(ctx);
  if (q.includeDeleted && !can(ctx.actor, 'asset.delete')) throw forbidden('You need the "asset.delete" permission to see deleted assets.');
  if (!(await repo.assetExists(ctx.db, orgId, assetId, q.includeDeleted === true))) throw notFound('asset');
  return events.entityTimeline(ctx.db, orgId, 'asset', assetId, { cursor: q.cursor, limit: q.limit });
}

/** Events on a member (custody, role changes…) in this organization; also for former members. */
export async function memberTimeline(ctx: Ctx, userId: string, q: TimelineQueryInput) {
  authorize(ctx.actor, 'member.read');
  const orgId = orgOf(ctx);
  if (!(await repo.isMemberOrHasEvents(ctx.db, orgId, userId))) throw notFound('user');
  return events.entityTimeline(ctx.db, orgId, 'user', userId, { cursor: q.cursor, limit: q.limit });
}

