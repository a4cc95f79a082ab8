import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '@custodian/server/dist/db/database.js';
import { seed } from '../src/seed.js';
import { startServer, type RunningServer } from '../src/server.js';
import { HEADERS, IMPORT_USERS, bulkInsertBaseline, importScenario, prepareImport } from '../src/imports.js';

// The import scenario end to end on a small SQLite organization (not a timed test): the file it
// writes, the real server importing it through the API, the counts it checks, and a run with a
// bad row reported as failed rather than as fast.
describe('bench import scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-bench-import-'));
  const url = `sqlite:${join(dir, 'custodian.db')}`;
  let server: RunningServer | null = null;
  const lines: string[] = [];
  const log = (l: string) => { lines.push(l); };

  beforeAll(async () => {
    await seed({ databaseUrl: url, dataDir: dir, assets: 100 });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports 300 generated rows through the API, checks the counts and measures a baseline', async () => {
    const plan = await prepareImport(url, dir, 300, log);
    // The seed deactivates some people: active ones were added so that 5,000 can be referenced.
    expect(plan.refs.usernames).toHaveLength(IMPORT_USERS);
    expect(new Set(plan.refs.usernames).size).toBe(IMPORT_USERS);
    expect(plan.refs.created.users).toBeGreaterThan(0);
    expect(plan.refs.models).toHaveLength(50);
    expect(plan.refs.locations).toHaveLength(200);
    const csv = readFileSync(plan.csvPath, 'utf8');
    expect(csv.slice(0, csv.indexOf('\r\n'))).toBe(HEADERS.join(','));
    expect(csv.split(`\r\n${plan.tagPrefix}`).length - 1).toBe(300);
    expect(csv).toContain('"Multi-line note:\nsecond line."');

    const baseline = await bulkInsertBaseline(url, plan, log);
    expect(baseline.seconds).toBeGreaterThan(0);
    // The baseline wrote to a copy: the organization does not have those tags yet.
    const database = createDatabase(url, { poolSize: 1 });
    try {
      const n = await database.db.selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).where('asset_tag', 'like', `${plan.tagPrefix}%`).executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(0);
    } finally {
      await database.close();
    }

    server = await startServer({ databaseUrl: url, dataDir: dir, logLevel: 'warn' });
    const result = await importScenario(server, url, plan, baseline, log);
    expect(result.failure).toBeNull();
    expect(result.ok).toBe(true);
    expect(result.counts).toEqual({ created: 300, updated: 0, unchanged: 0, failed: 0, errors: 0 });
    expect(result.verified).toEqual({ assets: 300, openAssignments: 30, assetEvents: 330 });
    expect(result.totalSeconds).toBeCloseTo(result.uploadSeconds + result.validateSeconds + result.commitSeconds, 5);
    expect(result.peakRssMb.commit).toBeGreaterThan(0);
  });

  it('reports a run with a row that cannot be imported as failed, with nothing written', async () => {
    const plan = await prepareImport(url, dir, 50, log);
    // Someone the file checks an asset out to leaves before the import runs.
    const holder = plan.refs.usernames[0]!;
    const database = createDatabase(url, { poolSize: 1 });
    try {
      await database.db.updateTable('users').set({ is_active: 0 }).where((eb) => eb.or([eb('email', '=', holder), eb('email', 'like', `${holder}@%`)])).execute();
    } finally {
      await database.close();
    }
    server ??= await startServer({ databaseUrl: url, dataDir: dir, logLevel: 'warn' });
    const result = await importScenario(server, url, plan, null, log);
    expect(result.ok).toBe(false);
    expect(result.failure).toMatch(/dry run: 49 to create, [1-9]\d* errors/);
    expect(result.failure).toMatch(/0 assets in the database, expected 50/);
    expect(result.verified.assets).toBe(0);
  });
});
