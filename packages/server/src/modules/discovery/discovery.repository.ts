import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type {
  AgentEnrollmentsTable, AgentsTable, DiscoveredDevicesTable, DiscoverySettingsTable, InventoryPayloadsTable,
} from '../../db/schema.js';
import { containsCi } from '../../db/dialect.js';

// ---------- organizations and settings ----------

export const findOrgBySlug = (db: Executor, slug: string) =>
  db.selectFrom('organizations').select(['id', 'slug']).where('slug', '=', slug).executeTakeFirst();

export const findOrg = (db: Executor, orgId: string) =>
  db.selectFrom('organizations').select(['id', 'slug']).where('id', '=', orgId).executeTakeFirst();

export const findSettings = (db: Executor, orgId: string) =>
  db.selectFrom('discovery_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();

export const findSettingsByPath = (db: Executor, path: string) =>
  db.selectFrom('discovery_settings').selectAll().where('inventory_path', '=', path).executeTakeFirst();

export const upsertSettings = (db: Executor, row: Insertable<DiscoverySettingsTable>) =>
  db.insertInto('discovery_settings').values(row).onConflict((oc) => oc.column('org_id').doUpdateSet({
    unknown_agent_policy: row.unknown_agent_policy, require_enrollment: row.require_enrollment,
    inventory_path: row.inventory_path, contact_interval_hours: row.contact_interval_hours, updated_at: row.updated_at,
    match_rules: row.match_rules, auto_create: row.auto_create, create_state: row.create_state, stale_days: row.stale_days,
    ignored_serials: row.ignored_serials, ignore_virtual_serials: row.ignore_virtual_serials, link_peripherals: row.link_peripherals,
  })).execute();

/** Another organization already answers at `/inventory/<path>` (its custom path, or its slug when it has none). */
export async function pathTaken(db: Executor, path: string, exceptOrgId: string): Promise<boolean> {
  const custom = await db.selectFrom('discovery_settings').select('org_id')
    .where('inventory_path', '=', path).where('org_id', '<>', exceptOrgId).executeTakeFirst();
  if (custom) return true;
  const bySlug = await db.selectFrom('organizations').leftJoin('discovery_settings', 'discovery_settings.org_id', 'organizations.id')
    .select('organizations.id').where('organizations.slug', '=', path).where('organizations.id', '<>', exceptOrgId)
    .where('discovery_settings.inventory_path', 'is', null).executeTakeFirst();
  return !!bySlug;
}

// ---------- enrolment secrets ----------

export type EnrollmentRow = AgentEnrollmentsTable & { agent_count?: number | null };

export const insertEnrollment = (db: Executor, row: AgentEnrollmentsTable) => db.insertInto('agent_enrollments').values(row).execute();

export const listEnrollments = (db: Executor, orgId: string) =>
  db.selectFrom('agent_enrollments').selectAll('agent_enrollments')
    .select((eb) => eb.selectFrom('agents').select((e) => e.fn.countAll<number>().as('n'))
      .whereRef('agents.org_id', '=', 'agent_enrollments.org_id').whereRef('agents.enrollment_id', '=', 'agent_enrollments.id').as('agent_count'))
    .where('agent_enrollments.org_id', '=', orgId).orderBy('agent_enrollments.created_at', 'desc').orderBy('agent_enrollments.id', 'desc').execute();

export const findEnrollment = (db: Executor, orgId: string, id: string) =>
  db.selectFrom('agent_enrollments').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const findEnrollmentByHash = (db: Executor, hash: string) =>
  db.selectFrom('agent_enrollments').selectAll().where('secret_hash', '=', hash).executeTakeFirst();

export const revokeEnrollment = (db: Executor, orgId: string, id: string, now: string) =>
  db.updateTable('agent_enrollments').set({ revoked_at: now }).where('org_id', '=', orgId).where('id', '=', id).where('revoked_at', 'is', null).execute();

export const touchEnrollment = (db: Executor, id: string, now: string) =>
  db.updateTable('agent_enrollments').set({ last_used_at: now }).where('id', '=', id).execute();

// ---------- agents ----------

export type AgentRow = AgentsTable & { enrollment_name?: string | null; discovered_device_id?: string | null };

const agentsWithJoins = (db: Executor, orgId: string) =>
  db.selectFrom('agents')
    .leftJoin('agent_enrollments', (j) => j.onRef('agent_enrollments.org_id', '=', 'agents.org_id').onRef('agent_enrollments.id', '=', 'agents.enrollment_id'))
    .leftJoin('discovered_devices', (j) => j.onRef('discovered_devices.org_id', '=', 'agents.org_id').onRef('discovered_devices.agent_id', '=', 'agents.id'))
    .selectAll('agents').select(['agent_enrollments.name as enrollment_name', 'discovered_devices.id as discovered_device_id'])
    .where('agents.org_id', '=', orgId);

export const findAgent = (db: Executor, orgId: string, id: string): Promise<AgentRow | undefined> =>
  agentsWithJoins(db, orgId).where('agents.id', '=', id).executeTakeFirst();

export function listAgents(db: Executor, orgId: string, q: { status?: string; cursor?: string; limit: number }): Promise<AgentRow[]> {
  let query = agentsWithJoins(db, orgId);
  if (q.status) query = query.where('agents.status', '=', q.status);
  if (q.cursor) query = query.where('agents.id', '<', q.cursor);
  return query.orderBy('agents.id', 'desc').limit(q.limit).execute();
}

export const findAgentByDeviceId = (db: Executor, orgId: string, deviceId: string) =>
  db.selectFrom('agents').selectAll().where('org_id', '=', orgId).where('device_id', '=', deviceId).executeTakeFirst();

export const findAgentByUuid = (db: Executor, orgId: string, uuid: string) =>
  db.selectFrom('agents').selectAll().where('org_id', '=', orgId).where('agent_uuid', '=', uuid)
    .orderBy('last_contact_at', 'desc').executeTakeFirst();

export const insertAgent = (db: Executor, row: AgentsTable) => db.insertInto('agents').values(row).execute();

export const updateAgent = (db: Executor, orgId: string, id: string, patch: Partial<AgentsTable>) =>
  db.updateTable('agents').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

// ---------- payloads ----------

/** Everything but the body. */
const PAYLOAD_COLUMNS = [
  'id', 'org_id', 'agent_id', 'enrollment_id', 'received_at', 'format', 'compression', 'partial', 'sha256',
  'size_bytes', 'wire_bytes', 'status', 'error', 'processed_at', 'device_id',
] as const;

export type PayloadMeta = Omit<InventoryPayloadsTable, 'body'>;

export const insertPayload = (db: Executor, row: InventoryPayloadsTable) => db.insertInto('inventory_payloads').values(row).execute();

export const findPayloadBySha = (db: Executor, orgId: string, agentId: string, sha: string): Promise<PayloadMeta | undefined> =>
  db.selectFrom('inventory_payloads').select(PAYLOAD_COLUMNS).where('org_id', '=', orgId).where('agent_id', '=', agentId)
    .where('sha256', '=', sha).orderBy('id', 'desc').executeTakeFirst();

/** A failed message no agent could be named for, already kept. */
export const findUnattributedBySha = (db: Executor, orgId: string, sha: string) =>
  db.selectFrom('inventory_payloads').select('id').where('org_id', '=', orgId).where('agent_id', 'is', null)
    .where('sha256', '=', sha).executeTakeFirst();

export const findPayload = (db: Executor, orgId: string, id: string): Promise<PayloadMeta | undefined> =>
  db.selectFrom('inventory_payloads').select(PAYLOAD_COLUMNS).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const payloadBody = (db: Executor, orgId: string, id: string) =>
  db.selectFrom('inventory_payloads').select(['id', 'format', 'body', 'size_bytes', 'sha256', 'agent_id', 'received_at'])
    .where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export function listPayloads(db: Executor, orgId: string, q: { agentId?: string; status?: string; cursor?: string; limit: number }): Promise<PayloadMeta[]> {
  let query = db.selectFrom('inventory_payloads').select(PAYLOAD_COLUMNS).where('org_id', '=', orgId);
  if (q.agentId) query = query.where('agent_id', '=', q.agentId);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

/** Payloads stored while the agent awaited approval, oldest first (a full inventory before its partials). */
export const receivedPayloads = (db: Executor, orgId: string, agentId: string) =>
  db.selectFrom('inventory_payloads').select(['id']).where('org_id', '=', orgId).where('agent_id', '=', agentId)
    .where('status', '=', 'received').orderBy('id', 'asc').execute();

export const updatePayload = (db: Executor, orgId: string, id: string, patch: Partial<PayloadMeta>) =>
  db.updateTable('inventory_payloads').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const countPayloads = async (db: Executor, orgId: string): Promise<number> =>
  Number((await db.selectFrom('inventory_payloads').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).n);

// ---------- discovered devices ----------

export type DeviceRow = Selectable<DiscoveredDevicesTable>;
export type DeviceListRow = Omit<DeviceRow, 'record'>;

const DEVICE_LIST_COLUMNS = [
  'id', 'org_id', 'agent_id', 'record_sha256', 'system_serial', 'manufacturer', 'model', 'uuid', 'hostname', 'primary_mac',
  'os_name', 'is_virtual', 'storage_count', 'software_count', 'last_payload_id', 'first_seen_at', 'last_seen_at', 'asset_id',
  'match_status', 'match_rule', 'review_reason', 'review_candidates', 'linked_at', 'created_at', 'updated_at',
] as const;

/** The agent's device without its record (~130 kB for a server): a repeat inventory is compared by `record_sha256`. */
export const findDeviceByAgent = (db: Executor, orgId: string, agentId: string): Promise<DeviceListRow | undefined> =>
  db.selectFrom('discovered_devices').select(DEVICE_LIST_COLUMNS).where('org_id', '=', orgId).where('agent_id', '=', agentId).executeTakeFirst();

export const deviceRecord = async (db: Executor, orgId: string, id: string): Promise<string | undefined> =>
  (await db.selectFrom('discovered_devices').select('record').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst())?.record;

export const findDevice = (db: Executor, orgId: string, id: string): Promise<DeviceRow | undefined> =>
  db.selectFrom('discovered_devices').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const insertDevice = (db: Executor, row: Insertable<DiscoveredDevicesTable>) => db.insertInto('discovered_devices').values(row).execute();

export const updateDevice = (db: Executor, orgId: string, id: string, patch: Updateable<DiscoveredDevicesTable>) =>
  db.updateTable('discovered_devices').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const touchDeviceOfAgent = (db: Executor, orgId: string, agentId: string, now: string) =>
  db.updateTable('discovered_devices').set({ last_seen_at: now }).where('org_id', '=', orgId).where('agent_id', '=', agentId).execute();

export function listDevices(db: Executor, orgId: string, q: { q?: string; agentId?: string; linked?: boolean; matchStatus?: string; cursor?: string; limit: number }): Promise<DeviceListRow[]> {
  let query = db.selectFrom('discovered_devices').select(DEVICE_LIST_COLUMNS).where('org_id', '=', orgId);
  if (q.agentId) query = query.where('agent_id', '=', q.agentId);
  if (q.matchStatus) query = query.where('match_status', '=', q.matchStatus);
  if (q.linked !== undefined) query = query.where('asset_id', q.linked ? 'is not' : 'is', null);
  if (q.q) {
    const needle = q.q;
    query = query.where((eb) => eb.or([
      containsCi(eb, eb.ref('hostname'), needle), containsCi(eb, eb.ref('system_serial'), needle),
      containsCi(eb, eb.ref('model'), needle), containsCi(eb, eb.ref('primary_mac'), needle),
    ]));
  }
  if (q.cursor) query = query.where('id', '<', q.cursor);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

// ---------- reconciliation ----------

export interface CandidateRow { id: string; serial: string | null; manufacturer_name: string | null }

const liveAssets = (db: Executor, orgId: string) =>
  db.selectFrom('assets').leftJoin('manufacturers', 'manufacturers.id', 'assets.manufacturer_id')
    .select(['assets.id', 'assets.serial', 'manufacturers.name as manufacturer_name'])
    .where('assets.org_id', '=', orgId).where('assets.deleted_at', 'is', null);

/** Live assets with this serial, as typed or in upper/lower case (the (org_id, serial) index). */
export const assetsBySerial = (db: Executor, orgId: string, serial: string): Promise<CandidateRow[]> =>
  liveAssets(db, orgId).where('assets.serial', 'in', [...new Set([serial, serial.toUpperCase(), serial.toLowerCase()])]).limit(50).execute();

/** Live assets whose name is this host name (case variants). */
export const assetsByName = (db: Executor, orgId: string, name: string): Promise<CandidateRow[]> =>
  liveAssets(db, orgId).where('assets.name', 'in', [...new Set([name, name.toUpperCase(), name.toLowerCase()])]).limit(50).execute();

/** Live assets known by one of these identifiers. */
export const assetsByIdentifier = (db: Executor, orgId: string, kind: string, values: string[]): Promise<CandidateRow[]> =>
  liveAssets(db, orgId).where('assets.id', 'in', (eb) => eb.selectFrom('asset_identifiers').select('asset_id')
    .where('org_id', '=', orgId).where('kind', '=', kind).where('value', 'in', values)).limit(50).execute();

/** Any asset (deleted ones too: their serial stays reserved) other than `exceptId` holding this serial for this vendor. */
export async function serialTaken(db: Executor, orgId: string, serial: string, vendor: string | null, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('assets').leftJoin('manufacturers', 'manufacturers.id', 'assets.manufacturer_id')
    .select(['assets.id', 'manufacturers.name as manufacturer_name']).where('assets.org_id', '=', orgId).where('assets.serial', '=', serial);
  if (exceptId) q = q.where('assets.id', '!=', exceptId);
  const rows = await q.limit(20).execute();
  return rows.some((r) => !vendor || !r.manufacturer_name || r.manufacturer_name.toLowerCase().startsWith(vendor.toLowerCase()));
}

export const assetState = (db: Executor, orgId: string, id: string) =>
  db.selectFrom('assets').select(['id', 'asset_tag', 'name', 'serial', 'model_id', 'parent_asset_id', 'lifecycle_state', 'deleted_at'])
    .where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

/** A category for discovered machines: one named so, else the first of that asset class. */
export async function categoryByClassOrName(db: Executor, orgId: string, name: string, assetClass: string): Promise<string | undefined> {
  const rows = await db.selectFrom('categories').select(['id', 'name']).where('org_id', '=', orgId)
    .where((eb) => eb.or([eb(eb.fn('lower', [eb.ref('name')]), '=', name.toLowerCase()), eb('asset_class', '=', assetClass)]))
    .orderBy('created_at').execute();
  return (rows.find((r) => r.name.toLowerCase() === name.toLowerCase()) ?? rows[0])?.id;
}

/** The identifiers this device gives its asset (replacing what it gave before, to any asset). */
export async function replaceIdentifiers(db: Executor, orgId: string, assetId: string, deviceId: string, ids: { kind: string; value: string }[], now: string): Promise<void> {
  await db.deleteFrom('asset_identifiers').where('org_id', '=', orgId).where('device_id', '=', deviceId).execute();
  if (!ids.length) return;
  await db.insertInto('asset_identifiers')
    .values(ids.map((i) => ({ org_id: orgId, asset_id: assetId, kind: i.kind, value: i.value, source: 'discovery', device_id: deviceId, created_at: now })))
    .onConflict((oc) => oc.columns(['org_id', 'kind', 'value', 'asset_id']).doNothing()).execute();
}

export const identifiersOfAsset = (db: Executor, orgId: string, assetId: string) =>
  db.selectFrom('asset_identifiers').select(['kind', 'value', 'source', 'device_id', 'created_at'])
    .where('org_id', '=', orgId).where('asset_id', '=', assetId).orderBy('kind').orderBy('value').execute();

export const clearIdentifiersOfDevice = (db: Executor, orgId: string, deviceId: string) =>
  db.deleteFrom('asset_identifiers').where('org_id', '=', orgId).where('device_id', '=', deviceId).execute();

export async function replaceGuests(db: Executor, orgId: string, hostDeviceId: string, guests: { uuid: string; name: string | null; vm_type: string | null; status: string | null }[]): Promise<void> {
  await db.deleteFrom('discovered_guests').where('org_id', '=', orgId).where('host_device_id', '=', hostDeviceId).execute();
  const unique = [...new Map(guests.map((g) => [g.uuid, g])).values()];
  if (unique.length) await db.insertInto('discovered_guests').values(unique.map((g) => ({ org_id: orgId, host_device_id: hostDeviceId, ...g }))).execute();
}

/** The asset of a host whose inventory lists a guest with one of these UUIDs. */
export const hostAssetOfGuest = async (db: Executor, orgId: string, uuids: string[], exceptDeviceId: string): Promise<string | null> =>
  (await db.selectFrom('discovered_guests').innerJoin('discovered_devices', (j) => j.onRef('discovered_devices.id', '=', 'discovered_guests.host_device_id').onRef('discovered_devices.org_id', '=', 'discovered_guests.org_id'))
    .select('discovered_devices.asset_id').where('discovered_guests.org_id', '=', orgId).where('discovered_guests.uuid', 'in', uuids)
    .where('discovered_devices.id', '!=', exceptDeviceId).where('discovered_devices.asset_id', 'is not', null).executeTakeFirst())?.asset_id ?? null;

/** Devices linked to an asset, most recently seen first. */
export const devicesOfAsset = (db: Executor, orgId: string, assetId: string): Promise<DeviceListRow[]> =>
  db.selectFrom('discovered_devices').select(DEVICE_LIST_COLUMNS).where('org_id', '=', orgId).where('asset_id', '=', assetId)
    .orderBy('last_seen_at', 'desc').execute();

export interface StaleRow {
  asset_id: string; asset_tag: string; name: string | null; lifecycle_state: string; model_name: string; last_seen_at: string; hostname: string | null;
}

/** Assets whose every linked device was last seen before `cutoff` (oldest first). */
export function staleAssets(db: Executor, orgId: string, cutoff: string, excludeStates: string[], limit: number, offset: number): Promise<StaleRow[]> {
  const seen = db.selectFrom('discovered_devices').select((eb) => ['asset_id', eb.fn.max('last_seen_at').as('last_seen_at'), eb.fn.max('hostname').as('hostname')])
    .where('org_id', '=', orgId).where('asset_id', 'is not', null).groupBy('asset_id').as('seen');
  return db.selectFrom(seen).innerJoin('assets', 'assets.id', 'seen.asset_id').innerJoin('models', 'models.id', 'assets.model_id')
    .select(['assets.id as asset_id', 'assets.asset_tag', 'assets.name', 'assets.lifecycle_state', 'models.name as model_name', 'seen.last_seen_at', 'seen.hostname'])
    .where('assets.org_id', '=', orgId).where('assets.deleted_at', 'is', null).where('assets.lifecycle_state', 'not in', excludeStates)
    .where('seen.last_seen_at', '<', cutoff).orderBy('seen.last_seen_at').orderBy('assets.id').limit(limit).offset(offset)
    .execute() as Promise<StaleRow[]>;
}

export const staleUnlinkedDevices = (db: Executor, orgId: string, cutoff: string, limit: number): Promise<DeviceListRow[]> =>
  db.selectFrom('discovered_devices').select(DEVICE_LIST_COLUMNS).where('org_id', '=', orgId).where('asset_id', 'is', null)
    .where('match_status', '!=', 'ignored').where('last_seen_at', '<', cutoff).orderBy('last_seen_at').limit(limit).execute();

export const assetRefs = (db: Executor, orgId: string, ids: string[]) =>
  db.selectFrom('assets').innerJoin('models', 'models.id', 'assets.model_id')
    .select(['assets.id', 'assets.asset_tag', 'assets.name', 'assets.serial', 'assets.lifecycle_state', 'models.name as model_name'])
    .where('assets.org_id', '=', orgId).where('assets.id', 'in', ids).where('assets.deleted_at', 'is', null).execute();
