import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Config } from '../../config.js';
import { Type } from '@sinclair/typebox';
import { IdParams, Uuid } from '../../lib/schemas.js';
import * as discovery from './discovery.service.js';
import { agentProtocolRoutes } from './discovery.agent-routes.js';
import {
  Agent, AgentStatus, AssetDiscovery, Cursor, Device, DeviceSummary, Enrollment, Limit, MatchStatus, pageOf, Payload, PayloadStatus, ReviewItem,
  Settings, SettingsPatch, StaleReport,
} from './discovery.schemas.js';
import * as review from './discovery.review.js';

const tags = ['discovery'];
const RawMessage = {
  description: 'The agent message as sent, decompressed',
  content: { 'application/xml': { schema: Type.String() }, 'application/json': { schema: Type.String() } },
};

/** Sends a stored agent message inert: as an attachment, not sniffable, sandboxed. */
function sendRawMessage(reply: FastifyReply, p: { contentType: string; fileName: string; body: Buffer; sha256: string }): FastifyReply {
  return reply.header('content-type', `${p.contentType}; charset=utf-8`).header('content-disposition', `attachment; filename="${p.fileName}"`)
    .header('x-content-type-options', 'nosniff').header('content-security-policy', 'sandbox').header('cache-control', 'private, no-cache')
    .header('etag', `"${p.sha256}"`).send(p.body);
}

