import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../src/db/database.js';
import { StatementNames } from '../src/db/dialect.js';
import { loadConfig } from '../src/config.js';
import { engines, freshDatabaseUrl } from './harness.js';

describe('prepared statement names (PostgreSQL driver policy)', () => {
  it('a text gets a name the second time it is seen, and keeps it', () => {
    const names = new StatementNames();
    expect(names.nameOf('select 1 where $1')).toBeNull();
    const name = names.nameOf('select 1 where $1');
    expect(name).toMatch(/^c_[\w-]{27}$/);
    expect(names.nameOf('select 1 where $1')).toBe(name);
    // Another text, another name.
    names.nameOf('select 2 where $1');
    expect(names.nameOf('select 2 where $1')).not.toBe(name);
    expect(names.size).toBe(2);
  });

  it('long texts (bulk INSERTs) stay unnamed, and at most 500 texts get names', () => {
    const names = new StatementNames();
    const long = `insert into t values ${Array.from({ length: 2000 }, (_, i) => `($${i + 1})`).join(', ')}`;
    expect(names.nameOf(long)).toBeNull();
    expect(names.nameOf(long)).toBeNull();
    for (let i = 0; i < 600; i++) {
      names.nameOf(`select ${i}`);
      names.nameOf(`select ${i}`);
    }
    expect(names.size).toBe(500);
    expect(names.nameOf('select 599')).toBeNull();
    expect(names.nameOf('select 1')).not.toBeNull();
  });

  it('DATABASE_PREPARE is on by default and can be turned off', () => {
    const base = { DATA_DIR: '/tmp/custodian-prepare-test', APP_SECRET: 'x'.repeat(40) };
    expect(loadConfig(base, { ensureDataDir: false }).databasePrepare).toBe(true);
    expect(loadConfig({ ...base, DATABASE_PREPARE: 'false' }, { ensureDataDir: false }).databasePrepare).toBe(false);
    expect(() => loadConfig({ ...base, DATABASE_PREPARE: 'maybe' }, { ensureDataDir: false })).toThrow(/DATABASE_PREPARE/);
  });
});

// What the server sees: pg_prepared_statements lists the named statements of the session.
// Only where TEST_DATABASE_URL is set (no iteration otherwise).
describe.each(engines.filter((e) => e === 'postgres'))('prepared statements on PostgreSQL (%s)', (engine) => {
  let url: string;
  let drop: () => Promise<void>;
  const opened: Database[] = [];
  beforeAll(async () => {
    ({ url, drop } = await freshDatabaseUrl(engine));
  });
  afterAll(async () => {
    for (const d of opened) await d.close();
    await drop();
  });

  const open = (prepare?: boolean) => {
    // One connection, so the statements and pg_prepared_statements share a session.
    const d = createDatabase(url, { poolSize: 1, ...(prepare === undefined ? {} : { prepare }) });
    opened.push(d);
    return d;
  };
  const query = (d: Database, n: number) => sql<{ v: number }>`select ${n}::int + 1 as v`.execute(d.db);
  const prepared = async (d: Database) => (await sql<{ statement: string }>`select statement from pg_prepared_statements order by statement`.execute(d.db)).rows.map((r) => r.statement);

  it('a repeated query is prepared once on the connection and still gets its own parameters', async () => {
    const d = open();
    expect((await query(d, 1)).rows[0]?.v).toBe(2);
    expect(await prepared(d)).not.toContain('select $1::int + 1 as v');
    for (const n of [2, 3, 4, 5, 6, 7, 8]) expect((await query(d, n)).rows[0]?.v).toBe(n + 1);
    expect(await prepared(d)).toContain('select $1::int + 1 as v');
    // A named statement that fails reports its error, and the connection goes on.
    const divide = (n: number) => sql<{ v: number }>`select 12 / ${n}::int as v`.execute(d.db);
    expect((await divide(3)).rows[0]?.v).toBe(4);
    expect((await divide(4)).rows[0]?.v).toBe(3);
    await expect(divide(0)).rejects.toThrow(/division by zero/);
    expect(await prepared(d)).toContain('select 12 / $1::int as v');
    expect((await query(d, 41)).rows[0]?.v).toBe(42);
  });

  it('with prepare off nothing is prepared', async () => {
    const d = open(false);
    for (const n of [1, 2, 3]) expect((await query(d, n)).rows[0]?.v).toBe(n + 1);
    expect(await prepared(d)).toEqual([]);
  });
});
