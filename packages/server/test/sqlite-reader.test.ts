/**
 * SQLite's reader connection (db/sqlite-driver.ts): while a long write (an all-or-nothing import)
 * holds the only writer, other requests read the last committed state from a second connection
 * instead of waiting for it; their writes still wait, in turn. Outside long writes nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Generated, type Kysely, type Transaction } from 'kysely';
import { buildApp } from '../src/app.js';
import { createDatabase, type Database } from '../src/db/database.js';
import { withLongWrite, writeAside } from '../src/db/dialect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { testHooks } from '../src/modules/imports/imports.jobs.js';
import { call, createToken, login, setupOwner, testConfig, type TestApp } from './harness.js';
import { csv, settle, upload } from './imports-helpers.js';

/** A promise the test opens when it wants, and one that says the other side got there. */
function gate() {
  let open!: () => void;
  let reached!: () => void;
  const opened = new Promise<void>((r) => { open = r; });
  const arrived = new Promise<void>((r) => { reached = r; });
  return { open, opened, reached, arrived };
}

/** Whether `p` is still pending after the event loop has turned a few times (it waits on a lock only the test releases). */
async function pending(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => { done = true; }, () => { done = true; });
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return !done;
}

describe('the SQLite reader connection during long writes', () => {
  let dir: string;
  let database: Database;
  interface Probe { probe: { id: Generated<number>; v: string } }
  const probe = () => database.db as unknown as Kysely<Probe>;
  const values = async () => (await probe().selectFrom('probe').select('v').orderBy('id').execute()).map((r) => r.v);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custodian-reader-'));
    database = createDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
    await sql`create table probe (id integer primary key, v text not null)`.execute(database.db);
  });
  afterAll(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the committed state beside a long write; writes and transactions wait for it, then see its rows', async () => {
    const g = gate();
    const long = withLongWrite(database.db, () => database.db.transaction().execute(async (trx) => {
      await sql`insert into probe (v) values ('long')`.execute(trx);
      g.reached();
      await g.opened;
    }));
    await g.arrived;
    // Plain reads, built and raw, answer now, without the uncommitted row.
    expect(await values()).toEqual([]);
    expect((await sql<{ n: number }>`select count(*) as n from probe`.execute(database.db)).rows[0]!.n).toBe(0);
    // A write and a transaction (even one that only reads) wait for the writer.
    const write = probe().insertInto('probe').values({ v: 'after' }).execute();
    const tx = database.db.transaction().execute((trx) => (trx as unknown as Transaction<Probe>).selectFrom('probe').select('v').execute());
    // A pragma changes a connection's state: it goes to the writer too.
    const pragma = sql`pragma temp_store`.execute(database.db);
    expect(await pending(write)).toBe(true);
    expect(await pending(tx)).toBe(true);
    expect(await pending(pragma)).toBe(true);
    g.open();
    await long;
    await write;
    // In turn: the write queued first.
    expect((await tx).map((r) => r.v)).toEqual(['long', 'after']);
    await pragma;
    expect(await values()).toEqual(['long', 'after']);
  });

  it('outside a long write, a read waits for the transaction that holds the writer (one connection, as before)', async () => {
    const g = gate();
    const held = database.db.transaction().execute(async (trx) => {
      await sql`insert into probe (v) values ('held')`.execute(trx);
      g.reached();
      await g.opened;
    });
    await g.arrived;
    const read = values();
    expect(await pending(read)).toBe(true);
    g.open();
    await held;
    expect(await read).toEqual(['long', 'after', 'held']);
  });

  it('writeAside waits as usual, but not while a long write holds the writer: the write follows it', async () => {
    await writeAside(database.db, 'probe', () => probe().insertInto('probe').values({ v: 'aside-1' }).execute());
    expect((await values()).at(-1)).toBe('aside-1');
    const g = gate();
    const long = withLongWrite(database.db, () => database.db.transaction().execute(async () => {
      g.reached();
      await g.opened;
    }));
    await g.arrived;
    await writeAside(database.db, 'probe', () => probe().insertInto('probe').values({ v: 'aside-2' }).execute());
    // The same key again while that one is queued: dropped. Another key: queued too.
    await writeAside(database.db, 'probe', () => probe().insertInto('probe').values({ v: 'aside-dropped' }).execute());
    await writeAside(database.db, 'other', () => probe().insertInto('probe').values({ v: 'aside-3' }).execute());
    expect((await values()).at(-1)).toBe('aside-1');
    g.open();
    await long;
    // Queued behind the long write: in once the writer is free.
    for (let i = 0; i < 20 && (await values()).at(-1) !== 'aside-3'; i++) await new Promise((r) => setImmediate(r));
    expect((await values()).slice(-3)).toEqual(['aside-1', 'aside-2', 'aside-3']);
  });
});

