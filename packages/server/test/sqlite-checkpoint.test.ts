import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type SQLite from 'better-sqlite3';
import { createDatabase, type Database } from '../src/db/database.js';
import { withCheckpointDeferred } from '../src/db/dialect.js';

// An import's commit writes hundreds of megabytes; a commit that finds the log past
// `wal_autocheckpoint` pages copies them all into the database file before it returns (3.7 s of a
// 100,000-row import). withCheckpointDeferred leaves that copy to the checkpointer thread.
describe('SQLite: a large commit leaves the checkpoint to the checkpointer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-checkpoint-'));
  const opened: Database[] = [];
  afterAll(async () => {
    for (const d of opened) await d.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (name: string, backgroundCheckpoint = false): Promise<Database> => {
    const database = createDatabase(`sqlite:${join(dir, name)}`, { backgroundCheckpoint });
    opened.push(database);
    // A low threshold: the 2 MB written below pass it (the checkpointer sets its own).
    if (!backgroundCheckpoint) (database.raw as SQLite.Database).pragma('wal_autocheckpoint = 100');
    await sql`create table blobs (id integer primary key, body blob not null)`.execute(database.db);
    return database;
  };
  /** Writes ~2 MB in one transaction. */
  const write = (database: Database) => database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < 32; i++) await sql`insert into blobs (body) values (randomblob(65536))`.execute(trx);
  });
  const bytes = (name: string) => statSync(join(dir, name)).size;

  const threshold = (database: Database) => (database.raw as SQLite.Database).pragma('wal_autocheckpoint', { simple: true });

  it('without a checkpointer thread: the commit leaves its pages in the log, and the setting is back at once', async () => {
    const plain = await open('plain.db');
    await write(plain);
    // The commit copied its pages into the database file itself.
    expect(bytes('plain.db')).toBeGreaterThan(2 * 2 ** 20);

    const deferred = await open('deferred.db');
    const sizeBefore = bytes('deferred.db');
    const inside = await withCheckpointDeferred(deferred.db, async () => {
      await write(deferred);
      return (deferred.raw as SQLite.Database).pragma('wal_autocheckpoint', { simple: true });
    });
    expect(inside).toBe(0);
    expect(bytes('deferred.db')).toBe(sizeBefore);
    expect(bytes('deferred.db-wal')).toBeGreaterThan(2 * 2 ** 20);
    expect((deferred.raw as SQLite.Database).pragma('wal_autocheckpoint', { simple: true })).toBe(100);
    // The rows are committed: another connection reads them.
    const reader = createDatabase(`sqlite:${join(dir, 'deferred.db')}`);
    opened.push(reader);
    expect((await sql<{ n: number }>`select count(*) as n from blobs`.execute(reader.db)).rows[0]?.n).toBe(32);
  });

  it('with the checkpointer thread: the threshold comes back once the thread has copied the log', async () => {
    const database = await open('worker.db', true);
    const resetFrames = threshold(database);
    expect(resetFrames).toBe(100_000);
    const sizeBefore = bytes('worker.db');
    await withCheckpointDeferred(database.db, () => write(database));
    // Not yet: the next commit past it would do the copy itself.
    expect(threshold(database)).toBe(0);
    const deadline = Date.now() + 10_000;
    while (threshold(database) !== resetFrames && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(threshold(database)).toBe(resetFrames);
    // The worker copied the pages into the database file.
    expect(bytes('worker.db')).toBeGreaterThan(sizeBefore + 2 * 2 ** 20);
  });

  it('with the checkpointer thread: the threshold comes back while another connection commits without a pause', async () => {
    const database = await open('busy.db', true);
    const resetFrames = threshold(database);
    await withCheckpointDeferred(database.db, () => write(database));
    expect(threshold(database)).toBe(0);
    // Another thread commits one small row after another until told to stop. A passive pass copies
    // the log as it was when the pass began and reports against that, so it still sees "all of it
    // copied" while commits go on; a reader holding an old snapshot would delay it.
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const writer = new Worker(`
      const { workerData, parentPort } = require('node:worker_threads');
      const db = new (require(workerData.driver))(workerData.file);
      db.pragma('busy_timeout = 5000');
      const insert = db.prepare('insert into blobs (body) values (randomblob(100))');
      let n = 0;
      while (Atomics.load(workerData.stop, 0) === 0) { insert.run(); n++; }
      db.close();
      parentPort.postMessage(n);
    `, { eval: true, workerData: { file: join(dir, 'busy.db'), stop, driver: createRequire(import.meta.url).resolve('better-sqlite3') } });
    const commits = new Promise<number>((resolve) => writer.once('message', resolve));
    try {
      const deadline = Date.now() + 10_000;
      while (threshold(database) !== resetFrames && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      Atomics.store(stop, 0, 1);
    }
    expect(await commits).toBeGreaterThan(100);
    expect(threshold(database)).toBe(resetFrames);
  });

  it('the setting is back also when the work throws', async () => {
    const database = await open('throws.db');
    await expect(withCheckpointDeferred(database.db, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect((database.raw as SQLite.Database).pragma('wal_autocheckpoint', { simple: true })).toBe(100);
  });
});
