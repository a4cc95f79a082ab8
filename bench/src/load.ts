/**
 * Load scenarios against a running server: each one a warm-up, then a fixed-duration autocannon
 * run at fixed concurrency, latencies recorded per response (autocannon's own histogram has 1 ms
 * resolution, too coarse for the sub-millisecond baseline), server RSS read at the end.
 */
import autocannon from 'autocannon';
import type pg from 'pg';
import { createDatabase } from '@custodian/server/dist/db/database.js';
import type { Actor, Ctx } from '@custodian/server/dist/context.js';
import { loadConfig } from '@custodian/server/dist/config.js';
import { permissionsOf } from '@custodian/server/dist/authz/permissions.js';
import * as identity from '@custodian/server/dist/modules/identity/identity.service.js';
import * as tokens from '@custodian/server/dist/modules/tokens/tokens.service.js';
import type { RunningServer } from './server.js';
import { OWNER_EMAIL } from './seed.js';

export interface BenchAccess {
  /** read-only token (assets, events, organization) for the read scenarios */
  token: string;
  /** token with `custody:write` as well, for the check-out / check-in scenarios */
  writeToken: string;
  orgId: string;
  assets: number;
  /** ids of assets spread over the whole table, for the detail-page scenario */
  idPool: string[];
  /** every `in_stock` asset without an open assignment, shuffled: each check-out uses one once */
  inStockPool: string[];
  /** active members with the employee role (seeded people), to receive checked-out assets */
  memberIds: string[];
  /** the model with the most assets, and the one whose share is nearest 1 % (lists by model, newest first) */
  models: { common: string; onePercent: string };
}

/**
 * Issues an API token for the seeded owner through the token service (as the owner would from
 * their profile page) and samples asset ids. Runs before the server starts; closes its connection.
 */
export async function prepareAccess(databaseUrl: string, dataDir: string, poolSize = 2000): Promise<BenchAccess> {
  const database = createDatabase(databaseUrl, { poolSize: 2 });
  try {
    const { db, engine } = database;
    const owner = await identity.findUserByEmail(db, OWNER_EMAIL);
    if (!owner) throw new Error(`No seeded owner ${OWNER_EMAIL} in this database; seed it first (drop --reuse).`);
    const membership = await db.selectFrom('memberships').select('org_id').where('user_id', '=', owner.id).where('role', '=', 'owner').executeTakeFirstOrThrow();
    const orgId = membership.org_id;
    const actor: Actor = { type: 'user', userId: owner.id, label: owner.email, orgId, role: 'owner', permissions: permissionsOf('owner') };
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, APP_SECRET: 'bench-secret-'.padEnd(40, 'x'), LOG_LEVEL: 'silent' }, { ensureDataDir: false });
    const ctx: Ctx = { db, engine, config, actor, requestId: null };
    const { secret } = await tokens.create(ctx, { name: `bench ${new Date().toISOString()}`, scopes: ['assets:read', 'events:read', 'organization:read'], expiresInDays: 1 });
    const { secret: writeSecret } = await tokens.create(ctx, { name: `bench custody ${new Date().toISOString()}`, scopes: ['assets:read', 'custody:write'], expiresInDays: 1 });
    await ensureCustomFieldScenario(database, orgId);
    const count = Number((await db.selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).n);
    // UUIDv7 ends in random bits: a suffix match is a uniform sample of the table.
    const suffix = count > 400_000 ? '%a5' : count > 25_000 ? '%a' : '%';
    const ids = shuffle((await db.selectFrom('assets').select('id').where('org_id', '=', orgId).where('id', 'like', suffix).execute()).map((r) => r.id));
    // What the check-out accepts: in stock, not deleted, not held (checkoutProblem in custody.service).
    const inStock = shuffle((await db.selectFrom('assets').select('id').where('org_id', '=', orgId).where('lifecycle_state', '=', 'in_stock')
      .where('deleted_at', 'is', null)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('assignments').select('assignments.id')
        .whereRef('assignments.asset_id', '=', 'assets.id').where('assignments.returned_at', 'is', null))))
      .execute()).map((r) => r.id));
    const members = shuffle((await db.selectFrom('memberships').innerJoin('users', 'users.id', 'memberships.user_id').select('users.id')
      .where('memberships.org_id', '=', orgId).where('memberships.role', '=', 'employee').where('users.is_active', '=', 1).execute()).map((r) => r.id));
    const perModel = (await db.selectFrom('assets').select(['model_id', (eb) => eb.fn.countAll<number>().as('n')]).where('org_id', '=', orgId)
      .groupBy('model_id').execute()).map((r) => ({ id: r.model_id, n: Number(r.n) })).sort((a, b) => b.n - a.n);
    const nearest = [...perModel].sort((a, b) => Math.abs(a.n - count / 100) - Math.abs(b.n - count / 100))[0];
    const models = { common: perModel[0]?.id ?? '', onePercent: nearest?.id ?? '' };
    return { token: secret, writeToken: writeSecret, orgId, assets: count, idPool: ids.slice(0, poolSize), inStockPool: inStock, memberIds: members.slice(0, 1000), models };
  } finally {
    await database.close();
  }
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/**
 * Ids handed out once each, front to back, across a scenario's warm-up and measured run. The
 * array is read live, so a queue can be built over another scenario's `done` list before that
 * scenario has run.
 */
