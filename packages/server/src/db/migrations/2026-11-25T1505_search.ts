import { sql, type Kysely } from 'kysely';
import { engineOfDb } from '../dialect.js';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * The asset list's search and sort support.
 *
 * Full text. Each asset has one `asset_search` row whose integer `id` is the asset's key in the
 * full-text index (stable across VACUUM, unlike an implicit SQLite rowid). The searched text is
 * tag, serial, name, model (name and number), manufacturer, assignee (the open assignment's user,
 * location or asset) and notes, produced by the view `asset_search_source`. DATABASE TRIGGERS keep
 * the index current on every write to assets, models (name/number), manufacturers (name),
 * assignments (open/close/target), users (display name) and locations (name), so no module has
 * to call the search module.
 * - SQLite: a contentless FTS5 table `assets_fts` (rowid = asset_search.id, contentless_delete so
 *   that rows can be removed; unicode61 without diacritics; prefix indexes for 2 to 6
 *   characters, so that a typed word of up to 6 letters reads one ready doclist lazily, in rowid
 *   order, instead of merging every matching term first: "lenovo"* 8.5 ms → 0.1 ms at a million
 *   assets, for a larger index, 220 MB instead of 138 MB).
 * - PostgreSQL: `asset_search.document` tsvector (`simple` configuration over the text with every
 *   character other than letters and digits replaced by a space, the same split as unicode61) with
 *   a GIN index.
 *
 * A migration that rebuilds `assets`, `assignments`, `models`, `manufacturers`, `users` or
 * `locations` on SQLite (create → copy → drop → rename) drops their triggers with the old table:
 * it must run `createTriggers` of this file again.
 *
 * Sorting. One `(org_id, column, id)` index per sortable column of the list that had none, so
 * that every sort is an index walk with the keyset tie-breaker for free; and the manufacturer
 * filter's index (also what a manufacturer rename's trigger needs).
 */
export async function up(db: AnyDb): Promise<void> {
  const engine = engineOfDb(db);

  for (const col of ['created_at', 'name', 'serial', 'lifecycle_state', 'purchase_date', 'purchase_cost_minor', 'warranty_end', 'eol_date']) {
    await db.schema.createIndex(`assets_sort_${col}_idx`).on('assets').columns(['org_id', col, 'id']).execute();
  }
  await db.schema.createIndex('assets_manufacturer_tag_idx').on('assets').columns(['org_id', 'manufacturer_id', 'asset_tag', 'id']).execute();
  // Timelines of a member read the user's events; custody writes events on users too.
  // (events_entity_idx (org_id, entity_type, entity_id, seq) already serves both timelines.)

  if (engine === 'postgres') await postgresUp(db);
  else await sqliteUp(db);
}

// ---------------------------------------------------------------------------------------------
// SQLite: FTS5

const SQLITE_SOURCE = `
create view asset_search_source as
select a.id as asset_id, a.org_id, a.model_id, a.manufacturer_id,
       a.asset_tag as tag, a.serial, a.name,
       trim(m.name || ' ' || coalesce(m.model_number, '')) as model,
       f.name as manufacturer,
       (select coalesce(u.display_name, l.name, t.asset_tag)
          from assignments g
          left join users u on u.id = g.target_user_id
          left join locations l on l.id = g.target_location_id
          left join assets t on t.id = g.target_asset_id
         where g.org_id = a.org_id and g.asset_id = a.id and g.returned_at is null) as assignee,
       a.notes
  from assets a
  join models m on m.id = a.model_id
  left join manufacturers f on f.id = a.manufacturer_id`;

const FTS_COLUMNS = 'tag, serial, name, model, manufacturer, assignee, notes';

/** Re-indexes the assets selected by `where` (a condition on asset_search_source `v`). */
const sqliteRefresh = (where: string) => `
  delete from assets_fts where rowid in (select s.id from asset_search s join asset_search_source v on v.asset_id = s.asset_id where ${where});
  insert into assets_fts(rowid, ${FTS_COLUMNS})
    select s.id, v.tag, v.serial, v.name, v.model, v.manufacturer, v.assignee, v.notes
      from asset_search_source v join asset_search s on s.asset_id = v.asset_id where ${where};`;

