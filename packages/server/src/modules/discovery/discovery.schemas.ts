import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
import { CanonicalDevice } from './discovery.canonical.js';
import { CREATE_STATES, MATCH_RULES } from './discovery.reconcile.js';

export const Policy = Type.Union([Type.Literal('accept'), Type.Literal('queue'), Type.Literal('refuse')], {
  description: 'What happens to an agent seen for the first time: accept it, queue it for approval (its inventories are stored but not processed), or refuse it',
});

export const MatchRule = Type.Union(MATCH_RULES.map((r) => Type.Literal(r)), { description: 'serial (system serial + manufacturer) | uuid (SMBIOS UUID) | mac | hostname' });

export const Reconciliation = Type.Object({
  matchRules: Type.Array(MatchRule, { description: 'Tried in this order; the first rule that finds assets decides', maxItems: 4 }),
  autoCreate: Type.Boolean({ description: 'An unmatched device creates an asset; false: it waits in the review queue' }),
  createState: Type.Union(CREATE_STATES.map((s) => Type.Literal(s)), { description: 'Lifecycle state of assets created from discovery' }),
  staleDays: Type.Integer({ minimum: 1, maximum: 3650, description: 'An asset not seen by any agent for this many days is stale' }),
  ignoredSerials: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 200, description: 'Serials to treat as placeholders, besides the built-in list' }),
  ignoreVirtualSerials: Type.Boolean({ description: 'Virtual machines are never matched by serial' }),
  linkPeripherals: Type.Boolean({ description: 'Monitors and printers with serials become assets linked to the computer' }),
});

export const Settings = Type.Object({
  unknownAgentPolicy: Policy,
  requireEnrollment: Type.Boolean({ description: 'Agents must authenticate with an enrolment secret (HTTP Basic password)' }),
  inventoryPath: Type.String({ description: 'Agents post to /inventory/<inventoryPath>' }),
  customPath: Type.Boolean({ description: 'false: the path is the organization slug' }),
  inventoryUrl: Type.String({ description: 'The URL to give agents as --server' }),
  defaultPathUrls: Type.Array(Type.String(), { description: 'The agents\' default paths, with ?org= naming this organization' }),
  contactIntervalHours: Type.Integer({ description: 'PROLOG_FREQ / expiration sent to agents' }),
  updatedAt: Nullable(Timestamp),
  reconciliation: Reconciliation,
});

export const SettingsPatch = Type.Object({
  unknownAgentPolicy: Type.Optional(Policy),
  requireEnrollment: Type.Optional(Type.Boolean()),
  inventoryPath: Type.Optional(Nullable(Type.String({ maxLength: 100, description: 'null: back to the organization slug' }))),
  contactIntervalHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
  reconciliation: Type.Optional(Type.Partial(Reconciliation, { additionalProperties: false })),
}, { additionalProperties: false });

