/**
 * The row pipeline shared by every target: mapped columns → typed cell values (per-column date
 * and number formats) → the target's row processor, a chunk of rows at a time. Dry run and commit
 * run the same code; the commit also writes. All-or-nothing commits hold one transaction for the
 * whole file; valid-only commits one transaction per batch that also advances the job's counters,
 * so after a crash the job row says exactly which batches are in.
 */
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { isLifecycleState, LIFECYCLE_STATES, type LifecycleState } from '../lifecycle/lifecycle.machine.js';
import { ROLE_DEFS, ROLES, type Role } from '../../authz/permissions.js';
import { parseBoolean, parseDate, parseNumber, type DateFormat, type NumberFormat } from './imports.values.js';
import { normHeader, type TargetField } from './imports.targets.js';

export type ImportMode = 'all-or-nothing' | 'valid-only';

export interface ImportOptions {
  mode: ImportMode;
  /** Plan (dry run) and create (commit) missing categories, models, manufacturers, locations, suppliers, departments by name. */
  createMissing: boolean;
  /** The field existing records are matched on: assets `assetTag` | `serial` | `externalId`; other targets their name/email. */
  matchBy: string;
  /** Update matched records (off: a matched row that would change something is an error). */
  updateExisting: boolean;
  /** Which system the External Id column's values come from (ids are unique per source). */
  externalIdSource: string;
  /** Rows per transaction in valid-only mode. */
  batchSize: number;
}

export const DEFAULT_OPTIONS: ImportOptions = {
  mode: 'all-or-nothing', createMissing: false, matchBy: '', updateExisting: true, externalIdSource: 'import', batchSize: 1000,
};

export interface ColumnFormat {
  date?: DateFormat | null;
  number?: NumberFormat | null;
  /** What detection found (shown next to the chosen format). */
  detected?: { date?: DateFormat | null; number?: NumberFormat | null; ambiguous: boolean };
}

export interface RowIssue { line: number; column: string | null; field: string | null; code: string; message: string }

export interface ColumnPlan { index: number; column: string; field: TargetField; date: DateFormat; number: NumberFormat }

interface ParsedCell { raw: string; value: unknown; column: string }

/** One data row after mapping and typing: a value per mapped field (empty cells are absent). */
export class ParsedRow {
  readonly cells = new Map<string, ParsedCell>();
  readonly issues: RowIssue[] = [];
  constructor(readonly line: number, private readonly columnOf: (field: string) => string | null) {}

  has(field: string): boolean { return this.cells.has(field); }
  /** The typed value of a field, or undefined when the column is unmapped or the cell empty. */
  get<T = string>(field: string): T | undefined { return this.cells.get(field)?.value as T | undefined; }
  raw(field: string): string | undefined { return this.cells.get(field)?.raw; }
  /** Reports a problem with a field's cell (or the whole row when `field` is null). */
  fail(field: string | null, code: string, message: string): void {
    this.issues.push({ line: this.line, column: field ? (this.cells.get(field)?.column ?? this.columnOf(field)) : null, field, code, message });
  }
  get ok(): boolean { return this.issues.length === 0; }
}

/** Snipe-IT status labels and other common words for lifecycle states. */
const STATE_WORDS: Record<string, LifecycleState> = {
  readytodeploy: 'in_stock', deployable: 'in_stock', available: 'in_stock', instock: 'in_stock', stock: 'in_stock', ready: 'in_stock', spare: 'in_stock',
  deployed: 'deployed', inuse: 'deployed', assigned: 'deployed', checkedout: 'deployed', active: 'deployed',
  pending: 'ordered', ordered: 'ordered', onorder: 'ordered',
  archived: 'retired', retired: 'retired', decommissioned: 'retired',
  broken: 'in_repair', outforrepair: 'in_repair', inrepair: 'in_repair', repair: 'in_repair', outforservice: 'in_repair',
  lost: 'missing', missing: 'missing', stolen: 'stolen', lostStolen: 'missing', loststolen: 'missing',
  pendingdisposition: 'pending_disposition', disposed: 'disposed', scrapped: 'disposed', recycled: 'disposed',
};

export function parseState(v: string): LifecycleState | null {
  const t = v.trim().toLowerCase().replace(/\s+/g, '_');
  if (isLifecycleState(t)) return t;
  return STATE_WORDS[normHeader(v)] ?? null;
}

export function parseRole(v: string): Role | null {
  const n = normHeader(v);
  return ROLES.find((r) => normHeader(r) === n || normHeader(ROLE_DEFS[r].label) === n) ?? null;
}

const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;