/** The administration API (under /api/v1). */
export const discoveryAdminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/discovery/settings', { config: { access: 'discovery.read' }, schema: { operationId: 'getDiscoverySettings', tags, summary: 'How agents reach this organization and which agents are let in', response: { 200: Settings } } },
    (req) => discovery.getSettings(req.ctx));
  app.patch('/discovery/settings', { config: { access: 'discovery.manage' }, schema: { operationId: 'updateDiscoverySettings', tags, body: SettingsPatch, response: { 200: Settings } } },
    (req) => discovery.updateSettings(req.ctx, req.body));

  app.get('/discovery/enrollments', { config: { access: 'discovery.read' }, schema: { operationId: 'listAgentEnrollments', tags, summary: 'Enrolment secrets (never the secret itself)', response: { 200: Type.Array(Enrollment) } } },
    (req) => discovery.listEnrollments(req.ctx));
  app.post('/discovery/enrollments', {
    config: { access: 'discovery.manage' },
    schema: {
      operationId: 'createAgentEnrollment', tags, summary: 'Create an enrolment secret; it is returned once',
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
      response: { 201: Type.Object({ enrollment: Enrollment, secret: Type.String({ description: 'Shown once; agents send it as the HTTP Basic password' }) }) },
    },
  }, async (req, reply) => reply.code(201).send(await discovery.createEnrollment(req.ctx, req.body)));
  app.delete('/discovery/enrollments/:id', { config: { access: 'discovery.manage' }, schema: { operationId: 'revokeAgentEnrollment', tags, summary: 'Revoke an enrolment secret (agents using it are refused at once)', params: IdParams, response: { 200: Enrollment } } },
    (req) => discovery.revokeEnrollment(req.ctx, req.params.id));

  app.get('/discovery/agents', {
    config: { access: 'discovery.read' },
    schema: {
      operationId: 'listAgents', tags, summary: 'Agents that contacted this organization, newest first',
      querystring: Type.Object({ status: Type.Optional(AgentStatus), cursor: Cursor, limit: Limit(100) }, { additionalProperties: false }),
      response: { 200: pageOf(Agent) },
    },
  }, (req) => discovery.listAgents(req.ctx, req.query));
  app.get('/discovery/agents/:id', { config: { access: 'discovery.read' }, schema: { operationId: 'getAgent', tags, params: IdParams, response: { 200: Agent } } },
    (req) => discovery.getAgent(req.ctx, req.params.id));
  app.post('/discovery/agents/:id/approve', {
    config: { access: 'discovery.manage' },
    schema: { operationId: 'approveAgent', tags, summary: 'Approve an agent; inventories it sent while pending are processed now', params: IdParams, response: { 200: Type.Object({ agent: Agent, processedPayloads: Type.Integer() }) } },
  }, (req) => discovery.approveAgent(req.ctx, req.params.id, req.log));
  app.post('/discovery/agents/:id/refuse', { config: { access: 'discovery.manage' }, schema: { operationId: 'refuseAgent', tags, summary: 'Refuse an agent: its requests get the protocol error reply', params: IdParams, response: { 200: Agent } } },
    (req) => discovery.refuseAgent(req.ctx, req.params.id));

  app.get('/discovery/payloads', {
    config: { access: 'discovery.read' },
    schema: {
      operationId: 'listInventoryPayloads', tags, summary: 'Inventory messages received (raw, kept compressed), newest first',
      querystring: Type.Object({ agentId: Type.Optional(Uuid), status: Type.Optional(PayloadStatus), cursor: Cursor, limit: Limit(50) }, { additionalProperties: false }),
      response: { 200: pageOf(Payload) },
    },
  }, (req) => discovery.listPayloads(req.ctx, req.query));
  app.get('/discovery/payloads/:id/content', {
    config: { access: 'discovery.manage' },
    schema: { operationId: 'downloadInventoryPayload', tags, summary: 'The message as the agent sent it, decompressed (XML or JSON)', params: IdParams, response: { 200: RawMessage } },
  }, async (req, reply) => sendRawMessage(reply, await discovery.payloadContent(req.ctx, req.params.id)));

  app.get('/discovery/devices', {
    config: { access: 'discovery.read' },
    schema: {
      operationId: 'listDiscoveredDevices', tags, summary: 'Discovered devices, newest first',
      querystring: Type.Object({
        q: Type.Optional(Type.String({ maxLength: 200, description: 'hostname, serial, model or MAC contains' })),
        agentId: Type.Optional(Uuid),
        linked: Type.Optional(Type.Boolean({ description: 'true: matched to an asset; false: not yet' })),
        matchStatus: Type.Optional(MatchStatus),
        cursor: Cursor, limit: Limit(50),
      }, { additionalProperties: false }),
      response: { 200: pageOf(DeviceSummary) },
    },
  }, (req) => discovery.listDevices(req.ctx, req.query));
  app.get('/discovery/devices/:id', { config: { access: 'discovery.read' }, schema: { operationId: 'getDiscoveredDevice', tags, summary: 'A discovered device with its canonical record', params: IdParams, response: { 200: Device } } },
    (req) => discovery.getDevice(req.ctx, req.params.id));

  app.get('/discovery/review', {
    config: { access: 'discovery.read' },
    schema: { operationId: 'listDiscoveryReview', tags, summary: 'Devices waiting for a person: ambiguous matches, or unmatched while asset creation is off', querystring: Type.Object({ cursor: Cursor, limit: Limit(50) }, { additionalProperties: false }), response: { 200: pageOf(ReviewItem) } },
  }, (req) => review.reviewQueue(req.ctx, req.query));
  app.post('/discovery/devices/:id/link', {
    config: { access: 'discovery.manage' },
    schema: { operationId: 'linkDiscoveredDevice', tags, summary: 'Merge: this device is that asset (discovered data is applied to it)', params: IdParams, body: Type.Object({ assetId: Uuid }, { additionalProperties: false }), response: { 200: Device } },
  }, (req) => review.linkToAsset(req.ctx, req.params.id, req.body.assetId));
  app.post('/discovery/devices/:id/create-asset', {
    config: { access: 'discovery.manage' },
    schema: { operationId: 'createAssetFromDevice', tags, summary: 'Split: give the device an asset of its own', params: IdParams, response: { 200: Device } },
  }, (req) => review.createAsset(req.ctx, req.params.id));
  app.post('/discovery/devices/:id/ignore', {
    config: { access: 'discovery.manage' },
    schema: { operationId: 'ignoreDiscoveredDevice', tags, summary: 'Never make this device an asset', params: IdParams, response: { 200: Device } },
  }, (req) => review.ignore(req.ctx, req.params.id));
  app.post('/discovery/devices/:id/unlink', {
    config: { access: 'discovery.manage' },
    schema: { operationId: 'unlinkDiscoveredDevice', tags, summary: 'Undo a wrong match (or an ignore): the device goes back to review', params: IdParams, response: { 200: Device } },
  }, (req) => review.unlink(req.ctx, req.params.id));
  app.get('/discovery/stale', {
    config: { access: 'discovery.read' },
    schema: {
      operationId: 'listStaleAssets', tags, summary: 'Assets no agent has reported for N days (default: the organization setting), oldest first',
      querystring: Type.Object({
        days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })), limit: Limit(100), offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
      }, { additionalProperties: false }),
      response: { 200: StaleReport },
    },
  }, (req) => review.staleReport(req.ctx, req.query));
  app.get('/assets/:id/discovery', {
    config: { access: 'asset.read' },
    schema: { operationId: 'getAssetDiscovery', tags: ['assets', ...tags], summary: 'What agents report about the asset: last seen, devices, the current record (with discovery.read), identifiers', params: IdParams, response: { 200: AssetDiscovery } },
  }, (req) => review.assetDiscovery(req.ctx, req.params.id));
};

/** Registered once in app.ts: the admin API under the API prefix and the agent protocol endpoints at the root. */
export const discoveryModule: FastifyPluginAsync<{ apiPrefix: string; config: Config }> = async (app, opts) => {
  await app.register(discoveryAdminRoutes, { prefix: opts.apiPrefix });
  await app.register(agentProtocolRoutes, { config: opts.config });
};
