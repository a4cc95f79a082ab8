import { sql, type Kysely } from 'kysely';
import { engineOfDb } from '../dialect.js';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * Sorting the asset list by the names of referenced records: model, category, manufacturer,
 * location (the asset's own location), assignee (the open assignment's user, location or asset
 * tag), supplier and department.
 *
 * Each asset has one `asset_sort_keys` row holding those names lower-cased (null when there is
 * none), with an `(org_id, key, asset_id)` index per key, so that each of these sorts is an index
 * walk with the keyset tie-breaker for free, as the asset's own columns are. The row is computed
 * by the view `asset_sort_source` and kept current by DATABASE TRIGGERS at the same points as the
 * full-text triggers of the search migration (1505), plus categories, locations as the asset's
 * location, suppliers and departments. They are separate triggers on a separate table, so that
 * the two sets do not depend on each other's firing order.
 *
 * A migration that rebuilds `assets`, `assignments`, `models`, `manufacturers`, `categories`,
 * `users`, `locations`, `suppliers` or `departments` on SQLite (create → copy → drop → rename)
 * drops their triggers with the old table: it must run `createTriggers` of this file again (and
 * that of the search migration).
 */
export const SORT_KEYS = ['model_name', 'category_name', 'manufacturer_name', 'location_name', 'assignee_name', 'supplier_name', 'department_name'] as const;

const SOURCE = `
create view asset_sort_source as
select a.id as asset_id, a.org_id,
       lower(m.name) as model_name,
       lower(c.name) as category_name,
       lower(f.name) as manufacturer_name,
       lower(l.name) as location_name,
       lower((select coalesce(u.display_name, gl.name, t.asset_tag)
                from assignments g
                left join users u on u.id = g.target_user_id
                left join locations gl on gl.id = g.target_location_id
                left join assets t on t.id = g.target_asset_id
               where g.org_id = a.org_id and g.asset_id = a.id and g.returned_at is null)) as assignee_name,
       lower(s.name) as supplier_name,
       lower(d.name) as department_name
  from assets a
  left join models m on m.id = a.model_id
  left join categories c on c.id = a.category_id
  left join manufacturers f on f.id = a.manufacturer_id
  left join locations l on l.id = a.location_id
  left join suppliers s on s.id = a.supplier_id
  left join departments d on d.id = a.department_id`;

const KEYS = SORT_KEYS.join(', ');

/** Recomputes the keys of the assets selected by `where` (a condition on `asset_sort_keys k`). */
const refresh = (where: string) => `
  update asset_sort_keys as k set (${KEYS}) = (select ${KEYS} from asset_sort_source v where v.asset_id = k.asset_id) where ${where};`;

// Which asset rows a change touches.
const OWN = (fk: string) => `k.org_id = new.org_id and k.asset_id in (select a.id from assets a where a.org_id = new.org_id and a.${fk} = new.id)`;
const ASSIGNED_TO = (col: string) => `k.asset_id in (select g.asset_id from assignments g where g.org_id = new.org_id and g.${col} = new.id and g.returned_at is null)`;
const USER_ASSIGNED = `k.asset_id in (select g.asset_id from memberships ms join assignments g on g.org_id = ms.org_id and g.target_user_id = ms.user_id
                                     where ms.user_id = new.id and g.returned_at is null)`;
const ASSET_COLS = ['asset_tag', 'model_id', 'category_id', 'manufacturer_id', 'location_id', 'supplier_id', 'department_id'];
const ASSIGNMENT_COLS = 'returned_at, target_user_id, target_location_id, target_asset_id, asset_id';
const named = ['models', 'categories', 'manufacturers', 'suppliers', 'departments'] as const;
const fkOf: Record<(typeof named)[number], string> = {
  models: 'model_id', categories: 'category_id', manufacturers: 'manufacturer_id', suppliers: 'supplier_id', departments: 'department_id',
};

export async function up(db: AnyDb): Promise<void> {
  const engine = engineOfDb(db);
  await sql.raw(`create table asset_sort_keys (
    asset_id text not null primary key,
    org_id text not null,
    ${SORT_KEYS.map((k) => `${k} text`).join(',\n    ')}
  )`).execute(db);
  await sql.raw(SOURCE).execute(db);
  await sql.raw(`insert into asset_sort_keys(asset_id, org_id, ${KEYS}) select asset_id, org_id, ${KEYS} from asset_sort_source`).execute(db);
  for (const k of SORT_KEYS) {
    await db.schema.createIndex(`asset_sort_keys_${k}_idx`).on('asset_sort_keys').columns(['org_id', k, 'asset_id']).execute();
  }
  if (engine === 'postgres') await postgresUp(db);
  else await createTriggers(db);
}

const differs = (cols: string[]) => cols.map((c) => `old.${c} is not new.${c}`).join(' or ');

