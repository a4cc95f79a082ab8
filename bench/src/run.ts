#!/usr/bin/env node
/**
 * npm run bench -- [--assets N] [--engine sqlite|postgres] [--database-url URL] [--duration S]
 *                  [--connections C] [--warmup S] [--data-dir DIR] [--reuse] [--keep]
 *                  [--no-events] [--log-level LEVEL] [--only NAME] [--machines N] [--agents C] [--import-rows N]
 *
 * Seeds a database, starts the real server as a child process, runs every scenario (baseline
 * /healthz first, in the same run), prints a table and writes bench/results/<timestamp>.json.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { createDatabase } from '@custodian/server/dist/db/database.js';
import { seed, type SeedResult } from './seed.js';
import { startServer } from './server.js';
import { measure, prepareAccess, scenarios, type ScenarioResult } from './load.js';
import { discoveryScenarios, prepareDiscovery } from './discovery.js';
import { bulkInsertBaseline, importScenario, prepareImport, type ImportBaseline, type ImportResult } from './imports.js';

const HELP = `Usage: npm run bench -- [options]

  --assets N            assets to seed (default 100000)
  --engine E            sqlite (default) or postgres
  --database-url URL    PostgreSQL server to create the scratch database on
                        (default: $BENCH_DATABASE_URL); with --reuse, the seeded database itself
  --duration S          seconds measured per scenario (default 10)
  --warmup S            warm-up seconds per scenario, not measured (default 2)
  --connections C       concurrent connections (default 8)
  --data-dir DIR        SQLite database and server data directory (default: a new temp dir)
  --reuse               use the already seeded database in --data-dir / --database-url
  --keep                keep the temp dir / PostgreSQL database afterwards
  --no-events           do not write an asset.created event per seeded asset
  --log-level L         server log level (default info; the log goes to /dev/null)
  --only TEXT           run only scenarios whose name contains TEXT (the baseline always runs);
                        "check" runs the check-out and then the check-in of the same assets;
                        "discovery" runs only the agent inventory replay; "import" only the import
  --machines N          distinct machines the discovery scenario inventories (default 10000; 0: skip)
  --agents C            agents sending at once in the discovery scenario (default 4)
  --import-rows N       rows of the generated asset CSV the import scenario uploads, dry-runs and
                        commits through the API, next to a plain bulk insert of the same rows
                        (default 100000; 0: skip)
  --no-import-baseline  skip that bulk insert (it takes minutes at 1,000,000 rows on SQLite)

The custody scenarios run last and write: each check-out takes an in-stock asset of its own (a
run stops early when none are left); the check-in returns exactly those assets to stock. The import
runs last (it adds N assets to the organization).`;

function fail(message: string): never {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

function positiveInt(name: string, raw: string | undefined, def: number): number {
  if (raw === undefined) return def;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a whole number, got "${raw}"`);
  return n;
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    assets: { type: 'string' }, engine: { type: 'string' }, 'database-url': { type: 'string' }, duration: { type: 'string' },
    warmup: { type: 'string' }, connections: { type: 'string' }, 'data-dir': { type: 'string' }, reuse: { type: 'boolean' },
    keep: { type: 'boolean' }, 'no-events': { type: 'boolean' }, 'log-level': { type: 'string' }, only: { type: 'string' },
    machines: { type: 'string' }, agents: { type: 'string' }, 'import-rows': { type: 'string' }, 'no-import-baseline': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const engine = values.engine ?? 'sqlite';
if (engine !== 'sqlite' && engine !== 'postgres') fail(`--engine must be sqlite or postgres, got "${engine}"`);
const assets = positiveInt('assets', values.assets, 100_000);
const duration = positiveInt('duration', values.duration, 10);
const warmup = positiveInt('warmup', values.warmup, 2);
const connections = positiveInt('connections', values.connections, 8);
if (duration < 1 || connections < 1) fail('--duration and --connections must be at least 1');
const machines = positiveInt('machines', values.machines, 10_000);
const agents = Math.max(1, positiveInt('agents', values.agents, 4));
const importRows = positiveInt('import-rows', values['import-rows'], 100_000);
const logLevel = values['log-level'] ?? 'info';
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '_');

const tempDir = !values['data-dir'];
const dataDir = resolve(values['data-dir'] ?? mkdtempSync(join(tmpdir(), 'custodian-bench-')));
mkdirSync(dataDir, { recursive: true });

/** One statement on the PostgreSQL server (create/drop database) through the server's own driver setup. */
async function adminQuery(url: string, statement: string): Promise<void> {
  const database = createDatabase(url, { poolSize: 1 });
  try {
    await (database.raw as pg.Pool).query(statement);
  } finally {
    await database.close();
  }
}