/** Builds the column plan from the mapping and the formats. */
export function planColumns(headerKeys: readonly string[], mapping: Record<string, string | null>, fields: readonly TargetField[], formats: Record<string, ColumnFormat>): ColumnPlan[] {
  const byKey = new Map(fields.map((x) => [x.key, x]));
  const out: ColumnPlan[] = [];
  headerKeys.forEach((column, index) => {
    const key = mapping[column];
    const field = key ? byKey.get(key) : undefined;
    if (!field) return;
    const fmt = formats[column] ?? {};
    out.push({ index, column, field, date: fmt.date ?? fmt.detected?.date ?? 'iso', number: fmt.number ?? fmt.detected?.number ?? 'dot' });
  });
  return out;
}

/** Types one cell; returns undefined (and reports) when it cannot be read. */
function typeCell(row: ParsedRow, c: ColumnPlan, raw: string): unknown {
  const f = c.field;
  const bad = (message: string, code = 'format') => { row.issues.push({ line: row.line, column: c.column, field: f.key, code, message }); return undefined; };
  if (f.maxLength !== undefined && raw.length > f.maxLength) return bad(`${f.label}: must be at most ${f.maxLength} characters (has ${raw.length})`, 'maxLength');
  switch (f.type) {
    case 'text': case 'long_text': case 'ref': case 'asset_class':
      return raw;
    case 'email':
      return EMAIL_RE.test(raw) ? raw : bad(`${f.label}: "${raw}" is not an email address`, 'email');
    case 'date': {
      const d = parseDate(raw, c.date);
      return d.ok ? d.value : bad(`${f.label}: ${d.message}`, 'date');
    }
    case 'money': case 'number': {
      const n = parseNumber(raw, c.number);
      return n.ok ? n.value : bad(`${f.label}: ${n.message}`, 'number');
    }
    case 'integer': {
      const n = parseNumber(raw.replace(/\s*(months?|mos?\.?|m)\s*$/i, ''), c.number);
      if (!n.ok) return bad(`${f.label}: ${n.message}`, 'number');
      return Number.isInteger(n.value) && n.value >= 0 ? n.value : bad(`${f.label}: must be a whole number ≥ 0`, 'integer');
    }
    case 'boolean': {
      const b = parseBoolean(raw);
      return b === null ? bad(`${f.label}: "${raw}" is not yes/no, true/false or 1/0`, 'boolean') : b;
    }
    case 'state': {
      const s = parseState(raw);
      return s ?? bad(`${f.label}: "${raw}" is not a lifecycle state (${LIFECYCLE_STATES.join(', ')})`, 'enum');
    }
    case 'role': {
      const r = parseRole(raw);
      return r ?? bad(`${f.label}: "${raw}" is not a role (${ROLES.join(', ')})`, 'enum');
    }
    case 'custom':
      // Typed per category by the asset processor (the same key may differ by category).
      return raw;
  }
}

/**
 * Exports prefix cells a spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab, CR) with `'`
 * (imports.write.escapeFormula); reading such a cell back drops that apostrophe, so an exported
 * `+44 20 …` or `-5` re-imports as it was.
 */
export const unescapeFormula = (v: string): string => (/^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v);

/** Maps and types one raw row. Ragged rows (more or fewer cells than headers) are reported. */
export function parseRow(line: number, cells: readonly string[], columns: readonly ColumnPlan[], headerCount: number, columnOf: (field: string) => string | null): ParsedRow {
  const row = new ParsedRow(line, columnOf);
  if (cells.length !== headerCount) {
    const extra = cells.length > headerCount && cells.slice(headerCount).some((c) => c.trim() !== '');
    if (extra || cells.length < headerCount) {
      row.fail(null, 'ragged_row', `The row has ${cells.length} cells but the header has ${headerCount} columns.`);
    }
  }
  for (const c of columns) {
    const raw = unescapeFormula(cells[c.index] ?? '').trim();
    if (!raw) continue;
    const value = typeCell(row, c, raw);
    if (value !== undefined) row.cells.set(c.field.key, { raw, value, column: c.column });
  }
  return row;
}

/** Counts of one chunk. */
export interface ChunkResult { created: number; updated: number; unchanged: number; failed: number }

/** What a target implements: preload once, then validate (and with `write`, apply) chunks in file order. */
export interface RowProcessor {
  prepare(db: Executor): Promise<void>;
  /** Validates the rows (their issues go into `row.issues`); with `write`, applies the valid ones with `db` (a transaction). */
  chunk(rows: ParsedRow[], db: Executor, write: boolean): Promise<ChunkResult>;
  /** New reference records the valid rows need (dry run report). */
  plannedReferences(): { kind: string; name: string }[];
  /** A batch rolled back: forget what was planned for it. */
  rollback?(): void;
  /** The commit indexes new records once at its end (dialect.deferAssetIndexing): the processor may write them differently. */
  bulkLoad?(): void;
}

export interface ProcessorContext {
  ctx: Ctx;
  orgId: string;
  jobId: string;
  options: ImportOptions;
  fields: readonly TargetField[];
  columns: readonly ColumnPlan[];
}
