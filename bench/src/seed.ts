/**
 * Bulk seeder: one organization with a realistic catalog, location tree, people and N assets,
 * each asset with its `asset.created` event on the organization's hash chain (so the event log
 * has production-like volume and `custodian-server verify-log` still passes).
 *
 * The organization and its owner are made through the server's services; everything else is
 * written straight through Kysely as multi-row INSERTs, compiled once per batch size and re-run
 * with fresh parameters, one transaction per batch of assets. From 50,000 assets on, the
 * non-unique indexes of `assets` and `events` are dropped for the load and rebuilt from their own
 * DDL afterwards (1M assets + 1M events: ~75 s on SQLite instead of ~215 s), so the schema ends
 * up exactly as migrated — only more densely packed than a database grown row by row.
 */
import type { CompiledQuery, Insertable, Kysely } from 'kysely';
import { totalmem } from 'node:os';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { createDatabase, type Database, type Executor } from '@custodian/server/dist/db/database.js';
import { compactFullText } from '@custodian/server/dist/db/dialect.js';
import type { DB } from '@custodian/server/dist/db/schema.js';
import { migrateToLatest } from '@custodian/server/dist/db/migrate.js';
import { loadConfig } from '@custodian/server/dist/config.js';
import { systemActor, type Ctx } from '@custodian/server/dist/context.js';
import { newId } from '@custodian/server/dist/lib/ids.js';
import { canonicalJson, eventHash } from '@custodian/server/dist/modules/events/events.chain.js';
import * as identity from '@custodian/server/dist/modules/identity/identity.service.js';
import * as organizations from '@custodian/server/dist/modules/organizations/organizations.service.js';
import type { LifecycleState } from '@custodian/server/dist/modules/assets/assets.schemas.js';
import { minorDigits } from '@custodian/server/dist/modules/assets/assets.service.js';
import {
  CATEGORIES, COUNTRIES, DEPARTMENTS, FIRST_NAMES, LAST_NAMES, MANUFACTURERS, MODELS, ROOMS, SUPPLIERS,
  cumulate, emailLocal, imeiFor, int, pick, rng, serialFor, weighted, type Rand,
} from './data.js';

export const OWNER_EMAIL = 'owner@bench.example';
export const ORG_NAME = 'Bench Corp';

export interface SeedOptions {
  databaseUrl: string;
  dataDir: string;
  assets: number;
  users?: number;
  /** write one `asset.created` event per asset (default true) */
  events?: boolean;
  /** assets per transaction (default 10,000) */
  batch?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface SeedResult {
  orgId: string;
  ownerUserId: string;
  counts: Record<string, number>;
  assetSeconds: number;
  totalSeconds: number;
  assetRowsPerSecond: number;
}

const DAY = 86_400_000;
const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const addMonths = (ms: number, months: number): number => {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
};

type Row = Record<string, string | number | null>;
/** Columns with a database default (Generated) are left to it. */
type AssetRow = Insertable<DB['assets']>;
/** The tables' columns are all plain values, so any table can be written as rows of them. */
type AnyRowDb = Kysely<Record<string, Row>>;

/** Bound-parameter limits: SQLite's SQLITE_MAX_VARIABLE_NUMBER (32766), PostgreSQL's wire protocol (65535). */
const MAX_PARAMS = { sqlite: 32_766, postgres: 65_535 } as const;

/**
 * Writes rows as multi-row INSERTs within the parameter limit. The statement for a given row count
 * is compiled once and re-executed with new parameters (Kysely's compile is the costly part).
 */
export class BulkWriter {
  readonly #templates = new Map<string, CompiledQuery>();
  constructor(private readonly engine: 'sqlite' | 'postgres', private readonly maxRowsPerStatement = 1000) {}

