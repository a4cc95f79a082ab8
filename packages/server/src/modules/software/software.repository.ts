import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { SoftwareInstallationsTable, SoftwareProductsTable, SoftwareRulesTable } from '../../db/schema.js';
import { bulkInsert, containsCi } from '../../db/dialect.js';

export type ProductRow = SoftwareProductsTable;
export type InstallationRow = SoftwareInstallationsTable;
export type RuleRow = SoftwareRulesTable;

/**
 * Rows per multi-row INSERT and ids per IN list: 500 × 13 columns stays far below SQLite's
 * (32 766) and PostgreSQL's (65 535) bound-parameter limits.
 */
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * `indexed = 1` as a literal, for every read of the product index (a partial index: the planner only
 * uses it when the query's own condition says so, and a bound parameter does not). Callers flush the
 * organization's index queue first (software.service `indexedFor`), so no installation is left out.
 */
const indexed = (col: 'indexed' | 'i.indexed' | 'o.indexed'): RawBuilder<SqlBool> => sql<SqlBool>`${sql.ref(col)} = 1`;

// ---------- rules ----------

export const listRules = (db: Executor, orgId: string): Promise<RuleRow[]> =>
  db.selectFrom('software_rules').selectAll().where('org_id', '=', orgId).orderBy('position').orderBy('id').execute();

export const findRule = (db: Executor, orgId: string, id: string): Promise<RuleRow | undefined> =>
  db.selectFrom('software_rules').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const insertRule = (db: Executor, row: RuleRow) => db.insertInto('software_rules').values(row).execute();

export const updateRule = (db: Executor, orgId: string, id: string, patch: Partial<RuleRow>) =>
  db.updateTable('software_rules').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const deleteRule = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('software_rules').where('org_id', '=', orgId).where('id', '=', id).execute();

export const setRulePosition = (db: Executor, orgId: string, id: string, position: number) =>
  db.updateTable('software_rules').set({ position }).where('org_id', '=', orgId).where('id', '=', id).execute();

// ---------- products ----------

export const findProduct = (db: Executor, orgId: string, id: string): Promise<ProductRow | undefined> =>
  db.selectFrom('software_products').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

/** Products by key, in IN lists of CHUNK keys. */
export async function productsByKeys(db: Executor, orgId: string, keys: readonly string[]): Promise<ProductRow[]> {
  const out: ProductRow[] = [];
  for (const part of chunks(keys)) {
    out.push(...await db.selectFrom('software_products').selectAll().where('org_id', '=', orgId).where('key', 'in', part).execute());
  }
  return out;
}

/**
 * Inserts products, skipping keys that exist (a concurrent sync may have inserted the same product:
 * on PostgreSQL `on conflict do nothing` waits for that transaction and then skips the row, so the
 * caller re-reads the keys it did not get back instead of failing the transaction).
 */
export async function insertProducts(db: Executor, rows: readonly ProductRow[]): Promise<void> {
  for (const part of chunks(rows)) {
    await db.insertInto('software_products').values(part).onConflict((oc) => oc.columns(['org_id', 'key']).doNothing()).execute();
  }
}

export async function productsByIds(db: Executor, orgId: string, ids: readonly string[]): Promise<ProductRow[]> {
  const out: ProductRow[] = [];
  for (const part of chunks(ids)) out.push(...await db.selectFrom('software_products').selectAll().where('org_id', '=', orgId).where('id', 'in', part).execute());
  return out;
}

export const allProducts = (db: Executor, orgId: string): Promise<ProductRow[]> =>
  db.selectFrom('software_products').selectAll().where('org_id', '=', orgId).execute();

export async function setProductsIgnored(db: Executor, orgId: string, ids: readonly string[], ignored: number, now: string): Promise<void> {
  for (const part of chunks(ids)) {
    await db.updateTable('software_products').set({ ignored, updated_at: now }).where('org_id', '=', orgId).where('id', 'in', part).execute();
  }
}

/** Deletes products with no installation that are not flagged ignored; returns how many. */
export async function deleteOrphanProducts(db: Executor, orgId: string): Promise<number> {
  const r = await db.deleteFrom('software_products')
    .where('org_id', '=', orgId).where('ignored', '=', 0)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('software_installations as i').select(sql<number>`1`.as('one'))
      .where('i.org_id', '=', orgId).whereRef('i.product_id', '=', 'software_products.id').where(indexed('i.indexed')))))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ---------- installations of one device (the sync) ----------

export const deviceInstallations = (db: Executor, orgId: string, deviceId: string): Promise<InstallationRow[]> =>
  db.selectFrom('software_installations').selectAll().where('org_id', '=', orgId).where('device_id', '=', deviceId).execute();