const differs = (cols: string[]) => cols.map((c) => `old.${c} is not new.${c}`).join(' or ');

async function sqliteUp(db: AnyDb): Promise<void> {
  await sql`create table asset_search (
    id integer primary key,
    org_id text not null,
    asset_id text not null unique
  )`.execute(db);
  await sql.raw(`create virtual table assets_fts using fts5(${FTS_COLUMNS}, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2', prefix='2 3 4 5 6')`).execute(db);
  await sql.raw(SQLITE_SOURCE).execute(db);
  // Existing assets, in id (= creation) order.
  await sql`insert into asset_search(org_id, asset_id) select org_id, id from assets order by id`.execute(db);
  await sql.raw(`insert into assets_fts(rowid, ${FTS_COLUMNS})
    select s.id, v.tag, v.serial, v.name, v.model, v.manufacturer, v.assignee, v.notes
      from asset_search s join asset_search_source v on v.asset_id = s.asset_id`).execute(db);
  await createTriggers(db);
}

/** The SQLite triggers that keep `assets_fts` current (re-run after rebuilding one of the tables). */
export async function createTriggers(db: AnyDb): Promise<void> {
  const assetCols = ['asset_tag', 'serial', 'name', 'model_id', 'manufacturer_id', 'notes'];
  const statements = [
    `create trigger assets_search_ai after insert on assets begin
       insert into asset_search(org_id, asset_id) values (new.org_id, new.id);
       insert into assets_fts(rowid, ${FTS_COLUMNS})
         select s.id, v.tag, v.serial, v.name, v.model, v.manufacturer, v.assignee, v.notes
           from asset_search_source v join asset_search s on s.asset_id = v.asset_id where v.asset_id = new.id;
     end`,
    `create trigger assets_search_au after update of ${assetCols.join(', ')} on assets when ${differs(assetCols)} begin
       ${sqliteRefresh('v.asset_id = new.id')}
     end`,
    // Assets checked out to this asset show its tag as their assignee.
    `create trigger assets_search_tag_au after update of asset_tag on assets when old.asset_tag is not new.asset_tag begin
       ${sqliteRefresh('v.asset_id in (select g.asset_id from assignments g where g.org_id = new.org_id and g.target_asset_id = new.id and g.returned_at is null)')}
     end`,
    `create trigger assets_search_ad after delete on assets begin
       delete from assets_fts where rowid = (select id from asset_search where asset_id = old.id);
       delete from asset_search where asset_id = old.id;
     end`,
    `create trigger models_search_au after update of name, model_number on models when ${differs(['name', 'model_number'])} begin
       ${sqliteRefresh('v.org_id = new.org_id and v.model_id = new.id')}
     end`,
    `create trigger manufacturers_search_au after update of name on manufacturers when old.name is not new.name begin
       ${sqliteRefresh('v.org_id = new.org_id and v.manufacturer_id = new.id')}
     end`,
    `create trigger assignments_search_ai after insert on assignments when new.returned_at is null begin
       ${sqliteRefresh('v.asset_id = new.asset_id')}
     end`,
    `create trigger assignments_search_au after update of returned_at, target_user_id, target_location_id, target_asset_id, asset_id on assignments begin
       ${sqliteRefresh('v.asset_id in (old.asset_id, new.asset_id)')}
     end`,
    `create trigger assignments_search_ad after delete on assignments when old.returned_at is null begin
       ${sqliteRefresh('v.asset_id = old.asset_id')}
     end`,
    // Users are global accounts: their open assignments are found per organization they belong to.
    `create trigger users_search_au after update of display_name on users when old.display_name is not new.display_name begin
       ${sqliteRefresh(`v.asset_id in (select g.asset_id from memberships ms join assignments g on g.org_id = ms.org_id and g.target_user_id = ms.user_id
                                        where ms.user_id = new.id and g.returned_at is null)`)}
     end`,
    `create trigger locations_search_au after update of name on locations when old.name is not new.name begin
       ${sqliteRefresh('v.asset_id in (select g.asset_id from assignments g where g.org_id = new.org_id and g.target_location_id = new.id and g.returned_at is null)')}
     end`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: tsvector + GIN

const PG_SOURCE = `
create view asset_search_source as
select a.id as asset_id, a.org_id, a.model_id, a.manufacturer_id,
       to_tsvector('simple', regexp_replace(concat_ws(' ', a.asset_tag, a.serial, a.name, m.name, m.model_number, f.name,
         (select coalesce(u.display_name, l.name, t.asset_tag)
            from assignments g
            left join users u on u.id = g.target_user_id
            left join locations l on l.id = g.target_location_id
            left join assets t on t.id = g.target_asset_id
           where g.org_id = a.org_id and g.asset_id = a.id and g.returned_at is null),
         a.notes), '[^[:alnum:]]+', ' ', 'g')) as document
  from assets a
  join models m on m.id = a.model_id
  left join manufacturers f on f.id = a.manufacturer_id`;

const pgRefresh = (where: string) =>
  `update asset_search s set document = v.document from asset_search_source v where v.asset_id = s.asset_id and (${where});`;

async function postgresUp(db: AnyDb): Promise<void> {
  await sql`create table asset_search (
    id bigint generated by default as identity primary key,
    org_id text not null,
    asset_id text not null unique,
    document tsvector not null
  )`.execute(db);
  await sql.raw(PG_SOURCE).execute(db);
  await sql`insert into asset_search(org_id, asset_id, document) select org_id, asset_id, document from asset_search_source order by asset_id`.execute(db);
  await sql`create index asset_search_document_idx on asset_search using gin (document)`.execute(db);
  // Newest-first walk of one organization's matches.
  await sql`create index asset_search_org_idx on asset_search (org_id, id)`.execute(db);
  // Prefix matches (LIKE 'x%') on tags, serials and location paths whatever the database collation.
  await sql`create index assets_tag_prefix_idx on assets (org_id, asset_tag text_pattern_ops)`.execute(db);
  await sql`create index assets_serial_prefix_idx on assets (org_id, serial text_pattern_ops)`.execute(db);
  await sql`create index locations_path_prefix_idx on locations (org_id, path text_pattern_ops)`.execute(db);

  const fn = (name: string, body: string) => sql.raw(`create function ${name}() returns trigger language plpgsql as $fn$
    begin
      ${body}
      return null;
    end $fn$`).execute(db);

  await fn('asset_search_asset_ins', `
      insert into asset_search(org_id, asset_id, document) select org_id, asset_id, document from asset_search_source where asset_id = new.id;`);
  await fn('asset_search_asset_upd', `
      ${pgRefresh('v.asset_id = new.id')}
      if old.asset_tag is distinct from new.asset_tag then
        ${pgRefresh('v.asset_id in (select g.asset_id from assignments g where g.org_id = new.org_id and g.target_asset_id = new.id and g.returned_at is null)')}
      end if;`);
  await fn('asset_search_asset_del', 'delete from asset_search where asset_id = old.id;');
  await fn('asset_search_model_upd', pgRefresh('v.org_id = new.org_id and v.model_id = new.id'));
  await fn('asset_search_manufacturer_upd', pgRefresh('v.org_id = new.org_id and v.manufacturer_id = new.id'));
  await fn('asset_search_assignment', `
      if tg_op <> 'INSERT' then ${pgRefresh('v.asset_id = old.asset_id')} end if;
      if tg_op <> 'DELETE' then ${pgRefresh('v.asset_id = new.asset_id')} end if;`);
  await fn('asset_search_user_upd', pgRefresh(`v.asset_id in (select g.asset_id from memberships ms join assignments g on g.org_id = ms.org_id and g.target_user_id = ms.user_id
                                                where ms.user_id = new.id and g.returned_at is null)`));
  await fn('asset_search_location_upd', pgRefresh('v.asset_id in (select g.asset_id from assignments g where g.org_id = new.org_id and g.target_location_id = new.id and g.returned_at is null)'));

  const assetCols = ['asset_tag', 'serial', 'name', 'model_id', 'manufacturer_id', 'notes'];
  const distinct = (cols: string[]) => cols.map((c) => `old.${c} is distinct from new.${c}`).join(' or ');
  const triggers = [
    'create trigger assets_search_ai after insert on assets for each row execute function asset_search_asset_ins()',
    `create trigger assets_search_au after update of ${assetCols.join(', ')} on assets for each row when (${distinct(assetCols)}) execute function asset_search_asset_upd()`,
    'create trigger assets_search_ad after delete on assets for each row execute function asset_search_asset_del()',
    `create trigger models_search_au after update of name, model_number on models for each row when (${distinct(['name', 'model_number'])}) execute function asset_search_model_upd()`,
    'create trigger manufacturers_search_au after update of name on manufacturers for each row when (old.name is distinct from new.name) execute function asset_search_manufacturer_upd()',
    'create trigger assignments_search_ai after insert on assignments for each row when (new.returned_at is null) execute function asset_search_assignment()',
    'create trigger assignments_search_au after update of returned_at, target_user_id, target_location_id, target_asset_id, asset_id on assignments for each row execute function asset_search_assignment()',
    'create trigger assignments_search_ad after delete on assignments for each row when (old.returned_at is null) execute function asset_search_assignment()',
    'create trigger users_search_au after update of display_name on users for each row when (old.display_name is distinct from new.display_name) execute function asset_search_user_upd()',
    'create trigger locations_search_au after update of name on locations for each row when (old.name is distinct from new.name) execute function asset_search_location_upd()',
  ];
  for (const t of triggers) await sql.raw(t).execute(db);
}

export async function down(db: AnyDb): Promise<void> {
  const engine = engineOfDb(db);
  const triggers: [string, string][] = [
    ['assets_search_ai', 'assets'], ['assets_search_au', 'assets'], ['assets_search_tag_au', 'assets'], ['assets_search_ad', 'assets'],
    ['models_search_au', 'models'], ['manufacturers_search_au', 'manufacturers'], ['assignments_search_ai', 'assignments'],
    ['assignments_search_au', 'assignments'], ['assignments_search_ad', 'assignments'], ['users_search_au', 'users'], ['locations_search_au', 'locations'],
  ];
  for (const [name, table] of triggers) {
    await sql.raw(engine === 'postgres' ? `drop trigger if exists ${name} on ${table}` : `drop trigger if exists ${name}`).execute(db);
  }
  if (engine === 'postgres') {
    for (const f of ['asset_search_asset_ins', 'asset_search_asset_upd', 'asset_search_asset_del', 'asset_search_model_upd', 'asset_search_manufacturer_upd',
      'asset_search_assignment', 'asset_search_user_upd', 'asset_search_location_upd']) {
      await sql.raw(`drop function if exists ${f}()`).execute(db);
    }
    for (const i of ['assets_tag_prefix_idx', 'assets_serial_prefix_idx', 'locations_path_prefix_idx']) await db.schema.dropIndex(i).execute();
  } else {
    await sql`drop table assets_fts`.execute(db);
  }
  await sql`drop view asset_search_source`.execute(db);
  await db.schema.dropTable('asset_search').execute();
  await db.schema.dropIndex('assets_manufacturer_tag_idx').execute();
  for (const col of ['created_at', 'name', 'serial', 'lifecycle_state', 'purchase_date', 'purchase_cost_minor', 'warranty_end', 'eol_date']) {
    await db.schema.dropIndex(`assets_sort_${col}_idx`).execute();
  }
}
