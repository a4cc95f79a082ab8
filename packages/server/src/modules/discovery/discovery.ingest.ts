/**
 * What happens to one agent request: find the organization, authenticate the agent (HTTP Basic
 * with an enrolment secret), decompress and parse the message, register or update the agent, and
 * for an INVENTORY store the raw payload (its own transaction) before turning it into the
 * discovered device (a second transaction). Every refusal is a ProtocolError, answered with the
 * protocol's error reply.
 */
import { createHash } from 'node:crypto';
import { gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyBaseLogger } from 'fastify';
import type { Selectable } from 'kysely';
import type { Ctx } from '../../context.js';
import { systemActor } from '../../context.js';
import type { Executor } from '../../db/database.js';
import type { DiscoverySettingsTable } from '../../db/schema.js';
import { isUniqueViolation, toDbBool } from '../../db/dialect.js';
import { writeTransaction } from '../../db/group-commit.js';
import { sha256 } from '../../lib/crypto.js';
import { parseJsonArray } from '../../lib/json.js';
import { AppError } from '../../errors.js';
import { newId, nowIso, UUID_RE } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import type { CanonicalDevice } from './discovery.canonical.js';
import {
  mergePartialDevice, NormalizeError, type PreparedMessage,
} from './discovery.normalize.js';
import {
  decodeText, detectCompression, encodeReply, hintFromContentType, inflateBounded, jsonContactReply, jsonErrorReply, jsonOkReply,
  parseBasicAuth, parseUserAgent, ProtocolError, REALM, sniffFormat, xmlErrorReply, xmlInventoryReply, xmlPrologReply,
  type Compression, type WireFormat,
} from './discovery.protocol.js';
import * as repo from './discovery.repository.js';
import { compareDevices } from './discovery.changes.js';
import {
  applyToAsset, createAssetFor, CREATE_STATES, setLink, DEFAULT_RECONCILE, discoveryCtx, findMatch, MATCH_RULES,
  type ApplyInput, type CreateState, type MatchRule, type ReconcileSettings,
} from './discovery.reconcile.js';
import * as software from '../software/software.service.js';
import { parseMessage } from './discovery.parse-pool.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

// ---------- settings ----------

export const UNKNOWN_AGENT_POLICIES = ['accept', 'queue', 'refuse'] as const;
export type UnknownAgentPolicy = (typeof UNKNOWN_AGENT_POLICIES)[number];

export interface EffectiveSettings {
  orgId: string;
  orgSlug: string;
  unknownAgentPolicy: UnknownAgentPolicy;
  requireEnrollment: boolean;
  /** The `<path>` of `/inventory/<path>`. */
  inventoryPath: string;
  customPath: boolean;
  contactIntervalHours: number;
  updatedAt: string | null;
  reconcile: ReconcileSettings;
}

/** Defaults until an administrator changes them: agents need a secret; an agent with one is accepted. */
export const DEFAULT_SETTINGS = { unknownAgentPolicy: 'accept', requireEnrollment: true, contactIntervalHours: 24 } as const;

export function effectiveSettings(org: { id: string; slug: string }, row: Selectable<DiscoverySettingsTable> | undefined): EffectiveSettings {
  const policy = row?.unknown_agent_policy;
  return {
    orgId: org.id,
    orgSlug: org.slug,
    unknownAgentPolicy: (UNKNOWN_AGENT_POLICIES as readonly string[]).includes(policy ?? '') ? (policy as UnknownAgentPolicy) : DEFAULT_SETTINGS.unknownAgentPolicy,
    requireEnrollment: row ? row.require_enrollment === 1 : DEFAULT_SETTINGS.requireEnrollment,
    inventoryPath: row?.inventory_path ?? org.slug,
    customPath: !!row?.inventory_path,
    contactIntervalHours: row?.contact_interval_hours ?? DEFAULT_SETTINGS.contactIntervalHours,
    updatedAt: row?.updated_at ?? null,
    reconcile: reconcileSettings(row),
  };
}

