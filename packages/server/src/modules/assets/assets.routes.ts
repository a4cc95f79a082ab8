import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import multipart from '@fastify/multipart';
import { IdParams, Ok, Uuid } from '../../lib/schemas.js';
import { sendStored } from '../../lib/uploads.js';
import {
  Asset, AssetDetail, Attachment, CreateAssetBody, CreateMediumBody, IncludeDeletedQuery, Medium, ModelImage, UpdateAssetBody, UpdateMediumBody,
} from './assets.schemas.js';
import * as assets from './assets.service.js';

const tags = ['assets'];
const MediumParams = Type.Object({ id: Uuid, mediumId: Uuid });
/** Downloads are the stored bytes (their type is in Content-Type), not JSON. */
const FileResponse = {
  description: 'The stored file; Content-Type is the sniffed type, Content-Disposition names the file',
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
};
const UPLOAD = 'multipart/form-data: the file in the field `file`';

export const assetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Multipart is accepted only by the upload routes of this plugin; the size limit is passed per
  // request from the configuration (MAX_UPLOAD_BYTES).
  await app.register(multipart, { limits: { files: 1 } });

  app.post('/assets', { config: { access: 'asset.write' }, schema: { operationId: 'createAsset', tags, summary: 'Create an asset (the tag is generated when absent)', body: CreateAssetBody, response: { 201: AssetDetail } } },
    async (req, reply) => reply.code(201).send(await assets.create(req.ctx, req.body)));
  app.get('/assets/:id', { config: { access: 'asset.read' }, schema: { operationId: 'getAsset', tags, summary: 'Full detail of an asset', params: IdParams, querystring: IncludeDeletedQuery, response: { 200: AssetDetail } } },
    (req) => assets.get(req.ctx, req.params.id, req.query));
  app.patch('/assets/:id', { config: { access: 'asset.write' }, schema: { operationId: 'updateAsset', tags, summary: 'Change some fields of an asset (the lifecycle state changes through /transition)', params: IdParams, body: UpdateAssetBody, response: { 200: AssetDetail } } },
    (req) => assets.update(req.ctx, req.params.id, req.body));
  app.delete('/assets/:id', { config: { access: 'asset.delete' }, schema: { operationId: 'deleteAsset', tags, summary: 'Delete an asset created in error (soft; refused while checked out or with children)', params: IdParams, response: { 200: Ok } } },
    async (req) => { await assets.remove(req.ctx, req.params.id); return { ok: true as const }; });
  app.post('/assets/:id/restore', { config: { access: 'asset.delete' }, schema: { operationId: 'restoreAsset', tags, summary: 'Bring back a deleted asset', params: IdParams, response: { 200: AssetDetail } } },
    (req) => assets.restore(req.ctx, req.params.id));
  app.get('/assets/:id/children', { config: { access: 'asset.read' }, schema: { operationId: 'listAssetChildren', tags, summary: 'Assets whose parent is this asset', params: IdParams, querystring: IncludeDeletedQuery, response: { 200: Type.Array(Asset) } } },
    (req) => assets.children(req.ctx, req.params.id, req.query));

  app.get('/assets/:id/media', { config: { access: 'asset.read' }, schema: { operationId: 'listAssetMedia', tags, summary: 'Storage media inside the asset', params: IdParams, response: { 200: Type.Array(Medium) } } },
    (req) => assets.listMedia(req.ctx, req.params.id));
  app.post('/assets/:id/media', { config: { access: 'asset.write' }, schema: { operationId: 'addAssetMedium', tags, params: IdParams, body: CreateMediumBody, response: { 201: Medium } } },
    async (req, reply) => reply.code(201).send(await assets.addMedium(req.ctx, req.params.id, req.body)));
  app.patch('/assets/:id/media/:mediumId', { config: { access: 'asset.write' }, schema: { operationId: 'updateAssetMedium', tags, params: MediumParams, body: UpdateMediumBody, response: { 200: Medium } } },
    (req) => assets.updateMedium(req.ctx, req.params.id, req.params.mediumId, req.body));
  app.delete('/assets/:id/media/:mediumId', { config: { access: 'asset.write' }, schema: { operationId: 'removeAssetMedium', tags, params: MediumParams, response: { 200: Ok } } },
    async (req) => { await assets.removeMedium(req.ctx, req.params.id, req.params.mediumId); return { ok: true as const }; });

  app.get('/assets/:id/attachments', { config: { access: 'asset.read' }, schema: { operationId: 'listAssetAttachments', tags, params: IdParams, response: { 200: Type.Array(Attachment) } } },
    (req) => assets.listAttachments(req.ctx, req.params.id));
  app.post('/assets/:id/attachments', { config: { access: 'asset.write' }, schema: { operationId: 'addAssetAttachment', tags, summary: 'Upload a file to the asset', description: `${UPLOAD}, optional field \`kind\` (invoice, photo, other). PDF, images (PNG, JPEG, GIF, WebP, HEIC), text/CSV, docx, xlsx; the type is sniffed from the content. 413 above MAX_UPLOAD_BYTES, 415 for other types.`, params: IdParams, response: { 201: Attachment } } },
    async (req, reply) => reply.code(201).send(await assets.addAttachment(req.ctx, req.params.id, req)));
  app.get('/attachments/:id/content', { config: { access: 'asset.read' }, schema: { operationId: 'downloadAttachment', tags, summary: 'Download an attachment', params: IdParams, response: { 200: FileResponse } } },
    async (req, reply) => sendStored(reply, await assets.attachmentContent(req.ctx, req.params.id)));
  app.delete('/attachments/:id', { config: { access: 'asset.write' }, schema: { operationId: 'deleteAttachment', tags, params: IdParams, response: { 200: Ok } } },
    async (req) => { await assets.removeAttachment(req.ctx, req.params.id); return { ok: true as const }; });

  app.put('/models/:id/image', { config: { access: 'catalog.manage' }, schema: { operationId: 'putModelImage', tags: ['models'], summary: 'Upload the model\'s picture (replaces the previous one)', description: `${UPLOAD}. PNG, JPEG, GIF or WebP.`, params: IdParams, response: { 200: ModelImage } } },
    (req) => assets.putModelImage(req.ctx, req.params.id, req));
  app.get('/models/:id/image', { config: { access: 'catalog.read' }, schema: { operationId: 'getModelImage', tags: ['models'], summary: 'The model\'s picture', params: IdParams, response: { 200: FileResponse } } },
    async (req, reply) => sendStored(reply, await assets.modelImage(req.ctx, req.params.id)));
};
