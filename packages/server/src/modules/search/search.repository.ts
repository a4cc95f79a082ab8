/**
 * The asset list's SQL: filters, sorts, keyset segments and full text, in single statements over
 * the asset register's tables (no N+1). Engine-specific pieces (FTS5 vs tsvector, prefix ranges,
 * planner steering) come from db/dialect.ts.
 */
import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { assetFullText, assetFullTextIds, containsCi, literalLimit, notIndexed, startsWith, steersPlans, type Engine } from '../../db/dialect.js';
import { withRefs, type AssetRow } from '../assets/assets.repository.js';

export type { AssetRow };

// ---------------------------------------------------------------------------------------------
// Resolved list query (the service validates the HTTP input into this)

export type ValueColumn = 'value_text' | 'value_num';

/** One custom-field condition: some of the key's fields (one per category) compared on one column. */
export interface CfCondition {
  groups: { fieldIds: string[]; column: ValueColumn; op: '=' | '>=' | '<=' | 'has'; value: string | number }[];
}

export interface ListFilter {
  orgId: string;
  states?: string[] | undefined;
  categoryId?: string | undefined;
  modelId?: string | undefined;
  manufacturerId?: string | undefined;
  supplierId?: string | undefined;
  departmentId?: string | undefined;
  /** exact location, or the subtree under `path` */
  location?: { id: string; subtreePath: string | null } | undefined;
  assigneeUserId?: string | undefined;
  assigned?: boolean | undefined;
  ranges: { column: 'warranty_end' | 'eol_date' | 'purchase_date'; from?: string | undefined; to?: string | undefined }[];
  cf: CfCondition[];
  includeDeleted: boolean;
  /** full-text match as a plain filter (with an explicit sort) */
  text?: TextMatch | undefined;
}

/** q, prepared: the engine's full-text query and the tag/serial candidates. */
export interface TextMatch {
  /** engine query string for `assetFullText`, or null when q has no letters or digits */
  fullText: string | null;
  /** exact tag/serial candidates (as typed, upper-cased); empty when q has whitespace */
  exact: string[];
  /** tag/serial prefix (upper-cased), null when q is multi-word or too short */
  prefix: string | null;
}

export type SortSpec =
  | { kind: 'column'; column: SortableColumn; nullable: boolean; desc: boolean }
  | { kind: 'cf'; fieldIds: string[]; key: string; column: ValueColumn; desc: boolean }
  | { kind: 'ref'; key: RefSortKey; desc: boolean }
  | { kind: 'relevance' };

export const SORTABLE = {
  assetTag: { column: 'asset_tag', nullable: false },
  name: { column: 'name', nullable: true },
  serial: { column: 'serial', nullable: true },
  lifecycleState: { column: 'lifecycle_state', nullable: false },
  purchaseDate: { column: 'purchase_date', nullable: true },
  purchaseCost: { column: 'purchase_cost_minor', nullable: true },
  warrantyEnd: { column: 'warranty_end', nullable: true },
  eolDate: { column: 'eol_date', nullable: true },
  createdAt: { column: 'created_at', nullable: false },
  updatedAt: { column: 'updated_at', nullable: false },
} as const;
export type SortableColumn = (typeof SORTABLE)[keyof typeof SORTABLE]['column'];

/** Sorts on referenced records' names: `asset_sort_keys` columns (trigger-maintained, lower-cased; migration 1510). */
export const REF_SORTABLE = {
  model: 'model_name',
  category: 'category_name',
  manufacturer: 'manufacturer_name',
  location: 'location_name',
  assignee: 'assignee_name',
  supplier: 'supplier_name',
  department: 'department_name',
} as const;
export type RefSortKey = (typeof REF_SORTABLE)[keyof typeof REF_SORTABLE];

/** Where the previous page ended: segment, the last row's sort value and id. */
export interface Keyset { segment: number; value: string | number | null; id: string }

// ---------------------------------------------------------------------------------------------
// Rows

export interface ListRow extends AssetRow {
  custom_fields: string;
  /** user | location | asset, or null when not checked out */
  assignee_type: string | null;
  assignee_id: string | null;
  /** display name, location name or asset tag */
  assignee_label: string | null;
  sort_value: string | number | null;
}

export interface ExportRow extends ListRow {
  notes: string | null;
  eol_date: string | null;
  order_number: string | null;
  invoice_number: string | null;
  supplier_name: string | null;
  department_name: string | null;
}

type AssetsEb = ExpressionBuilder<DB, 'assets'>;

/**
 * withRefs + the open assignment's target. The assignee comes from scalar subqueries (each one
 * lookup in assignments_open_uq) rather than four more joins: PostgreSQL reorders at most
 * join_collapse_limit (8) relations, and with the page's subquery that would leave it joining the
 * whole table before meeting the 50 ids.
 */