/** The stored reconciliation settings over the defaults (a null column means the default). */
function reconcileSettings(row: Selectable<DiscoverySettingsTable> | undefined): ReconcileSettings {
  const d = DEFAULT_RECONCILE;
  const rules = parseJsonArray(row?.match_rules)?.filter((r): r is MatchRule => (MATCH_RULES as readonly unknown[]).includes(r));
  const state = row?.create_state;
  return {
    matchRules: rules ?? [...d.matchRules],
    autoCreate: row?.auto_create === null || row?.auto_create === undefined ? d.autoCreate : row.auto_create === 1,
    createState: (CREATE_STATES as readonly string[]).includes(state ?? '') ? (state as CreateState) : d.createState,
    staleDays: row?.stale_days ?? d.staleDays,
    ignoredSerials: parseJsonArray(row?.ignored_serials)?.filter((x): x is string => typeof x === 'string') ?? [...d.ignoredSerials],
    ignoreVirtualSerials: row?.ignore_virtual_serials === null || row?.ignore_virtual_serials === undefined ? d.ignoreVirtualSerials : row.ignore_virtual_serials === 1,
    linkPeripherals: row?.link_peripherals === null || row?.link_peripherals === undefined ? d.linkPeripherals : row.link_peripherals === 1,
  };
}

export async function settingsOf(db: Executor, orgId: string): Promise<EffectiveSettings | null> {
  const org = await repo.findOrg(db, orgId);
  return org ? effectiveSettings(org, await repo.findSettings(db, orgId)) : null;
}

/** `/inventory/<path>`: an organization's custom path first, else its slug (unless it chose a custom path). */
async function settingsForPath(db: Executor, path: string): Promise<EffectiveSettings | null> {
  const custom = await repo.findSettingsByPath(db, path);
  if (custom) {
    const org = await repo.findOrg(db, custom.org_id);
    return org ? effectiveSettings(org, custom) : null;
  }
  const org = await repo.findOrgBySlug(db, path);
  if (!org) return null;
  const s = effectiveSettings(org, await repo.findSettings(db, org.id));
  return s.customPath ? null : s;
}

// ---------- the request ----------

export interface AgentRequest {
  /** `/inventory/:path`; null on the agents' default paths (`/ocsinventory`, …). */
  path: string | null;
  /** `?org=<path>` on the default paths. */
  orgQuery: string | null;
  authorization: string | undefined;
  /** GLPI Agent's `GLPI-Agent-ID` header. */
  agentUuid: string | undefined;
  userAgent: string | undefined;
  contentType: string | undefined;
  ip: string;
  body: Buffer | undefined;
}

export interface AgentReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

interface Hint { compression: Compression; format: WireFormat; freq: number }

function reply(status: number, text: string, hint: Hint, extra: Record<string, string> = {}): AgentReply {
  const { contentType, body } = encodeReply(text, hint.format, hint.compression);
  return { status, headers: { 'content-type': contentType, 'cache-control': 'no-store', ...extra }, body };
}

/** The protocol's error reply (§1.5) for a refusal, in the request's format and compression when known. */
export function errorReply(err: ProtocolError, hint: Hint): AgentReply {
  const text = hint.format === 'json' ? jsonErrorReply(err.message, hint.freq) : xmlErrorReply(err.message);
  const challenge: Record<string, string> = err.challenge ? { 'www-authenticate': `Basic realm="${REALM}"` } : {};
  // 401 challenges go out uncompressed: nothing was decoded yet, and LWP only reads the header.
  return reply(err.status, text, err.challenge ? { ...hint, compression: 'none' } : hint, challenge);
}

export function hintFor(contentType: string | undefined): Hint {
  return { ...hintFromContentType(contentType), freq: DEFAULT_SETTINGS.contactIntervalHours };
}

const challenge = (message: string, reason: string) => new ProtocolError(401, message, reason, true);