export async function deleteInstallations(db: Executor, orgId: string, ids: readonly string[]): Promise<void> {
  for (const part of chunks(ids)) {
    await db.deleteFrom('software_installations').where('org_id', '=', orgId).where('id', 'in', part).execute();
  }
}

/** A device's new installations: one prepared multi-row INSERT per 1 000 rows, without the query builder. */
export const insertInstallations = (db: Executor, rows: readonly InstallationRow[]): Promise<void> => bulkInsert(db, 'software_installations', rows);

// ---------- the product index queue (migration 1740) ----------

export const queueIndex = (db: Executor, orgId: string, deviceId: string, now: string) =>
  db.insertInto('software_index_queue').values({ org_id: orgId, device_id: deviceId, queued_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'device_id']).doNothing()).execute();

/** Queued devices, oldest first: of one organization, or of all (the background flush). */
export const queuedDevices = (db: Executor, orgId: string | null, limit: number): Promise<{ org_id: string; device_id: string }[]> =>
  db.selectFrom('software_index_queue').select(['org_id', 'device_id'])
    .$if(orgId !== null, (q) => q.where('org_id', '=', orgId!))
    .orderBy('queued_at').orderBy('device_id').limit(limit).execute();

/** Puts the device's unindexed installations into the product index and takes it off the queue. */
export async function indexDevice(db: Executor, orgId: string, deviceId: string): Promise<void> {
  await db.updateTable('software_installations').set({ indexed: 1 })
    .where('org_id', '=', orgId).where('device_id', '=', deviceId).where('indexed', '=', 0).execute();
  await db.deleteFrom('software_index_queue').where('org_id', '=', orgId).where('device_id', '=', deviceId).execute();
}

/**
 * Marks the device's installations as seen now (one statement) — those not seen yet today (UTC):
 * `last_seen_at` has day precision for kept installations, so repeated inventories on one day do
 * not rewrite ~800 rows each.
 */
export const touchDevice = (db: Executor, orgId: string, deviceId: string, now: string) =>
  db.updateTable('software_installations').set({ last_seen_at: now })
    .where('org_id', '=', orgId).where('device_id', '=', deviceId).where('last_seen_at', '<', now.slice(0, 10)).execute();

export const updateInstallation = (db: Executor, orgId: string, id: string, patch: Partial<InstallationRow>) =>
  db.updateTable('software_installations').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

// ---------- rule re-application ----------

export interface RawIdentity {
  product_id: string;
  raw_publisher: string | null;
  raw_name: string;
  source: string | null;
  installations: number;
}

/** The distinct reported identities of the organization's installations (one scan of its installations). */
export async function rawIdentities(db: Executor, orgId: string): Promise<RawIdentity[]> {
  const rows = await db.selectFrom('software_installations')
    .select(['product_id', 'raw_publisher', 'raw_name', 'source', (eb) => eb.fn.countAll().as('installations')])
    .where('org_id', '=', orgId)
    .groupBy(['product_id', 'raw_publisher', 'raw_name', 'source'])
    .execute();
  return rows.map((r) => ({ ...r, installations: Number(r.installations) }));
}

export interface RawFilter { raw_publisher: string | null; raw_name: string; source: string | null }

const nullSafeEq = (col: 'raw_publisher' | 'source', v: string | null) =>
  (eb: { (l: typeof col, op: 'is' | '=', r: string | null): Expression<SqlBool> }) => (v === null ? eb(col, 'is', null) : eb(col, '=', v));

/**
 * Moves installations of product `from` (all of them, or those reported as `raw`) to product `to`.
 * Rows that would then duplicate an installation the device already has of `to` (same version and
 * arch) are deleted first. Returns [moved, deletedAsDuplicates].
 */
export async function remapInstallations(db: Executor, orgId: string, from: string, to: string, raw: RawFilter | null): Promise<[number, number]> {
  const dup = await db.deleteFrom('software_installations')
    .where('org_id', '=', orgId).where('product_id', '=', from).where(indexed('indexed'))
    .$if(raw !== null, (q) => q.where('raw_name', '=', raw!.raw_name).where(nullSafeEq('raw_publisher', raw!.raw_publisher)).where(nullSafeEq('source', raw!.source)))
    .where((eb) => eb.exists(eb.selectFrom('software_installations as o').select(sql<number>`1`.as('one'))
      .where('o.org_id', '=', orgId).where('o.product_id', '=', to).where(indexed('o.indexed'))
      .whereRef('o.device_id', '=', 'software_installations.device_id')
      .whereRef('o.version', '=', 'software_installations.version')
      .whereRef('o.arch', '=', 'software_installations.arch')))
    .executeTakeFirst();
  const moved = await db.updateTable('software_installations').set({ product_id: to })
    .where('org_id', '=', orgId).where('product_id', '=', from).where(indexed('indexed'))
    .$if(raw !== null, (q) => q.where('raw_name', '=', raw!.raw_name).where(nullSafeEq('raw_publisher', raw!.raw_publisher)).where(nullSafeEq('source', raw!.source)))
    .executeTakeFirst();
  return [Number(moved.numUpdatedRows), Number(dup.numDeletedRows)];
}