const listBase = (db: Executor, orgId: string, forExport: boolean) => {
  const open = (eb: ExpressionBuilder<DB, 'assets'>) => eb.selectFrom('assignments as g')
    .whereRef('g.org_id', '=', 'assets.org_id').whereRef('g.asset_id', '=', 'assets.id').where('g.returned_at', 'is', null);
  // Deleted assets are filtered (or not) by the page query.
  return withRefs(db, orgId, { includeDeleted: true })
    .select((eb) => [
      'assets.custom_fields',
      open(eb).select('g.target_type').as('assignee_type'),
      open(eb).select((e) => e.fn.coalesce('g.target_user_id', 'g.target_location_id', 'g.target_asset_id').as('id')).as('assignee_id'),
      open(eb)
        .leftJoin('users as gu', 'gu.id', 'g.target_user_id')
        .leftJoin('locations as gl', 'gl.id', 'g.target_location_id')
        .leftJoin('assets as ga', 'ga.id', 'g.target_asset_id')
        .select((e) => e.fn.coalesce('gu.display_name', 'gl.name', 'ga.asset_tag').as('label')).as('assignee_label'),
    ])
    .$if(forExport, (qb) => qb
      .leftJoin('suppliers', 'suppliers.id', 'assets.supplier_id')
      .leftJoin('departments', 'departments.id', 'assets.department_id')
      .select(['assets.notes', 'assets.eol_date', 'assets.order_number', 'assets.invoice_number', 'suppliers.name as supplier_name', 'departments.name as department_name']));
};

// ---------------------------------------------------------------------------------------------
// Steering (SQLite): which index drives a page.
//
// A page is either a WALK of the sort order (stop after `limit` matches: cheap when the filters
// match many rows) or DRIVEN by the most selective filter's index (read all its matches, sort
// them: cheap when they are few). SQLite's planner picks by static costs and often sorts 100 000
// rows for a 50-row page, so on SQLite the repository probes each filter's index (count up to
// `tuning.probeCap`, index only) and forces the choice: `notIndexed` hides every other
// index-usable term from the planner. PostgreSQL plans with statistics and LIMIT, and gets plain
// conditions.

/**
 * Steering thresholds (SQLite). probeCap: a filter's matches are read and sorted when fewer than
 * this, otherwise the sort order is walked. walkWindow: index entries a walk reads before the
 * driven fallback is considered. fallbackCap: a fallback driver with fewer matches than this is
 * read and sorted; with more, the walk goes on. Tests shrink them to exercise every path.
 */
export const tuning = { enabled: true, probeCap: 4000, walkWindow: 4000, fallbackCap: 60_000 };

type DriverKey = string;
/** null: no steering (PostgreSQL). */
interface Steer {
  /** the filter whose index drives, or null to walk the sort order */
  drive: DriverKey | null;
  /** while walking: the most selective filter (at least probeCap matches), for the fallback */
  best: DriverKey | null;
}

/** Equality filters that have an `(org_id, column, sort, id)` index per sort column (migrations 1300, 1505). */
const COMPOSITE: Partial<Record<SortableColumn, readonly DriverKey[]>> = {
  asset_tag: ['state1', 'category', 'model', 'locationExact', 'manufacturer'],
  updated_at: ['state1', 'category', 'model', 'locationExact'],
};

/** Each index-usable filter as a driver candidate. */
const drivers = (f: ListFilter, engine: Engine) => filterSpecs(f, engine).filter((c): c is FilterSpec & { key: DriverKey } => !!c.key);

/** Matches of one filter, counted through its index up to `cap` (index only where possible). */
async function probe(db: Executor, f: ListFilter, engine: Engine, key: DriverKey, cap: number): Promise<number> {
  const d = drivers(f, engine).find((x) => x.key === key);
  if (!d) return Infinity;
  if (d.count) return d.count(db, cap);
  return countUpTo(db, db.selectFrom('assets').select(one).where('assets.org_id', '=', f.orgId).where((eb) => d.build(eb as unknown as AssetsEb, noIx)), cap);
}

/** Filters a walk of this segment's index evaluates from the index itself (composite or range on the sort column). */
const walkVisible = (seg: Segment | undefined): DriverKey[] =>
  seg?.column && !seg.join ? [...(COMPOSITE[seg.column] ?? []), `range:${seg.column}`] : [];

async function chooseSteer(db: Executor, f: ListFilter, engine: Engine, plan: Plan): Promise<Steer | null> {
  if (!steersPlans(engine) || !tuning.enabled) return null;
  const candidates = drivers(f, engine);
  // A single plain sort whose index already holds every filter (e.g. state + updatedAt): the walk
  // reads only matching entries, whatever their number. Nothing to probe.
  const visible = new Set(walkVisible(plan.segments[0]));
  if (plan.segments.length === 1 && candidates.every((d) => visible.has(d.key))) return { drive: null, best: null };
  let best: { key: DriverKey; n: number } | null = null;
  for (const d of candidates) {
    const n = await probe(db, f, engine, d.key, tuning.probeCap);
    if (!best || n < best.n) best = { key: d.key, n };
    if (n < 50) break;
  }
  return best && best.n < tuning.probeCap ? { drive: best.key, best: best.key } : { drive: null, best: best?.key ?? null };
}

// ---------------------------------------------------------------------------------------------
// Filters

type Ix = <T>(e: Expression<T>) => Expression<T>;

interface FilterSpec {
  /** driver key when the filter can drive a plan through an index */
  key?: DriverKey;
  build: (eb: AssetsEb, ix: Ix) => Expression<SqlBool>;
  /** counts the filter's matches up to `cap` from its own index (default: through `build` on assets) */
  count?: (db: Executor, cap: number) => Promise<number>;
}

/** `select count(*) from (<rows> limit cap)`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any single-table select of `1`
async function countUpTo(db: Executor, rows: SelectQueryBuilder<DB, any, { one: number }>, cap: number): Promise<number> {
  const row = await db.selectFrom(rows.limit(cap).as('p')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
const one = sql<number>`1`.as('one');

/**
 * A custom-field condition. As the driver (or unsteered): `assets.id IN (the value index range)`.
 * While walking another order: a correlated lookup of the value row by its primary key, one per
 * row, instead of materializing every matching id first.
 */
function cfCondition(eb: AssetsEb, orgId: string, c: CfCondition, walking: boolean): Expression<SqlBool> {
  return eb.or(c.groups.map((g) => {
    const rows = eb.selectFrom('asset_field_values as v').select('v.asset_id')
      .where('v.org_id', '=', orgId)
      .where('v.field_id', 'in', g.fieldIds)
      .where((e) => (g.op === 'has'
        // multi-select values are stored as |a|b|; options cannot contain "|", "%" or "_" is escaped
        ? e('v.value_text', 'like', sql<string>`${`%|${String(g.value).replace(/[\\%_]/g, (ch) => `\\${ch}`)}|%`} escape '\\'`)
        : e(`v.${g.column}`, g.op, g.value)));
    if (!walking) return eb('assets.id', 'in', rows);
    // A correlated count rather than EXISTS: SQLite would otherwise build a Bloom filter over
    // every matching value row before the walk's first step.
    const n = rows.clearSelect().select((e) => e.fn.countAll<number>().as('n')).whereRef('v.asset_id', '=', 'assets.id');
    return eb(n, '>', 0);
  }));
}

/** The filters of a list query, each with the way to hide its index from the planner. */
function filterSpecs(f: ListFilter, engine: Engine): FilterSpec[] {
  const out: FilterSpec[] = [];
  if (!f.includeDeleted) out.push({ build: (eb) => eb('assets.deleted_at', 'is', null) });
  if (f.states?.length === 1) {
    const state = f.states[0]!;
    out.push({ key: 'state1', build: (eb, ix) => eb(ix(eb.ref('assets.lifecycle_state')), '=', state) });
  } else if (f.states?.length) {
    const states = f.states;
    out.push({ key: 'states', build: (eb, ix) => eb(ix(eb.ref('assets.lifecycle_state')), 'in', states) });
  }
  const eq = (key: DriverKey, col: 'category_id' | 'model_id' | 'manufacturer_id' | 'supplier_id' | 'department_id' | 'location_id', v: string | undefined) => {
    if (v) out.push({ key, build: (eb, ix) => eb(ix(eb.ref(`assets.${col}`)), '=', v) });
  };
  eq('category', 'category_id', f.categoryId);
  eq('model', 'model_id', f.modelId);
  eq('manufacturer', 'manufacturer_id', f.manufacturerId);
  eq('supplier', 'supplier_id', f.supplierId);
  eq('department', 'department_id', f.departmentId);
  if (f.location) {
    const { id, subtreePath } = f.location;
    if (subtreePath === null) eq('locationExact', 'location_id', id);
    else {
      out.push({
        key: 'locationTree',
        build: (eb, ix) => eb(ix(eb.ref('assets.location_id')), 'in', eb.selectFrom('locations as sub').select('sub.id')
          .where('sub.org_id', '=', f.orgId).where((e) => startsWith(e, e.ref('sub.path'), subtreePath, engine))),
      });
    }
  }
  if (f.assigneeUserId) {
    const user = f.assigneeUserId;
    out.push({
      key: 'assignee',
      build: (eb, ix) => eb(ix(eb.ref('assets.id')), 'in', eb.selectFrom('assignments as ga').select('ga.asset_id')
        .where('ga.org_id', '=', f.orgId).where('ga.target_user_id', '=', user).where('ga.returned_at', 'is', null)),
      count: (db, cap) => countUpTo(db, db.selectFrom('assignments').select(one)
        .where('org_id', '=', f.orgId).where('target_user_id', '=', user).where('returned_at', 'is', null), cap),
    });
  }
  if (f.assigned !== undefined) {
    const assigned = f.assigned;
    const open = (eb: AssetsEb) => eb.exists(eb.selectFrom('assignments as go').select('go.id')
      .whereRef('go.org_id', '=', 'assets.org_id').whereRef('go.asset_id', '=', 'assets.id').where('go.returned_at', 'is', null));
    out.push(assigned
      ? {
        key: 'assigned',
        // Driving: the open assignments (assignments_open_uq); walking: one lookup per row.
        build: (eb, ix) => (ix === noIx ? eb('assets.id', 'in', eb.selectFrom('assignments as go').select('go.asset_id')
          .where('go.org_id', '=', f.orgId).where('go.returned_at', 'is', null)) : open(eb)),
        count: (db, cap) => countUpTo(db, db.selectFrom('assignments').select(one).where('org_id', '=', f.orgId).where('returned_at', 'is', null), cap),
      }
      : { build: (eb) => eb.not(open(eb)) });
  }
  for (const r of f.ranges) {
    const col = r.column;
    out.push({
      key: `range:${col}`,
      build: (eb, ix) => eb.and([
        ...(r.from !== undefined ? [eb(ix(eb.ref(`assets.${col}`)), '>=', r.from)] : []),
        ...(r.to !== undefined ? [eb(ix(eb.ref(`assets.${col}`)), '<=', r.to)] : []),
      ]),
    });
  }
  f.cf.forEach((c, i) => out.push({
    key: `cf:${i}`,
    build: (eb, ix) => cfCondition(eb, f.orgId, c, ix !== noIx),
    // The value index alone (one group is enough for an estimate).
    count: (db, cap) => {
      const g = c.groups[0]!;
      return countUpTo(db, db.selectFrom('asset_field_values as v').select(one).where('v.org_id', '=', f.orgId).where('v.field_id', 'in', g.fieldIds)
        .where((e) => (g.op === 'has' ? e('v.value_text', 'is not', null) : e(`v.${g.column}`, g.op, g.value))), cap);
    },
  }));
  const text = f.text;
  if (text) {
    out.push({
      key: 'text',
      build: (eb, ix) => textFilter(eb, text, engine, ix),
      // The full-text matches (streamed, not materialized); tag/serial matches are few in comparison.
      count: (db, cap) => (text.fullText
        ? countUpTo(db, db.selectFrom(sql<{ id: number }>`${assetFullTextIds(engine, text.fullText)}`.as('m')).select(one), cap)
        : Promise.resolve(0)),
    });
  }
  return out;
}

/** Exact tag/serial match (T0). */
const exactMatch = (eb: AssetsEb, t: TextMatch, ix: Ix) => eb.or([eb(ix(eb.ref('assets.asset_tag')), 'in', t.exact), eb(ix(eb.ref('assets.serial')), 'in', t.exact)]);
/** …and its negation, null-safe (a NULL serial is "not equal"). */
const notExact = (eb: AssetsEb, t: TextMatch) =>
  t.exact.length ? eb.and([eb('assets.asset_tag', 'not in', t.exact), eb.or([eb('assets.serial', 'is', null), eb('assets.serial', 'not in', t.exact)])]) : sql<SqlBool>`1 = 1`;
const tagPrefix = (eb: AssetsEb, t: TextMatch, engine: Engine, ix: Ix) => startsWith(eb, ix(eb.ref('assets.asset_tag')), t.prefix ?? '', engine);
const serialPrefix = (eb: AssetsEb, t: TextMatch, engine: Engine, ix: Ix) => startsWith(eb, ix(eb.ref('assets.serial')), t.prefix ?? '', engine);
const noIx: Ix = (e) => e;

/** q as a plain filter (explicit sort): exact or prefix tag/serial, or a full-text match. */
function textFilter(eb: AssetsEb, t: TextMatch, engine: Engine, ix: Ix): Expression<SqlBool> {
  const any: Expression<SqlBool>[] = [];
  if (t.exact.length) any.push(exactMatch(eb, t, ix));
  if (t.prefix) any.push(tagPrefix(eb, t, engine, ix), serialPrefix(eb, t, engine, ix));
  if (t.fullText) {
    const ids = assetFullTextIds(engine, t.fullText);
    any.push(ix === noIx
      ? eb('assets.id', 'in', eb.selectFrom('asset_search').select('asset_search.asset_id').where(sql.ref('asset_search.id'), 'in', ids))
      // Walking another order: look up this asset's key and test it against the match set (integers,
      // built once) instead of materializing every matching asset id.
      : eb(eb.selectFrom('asset_search').select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('asset_search.asset_id', '=', 'assets.id').where(sql.ref('asset_search.id'), 'in', ids), '>', 0));
  }
  return any.length ? eb.or(any) : sql<SqlBool>`1 = 0`;
}

// ---------------------------------------------------------------------------------------------
// Segments: a sort is one or more keyset-ordered segments read one after the other (values, then
// empty values; or the relevance tiers). Each segment is one index walk (or one driven read).

interface Segment {
  /** restricts the query to the segment (ix hides its index when another filter drives) */
  where: (eb: AssetsEb, ix: Ix) => Expression<SqlBool>;
  /** the sort value (null for the empty-values segment) */
  value: Expression<string | number | null> | null;
  /** the value alone is unique (tag, full-text key): no id tie-breaker (FTS5 could not order by one) */
  unique?: boolean;
  /** the tie-breaker (assets.id, or an equal column that the driving index orders by) */
  id: Expression<string>;
  desc: boolean;
  join?: 'cf' | 'fulltext' | 'keys';
  /** the sort column, when a composite (filter, sort) index may serve a walk */
  column?: SortableColumn;
  /** matches nothing whatever the filters (a relevance tier q has no part for): not queried */
  empty?: boolean;
}

interface Plan {
  segments: Segment[];
  cf?: { fieldIds: string[]; key: string; column: ValueColumn } | undefined;
  fullText?: string | undefined;
}

