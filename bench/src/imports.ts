/**
 * Import benchmark: a generated asset CSV in Snipe-IT-export style (20 columns, references by name
 * to 50 models, 200 locations and 5,000 people, every 10th row checked out) imported through the
 * real server's HTTP API with an API token — upload, dry run, all-or-nothing commit — and, in the
 * same run, a plain bulk insert of the same rows into `assets` on a copy of the database, for the
 * ratio (what validation, events and custody cost on top of writing the rows).
 *
 * Everything before the clock starts happens here with the server stopped: missing references
 * are created through the services, the token is issued, the CSV is written to disk (streamed),
 * and the baseline runs on its copy, which is dropped afterwards.
 */
import { once } from 'node:events';
import { createWriteStream, openAsBlob, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Insertable } from 'kysely';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { createDatabase, type Database } from '@custodian/server/dist/db/database.js';
import type { DB } from '@custodian/server/dist/db/schema.js';
import type { Actor, Ctx } from '@custodian/server/dist/context.js';
import { loadConfig } from '@custodian/server/dist/config.js';
import { permissionsOf } from '@custodian/server/dist/authz/permissions.js';
import { newId } from '@custodian/server/dist/lib/ids.js';
import * as identity from '@custodian/server/dist/modules/identity/identity.service.js';
import * as tokens from '@custodian/server/dist/modules/tokens/tokens.service.js';
import * as members from '@custodian/server/dist/modules/members/members.service.js';
import * as locations from '@custodian/server/dist/modules/locations/locations.service.js';
import * as catalog from '@custodian/server/dist/modules/catalog/catalog.service.js';
import { minorDigits } from '@custodian/server/dist/modules/assets/assets.service.js';
import { COUNTRIES, MODELS, int, pick, rng } from './data.js';
import { BulkWriter, OWNER_EMAIL } from './seed.js';
import type { RunningServer } from './server.js';

export const IMPORT_MODELS = 50;
export const IMPORT_LOCATIONS = 200;
export const IMPORT_USERS = 5000;
/** Every CHECKOUT_EVERY-th row (10%) carries a `Checked Out To: Username`. */
const CHECKOUT_EVERY = 10;

/** The file's header: what a Snipe-IT asset export calls its columns (all 20 are auto-mapped). */
export const HEADERS = [
  'Asset Tag', 'Name', 'Serial', 'Model', 'Model Number', 'Category', 'Manufacturer', 'Location', 'Status', 'Purchase Date',
  'Purchase Cost', 'Currency', 'Order Number', 'Supplier', 'Warranty', 'Asset EOL Date', 'Notes', 'Checked Out To: Username',
  'Department', 'Invoice Number',
] as const;

/** The field each header must be auto-mapped to (`GET /api/v1/imports/targets`); anything else fails the run. */
export const EXPECTED_MAPPING: Record<(typeof HEADERS)[number], string> = {
  'Asset Tag': 'assetTag', Name: 'name', Serial: 'serial', Model: 'model', 'Model Number': 'modelNumber', Category: 'category',
  Manufacturer: 'manufacturer', Location: 'location', Status: 'status', 'Purchase Date': 'purchaseDate', 'Purchase Cost': 'purchaseCost',
  Currency: 'currency', 'Order Number': 'orderNumber', Supplier: 'supplier', Warranty: 'warrantyMonths', 'Asset EOL Date': 'eolDate',
  Notes: 'notes', 'Checked Out To: Username': 'checkedOutTo', Department: 'department', 'Invoice Number': 'invoiceNumber',
};

interface ModelRef { id: string; name: string; number: string | null; categoryId: string; category: string; manufacturerId: string | null; manufacturer: string | null; eolMonths: number | null; cost: readonly [number, number] }
interface LocationRef { id: string; path: string; currency: string }
interface NamedRef { id: string; name: string }

