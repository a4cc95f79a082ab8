import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { call, createTestApp, engines, setupOwner, type Session, type TestApp } from './harness.js';
import { commit, csv, upload } from './imports-helpers.js';
import { expectSearchCurrent, expectSortKeysCurrent } from './index-checks.js';
import { deferAssetIndexing, pauseFullTextMerges, refreshStatistics, resumeFullTextMerges } from '../src/db/dialect.js';
import { statisticsDue } from '../src/modules/imports/imports.jobs.js';

interface Hit { assetTag: string; name: string | null }

// All-or-nothing commits of ≥ 5,000 rows load the full-text index in bulk (SQLite: merges paused
// until the end of the transaction, then one merge; the new assets' search documents and sort keys
// written set-based at the end instead of by the row triggers); what search finds and how lists
// sort must not change, and the triggers must be back afterwards, whether the import committed
// or failed.
describe.each(engines)('imports: bulk all-or-nothing commits and search (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;

  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t, 'Org Bulk');
  });
  afterAll(() => t.close());

  // Every 97th row is checked out to the owner (her name becomes the asset's assignee: searchable, a sort key).
  const rows = (n: number, prefix: string, bad: number | null = null) => csv([
    ['Asset Tag', 'Name', 'Model', 'Category', 'Manufacturer', 'Location', 'Purchase Date', 'Checked Out To'],
    ...Array.from({ length: n }, (_, i) => [`${prefix}-${String(i).padStart(5, '0')}`, `Zephyr ${prefix.toLowerCase()} unit ${i}`, `Bulk Model ${i % 3}`, 'Bulk Category',
      'Bulkmaker', `Site ${i % 4}`, i === bad ? 'not a date' : '2024-01-15', i % 97 === 5 ? owner.email : null]),
  ]);
  const triggers = async () => (t.engine === 'sqlite'
    ? (await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and tbl_name = 'assets' order by name`.execute(t.database.db)).rows.map((r) => r.name)
    : []);
  /** SQLite: the indexes of assets and asset_sort_keys (a bulk load may drop and rebuild them), as "name: definition". */
  const indexes = async (db: typeof t.database.db = t.database.db) => (t.engine === 'sqlite'
    ? (await sql<{ name: string; sql: string | null }>`select name, sql from sqlite_master where type = 'index' and tbl_name in ('assets', 'asset_sort_keys') order by name`.execute(db)).rows
      .map((r) => `${r.name}: ${r.sql ?? '(constraint)'}`)
    : []);
  /** SQLite: indexes of assets without planner statistics. */
  const unanalyzed = async () => (await sql<{ name: string }>`select name from sqlite_master m where type = 'index' and tbl_name = 'assets'
    and not exists (select 1 from sqlite_stat1 s where s.idx = m.name)`.execute(t.database.db)).rows.map((r) => r.name);
  /** Sort keys and search documents equal what their views compute, and every asset has a search row. */
  const expectIndexesCurrent = async (words: string[]) => {
    const db = t.database.db;
    await expectSortKeysCurrent(t);
    const assets = Number((await db.selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    expect(Number((await db.selectFrom('asset_search').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(assets);
    await expectSearchCurrent(t, words);
  };
  const search = async (q: string) => {
    const res = await call(t, owner, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ assets: Hit[] }>().assets;
  };

  it('a 6,000-row commit is searchable by tag and by name, first row to last; a failed one leaves search as it was', async () => {
    const before = await triggers();
    const indexesBefore = await indexes();
    if (engine === 'sqlite') {
      expect(before).toContain('assets_search_ai');
      expect(indexesBefore.length).toBeGreaterThan(25);
    }
    // An asset that exists before: the import must leave its index rows alone.
    const early = await upload(t, owner, 'assets', rows(3, 'EARLY'), { fields: { options: JSON.stringify({ createMissing: true }) } });
    expect((await commit(t, owner, early.id)).status).toBe('committed');
    const job = await upload(t, owner, 'assets', rows(6000, 'BULK'), { fields: { options: JSON.stringify({ createMissing: true }) } });
    const done = await commit(t, owner, job.id);
    expect(done.status, done.failureReason ?? '').toBe('committed');
    expect(done.counts.created).toBe(6000);
    for (const i of [0, 2999, 5999]) {
      const tag = `BULK-${String(i).padStart(5, '0')}`;
      expect((await search(tag)).map((h) => h.assetTag)).toEqual([tag]);
    }
    expect((await search('zephyr bulk unit 4321')).map((h) => h.assetTag)).toContain('BULK-04321');
    expect(await triggers()).toEqual(before);
    // 6,000 rows into a table of 3: its secondary indexes were rebuilt, the same ones, with statistics.
    expect(await indexes()).toEqual(indexesBefore);
    if (engine === 'sqlite') expect(await unanalyzed()).toEqual([]);
    await expectIndexesCurrent(['olivia', 'zephyr', 'bulk', 'early', '05825', 'bulkmaker']);

    // One bad row at the end: nothing of the 5,500 rows is written, search finds none of them.
    const failing = await upload(t, owner, 'assets', rows(5500, 'GONE', 5499), { fields: { options: JSON.stringify({ createMissing: true }) } });
    const failed = await commit(t, owner, failing.id);
    expect(failed.status).toBe('failed');
    expect(await search('GONE-00001')).toEqual([]);
    expect((await search('BULK-05998')).map((h) => h.assetTag)).toEqual(['BULK-05998']);
    expect(await triggers()).toEqual(before);
    expect(await indexes()).toEqual(indexesBefore);
    await expectIndexesCurrent(['gone', 'olivia', 'zephyr']);

    // Later single writes still update the index.
    const created = await call(t, owner, 'GET', '/api/v1/search?q=BULK-00007');
    const id = created.json<{ assets: { id: string }[] }>().assets[0]!.id;
    const patched = await call(t, owner, 'PATCH', `/api/v1/assets/${id}`, { name: 'Quokka renamed' });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await search('quokka')).map((h) => h.assetTag)).toEqual(['BULK-00007']);
    // The bulk path really is taken on SQLite (and a rollback restores the triggers and indexes).
    // A load smaller than the table keeps the indexes; one at least as large drops the secondary
    // ones that new rows enter at random places (tags, names, dates, costs), never a unique one,
    // the serial lookup's or one the load only appends to.
    for (const rows of [1, 1_000_000]) {
      await t.database.db.transaction().execute(async (trx) => {
        const d = await deferAssetIndexing(trx, owner.orgId, rows);
        expect(d === null).toBe(engine !== 'sqlite');
        if (engine === 'sqlite') {
          const inside = (await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and tbl_name = 'assets'`.execute(trx)).rows.map((r) => r.name);
          expect(inside).not.toContain('assets_search_ai');
          expect(inside).not.toContain('assets_sort_ai');
          const left = await indexes(trx);
          if (rows === 1) expect(left).toEqual(indexesBefore);
          else {
            expect(indexesBefore.map((i) => i.split(':')[0]).filter((i) => !left.some((l) => l.startsWith(`${i}:`))).sort()).toEqual([
              'assets_category_tag_idx', 'assets_location_tag_idx', 'assets_manufacturer_tag_idx', 'assets_model_tag_idx', 'assets_sort_eol_date_idx',
              'assets_sort_name_idx', 'assets_sort_purchase_cost_minor_idx', 'assets_sort_purchase_date_idx', 'assets_sort_warranty_end_idx', 'assets_state_tag_idx',
            ]);
            expect(d?.indexes.length).toBe(indexesBefore.length - left.length);
          }
        }
        throw new Error('rollback');
      }).catch((err: unknown) => { if (!(err instanceof Error) || err.message !== 'rollback') throw err; });
      expect(await triggers()).toEqual(before);
      expect(await indexes()).toEqual(indexesBefore);
    }
    // A small import afterwards goes through the triggers again.
    const after = await upload(t, owner, 'assets', rows(2, 'LATER'), { fields: { options: JSON.stringify({ createMissing: true }) } });
    expect((await commit(t, owner, after.id)).status).toBe('committed');
    expect((await search('LATER-00001')).map((h) => h.assetTag)).toEqual(['LATER-00001']);
    await expectIndexesCurrent(['later', 'quokka', 'olivia']);
  }, 120_000);

  it('statistics are refreshed while a load grows its tables: doubling up to 20,000 rows, then every 20,000', () => {
    const due = (n: number) => Array.from({ length: n / 500 }, (_, i) => i * 500).filter((b) => statisticsDue(b, b + 500)).map((b) => b + 500);
    expect(due(100_000)).toEqual([1000, 2000, 4000, 8000, 16_000, 20_000, 40_000, 60_000, 80_000, 100_000]);
    expect(statisticsDue(0, 999)).toBe(false);
    expect(statisticsDue(19_999, 20_000)).toBe(true);
  });

  // With statistics of a small table, a lookup of many tags is planned as a scan of the table:
  // after a load has grown it, that plan reads every row per lookup. refreshStatistics inside the
  // load's transaction gives the planner the new size (PostgreSQL: ANALYZE, as before).
  it('refreshing statistics inside a load turns the lookup of many tags from a table scan into index searches', async () => {
    const db = t.database.db;
    const count = async (d: typeof db) => Number((await d.selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    if ((await count(db)) < 6000) {
      const job = await upload(t, owner, 'assets', rows(6000, 'STATS'), { fields: { options: JSON.stringify({ createMissing: true }) } });
      expect((await commit(t, owner, job.id)).status).toBe('committed');
    }
    const tags = Array.from({ length: 250 }, (_, i) => `STATS-LOOKUP-${i}`);
    const plan = async (d: typeof db) => (await sql<{ detail: string }>`explain query plan
      select * from assets where org_id = ${owner.orgId} and asset_tag in (${sql.join(tags)})`.execute(d)).rows.map((r) => r.detail).join('; ');
    const rollback = new Error('rollback');
    await db.transaction().execute(async (trx) => {
      if (engine !== 'sqlite') {
        await refreshStatistics(trx, ['assets', 'events']);
        const tuples = await sql<{ n: number }>`select reltuples::int as n from pg_class where relname = 'assets'`.execute(trx);
        expect(tuples.rows[0]!.n).toBe(await count(trx));
        throw rollback;
      }
      // Statistics as an ANALYZE of a 1,000-asset table left them …
      await sql`analyze assets`.execute(trx);
      const stats = (await sql<{ idx: string; stat: string }>`select idx, stat from sqlite_stat1 where tbl = 'assets'`.execute(trx)).rows;
      for (const { idx, stat } of stats) {
        const [rowCount, ...perKey] = stat.split(' ').map(Number);
        const small = [1000, ...perKey.map((v) => Math.max(1, Math.min(1000, Math.round((v * 1000) / rowCount!))))].join(' ');
        await sql`update sqlite_stat1 set stat = ${small} where tbl = 'assets' and idx = ${idx}`.execute(trx);
      }
      await sql`delete from sqlite_stat4`.execute(trx);
      await sql`analyze sqlite_schema`.execute(trx);
      expect(await plan(trx)).toMatch(/^SCAN assets/);
      // … refreshed after the table has grown past them.
      await refreshStatistics(trx, ['assets']);
      expect(await plan(trx)).toMatch(/^SEARCH assets USING INDEX sqlite_autoindex_assets_\d \(org_id=\? AND asset_tag=\?\)$/);
      expect(Number((await sql<{ n: number }>`select count(*) as n from sqlite_stat4`.execute(trx)).rows[0]!.n)).toBe(0);
      expect((await sql<{ analysis_limit: number }>`pragma analysis_limit`.execute(trx)).rows[0]!.analysis_limit).toBe(0);
      throw rollback;
    }).catch((err: unknown) => { if (err !== rollback) throw err; });
  }, 60_000);

  // After the load: a load smaller than the index merges only its own segments (the existing one is
  // not rewritten); one at least as large as the index rewrites it into one segment. On PostgreSQL
  // there is nothing to pause (null).
  it('resuming merges after a bulk load leaves the existing full-text segment alone unless the load outweighs it', async () => {
    const rollback = new Error('rollback');
    const segments = async (db: typeof t.database.db) => Number((await sql<{ n: number }>`select count(distinct segid) as n from assets_fts_idx`.execute(db)).rows[0]!.n);
    const matches = async (db: typeof t.database.db, word: string) =>
      Number((await sql<{ n: number }>`select count(*) as n from assets_fts where assets_fts match ${word}`.execute(db)).rows[0]!.n);
    /** `n` documents as a load writes them: an asset_search row (its id is the document's rowid) and the document. */
    const load = async (db: typeof t.database.db, n: number, word: string) => {
      for (let i = 0; i < n; i++) {
        const { id } = (await sql<{ id: number }>`insert into asset_search(org_id, asset_id) values (${owner.orgId}, ${`${word}-${i}`}) returning id`.execute(db)).rows[0]!;
        await sql`insert into assets_fts(rowid, tag, serial, name, model, manufacturer, assignee, notes) values (${id}, ${`${word}-${i}`}, null, ${word}, null, null, null, null)`.execute(db);
      }
    };
    const run = async (rows: (docsBefore: number) => number, word: string) => {
      let after = -1;
      await t.database.db.transaction().execute(async (trx) => {
        const paused = await pauseFullTextMerges(trx);
        if (engine !== 'sqlite') {
          expect(paused).toBeNull();
          throw rollback;
        }
        await resumeFullTextMerges(trx, paused);
        await sql`insert into assets_fts(assets_fts) values ('optimize')`.execute(trx);
        expect(await segments(trx)).toBe(1);
        const again = await pauseFullTextMerges(trx);
        const n = rows(again!.docsBefore);
        await load(trx, n, word);
        await resumeFullTextMerges(trx, again);
        expect(await matches(trx, word)).toBe(n);
        expect((await sql<{ v: number }>`select v from assets_fts_config where k = 'automerge'`.execute(trx)).rows[0]?.v).toBe(4);
        after = await segments(trx);
        throw rollback;
      }).catch((err: unknown) => { if (err !== rollback) throw err; });
      return after;
    };
    if (engine !== 'sqlite') {
      expect(await run(() => 1, 'x')).toBe(-1);
      return;
    }
    // ~6,000 documents exist (the test above): 50 more stay a segment of their own, 7,000 more make one segment.
    expect(await run(() => 50, 'wombat')).toBe(2);
    expect(await run((before) => before + 1000, 'numbat')).toBe(1);
  }, 120_000);
});