export class IdQueue {
  #next = 0;
  constructor(private readonly ids: readonly string[]) {}
  take(): string | undefined {
    return this.ids[this.#next++];
  }
  get remaining(): number {
    return Math.max(0, this.ids.length - this.#next);
  }
}

/** A state-changing request that can be made once per asset (a second try would be a 409). */
export interface WriteSpec {
  queue: IdQueue;
  path: (id: string) => string;
  body: () => string;
  /** ids whose request succeeded (warm-up included), in order; the next scenario's pool */
  done: string[];
}

export interface ScenarioDef {
  name: string;
  /** the request measured (for random-id scenarios, a representative one) */
  path: string;
  auth: boolean;
  /** when set, every request picks one of these paths at random */
  paths?: string[];
  /** when set, a POST per request, each on the next id of the queue, with the custody token */
  write?: WriteSpec;
}

export interface ScenarioResult {
  name: string;
  path: string;
  requests: number;
  non2xx: number;
  /** connection errors and timeouts */
  errors: number;
  /** seconds the measured run lasted (shorter than asked when a write scenario ran out of assets) */
  seconds: number;
  /** write scenarios: pool size before the run and what went wrong, if anything */
  note?: string;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  rssMb: number;
  /**
   * Server CPU per request of the measured run, in ms (process = every thread, main = the
   * JavaScript thread only). Unlike latency, it hardly depends on what else the machine runs.
   */
  cpuMsPerRequest?: { process: number; main: number };
}

export interface LoadOptions {
  duration: number;
  warmup: number;
  connections: number;
}

/** Follows `nextCursor` through `pages` pages and returns the URL of the next one. */
async function deepPage(server: RunningServer, token: string, path: string, pages: number): Promise<string> {
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const res: Response = await fetch(`${server.url}${path}${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { nextCursor: string | null };
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  return `${path}${cursor ? `&cursor=${cursor}` : ''}`;
}

export async function scenarios(server: RunningServer, access: BenchAccess): Promise<ScenarioDef[]> {
  const filtered = '/api/v1/assets?limit=50&state=deployed&sort=-updatedAt';
  const idPaths = access.idPool.map((id) => `/api/v1/assets/${id}`);
  return [
    { name: 'baseline GET /healthz', path: '/healthz', auth: false },
    { name: 'assets list, 50 by tag', path: '/api/v1/assets?limit=50&sort=assetTag', auth: true },
    { name: 'assets list, deployed, newest', path: filtered, auth: true },
    { name: 'assets list, page 21 of that', path: await deepPage(server, access.token, filtered, 20), auth: true },
    // One index range each (assets_model_updated_idx); without it, 128 ms p50 for the 1 % model (migration 2026-12-07T1400).
    { name: 'assets list, commonest model, newest', path: `/api/v1/assets?limit=50&modelId=${access.models.common}&sort=-updatedAt`, auth: true },
    { name: 'assets list, a 1 % model, newest', path: `/api/v1/assets?limit=50&modelId=${access.models.onePercent}&sort=-updatedAt`, auth: true },
    { name: 'asset by id (random)', path: idPaths[0] ?? '/api/v1/assets/00000000-0000-7000-8000-000000000000', auth: true, paths: idPaths },
    { name: 'events, newest 50', path: '/api/v1/events?limit=50', auth: true },
    ...searchScenarios(),
    { name: 'auth/session', path: '/api/v1/auth/session', auth: true },
    // Writes last: they change the table the read scenarios page through.
    ...custodyScenarios(access),
  ];
}

// ---------- custody scenarios (writes) ----------

/**
 * Check-out of in-stock assets to seeded people, one asset per request; then check-in of exactly
 * the assets that were checked out (they end up in stock again, so `--reuse` finds them).
 */
function custodyScenarios(access: BenchAccess): ScenarioDef[] {
  const members = access.memberIds;
  if (!members.length) return [];
  const checkout: WriteSpec = {
    queue: new IdQueue(access.inStockPool),
    path: (id) => `/api/v1/assets/${id}/checkout`,
    body: () => JSON.stringify({ targetType: 'user', targetId: members[Math.floor(Math.random() * members.length)] }),
    done: [],
  };
  const checkin: WriteSpec = { queue: new IdQueue(checkout.done), path: (id) => `/api/v1/assets/${id}/checkin`, body: () => '{}', done: [] };
  return [
    { name: 'check-out to a person', path: '/api/v1/assets/:id/checkout', auth: true, write: checkout },
    { name: 'check-in (those assets)', path: '/api/v1/assets/:id/checkin', auth: true, write: checkin },
  ];
}

interface Sample { status: number; ms: number }

function cannon(opts: autocannon.Options, onResponse?: (s: Sample) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err: unknown, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result)));
    if (onResponse) instance.on('response', (_client, statusCode, _bytes, responseTime) => onResponse({ status: statusCode, ms: responseTime }));
  });
}

const percentile = (sorted: Float64Array, q: number): number =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN) : NaN;

/** Never in the pool: a request made after the pool ran dry is a 404, counted as a failure. */
const NO_ASSET = '00000000-0000-7000-8000-000000000000';

export async function measure(server: RunningServer, access: BenchAccess, def: ScenarioDef, opts: LoadOptions): Promise<ScenarioResult> {
  const paths = def.paths;
  const write = def.write;
  const token = write ? access.writeToken : access.token;
  /** non-2xx bodies by status, the first of each kept, for the report */
  const failures = new Map<number, { n: number; body: string }>();
  let requests: autocannon.Request[] | undefined;
  if (write) {
    requests = [{
      method: 'POST',
      setupRequest: (req, context) => {
        const id = write.queue.take() ?? NO_ASSET;
        (context as { id?: string }).id = id;
        return { ...req, method: 'POST', path: write.path(id), body: write.body() };
      },
      onResponse: (status, body, context) => {
        const id = (context as { id?: string }).id;
        if (status >= 200 && status < 300) {
          if (id) write.done.push(id);
        } else {
          const f = failures.get(status);
          if (f) f.n++;
          else failures.set(status, { n: 1, body: body.slice(0, 300) });
        }
      },
    }];
  } else if (paths?.length) {
    requests = [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)] }) }];
  }
  const base: autocannon.Options = {
    url: `${server.url}${def.path}`,
    connections: opts.connections,
    headers: {
      ...(def.auth ? { authorization: `Bearer ${token}` } : {}),
      ...(write ? { 'content-type': 'application/json' } : {}),
    },
    ...(requests ? { requests } : {}),
  };
  const poolBefore = write?.queue.remaining ?? 0;
  if (write && poolBefore < opts.connections * 2) {
    return {
      name: def.name, path: def.path, requests: 0, non2xx: 0, errors: 0, seconds: 0, rps: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN, rssMb: server.rssMb(),
      note: `skipped: ${poolBefore} assets to use${def.name.startsWith('check-in') ? ' (the check-out scenario did not run)' : ''}`,
    };
  }
  /**
   * A write scenario makes at most one request per asset left: autocannon's maxOverallRequests
   * ends the run early (before `duration`) when the pool runs dry. The warm-up gets a fifth of it.
   */
  const cap = (share: number): Partial<autocannon.Options> => (write ? { maxOverallRequests: Math.max(opts.connections, Math.floor(write.queue.remaining * share)) } : {});
  // A slow scenario leaves requests queued in the server when the load stops; wait them out so
  // that no scenario is billed for another's backlog.
  if (opts.warmup > 0) {
    await cannon({ ...base, duration: opts.warmup, ...cap(0.2) });
    await server.waitIdle();
  }
  const poolMeasured = write?.queue.remaining ?? 0;
  const warmupFailures = [...failures.values()].reduce((n, f) => n + f.n, 0);
  failures.clear();
  const latencies: number[] = [];
  let non2xx = 0;
  const cpuBefore = server.cpuMs();
  const started = performance.now();
  let lastResponse = started;
  const result = await cannon({ ...base, duration: opts.duration, ...cap(1) }, (s) => {
    lastResponse = performance.now();
    if (s.status >= 200 && s.status < 300) latencies.push(s.ms);
    else non2xx++;
  });
  const rssMb = server.rssMb();
  await server.waitIdle();
  const cpuAfter = server.cpuMs();
  const served = latencies.length + non2xx;
  const cpuMsPerRequest = served ? { process: (cpuAfter.process - cpuBefore.process) / served, main: (cpuAfter.main - cpuBefore.main) / served } : undefined;
  const sorted = Float64Array.from(latencies).sort();
  // autocannon notices the end only at its next 1 s tick; a run cut short by the pool ends at its last response.
  const exhausted = !!write && write.queue.remaining === 0;
  const seconds = exhausted ? (lastResponse - started) / 1000 : (result.duration || opts.duration);
  let note: string | undefined;
  if (write) {
    const parts = [`${poolMeasured.toLocaleString('en')} of ${poolBefore.toLocaleString('en')} assets left for the measured run`];
    if (exhausted) parts.push(`all used after ${seconds.toFixed(1)} s`);
    if (warmupFailures) parts.push(`${warmupFailures} non-2xx in the warm-up`);
    for (const [status, f] of failures) parts.push(`${f.n}× HTTP ${status}, e.g. ${f.body}`);
    note = parts.join('; ');
  }
  return {
    name: def.name, path: def.path, requests: latencies.length, non2xx, errors: result.errors + result.timeouts, seconds,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN,
    rssMb, ...(cpuMsPerRequest ? { cpuMsPerRequest } : {}), ...(note ? { note } : {}),
  };
}

// ---------- search scenarios (search module) ----------

/** Full text, tag prefix and a custom-field filter on the list. */
function searchScenarios(): ScenarioDef[] {
  return [
    { name: 'assets search, q="dell lat"', path: '/api/v1/assets?limit=50&q=dell%20lat', auth: true },
    { name: 'assets search, q=lenovo', path: '/api/v1/assets?limit=50&q=lenovo', auth: true },
    { name: 'assets search, tag prefix', path: '/api/v1/assets?limit=50&q=LAP-0001', auth: true },
    { name: 'assets list, cf.ram_gb=32 by tag', path: '/api/v1/assets?limit=50&cf.ram_gb=32', auth: true },
    { name: 'assets list, deployed by warranty', path: '/api/v1/assets?limit=50&state=deployed&sort=warrantyEnd', auth: true },
    { name: 'quick search, "lenovo"', path: '/api/v1/search?q=lenovo', auth: true },
  ];
}

/**
 * The seeder stores laptop RAM in the assets' JSON only; the custom-field scenario needs a field
 * definition and its indexed values (what the assets module writes through fields.writeIndex).
 * Done once per database, before the server starts.
 */
async function ensureCustomFieldScenario(database: ReturnType<typeof createDatabase>, orgId: string): Promise<void> {
  const { db } = database;
  const laptops = await db.selectFrom('categories').select('id').where('org_id', '=', orgId).where('asset_class', '=', 'laptop').executeTakeFirst();
  if (!laptops) return;
  const existing = await db.selectFrom('custom_fields').select('id').where('org_id', '=', orgId).where('category_id', '=', laptops.id).where('key', '=', 'ram_gb').executeTakeFirst();
  if (existing) return;
  const now = new Date().toISOString();
  const { newId } = await import('@custodian/server/dist/lib/ids.js');
  const fieldId = newId();
  await db.insertInto('custom_fields').values({
    id: fieldId, org_id: orgId, category_id: laptops.id, key: 'ram_gb', label: 'RAM (GB)', type: 'number', options: '[]', regex: null,
    required: 0, unique_values: 0, help_text: null, position: 0, created_at: now, updated_at: now,
  }).execute();
  let after = '';
  for (;;) {
    const rows = await db.selectFrom('assets').select(['id', 'custom_fields']).where('org_id', '=', orgId).where('category_id', '=', laptops.id)
      .where('id', '>', after).orderBy('id').limit(5000).execute();
    if (!rows.length) break;
    const values = rows.flatMap((r) => {
      const ram = (JSON.parse(r.custom_fields) as { ramGb?: unknown }).ramGb;
      return typeof ram === 'number' ? [{ org_id: orgId, asset_id: r.id, field_id: fieldId, value_text: null, value_num: ram }] : [];
    });
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < values.length; i += 1000) await trx.insertInto('asset_field_values').values(values.slice(i, i + 1000)).execute();
    });
    after = rows[rows.length - 1]!.id;
  }
  // PostgreSQL plans with the statistics of the seed's ANALYZE, taken before these rows existed:
  // it then estimated one matching value row and joined every one of ~85,000 (1.1 s a page at
  // 1,000,000 assets) until autovacuum came round. The seed analyzes after its load for the same
  // reason; SQLite's server analyzes stale tables when it starts.
  if (database.engine === 'postgres') await (database.raw as pg.Pool).query('analyze asset_field_values');
}
