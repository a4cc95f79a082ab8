import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
import { CanonicalDevice } from './discovery.canonical.js';

export const Policy = Type.Union([Type.Literal('accept'), Type.Literal('queue'), Type.Literal('refuse')], {
  description: 'What happens to an agent seen for the first time: accept it, queue it for approval (its inventories are stored but not processed), or refuse it',
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
});

export const SettingsPatch = Type.Object({
  unknownAgentPolicy: Type.Optional(Policy),
  requireEnrollment: Type.Optional(Type.Boolean()),
  inventoryPath: Type.Optional(Nullable(Type.String({ maxLength: 100, description: 'null: back to the organization slug' }))),
  contactIntervalHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
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

const deviceSummaryFields = {
  id: Uuid, agentId: Uuid, hostname: Nullable(Type.String()), systemSerial: Nullable(Type.String()),
  manufacturer: Nullable(Type.String()), model: Nullable(Type.String()), uuid: Nullable(Type.String()),
  primaryMac: Nullable(Type.String()), osName: Nullable(Type.String()), isVirtual: Type.Boolean(),
  storageCount: Type.Integer(), softwareCount: Type.Integer(), assetId: Nullable(Uuid), lastPayloadId: Nullable(Uuid),
  firstSeenAt: Timestamp, lastSeenAt: Timestamp, updatedAt: Timestamp,
};

export const DeviceSummary = Type.Object(deviceSummaryFields);
export const Device = Type.Object({ ...deviceSummaryFields, agent: Agent, record: CanonicalDevice });

export const Cursor = Type.Optional(Type.String({ format: 'uuid', description: 'nextCursor of the previous page' }));
export const Limit = (def: number) => Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: def }));

export const pageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });
