/**
 * The asset write path (migration 2026-11-25T1700_write_path, custody's single UPDATE, the SQLite
 * background checkpointer): whatever the writes, the trigger-maintained sort keys and search
 * documents stay equal to what their views compute, and the check-out/check-in responses are
 * what reading the rows back gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import SQLite from 'better-sqlite3';
import { addMember, call, createTestApp, engines, setupOwner, testConfig, type Session, type TestApp } from './harness.js';
import { buildApp } from '../src/app.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { migrations } from '../src/db/migrations/index.js';
import { createDatabase } from '../src/db/database.js';
import { optimize } from '../src/db/dialect.js';
import { newId, nowIso } from '../src/lib/ids.js';
import { affected, first, prepare, rows } from '../src/db/prepared.js';
import type { Executor } from '../src/db/database.js';
import { expectSearchCurrent, expectSortKeysCurrent } from './index-checks.js';
import { listEventsQuery } from '../src/modules/events/events.repository.js';

interface World {
  orgId: string;
  cat: { laptops: string; docks: string };
  mf: { dell: string; lenovo: string };
  model: { latitude: string; thinkpad: string; dock: string };
  loc: { hq: string; branch: string; depot: string };
  supplier: string;
  department: string;
}

async function makeWorld(t: TestApp, orgId: string): Promise<World> {
  const db = t.database.db;
  const now = nowIso();
  const stamp = { org_id: orgId, created_at: now, updated_at: now };
  const id = () => newId();
  const cat = { laptops: id(), docks: id() };
  await db.insertInto('categories').values([
    { id: cat.laptops, name: 'Laptops', asset_class: 'laptop', data_bearing: 1, requires_acceptance: 1, acceptance_terms: 'Be careful', acceptance_terms_version: 1, ...stamp },
    { id: cat.docks, name: 'Docks', asset_class: 'dock', data_bearing: 0, requires_acceptance: 0, acceptance_terms: null, acceptance_terms_version: null, ...stamp },
  ]).execute();
  const mf = { dell: id(), lenovo: id() };
  await db.insertInto('manufacturers').values([
    { id: mf.dell, name: 'Dell', support_url: null, warranty_lookup_url: null, ...stamp },
    { id: mf.lenovo, name: 'Lenovo', support_url: null, warranty_lookup_url: null, ...stamp },
  ]).execute();
  const model = { latitude: id(), thinkpad: id(), dock: id() };
  const m = (mid: string, name: string, categoryId: string, manufacturerId: string) =>
    ({ id: mid, name, model_number: null, category_id: categoryId, manufacturer_id: manufacturerId, eol_months: null, default_custom_fields: '{}', image_path: null, ...stamp });
  await db.insertInto('models').values([
    m(model.latitude, 'Latitude 5440', cat.laptops, mf.dell), m(model.thinkpad, 'ThinkPad X1', cat.laptops, mf.lenovo), m(model.dock, 'WD19 Dock', cat.docks, mf.dell),
  ]).execute();
  const loc = { hq: id(), branch: id(), depot: id() };
  const l = (lid: string, name: string) => ({ id: lid, name, parent_id: null, path: `/${lid}/`, address: null, latitude: null, longitude: null, ...stamp });
  await db.insertInto('locations').values([l(loc.hq, 'Headquarters'), l(loc.branch, 'Branch Office'), l(loc.depot, 'Depot')]).execute();
  const supplier = id();
  await db.insertInto('suppliers').values({ id: supplier, name: 'CDW', contact_name: null, email: null, phone: null, url: null, notes: null, ...stamp }).execute();
  const department = id();
  await db.insertInto('departments').values({ id: department, name: 'Finance', code: null, cost_centre: null, manager_user_id: null, ...stamp }).execute();
  return { orgId, cat, mf, model, loc, supplier, department };
}

async function addAsset(t: TestApp, w: World, tag: string, model: keyof World['model'], location: string | null, defaultLocation: string | null = null): Promise<string> {
  const categoryId = model === 'dock' ? w.cat.docks : w.cat.laptops;
  const manufacturerId = model === 'thinkpad' ? w.mf.lenovo : w.mf.dell;
  const id = newId();
  const now = nowIso();
  await t.database.db.insertInto('assets').values({
    id, org_id: w.orgId, asset_tag: tag, serial: `SN-${tag}`, name: `Asset ${tag}`, model_id: w.model[model], category_id: categoryId,
    manufacturer_id: manufacturerId, lifecycle_state: 'in_stock', location_id: location, default_location_id: defaultLocation,
    supplier_id: w.supplier, department_id: w.department, purchase_date: null, purchase_cost_minor: null, currency: null, order_number: null,
    invoice_number: null, warranty_end: null, eol_date: null, notes: `notes of ${tag}`, parent_asset_id: null, custom_fields: '{}',
    created_at: now, updated_at: now, deleted_at: null,
  }).execute();
  return id;
}


describe.each(engines)('write path (%s)', (engine) => {
  let t: TestApp;
  let s: Session;
  let w: World;
  let alice: Session;
  let bob: Session;
  const ids: Record<string, string> = {};
  const words = ['alice', 'bob', 'headquarters', 'branch', 'depot', 'dock1', 'dock9', 'latitude', 'thinkpad', 'lenovo', 'dell', 'zebra', 'carol', 'warehouse', 'x1'];

  beforeAll(async () => {
    t = await createTestApp(engine);
    s = await setupOwner(t);
    w = await makeWorld(t, s.orgId);
    alice = await addMember(t, s, 'employee');
    bob = await addMember(t, s, 'employee');
    await t.database.db.updateTable('users').set({ display_name: 'Alice Example' }).where('id', '=', alice.userId).execute();
    await t.database.db.updateTable('users').set({ display_name: 'Bob Example' }).where('id', '=', bob.userId).execute();
    ids.L1 = await addAsset(t, w, 'LAP-1', 'latitude', w.loc.hq, w.loc.depot);
    ids.L2 = await addAsset(t, w, 'LAP-2', 'thinkpad', w.loc.hq);
    ids.L3 = await addAsset(t, w, 'LAP-3', 'thinkpad', null);
    ids.D1 = await addAsset(t, w, 'DOCK1', 'dock', w.loc.branch);
  });
  afterAll(() => t?.close());

  const post = async (url: string, body: unknown) => {
    const res = await call(t, s, 'POST', url, body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Record<string, unknown>>();
  };
  const checkoutTo = (asset: string, targetType: string, targetId: string) => post(`/api/v1/assets/${asset}/checkout`, { targetType, targetId });

  it('keeps sort keys and search documents current through custody, moves and renames', async () => {
    await expectSortKeysCurrent(t);
    await expectSearchCurrent(t, words);

    // Check-outs to a person, a location and another asset.
    await checkoutTo(ids.L1!, 'user', alice.userId);
    await checkoutTo(ids.L2!, 'location', w.loc.branch);
    await checkoutTo(ids.L3!, 'asset', ids.D1!);
    await expectSortKeysCurrent(t);
    await expectSearchCurrent(t, words);

    // The dock is retagged (assets checked out to it show its tag), the person and the location renamed.
    await t.database.db.updateTable('assets').set({ asset_tag: 'DOCK9' }).where('id', '=', ids.D1!).execute();
    await t.database.db.updateTable('users').set({ display_name: 'Carol Example' }).where('id', '=', alice.userId).execute();
    await t.database.db.updateTable('locations').set({ name: 'Warehouse' }).where('id', '=', w.loc.branch).execute();
    await expectSortKeysCurrent(t);
    await expectSearchCurrent(t, words);

    // Renames of every referenced record; an asset moved to another model, location, supplier-less.
    await t.database.db.updateTable('models').set({ name: 'Latitude 7450' }).where('id', '=', w.model.latitude).execute();
    await t.database.db.updateTable('categories').set({ name: 'Notebooks' }).where('id', '=', w.cat.laptops).execute();
    await t.database.db.updateTable('manufacturers').set({ name: 'Zebra' }).where('id', '=', w.mf.lenovo).execute();
    await t.database.db.updateTable('suppliers').set({ name: 'Insight' }).where('id', '=', w.supplier).execute();
    await t.database.db.updateTable('departments').set({ name: 'Operations' }).where('id', '=', w.department).execute();
    await t.database.db.updateTable('assets').set({ model_id: w.model.latitude, manufacturer_id: w.mf.dell, location_id: w.loc.depot, supplier_id: null })
      .where('id', '=', ids.L2!).execute();
    // An UPDATE naming the columns without changing them.
    await t.database.db.updateTable('assets').set({ location_id: w.loc.depot }).where('id', '=', ids.L2!).execute();
    await t.database.db.updateTable('assignments').set((eb) => ({ target_user_id: eb.ref('target_user_id') })).where('asset_id', '=', ids.L1!).execute();
    await expectSortKeysCurrent(t);
    await expectSearchCurrent(t, words);

    // Check-ins: back to a given location (and made the default), to the default location, in bulk.
    await post(`/api/v1/assets/${ids.L1}/checkin`, { locationId: w.loc.branch, updateDefaultLocation: true });
    await post(`/api/v1/assets/${ids.L2}/checkin`, {});
    await post('/api/v1/custody/checkin', { assetIds: [ids.L3] });
    await expectSortKeysCurrent(t);
    await expectSearchCurrent(t, words);

    // Bulk check-out, then offboarding.
    await post('/api/v1/custody/checkout', { assetIds: [ids.L1, ids.L2], targetType: 'user', targetId: bob.userId });
    await expectSortKeysCurrent(t);
    await expectSearchCurrent(t, words);
    await post(`/api/v1/members/${bob.userId}/offboard`, {});
    await expectSortKeysCurrent(t);
    await expectSearchCurrent(t, words);
  });

  it('pages the event log newest first along the organization\'s chain, without sorting it', async () => {
    const query = listEventsQuery(t.database.db, { orgId: s.orgId, limit: 50 });
    const seqs = (await query.execute()).map((e) => Number(e.seq));
    expect(seqs.length).toBeGreaterThan(3);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    if (engine !== 'sqlite') return;
    const planOf = (q: typeof query) => {
      const { sql: text, parameters } = q.compile();
      return ((t.database.raw as SQLite.Database).prepare(`explain query plan ${text}`).all(...parameters) as { detail: string }[]).map((p) => p.detail).join('\n');
    };
    const plan = planOf(query);
    // events_chain_seq_uq (chain_id, seq); events_org_seq_idx is gone (migration 2026-12-07T1400).
    expect(plan).toMatch(/SEARCH events USING INDEX sqlite_autoindex_events_2 \(chain_id=\?\)/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
    // A timeline (one entity) still reads that entity's events only, not the whole chain.
    const timelinePlan = planOf(listEventsQuery(t.database.db, { orgId: s.orgId, entityType: 'asset', entityId: ids.L1!, limit: 50 }));
    expect(timelinePlan).toMatch(/SEARCH events USING INDEX events_entity_idx \(org_id=\? AND entity_type=\? AND entity_id=\?\)/);
    expect(timelinePlan).not.toMatch(/TEMP B-TREE/);
  });

  it('answers a check-out and a check-in with what reading the assignment back gives', async () => {
    const out = await checkoutTo(ids.L3!, 'user', bob.userId);
    const listed = await call(t, s, 'GET', `/api/v1/custody/assignments?assetId=${ids.L3}&open=true`);
    expect(listed.json<{ items: unknown[] }>().items).toEqual([out]);
    expect(out).toMatchObject({ targetType: 'user', target: { id: bob.userId, label: 'Bob Example' }, acceptance: { status: 'pending' }, returnedAt: null });
    const back = await post(`/api/v1/assets/${ids.L3}/checkin`, { note: 'returned' });
    const history = await call(t, s, 'GET', `/api/v1/custody/assignments?assetId=${ids.L3}`);
    expect(history.json<{ items: unknown[] }>().items[0]).toEqual(back);
    expect(back).toMatchObject({ id: out.id, checkinNote: 'returned', acceptance: { status: 'cancelled' } });
    // State and location in the asset row, one write: deployed → in stock, location back to where it was (none).
    const asset = await t.database.db.selectFrom('assets').select(['lifecycle_state', 'location_id']).where('id', '=', ids.L3!).executeTakeFirstOrThrow();
    expect(asset).toEqual({ lifecycle_state: 'in_stock', location_id: null });
  });
});

describe.each(engines)('prepared queries (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(engine); });
  afterAll(() => t?.close());

  it('build once, bind each call\'s values, and refuse arguments that are not plain bind parameters', async () => {
    const db = t.database.db;
    const now = nowIso();
    const ids = [newId(), newId()];
    const byName = prepare((d: Executor, name: string) => d.selectFrom('departments').select(['id', 'name']).where('name', '=', name).where('code', 'is', null));
    const rename = prepare((d: Executor, id: string, name: string) => d.updateTable('departments').set({ name }).where('id', '=', id));
    const orgId = (await setupOwner(t)).orgId;
    // orgId and the timestamps are constants of the statement; id and name are bound per call
    const insertIn = prepare((d: Executor, id: string, name: string) => d.insertInto('departments')
      .values({ id, org_id: orgId, name, code: null, cost_centre: null, manager_user_id: null, created_at: now, updated_at: now }));
    await db.executeQuery(insertIn(db, ids[0]!, 'Prepared A'));
    await db.executeQuery(insertIn(db, ids[1]!, 'Prepared B'));
    expect(await rows(db, byName(db, 'Prepared B'))).toEqual([{ id: ids[1], name: 'Prepared B' }]);
    expect(await affected(db, rename(db, ids[0]!, 'Prepared C'))).toBe(1);
    expect(await affected(db, rename(db, 'no such id', 'Prepared D'))).toBe(0);
    expect(await first(db, byName(db, 'Prepared C'))).toEqual({ id: ids[0], name: 'Prepared C' });
    expect(await first(db, byName(db, 'Prepared A'))).toBeUndefined();
    // inside a transaction, and rolled back with it
    await expect(db.transaction().execute(async (trx) => {
      await trx.executeQuery(rename(trx, ids[1]!, 'Prepared E'));
      expect(await first(trx, byName(trx, 'Prepared E'))).toEqual({ id: ids[1], name: 'Prepared E' });
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect(await first(db, byName(db, 'Prepared B'))).toEqual({ id: ids[1], name: 'Prepared B' });
    // an argument used twice, or not at all, is refused on the first call
    const twice = prepare((d: Executor, name: string) => d.selectFrom('departments').select('id').where('name', '=', name).where('code', '=', name));
    expect(() => twice(db, 'x')).toThrow(/argument 0/);
    const unused = prepare((d: Executor, _name: string) => d.selectFrom('departments').select('id'));
    expect(() => unused(db, 'x')).toThrow(/argument 0/);
  });
});

describe('planner statistics (SQLite)', () => {
  // STAT4 samples make SQLite compile a statement again on every execution (dialect.ts, DROP_STAT4).
  const counts = (raw: SQLite.Database) => ({
    stat1: (raw.prepare('select count(*) as n from sqlite_stat1').get() as { n: number }).n,
    stat4: (raw.prepare('select count(*) as n from sqlite_stat4').get() as { n: number }).n,
  });

  it('keeps sqlite_stat1 and drops the STAT4 samples at connect and in the hourly optimize', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-stats-'));
    const file = join(dir, 'db.sqlite');
    const fill = (raw: SQLite.Database, table: string) => {
      raw.exec(`create table ${table} (id integer primary key, state text not null); create index ${table}_state on ${table} (state)`);
      const insert = raw.prepare(`insert into ${table} (state) values (?)`);
      raw.transaction(() => { for (let i = 0; i < 2000; i++) insert.run(i % 100 === 0 ? 'rare' : 'common'); })();
    };
    try {
      const setup = new SQLite(file);
      fill(setup, 'probe');
      setup.exec('analyze');
      expect(counts(setup).stat4).toBeGreaterThan(0);
      setup.close();

      const database = createDatabase(`sqlite:${file}`);
      try {
        const raw = database.raw as SQLite.Database;
        expect(counts(raw)).toEqual({ stat1: 1, stat4: 0 });
        // A table analyzed later (as the hourly `pragma optimize` does) gets samples again; optimize drops them.
        fill(raw, 'probe2');
        raw.exec('analyze probe2');
        expect(counts(raw).stat4).toBeGreaterThan(0);
        await optimize(database.db, 'sqlite');
        expect(counts(raw)).toEqual({ stat1: 2, stat4: 0 });
        // The connection planned with what it loaded: the index still serves an equality.
        const plan = raw.prepare("explain query plan select id from probe2 where state = 'rare'").all() as { detail: string }[];
        expect(plan.map((r) => r.detail).join(' ')).toMatch(/USING (COVERING )?INDEX probe2_state/);
      } finally {
        await database.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('background checkpoint (SQLite)', () => {
  it('copies committed pages into the database file from a worker thread and stops with the connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-ckpt-'));
    const file = join(dir, 'db.sqlite');
    const database = createDatabase(`sqlite:${file}`, { backgroundCheckpoint: true });
    const marker = newId();
    try {
      await sql`create table probe (id text primary key)`.execute(database.db);
      await sql`insert into probe (id) values (${marker})`.execute(database.db);
      // The writer's own threshold is far away: only the worker can copy the pages back.
      expect(existsSync(`${file}-wal`)).toBe(true);
      let found = false;
      for (let i = 0; i < 50 && !found; i++) {
        await new Promise((r) => setTimeout(r, 100));
        // The database file alone (without its log) must hold the row.
        const copy = join(dir, `copy-${i}.sqlite`);
        copyFileSync(file, copy);
        try {
          const alone = new SQLite(copy);
          try {
            found = !!alone.prepare('select id from probe where id = ?').get(marker);
          } finally {
            alone.close();
          }
        } catch {
          // copied while the worker was writing it, or before the table reached the file: try again
        }
      }
      expect(found).toBe(true);
    } finally {
      await database.close();
    }
    // Closed: the last connection folded the log into the file and removed it.
    expect(existsSync(`${file}-wal`)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('never makes the server\'s writes fail while it copies the log (no write lock taken)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-ckpt-'));
    const database = createDatabase(`sqlite:${join(dir, 'db.sqlite')}`, { backgroundCheckpoint: true });
    await migrateToLatest(database.db);
    const app = await buildApp({ database, config: testConfig(), logger: false });
    const t: TestApp = { engine: 'sqlite', app, database, config: testConfig(), close: async () => { await app.close(); await database.close(); } };
    try {
      const s = await setupOwner(t);
      const w = await makeWorld(t, s.orgId);
      const assets = await Promise.all(['C-1', 'C-2', 'C-3', 'C-4'].map((tag) => addAsset(t, w, tag, 'dock', w.loc.hq)));
      const failures: string[] = [];
      // ~1,200 transactions, some 60,000 log pages: the worker passes run between and during them.
      for (let round = 0; round < 150; round++) {
        const results = await Promise.all(assets.flatMap((id) => [
          call(t, s, 'POST', `/api/v1/assets/${id}/checkout`, { targetType: 'location', targetId: w.loc.branch })
            .then(() => call(t, s, 'POST', `/api/v1/assets/${id}/checkin`, {})),
        ]));
        for (const r of results) if (r.statusCode !== 200) failures.push(`${r.statusCode} ${r.body}`);
      }
      expect(failures).toEqual([]);
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The database file in the system's own `sqlite3` (Debian 12: 3.40, older than the SQLite built into
 * better-sqlite3). Operators open the file with it to look, check or recover; an older SQLite that
 * cannot parse one object of the schema refuses every statement on the file.
 */
