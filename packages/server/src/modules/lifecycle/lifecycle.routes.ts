import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams } from '../../lib/schemas.js';
import { LIFECYCLE_STATES } from './lifecycle.machine.js';
import * as lifecycle from './lifecycle.service.js';

const tags = ['lifecycle'];
const State = Type.Union(LIFECYCLE_STATES.map((s) => Type.Literal(s)));
const TransitionInfo = Type.Object({ to: State, action: Type.String(), label: Type.String(), requiresReason: Type.Boolean() });

export const lifecycleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/assets/:id/transitions', { config: { access: 'asset.read' }, schema: { operationId: 'listAssetTransitions', tags, summary: 'Lifecycle moves available to this asset now', params: IdParams, response: { 200: Type.Object({ state: State, transitions: Type.Array(TransitionInfo) }) } } },
    (req) => lifecycle.available(req.ctx, req.params.id));
  app.post('/assets/:id/transition', {
    config: { access: 'asset.write' },
    schema: {
      operationId: 'transitionAsset', tags, summary: 'Move an asset to another lifecycle state (409 lists the allowed ones)', params: IdParams,
      body: Type.Object({ to: Type.String({ maxLength: 40 }), reason: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])) }, { additionalProperties: false }),
      response: { 200: Type.Object({ from: State, to: State, action: Type.String() }) },
    },
  }, (req) => lifecycle.transition(req.ctx, req.params.id, req.body));
};