  async insert<T extends keyof DB & string>(db: Executor, table: T, rows: readonly Insertable<DB[T]>[]): Promise<void> {
    const first = rows[0] as Row | undefined;
    if (!first) return;
    const columns = Object.keys(first);
    const per = Math.max(1, Math.min(this.maxRowsPerStatement, Math.floor(MAX_PARAMS[this.engine] / columns.length)));
    const anyDb = db as unknown as AnyRowDb;
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per) as unknown as Row[];
      const key = `${table}:${chunk.length}:${columns.join(',')}`;
      const params: (string | number | null)[] = new Array(chunk.length * columns.length);
      let p = 0;
      for (const r of chunk) for (const c of columns) params[p++] = r[c] ?? null;
      let template = this.#templates.get(key);
      if (!template) {
        template = anyDb.insertInto(table).values(chunk).compile();
        if (template.parameters.length !== params.length || template.parameters.some((v, j) => v !== params[j])) {
          throw new Error(`BulkWriter: ${table} rows must all have the same columns in the same order`);
        }
        this.#templates.set(key, template);
      }
      await db.executeQuery({ ...template, parameters: params });
    }
  }
}

/** The organization's event chain head as the seeded events advance it. */
interface ChainHead { seq: number; hash: string }

export async function seed(opts: SeedOptions): Promise<SeedResult> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const database = createDatabase(opts.databaseUrl, { poolSize: 2 });
  try {
    return await seedInto(database, opts, log, t0);
  } finally {
    await database.close();
  }
}

