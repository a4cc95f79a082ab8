import { sql, type Kysely } from 'kysely';
import { engineOfDb } from '../dialect.js';
import * as search from './2026-11-25T1505_search.js';
import * as sortKeys from './2026-11-25T1510_sort_keys.js';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * A cheaper write path for the asset register (issue 3's check-out benchmark).
 *
 * Sort keys (migration 1510). Every trigger recomputed the WHOLE `asset_sort_keys` row from the
 * view `asset_sort_source` (six joins and the assignee subquery) and so rewrote all seven key
 * indexes, whatever had changed: a check-out (new assignment + new location) did that twice. The
 * triggers now set only the key whose source changed: the asset's model, category, manufacturer,
 * location, supplier or department name when that reference changes, the assignee name when an
 * assignment opens, closes or changes target, and a renamed record's name on its assets. A
 * check-out now rewrites two key indexes instead of fourteen (SQLite rewrites only the indexes
 * over the assigned columns; PostgreSQL evaluates one lookup instead of the view). The insert and
 * delete triggers and the view stay as they were.
 *
 * Full text (migration 1505). The assignments trigger fired on any UPDATE naming its columns even
 * when none changed; it now has a WHEN clause like the others. Re-indexing one asset deletes its
 * index entry by its key instead of through the view (SQLite); an updated assignment re-indexes
 * its asset once instead of twice (PostgreSQL).
 *
 * Indexes. `assets_serial_idx (org_id, serial)` is covered by `assets_sort_serial_idx
 * (org_id, serial, id)` (1505): every lookup by serial (discovery matching, search, the serial
 * rule through `assets_serial_uq`) gets the same plan without it, and each write of a serial
 * maintained one index less.
 *
 * A migration that rebuilds `assets`, `assignments`, `models`, `manufacturers`, `categories`,
 * `users`, `locations`, `suppliers` or `departments` on SQLite (create → copy → drop → rename)
 * drops their triggers with the old table: it must run `createTriggers` of THIS file again (it
 * creates the complete current set of both the full-text and the sort-key triggers).
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('assets_serial_idx').execute();
  if (engineOfDb(db) === 'postgres') {
    await postgresUp(db);
  } else {
    for (const name of [...SQLITE_SEARCH_TRIGGERS, ...SQLITE_SORT_TRIGGERS_1510]) await sql.raw(`drop trigger if exists ${name}`).execute(db);
    await createTriggers(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  if (engineOfDb(db) === 'postgres') {
    await postgresDown(db);
  } else {
    for (const name of [...SQLITE_SEARCH_TRIGGERS, ...SQLITE_SORT_TRIGGERS]) await sql.raw(`drop trigger if exists ${name}`).execute(db);
    await search.createTriggers(db);
    await sortKeys.createTriggers(db);
  }
  await db.schema.createIndex('assets_serial_idx').on('assets').columns(['org_id', 'serial']).execute();
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

const KEYS = sortKeys.SORT_KEYS.join(', ');

/** Asset reference column → sort key and the table whose `name` it holds. */
const REFS = [
  { fk: 'model_id', key: 'model_name', table: 'models' },
  { fk: 'category_id', key: 'category_name', table: 'categories' },
  { fk: 'manufacturer_id', key: 'manufacturer_name', table: 'manufacturers' },
  { fk: 'location_id', key: 'location_name', table: 'locations' },
  { fk: 'supplier_id', key: 'supplier_name', table: 'suppliers' },
  { fk: 'department_id', key: 'department_name', table: 'departments' },
] as const;
/** Records whose rename changes one key of their assets (locations also change assignee names). */
const NAMED = REFS.filter((r) => r.table !== 'locations');

/**
 * The assignee sort key of the `asset_sort_keys` row being updated, as asset_sort_source computes it.
 * The statements name that table instead of giving it an alias: older SQLite builds (Debian 12's
 * sqlite3 3.40) refuse `update … as k` inside a trigger and then cannot open the database at all
 * ("malformed database schema"). Migration 2026-12-08T0900 re-creates the SQLite triggers
 * that had the alias; PostgreSQL accepts both forms, its functions were left as they were.
 */
const ASSIGNEE = `(select lower(coalesce(u.display_name, gl.name, t.asset_tag))
                     from assignments g
                     left join users u on u.id = g.target_user_id
                     left join locations gl on gl.id = g.target_location_id
                     left join assets t on t.id = g.target_asset_id
                    where g.org_id = asset_sort_keys.org_id and g.asset_id = asset_sort_keys.asset_id and g.returned_at is null)`;

/** Recomputes only the assignee key of the rows selected by `where` (a condition on `asset_sort_keys`). */
const setAssignee = (where: string) => `update asset_sort_keys set assignee_name = ${ASSIGNEE} where ${where};`;
/** Sets one key to a known value on the rows selected by `where`. */
const setKey = (key: string, value: string, where: string) => `update asset_sort_keys set ${key} = ${value} where ${where};`;

// Which sort-key rows a change touches (as in 1510).
const OWN = (fk: string) => `asset_sort_keys.org_id = new.org_id and asset_sort_keys.asset_id in (select a.id from assets a where a.org_id = new.org_id and a.${fk} = new.id)`;
const ASSIGNED_TO = (col: string) => `asset_sort_keys.asset_id in (select g.asset_id from assignments g where g.org_id = new.org_id and g.${col} = new.id and g.returned_at is null)`;
const USER_ASSIGNED = `asset_sort_keys.asset_id in (select g.asset_id from memberships ms join assignments g on g.org_id = ms.org_id and g.target_user_id = ms.user_id
                                     where ms.user_id = new.id and g.returned_at is null)`;

const ASSIGNMENT_COLS = ['returned_at', 'target_user_id', 'target_location_id', 'target_asset_id', 'asset_id'];
const SEARCH_ASSET_COLS = ['asset_tag', 'serial', 'name', 'model_id', 'manufacturer_id', 'notes'];

// ---------------------------------------------------------------------------------------------
// SQLite

const differs = (cols: readonly string[]) => cols.map((c) => `old.${c} is not new.${c}`).join(' or ');

const FTS_COLUMNS = 'tag, serial, name, model, manufacturer, assignee, notes';

/** Re-indexes the assets selected by `where` (a condition on asset_search_source `v`), as in 1505. */
const ftsRefresh = (where: string) => `
  delete from assets_fts where rowid in (select s.id from asset_search s join asset_search_source v on v.asset_id = s.asset_id where ${where});
  ${ftsInsert(where)}`;
/** Re-indexes one asset: its index entry is found by its key, the view is read once. */
const ftsRefreshOne = (assetId: string) => `
  delete from assets_fts where rowid = (select s.id from asset_search s where s.asset_id = ${assetId});
  ${ftsInsert(`v.asset_id = ${assetId}`)}`;
const ftsInsert = (where: string) => `insert into assets_fts(rowid, ${FTS_COLUMNS})
    select s.id, v.tag, v.serial, v.name, v.model, v.manufacturer, v.assignee, v.notes
      from asset_search_source v join asset_search s on s.asset_id = v.asset_id where ${where};`;

const SQLITE_SEARCH_TRIGGERS = [
  'assets_search_ai', 'assets_search_au', 'assets_search_tag_au', 'assets_search_ad', 'models_search_au', 'manufacturers_search_au',
  'assignments_search_ai', 'assignments_search_au', 'assignments_search_ad', 'users_search_au', 'locations_search_au',
];
const SQLITE_SORT_TRIGGERS_1510 = [
  'assets_sort_ai', 'assets_sort_au', 'assets_sort_ad', ...NAMED.map((r) => `${r.table}_sort_au`), 'locations_sort_au', 'users_sort_au',
  'assignments_sort_ai', 'assignments_sort_au', 'assignments_sort_ad',
];
/** The sort-key triggers `createTriggers` makes on SQLite. */
export const SQLITE_SORT_TRIGGERS = [
  'assets_sort_ai', ...REFS.map((r) => `assets_sort_${r.key}_au`), 'assets_sort_tag_au', 'assets_sort_ad', ...NAMED.map((r) => `${r.table}_sort_au`),
  'locations_sort_au', 'users_sort_au', 'assignments_sort_ai', 'assignments_sort_au', 'assignments_sort_ad',
];

/**
 * The SQLite triggers that keep `assets_fts` and `asset_sort_keys` current: the complete set
 * (re-run after rebuilding one of the tables they are on).
 */
export async function createTriggers(db: AnyDb): Promise<void> {
  for (const s of SEARCH_TRIGGER_STATEMENTS) await sql.raw(s).execute(db);
  await createSortTriggers(db);
}

/** The sort-key half of `createTriggers` (SQLITE_SORT_TRIGGERS). */
export async function createSortTriggers(db: AnyDb): Promise<void> {
  for (const s of SORT_TRIGGER_STATEMENTS) await sql.raw(s).execute(db);
}

const SEARCH_TRIGGER_STATEMENTS = [
  // ---- full text (1505, with the changes described above) ----
  `create trigger assets_search_ai after insert on assets begin
     insert into asset_search(org_id, asset_id) values (new.org_id, new.id);
     ${ftsInsert('v.asset_id = new.id')}
   end`,
  `create trigger assets_search_au after update of ${SEARCH_ASSET_COLS.join(', ')} on assets when ${differs(SEARCH_ASSET_COLS)} begin
     ${ftsRefreshOne('new.id')}
   end`,
  // Assets checked out to this asset show its tag as their assignee.
  `create trigger assets_search_tag_au after update of asset_tag on assets when old.asset_tag is not new.asset_tag begin
     ${ftsRefresh('v.asset_id in (select g.asset_id from assignments g where g.org_id = new.org_id and g.target_asset_id = new.id and g.returned_at is null)')}
   end`,
  `create trigger assets_search_ad after delete on assets begin
     delete from assets_fts where rowid = (select id from asset_search where asset_id = old.id);
     delete from asset_search where asset_id = old.id;
   end`,
  `create trigger models_search_au after update of name, model_number on models when ${differs(['name', 'model_number'])} begin
     ${ftsRefresh('v.org_id = new.org_id and v.model_id = new.id')}
   end`,
  `create trigger manufacturers_search_au after update of name on manufacturers when old.name is not new.name begin
     ${ftsRefresh('v.org_id = new.org_id and v.manufacturer_id = new.id')}
   end`,
  `create trigger assignments_search_ai after insert on assignments when new.returned_at is null begin
     ${ftsRefreshOne('new.asset_id')}
   end`,
  `create trigger assignments_search_au after update of ${ASSIGNMENT_COLS.join(', ')} on assignments when ${differs(ASSIGNMENT_COLS)} begin
     ${ftsRefreshOne('old.asset_id')}
     ${ftsRefresh('old.asset_id is not new.asset_id and v.asset_id = new.asset_id')}
   end`,
  `create trigger assignments_search_ad after delete on assignments when old.returned_at is null begin
     ${ftsRefreshOne('old.asset_id')}
   end`,
  // Users are global accounts: their open assignments are found per organization they belong to.
  `create trigger users_search_au after update of display_name on users when old.display_name is not new.display_name begin
     ${ftsRefresh(`v.asset_id in (select g.asset_id from memberships ms join assignments g on g.org_id = ms.org_id and g.target_user_id = ms.user_id
                                   where ms.user_id = new.id and g.returned_at is null)`)}
   end`,
  `create trigger locations_search_au after update of name on locations when old.name is not new.name begin
     ${ftsRefresh('v.asset_id in (select g.asset_id from assignments g where g.org_id = new.org_id and g.target_location_id = new.id and g.returned_at is null)')}
   end`,
];

// ---- sort keys: each trigger sets only the key whose source changed ----
const SORT_TRIGGER_STATEMENTS = [
  `create trigger assets_sort_ai after insert on assets begin
     insert into asset_sort_keys(asset_id, org_id, ${KEYS}) select asset_id, org_id, ${KEYS} from asset_sort_source where asset_id = new.id;
   end`,
  ...REFS.map((r) => `create trigger assets_sort_${r.key}_au after update of ${r.fk} on assets when old.${r.fk} is not new.${r.fk} begin
     ${setKey(r.key, `(select lower(x.name) from ${r.table} x where x.id = new.${r.fk})`, 'asset_sort_keys.asset_id = new.id')}
   end`),
  `create trigger assets_sort_tag_au after update of asset_tag on assets when old.asset_tag is not new.asset_tag begin
     ${setAssignee(ASSIGNED_TO('target_asset_id'))}
   end`,
  `create trigger assets_sort_ad after delete on assets begin
     delete from asset_sort_keys where asset_id = old.id;
   end`,
  ...NAMED.map((r) => `create trigger ${r.table}_sort_au after update of name on ${r.table} when old.name is not new.name begin
     ${setKey(r.key, 'lower(new.name)', OWN(r.fk))}
   end`),
  `create trigger locations_sort_au after update of name on locations when old.name is not new.name begin
     ${setKey('location_name', 'lower(new.name)', OWN('location_id'))}
     ${setAssignee(ASSIGNED_TO('target_location_id'))}
   end`,
  `create trigger users_sort_au after update of display_name on users when old.display_name is not new.display_name begin
     ${setAssignee(USER_ASSIGNED)}
   end`,
  `create trigger assignments_sort_ai after insert on assignments when new.returned_at is null begin
     ${setAssignee('asset_sort_keys.asset_id = new.asset_id')}
   end`,
  `create trigger assignments_sort_au after update of ${ASSIGNMENT_COLS.join(', ')} on assignments when ${differs(ASSIGNMENT_COLS)} begin
     ${setAssignee('asset_sort_keys.asset_id in (old.asset_id, new.asset_id)')}
   end`,
  `create trigger assignments_sort_ad after delete on assignments when old.returned_at is null begin
     ${setAssignee('asset_sort_keys.asset_id = old.asset_id')}
   end`,
];

// ---------------------------------------------------------------------------------------------
// PostgreSQL: same trigger names, new function bodies (and WHEN clauses where they were missing)

const distinct = (cols: readonly string[]) => cols.map((c) => `old.${c} is distinct from new.${c}`).join(' or ');

const fn = (db: AnyDb, name: string, body: string) => sql.raw(`create or replace function ${name}() returns trigger language plpgsql as $fn$
    begin
      ${body}
      return null;
    end $fn$`).execute(db);

const pgSearchRefresh = (where: string) =>
  `update asset_search s set document = v.document from asset_search_source v where v.asset_id = s.asset_id and (${where});`;

async function postgresUp(db: AnyDb): Promise<void> {
  // Full text: the assignments trigger gets its WHEN clause, and an update re-indexes its asset
  // once (it did twice: as the old and as the new row's asset).
  await fn(db, 'asset_search_assignment', `
      if tg_op <> 'INSERT' then ${pgSearchRefresh('v.asset_id = old.asset_id')} end if;
      if tg_op = 'INSERT' or (tg_op = 'UPDATE' and old.asset_id is distinct from new.asset_id) then ${pgSearchRefresh('v.asset_id = new.asset_id')} end if;`);
  await sql`drop trigger if exists assignments_search_au on assignments`.execute(db);
  await sql.raw(`create trigger assignments_search_au after update of ${ASSIGNMENT_COLS.join(', ')} on assignments for each row
    when (${distinct(ASSIGNMENT_COLS)}) execute function asset_search_assignment()`).execute(db);

  // Sort keys: the same triggers call functions that set only the key whose source changed.
  await fn(db, 'asset_sort_asset_upd', `
      ${REFS.map((r) => `if old.${r.fk} is distinct from new.${r.fk} then
        ${setKey(r.key, `(select lower(x.name) from ${r.table} x where x.id = new.${r.fk})`, 'asset_sort_keys.asset_id = new.id')}
      end if;`).join('\n      ')}
      if old.asset_tag is distinct from new.asset_tag then
        ${setAssignee(ASSIGNED_TO('target_asset_id'))}
      end if;`);
  for (const r of NAMED) await fn(db, `asset_sort_${r.table}_upd`, setKey(r.key, 'lower(new.name)', OWN(r.fk)));
  await fn(db, 'asset_sort_locations_upd', `${setKey('location_name', 'lower(new.name)', OWN('location_id'))}\n      ${setAssignee(ASSIGNED_TO('target_location_id'))}`);
  await fn(db, 'asset_sort_users_upd', setAssignee(USER_ASSIGNED));
  await fn(db, 'asset_sort_assignment', `
      if tg_op <> 'INSERT' then ${setAssignee('asset_sort_keys.asset_id = old.asset_id')} end if;
      if tg_op = 'INSERT' or (tg_op = 'UPDATE' and old.asset_id is distinct from new.asset_id) then ${setAssignee('asset_sort_keys.asset_id = new.asset_id')} end if;`);
  await sql`drop trigger if exists assignments_sort_au on assignments`.execute(db);
  await sql.raw(`create trigger assignments_sort_au after update of ${ASSIGNMENT_COLS.join(', ')} on assignments for each row
    when (${distinct(ASSIGNMENT_COLS)}) execute function asset_sort_assignment()`).execute(db);
}

/** The 1505/1510 definitions, for `down`. */
async function postgresDown(db: AnyDb): Promise<void> {
  await fn(db, 'asset_search_assignment', `
      if tg_op <> 'INSERT' then ${pgSearchRefresh('v.asset_id = old.asset_id')} end if;
      if tg_op <> 'DELETE' then ${pgSearchRefresh('v.asset_id = new.asset_id')} end if;`);
  await sql`drop trigger if exists assignments_search_au on assignments`.execute(db);
  await sql.raw(`create trigger assignments_search_au after update of ${ASSIGNMENT_COLS.join(', ')} on assignments for each row
    execute function asset_search_assignment()`).execute(db);

  const refresh = (where: string) => `
  update asset_sort_keys set (${KEYS}) = (select ${KEYS} from asset_sort_source v where v.asset_id = asset_sort_keys.asset_id) where ${where};`;
  await fn(db, 'asset_sort_asset_upd', `
      ${refresh('asset_sort_keys.asset_id = new.id')}
      if old.asset_tag is distinct from new.asset_tag then
        ${refresh(ASSIGNED_TO('target_asset_id'))}
      end if;`);
  for (const r of NAMED) await fn(db, `asset_sort_${r.table}_upd`, refresh(OWN(r.fk)));
  await fn(db, 'asset_sort_locations_upd', `${refresh(OWN('location_id'))}\n      ${refresh(ASSIGNED_TO('target_location_id'))}`);
  await fn(db, 'asset_sort_users_upd', refresh(USER_ASSIGNED));
  await fn(db, 'asset_sort_assignment', `
      if tg_op <> 'INSERT' then ${refresh('asset_sort_keys.asset_id = old.asset_id')} end if;
      if tg_op <> 'DELETE' then ${refresh('asset_sort_keys.asset_id = new.asset_id')} end if;`);
  await sql`drop trigger if exists assignments_sort_au on assignments`.execute(db);
  await sql.raw(`create trigger assignments_sort_au after update of ${ASSIGNMENT_COLS.join(', ')} on assignments for each row
    execute function asset_sort_assignment()`).execute(db);
}