const idRef = sql.ref<string>('assets.id');
const never = sql<SqlBool>`1 = 0`;

function planSort(sort: SortSpec, text: TextMatch | undefined, engine: Engine): Plan {
  if (sort.kind === 'relevance') {
    const t = text ?? { fullText: null, exact: [], prefix: null };
    const tag = sql.ref<string>('assets.asset_tag');
    const serial = sql.ref<string>('assets.serial');
    // T0 exact tag or serial; T1 tag prefix; T2 serial prefix; T3 full text, newest first. Each
    // later tier excludes what an earlier one matched.
    const segs: Segment[] = [
      // (exact lookups are always the most selective index: never hidden)
      { where: (eb) => (t.exact.length ? exactMatch(eb, t, noIx) : never), value: tag, unique: true, id: idRef, desc: false, empty: !t.exact.length },
      { where: (eb, ix) => (t.prefix ? eb.and([tagPrefix(eb, t, engine, ix), notExact(eb, t)]) : never), value: tag, unique: true, id: idRef, desc: false, empty: !t.prefix },
      {
        where: (eb, ix) => (t.prefix ? eb.and([serialPrefix(eb, t, engine, ix), eb.not(tagPrefix(eb, t, engine, noIx)), notExact(eb, t)]) : never),
        value: serial, id: idRef, desc: false, empty: !t.prefix,
      },
      {
        where: (eb) => {
          if (!t.fullText) return never;
          const conds: Expression<SqlBool>[] = [notExact(eb, t)];
          if (t.prefix) conds.push(eb.not(tagPrefix(eb, t, engine, noIx)), eb.or([eb('assets.serial', 'is', null), eb.not(serialPrefix(eb, t, engine, noIx))]));
          return eb.and(conds);
        },
        value: t.fullText ? assetFullText(engine, t.fullText).key : null, unique: true, id: idRef, desc: true, join: 'fulltext', empty: !t.fullText,
      },
    ];
    return { segments: segs, fullText: t.fullText ?? undefined };
  }

  const segs: Segment[] = [];
  // With q and an explicit sort, exact tag/serial matches still come first.
  if (text?.exact.length) segs.push({ where: (eb) => exactMatch(eb, text, noIx), value: sql.ref<string>('assets.asset_tag'), unique: true, id: idRef, desc: false });
  const rest = (eb: AssetsEb) => (text?.exact.length ? notExact(eb, text) : sql<SqlBool>`1 = 1`);

  if (sort.kind === 'ref') {
    // asset_sort_keys (1:1, joined), ordered by its (org_id, key, asset_id) index: names, then
    // the assets without one, each walk with the key's own asset_id as the tie-breaker.
    const v = sql.ref<string | null>(`sk.${sort.key}`);
    const skId = sql.ref<string>('sk.asset_id');
    segs.push({ where: (eb, ix) => eb.and([eb(ix(v), 'is not', null), rest(eb)]), value: v, id: skId, desc: sort.desc, join: 'keys' });
    segs.push({ where: (eb, ix) => eb.and([eb(ix(v), 'is', null), rest(eb)]), value: null, id: skId, desc: sort.desc, join: 'keys' });
    return { segments: segs };
  }

  if (sort.kind === 'column') {
    const col = sql.ref<string | number | null>(`assets.${sort.column}`);
    segs.push({
      where: (eb, ix) => (sort.nullable ? eb.and([eb(ix(col), 'is not', null), rest(eb)]) : rest(eb)),
      // Tags are unique (assets_org_tag_uq): no tie-breaker, so the walk needs no table row for it.
      value: col, unique: sort.column === 'asset_tag', id: idRef, desc: sort.desc, column: sort.column,
    });
    if (sort.nullable) segs.push({ where: (eb, ix) => eb.and([eb(ix(col), 'is', null), rest(eb)]), value: null, id: idRef, desc: sort.desc });
    return { segments: segs };
  }

  // cf: assets with a value (joined, ordered by the value index), then the ones without.
  const v = sql.ref<string | number | null>(`cfs.${sort.column}`);
  segs.push({ where: (eb, ix) => eb.and([eb(ix(v), 'is not', null), rest(eb)]), value: v, id: sql.ref<string>('cfs.asset_id'), desc: sort.desc, join: 'cf' });
  segs.push({
    where: (eb) => eb.and([eb.not(eb.exists(cfValueRows(eb, sort.fieldIds, sort.key, sort.column))), rest(eb)]),
    value: null, id: idRef, desc: sort.desc,
  });
  return { segments: segs, cf: { fieldIds: sort.fieldIds, key: sort.key, column: sort.column } };
}

/** The asset's value row for the sort key: its own category's field when the key has several. */
function cfValueRows(eb: AssetsEb, fieldIds: string[], key: string, column: ValueColumn) {
  let q = eb.selectFrom('asset_field_values as cfn').select('cfn.asset_id')
    .whereRef('cfn.org_id', '=', 'assets.org_id').whereRef('cfn.asset_id', '=', 'assets.id')
    .where(`cfn.${column}`, 'is not', null);
  q = fieldIds.length === 1
    ? q.where('cfn.field_id', '=', fieldIds[0]!)
    : q.where('cfn.field_id', '=', ownCategoryField(eb, key));
  return q;
}