/** Handles one agent request end to end; never throws a ProtocolError (it becomes the error reply). */
export async function handle(ctx: Ctx, req: AgentRequest, log: FastifyBaseLogger): Promise<AgentReply> {
  const hint = hintFor(req.contentType);
  let orgId: string | null = null;
  try {
    const settings = await resolveOrganization(ctx.db, req);
    orgId = settings.orgId;
    hint.freq = settings.contactIntervalHours;
    const enrollmentId = await authenticate(ctx.db, settings, req.authorization);
    return await processMessage(ctx, settings, enrollmentId, req, hint, log);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    const level = err.challenge ? 'debug' : 'warn';
    log[level]({ orgId, reason: err.reason, status: err.status, ip: req.ip, userAgent: req.userAgent }, `agent request refused: ${err.message}`);
    return errorReply(err, hint);
  }
}

async function resolveOrganization(db: Executor, req: AgentRequest): Promise<EffectiveSettings> {
  const path = req.path ?? req.orgQuery;
  if (path) {
    const s = await settingsForPath(db, path);
    if (!s) throw new ProtocolError(404, `No organization receives inventories at "${path}".`, 'unknown_organization');
    return s;
  }
  // A default agent path without ?org=: the enrolment secret names the organization.
  const creds = parseBasicAuth(req.authorization);
  if (!creds || creds === 'malformed') throw challenge('Authentication required: use the enrolment secret as the password.', 'auth_required');
  const enrollment = await repo.findEnrollmentByHash(db, sha256(creds.password));
  if (!enrollment || enrollment.revoked_at) throw challenge('The enrolment secret is not valid or was revoked.', 'auth_invalid');
  const s = await settingsOf(db, enrollment.org_id);
  if (!s) throw new ProtocolError(404, 'The organization of this enrolment secret no longer exists.', 'unknown_organization');
  return s;
}

/** The enrolment used (null when the organization lets agents in without one and none was sent). */
async function authenticate(db: Executor, settings: EffectiveSettings, header: string | undefined): Promise<string | null> {
  const creds = parseBasicAuth(header);
  if (creds === null) {
    if (settings.requireEnrollment) throw challenge('Authentication required: use the enrolment secret as the password.', 'auth_required');
    return null;
  }
  if (creds === 'malformed') throw challenge('The Authorization header must be HTTP Basic.', 'auth_malformed');
  const enrollment = await repo.findEnrollmentByHash(db, sha256(creds.password));
  if (!enrollment || enrollment.org_id !== settings.orgId) throw challenge('The enrolment secret is not valid for this organization.', 'auth_invalid');
  if (enrollment.revoked_at) throw challenge('The enrolment secret was revoked.', 'auth_revoked');
  const now = nowIso();
  if (!enrollment.last_used_at || Date.parse(now) - Date.parse(enrollment.last_used_at) > 60_000) await repo.touchEnrollment(db, enrollment.id, now);
  return enrollment.id;
}

const XML_QUERIES = new Set(['PROLOG', 'INVENTORY']);
const JSON_QUERIES = new Set(['CONTACT', 'INVENTORY']);

