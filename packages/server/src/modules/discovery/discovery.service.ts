/**
 * Discovery administration: settings, enrolment secrets, agents (approve/refuse), payloads and
 * discovered devices. Every mutation writes its event in the same transaction.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { AppError, conflict, notFound, unprocessable } from '../../errors.js';
import { fromDbBool, toDbBool } from '../../db/dialect.js';
import { newId, nowIso } from '../../lib/ids.js';
import { parseJsonArray } from '../../lib/json.js';
import { randomToken, sha256 } from '../../lib/crypto.js';
import * as events from '../events/events.service.js';
import type { CanonicalDevice } from './discovery.canonical.js';
import * as ingest from './discovery.ingest.js';
import * as repo from './discovery.repository.js';
import type { ReconcileSettings } from './discovery.reconcile.js';

/** Secrets look like `cae_…` (Custodian Agent Enrolment) so a leaked one is recognisable. */
export const ENROLLMENT_PREFIX = 'cae_';

/** The paths agents use by default, which also reach Custodian (protocol doc §1, §6). */
export const AGENT_DEFAULT_PATHS = ['/ocsinventory', '/front/inventory.php', '/plugins/fusioninventory/'] as const;

// ---------- settings ----------

export interface SettingsDto {
  unknownAgentPolicy: ingest.UnknownAgentPolicy;
  requireEnrollment: boolean;
  inventoryPath: string;
  customPath: boolean;
  inventoryUrl: string;
  defaultPathUrls: string[];
  contactIntervalHours: number;
  updatedAt: string | null;
  reconciliation: ReconcileSettings;
}

const settingsDto = (ctx: Ctx, s: ingest.EffectiveSettings): SettingsDto => ({
  unknownAgentPolicy: s.unknownAgentPolicy,
  requireEnrollment: s.requireEnrollment,
  inventoryPath: s.inventoryPath,
  customPath: s.customPath,
  inventoryUrl: `${ctx.config.publicUrl}/inventory/${encodeURIComponent(s.inventoryPath)}`,
  defaultPathUrls: AGENT_DEFAULT_PATHS.map((p) => `${ctx.config.publicUrl}${p}?org=${encodeURIComponent(s.inventoryPath)}`),
  contactIntervalHours: s.contactIntervalHours,
  updatedAt: s.updatedAt,
  reconciliation: s.reconcile,
});

async function requireSettings(db: Executor, orgId: string): Promise<ingest.EffectiveSettings> {
  const s = await ingest.settingsOf(db, orgId);
  if (!s) throw notFound('organization');
  return s;
}

export async function getSettings(ctx: Ctx): Promise<SettingsDto> {
  authorize(ctx.actor, 'discovery.read');
  return settingsDto(ctx, await requireSettings(ctx.db, orgOf(ctx)));
}

export interface SettingsInput {
  unknownAgentPolicy?: ingest.UnknownAgentPolicy;
  requireEnrollment?: boolean;
  /** null = back to the organization's slug */
  inventoryPath?: string | null;
  contactIntervalHours?: number;
  reconciliation?: Partial<ReconcileSettings>;
}

const PATH_RE = /^[a-z0-9][a-z0-9_-]{2,99}$/;
type SettingsSnap = { unknownAgentPolicy: string; requireEnrollment: boolean; inventoryPath: string; contactIntervalHours: number } & ReconcileSettings;
const SETTINGS_FIELDS = [
  'unknownAgentPolicy', 'requireEnrollment', 'inventoryPath', 'contactIntervalHours', 'matchRules', 'autoCreate', 'createState', 'staleDays',
  'ignoredSerials', 'ignoreVirtualSerials', 'linkPeripherals',
] as const;
const settingsSnap = (s: ingest.EffectiveSettings): SettingsSnap => ({
  unknownAgentPolicy: s.unknownAgentPolicy, requireEnrollment: s.requireEnrollment, inventoryPath: s.inventoryPath, contactIntervalHours: s.contactIntervalHours,
  ...s.reconcile,
});