export interface ImportRefs {
  orgId: string;
  models: ModelRef[];
  locations: LocationRef[];
  /** what the CSV writes in `Checked Out To: Username`: the email's local part (unique), else the email */
  usernames: string[];
  suppliers: NamedRef[];
  departments: NamedRef[];
  /** what had to be created before timing */
  created: { models: number; locations: number; users: number };
}

export interface ImportPlan {
  rows: number;
  token: string;
  csvPath: string;
  csvBytes: number;
  csvSeconds: number;
  /** asset tags of this run start with it (distinct from the seeded tags and from earlier runs on --reuse) */
  tagPrefix: string;
  refs: ImportRefs;
}

export interface ImportBaseline { seconds: number; rowsPerSecond: number; copySeconds: number; /** CPU seconds of this process (the inserts run in it) */ cpuSeconds: number }

export interface ImportResult {
  rows: number;
  jobId: string;
  ok: boolean;
  /** why the run counts as failed (fewer rows, errors, a job that failed) */
  failure: string | null;
  uploadSeconds: number;
  validateSeconds: number;
  commitSeconds: number;
  totalSeconds: number;
  rowsPerSecond: number;
  /** the server's own `report.seconds` of the dry run and the commit */
  serverValidateSeconds: number | null;
  serverCommitSeconds: number | null;
  counts: { created: number; updated: number; unchanged: number; failed: number; errors: number };
  /** counted in the database afterwards: assets with this run's tags, their open assignments, their events */
  verified: { assets: number; openAssignments: number; assetEvents: number };
  /** server CPU seconds (all threads) per phase: on a shared machine steadier than wall-clock */
  serverCpuSeconds: { upload: number; validate: number; commit: number };
  /** server peak RSS (VmHWM, MiB) at the end of each phase */
  peakRssMb: { upload: number; validate: number; commit: number };
  csvBytes: number;
  baseline: ImportBaseline | null;
}

const DAY = 86_400_000;
const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const addMonths = (ms: number, months: number): number => {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
};

async function withOwner<T>(databaseUrl: string, dataDir: string, fn: (ctx: Ctx, database: Database) => Promise<T>): Promise<T> {
  const database = createDatabase(databaseUrl, { poolSize: 2 });
  try {
    const { db, engine } = database;
    const owner = await identity.findUserByEmail(db, OWNER_EMAIL);
    if (!owner) throw new Error(`No seeded owner ${OWNER_EMAIL} in this database; seed it first (drop --reuse).`);
    const { org_id: orgId } = await db.selectFrom('memberships').select('org_id').where('user_id', '=', owner.id).where('role', '=', 'owner').executeTakeFirstOrThrow();
    const actor: Actor = { type: 'user', userId: owner.id, label: owner.email, orgId, role: 'owner', permissions: permissionsOf('owner') };
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, APP_SECRET: 'bench-secret-'.padEnd(40, 'x'), LOG_LEVEL: 'silent' }, { ensureDataDir: false });
    return await fn({ db, engine, config, actor, requestId: null }, database);
  } finally {
    await database.close();
  }
}

/**
 * The references the file uses, created through the services where the organization has fewer
 * than needed (a seeded organization has exactly 50 models and 200 locations, and 5,000 people of
 * whom ~3% are deactivated — those cannot receive assets, so active ones are added).
 */
