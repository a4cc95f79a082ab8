import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams } from '../../lib/schemas.js';
import { Asset } from './assets.schemas.js';
import * as assets from './assets.service.js';

const tags = ['assets'];

export const assetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/assets/:id', { config: { access: 'asset.read' }, schema: { operationId: 'getAsset', tags, params: IdParams, response: { 200: Asset } } },
    (req) => assets.get(req.ctx, req.params.id));
};
