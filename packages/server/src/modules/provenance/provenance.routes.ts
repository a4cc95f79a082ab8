import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Nullable, Uuid } from '../../lib/schemas.js';
import * as provenance from './provenance.service.js';

const tags = ['assets'];
const FieldSource = Type.Object({
  field: Type.String({ description: 'API field name: name, serial, modelId, parentAssetId' }),
  source: Type.Union([Type.Literal('discovery'), Type.Literal('manual'), Type.Literal('import')]),
  sourceRef: Nullable(Type.String({ description: 'discovered device id, import job id, or who edited it' })),
  updatedAt: Type.String(),
  locked: Type.Boolean({ description: 'edited by hand: inventories leave it alone until unlocked' }),
  lockedBy: Nullable(Type.String()),
  lockedAt: Nullable(Type.String()),
});

export const provenanceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/assets/:id/field-sources', {
    config: { access: 'asset.read' },
    schema: { operationId: 'listAssetFieldSources', tags, summary: 'Who wrote each discovered field of the asset, and which are locked', params: Type.Object({ id: Uuid }), response: { 200: Type.Array(FieldSource) } },
  }, (req) => provenance.list(req.ctx, req.params.id));
  app.delete('/assets/:id/field-sources/:field/lock', {
    config: { access: 'asset.write' },
    schema: { operationId: 'unlockAssetField', tags, summary: 'Let inventories write a hand-edited field again', params: Type.Object({ id: Uuid, field: Type.String({ maxLength: 50 }) }), response: { 200: FieldSource } },
  }, (req) => provenance.unlock(req.ctx, req.params.id, req.params.field));
};
