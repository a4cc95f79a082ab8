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

export const upsertSettings = (db: Executor, row: DiscoverySettingsTable) =>
  db.insertInto('discovery_settings').values(row).onConflict((oc) => oc.column('org_id').doUpdateSet({
    unknown_agent_policy: row.unknown_agent_policy, require_enrollment: row.require_enrollment,
    inventory_path: row.inventory_path, contact_interval_hours: row.contact_interval_hours, updated_at: row.updated_at,
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

export type DeviceRow = DiscoveredDevicesTable;
export type DeviceListRow = Omit<DiscoveredDevicesTable, 'record'>;

const DEVICE_LIST_COLUMNS = [
  'id', 'org_id', 'agent_id', 'record_sha256', 'system_serial', 'manufacturer', 'model', 'uuid', 'hostname', 'primary_mac',
  'os_name', 'is_virtual', 'storage_count', 'software_count', 'last_payload_id', 'first_seen_at', 'last_seen_at', 'asset_id',
  'created_at', 'updated_at',
] as const;

export const findDeviceByAgent = (db: Executor, orgId: string, agentId: string): Promise<DeviceRow | undefined> =>
  db.selectFrom('discovered_devices').selectAll().where('org_id', '=', orgId).where('agent_id', '=', agentId).executeTakeFirst();

export const findDevice = (db: Executor, orgId: string, id: string): Promise<DeviceRow | undefined> =>
  db.selectFrom('discovered_devices').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

export const insertDevice = (db: Executor, row: DeviceRow) => db.insertInto('discovered_devices').values(row).execute();

export const updateDevice = (db: Executor, orgId: string, id: string, patch: Partial<DeviceRow>) =>
  db.updateTable('discovered_devices').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const touchDeviceOfAgent = (db: Executor, orgId: string, agentId: string, now: string) =>
  db.updateTable('discovered_devices').set({ last_seen_at: now }).where('org_id', '=', orgId).where('agent_id', '=', agentId).execute();

export function listDevices(db: Executor, orgId: string, q: { q?: string; agentId?: string; linked?: boolean; cursor?: string; limit: number }): Promise<DeviceListRow[]> {
  let query = db.selectFrom('discovered_devices').select(DEVICE_LIST_COLUMNS).where('org_id', '=', orgId);
  if (q.agentId) query = query.where('agent_id', '=', q.agentId);
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