async function processMessage(ctx: Ctx, settings: EffectiveSettings, enrollmentId: string | null, req: AgentRequest, hint: Hint, log: FastifyBaseLogger): Promise<AgentReply> {
  const wire = req.body;
  if (!wire?.length) throw new ProtocolError(400, 'The request has no body.', 'empty_body');
  const compression = detectCompression(wire);
  const bytes = compression === 'none' ? wire : await inflateBounded(wire, compression, ctx.config.maxInventoryInflatedBytes);
  hint.compression = compression;
  const text = decodeText(bytes);
  const format = sniffFormat(text);
  if (!format) throw new ProtocolError(400, 'The body is neither an XML nor a JSON agent message.', 'unknown_format');
  hint.format = format;

  // Compressed for storage in the thread pool while the message is parsed (an unused one is dropped).
  const body = gzipAsync(bytes);
  body.catch(() => undefined);
  const stored: StoredInput = { settings, enrollmentId, bytes, body, format, compression, wireBytes: wire.length };
  let msg: PreparedMessage;
  try {
    msg = await parseMessage(text, format);
  } catch (err) {
    if (!(err instanceof NormalizeError)) throw err;
    // Kept (as failed, unattributed) so that nothing an agent sent is lost.
    await storeFailed(ctx.db, stored, err.message);
    throw new ProtocolError(400, err.message, 'malformed');
  }
  if (!msg.deviceId) {
    if (msg.query === 'INVENTORY') await storeFailed(ctx.db, stored, 'the message has no DEVICEID');
    throw new ProtocolError(400, 'The message has no DEVICEID.', 'no_device_id');
  }
  if (!(format === 'xml' ? XML_QUERIES : JSON_QUERIES).has(msg.query)) {
    throw new ProtocolError(400, `Unsupported ${format === 'xml' ? 'QUERY' : 'action'} "${msg.query}".`, 'unsupported_query');
  }

  const agent = await registerContact(ctx, settings, enrollmentId, msg, req);
  if (agent.status === 'refused') throw new ProtocolError(403, 'This agent was refused by an administrator of the organization.', 'agent_refused');

  const freq = settings.contactIntervalHours;
  switch (msg.query) {
    case 'PROLOG':
      // GLPI Agent (it sends GLPI-Agent-ID) is switched to its native JSON protocol, as GLPI 10 does (§4.1).
      return req.agentUuid ? reply(200, jsonOkReply(freq), { ...hint, format: 'json' }) : reply(200, xmlPrologReply(freq), hint);
    case 'CONTACT':
      return reply(200, jsonContactReply(freq), hint);
    default:
      await ingestInventory(ctx, agent, msg, stored, log);
      return reply(200, format === 'xml' ? xmlInventoryReply() : jsonOkReply(freq), hint);
  }
}

interface StoredInput {
  settings: EffectiveSettings;
  enrollmentId: string | null;
  bytes: Buffer;
  /** `bytes` gzipped, as stored. */
  body: Promise<Buffer>;
  format: WireFormat;
  compression: Compression;
  wireBytes: number;
}

const sha256Bytes = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Keeps a message that names no agent (malformed) as a failed payload — once per distinct content. */
async function storeFailed(db: Executor, s: StoredInput, error: string): Promise<void> {
  const sha = sha256Bytes(s.bytes);
  if (await repo.findUnattributedBySha(db, s.settings.orgId, sha)) return;
  await repo.insertPayload(db, {
    id: newId(), org_id: s.settings.orgId, agent_id: null, enrollment_id: s.enrollmentId, received_at: nowIso(), format: s.format,
    compression: s.compression, partial: 0, sha256: sha, size_bytes: s.bytes.length, wire_bytes: s.wireBytes,
    body: await s.body, status: 'failed', error: error.slice(0, 1000), processed_at: null, device_id: null,
  });
}

// ---------- agents ----------

interface AgentState { id: string; status: string; deviceId: string; name: string | null; version: string | null }

