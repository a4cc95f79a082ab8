import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams } from '../../lib/schemas.js';
import { Asset, AssetListQuery, AssetPage } from './assets.schemas.js';
import * as assets from './assets.service.js';

const tags = ['assets'];

export const assetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/assets', { config: { access: 'asset.read' }, schema: { operationId: 'listAssets', tags, summary: 'The asset register, keyset paginated', querystring: AssetListQuery, response: { 200: AssetPage } } },
    (req) => assets.list(req.ctx, req.query));
  app.get('/assets/:id', { config: { access: 'asset.read' }, schema: { operationId: 'getAsset', tags, params: IdParams, response: { 200: Asset } } },
    (req) => assets.get(req.ctx, req.params.id));
};