async function ensureRefs(ctx: Ctx, log: (line: string) => void): Promise<ImportRefs> {
  const { db } = ctx;
  const orgId = ctx.actor.orgId!;
  const created = { models: 0, locations: 0, users: 0 };

  const loadModels = () => db.selectFrom('models').innerJoin('categories', 'categories.id', 'models.category_id')
    .leftJoin('manufacturers', 'manufacturers.id', 'models.manufacturer_id')
    .select(['models.id', 'models.name', 'models.model_number', 'models.category_id', 'categories.name as category', 'models.manufacturer_id', 'manufacturers.name as manufacturer', 'models.eol_months'])
    .where('models.org_id', '=', orgId).orderBy('models.name').orderBy('models.id').execute();
  let modelRows = await loadModels();
  if (modelRows.length < IMPORT_MODELS) {
    let category = await db.selectFrom('categories').select('id').where('org_id', '=', orgId).orderBy('name').executeTakeFirst();
    if (!category) category = await catalog.createCategory(ctx, { name: 'Bench imports', assetClass: 'other' });
    for (let i = modelRows.length; i < IMPORT_MODELS; i++) {
      await catalog.createModel(ctx, { name: `Bench Model ${i + 1}`, categoryId: category.id, modelNumber: `BM-${i + 1}` });
      created.models++;
    }
    modelRows = await loadModels();
  }
  // A model name the file uses must be unique in the organization, or the Manufacturer decides (the file has it).
  const costs = new Map(MODELS.map((m) => [m.name, m.cost]));
  const models: ModelRef[] = modelRows.slice(0, IMPORT_MODELS).map((m) => ({
    id: m.id, name: m.name, number: m.model_number, categoryId: m.category_id, category: m.category, manufacturerId: m.manufacturer_id,
    manufacturer: m.manufacturer, eolMonths: m.eol_months === null ? null : Number(m.eol_months), cost: costs.get(m.name) ?? [200, 1500],
  }));

  const loadLocations = () => db.selectFrom('locations').select(['id', 'name', 'path']).where('org_id', '=', orgId).execute();
  let locationRows = await loadLocations();
  if (locationRows.length < IMPORT_LOCATIONS) {
    for (let i = locationRows.length; i < IMPORT_LOCATIONS; i++) {
      await locations.create(ctx, { name: `Bench site ${i + 1}` });
      created.locations++;
    }
    locationRows = await loadLocations();
  }
  const names = new Map(locationRows.map((l) => [l.id, l.name]));
  const currencyOf = new Map(COUNTRIES.map((c) => [c.name, c.currency]));
  const locs: LocationRef[] = locationRows.map((l) => {
    const ids = l.path.split('/').filter(Boolean);
    return { id: l.id, path: ids.map((id) => names.get(id) ?? '?').join(' / '), currency: currencyOf.get(names.get(ids[0] ?? '') ?? '') ?? 'EUR' };
  }).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).slice(0, IMPORT_LOCATIONS);

  // People: active members who may receive assets, addressed by username (the email's local part).
  const listMembers = () => db.selectFrom('memberships').innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.email', 'users.is_active', 'memberships.role']).where('memberships.org_id', '=', orgId).orderBy('users.email').execute();
  let people = await listMembers();
  const active = () => people.filter((m) => m.role !== 'former' && Number(m.is_active) === 1);
  const missing = IMPORT_USERS - active().length;
  if (missing > 0) {
    const t = performance.now();
    const stamp = Date.now().toString(36);
    for (let i = 0; i < missing; i++) {
      // An account without a password (signs in by SSO, like the seeded people), then the members
      // service adds it as an employee; members.add alone would hash a temporary password (~0.3 s each).
      const email = `import.person.${stamp}.${i + 1}@bench.example`;
      const displayName = `Import Person ${stamp} ${i + 1}`;
      await db.transaction().execute((trx) => identity.createUser(trx, ctx, { email, displayName, password: null }));
      await members.add(ctx, { email, displayName, role: 'employee' });
      created.users++;
    }
    log(`added ${missing} active people through the members service in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    people = await listMembers();
  }
  const localCount = new Map<string, number>();
  for (const m of people) {
    const local = (m.email.split('@')[0] ?? '').toLowerCase();
    localCount.set(local, (localCount.get(local) ?? 0) + 1);
  }
  const usernames = active().filter((m) => m.role === 'employee').concat(active().filter((m) => m.role !== 'employee'))
    .slice(0, IMPORT_USERS).map((m) => {
      const local = (m.email.split('@')[0] ?? '').toLowerCase();
      return localCount.get(local) === 1 ? local : m.email;
    });

  const suppliers = await db.selectFrom('suppliers').select(['id', 'name']).where('org_id', '=', orgId).orderBy('name').execute();
  const departments = await db.selectFrom('departments').select(['id', 'name']).where('org_id', '=', orgId).orderBy('name').execute();
  if (created.models || created.locations) log(`created ${created.models} models and ${created.locations} locations through the services`);
  return { orgId, models, locations: locs, usernames, suppliers, departments, created };
}

/** One generated row, structured: the CSV line and the baseline's `assets` row are both made from it. */
interface GenRow {
  tag: string; name: string; serial: string; model: ModelRef; location: LocationRef; status: 'in_stock' | 'ordered' | 'deployed';
  statusLabel: string; purchaseDate: string; costMinor: number | null; currency: string; orderNumber: string; supplier: NamedRef | null;
  warrantyMonths: number; eolDate: string | null; notes: string | null; holder: string | null; department: NamedRef | null; invoiceNumber: string;
}

const NOTES = [
  'Keyboard replaced under warranty.', 'Screen has minor scratches.', 'Reimaged after leaver.', 'Battery health below 80%.',
  'Loaner pool.', 'Label reprinted, old tag "IT-0042" removed.', 'Dock, charger, and sleeve included.', 'Multi-line note:\nsecond line.',
];

/** The rows of one run, in order: the same seed gives the same rows, for the CSV and for the baseline. */
function rowGenerator(refs: ImportRefs, tagPrefix: string, seed: number): (i: number) => GenRow {
  const r = rng(seed);
  const now = Date.now();
  const start = now - 6 * 365 * DAY;
  const digits = new Map<string, number>();
  const minor = (c: string) => {
    let d = digits.get(c);
    if (d === undefined) digits.set(c, (d = minorDigits(c)));
    return d;
  };
  const rates = new Map(COUNTRIES.map((c) => [c.currency, c.rate]));
  const users = refs.usernames;
  return (i) => {
    const model = pick(r, refs.models);
    const location = pick(r, refs.locations);
    const checkedOut = i % CHECKOUT_EVERY === 0 && users.length > 0;
    const holder = checkedOut ? users[(i / CHECKOUT_EVERY) % users.length] ?? null : null;
    const status = checkedOut ? 'deployed' : r() < 0.9 ? 'in_stock' : 'ordered';
    const purchased = start + Math.floor(r() * (now - start - DAY));
    const rate = rates.get(location.currency) ?? 1;
    const cost = r() < 0.95 ? (model.cost[0] + r() * (model.cost[1] - model.cost[0])) * rate : null;
    const d = minor(location.currency);
    const warrantyMonths = pick(r, [12, 24, 36, 36, 48, 60]);
    const n = i + 1;
    return {
      tag: `${tagPrefix}${String(n).padStart(7, '0')}`,
      name: `${tagPrefix.toLowerCase()}${n.toString(36)}`,
      serial: `SN${tagPrefix}${(n * 7919).toString(36).toUpperCase().padStart(8, '0')}`,
      model, location, status,
      statusLabel: status === 'deployed' ? 'Deployed' : status === 'in_stock' ? 'Ready to Deploy' : 'Pending',
      purchaseDate: isoDate(purchased),
      costMinor: cost === null ? null : Math.round(cost * 10 ** d),
      currency: location.currency,
      orderNumber: `PO-${new Date(purchased).getUTCFullYear()}-${int(r, 1000, 99999)}`,
      supplier: refs.suppliers.length && r() < 0.9 ? pick(r, refs.suppliers) : null,
      warrantyMonths,
      eolDate: model.eolMonths ? isoDate(addMonths(purchased, model.eolMonths)) : null,
      notes: r() < 0.3 ? pick(r, NOTES) : null,
      holder,
      department: refs.departments.length && r() < 0.6 ? pick(r, refs.departments) : null,
      invoiceNumber: `INV-${int(r, 100000, 999999)}`,
    };
  };
}

const csvCell = (v: string | null): string => (v === null ? '' : /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** `1,234.56` (thousands separators, the currency's minor digits), as a spreadsheet export writes it. */
function money(minor: number, digits: number): string {
  const major = Math.floor(minor / 10 ** digits);
  const frac = digits ? `.${String(minor % 10 ** digits).padStart(digits, '0')}` : '';
  return `${major.toLocaleString('en-US')}${frac}`;
}

function csvLine(g: GenRow): string {
  const d = minorDigits(g.currency);
  return [
    g.tag, g.name, g.serial, g.model.name, g.model.number, g.model.category, g.model.manufacturer, g.location.path, g.statusLabel, g.purchaseDate,
    g.costMinor === null ? null : money(g.costMinor, d), g.currency, g.orderNumber, g.supplier?.name ?? null, `${g.warrantyMonths} months`,
    g.eolDate, g.notes, g.holder, g.department?.name ?? null, g.invoiceNumber,
  ].map(csvCell).join(',');
}

/** Writes the CSV to disk in chunks, honouring back-pressure: the file never sits in memory whole. */
async function writeCsv(path: string, rows: number, gen: (i: number) => GenRow): Promise<void> {
  const out = createWriteStream(path);
  const finished = new Promise<void>((resolve, reject) => { out.once('finish', resolve); out.once('error', reject); });
  let chunk = `${HEADERS.map(csvCell).join(',')}\r\n`;
  for (let i = 0; i < rows; i++) {
    chunk += `${csvLine(gen(i))}\r\n`;
    if (chunk.length > 256 * 1024 || i === rows - 1) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end();
  await finished;
}

const SEED = 20261125;

/**
 * Before the server starts: references (created if missing), an API token with exactly the scopes
 * an import of assets with check-outs needs, and the CSV on disk.
 */
export async function prepareImport(databaseUrl: string, dataDir: string, rows: number, log: (line: string) => void): Promise<ImportPlan> {
  return withOwner(databaseUrl, dataDir, async (ctx) => {
    const refs = await ensureRefs(ctx, log);
    const { secret } = await tokens.create(ctx, { name: `bench import ${new Date().toISOString()}`, scopes: ['imports:write', 'assets:write', 'custody:write'], expiresInDays: 1 });
    const tagPrefix = `IMP${Date.now().toString(36).toUpperCase().slice(-6)}-`;
    const csvPath = join(dataDir, `bench-import-${rows}.csv`);
    const t = performance.now();
    await writeCsv(csvPath, rows, rowGenerator(refs, tagPrefix, SEED));
    const csvSeconds = (performance.now() - t) / 1000;
    const csvBytes = statSync(csvPath).size;
    log(`${rows.toLocaleString('en')}-row CSV (${(csvBytes / 2 ** 20).toFixed(1)} MiB, ${HEADERS.length} columns) written in ${csvSeconds.toFixed(1)} s; `
      + `${refs.models.length} models, ${refs.locations.length} locations, ${refs.usernames.length} people referenced`);
    return { rows, token: secret, csvPath, csvBytes, csvSeconds, tagPrefix, refs };
  });
}

/** An admin statement on PostgreSQL (create/drop database), retried while autovacuum still holds the template. */
async function pgAdmin(url: string, statement: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const database = createDatabase(url, { poolSize: 1 });
    try {
      await (database.raw as pg.Pool).query(statement);
      return;
    } catch (err) {
      if (attempt >= 10 || !/being accessed by other users/.test((err as Error).message)) throw err;
    } finally {
      await database.close();
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The baseline: the same rows (same references, tags, serials, dates, costs) as multi-row INSERTs
 * into `assets`, in one transaction, through the server's `createDatabase` — on a copy of the
 * database (SQLite: an online backup of the file; PostgreSQL: CREATE DATABASE … TEMPLATE), so the
 * import later starts from exactly the state the baseline started from. Only the inserts and the
 * commit are timed (row objects are made per batch of 10,000 inside the timed loop; that is a few
 * per cent of it). No events, no custody, no validation: the raw cost of writing the rows.
 */
export async function bulkInsertBaseline(databaseUrl: string, plan: ImportPlan, log: (line: string) => void): Promise<ImportBaseline> {
  const tCopy = performance.now();
  let copyUrl: string;
  let dropCopy: () => Promise<void>;
  if (databaseUrl.startsWith('sqlite:')) {
    const src = databaseUrl.slice('sqlite:'.length);
    const dest = `${src}.baseline-copy`;
    const source = createDatabase(databaseUrl, { poolSize: 1 });
    try {
      await (source.raw as SQLite.Database).backup(dest);
    } finally {
      await source.close();
    }
    copyUrl = `sqlite:${dest}`;
    dropCopy = async () => { for (const s of ['', '-wal', '-shm']) rmSync(`${dest}${s}`, { force: true }); };
  } else {
    const u = new URL(databaseUrl);
    const name = u.pathname.slice(1);
    const copy = `${name}_baseline`.slice(0, 63);
    const admin = new URL(databaseUrl);
    admin.pathname = '/postgres';
    await pgAdmin(admin.toString(), `drop database if exists ${copy} with (force)`);
    await pgAdmin(admin.toString(), `create database ${copy} template ${name}`);
    u.pathname = `/${copy}`;
    copyUrl = u.toString();
    dropCopy = () => pgAdmin(admin.toString(), `drop database if exists ${copy} with (force)`);
  }
  const copySeconds = (performance.now() - tCopy) / 1000;
  try {
    const database = createDatabase(copyUrl, { poolSize: 1 });
    try {
      const { db, engine } = database;
      const writer = new BulkWriter(engine);
      const gen = rowGenerator(plan.refs, plan.tagPrefix, SEED);
      const orgId = plan.refs.orgId;
      const t = performance.now();
      const cpu0 = process.cpuUsage();
      await db.transaction().execute(async (trx) => {
        const batch = 10_000;
        for (let done = 0; done < plan.rows;) {
          const n = Math.min(batch, plan.rows - done);
          const now = new Date().toISOString();
          const rows: Insertable<DB['assets']>[] = new Array(n);
          for (let k = 0; k < n; k++) {
            const g = gen(done + k);
            rows[k] = {
              id: newId(), org_id: orgId, asset_tag: g.tag, serial: g.serial, name: g.name, model_id: g.model.id, category_id: g.model.categoryId,
              manufacturer_id: g.model.manufacturerId, lifecycle_state: g.status, location_id: g.location.id, default_location_id: g.location.id,
              supplier_id: g.supplier?.id ?? null, department_id: g.department?.id ?? null, purchase_date: g.purchaseDate, purchase_cost_minor: g.costMinor,
              currency: g.costMinor === null ? null : g.currency, order_number: g.orderNumber, invoice_number: g.invoiceNumber,
              warranty_end: isoDate(addMonths(Date.parse(g.purchaseDate), g.warrantyMonths)), eol_date: g.eolDate, notes: g.notes, parent_asset_id: null,
              custom_fields: '{}', created_at: now, updated_at: now,
            };
          }
          await writer.insert(trx, 'assets', rows);
          done += n;
        }
      });
      const seconds = (performance.now() - t) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const written = Number((await db.selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).where('asset_tag', 'like', `${plan.tagPrefix}%`).executeTakeFirstOrThrow()).n);
      if (written !== plan.rows) throw new Error(`baseline: ${written} rows written, expected ${plan.rows}`);
      log(`baseline: ${plan.rows.toLocaleString('en')} rows bulk-inserted into assets in ${seconds.toFixed(2)} s (${Math.round(plan.rows / seconds).toLocaleString('en')} rows/s, ${cpuSeconds.toFixed(2)} s CPU; copy made in ${copySeconds.toFixed(1)} s)`);
      return { seconds, rowsPerSecond: plan.rows / seconds, copySeconds, cpuSeconds };
    } finally {
      await database.close();
    }
  } finally {
    await dropCopy();
  }
}

interface JobView {
  id: string; status: string; failureReason: string | null; mapping: Record<string, string | null>;
  source: { headers: string[]; headerKeys: string[] };
  counts: { created: number; updated: number; unchanged: number; failed: number; errors: number; committedRows: number };
  report: { rows: number; created: number; updated: number; unchanged: number; failed: number; errors: number; seconds: number } | null;
  progress: { processed: number; total: number | null };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api<T>(server: RunningServer, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

/**
 * Waits for the job to leave `running` (validating / committing), polling every 100 ms (on SQLite
 * the polls are answered during an all-or-nothing commit too, from the reader connection); a
 * request that fails (a client timeout) is simply repeated.
 */
async function waitFor(server: RunningServer, token: string, id: string, running: string, maxMs: number): Promise<JobView> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    try {
      const { status, json } = await api<JobView>(server, token, 'GET', `/imports/${id}`);
      if (status !== 200) throw new Error(`GET /imports/${id}: HTTP ${status} ${JSON.stringify(json)}`);
      if (json.status !== running) return json;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('GET /imports')) throw err;
      // connection-level failure: try again
    }
    if (Date.now() > deadline) throw new Error(`import job ${id} still ${running} after ${maxMs / 1000} s`);
    await sleep(100);
  }
}

/** Upload → dry run → all-or-nothing commit, timed from the client, then the counts checked in the database. */
/** CPU seconds (user + system, all threads) the server process has used so far. */
const cpuSecondsOf = (server: RunningServer): number => server.cpuMs().process / 1000;

export async function importScenario(server: RunningServer, databaseUrl: string, plan: ImportPlan, baseline: ImportBaseline | null, log: (line: string) => void): Promise<ImportResult> {
  const { token } = plan;
  const maxMs = Math.max(600_000, plan.rows * 20); // generous: 20 ms a row
  const failures: string[] = [];

  const t0 = performance.now();
  const cpu0 = cpuSecondsOf(server);
  const form = new FormData();
  form.set('target', 'assets');
  form.set('file', await openAsBlob(plan.csvPath, { type: 'text/csv' }), `bench-import-${plan.rows}.csv`);
  const up = await fetch(`${server.url}/api/v1/imports`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const uploaded = (await up.json()) as JobView;
  if (up.status !== 201) throw new Error(`upload: HTTP ${up.status} ${JSON.stringify(uploaded)}`);
  const tUploaded = performance.now();
  const cpuUploaded = cpuSecondsOf(server);
  const rssUpload = server.peakRssMb();
  const id = uploaded.id;
  const wrong = HEADERS.filter((h, i) => uploaded.mapping[uploaded.source.headerKeys[i] ?? h] !== EXPECTED_MAPPING[h]);
  if (wrong.length) failures.push(`not auto-mapped as expected: ${wrong.map((h) => `${h} → ${uploaded.mapping[h] ?? 'nothing'}`).join(', ')}`);
  log(`uploaded ${(plan.csvBytes / 2 ** 20).toFixed(1)} MiB in ${((tUploaded - t0) / 1000).toFixed(2)} s (job ${id}, ${uploaded.progress.total ?? '?'} rows counted)`);

  const v = await api<JobView>(server, token, 'POST', `/imports/${id}/validate`);
  if (v.status !== 202) throw new Error(`validate: HTTP ${v.status} ${JSON.stringify(v.json)}`);
  const validated = await waitFor(server, token, id, 'validating', maxMs);
  const tValidated = performance.now();
  const cpuValidated = cpuSecondsOf(server);
  const rssValidate = server.peakRssMb();
  if (validated.status !== 'validated') failures.push(`dry run ended ${validated.status}: ${validated.failureReason ?? ''}`);
  if (validated.counts.created !== plan.rows || validated.counts.errors !== 0) failures.push(`dry run: ${validated.counts.created} to create, ${validated.counts.errors} errors`);
  log(`dry run in ${((tValidated - tUploaded) / 1000).toFixed(2)} s: ${validated.counts.created} to create, ${validated.counts.errors} errors`);
  if (validated.counts.errors) {
    const e = await api<{ items: unknown[] }>(server, token, 'GET', `/imports/${id}/errors?limit=5`);
    log(`first errors: ${JSON.stringify(e.json.items)}`);
  }

  let committed = validated;
  let tCommitted = tValidated;
  let cpuCommitted = cpuValidated;
  if (validated.status === 'validated') {
    const c = await api<JobView>(server, token, 'POST', `/imports/${id}/commit`, {});
    if (c.status !== 202) throw new Error(`commit: HTTP ${c.status} ${JSON.stringify(c.json)}`);
    committed = await waitFor(server, token, id, 'committing', maxMs);
    tCommitted = performance.now();
    cpuCommitted = cpuSecondsOf(server);
    if (committed.status !== 'committed') failures.push(`commit ended ${committed.status}: ${committed.failureReason ?? ''}`);
    if (committed.counts.created !== plan.rows || committed.counts.errors !== 0 || committed.counts.failed !== 0) {
      failures.push(`commit: ${committed.counts.created} created, ${committed.counts.failed} failed, ${committed.counts.errors} errors (expected ${plan.rows} created)`);
    }
    log(`commit in ${((tCommitted - tValidated) / 1000).toFixed(2)} s: ${committed.status}, ${committed.counts.created} created`);
  }
  const rssCommit = server.peakRssMb();

  // What is really in the database (read from another connection while the server runs).
  const verified = { assets: 0, openAssignments: 0, assetEvents: 0 };
  const database = createDatabase(databaseUrl, { poolSize: 1 });
  try {
    const { db } = database;
    const like = `${plan.tagPrefix}%`;
    verified.assets = Number((await db.selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).where('asset_tag', 'like', like).executeTakeFirstOrThrow()).n);
    verified.openAssignments = Number((await db.selectFrom('assignments').innerJoin('assets', 'assets.id', 'assignments.asset_id')
      .select((eb) => eb.fn.countAll<number>().as('n')).where('assets.asset_tag', 'like', like).where('assignments.returned_at', 'is', null).executeTakeFirstOrThrow()).n);
    verified.assetEvents = Number((await db.selectFrom('events').innerJoin('assets', 'assets.id', 'events.entity_id')
      .select((eb) => eb.fn.countAll<number>().as('n')).where('assets.asset_tag', 'like', like).where('events.entity_type', '=', 'asset').executeTakeFirstOrThrow()).n);
  } finally {
    await database.close();
  }
  const checkouts = Math.ceil(plan.rows / CHECKOUT_EVERY);
  if (verified.assets !== plan.rows) failures.push(`${verified.assets} assets in the database, expected ${plan.rows}`);
  if (verified.openAssignments !== checkouts) failures.push(`${verified.openAssignments} open assignments, expected ${checkouts}`);
  // asset.created per row, plus asset.checked_out per checked-out row.
  if (verified.assetEvents < plan.rows + checkouts) failures.push(`${verified.assetEvents} asset events, expected at least ${plan.rows + checkouts}`);

  const totalSeconds = (tCommitted - t0) / 1000;
  return {
    rows: plan.rows, jobId: id, ok: failures.length === 0, failure: failures.length ? failures.join('; ') : null,
    uploadSeconds: (tUploaded - t0) / 1000, validateSeconds: (tValidated - tUploaded) / 1000, commitSeconds: (tCommitted - tValidated) / 1000,
    totalSeconds, rowsPerSecond: plan.rows / totalSeconds,
    serverValidateSeconds: validated.report?.seconds ?? null, serverCommitSeconds: committed.status === 'committed' ? committed.report?.seconds ?? null : null,
    counts: { created: committed.counts.created, updated: committed.counts.updated, unchanged: committed.counts.unchanged, failed: committed.counts.failed, errors: committed.counts.errors },
    verified, serverCpuSeconds: { upload: cpuUploaded - cpu0, validate: cpuValidated - cpuUploaded, commit: cpuCommitted - cpuValidated }, peakRssMb: { upload: rssUpload, validate: rssValidate, commit: rssCommit }, csvBytes: plan.csvBytes, baseline,
  };
}