async function seedInto(database: Database, opts: SeedOptions, log: (line: string) => void, t0: number): Promise<SeedResult> {
  const { db, engine } = database;
  if (engine === 'sqlite') {
    // Seeder-only: a page cache big enough for the indexes that grow at random places (the unique
    // serial index stays during the load); with SQLite's 2 MB default the load is far slower.
    const cacheKib = Math.min(3 * 2 ** 20, Math.floor(totalmem() / 4 / 1024));
    (database.raw as SQLite.Database).pragma(`cache_size = -${cacheKib}`);
  }
  await migrateToLatest(db);
  const r = rng(opts.seed ?? 20261125);
  const writer = new BulkWriter(engine);
  const config = loadConfig({ DATA_DIR: opts.dataDir, DATABASE_URL: opts.databaseUrl, APP_SECRET: 'bench-secret-'.padEnd(40, 'x'), LOG_LEVEL: 'silent' }, { ensureDataDir: false });
  const ctx: Ctx = { db, engine, config, actor: systemActor(null, 'bench-seed'), requestId: null };
  const now = Date.now();
  const nowIso = new Date(now).toISOString();
  const stamp = { created_at: nowIso, updated_at: nowIso };

  // ---- organization + owner, through the services (events included) ----
  const { orgId, owner } = await db.transaction().execute(async (trx) => {
    const owner = await identity.createUser(trx, ctx, { email: OWNER_EMAIL, displayName: 'Bench Owner', password: null });
    const org = await organizations.createWithOwner(trx, ctx, ORG_NAME, owner.id);
    return { orgId: org.id, owner };
  });
  const counts: Record<string, number> = { organizations: 1 };

  // ---- catalog ----
  const categoryIds = new Map<string, string>();
  const manufacturerIds = new Map<string, string>();
  const supplierIds: string[] = [];
  await db.transaction().execute(async (trx) => {
    await writer.insert(trx, 'categories', CATEGORIES.map((c) => {
      const id = newId();
      categoryIds.set(c.cls, id);
      return {
        id, org_id: orgId, name: c.name, asset_class: c.cls, data_bearing: c.dataBearing ? 1 : 0, requires_acceptance: c.requiresAcceptance ? 1 : 0,
        acceptance_terms: c.requiresAcceptance ? `I confirm receipt of this ${c.name.toLowerCase().replace(/s$/, '')} and will return it when asked.` : null,
        acceptance_terms_version: c.requiresAcceptance ? 1 : null, ...stamp,
      };
    }));
    await writer.insert(trx, 'manufacturers', MANUFACTURERS.map((m) => {
      const id = newId();
      manufacturerIds.set(m.name, id);
      return { id, org_id: orgId, name: m.name, support_url: m.url, warranty_lookup_url: `${m.url}/warranty`, ...stamp };
    }));
    await writer.insert(trx, 'suppliers', SUPPLIERS.map((name) => {
      const id = newId();
      supplierIds.push(id);
      const domain = name.toLowerCase().replace(/[^a-z0-9]+/g, '');
      return { id, org_id: orgId, name, contact_name: `${pick(r, FIRST_NAMES)} ${pick(r, LAST_NAMES)}`, email: `orders@${domain}.example`, phone: `+44 20 7946 ${int(r, 1000, 9999)}`, url: `https://www.${domain}.example`, notes: null, ...stamp };
    }));
  });
  const models = MODELS.map((m) => ({ ...m, id: newId(), categoryId: categoryIds.get(m.cls) ?? '', manufacturerId: m.manufacturer ? (manufacturerIds.get(m.manufacturer) ?? null) : null }));
  await db.transaction().execute(async (trx) => {
    await writer.insert(trx, 'models', models.map((m) => ({
      id: m.id, org_id: orgId, name: m.name, model_number: m.number, category_id: m.categoryId, manufacturer_id: m.manufacturerId,
      eol_months: m.eolMonths, default_custom_fields: '{}', image_path: null, ...stamp,
    })));
  });
  counts.categories = CATEGORIES.length;
  counts.manufacturers = MANUFACTURERS.length;
  counts.suppliers = SUPPLIERS.length;
  counts.models = models.length;

  // ---- locations: country / site / room, with materialized paths ----
  interface Site { id: string; country: (typeof COUNTRIES)[number]; code: string; rooms: string[] }
  const sitesByCountry: Site[][] = [];
  const locationRows: Insertable<DB['locations']>[] = [];
  for (const country of COUNTRIES) {
    const cid = newId();
    locationRows.push({ id: cid, org_id: orgId, name: country.name, parent_id: null, path: `/${cid}/`, address: null, latitude: null, longitude: null, ...stamp });
    const sites: Site[] = [];
    for (const s of country.sites) {
      const sid = newId();
      locationRows.push({ id: sid, org_id: orgId, name: s.city, parent_id: cid, path: `/${cid}/${sid}/`, address: s.street, latitude: s.lat, longitude: s.lon, ...stamp });
      const rooms = ROOMS.map((room) => {
        const rid = newId();
        locationRows.push({ id: rid, org_id: orgId, name: room, parent_id: sid, path: `/${cid}/${sid}/${rid}/`, address: null, latitude: null, longitude: null, ...stamp });
        return rid;
      });
      sites.push({ id: sid, country, code: `${country.code}-${s.city.slice(0, 3).toUpperCase()}`, rooms });
    }
    sitesByCountry.push(sites);
  }
  await db.transaction().execute((trx) => writer.insert(trx, 'locations', locationRows));
  counts.locations = locationRows.length;

  // ---- people: members with the employee role (no password: they would sign in by SSO) ----
  const userCount = opts.users ?? 5000;
  const userIds: string[] = [];
  await db.transaction().execute(async (trx) => {
    const users: Insertable<DB['users']>[] = [];
    const memberships: Insertable<DB['memberships']>[] = [];
    for (let i = 0; i < userCount; i++) {
      const first = pick(r, FIRST_NAMES);
      const last = pick(r, LAST_NAMES);
      const id = newId();
      userIds.push(id);
      const created = new Date(now - int(r, 1, 2000) * DAY).toISOString();
      users.push({
        id, email: `${emailLocal(first, last)}.${i + 1}@bench.example`, display_name: `${first} ${last}`, password_hash: null,
        must_change_password: 0, totp_secret_enc: null, totp_pending_enc: null, totp_enabled: 0, is_active: r() < 0.97 ? 1 : 0,
        last_login_at: r() < 0.8 ? new Date(now - int(r, 0, 90) * DAY).toISOString() : null, created_at: created, updated_at: created,
      });
      memberships.push({ org_id: orgId, user_id: id, role: 'employee', created_at: created, updated_at: created });
    }
    await writer.insert(trx, 'users', users);
    await writer.insert(trx, 'memberships', memberships);
  });
  counts.users = userCount + 1;

  const departmentIds: string[] = [];
  await db.transaction().execute((trx) => writer.insert(trx, 'departments', DEPARTMENTS.map(([name, code], i) => {
    const id = newId();
    departmentIds.push(id);
    return { id, org_id: orgId, name, code, cost_centre: `CC-${1000 + i * 10}`, manager_user_id: userIds.length ? pick(r, userIds) : null, ...stamp };
  })));
  counts.departments = DEPARTMENTS.length;
  log(`catalog, ${counts.locations} locations, ${counts.users} users and ${counts.departments} departments in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // ---- assets (+ one asset.created event each) ----
  const tAssets = performance.now();
  // Classic bulk load: set the non-unique secondary indexes aside and rebuild them afterwards with
  // their own DDL (one sort each instead of a million random inserts). Unique indexes stay, so
  // tags, serials and ids are checked during the load.
  const rebuild = opts.assets >= 50_000 ? await dropSecondaryIndexes(database, ['assets', 'events']) : [];
  const withEvents = opts.events !== false;
  const head = await db.selectFrom('event_chains').select(['seq', 'head_hash']).where('chain_id', '=', orgId).executeTakeFirstOrThrow();
  const chain: ChainHead = { seq: Number(head.seq), hash: head.head_hash };
  const gen = assetGenerator(r, {
    orgId, now, models, categoryCdf: cumulate(CATEGORIES.map((c) => c.share)), countryCdf: cumulate(COUNTRIES.map((c) => c.share)),
    sitesByCountry, supplierIds, departmentIds, vodafoneSupplier: supplierIds[SUPPLIERS.indexOf('Vodafone Business')] ?? null,
  });
  const actor = { type: 'user', id: owner.id, label: owner.email };
  const meta = canonicalJson({ source: 'bench-seed' });
  const batch = opts.batch ?? 10_000;
  const eventBase = now;
  for (let done = 0; done < opts.assets;) {
    const n = Math.min(batch, opts.assets - done);
    const assets: AssetRow[] = new Array(n);
    for (let i = 0; i < n; i++) assets[i] = gen(done + i, opts.assets);
    const events: Insertable<DB['events']>[] = [];
    if (withEvents) {
      for (const a of assets) {
        const seq = chain.seq + 1;
        const ev = {
          id: newId(), chainId: orgId, seq, orgId, occurredAt: new Date(eventBase + seq).toISOString(), actorType: actor.type,
          actorId: actor.id, actorLabel: actor.label, action: 'asset.created', entityType: 'asset', entityId: a.id,
          changes: canonicalJson({
            assetTag: { before: null, after: a.asset_tag }, lifecycleState: { before: null, after: a.lifecycle_state },
            modelId: { before: null, after: a.model_id }, serial: { before: null, after: a.serial },
          }),
          meta, requestId: null, prevHash: chain.hash,
        };
        const hash = eventHash(ev);
        events.push({
          id: ev.id, chain_id: orgId, seq, org_id: orgId, occurred_at: ev.occurredAt, actor_type: ev.actorType, actor_id: ev.actorId,
          actor_label: ev.actorLabel, action: ev.action, entity_type: ev.entityType, entity_id: ev.entityId, changes: ev.changes,
          meta, request_id: null, prev_hash: ev.prevHash, hash,
        });
        chain.seq = seq;
        chain.hash = hash;
      }
    }
    await db.transaction().execute(async (trx) => {
      await writer.insert(trx, 'assets', assets);
      if (events.length) {
        await writer.insert(trx, 'events', events);
        await trx.updateTable('event_chains').set({ seq: chain.seq, head_hash: chain.hash }).where('chain_id', '=', orgId).execute();
      }
    });
    done += n;
    if (done % 100_000 === 0 || done === opts.assets) {
      const s = (performance.now() - tAssets) / 1000;
      log(`${done.toLocaleString('en')} assets in ${s.toFixed(1)} s (${Math.round(done / s).toLocaleString('en')}/s)`);
    }
  }
  if (rebuild.length) {
    const t = performance.now();
    for (const ddl of rebuild) await execDdl(database, ddl);
    log(`rebuilt ${rebuild.length} indexes in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const assetSeconds = (performance.now() - tAssets) / 1000;
  counts.assets = opts.assets;
  counts.assetEvents = withEvents ? opts.assets : 0;
  // What a bulk load should be followed by (dialect.compactFullText): otherwise the writes the
  // benchmark measures would pay for merging the seed's full-text segments.
  const tFts = performance.now();
  await compactFullText(db, engine);
  if (engine === 'sqlite') log(`merged the full-text index in ${((performance.now() - tFts) / 1000).toFixed(1)} s`);
  if (engine === 'sqlite') {
    // Fold the WAL back into the database file. No ANALYZE: the server never runs one, so the
    // benchmark sees the plans a real installation gets.
    (database.raw as SQLite.Database).pragma('wal_checkpoint(TRUNCATE)');
  } else {
    // What autovacuum does within a minute of a bulk load on a real server.
    await (database.raw as pg.Pool).query('ANALYZE');
  }
  const totalSeconds = (performance.now() - t0) / 1000;
  return { orgId, ownerUserId: owner.id, counts, assetSeconds, totalSeconds, assetRowsPerSecond: opts.assets / assetSeconds };
}

async function execDdl(database: Database, ddl: string): Promise<void> {
  if (database.engine === 'sqlite') (database.raw as SQLite.Database).exec(ddl);
  else await (database.raw as pg.Pool).query(ddl);
}

/** Drops the non-unique, non-constraint indexes of the tables and returns the DDL that recreates them. */
async function dropSecondaryIndexes(database: Database, tables: string[]): Promise<string[]> {
  let found: { name: string; ddl: string }[];
  if (database.engine === 'sqlite') {
    const raw = database.raw as SQLite.Database;
    found = (raw.prepare(`select name, sql as ddl from sqlite_master where type = 'index' and sql is not null and tbl_name in (${tables.map(() => '?').join(',')})`)
      .all(...tables) as { name: string; ddl: string }[]).filter((i) => !/^\s*create\s+unique/i.test(i.ddl));
  } else {
    const res = await (database.raw as pg.Pool).query<{ name: string; ddl: string }>(
      `select i.indexname as name, i.indexdef as ddl from pg_indexes i
        where i.schemaname = current_schema() and i.tablename = any($1)
          and i.indexdef not like 'CREATE UNIQUE %'
          and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`, [tables]);
    found = res.rows;
  }
  for (const i of found) await execDdl(database, `drop index "${i.name}"`);
  return found.map((i) => i.ddl);
}

interface GenContext {
  orgId: string;
  now: number;
  models: readonly ((typeof MODELS)[number] & { id: string; categoryId: string; manufacturerId: string | null })[];
  categoryCdf: number[];
  countryCdf: number[];
  sitesByCountry: { id: string; country: (typeof COUNTRIES)[number]; code: string; rooms: string[] }[][];
  supplierIds: string[];
  departmentIds: string[];
  vodafoneSupplier: string | null;
}

const NOTES = [
  'Keyboard replaced under warranty.', 'Screen has minor scratches.', 'Reimaged after leaver.', 'Battery health below 80%.',
  'Loaner pool.', 'Bought for the 2024 graduate intake.', 'Asset label reprinted.', 'Awaiting BIOS password reset.',
];

/** Returns a function making the i-th of n assets: purchase dates rise with i over six years. */
function assetGenerator(r: Rand, g: GenContext): (i: number, n: number) => AssetRow {
  const start = g.now - 6 * 365 * DAY;
  const span = g.now - start - 2 * DAY;
  const tagCounters = new Map<string, number>();
  const serialCounters = new Map<string, number>();
  const modelsByClass = new Map<string, GenContext['models'][number][]>();
  for (const m of g.models) modelsByClass.set(m.cls, [...(modelsByClass.get(m.cls) ?? []), m]);
  const phoneIds: string[] = [];

  return (i, n) => {
    const cat = CATEGORIES[weighted(r, g.categoryCdf)] ?? CATEGORIES[0]!;
    const model = pick(r, modelsByClass.get(cat.cls) ?? []);
    const tagNo = (tagCounters.get(cat.tagPrefix) ?? 0) + 1;
    tagCounters.set(cat.tagPrefix, tagNo);
    const tag = `${cat.tagPrefix}-${String(tagNo).padStart(6, '0')}`;
    let serial: string | null = null;
    if (model.manufacturer && r() >= cat.noSerial) {
      const k = serialCounters.get(model.manufacturer) ?? 0;
      serialCounters.set(model.manufacturer, k + 1);
      serial = serialFor(model.manufacturer, k);
    }
    const created = start + (span * i) / n + r() * DAY;
    const purchased = created - int(r, 0, 20) * DAY;
    const ageMonths = (g.now - purchased) / (30.4 * DAY);
    const state = lifecycleState(r, ageMonths, model.eolMonths);
    const sites = g.sitesByCountry[weighted(r, g.countryCdf)] ?? g.sitesByCountry[0]!;
    const site = pick(r, sites);
    const country = site.country;
    const location = state === 'disposed' || state === 'ordered' || state === 'missing' || state === 'stolen' ? null
      : r() < 0.12 ? site.id : pick(r, site.rooms);
    const digits = minorDigits(country.currency);
    const costMajor = model.cost[1] > 0 ? (model.cost[0] + r() * (model.cost[1] - model.cost[0])) * country.rate : null;
    const id = newId();
    let parent: string | null = null;
    let custom = '{}';
    if (cat.cls === 'phone_tablet') {
      phoneIds.push(id);
      custom = `{"imei":"${imeiFor(i)}"}`;
    } else if (cat.cls === 'sim_card' && phoneIds.length && r() < 0.7) {
      parent = pick(r, phoneIds);
    } else if (cat.cls === 'laptop') {
      custom = `{"ramGb":${pick(r, [8, 16, 16, 32])},"storageGb":${pick(r, [256, 512, 512, 1024])}}`;
    }
    const year = new Date(purchased).getUTCFullYear();
    const computer = cat.cls === 'laptop' || cat.cls === 'desktop' || cat.cls === 'server';
    const warranty = cat.warrantyMonths.length ? isoDate(addMonths(purchased, pick(r, cat.warrantyMonths))) : null;
    const updated = created + r() * (g.now - created);
    return {
      id, org_id: g.orgId, asset_tag: tag, serial, name: computer ? `${site.code}-${cat.tagPrefix[0]}${String(tagNo).padStart(6, '0')}` : null,
      model_id: model.id, category_id: model.categoryId, manufacturer_id: model.manufacturerId, lifecycle_state: state,
      location_id: location, default_location_id: site.id,
      supplier_id: cat.cls === 'sim_card' ? g.vodafoneSupplier : r() < 0.92 ? pick(r, g.supplierIds) : null,
      department_id: state === 'deployed' && r() < 0.75 ? pick(r, g.departmentIds) : null,
      purchase_date: isoDate(purchased), purchase_cost_minor: costMajor === null ? null : Math.round(costMajor * 10 ** digits),
      currency: costMajor === null ? null : country.currency,
      order_number: `PO-${year}-${int(r, 10000, 99999)}`, invoice_number: r() < 0.85 ? `INV-${year}${int(r, 100000, 999999)}` : null,
      warranty_end: warranty, eol_date: isoDate(addMonths(purchased, model.eolMonths)),
      notes: r() < 0.03 ? pick(r, NOTES) : null, parent_asset_id: parent, custom_fields: custom,
      created_at: new Date(created).toISOString(), updated_at: new Date(updated).toISOString(),
    };
  };
}

/** Mostly deployed or in stock; past end of life, mostly retired or disposed. */
function lifecycleState(r: Rand, ageMonths: number, eolMonths: number): LifecycleState {
  const x = r();
  if (ageMonths < 1) return x < 0.2 ? 'ordered' : x < 0.8 ? 'in_stock' : 'deployed';
  if (ageMonths > eolMonths) return x < 0.3 ? 'deployed' : x < 0.35 ? 'in_stock' : x < 0.45 ? 'pending_disposition' : x < 0.7 ? 'retired' : 'disposed';
  return x < 0.74 ? 'deployed' : x < 0.92 ? 'in_stock' : x < 0.96 ? 'in_repair' : x < 0.972 ? 'missing' : x < 0.975 ? 'stolen' : x < 0.99 ? 'pending_disposition' : 'retired';
}
