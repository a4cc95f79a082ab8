import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../src/db/database.js';
import { literalLimit, StatementNames } from '../src/db/dialect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { listEventsQuery } from '../src/modules/events/events.repository.js';
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
    // Forgotten (its result columns changed): the next sighting gets a name no connection has prepared.
    names.forget('select 1 where $1');
    const renamed = names.nameOf('select 1 where $1');
    expect(renamed).not.toBeNull();
    expect(renamed).not.toBe(name);
    expect(names.nameOf('select 1 where $1')).toBe(renamed);
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

  it('literalLimit takes only row counts', () => {
    expect(() => literalLimit(1.5)).toThrow(/not a row count/);
    expect(() => literalLimit(-1)).toThrow(/not a row count/);
    expect(() => literalLimit(Number.NaN)).toThrow(/not a row count/);
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

  // A bound LIMIT is costed as a tenth of the rows in a generic plan, so PostgreSQL kept planning
  // the page query on every execution; written into the text, the generic plan is taken.
  it('a page query with its LIMIT in the text gets a generic plan; with a bound LIMIT it is planned every time', async () => {
    const d = open();
    await migrateToLatest(d.db);
    const f = { orgId: '01a25138-c18b-751a-888a-65dadd14af55', limit: 50 };
    // Enough rows of one chain that the planner's guess for a bound LIMIT (a tenth of them) matters.
    await sql`insert into organizations (id, name, slug, created_at, updated_at) values (${f.orgId}, 'Plans', 'plans', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`.execute(d.db);
    await sql`insert into events (id, chain_id, seq, org_id, occurred_at, actor_type, actor_label, action, entity_type, entity_id, changes, meta, prev_hash, hash)
      select 'e' || n, ${f.orgId}, n, ${f.orgId}, '2026-01-01T00:00:00Z', 'system', 'test', 'asset.updated', 'asset', 'a' || (n % 500), '{}', '{}', '', ''
        from generate_series(1, 20000) as n`.execute(d.db);
    await sql`analyze events`.execute(d.db);
    for (let i = 0; i < 8; i++) {
      await listEventsQuery(d.db, f).execute();
      await listEventsQuery(d.db, f).clearLimit().limit(f.limit).execute();
    }
    const plans = (await sql<{ statement: string; generic_plans: number; custom_plans: number }>`
      select statement, generic_plans, custom_plans from pg_prepared_statements where statement like ${'%from "events"%'}`.execute(d.db)).rows;
    const literal = plans.find((p) => / limit 50$/.test(p.statement));
    const bound = plans.find((p) => / limit \$\d+$/.test(p.statement));
    expect(Number(literal?.generic_plans)).toBeGreaterThan(0);
    expect(Number(bound?.generic_plans)).toBe(0);
    expect(Number(bound?.custom_plans)).toBeGreaterThan(5);
  });

  // A migration run by another process while this one is up: PostgreSQL refuses a prepared
  // statement whose result columns changed. One execution fails; the next prepares it afresh.
  it('after another process changes a table, a prepared select * fails once and then works again', async () => {
    const d = open();
    const other = open(false);
    await sql`create table prep_shape (id int primary key)`.execute(d.db);
    await sql`insert into prep_shape values (1)`.execute(d.db);
    const read = () => sql<Record<string, unknown>>`select * from prep_shape where id = ${1}`.execute(d.db);
    for (let i = 0; i < 3; i++) expect((await read()).rows).toEqual([{ id: 1 }]);
    expect(await prepared(d)).toContain('select * from prep_shape where id = $1');
    await sql`alter table prep_shape add column label text default 'x'`.execute(other.db);
    await expect(read()).rejects.toThrow(/cached plan must not change result type/);
    expect((await read()).rows).toEqual([{ id: 1, label: 'x' }]);
    expect((await read()).rows).toEqual([{ id: 1, label: 'x' }]);
  });

  it('with prepare off nothing is prepared', async () => {
    const d = open(false);
    for (const n of [1, 2, 3]) expect((await query(d, n)).rows[0]?.v).toBe(n + 1);
    expect(await prepared(d)).toEqual([]);
  });
});
