import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams } from '../../lib/schemas.js';
import { AcceptBody, Acceptance, Assignment, DeclineBody } from './custody.schemas.js';
import * as custody from './custody.service.js';

const tags = ['self-service'];

/** Self-service for the people who hold assets: their items and their acceptances. */
export const selfServiceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/me/items', {
    config: { access: 'selfservice.use' },
    schema: {
      operationId: 'myItems', tags, summary: 'What I hold now and the check-outs I still have to accept',
      response: { 200: Type.Object({ items: Type.Array(Assignment), pendingAcceptances: Type.Array(Acceptance) }) },
    },
  }, (req) => custody.myItems(req.ctx));
  app.post('/me/acceptances/:id/accept', {
    config: { access: 'selfservice.use' },
    schema: { operationId: 'acceptCheckout', tags, summary: 'Accept a check-out with a typed signature (once)', params: IdParams, body: AcceptBody, response: { 200: Acceptance } },
  }, (req) => custody.accept(req.ctx, req.params.id, req.body));
  app.post('/me/acceptances/:id/decline', {
    config: { access: 'selfservice.use' },
    schema: { operationId: 'declineCheckout', tags, summary: 'Decline a check-out (once)', params: IdParams, body: DeclineBody, response: { 200: Acceptance } },
  }, (req) => custody.decline(req.ctx, req.params.id, req.body));
};