/** Creates the agent on first contact (`agent.registered`, status from the policy) or records the contact (no event). */
async function registerContact(ctx: Ctx, settings: EffectiveSettings, enrollmentId: string | null, msg: PreparedMessage, req: AgentRequest): Promise<AgentState> {
  const orgId = settings.orgId;
  const deviceId = msg.deviceId!.slice(0, 255);
  const uuid = req.agentUuid && UUID_RE.test(req.agentUuid.trim()) ? req.agentUuid.trim().toLowerCase() : null;
  const ua = parseUserAgent(req.userAgent);
  const name = (msg.name ?? ua.name)?.slice(0, 100) ?? null;
  const version = (msg.version ?? ua.version)?.slice(0, 50) ?? null;
  const now = nowIso();
  const existing = (uuid ? await repo.findAgentByUuid(ctx.db, orgId, uuid) : undefined) ?? await repo.findAgentByDeviceId(ctx.db, orgId, deviceId);
  if (existing) {
    // A GLPI Agent keeps its GLPI-Agent-ID when its DEVICEID changes (new hostname): follow it,
    // unless another agent row already holds the new DEVICEID.
    const moveTo = existing.device_id !== deviceId && !(await repo.findAgentByDeviceId(ctx.db, orgId, deviceId)) ? deviceId : existing.device_id;
    await repo.updateAgent(ctx.db, orgId, existing.id, {
      last_contact_at: now, updated_at: now, device_id: moveTo, agent_uuid: uuid ?? existing.agent_uuid,
      name: name ?? existing.name, version: version ?? existing.version, user_agent: req.userAgent?.slice(0, 200) ?? existing.user_agent,
      last_ip: req.ip, enrollment_id: enrollmentId ?? existing.enrollment_id,
    });
    return { id: existing.id, status: existing.status, deviceId: moveTo, name: name ?? existing.name, version: version ?? existing.version };
  }
  const status = { accept: 'approved', queue: 'pending', refuse: 'refused' }[settings.unknownAgentPolicy];
  const row = {
    id: newId(), org_id: orgId, device_id: deviceId, agent_uuid: uuid, name, version, user_agent: req.userAgent?.slice(0, 200) ?? null,
    status, enrollment_id: enrollmentId, first_contact_at: now, last_contact_at: now, last_ip: req.ip, last_error: null,
    last_error_at: null, decided_by: null, decided_at: null, created_at: now, updated_at: now,
  };
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await repo.insertAgent(trx, row);
      await events.record(trx, agentCtx(ctx, orgId, deviceId), {
        orgId, action: 'agent.registered', entityType: 'agent', entityId: row.id,
        changes: events.diff(null, { deviceId, name, version, status }, ['deviceId', 'name', 'version', 'status']),
        meta: { ip: req.ip, enrollmentId, policy: settings.unknownAgentPolicy },
      });
    });
  } catch (err) {
    // Two first contacts at once: the other one registered it.
    if (!isUniqueViolation(err)) throw err;
    const other = await repo.findAgentByDeviceId(ctx.db, orgId, deviceId);
    if (!other) throw err;
    return { id: other.id, status: other.status, deviceId, name: other.name, version: other.version };
  }
  return { id: row.id, status, deviceId, name, version };
}

const agentCtx = (ctx: Ctx, orgId: string, deviceId: string): Ctx => ({ ...ctx, actor: systemActor(orgId, `agent:${deviceId}`), eventMeta: undefined });

// ---------- inventories ----------

async function ingestInventory(ctx: Ctx, agent: AgentState, msg: PreparedMessage, s: StoredInput, log: FastifyBaseLogger): Promise<void> {
  const orgId = s.settings.orgId;
  const sha = sha256Bytes(s.bytes);
  const now = nowIso();
  const seen = await repo.findPayloadBySha(ctx.db, orgId, agent.id, sha);
  if (seen) {
    // The same message again: processed once, only "last seen" moves. A failed one is retried.
    if (seen.status === 'processed') {
      await repo.touchDeviceOfAgent(ctx.db, orgId, agent.id, now);
      return;
    }
    if (agent.status === 'approved') await processPayload(ctx, s.settings, agent, seen.id, msg, log);
    return;
  }
  const id = newId();
  // First transaction: the raw payload, so it survives whatever happens next.
  await repo.insertPayload(ctx.db, {
    id, org_id: orgId, agent_id: agent.id, enrollment_id: s.enrollmentId, received_at: now, format: s.format,
    compression: s.compression, partial: toDbBool(msg.partial), sha256: sha, size_bytes: s.bytes.length, wire_bytes: s.wireBytes,
    body: await s.body, status: 'received', error: null, processed_at: null, device_id: null,
  });
  // A queued (pending) agent's payloads wait for approval.
  if (agent.status === 'approved') await processPayload(ctx, s.settings, agent, id, msg, log);
}

/**
 * Second transaction (on SQLite shared with inventories arriving at the same time: group commit,
 * each in its own savepoint; on PostgreSQL its own, see `writeTransaction`): canonical record →
 * discovered device (a partial inventory is merged into the stored record). On failure the payload
 * is marked failed with the reason and the agent's last error is set; the raw payload stays.
 */
