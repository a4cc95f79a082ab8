/**
 * custodian-server commands, run as real child processes of the built CLI against real databases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { engines, freshDatabaseUrl, PASSWORD } from './harness.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

function run(env: Record<string, string>, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.each(engines)('custodian-server commands (%s)', (engine) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'custodian-cli-'));
    const fresh = await freshDatabaseUrl(engine, join(dataDir, 'custodian.db'));
    drop = fresh.drop;
    env = { DATA_DIR: dataDir, DATABASE_URL: fresh.url };
  });
  afterAll(() => drop());

  it('migrate, create-admin (generated password), reset-password (piped password)', () => {
    expect(run(env, ['migrate'])).toMatchObject({ code: 0, out: expect.stringContaining('Applied') });
    expect(run(env, ['migrate']).out).toContain('up to date');
    const created = run(env, ['create-admin', '--email', 'Ops@Example.test', '--name', 'Ops', '--organization', 'Ops Org']);
    expect(created.code).toBe(0);
    expect(created.out).toContain('owner of "Ops Org"');
    const pw = /Temporary password[^:]*: (\S+)/.exec(created.out)?.[1];
    expect(pw).toBeTruthy();
    const again = run(env, ['create-admin', '--email', 'ops@example.test']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');
    const reset = run(env, ['reset-password', '--email', 'ops@example.test', '--password-stdin'], `${PASSWORD}\n`);
    expect(reset.code).toBe(0);
    expect(reset.out).not.toContain(PASSWORD);
    expect(run(env, ['reset-password', '--email', 'nobody@example.test']).code).toBe(1);
    const usage = run(env, ['create-admin']);
    expect(usage).toMatchObject({ code: 1, err: expect.stringContaining('--email') });
    expect(run(env, ['frobnicate']).code).toBe(2);
  });

  it('verify-log passes, then reports the first broken link after a row is altered in the database', async () => {
    const ok = run(env, ['verify-log']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^ok\s+system\s+\d+ events/m);
    const database = createDatabase(env.DATABASE_URL!);
    const org = await database.db.selectFrom('organizations').select('id').executeTakeFirstOrThrow();
    await sql`update events set actor_label = ${'someone-else'} where chain_id = ${org.id} and seq = 2`.execute(database.db);
    await database.close();
    const bad = run(env, ['verify-log']);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(new RegExp(`BROKEN\\s+${org.id}\\s+first broken link at #2`));
    expect(bad.out).toMatch(/^ok\s+system/m);
  });

  it('backup: a consistent SQLite copy that restore brings back; PostgreSQL points to pg_dump', async () => {
    const r = run(env, ['backup', '--out', join(dataDir, 'b1.db')]);
    if (engine === 'postgres') {
      expect(r.code).toBe(1);
      expect(r.err).toContain('pg_dump');
      return;
    }
    expect(r.code).toBe(0);
    expect(existsSync(join(dataDir, 'b1.db'))).toBe(true);
    // Change the live database, then restore the backup and see the change gone.
    expect(run(env, ['create-admin', '--email', 'later@example.test']).code).toBe(0);
    expect(run(env, ['restore', join(dataDir, 'b1.db')]).code).toBe(1); // needs --yes
    const restored = run(env, ['restore', join(dataDir, 'b1.db'), '--yes']);
    expect(restored.code).toBe(0);
    expect(restored.out).toContain('previous database is kept');
    const database = createDatabase(env.DATABASE_URL!);
    const emails = (await database.db.selectFrom('users').select('email').execute()).map((u) => u.email);
    await database.close();
    expect(emails).toContain('ops@example.test');
    expect(emails).not.toContain('later@example.test');
    const notDb = run(env, ['restore', CLI, '--yes']);
    expect(notDb.code).toBe(1);
    expect(notDb.err).toMatch(/not a SQLite database|not a Custodian database/);
  });
});

describe('server process', () => {
  it('starts on a fresh data directory, prints the setup link, serves, and shuts down gracefully', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'custodian-main-'));
    const port = await new Promise<number>((res) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => res(p));
      });
    });
    const child = spawn(process.execPath, [MAIN], { env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    // Up to 30 s: a fresh database runs every migration first, slow on a loaded machine.
    for (let i = 0; i < 300 && !out.includes('/setup?token='); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain(`http://127.0.0.1:${port}/setup?token=`);
    const health = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await health.json()).toEqual({ status: 'ready', database: 'sqlite' });
    expect(existsSync(join(dataDir, 'custodian.db'))).toBe(true);
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to start with a clear message on bad configuration', () => {
    const r = spawnSync(process.execPath, [MAIN], { env: { ...process.env, PORT: 'abc', DATA_DIR: mkdtempSync(join(tmpdir(), 'c-')) }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PORT must be a whole number');
  });
});

// Registered only when PostgreSQL is available (CI always sets TEST_DATABASE_URL).
if (engines.includes('postgres')) describe('PostgreSQL migrations', () => {
  it('two instances migrating at once both succeed (advisory lock)', async () => {
    const { url, drop } = await freshDatabaseUrl('postgres');
    const a = createDatabase(url);
    const b = createDatabase(url);
    try {
      const [ra, rb] = await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)]);
      const applied = [...(ra.results ?? []), ...(rb.results ?? [])].filter((r) => r.status === 'Success').map((r) => r.migrationName);
      expect(new Set(applied).size).toBe(applied.length); // each migration applied exactly once
      const tables = await a.db.introspection.getTables();
      expect(tables.map((t) => t.name)).toContain('events');
    } finally {
      await a.close();
      await b.close();
      await drop();
    }
  });
});

if (engines.includes('postgres')) describe('PostgreSQL connection loss', () => {
  it('an idle connection terminated by the server does not crash the process; the next query reconnects', async () => {
    const { url, drop } = await freshDatabaseUrl('postgres');
    const database = createDatabase(url, { poolSize: 2 });
    try {
      await sql`select 1`.execute(database.db);
      const pg = (await import('pg')).default;
      const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await admin.connect();
      const dbName = new URL(url).pathname.slice(1);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName]);
      await admin.end();
      await new Promise((r) => setTimeout(r, 200));
      const r = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      expect(Number(r.rows[0]?.one)).toBe(1);
    } finally {
      await database.close();
      await drop();
    }
  });
});