describe('an all-or-nothing import on SQLite leaves the server readable', () => {
  let dir: string;
  let t: TestApp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custodian-reader-app-'));
    const database = createDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
    await migrateToLatest(database.db);
    const config = testConfig();
    const app = await buildApp({ database, config, logger: false });
    t = { engine: 'sqlite', app, database, config, close: async () => { await app.close(); await database.close(); } };
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers reads (pages, the job) during the commit with what was committed; writes wait for it; a stale session still loads', async () => {
    const s = await setupOwner(t);
    const rows = [['Asset Tag', 'Model', 'Category'], ...Array.from({ length: 30 }, (_, i) => [`RD-${i}`, 'Reader Model', 'Reader Category'])];
    const job = await upload(t, s, 'assets', csv(rows), { fields: { options: JSON.stringify({ createMissing: true }) } });
    // A second session of the same person, last seen two minutes ago, and a token never used: the
    // next request of each writes its sliding expiry or last use.
    const other = await login(t, s.email);
    const stale = new Date(Date.now() - 120_000).toISOString();
    const otherSession = () => t.database.db.selectFrom('sessions').select(['id', 'last_seen_at']).where('user_id', '=', s.userId).orderBy('created_at', 'desc').orderBy('id', 'desc');
    const otherId = (await otherSession().executeTakeFirstOrThrow()).id;
    await t.database.db.updateTable('sessions').set({ last_seen_at: stale }).where('id', '=', otherId).execute();
    const token = await createToken(t, s, ['assets:read']);
    const g = gate();
    testHooks.afterChunk = async (id) => {
      if (id !== job.id) return;
      g.reached();
      await g.opened;
    };
    try {
      const started = await call(t, s, 'POST', `/api/v1/imports/${job.id}/commit`, {});
      expect(started.statusCode, started.body).toBe(202);
      await g.arrived;
      // The commit's transaction holds the writer, its rows written but not committed.
      const list = await call(t, other, 'GET', '/api/v1/assets?q=RD');
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json<{ items: unknown[] }>().items).toEqual([]);
      const byToken = await call(t, { token: token.secret }, 'GET', '/api/v1/assets?q=RD');
      expect(byToken.statusCode, byToken.body).toBe(200);
      const running = await call(t, s, 'GET', `/api/v1/imports/${job.id}`);
      expect(running.statusCode, running.body).toBe(200);
      expect(running.json<{ status: string }>().status).toBe('committing');
      const location = call(t, s, 'POST', '/api/v1/locations', { name: 'Created during the import' });
      expect(await pending(location)).toBe(true);
      g.open();
      expect((await location).statusCode).toBe(201);
    } finally {
      delete testHooks.afterChunk;
    }
    expect((await settle(t, s, job.id)).status).toBe('committed');
    const after = await call(t, s, 'GET', '/api/v1/assets?q=RD&limit=100');
    expect(after.json<{ items: unknown[] }>().items).toHaveLength(30);
    // The deferred writes went in after the import.
    const session = await t.database.db.selectFrom('sessions').select('last_seen_at').where('id', '=', otherId).executeTakeFirstOrThrow();
    expect(session.last_seen_at > stale).toBe(true);
    const used = await t.database.db.selectFrom('api_tokens').select('last_used_at').where('id', '=', token.id).executeTakeFirstOrThrow();
    expect(used.last_used_at).not.toBeNull();
  });
});
