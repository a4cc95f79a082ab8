import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
import * as events from './events.service.js';

const tags = ['events'];
const Change = Type.Object({ before: Type.Unknown(), after: Type.Unknown() });
const Event = Type.Object({
  id: Uuid, seq: Type.Integer(), occurredAt: Timestamp,
  actor: Type.Object({ type: Type.String(), id: Nullable(Type.String()), label: Type.String() }),
  action: Type.String(), entityType: Type.String(), entityId: Type.String(),
  changes: Type.Record(Type.String(), Change), meta: Type.Record(Type.String(), Type.Unknown()),
  requestId: Nullable(Type.String()), hash: Type.String(),
});

export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/events', {
    config: { access: 'event.read' },
    schema: {
      operationId: 'listEvents', tags, summary: 'The organization\'s event log, newest first (keyset paginated)',
      querystring: Type.Object({
        entityType: Type.Optional(Type.String({ maxLength: 64 })),
        entityId: Type.Optional(Type.String({ maxLength: 64 })),
        action: Type.Optional(Type.String({ maxLength: 64, description: 'exact, or a prefix ending in .* (e.g. member.*)' })),
        actorId: Type.Optional(Type.String({ maxLength: 64 })),
        from: Type.Optional(Timestamp),
        to: Type.Optional(Timestamp),
        cursor: Type.Optional(Type.String({ pattern: '^\\d+$' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(Event), nextCursor: Nullable(Type.String()) }) },
    },
  }, (req) => events.list(req.ctx, req.query));
  app.get('/events/verify', {
    config: { access: 'event.read' },
    schema: {
      operationId: 'verifyEvents', tags, summary: 'Re-verify the organization\'s hash chain from the first event',
      response: { 200: Type.Object({ chainId: Type.String(), events: Type.Integer(), ok: Type.Boolean(), firstBroken: Type.Optional(Type.Object({ seq: Type.Integer(), eventId: Nullable(Type.String()), reason: Type.String() })) }) },
    },
  }, (req) => events.verifyOrganization(req.ctx));
};
