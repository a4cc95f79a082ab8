import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams, Ok } from '../../lib/schemas.js';
import {
  AssetListQuery, AssetPage, CF_DESCRIPTION, AssetTimelineQuery, BulkEditBody, BulkEditResult, CreateViewBody, ExportQuery, QuickSearchQuery,
  QuickSearchResult, TimelinePage, TimelineQuery, UpdateViewBody, UserIdParams, View, ViewListQuery,
} from './search.schemas.js';
import * as search from './search.service.js';
import * as views from './views.service.js';
import { bulkEdit } from './bulk.service.js';

const tags = ['assets'];
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const searchRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/assets', { config: { access: 'asset.read' }, schema: { operationId: 'listAssets', tags, summary: 'The asset register: filters, full text, any sort, keyset paginated', description: CF_DESCRIPTION, querystring: AssetListQuery, response: { 200: AssetPage } } },
    (req) => search.list(req.ctx, req.query));
  app.get('/assets/export.csv', {
    config: { access: 'asset.read' },
    schema: {
      operationId: 'exportAssets', tags, summary: 'The list as CSV (same query as listAssets, plus columns), streamed', description: CF_DESCRIPTION, querystring: ExportQuery,
      response: { 200: { description: 'CSV (UTF-8 with BOM, CRLF); cells a spreadsheet would evaluate are prefixed with \'', content: { 'text/csv': { schema: Type.String() } } } },
    },
  }, async (req, reply) => {
    const out = await search.exportCsv(req.ctx, req.query);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${out.fileName}"`).header('cache-control', 'no-store')
      // The declared 200 schema is the CSV text; Fastify streams a Readable as the body unserialized.
      .send(out.stream as unknown as string);
  });
  app.get('/assets/export.xlsx', {
    config: { access: 'asset.read' },
    schema: {
      operationId: 'exportAssetsXlsx', tags, summary: 'The list as an XLSX workbook (same query as exportAssets), streamed', description: CF_DESCRIPTION, querystring: ExportQuery,
      response: { 200: { description: 'XLSX workbook, one sheet: bold frozen header row, numbers and dates as real cells; text a spreadsheet would evaluate is prefixed with \'', content: { [XLSX_TYPE]: { schema: Type.String({ format: 'binary' }) } } } },
    },
  }, async (req, reply) => {
    const out = await search.exportXlsx(req.ctx, req.query);
    return reply.type(XLSX_TYPE).header('content-disposition', `attachment; filename="${out.fileName}"`).header('cache-control', 'no-store')
      // As for the CSV: a Readable body is streamed unserialized.
      .send(out.stream as unknown as string);
  });
  app.patch('/assets/bulk', { config: { access: 'asset.write' }, schema: { operationId: 'bulkEditAssets', tags, summary: 'Change several assets at once: all or nothing', body: BulkEditBody, response: { 200: BulkEditResult } } },
    (req) => bulkEdit(req.ctx, req.body));
  app.get('/assets/:id/timeline', { config: { access: 'asset.read' }, schema: { operationId: 'assetTimeline', tags, summary: 'The asset\'s events, newest first (keyset paginated)', params: IdParams, querystring: AssetTimelineQuery, response: { 200: TimelinePage } } },
    (req) => search.assetTimeline(req.ctx, req.params.id, req.query));
  app.get('/members/:userId/timeline', { config: { access: 'member.read' }, schema: { operationId: 'memberTimeline', tags: ['members'], summary: 'Events on this member in the organization, newest first (keyset paginated)', params: UserIdParams, querystring: TimelineQuery, response: { 200: TimelinePage } } },
    (req) => search.memberTimeline(req.ctx, req.params.userId, req.query));
  app.get('/search', { config: { access: 'asset.read' }, schema: { operationId: 'quickSearch', tags: ['search'], summary: 'Global quick search: assets, people and locations, 10 each', querystring: QuickSearchQuery, response: { 200: QuickSearchResult } } },
    (req) => search.quickSearch(req.ctx, req.query));

  const viewTags = ['views'];
  app.get('/views', { config: { access: 'asset.read' }, schema: { operationId: 'listViews', tags: viewTags, summary: 'My saved views and the shared ones', querystring: ViewListQuery, response: { 200: Type.Array(View) } } },
    (req) => views.list(req.ctx, req.query));
  app.post('/views', { config: { access: 'asset.read' }, schema: { operationId: 'createView', tags: viewTags, body: CreateViewBody, response: { 201: View } } },
    async (req, reply) => reply.code(201).send(await views.create(req.ctx, req.body)));
  app.patch('/views/:id', { config: { access: 'asset.read' }, schema: { operationId: 'updateView', tags: viewTags, summary: 'Change a view (owner only)', params: IdParams, body: UpdateViewBody, response: { 200: View } } },
    (req) => views.update(req.ctx, req.params.id, req.body));
  app.delete('/views/:id', { config: { access: 'asset.read' }, schema: { operationId: 'deleteView', tags: viewTags, summary: 'Delete a view (owner only)', params: IdParams, response: { 200: Ok } } },
    async (req) => { await views.remove(req.ctx, req.params.id); return { ok: true as const }; });
};