async function processPayload(ctx: Ctx, settings: EffectiveSettings, agent: AgentState, payloadId: string, msg: PreparedMessage, log: FastifyBaseLogger): Promise<void> {
  const orgId = settings.orgId;
  try {
    const inv = msg.inventory;
    if (!inv || 'error' in inv) throw new NormalizeError(inv?.error ?? `a ${msg.query} message carries no inventory`);
    // OCS names no agent in the inventory; its User-Agent does.
    const freshRecord = inv.named ? inv.record : JSON.stringify(withAgentNames(JSON.parse(inv.record) as CanonicalDevice, agent));
    /**
     * `blocked`: why the asset could not be written last time (e.g. a required custom field the
     * agent cannot fill); the device is then stored and sent to review instead of failing the
     * inventory.
     */
    const write = (blocked?: string) => writeTransaction(ctx.db, ctx.engine, async (trx) => {
      const now = nowIso();
      const current = await repo.findDeviceByAgent(trx, orgId, agent.id);
      // The records are read and parsed only when needed: a repeat inventory without change is compared by hash.
      let previous: CanonicalDevice | null | undefined;
      const previousRecord = async (): Promise<CanonicalDevice | null> => {
        if (previous === undefined) {
          const stored = current ? await repo.deviceRecord(trx, orgId, current.id) : undefined;
          previous = stored ? JSON.parse(stored) as CanonicalDevice : null;
        }
        return previous;
      };
      const base = msg.partial ? await previousRecord() : null;
      let device = base ? mergePartialDevice(base, JSON.parse(freshRecord) as CanonicalDevice, inv.sections) : null;
      const record = device ? JSON.stringify(device) : freshRecord;
      const recordSha = sha256(record);
      const changedDevice = () => (device ??= JSON.parse(record) as CanonicalDevice);
      const unchanged = current?.record_sha256 === recordSha;
      // What the changes are computed against: read before it is replaced.
      const before = unchanged ? null : await previousRecord();
      let row: DeviceState;
      if (!current) {
        row = { id: newId(), asset_id: null, match_status: 'pending' };
        await repo.insertDevice(trx, {
          id: row.id, org_id: orgId, agent_id: agent.id, record, record_sha256: recordSha, ...identityColumns(changedDevice()), last_payload_id: payloadId,
          first_seen_at: now, last_seen_at: now, asset_id: null, created_at: now, updated_at: now,
        });
      } else {
        row = { id: current.id, asset_id: current.asset_id, match_status: current.match_status };
        await repo.updateDevice(trx, orgId, current.id, unchanged
          ? { last_seen_at: now, last_payload_id: payloadId }
          : { record, record_sha256: recordSha, ...identityColumns(changedDevice()), last_payload_id: payloadId, last_seen_at: now, updated_at: now });
        // Nothing changed: only "last seen" moves (no reconciliation, no events).
        if (unchanged) row = { ...row, unchanged: true };
      }
      if (blocked) {
        await repo.updateDevice(trx, orgId, row.id, { match_status: 'review', review_reason: blocked.slice(0, 500), review_candidates: null });
      } else if (!row.unchanged) {
        const dctx = discoveryCtx(ctx, orgId, agent.deviceId, { discoveredDeviceId: row.id, payloadId });
        await reconcileDevice(trx, { ctx: dctx, deviceRowId: row.id, device: changedDevice(), previous: before, settings: settings.reconcile, now }, row);
      }
      await repo.updatePayload(trx, orgId, payloadId, { status: 'processed', error: null, processed_at: now, device_id: row.id });
      await repo.updateAgent(trx, orgId, agent.id, { last_error: null, last_error_at: null });
    });
    try {
      await write();
    } catch (err) {
      if (err instanceof AppError && err.status < 500) {
        // The asset rules refused what discovery would write: keep the inventory, ask a person.
        log.warn({ orgId, payloadId, code: err.code, errors: err.errors }, 'discovered device sent to review: the asset could not be written');
        await write(`the asset could not be written: ${err.message}${err.errors.length ? ` (${err.errors.map((e) => `${e.path} ${e.message}`).join('; ')})` : ''}`);
      } else if (isUniqueViolation(err)) {
        // Two inventories of a new device at once: the other one created it; merge into it.
        await write();
      } else {
        throw err;
      }
    }
    software.afterSync(ctx.db);
  } catch (err) {
    const reason = err instanceof NormalizeError ? err.message : 'Internal error while processing the inventory; the payload is kept and will be retried when sent again.';
    if (!(err instanceof NormalizeError)) log.error({ err, orgId, payloadId }, 'inventory processing failed');
    const now = nowIso();
    await repo.updatePayload(ctx.db, orgId, payloadId, { status: 'failed', error: reason.slice(0, 1000), processed_at: now });
    await repo.updateAgent(ctx.db, orgId, agent.id, { last_error: reason.slice(0, 1000), last_error_at: now });
    if (err instanceof NormalizeError) throw new ProtocolError(400, reason, 'invalid_inventory');
    throw new ProtocolError(500, 'The inventory could not be processed; it is stored and will be processed when sent again.', 'processing_failed');
  }
}

