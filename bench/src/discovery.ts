/**
 * Discovery benchmark: the Dell R640 full inventory (FusionInventory 2.6 XML, 837 packages, the
 * captured fixture) replayed as N distinct physical machines (serial, SMBIOS UUID, MACs, host name,
 * DEVICEID and disk serial varied per machine), then again as a repeat inventory without change
 * (only the volatile access-log date differs, so the payload is new but the device record is not).
 *
 * Each first inventory goes the whole way: raw payload stored, parsed, normalised, matched (no
 * match), asset + media created, 837 installations linked to the software catalogue, events.
 * The bodies are sent uncompressed (the agent's -C mode): compressing 280 kB per request would
 * steal the load generator's CPU from the server on a small machine; decompression is a few ms.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDatabase, type Database } from '@custodian/server/dist/db/database.js';
import type { Actor, Ctx } from '@custodian/server/dist/context.js';
import { loadConfig } from '@custodian/server/dist/config.js';
import { permissionsOf } from '@custodian/server/dist/authz/permissions.js';
import * as discovery from '@custodian/server/dist/modules/discovery/discovery.service.js';
import * as identity from '@custodian/server/dist/modules/identity/identity.service.js';
import type { RunningServer } from './server.js';
import type { ScenarioResult } from './load.js';
import { OWNER_EMAIL } from './seed.js';

const FIXTURE = fileURLToPath(new URL('../../packages/server/test/fixtures/agents/fusioninventory-2.6_local_fake-dmidecode-dell-r640.xml', import.meta.url));

export interface DiscoveryAccess { path: string; secret: string; databaseUrl: string }

/** An enrolment secret for the seeded organization (through the discovery service, as an admin would). */
export async function prepareDiscovery(databaseUrl: string, dataDir: string): Promise<DiscoveryAccess> {
  const database = createDatabase(databaseUrl, { poolSize: 2 });
  try {
    const { db, engine } = database;
    const owner = await identity.findUserByEmail(db, OWNER_EMAIL);
    if (!owner) throw new Error(`No seeded owner ${OWNER_EMAIL}`);
    const { org_id: orgId } = await db.selectFrom('memberships').select('org_id').where('user_id', '=', owner.id).where('role', '=', 'owner').executeTakeFirstOrThrow();
    const actor: Actor = { type: 'user', userId: owner.id, label: owner.email, orgId, role: 'owner', permissions: permissionsOf('owner') };
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, APP_SECRET: 'bench-secret-'.padEnd(40, 'x'), LOG_LEVEL: 'silent' }, { ensureDataDir: false });
    const ctx: Ctx = { db, engine, config, actor, requestId: null };
    const { secret } = await discovery.createEnrollment(ctx, { name: `bench ${new Date().toISOString()}` });
    const settings = await discovery.getSettings(ctx);
    return { path: `/inventory/${settings.inventoryPath}`, secret, databaseUrl };
  } finally {
    await database.close();
  }
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** The fixture made into physical machine number `i` of this run (`run` keeps reruns on --reuse distinct). */
export function machineInventory(template: string, run: string, i: number, logDate: string): string {
  const id = `${run}${hex(i, 6)}`;
  const mac = `02:${id.slice(-10).match(/../g)!.join(':')}`;
  return template
    .replace('<LOGDATE>2026-11-22 11:50:55</LOGDATE>', `<LOGDATE>${logDate}</LOGDATE>`)
    .replace('<SSN></SSN>', `<SSN>BENCH${id.toUpperCase()}</SSN>`)
    .replace('<VMSYSTEM>Docker</VMSYSTEM>', '<VMSYSTEM>Physical</VMSYSTEM>')
    .replace('<UUID>4C4C4544-0052-4A10-8046-B2C04F313533</UUID>', `<UUID>4C4C4544-${id.slice(0, 4)}-4A10-8046-${id.padStart(12, '0').slice(-12)}</UUID>`)
    .replaceAll('02:fc:00:00:00:01', mac)
    .replace('<NAME>vm</NAME>', `<NAME>r640-${id}</NAME>`)
    .replace('<DEVICEID>vm-2026-11-22-11-43-04</DEVICEID>', `<DEVICEID>r640-${id}-2026-11-22-11-43-04</DEVICEID>`)
    .replace('<DESCRIPTION>Virtual</DESCRIPTION>', '<DESCRIPTION>SCSI disk</DESCRIPTION>')
    .replace('<MANUFACTURER>Red Hat, Inc.</MANUFACTURER>\n      <NAME>vda</NAME>', '<MANUFACTURER>Seagate</MANUFACTURER>\n      <MODEL>ST4000NM0035</MODEL>\n      <NAME>sda</NAME>')
    .replace('<SERIALNUMBER>overlayblk</SERIALNUMBER>', `<SERIALNUMBER>ZC1${id.toUpperCase()}</SERIALNUMBER>`);
}