export async function updateSettings(ctx: Ctx, input: SettingsInput): Promise<SettingsDto> {
  authorize(ctx.actor, 'discovery.manage');
  const orgId = orgOf(ctx);
  const path = input.inventoryPath === undefined ? undefined : input.inventoryPath === null ? null : input.inventoryPath.trim();
  const rules = input.reconciliation?.matchRules;
  if (rules && (!rules.length || new Set(rules).size !== rules.length)) {
    throw unprocessable('discovery.invalid_rules', 'Give each match rule at most once, and at least one.', [
      { path: '/body/reconciliation/matchRules', message: rules.length ? 'must not repeat a rule' : 'must not be empty', code: 'invalid' },
    ]);
  }
  if (path && !PATH_RE.test(path)) {
    throw unprocessable('discovery.invalid_path', 'The inventory path is 3 to 100 lower-case letters, digits, "-" or "_".', [
      { path: '/body/inventoryPath', message: 'must match ^[a-z0-9][a-z0-9_-]{2,99}$', code: 'pattern' },
    ]);
  }
  return ctx.db.transaction().execute(async (trx) => {
    const before = await requireSettings(trx, orgId);
    const newPath = path === undefined ? (before.customPath ? before.inventoryPath : null) : path === before.orgSlug ? null : path;
    if (newPath && (await repo.pathTaken(trx, newPath, orgId))) {
      throw conflict('discovery.path_taken', `Another organization already receives inventories at /inventory/${newPath}.`, {}, [
        { path: '/body/inventoryPath', message: 'is already used by another organization', code: 'duplicate' },
      ]);
    }
    const now = nowIso();
    const r = { ...before.reconcile, ...input.reconciliation };
    await repo.upsertSettings(trx, {
      org_id: orgId,
      unknown_agent_policy: input.unknownAgentPolicy ?? before.unknownAgentPolicy,
      require_enrollment: toDbBool(input.requireEnrollment ?? before.requireEnrollment),
      inventory_path: newPath,
      contact_interval_hours: input.contactIntervalHours ?? before.contactIntervalHours,
      updated_at: now,
      match_rules: JSON.stringify(r.matchRules), auto_create: toDbBool(r.autoCreate), create_state: r.createState, stale_days: r.staleDays,
      ignored_serials: JSON.stringify(r.ignoredSerials.map((x) => x.trim()).filter(Boolean)), ignore_virtual_serials: toDbBool(r.ignoreVirtualSerials),
      link_peripherals: toDbBool(r.linkPeripherals),
    });
    const after = await requireSettings(trx, orgId);
    const changes = events.diff<SettingsSnap>(settingsSnap(before), settingsSnap(after), SETTINGS_FIELDS);
    if (Object.keys(changes).length) {
      await events.record(trx, ctx, { action: 'discovery.settings_updated', entityType: 'discovery_settings', entityId: orgId, changes });
    }
    return settingsDto(ctx, after);
  });
}

// ---------- enrolment secrets ----------

export interface EnrollmentDto {
  id: string;
  name: string;
  prefix: string;
  status: 'active' | 'revoked';
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  agentCount: number;
}

const enrollmentDto = (e: repo.EnrollmentRow): EnrollmentDto => ({
  id: e.id, name: e.name, prefix: e.prefix, status: e.revoked_at ? 'revoked' : 'active', createdBy: e.created_by,
  createdAt: e.created_at, lastUsedAt: e.last_used_at, revokedAt: e.revoked_at, agentCount: Number(e.agent_count ?? 0),
});

export async function listEnrollments(ctx: Ctx): Promise<EnrollmentDto[]> {
  authorize(ctx.actor, 'discovery.read');
  return (await repo.listEnrollments(ctx.db, orgOf(ctx))).map(enrollmentDto);
}

export async function createEnrollment(ctx: Ctx, input: { name: string }): Promise<{ enrollment: EnrollmentDto; secret: string }> {
  authorize(ctx.actor, 'discovery.manage');
  const orgId = orgOf(ctx);
  const name = input.name.trim();
  if (!name) throw unprocessable('discovery.invalid_enrollment', 'The enrolment secret needs a name.', [{ path: '/body/name', message: 'must not be empty', code: 'required' }]);
  const secret = `${ENROLLMENT_PREFIX}${randomToken(32)}`;
  const row = {
    id: newId(), org_id: orgId, name, prefix: secret.slice(0, 12), secret_hash: sha256(secret), created_by: ctx.actor.label,
    created_at: nowIso(), last_used_at: null, revoked_at: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await repo.insertEnrollment(trx, row);
    await events.record(trx, ctx, { action: 'agent_enrollment.created', entityType: 'agent_enrollment', entityId: row.id, changes: events.diff(null, { name, prefix: row.prefix }, ['name', 'prefix']) });
  });
  return { enrollment: enrollmentDto({ ...row, agent_count: 0 }), secret };
}

export async function revokeEnrollment(ctx: Ctx, id: string): Promise<EnrollmentDto> {
  authorize(ctx.actor, 'discovery.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const e = await repo.findEnrollment(trx, orgId, id);
    if (!e) throw notFound('enrollment');
    if (!e.revoked_at) {
      const now = nowIso();
      await repo.revokeEnrollment(trx, orgId, id, now);
      await events.record(trx, ctx, { action: 'agent_enrollment.revoked', entityType: 'agent_enrollment', entityId: id, changes: { revokedAt: { before: null, after: now } } });
    }
    const after = (await repo.listEnrollments(trx, orgId)).find((x) => x.id === id)!;
    return enrollmentDto(after);
  });
}