/** OCS sends no VERSIONCLIENT: the agent name and version then come from its User-Agent. */
function withAgentNames(d: CanonicalDevice, agent: AgentState): CanonicalDevice {
  if (!d.source.agentName) {
    d.source.agentName = agent.name;
    d.source.agentVersion = d.source.agentVersion ?? agent.version;
  }
  return d;
}

function identityColumns(d: CanonicalDevice) {
  return {
    system_serial: d.identity.systemSerial, manufacturer: d.hardware.manufacturer, model: d.hardware.model, uuid: d.identity.uuid,
    hostname: d.identity.hostname, primary_mac: d.identity.primaryMac, os_name: d.os.fullName ?? d.os.name,
    is_virtual: toDbBool(d.virtualization.isVirtual), storage_count: d.storage.length, software_count: d.software.length,
  };
}

/**
 * Processes the payloads an agent sent while it awaited approval, oldest first (called after an
 * administrator approves it). Returns how many became (part of) the device.
 */
export async function processQueued(ctx: Ctx, orgId: string, agentId: string, log: FastifyBaseLogger): Promise<number> {
  const agentRow = await repo.findAgent(ctx.db, orgId, agentId);
  const settings = await settingsOf(ctx.db, orgId);
  if (!agentRow || agentRow.status !== 'approved' || !settings) return 0;
  const agent: AgentState = { id: agentRow.id, status: agentRow.status, deviceId: agentRow.device_id, name: agentRow.name, version: agentRow.version };
  let done = 0;
  for (const { id } of await repo.receivedPayloads(ctx.db, orgId, agentId)) {
    const stored = await repo.payloadBody(ctx.db, orgId, id);
    if (!stored) continue;
    const text = decodeText(await gunzipAsync(stored.body));
    try {
      const msg = await parseMessage(text, stored.format === 'json' ? 'json' : 'xml');
      await processPayload(ctx, settings, agent, id, msg, log);
      done++;
    } catch (err) {
      if (err instanceof NormalizeError) {
        await repo.updatePayload(ctx.db, orgId, id, { status: 'failed', error: err.message.slice(0, 1000), processed_at: nowIso() });
      } else if (!(err instanceof ProtocolError)) {
        throw err;
      }
    }
  }
  return done;
}

/** The decompressed payload as the agent sent it. */
export async function payloadContent(db: Executor, orgId: string, id: string): Promise<{ format: string; body: Buffer; sha256: string; receivedAt: string } | null> {
  const p = await repo.payloadBody(db, orgId, id);
  if (!p) return null;
  return { format: p.format, body: await gunzipAsync(p.body), sha256: p.sha256, receivedAt: p.received_at };
}

// ---------- reconciliation and change tracking ----------

interface DeviceState { id: string; asset_id: string | null; match_status: string; unchanged?: boolean }