export const Enrollment = Type.Object({
  id: Uuid, name: Type.String(), prefix: Type.String({ description: 'First characters of the secret' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked')]), createdBy: Nullable(Type.String()), createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp), revokedAt: Nullable(Timestamp), agentCount: Type.Integer(),
});

export const AgentStatus = Type.Union([Type.Literal('approved'), Type.Literal('pending'), Type.Literal('refused')]);

export const Agent = Type.Object({
  id: Uuid,
  deviceId: Type.String({ description: 'The agent\'s DEVICEID' }),
  agentUuid: Nullable(Type.String({ description: 'GLPI Agent\'s GLPI-Agent-ID' })),
  name: Nullable(Type.String()), version: Nullable(Type.String()), userAgent: Nullable(Type.String()),
  status: AgentStatus,
  enrollment: Nullable(Type.Object({ id: Uuid, name: Type.String() })),
  firstContactAt: Timestamp, lastContactAt: Timestamp, lastIp: Nullable(Type.String()),
  lastError: Nullable(Type.String()), lastErrorAt: Nullable(Timestamp),
  decidedBy: Nullable(Type.String()), decidedAt: Nullable(Timestamp),
  discoveredDeviceId: Nullable(Uuid),
});

export const PayloadStatus = Type.Union([Type.Literal('received'), Type.Literal('processed'), Type.Literal('failed')]);

export const Payload = Type.Object({
  id: Uuid, agentId: Nullable(Uuid), enrollmentId: Nullable(Uuid), receivedAt: Timestamp,
  format: Type.Union([Type.Literal('xml'), Type.Literal('json')]),
  compression: Type.Union([Type.Literal('zlib'), Type.Literal('gzip'), Type.Literal('none')]),
  partial: Type.Boolean(), sha256: Type.String(), sizeBytes: Type.Integer({ description: 'decompressed' }),
  wireBytes: Type.Integer({ description: 'as sent' }), status: PayloadStatus, error: Nullable(Type.String()),
  processedAt: Nullable(Timestamp), discoveredDeviceId: Nullable(Uuid),
});

export const MatchStatus = Type.Union((['pending', 'matched', 'created', 'review', 'ignored'] as const).map((x) => Type.Literal(x)), {
  description: 'pending: not reconciled yet; matched/created: linked to an asset; review: waits for a person; ignored: never becomes an asset',
});

const deviceSummaryFields = {
  id: Uuid, agentId: Uuid, hostname: Nullable(Type.String()), systemSerial: Nullable(Type.String()),
  manufacturer: Nullable(Type.String()), model: Nullable(Type.String()), uuid: Nullable(Type.String()),
  primaryMac: Nullable(Type.String()), osName: Nullable(Type.String()), isVirtual: Type.Boolean(),
  storageCount: Type.Integer(), softwareCount: Type.Integer(), assetId: Nullable(Uuid), lastPayloadId: Nullable(Uuid),
  firstSeenAt: Timestamp, lastSeenAt: Timestamp, updatedAt: Timestamp,
  matchStatus: MatchStatus,
  matchRule: Nullable(Type.String({ description: 'serial | uuid | mac | hostname | manual | created' })),
  reviewReason: Nullable(Type.String()),
  reviewCandidates: Type.Array(Uuid, { description: 'Asset ids an ambiguous match found' }),
  linkedAt: Nullable(Timestamp),
};

export const DeviceSummary = Type.Object(deviceSummaryFields);
export const Device = Type.Object({ ...deviceSummaryFields, agent: Agent, record: CanonicalDevice });

export const Cursor = Type.Optional(Type.String({ format: 'uuid', description: 'nextCursor of the previous page' }));
export const Limit = (def: number) => Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: def }));

export const pageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

const AssetRef = Type.Object({ id: Uuid, assetTag: Type.String(), name: Nullable(Type.String()), serial: Nullable(Type.String()), model: Type.String(), lifecycleState: Type.String() });

export const ReviewItem = Type.Object({ device: DeviceSummary, candidates: Type.Array(AssetRef) });

export const StaleAsset = Type.Object({
  assetId: Uuid, assetTag: Type.String(), name: Nullable(Type.String()), model: Type.String(), lifecycleState: Type.String(),
  hostname: Nullable(Type.String()), lastSeenAt: Timestamp, daysSinceSeen: Type.Integer(),
});

export const StaleReport = Type.Object({
  days: Type.Integer(), cutoff: Timestamp, assets: Type.Array(StaleAsset), unlinkedDevices: Type.Array(DeviceSummary),
});

export const AssetDiscovery = Type.Object({
  lastSeenAt: Nullable(Timestamp),
  stale: Type.Boolean(),
  devices: Type.Array(DeviceSummary),
  current: Nullable(Device),
  identifiers: Type.Array(Type.Object({ kind: Type.String(), value: Type.String(), source: Type.String(), deviceId: Nullable(Uuid) })),
});