const percentile = (sorted: Float64Array, q: number): number =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN) : NaN;

/**
 * Waits until the server has put every installation into the product index (SQLite flushes it in
 * batches after the responses: software.service `flushIndex`), so that the sustained rate counts
 * that work too; returns how many devices were still queued when the last response came.
 */
async function indexDrained(database: Database): Promise<number> {
  const queued = async () => Number((await database.db.selectFrom('software_index_queue').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const first = await queued();
  for (let n = first; n > 0; n = await queued()) await new Promise((r) => setTimeout(r, 50));
  return first;
}

/** Sends machines [0, count) once each; returns latency percentiles and sustained rate (up to an empty index queue). */
async function replay(server: RunningServer, access: DiscoveryAccess, name: string, from: number, count: number, connections: number, body: (i: number) => string): Promise<ScenarioResult> {
  // Opened before the clock starts (opening a SQLite connection runs PRAGMA optimize).
  const database = createDatabase(access.databaseUrl, { poolSize: 1 });
  let next = from;
  const latencies: number[] = [];
  let non2xx = 0;
  let firstFailure = '';
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: `${server.url}${access.path}`,
      connections,
      amount: count,
      timeout: 60,
      headers: { 'content-type': 'application/xml', 'user-agent': 'FusionInventory-Agent_v2.6-3', authorization: `Basic ${Buffer.from(`agent:${access.secret}`).toString('base64')}` },
      requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, method: 'POST', body: body(next++) }) }],
    }, (err: unknown, r) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(r)));
    instance.on('response', (client, status, _bytes, ms) => {
      void client;
      if (status === 200) latencies.push(ms);
      else non2xx++;
    });
    instance.on('reqError', (e: Error) => { firstFailure ||= e.message; });
  });
  const backlog = await indexDrained(database).finally(() => database.close());
  const seconds = (performance.now() - started) / 1000;
  const rssMb = server.rssMb();
  await server.waitIdle();
  const sorted = Float64Array.from(latencies).sort();
  return {
    name, path: `POST ${access.path}`, requests: latencies.length, non2xx, errors: result.errors + result.timeouts, seconds,
    rps: latencies.length / seconds, p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN, rssMb,
    note: `${latencies.length.toLocaleString('en')} inventories in ${seconds.toFixed(1)} s = ${(latencies.length / seconds).toFixed(1)} inventories/s at ${connections} agents at once (until the product index had all: ${backlog} devices were queued at the last reply)${non2xx ? `; ${non2xx} non-200` : ''}${firstFailure ? `; ${firstFailure}` : ''}`,
  };
}

/**
 * First inventories of `machines` distinct machines, then repeats without change. Each is run
 * twice: one agent at a time (the latency an agent sees: p50), then `agents` at once (the rate the
 * server sustains; Node runs one request at a time, so latency there is queueing).
 */
export async function discoveryScenarios(server: RunningServer, access: DiscoveryAccess, machines: number, agents: number): Promise<ScenarioResult[]> {
  const template = readFileSync(FIXTURE, 'utf8');
  const run = hex(Date.now() % 0xffff, 4);
  const firstBody = (i: number) => machineInventory(template, run, i, '2026-11-25 08:00:00');
  const againBody = (i: number) => machineInventory(template, run, i, '2026-11-25 20:00:00');
  const solo = Math.max(1, Math.min(1000, Math.floor(machines / 10)));
  const out: ScenarioResult[] = [];
  out.push(await replay(server, access, 'discovery: first inventory, 1 agent', 0, solo, 1, firstBody));
  if (machines > solo) out.push(await replay(server, access, `discovery: first inventory, ${agents} agents`, solo, machines - solo, agents, firstBody));
  const repeats = Math.min(machines, 2000);
  const soloRepeats = Math.max(1, Math.floor(repeats / 2));
  out.push(await replay(server, access, 'discovery: repeat, no change, 1 agent', 0, soloRepeats, 1, againBody));
  if (repeats > soloRepeats) out.push(await replay(server, access, `discovery: repeat, no change, ${agents} agents`, soloRepeats, repeats - soloRepeats, agents, againBody));
  return out;
}