/** Cap on the software names listed in one change event (the counts are always complete). */
const SOFTWARE_EVENT_LIST = 200;

/**
 * Links the device to its asset (matching, creating, or sending it to review), writes what it says
 * on the asset, and records what changed since the previous inventory on the asset's timeline (on
 * the device's own, while it has no asset).
 */
async function reconcileDevice(trx: Executor, a: ApplyInput, row: DeviceState): Promise<void> {
  const orgId = a.ctx.actor.orgId!;
  let assetId = row.asset_id && (await repo.assetState(trx, orgId, row.asset_id))?.deleted_at === null ? row.asset_id : null;
  const newlyLinked = !assetId;
  if (!assetId && row.match_status !== 'ignored') assetId = await linkDevice(trx, a, row);
  if (assetId) await applyToAsset(trx, assetId, a);

  const entity = assetId ? { entityType: 'asset', entityId: assetId } : { entityType: 'discovered_device', entityId: a.deviceRowId };
  if (a.previous && !newlyLinked) {
    const tracksMedia = !!assetId && !a.device.virtualization.isVirtual;
    for (const c of compareDevices(a.previous, a.device, { includeStorage: !tracksMedia })) {
      await events.record(trx, a.ctx, { ...entity, action: c.action, changes: c.changes, meta: c.meta });
    }
  }
  const sw = await software.syncInstallations(trx, orgId, a.deviceRowId, a.device.software, a.now, !a.previous);
  if (sw.length) {
    const names = (kind: string) => sw.filter((c) => c.kind === kind).slice(0, SOFTWARE_EVENT_LIST)
      .map((c) => (c.kind === 'updated' ? `${c.product} ${c.previousVersion ?? '?'} → ${c.version ?? '?'}` : `${c.product}${c.version ? ` ${c.version}` : ''}`));
    const count = (kind: string) => sw.filter((c) => c.kind === kind).length;
    await events.record(trx, a.ctx, {
      ...entity, action: 'discovery.software_changed',
      changes: { installed: { before: null, after: names('installed') }, removed: { before: names('removed'), after: null }, updated: { before: null, after: names('updated') } },
      meta: { installedCount: count('installed'), removedCount: count('removed'), updatedCount: count('updated') },
    });
  } else if (!a.previous && a.device.software.length) {
    await events.record(trx, a.ctx, { ...entity, action: 'discovery.software_inventoried', changes: {}, meta: { packages: a.device.software.length } });
  }
}

/** Finds (or creates) the device's asset; an ambiguous or (with creation off) unmatched device goes to review. */
async function linkDevice(trx: Executor, a: ApplyInput, row: DeviceState): Promise<string | null> {
  const orgId = a.ctx.actor.orgId!;
  const match = await findMatch(trx, orgId, a.device, a.settings);
  if (match.kind === 'match') {
    await setLink(trx, a.ctx, a, match.assetId, 'matched', match.rule);
    return match.assetId;
  }
  if (match.kind === 'none' && a.settings.autoCreate) {
    const assetId = await createAssetFor(trx, a);
    await setLink(trx, a.ctx, a, assetId, 'created', 'created');
    return assetId;
  }
  const reason = match.kind === 'ambiguous'
    ? `${match.candidates.length} assets match by ${match.rule}`
    : 'no asset matches and creating assets from discovery is off';
  const candidates = match.kind === 'ambiguous' ? JSON.stringify(match.candidates) : null;
  if (row.match_status !== 'review') {
    await events.record(trx, a.ctx, {
      action: 'discovery.review_needed', entityType: 'discovered_device', entityId: a.deviceRowId, changes: { matchStatus: { before: row.match_status, after: 'review' } },
      meta: { reason, candidates: match.kind === 'ambiguous' ? match.candidates : [] },
    });
  }
  await repo.updateDevice(trx, orgId, a.deviceRowId, { match_status: 'review', match_rule: match.kind === 'ambiguous' ? match.rule : null, review_reason: reason, review_candidates: candidates });
  return null;
}