/** The id of the field with `key` in the asset's category (custom_fields_category_key_uq). */
const ownCategoryField = (eb: AssetsEb, key: string) =>
  eb.selectFrom('custom_fields as cfk').select('cfk.id')
    .whereRef('cfk.org_id', '=', 'assets.org_id').whereRef('cfk.category_id', '=', 'assets.category_id').where('cfk.key', '=', key);

// ---------------------------------------------------------------------------------------------
// Reading a page

export interface PageRequest {
  filter: ListFilter;
  sort: SortSpec;
  /** q for relevance tiers (with sort relevance) */
  text?: TextMatch | undefined;
  after?: Keyset | undefined;
  limit: number;
}

/**
 * Reads up to `limit` rows after `after`, crossing segments as needed. Each returned row carries
 * its segment index (for the next cursor).
 */
export async function listPage<E extends boolean>(db: Executor, engine: Engine, req: PageRequest, forExport: E):
Promise<{ row: E extends true ? ExportRow : ListRow; segment: number }[]> {
  const plan = planSort(req.sort, req.text, engine);
  const steer = await chooseSteer(db, req.filter, engine, plan);
  const out: { row: E extends true ? ExportRow : ListRow; segment: number }[] = [];
  const start = req.after?.segment ?? 0;
  for (let s = start; s < plan.segments.length && out.length < req.limit; s++) {
    const seg = plan.segments[s]!;
    // A multi-word q has no exact or prefix tier: building and compiling each of their queries
    // (the list's joins included) cost more than the page's own query.
    if (seg.empty) continue;
    const after = req.after && req.after.segment === s ? req.after : undefined;
    const rows = await readSegment(db, engine, req.filter, plan, seg, steer, after, req.limit - out.length, forExport);
    for (const row of rows) out.push({ row: row as E extends true ? ExportRow : ListRow, segment: s });
  }
  return out;
}

/**
 * One segment. Without steering (PostgreSQL) one query. On SQLite, a driven plan is one query; a
 * walk of a column's (or a custom field's value) index first reads a window of `tuning.walkWindow`
 * index entries. When that
 * window holds fewer matches than the page needs (the filters are individually common but rare
 * together, or rare at this end of the sort order, e.g. laptops among the earliest warranty ends),
 * the rest of the page is driven by the most selective filter if it has under
 * `tuning.fallbackCap` matches; otherwise the walk continues. (Full-text walks have no window:
 * their driven form tests every match, which costs more than the walk it would replace.)
 */
async function readSegment(db: Executor, engine: Engine, f: ListFilter, plan: Plan, seg: Segment, steer: Steer | null, after: Keyset | undefined, limit: number, forExport: boolean) {
  const base = { db, engine, f, plan, seg, forExport };
  if (!steer || steer.drive || !steer.best || !(seg.column || seg.join === 'cf' || seg.join === 'keys')) return segmentQuery({ ...base, mode: steer?.drive ? { drive: steer.drive } : steer ? 'walk' : 'plain', after, limit }).execute();
  // The window's last entry (index only); none: the rest of the walk is shorter than the window.
  const boundaryRow = await segmentInner({ ...base, mode: 'walk', after, limit: 1, offset: tuning.walkWindow - 1, boundary: true }).inner.executeTakeFirst();
  if (!boundaryRow) return segmentQuery({ ...base, mode: 'walk', after, limit }).execute();
  const boundary: Keyset = { segment: 0, value: boundaryRow.sort_value, id: boundaryRow.pid };
  const rows = await segmentQuery({ ...base, mode: 'walk', after, upTo: boundary, limit }).execute();
  if (rows.length >= limit) return rows;
  const rest = limit - rows.length;
  const driver = (await probe(db, f, engine, steer.best, tuning.fallbackCap)) < tuning.fallbackCap ? steer.best : null;
  const more = await segmentQuery({ ...base, mode: driver ? { drive: driver } : 'walk', after: boundary, limit: rest }).execute();
  return [...rows, ...more];
}

interface SegmentQuery {
  db: Executor;
  engine: Engine;
  f: ListFilter;
  plan: Plan;
  seg: Segment;
  forExport: boolean;
  /** plain: no steering; walk: the sort order's index; drive: that filter's index */
  mode: 'plain' | 'walk' | { drive: DriverKey };
  after: Keyset | undefined;
  /** inclusive end of a walk window */
  upTo?: Keyset;
  limit: number;
  offset?: number;
  /** only the walk's own conditions (the window boundary): ids and sort values, no filters */
  boundary?: boolean;
}

/**
 * The SQL of one segment in two steps ("late materialization"): the ids and sort values of the
 * page from `assets` alone (and the sort's own join), then the joins for those rows only. A
 * driven plan therefore sorts bare ids, not fully joined rows.
 */
