import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AssetListQuery, AssetPage } from './search.schemas.js';
import * as search from './search.service.js';

const tags = ['assets'];

export const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/assets', { config: { access: 'asset.read' }, schema: { operationId: 'listAssets', tags, summary: 'The asset register, keyset paginated', querystring: AssetListQuery, response: { 200: AssetPage } } },
    (req) => search.list(req.ctx, req.query));
};