/** The SQLite triggers that keep `asset_sort_keys` current (re-run after rebuilding one of the tables). */
export async function createTriggers(db: AnyDb): Promise<void> {
  const statements = [
    `create trigger assets_sort_ai after insert on assets begin
       insert into asset_sort_keys(asset_id, org_id, ${KEYS}) select asset_id, org_id, ${KEYS} from asset_sort_source where asset_id = new.id;
     end`,
    `create trigger assets_sort_au after update of ${ASSET_COLS.join(', ')} on assets when ${differs(ASSET_COLS)} begin
       ${refresh('k.asset_id = new.id')}
       ${refresh(`(old.asset_tag is not new.asset_tag) and ${ASSIGNED_TO('target_asset_id')}`)}
     end`,
    `create trigger assets_sort_ad after delete on assets begin
       delete from asset_sort_keys where asset_id = old.id;
     end`,
    ...named.map((t) => `create trigger ${t}_sort_au after update of name on ${t} when old.name is not new.name begin
       ${refresh(OWN(fkOf[t]))}
     end`),
    `create trigger locations_sort_au after update of name on locations when old.name is not new.name begin
       ${refresh(OWN('location_id'))}
       ${refresh(ASSIGNED_TO('target_location_id'))}
     end`,
    `create trigger users_sort_au after update of display_name on users when old.display_name is not new.display_name begin
       ${refresh(USER_ASSIGNED)}
     end`,
    `create trigger assignments_sort_ai after insert on assignments when new.returned_at is null begin
       ${refresh('k.asset_id = new.asset_id')}
     end`,
    `create trigger assignments_sort_au after update of ${ASSIGNMENT_COLS} on assignments begin
       ${refresh('k.asset_id in (old.asset_id, new.asset_id)')}
     end`,
    `create trigger assignments_sort_ad after delete on assignments when old.returned_at is null begin
       ${refresh('k.asset_id = old.asset_id')}
     end`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}

async function postgresUp(db: AnyDb): Promise<void> {
  const fn = (name: string, body: string) => sql.raw(`create function ${name}() returns trigger language plpgsql as $fn$
    begin
      ${body}
      return null;
    end $fn$`).execute(db);

  await fn('asset_sort_asset_ins', `
      insert into asset_sort_keys(asset_id, org_id, ${KEYS}) select asset_id, org_id, ${KEYS} from asset_sort_source where asset_id = new.id;`);
  await fn('asset_sort_asset_upd', `
      ${refresh('k.asset_id = new.id')}
      if old.asset_tag is distinct from new.asset_tag then
        ${refresh(ASSIGNED_TO('target_asset_id'))}
      end if;`);
  await fn('asset_sort_asset_del', 'delete from asset_sort_keys where asset_id = old.id;');
  for (const t of named) await fn(`asset_sort_${t}_upd`, refresh(OWN(fkOf[t])));
  await fn('asset_sort_locations_upd', `${refresh(OWN('location_id'))}\n      ${refresh(ASSIGNED_TO('target_location_id'))}`);
  await fn('asset_sort_users_upd', refresh(USER_ASSIGNED));
  await fn('asset_sort_assignment', `
      if tg_op <> 'INSERT' then ${refresh('k.asset_id = old.asset_id')} end if;
      if tg_op <> 'DELETE' then ${refresh('k.asset_id = new.asset_id')} end if;`);

  const distinct = (cols: string[]) => cols.map((c) => `old.${c} is distinct from new.${c}`).join(' or ');
  const triggers = [
    'create trigger assets_sort_ai after insert on assets for each row execute function asset_sort_asset_ins()',
    `create trigger assets_sort_au after update of ${ASSET_COLS.join(', ')} on assets for each row when (${distinct(ASSET_COLS)}) execute function asset_sort_asset_upd()`,
    'create trigger assets_sort_ad after delete on assets for each row execute function asset_sort_asset_del()',
    ...named.map((t) => `create trigger ${t}_sort_au after update of name on ${t} for each row when (old.name is distinct from new.name) execute function asset_sort_${t}_upd()`),
    'create trigger locations_sort_au after update of name on locations for each row when (old.name is distinct from new.name) execute function asset_sort_locations_upd()',
    'create trigger users_sort_au after update of display_name on users for each row when (old.display_name is distinct from new.display_name) execute function asset_sort_users_upd()',
    'create trigger assignments_sort_ai after insert on assignments for each row when (new.returned_at is null) execute function asset_sort_assignment()',
    `create trigger assignments_sort_au after update of ${ASSIGNMENT_COLS} on assignments for each row execute function asset_sort_assignment()`,
    'create trigger assignments_sort_ad after delete on assignments for each row when (old.returned_at is null) execute function asset_sort_assignment()',
  ];
  for (const t of triggers) await sql.raw(t).execute(db);
}

const TRIGGERS: [string, string][] = [
  ['assets_sort_ai', 'assets'], ['assets_sort_au', 'assets'], ['assets_sort_ad', 'assets'],
  ...named.map((t): [string, string] => [`${t}_sort_au`, t]),
  ['locations_sort_au', 'locations'], ['users_sort_au', 'users'],
  ['assignments_sort_ai', 'assignments'], ['assignments_sort_au', 'assignments'], ['assignments_sort_ad', 'assignments'],
];

export async function down(db: AnyDb): Promise<void> {
  const engine = engineOfDb(db);
  for (const [name, table] of TRIGGERS) {
    await sql.raw(engine === 'postgres' ? `drop trigger if exists ${name} on ${table}` : `drop trigger if exists ${name}`).execute(db);
  }
  if (engine === 'postgres') {
    for (const f of ['asset_sort_asset_ins', 'asset_sort_asset_upd', 'asset_sort_asset_del', ...named.map((t) => `asset_sort_${t}_upd`),
      'asset_sort_locations_upd', 'asset_sort_users_upd', 'asset_sort_assignment']) {
      await sql.raw(`drop function if exists ${f}()`).execute(db);
    }
  }
  await sql`drop view asset_sort_source`.execute(db);
  await db.schema.dropTable('asset_sort_keys').execute();
}