function segmentInner(o: SegmentQuery) {
  const { db, engine, f, plan, seg, mode } = o;
  const driven = typeof mode === 'object';
  const steered = mode !== 'plain';
  const hide: Ix = (e) => notIndexed(engine, e);
  // Which terms the planner may use: in a driven plan only the driver's; in a walk the sort
  // order's and the composite-index filters'; without steering, everything.
  const visible = new Set<DriverKey>(driven ? [mode.drive] : steered ? walkVisible(seg) : []);
  const ixFilter = (key: DriverKey | undefined): Ix => (!steered || (key && visible.has(key)) ? noIx : hide);
  const ixOrder: Ix = driven ? hide : noIx;
  const value = seg.value ? ixOrder(seg.value) : null;
  const id = ixOrder(seg.id);

  let q = db.selectFrom('assets').where('assets.org_id', '=', f.orgId);
  if (seg.join === 'cf' && plan.cf) {
    const cf = plan.cf;
    q = q.innerJoin('asset_field_values as cfs', (j) => {
      const on = j.onRef('cfs.org_id', '=', 'assets.org_id').onRef('cfs.asset_id', '=', 'assets.id');
      return cf.fieldIds.length === 1 ? on.on('cfs.field_id', '=', cf.fieldIds[0]!) : on.on('cfs.field_id', 'in', cf.fieldIds).on((eb) => eb('cfs.field_id', '=', ownCategoryField(eb as unknown as AssetsEb, cf.key)));
    });
  }
  if (seg.join === 'keys') {
    // sk.org_id spelled out (not only through assets.org_id) so that both planners see the index's prefix.
    q = q.innerJoin('asset_sort_keys as sk', (j) => j.onRef('sk.asset_id', '=', 'assets.id').on('sk.org_id', '=', f.orgId));
  }
  let keyExpr = value;
  if (seg.join === 'fulltext' && plan.fullText) {
    q = q.innerJoin('asset_search', 'asset_search.asset_id', 'assets.id');
    if (driven) {
      // Another index drives: test membership in the (materialized) match set instead.
      q = q.where(hide(sql.ref<number>('asset_search.id')), 'in', assetFullTextIds(engine, plan.fullText));
      keyExpr = hide(sql.ref<number>('asset_search.id'));
    } else {
      q = assetFullText(engine, plan.fullText).apply(q);
    }
  }
  const specs = filterSpecs(f, engine).filter((c) => !o.boundary || (c.key && visible.has(c.key)));
  let inner = q
    .select([sql<string>`${id}`.as('pid'), sql<string | number | null>`${keyExpr ?? sql`null`}`.as('sort_value')])
    .where((eb) => eb.and([
      ...specs.map((c) => c.build(eb as unknown as AssetsEb, ixFilter(c.key))),
      seg.where(eb as unknown as AssetsEb, ixOrder),
    ]));
  const cmp = seg.desc ? '<' : '>';
  if (o.after) {
    const { value: v0, id: id0 } = o.after;
    if (keyExpr && v0 !== null) {
      const k = keyExpr;
      // (v, id) > (v0, id0) spelled out (row values are not portable), preceded by the redundant
      // v >= v0 that gives both planners a plain range on the index.
      // The OR's terms are hidden from SQLite, which would otherwise turn it into two index
      // ranges and sort their union.
      const kh = hide(k);
      inner = seg.unique
        ? inner.where(k, cmp, v0)
        : inner.where(k, seg.desc ? '<=' : '>=', v0).where((eb) => eb.or([eb(kh, cmp, v0), eb.and([eb(kh, '=', v0), eb(hide(id), cmp, id0)])]));
    } else {
      inner = inner.where(id, cmp, id0);
    }
  }
  if (o.upTo) {
    // …and (v, id) <= (v1, id1): the window's end.
    const { value: v1, id: id1 } = o.upTo;
    const back = seg.desc ? '>' : '<';
    if (keyExpr && v1 !== null) {
      const k = keyExpr;
      const kh = hide(k);
      inner = seg.unique
        ? inner.where(k, seg.desc ? '>=' : '<=', v1)
        : inner.where(k, seg.desc ? '>=' : '<=', v1).where((eb) => eb.or([eb(kh, back, v1), eb.and([eb(kh, '=', v1), eb(hide(id), seg.desc ? '>=' : '<=', id1)])]));
    } else {
      inner = inner.where(id, seg.desc ? '>=' : '<=', id1);
    }
  }
  const dir: 'asc' | 'desc' = seg.desc ? 'desc' : 'asc';
  if (keyExpr) inner = inner.orderBy(keyExpr, dir);
  if (!seg.unique || !keyExpr) inner = inner.orderBy(id, dir);
  inner = inner.limit(literalLimit(o.limit));
  if (o.offset) inner = inner.offset(o.offset);
  return { inner, keyExpr, dir };
}

function segmentQuery(o: SegmentQuery) {
  const { inner, keyExpr, dir } = segmentInner(o);
  // Ordered by the page's own columns, so that SQLite drives from the page's rows (ordering by
  // assets.id would let it walk the whole table by id and look the page up instead).
  let outer = listBase(o.db, o.f.orgId, o.forExport)
    .innerJoin(inner.as('page'), 'page.pid', 'assets.id')
    .select('page.sort_value');
  if (keyExpr) outer = outer.orderBy('page.sort_value', dir);
  return outer.orderBy('page.pid', dir);
}

// ---------------------------------------------------------------------------------------------
// Lookups for validation and quick search