// ---------- agents ----------

export type AgentStatus = 'approved' | 'pending' | 'refused';

export interface AgentDto {
  id: string;
  deviceId: string;
  agentUuid: string | null;
  name: string | null;
  version: string | null;
  userAgent: string | null;
  status: AgentStatus;
  enrollment: { id: string; name: string } | null;
  firstContactAt: string;
  lastContactAt: string;
  lastIp: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  discoveredDeviceId: string | null;
}

const agentDto = (a: repo.AgentRow): AgentDto => ({
  id: a.id, deviceId: a.device_id, agentUuid: a.agent_uuid, name: a.name, version: a.version, userAgent: a.user_agent,
  status: a.status as AgentStatus, enrollment: a.enrollment_id ? { id: a.enrollment_id, name: a.enrollment_name ?? '' } : null,
  firstContactAt: a.first_contact_at, lastContactAt: a.last_contact_at, lastIp: a.last_ip, lastError: a.last_error,
  lastErrorAt: a.last_error_at, decidedBy: a.decided_by, decidedAt: a.decided_at, discoveredDeviceId: a.discovered_device_id ?? null,
});

export interface Page<T> { items: T[]; nextCursor: string | null }

function page<R extends { id: string }, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  return { items: items.map(map), nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

export async function listAgents(ctx: Ctx, q: { status?: AgentStatus; cursor?: string; limit?: number }): Promise<Page<AgentDto>> {
  authorize(ctx.actor, 'discovery.read');
  const limit = q.limit ?? 100;
  return page(await repo.listAgents(ctx.db, orgOf(ctx), { status: q.status, cursor: q.cursor, limit: limit + 1 }), limit, agentDto);
}

async function requireAgent(db: Executor, orgId: string, id: string): Promise<repo.AgentRow> {
  const a = await repo.findAgent(db, orgId, id);
  if (!a) throw notFound('agent');
  return a;
}

export async function getAgent(ctx: Ctx, id: string): Promise<AgentDto> {
  authorize(ctx.actor, 'discovery.read');
  return agentDto(await requireAgent(ctx.db, orgOf(ctx), id));
}

async function decide(ctx: Ctx, id: string, status: 'approved' | 'refused'): Promise<{ before: repo.AgentRow; after: repo.AgentRow }> {
  authorize(ctx.actor, 'discovery.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const before = await requireAgent(trx, orgId, id);
    if (before.status !== status) {
      const now = nowIso();
      await repo.updateAgent(trx, orgId, id, { status, decided_by: ctx.actor.label, decided_at: now, updated_at: now });
      await events.record(trx, ctx, {
        action: status === 'approved' ? 'agent.approved' : 'agent.refused', entityType: 'agent', entityId: id,
        changes: { status: { before: before.status, after: status } }, meta: { deviceId: before.device_id },
      });
    }
    return { before, after: await requireAgent(trx, orgId, id) };
  });
}

/** Approves an agent; the inventories it sent while pending become its discovered device now. */
export async function approveAgent(ctx: Ctx, id: string, log: FastifyBaseLogger): Promise<{ agent: AgentDto; processedPayloads: number }> {
  const { after } = await decide(ctx, id, 'approved');
  const processedPayloads = await ingest.processQueued(ctx, after.org_id, id, log);
  return { agent: agentDto((await repo.findAgent(ctx.db, after.org_id, id)) ?? after), processedPayloads };
}

/** Refuses an agent: its next requests get the protocol's error reply (403). Its discovered device stays. */
export async function refuseAgent(ctx: Ctx, id: string): Promise<AgentDto> {
  return agentDto((await decide(ctx, id, 'refused')).after);
}

// ---------- payloads ----------

export interface PayloadDto {
  id: string;
  agentId: string | null;
  enrollmentId: string | null;
  receivedAt: string;
  format: 'xml' | 'json';
  compression: 'zlib' | 'gzip' | 'none';
  partial: boolean;
  sha256: string;
  sizeBytes: number;
  wireBytes: number;
  status: 'received' | 'processed' | 'failed';
  error: string | null;
  processedAt: string | null;
  discoveredDeviceId: string | null;
}

const payloadDto = (p: repo.PayloadMeta): PayloadDto => ({
  id: p.id, agentId: p.agent_id, enrollmentId: p.enrollment_id, receivedAt: p.received_at, format: p.format as PayloadDto['format'],
  compression: p.compression as PayloadDto['compression'], partial: fromDbBool(p.partial), sha256: p.sha256, sizeBytes: Number(p.size_bytes),
  wireBytes: Number(p.wire_bytes), status: p.status as PayloadDto['status'], error: p.error, processedAt: p.processed_at, discoveredDeviceId: p.device_id,
});

