import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, engines, eventCount, setupOwner, type Session, type TestApp } from './harness.js';
import { commit, csv, getJob, settle, upload, uploadRaw, type Job } from './imports-helpers.js';
import { SimulatedCrash, testHooks } from '../src/modules/imports/imports.jobs.js';
import { recoverInterrupted } from '../src/modules/imports/imports.service.js';
import { writeXlsx } from '../src/modules/imports/imports.write.js';
import type SQLite from 'better-sqlite3';
import { connect, withTempFiles } from '../src/db/dialect.js';

interface Problem { code: string; detail: string }

async function xlsx(headers: string[], rows: (string | number | null)[][]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeXlsx(out, 'Sheet1', headers, rows);
  return Buffer.concat(chunks);
}

const rowsOf = (n: number, prefix: string) => csv([
  ['Asset Tag', 'Model', 'Category'],
  ...Array.from({ length: n }, (_, i) => [`${prefix}-${String(i).padStart(4, '0')}`, 'Job Model', 'Job Category']),
]);

describe.each(engines)('imports: jobs, restarts, limits (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;

  beforeAll(async () => {
    t = await createTestApp(engine, { MAX_IMPORT_BYTES: String(64 * 1024), MAX_IMPORT_INFLATED_BYTES: String(32 * 1024) });
    owner = await setupOwner(t, 'Org Jobs');
  });
  afterAll(() => t.close());

  const db = () => t.database.db;
  const assetsLike = async (prefix: string) => Number((await db().selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', owner.orgId).where('asset_tag', 'like', `${prefix}-%`).executeTakeFirstOrThrow()).n);

  it('a restart during a valid-only commit keeps exactly the committed batches; the job is failed with the reason', async () => {
    const job = await upload(t, owner, 'assets', rowsOf(50, 'CR'), { fields: { options: JSON.stringify({ createMissing: true, mode: 'valid-only', batchSize: 10 }) } });
    // The "process" dies after the third batch: nothing after it runs (no final status, no cleanup).
    testHooks.afterBatch = (_id, batch) => { if (batch === 3) throw new SimulatedCrash('killed'); };
    try {
      const res = await call(t, owner, 'POST', `/api/v1/imports/${job.id}/commit`, {});
      expect(res.statusCode).toBe(202);
      const until = Date.now() + 20_000;
      while ((await getJob(t, owner, job.id)).counts.committedRows < 30 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      delete testHooks.afterBatch;
    }
    const stuck = await getJob(t, owner, job.id);
    expect(stuck.status).toBe('committing');
    // Server start.
    expect(await recoverInterrupted(t.database.db, t.engine, t.config)).toBe(1);
    const after = await getJob(t, owner, job.id);
    expect(after.status).toBe('failed');
    expect(after.failureReason).toBe('server restarted during the job');
    expect(after.counts.committedRows).toBe(30);
    expect(await assetsLike('CR')).toBe(30);
    // No torn rows: every committed asset has its creation event, nothing else was written.
    const created = await db().selectFrom('events').select('entity_id').where('org_id', '=', owner.orgId).where('action', '=', 'asset.created').execute();
    const ids = new Set(created.map((e) => e.entity_id));
    const assets = await db().selectFrom('assets').select('id').where('org_id', '=', owner.orgId).where('asset_tag', 'like', 'CR-%').execute();
    expect(assets.every((a) => ids.has(a.id))).toBe(true);
    const failed = await db().selectFrom('events').select(['action', 'meta']).where('entity_id', '=', job.id).orderBy('seq').execute();
    expect(failed.map((e) => e.action)).toEqual(['import.started', 'import.failed']);
    expect(JSON.parse(failed[1]!.meta)).toMatchObject({ reason: 'server restarted during the job', committedRows: 30 });
    expect((await call(t, owner, 'GET', '/api/v1/events/verify')).json<{ ok: boolean }>().ok).toBe(true);
  });

  it('a restart during an all-or-nothing commit leaves no rows', async () => {
    const job = await upload(t, owner, 'assets', rowsOf(30, 'AN'), { fields: { options: JSON.stringify({ createMissing: true }) } });
    // Simulated by marking the job as running without a runner (the process died before committing).
    await db().updateTable('import_jobs').set({ status: 'committing', phase: 'commit' }).where('id', '=', job.id).execute();
    await recoverInterrupted(t.database.db, t.engine, t.config);
    const after = await getJob(t, owner, job.id);
    expect(after).toMatchObject({ status: 'failed', failureReason: 'server restarted during the job', counts: { committedRows: 0 } });
    expect(await assetsLike('AN')).toBe(0);
  });

  it('cancels a running valid-only commit after the current batch; progress streams over SSE', async () => {
    const job = await upload(t, owner, 'assets', rowsOf(60, 'CN'), { fields: { options: JSON.stringify({ createMissing: true, mode: 'valid-only', batchSize: 10 }) } });
    let cancelled: Promise<unknown> | null = null;
    testHooks.afterBatch = async (_id, batch) => {
      if (batch === 2) cancelled = call(t, owner, 'POST', `/api/v1/imports/${job.id}/cancel`);
      await new Promise((r) => setTimeout(r, 30));
    };
    try {
      const started = await call(t, owner, 'POST', `/api/v1/imports/${job.id}/commit`, {});
      expect(started.statusCode).toBe(202);
      const sse = await call(t, owner, 'GET', `/api/v1/imports/${job.id}/progress`);
      expect(sse.headers['content-type']).toContain('text/event-stream');
      const events = sse.body.split('\n\n').filter(Boolean).map((b) => ({ event: /^event: (\w+)/.exec(b)?.[1], job: JSON.parse(/data: (.*)$/m.exec(b)![1]!) as Job }));
      expect(events[0]!.event).toBe('progress');
      expect(events[events.length - 1]!.event).toBe('done');
      expect(events[events.length - 1]!.job.status).toBe('cancelled');
      await cancelled;
    } finally {
      delete testHooks.afterBatch;
    }
    const done = await settle(t, owner, job.id);
    expect(done.status).toBe('cancelled');
    expect(done.counts.committedRows).toBeGreaterThanOrEqual(20);
    expect(done.counts.committedRows).toBeLessThan(60);
    expect(await assetsLike('CN')).toBe(done.counts.committedRows);
  });

  it('refuses a file over MAX_IMPORT_BYTES with 413 and an XLSX that inflates past MAX_IMPORT_INFLATED_BYTES; reads a chosen XLSX sheet', async () => {
    const before = await eventCount(t);
    const jobs = async () => Number((await db().selectFrom('import_jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const n = await jobs();
    const big = await uploadRaw(t, owner, [{ name: 'target', data: 'assets' }, { name: 'file', filename: 'big.csv', data: rowsOf(3000, 'BIG') }]);
    expect(big.statusCode, big.body).toBe(413);
    expect(big.json<Problem>().code).toBe('import.too_large');
    const bombRows = Array.from({ length: 400 }, (_, i) => [`BOMB-${i}`, 'x'.repeat(200), 'y']);
    const bomb = await uploadRaw(t, owner, [{ name: 'target', data: 'assets' }, { name: 'file', filename: 'bomb.xlsx', data: await xlsx(['Asset Tag', 'Notes', 'Model'], bombRows) }]);
    expect(bomb.statusCode, bomb.body).toBe(422);
    expect(bomb.json<Problem>().code).toBe('import.xlsx_bomb');
    expect(await jobs()).toBe(n);
    expect(await eventCount(t)).toBe(before);

    const small = await xlsx(['Asset Tag', 'Model', 'Category', 'Purchase Date', 'Purchase Cost'], [['XL-1', 'Sheet Model', 'Sheets', '2024-01-31', 12.5]]);
    const job = await upload(t, owner, 'assets', small, { filename: 'small.xlsx', fields: { options: JSON.stringify({ createMissing: true }) } });
    expect(job.source.format).toBe('xlsx');
    const done = await commit(t, owner, job.id);
    expect(done.status, done.failureReason ?? '').toBe('committed');
    const a = await db().selectFrom('assets').selectAll().where('asset_tag', '=', 'XL-1').executeTakeFirstOrThrow();
    expect(a).toMatchObject({ purchase_date: '2024-01-31', purchase_cost_minor: 1250 });
  });

  it('saves a mapping as a preset and applies it to the next file', async () => {
    const file = csv([['Kennung', 'Gerät', 'Kategorie'], ['PR-1', 'Preset Model', 'Preset Cat']]);
    const job = await upload(t, owner, 'assets', file);
    expect(Object.values(job.mapping).every((v) => v === null)).toBe(true);
    const patched = await call(t, owner, 'PATCH', `/api/v1/imports/${job.id}`, { mapping: { Kennung: 'assetTag', 'Gerät': 'model', Kategorie: 'category' } });
    expect(patched.statusCode, patched.body).toBe(200);
    const preset = await call(t, owner, 'POST', '/api/v1/import-presets', { target: 'assets', name: 'German sheet', fromJobId: job.id });
    expect(preset.statusCode, preset.body).toBe(201);
    const presetId = preset.json<{ id: string }>().id;
    const next = await upload(t, owner, 'assets', file, { fields: { presetId } });
    expect(next.mapping).toEqual({ Kennung: 'assetTag', 'Gerät': 'model', Kategorie: 'category' });
    const bad = await call(t, owner, 'PATCH', `/api/v1/imports/${next.id}`, { mapping: { Kennung: 'assetTag', 'Gerät': 'assetTag' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<Problem>().code).toBe('import.invalid_mapping');
    const list = await call(t, owner, 'GET', '/api/v1/import-presets?target=assets');
    expect(list.json<{ name: string }[]>().map((p) => p.name)).toEqual(['German sheet']);
  });
});

describe('imports: temporary storage (sqlite)', () => {
  let t: TestApp;
  let owner: Session;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    owner = await setupOwner(t, 'Org Temp');
  });
  afterAll(() => t.close());

  /** 1 = files, 2 = memory */
  const tempStore = async () => (await sql<{ temp_store: number }>`pragma temp_store`.execute(t.database.db)).rows[0]!.temp_store;

  it('the server keeps statement journals in memory; an import commit runs with temporary files and gives the setting back', async () => {
    expect(await tempStore()).toBe(2);
    const during: number[] = [];
    testHooks.afterBatch = async () => { during.push(await tempStore()); };
    try {
      const job = await upload(t, owner, 'assets', rowsOf(20, 'TS'), { fields: { options: JSON.stringify({ createMissing: true, mode: 'valid-only', batchSize: 10 }) } });
      expect((await commit(t, owner, job.id)).status).toBe('committed');
    } finally {
      delete testHooks.afterBatch;
    }
    expect(during).toEqual([1, 1]);
    expect(await tempStore()).toBe(2);
  });

  it('a new connection keeps them in memory before any migration; withTempFiles gives the setting back when its work fails', async () => {
    const fresh = connect('sqlite::memory:');
    expect((fresh.raw as SQLite.Database).pragma('temp_store', { simple: true })).toBe(2);
    await fresh.stop();
    (fresh.raw as SQLite.Database).close();
    await expect(withTempFiles(t.database.db, async () => {
      expect(await tempStore()).toBe(1);
      throw new Error('the work failed');
    })).rejects.toThrow('the work failed');
    expect(await tempStore()).toBe(2);
    // Nested: the inner call gives back its caller's setting (files), the outer one memory.
    await withTempFiles(t.database.db, async () => {
      await withTempFiles(t.database.db, async () => expect(await tempStore()).toBe(1));
      expect(await tempStore()).toBe(1);
    });
    expect(await tempStore()).toBe(2);
  });
});