export const fieldsByKey = (db: Executor, orgId: string, keys: string[], categoryId?: string) => {
  let q = db.selectFrom('custom_fields').select(['id', 'key', 'type', 'category_id', 'label']).where('org_id', '=', orgId).where('key', 'in', keys);
  if (categoryId) q = q.where('category_id', '=', categoryId);
  return q.execute();
};

export const assetExists = async (db: Executor, orgId: string, id: string, includeDeleted: boolean): Promise<boolean> => {
  let q = db.selectFrom('assets').select('id').where('org_id', '=', orgId).where('id', '=', id);
  if (!includeDeleted) q = q.where('deleted_at', 'is', null);
  return !!(await q.executeTakeFirst());
};

export const listByIds = (db: Executor, orgId: string, ids: string[]): Promise<ListRow[]> =>
  ids.length
    ? listBase(db, orgId, false).select(sql<null>`null`.as('sort_value')).where('assets.id', 'in', ids).execute()
    : Promise.resolve([]);

export const searchPeople = (db: Executor, orgId: string, q: string, limit: number) =>
  db.selectFrom('memberships').innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id as user_id', 'users.display_name', 'users.email'])
    .where('memberships.org_id', '=', orgId)
    .where((eb) => eb.or([containsCi(eb, eb.ref('users.display_name'), q), containsCi(eb, eb.ref('users.email'), q)]))
    .orderBy('users.display_name').orderBy('users.id').limit(limit).execute();

export const searchLocations = (db: Executor, orgId: string, q: string, limit: number) =>
  db.selectFrom('locations').select(['id', 'name', 'path'])
    .where('org_id', '=', orgId).where((eb) => containsCi(eb, eb.ref('name'), q))
    .orderBy('path').limit(limit).execute();

export const locationNames = (db: Executor, orgId: string, ids: string[]) =>
  ids.length ? db.selectFrom('locations').select(['id', 'name']).where('org_id', '=', orgId).where('id', 'in', ids).execute() : Promise.resolve([]);

export const isMemberOrHasEvents = async (db: Executor, orgId: string, userId: string): Promise<boolean> => {
  const m = await db.selectFrom('memberships').select('user_id').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
  if (m) return true;
  const e = await db.selectFrom('events').select('id').where('org_id', '=', orgId).where('entity_type', '=', 'user').where('entity_id', '=', userId).limit(1).executeTakeFirst();
  return !!e;
};

// ---------------------------------------------------------------------------------------------
// Saved views

export interface ViewRow {
  id: string;
  org_id: string;
  user_id: string;
  entity: string;
  name: string;
  definition: string;
  shared: number;
  created_at: string;
  updated_at: string;
  owner_name: string;
}

const viewBase = (db: Executor, orgId: string) =>
  db.selectFrom('saved_views').innerJoin('users', 'users.id', 'saved_views.user_id')
    .selectAll('saved_views').select('users.display_name as owner_name')
    .where('saved_views.org_id', '=', orgId);

/** The caller's own views and everyone's shared ones. */
export const listViews = (db: Executor, orgId: string, userId: string, entity: string): Promise<ViewRow[]> =>
  viewBase(db, orgId).where('saved_views.entity', '=', entity)
    .where((eb) => eb.or([eb('saved_views.user_id', '=', userId), eb('saved_views.shared', '=', 1)]))
    .orderBy('saved_views.name').orderBy('saved_views.id').execute();

export const findView = (db: Executor, orgId: string, id: string): Promise<ViewRow | undefined> =>
  viewBase(db, orgId).where('saved_views.id', '=', id).executeTakeFirst();

export const findViewByName = (db: Executor, orgId: string, userId: string, entity: string, name: string, exceptId?: string) => {
  let q = db.selectFrom('saved_views').select(['id', 'name']).where('org_id', '=', orgId).where('user_id', '=', userId)
    .where('entity', '=', entity).where('name', '=', name);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.executeTakeFirst();
};

export const insertView = (db: Executor, row: Omit<ViewRow, 'owner_name'>) => db.insertInto('saved_views').values(row).execute();

export const updateView = (db: Executor, orgId: string, id: string, patch: Partial<Pick<ViewRow, 'name' | 'definition' | 'shared' | 'updated_at'>>) =>
  db.updateTable('saved_views').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const deleteView = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('saved_views').where('org_id', '=', orgId).where('id', '=', id).execute();

// ---------------------------------------------------------------------------------------------
// Transactions

/**
 * Runs `fn` inside a savepoint of `trx`: on error the savepoint is rolled back (so a failed
 * statement on PostgreSQL does not poison the rest of the transaction) and the error rethrown.
 */
export async function inSavepoint<T>(trx: Executor, name: string, fn: () => Promise<T>): Promise<T> {
  const sp: RawBuilder<unknown> = sql.raw(name);
  await sql`savepoint ${sp}`.execute(trx);
  try {
    const out = await fn();
    await sql`release savepoint ${sp}`.execute(trx);
    return out;
  } catch (err) {
    await sql`rollback to savepoint ${sp}`.execute(trx);
    await sql`release savepoint ${sp}`.execute(trx);
    throw err;
  }
}
