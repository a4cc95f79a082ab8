/**
 * Load scenarios against a running server: each one a warm-up, then a fixed-duration autocannon
 * run at fixed concurrency, latencies recorded per response (autocannon's own histogram has 1 ms
 * resolution, too coarse for the sub-millisecond baseline), server RSS read at the end.
 */
import autocannon from 'autocannon';
import { createDatabase } from '@custodian/server/dist/db/database.js';
import type { Actor, Ctx } from '@custodian/server/dist/context.js';
import { loadConfig } from '@custodian/server/dist/config.js';
import { permissionsOf } from '@custodian/server/dist/authz/permissions.js';
import * as identity from '@custodian/server/dist/modules/identity/identity.service.js';
import * as tokens from '@custodian/server/dist/modules/tokens/tokens.service.js';
import type { RunningServer } from './server.js';
import { OWNER_EMAIL } from './seed.js';

export interface BenchAccess {
  token: string;
  orgId: string;
  assets: number;
  /** ids of assets spread over the whole table, for the detail-page scenario */
  idPool: string[];
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
    const count = Number((await db.selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).n);
    // UUIDv7 ends in random bits: a suffix match is a uniform sample of the table.
    const suffix = count > 400_000 ? '%a5' : count > 25_000 ? '%a' : '%';
    const ids = (await db.selectFrom('assets').select('id').where('org_id', '=', orgId).where('id', 'like', suffix).execute()).map((r) => r.id);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [ids[i], ids[j]] = [ids[j] as string, ids[i] as string];
    }
    return { token: secret, orgId, assets: count, idPool: ids.slice(0, poolSize) };
  } finally {
    await database.close();
  }
}

export interface ScenarioDef {
  name: string;
  /** the request measured (for random-id scenarios, a representative one) */
  path: string;
  auth: boolean;
  /** when set, every request picks one of these paths at random */
  paths?: string[];
}

export interface ScenarioResult {
  name: string;
  path: string;
  requests: number;
  non2xx: number;
  /** connection errors and timeouts */
  errors: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  rssMb: number;
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
    { name: 'asset by id (random)', path: idPaths[0] ?? '/api/v1/assets/00000000-0000-7000-8000-000000000000', auth: true, paths: idPaths },
    { name: 'events, newest 50', path: '/api/v1/events?limit=50', auth: true },
    { name: 'auth/session', path: '/api/v1/auth/session', auth: true },
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

export async function measure(server: RunningServer, access: BenchAccess, def: ScenarioDef, opts: LoadOptions): Promise<ScenarioResult> {
  const paths = def.paths;
  const base: autocannon.Options = {
    url: `${server.url}${def.path}`,
    connections: opts.connections,
    headers: def.auth ? { authorization: `Bearer ${access.token}` } : {},
    ...(paths?.length ? { requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)] }) }] } : {}),
  };
  // A slow scenario leaves requests queued in the server when the load stops; wait them out so
  // that no scenario is billed for another's backlog.
  if (opts.warmup > 0) {
    await cannon({ ...base, duration: opts.warmup });
    await server.waitIdle();
  }
  const latencies: number[] = [];
  let non2xx = 0;
  const result = await cannon({ ...base, duration: opts.duration }, (s) => {
    if (s.status >= 200 && s.status < 300) latencies.push(s.ms);
    else non2xx++;
  });
  const rssMb = server.rssMb();
  await server.waitIdle();
  const sorted = Float64Array.from(latencies).sort();
  return {
    name: def.name, path: def.path, requests: latencies.length, non2xx, errors: result.errors + result.timeouts,
    rps: latencies.length / (result.duration || opts.duration),
    p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] ?? NaN,
    rssMb,
  };
}