let databaseUrl: string;
let dropDatabase: (() => Promise<void>) | null = null;
if (engine === 'sqlite') {
  databaseUrl = `sqlite:${join(dataDir, 'custodian.db')}`;
  if (values.reuse && !existsSync(join(dataDir, 'custodian.db'))) fail(`--reuse: there is no ${join(dataDir, 'custodian.db')}`);
  if (!values.reuse && existsSync(join(dataDir, 'custodian.db'))) fail(`${dataDir} already holds a database; pass --reuse to use it or choose another --data-dir`);
} else {
  const base = values['database-url'] ?? process.env.BENCH_DATABASE_URL;
  if (!base) fail('--engine postgres needs --database-url or BENCH_DATABASE_URL');
  if (values.reuse) {
    databaseUrl = base;
  } else {
    const name = `custodian_bench_${stamp.toLowerCase()}`;
    await adminQuery(base, `create database ${name}`);
    const u = new URL(base);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    if (!values.keep) {
      dropDatabase = () => adminQuery(base, `drop database if exists ${name} with (force)`);
    } else {
      console.log(`PostgreSQL database kept: ${databaseUrl}`);
    }
  }
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const shownUrl = databaseUrl.replace(/\/\/[^@/]*@/, '//');

async function main(): Promise<void> {
  console.log(`Custodian bench: ${engine}, ${values.reuse ? 'reusing' : `${assets.toLocaleString('en')} assets`}, ${duration} s per scenario at ${connections} connections (+${warmup} s warm-up)`);
  console.log(`database: ${shownUrl}`);
  let seedResult: SeedResult | null = null;
  if (!values.reuse) {
    seedResult = await seed({ databaseUrl, dataDir, assets, events: !values['no-events'], log: (l) => console.log(`  seed: ${l}`) });
    console.log(`seeded ${assets.toLocaleString('en')} assets${values['no-events'] ? '' : ' (+1 event each)'} in ${fmt(seedResult.assetSeconds)} s = ${Math.round(seedResult.assetRowsPerSecond).toLocaleString('en')} assets/s; whole seed ${fmt(seedResult.totalSeconds)} s`);
  }
  const access = await prepareAccess(databaseUrl, dataDir);
  const runDiscovery = machines > 0 && (!values.only || 'discovery: first inventory, repeat'.includes(values.only));
  const discoveryAccess = runDiscovery ? await prepareDiscovery(databaseUrl, dataDir) : null;
  // The import's file, token and references, and its baseline (on a copy of the database), are
  // made before the server starts: nothing else competes for the CPU or the database then.
  const runImport = importRows > 0 && (!values.only || 'import: upload, validate, commit'.includes(values.only));
  const importPlan = runImport ? await prepareImport(databaseUrl, dataDir, importRows, (l) => console.log(`  import: ${l}`)) : null;
  let importBaseline: ImportBaseline | null = null;
  if (importPlan && !values['no-import-baseline']) {
    (globalThis as { gc?: () => void }).gc?.();
    importBaseline = await bulkInsertBaseline(databaseUrl, importPlan, (l) => console.log(`  import: ${l}`));
  }
  const server = await startServer({ databaseUrl, dataDir, logLevel });
  const results: ScenarioResult[] = [];
  let importResult: ImportResult | null = null;
  try {
    const idleRss = server.rssMb();
    const defs = (await scenarios(server, access)).filter((d, i) => i === 0 || !values.only || d.name.includes(values.only));
    for (const def of defs) {
      (globalThis as { gc?: () => void }).gc?.();
      const r = await measure(server, access, def, { duration, warmup, connections });
      results.push(r);
      console.log(`  ${r.name.padEnd(32)} ${fmt(r.rps, 0).padStart(7)} req/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms${r.cpuMsPerRequest ? `  server CPU ${fmt(r.cpuMsPerRequest.main, 2)} ms/req (main thread), ${fmt(r.cpuMsPerRequest.process, 2)} (all)` : ''}${r.non2xx || r.errors || !r.requests ? `  (${r.requests} ok, ${r.non2xx} non-2xx, ${r.errors} errors/timeouts)` : ''}`);
      if (r.note) console.log(`    ${r.note}`);
    }
    if (discoveryAccess) {
      (globalThis as { gc?: () => void }).gc?.();
      for (const r of await discoveryScenarios(server, discoveryAccess, machines, agents)) {
        results.push(r);
        console.log(`  ${r.name.padEnd(32)} ${fmt(r.rps, 1).padStart(7)} inv/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms`);
      }
    }
    if (importPlan) {
      (globalThis as { gc?: () => void }).gc?.();
      await server.waitIdle();
      importResult = await importScenario(server, databaseUrl, importPlan, importBaseline, (l) => console.log(`  import: ${l}`));
      rmSync(importPlan.csvPath, { force: true });
    }
    const baseline = results[0]?.p50 ?? NaN;
    const rows = results.map((r) => [
      r.name, fmt(r.rps, 0), fmt(r.p50, 2), fmt(r.p99, 2), Number.isFinite(r.p50 / baseline) ? `${fmt(r.p50 / baseline, 1)}×` : '—', fmt(r.rssMb, 0),
      r.requests === 0 ? 'all' : r.non2xx || r.errors ? `${r.non2xx + r.errors}` : '',
    ]);
    const head = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'p50/baseline', 'server RSS MB', 'failed'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
    console.log(`\n${line(head)}\n| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`);
    for (const row of rows) console.log(line(row));
    for (const r of results) if (r.note) console.log(`\n${r.name}: ${r.note}`);
    if (importResult) printImport(importResult);
    console.log(`\nserver RSS: ${fmt(idleRss, 0)} MB idle after start, ${fmt(server.peakRssMb(), 0)} MB peak; ${access.assets.toLocaleString('en')} assets in the organization${importResult ? ' before the import' : ''}`);
    const outDir = fileURLToPath(new URL('../results/', import.meta.url));
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `${stamp}.json`);
    writeFileSync(file, `${JSON.stringify({
      startedAt: new Date().toISOString(), engine, assets: access.assets, duration, warmup, connections, logLevel,
      machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? null, memoryGb: Math.round(totalmem() / 2 ** 30) },
      seed: seedResult, server: { idleRssMb: idleRss, peakRssMb: server.peakRssMb() }, baselineP50: baseline,
      scenarios: results.map((r) => ({ ...r, p50Ratio: r.p50 / baseline })),
      import: importResult ? { ...importResult, ratioToBaseline: importBaseline ? importResult.totalSeconds / importBaseline.seconds : null } : null,
    }, null, 2)}\n`);
    console.log(`results: ${file}`);
    if (importResult && !importResult.ok) {
      console.error(`\nIMPORT FAILED: ${importResult.failure}`);
      process.exitCode = 1;
    }
  } finally {
    await server.stop();
  }
}

/** The import's phases, its rate, its ratio to the plain bulk insert of the same rows, and memory. */
function printImport(r: ImportResult): void {
  const b = r.baseline;
  const rows: string[][] = [
    ['upload (multipart, inspected, counted, auto-mapped)', fmt(r.uploadSeconds, 2), '', fmt(r.serverCpuSeconds.upload, 2), fmt(r.peakRssMb.upload, 0)],
    ['dry run (validate every row)', fmt(r.validateSeconds, 2), r.serverValidateSeconds === null ? '' : fmt(r.serverValidateSeconds, 2), fmt(r.serverCpuSeconds.validate, 2), fmt(r.peakRssMb.validate, 0)],
    ['commit (all-or-nothing, events, custody)', fmt(r.commitSeconds, 2), r.serverCommitSeconds === null ? '' : fmt(r.serverCommitSeconds, 2), fmt(r.serverCpuSeconds.commit, 2), fmt(r.peakRssMb.commit, 0)],
    ['total, end to end', fmt(r.totalSeconds, 2), '', fmt(r.serverCpuSeconds.upload + r.serverCpuSeconds.validate + r.serverCpuSeconds.commit, 2), fmt(r.peakRssMb.commit, 0)],
  ];
  if (b) rows.push(['baseline: bulk INSERT of the same rows, 1 transaction', fmt(b.seconds, 2), '', fmt(b.cpuSeconds, 2), '']);
  const head = ['import phase', 'seconds', 'server says', 'server CPU s', 'peak RSS MB'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log(`\nimport of ${r.rows.toLocaleString('en')} asset rows (${(r.csvBytes / 2 ** 20).toFixed(1)} MiB CSV, job ${r.jobId}): ${r.ok ? 'OK' : 'FAILED'}`);
  console.log(`${line(head)}\n| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`);
  for (const row of rows) console.log(line(row));
  console.log(`${Math.round(r.rowsPerSecond).toLocaleString('en')} rows/s end to end${b ? `; import / bulk insert = ${fmt(r.totalSeconds / b.seconds, 1)}× (commit alone ${fmt(r.commitSeconds / b.seconds, 1)}×; bulk insert ${Math.round(b.rowsPerSecond).toLocaleString('en')} rows/s)` : ''}`);
  console.log(`counts: ${r.counts.created} created, ${r.counts.updated} updated, ${r.counts.unchanged} unchanged, ${r.counts.failed} failed, ${r.counts.errors} errors; `
    + `in the database: ${r.verified.assets} assets, ${r.verified.openAssignments} open assignments, ${r.verified.assetEvents} asset events`);
  if (!r.ok) console.log(`FAILED: ${r.failure}`);
}

try {
  await main();
} finally {
  if (dropDatabase) await dropDatabase();
  if (tempDir && !values.keep) rmSync(dataDir, { recursive: true, force: true });
  else console.log(`data dir kept: ${dataDir}`);
}