export async function listPayloads(ctx: Ctx, q: { agentId?: string; status?: PayloadDto['status']; cursor?: string; limit?: number }): Promise<Page<PayloadDto>> {
  authorize(ctx.actor, 'discovery.read');
  const orgId = orgOf(ctx);
  if (q.agentId && !(await repo.findAgent(ctx.db, orgId, q.agentId))) throw notFound('agent', '/querystring/agentId');
  const limit = q.limit ?? 50;
  return page(await repo.listPayloads(ctx.db, orgId, { agentId: q.agentId, status: q.status, cursor: q.cursor, limit: limit + 1 }), limit, payloadDto);
}

/**
 * The raw message, decompressed. Needs discovery.manage: agents send environment variables,
 * process command lines and local accounts, which the canonical record leaves out.
 */
export async function payloadContent(ctx: Ctx, id: string): Promise<{ contentType: string; fileName: string; body: Buffer; sha256: string }> {
  authorize(ctx.actor, 'discovery.manage');
  const p = await ingest.payloadContent(ctx.db, orgOf(ctx), id);
  if (!p) throw notFound('payload');
  const ext = p.format === 'json' ? 'json' : 'xml';
  return { contentType: p.format === 'json' ? 'application/json' : 'application/xml', fileName: `inventory-${id}.${ext}`, body: p.body, sha256: p.sha256 };
}

// ---------- discovered devices ----------

export interface DeviceSummaryDto {
  id: string;
  agentId: string;
  hostname: string | null;
  systemSerial: string | null;
  manufacturer: string | null;
  model: string | null;
  uuid: string | null;
  primaryMac: string | null;
  osName: string | null;
  isVirtual: boolean;
  storageCount: number;
  softwareCount: number;
  assetId: string | null;
  lastPayloadId: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
  updatedAt: string;
  matchStatus: 'pending' | 'matched' | 'created' | 'review' | 'ignored';
  matchRule: string | null;
  reviewReason: string | null;
  reviewCandidates: string[];
  linkedAt: string | null;
}

export interface DeviceDto extends DeviceSummaryDto {
  agent: AgentDto;
  record: CanonicalDevice;
}

const candidateIds = (text: string | null): string[] => (parseJsonArray(text) ?? []).filter((x): x is string => typeof x === 'string');

export const deviceSummary = (d: repo.DeviceListRow): DeviceSummaryDto => ({
  id: d.id, agentId: d.agent_id, hostname: d.hostname, systemSerial: d.system_serial, manufacturer: d.manufacturer, model: d.model,
  uuid: d.uuid, primaryMac: d.primary_mac, osName: d.os_name, isVirtual: fromDbBool(d.is_virtual), storageCount: Number(d.storage_count),
  softwareCount: Number(d.software_count), assetId: d.asset_id, lastPayloadId: d.last_payload_id, firstSeenAt: d.first_seen_at,
  lastSeenAt: d.last_seen_at, updatedAt: d.updated_at, matchStatus: d.match_status as DeviceSummaryDto['matchStatus'], matchRule: d.match_rule,
  reviewReason: d.review_reason, reviewCandidates: candidateIds(d.review_candidates), linkedAt: d.linked_at,
});

export async function listDevices(ctx: Ctx, q: { q?: string; agentId?: string; linked?: boolean; matchStatus?: DeviceSummaryDto['matchStatus']; cursor?: string; limit?: number }): Promise<Page<DeviceSummaryDto>> {
  authorize(ctx.actor, 'discovery.read');
  const limit = q.limit ?? 50;
  const needle = q.q?.trim() || undefined;
  return page(await repo.listDevices(ctx.db, orgOf(ctx), { q: needle, agentId: q.agentId, linked: q.linked, matchStatus: q.matchStatus, cursor: q.cursor, limit: limit + 1 }), limit, deviceSummary);
}

export async function getDevice(ctx: Ctx, id: string): Promise<DeviceDto> {
  authorize(ctx.actor, 'discovery.read');
  const orgId = orgOf(ctx);
  const d = await repo.findDevice(ctx.db, orgId, id);
  if (!d) throw notFound('device');
  const agent = await requireAgent(ctx.db, orgId, d.agent_id);
  let record: CanonicalDevice;
  try {
    record = JSON.parse(d.record) as CanonicalDevice;
  } catch {
    throw new AppError(500, 'discovery.corrupt_record', 'The stored device record cannot be read.');
  }
  return { ...deviceSummary(d), agent: agentDto(agent), record };
}
