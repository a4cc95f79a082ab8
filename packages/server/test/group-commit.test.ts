import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { GroupCommit } from '../src/db/group-commit.js';
import { createTestApp, engines, type TestApp } from './harness.js';

describe.each(engines)('group commit (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
    await sql`create table gc_test (id text primary key)`.execute(t.database.db);
  });
  afterAll(() => t.close());

  const rows = async () => (await sql<{ id: string }>`select id from gc_test order by id`.execute(t.database.db)).rows.map((r) => r.id);
  const insert = (id: string) => async (trx: Parameters<Parameters<GroupCommit['run']>[0]>[0]) => {
    await sql`insert into gc_test (id) values (${id})`.execute(trx);
    return id;
  };

  it('units arriving together share a transaction; one that fails is rolled back alone and its caller gets the error', async () => {
    const gc = new GroupCommit(t.database.db, 16);
    const counted = (fn: Parameters<GroupCommit['run']>[0]) => gc.run(fn);
    const results = await Promise.allSettled([
      counted(insert('a1')),
      counted(async (trx) => {
        await insert('a2')(trx);
        throw new Error('unit 2 fails after writing');
      }),
      counted(insert('a3')),
      // A unique violation inside a unit (on PostgreSQL this aborts the transaction until the savepoint is rolled back).
      counted(insert('a1')),
      counted(insert('a4')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'unit 2 fails after writing' });
    expect(await rows()).toEqual(['a1', 'a3', 'a4']);
    // The first unit started a transaction alone; the four that queued behind it shared the next.
    expect(gc.stats).toEqual({ batches: 2, units: 5 });
  });

  it('a unit alone is its own transaction: its failure writes nothing', async () => {
    const gc = new GroupCommit(t.database.db, 16);
    await expect(gc.run(async (trx) => {
      await insert('b1')(trx);
      throw new Error('nope');
    })).rejects.toThrow('nope');
    expect(await gc.run(insert('b2'))).toBe('b2');
    expect((await rows()).filter((r) => r.startsWith('b'))).toEqual(['b2']);
  });
});