export async function deleteInstallationsOfProducts(db: Executor, orgId: string, productIds: readonly string[]): Promise<number> {
  let n = 0;
  for (const part of chunks(productIds)) {
    const r = await db.deleteFrom('software_installations').where('org_id', '=', orgId).where('product_id', 'in', part).where(indexed('indexed')).executeTakeFirst();
    n += Number(r.numDeletedRows);
  }
  return n;
}

// ---------- reads ----------

export interface ProductCounts { product_id: string; installations: number; devices: number }

/** Installation and device counts of the given products (index-only over software_installations_product_idx). */
export async function countsFor(db: Executor, orgId: string, ids: readonly string[]): Promise<Map<string, ProductCounts>> {
  const out = new Map<string, ProductCounts>();
  for (const part of chunks(ids)) {
    const rows = await db.selectFrom('software_installations')
      .select(['product_id', (eb) => eb.fn.countAll().as('installations'), (eb) => eb.fn.count('device_id').distinct().as('devices')])
      .where('org_id', '=', orgId).where('product_id', 'in', part).where(indexed('indexed')).groupBy('product_id').execute();
    for (const r of rows) out.set(r.product_id, { product_id: r.product_id, installations: Number(r.installations), devices: Number(r.devices) });
  }
  return out;
}

/** Devices with at least one installation of any of the products. */
export async function deviceCountFor(db: Executor, orgId: string, ids: readonly string[]): Promise<number> {
  if (!ids.length) return 0;
  if (ids.length <= CHUNK) {
    const r = await db.selectFrom('software_installations').select((eb) => eb.fn.count('device_id').distinct().as('c'))
      .where('org_id', '=', orgId).where('product_id', 'in', ids).where(indexed('indexed')).executeTakeFirstOrThrow();
    return Number(r.c);
  }
  const devices = new Set<string>();
  for (const part of chunks(ids)) {
    const rows = await db.selectFrom('software_installations').select('device_id').distinct().where('org_id', '=', orgId).where('product_id', 'in', part).where(indexed('indexed')).execute();
    for (const r of rows) devices.add(r.device_id);
  }
  return devices.size;
}

export interface VersionCount { product_id: string; version: string; installations: number; devices: number }

export async function versionsFor(db: Executor, orgId: string, ids: readonly string[]): Promise<VersionCount[]> {
  const out: VersionCount[] = [];
  for (const part of chunks(ids)) {
    const rows = await db.selectFrom('software_installations')
      .select(['product_id', 'version', (eb) => eb.fn.countAll().as('installations'), (eb) => eb.fn.count('device_id').distinct().as('devices')])
      .where('org_id', '=', orgId).where('product_id', 'in', part).where(indexed('indexed')).groupBy(['product_id', 'version']).execute();
    out.push(...rows.map((r) => ({ product_id: r.product_id, version: r.version, installations: Number(r.installations), devices: Number(r.devices) })));
  }
  return out;
}

export interface ProductListFilter {
  q?: string;
  ignored?: boolean;
  sort: 'name' | 'publisher' | 'installations' | 'devices';
  desc: boolean;
  limit: number;
  offset: number;
}

export type ProductListRow = ProductRow & { installations: number | null; devices: number | null };

/**
 * A page of products. Sorting by name or publisher pages the products table alone (counts are
 * fetched for the page afterwards); sorting by installations or devices aggregates the
 * organization's installations first (one grouped scan of the covering product index).
 */