describe('the database file in the system sqlite3 (SQLite)', () => {
  const cli = (file: string, statements: string) => {
    const r = spawnSync('sqlite3', ['-batch', file, statements], { encoding: 'utf8' });
    if (r.error) throw r.error;
    return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
  };

  it('reads, checks and updates every table but the full-text index, before and after the upgrade', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custodian-cli-'));
    const file = join(dir, 'db.sqlite');
    // Does this sqlite3 refuse an aliased UPDATE in a trigger (what the schema had before 2026-12-08T0900)?
    const probe = join(dir, 'probe.sqlite');
    const refusesAlias = cli(probe, 'create table a(x); create table b(x); create trigger t after insert on a begin update b as k set x = new.x where k.x is null; end;').code !== 0;
    const database = createDatabase(`sqlite:${file}`);
    let t: TestApp | null = null;
    try {
      const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('2026-12-07T1400_events_org_seq')).error).toBeUndefined();
      // The sort-key triggers as releases before 2026-12-08 wrote them (migration 1700 now writes them without the alias).
      const raw = database.raw as SQLite.Database;
      const triggers = raw.prepare("select name, sql from sqlite_schema where type = 'trigger' and sql like '%update asset_sort_keys set%'").all() as { name: string; sql: string }[];
      expect(triggers.length).toBeGreaterThan(10);
      for (const tr of triggers) {
        raw.exec(`drop trigger ${tr.name}`);
        raw.exec(tr.sql.replaceAll('update asset_sort_keys set', 'update asset_sort_keys as k set').replaceAll('asset_sort_keys.', 'k.'));
      }
      const before = cli(file, 'select count(*) from assets;');
      if (refusesAlias) expect(before.err).toMatch(/malformed database schema/);
      else expect(before).toMatchObject({ code: 0, out: '0' });

      await migrateToLatest(database.db);
      const app = await buildApp({ database, config: testConfig(), logger: false });
      t = { engine: 'sqlite', app, database, config: testConfig(), close: async () => { await app.close(); await database.close(); } };
      const s = await setupOwner(t);
      const w = await makeWorld(t, s.orgId);
      const id = await addAsset(t, w, 'CLI-1', 'latitude', w.loc.hq);
      await t.database.db.updateTable('users').set({ display_name: 'Dana Example' }).where('id', '=', s.userId).execute();
      const out = await call(t, s, 'POST', `/api/v1/assets/${id}/checkout`, { targetType: 'user', targetId: s.userId });
      expect(out.statusCode, out.body).toBe(200);
      await t.close();
      t = null;

      expect(cli(file, 'pragma quick_check;')).toMatchObject({ code: 0, out: 'ok' });
      expect(cli(file, `select asset_tag from assets where id = '${id}';`)).toMatchObject({ code: 0, out: 'CLI-1' });
      // Rewritten triggers run there too: a renamed supplier, department, category and person reach the asset's sort keys.
      const renamed = cli(file, `update suppliers set name = 'Insight' where id = '${w.supplier}'; update departments set name = 'Operations' where id = '${w.department}'; update categories set name = 'Notebooks' where id = '${w.cat.laptops}';
        select supplier_name || '|' || department_name || '|' || category_name || '|' || assignee_name from asset_sort_keys where asset_id = '${id}';`);
      expect(renamed).toMatchObject({ code: 0, out: 'insight|operations|notebooks|dana example' });
    } finally {
      await (t ? t.close() : database.close());
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