export async function listProducts(db: Executor, orgId: string, f: ProductListFilter): Promise<{ rows: ProductListRow[]; total: number }> {
  let base = db.selectFrom('software_products as p').where('p.org_id', '=', orgId);
  if (f.q) {
    const q = f.q;
    base = base.where((eb) => eb.or([containsCi(eb, eb.ref('p.name'), q), containsCi(eb, eb.ref('p.publisher'), q)]));
  }
  if (f.ignored !== undefined) base = base.where('p.ignored', '=', f.ignored ? 1 : 0);
  const total = Number((await base.select((eb) => eb.fn.countAll().as('c')).executeTakeFirstOrThrow()).c);
  const dir = f.desc ? 'desc' : 'asc';
  if (f.sort === 'installations' || f.sort === 'devices') {
    const counts = db.selectFrom('software_installations')
      .select(['product_id', (eb) => eb.fn.countAll().as('installations'), (eb) => eb.fn.count('device_id').distinct().as('devices')])
      .where('org_id', '=', orgId).where(indexed('indexed')).groupBy('product_id').as('c');
    const col = f.sort === 'installations' ? sql`coalesce(c.installations, 0)` : sql`coalesce(c.devices, 0)`;
    const rows = await base.leftJoin(counts, 'c.product_id', 'p.id')
      .selectAll('p').select(['c.installations', 'c.devices'])
      .orderBy(col, dir).orderBy(sql`lower(p.name)`).orderBy('p.id')
      .limit(f.limit).offset(f.offset).execute();
    return { rows: rows.map((r) => ({ ...r, installations: Number(r.installations ?? 0), devices: Number(r.devices ?? 0) })), total };
  }
  let q = base.selectAll('p');
  if (f.sort === 'publisher') q = q.orderBy(sql`case when p.publisher is null then 1 else 0 end`).orderBy(sql`lower(p.publisher)`, dir);
  const rows = await q.orderBy(sql`lower(p.name)`, f.sort === 'name' ? dir : 'asc').orderBy('p.id').limit(f.limit).offset(f.offset).execute();
  return { rows: rows.map((r) => ({ ...r, installations: null, devices: null })), total };
}

export interface InstallationListRow extends InstallationRow {
  hostname: string | null;
  asset_id: string | null;
  asset_tag: string | null;
  asset_name: string | null;
}

export async function productInstallations(db: Executor, orgId: string, productId: string, f: { version?: string; limit: number; offset: number }): Promise<{ rows: InstallationListRow[]; total: number }> {
  let base = db.selectFrom('software_installations as i')
    .innerJoin('discovered_devices as d', (j) => j.onRef('d.org_id', '=', 'i.org_id').onRef('d.id', '=', 'i.device_id'))
    .where('i.org_id', '=', orgId).where('i.product_id', '=', productId).where(indexed('i.indexed'));
  if (f.version !== undefined) base = base.where('i.version', '=', f.version);
  const total = Number((await base.select((eb) => eb.fn.countAll().as('c')).executeTakeFirstOrThrow()).c);
  const rows = await base
    .leftJoin('assets as a', (j) => j.onRef('a.org_id', '=', 'd.org_id').onRef('a.id', '=', 'd.asset_id'))
    .selectAll('i').select(['d.hostname', 'd.asset_id', 'a.asset_tag', 'a.name as asset_name'])
    .orderBy(sql`lower(coalesce(d.hostname, ''))`).orderBy('i.device_id').orderBy('i.version').orderBy('i.id')
    .limit(f.limit).offset(f.offset).execute();
  return { rows, total };
}

export const assetExists = async (db: Executor, orgId: string, assetId: string): Promise<boolean> =>
  !!(await db.selectFrom('assets').select('id').where('org_id', '=', orgId).where('id', '=', assetId).executeTakeFirst());

export type AssetSoftwareRow = InstallationRow & { hostname: string | null; product_publisher: string | null; product_name: string };

/** Installations on the devices linked to an asset, with their products. */
export const assetInstallations = (db: Executor, orgId: string, assetId: string): Promise<AssetSoftwareRow[]> =>
  db.selectFrom('discovered_devices as d')
    .innerJoin('software_installations as i', (j) => j.onRef('i.org_id', '=', 'd.org_id').onRef('i.device_id', '=', 'd.id'))
    .innerJoin('software_products as p', (j) => j.onRef('p.org_id', '=', 'i.org_id').onRef('p.id', '=', 'i.product_id'))
    .selectAll('i').select(['d.hostname', 'p.publisher as product_publisher', 'p.name as product_name'])
    .where('d.org_id', '=', orgId).where('d.asset_id', '=', assetId)
    .orderBy(sql`lower(p.name)`).orderBy('i.version').orderBy('i.arch').orderBy('i.id')
    .execute();

/** Distinct reported names of a product (what its installations were called by the agents). */
export async function rawNamesOf(db: Executor, orgId: string, productId: string, limit = 50): Promise<{ raw_publisher: string | null; raw_name: string; installations: number }[]> {
  const rows = await db.selectFrom('software_installations')
    .select(['raw_publisher', 'raw_name', (eb) => eb.fn.countAll().as('installations')])
    .where('org_id', '=', orgId).where('product_id', '=', productId).where(indexed('indexed'))
    .groupBy(['raw_publisher', 'raw_name']).orderBy(sql`count(*)`, 'desc').orderBy('raw_name').limit(limit).execute();
  return rows.map((r) => ({ ...r, installations: Number(r.installations) }));
}
