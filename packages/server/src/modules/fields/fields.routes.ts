import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams, Ok } from '../../lib/schemas.js';
import { CreateFieldBody, Field, UpdateFieldBody } from './fields.schemas.js';
import * as fields from './fields.service.js';

const tags = ['fields'];

export const fieldRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/categories/:id/fields', { config: { access: 'catalog.read' }, schema: { operationId: 'listCategoryFields', tags, summary: 'Custom fields of a category, in display order', params: IdParams, response: { 200: Type.Array(Field) } } },
    (req) => fields.list(req.ctx, req.params.id));
  app.post('/categories/:id/fields', { config: { access: 'catalog.manage' }, schema: { operationId: 'createCategoryField', tags, summary: 'Add a custom field to a category', params: IdParams, body: CreateFieldBody, response: { 201: Field } } },
    async (req, reply) => reply.code(201).send(await fields.create(req.ctx, req.params.id, req.body)));
  app.patch('/fields/:id', { config: { access: 'catalog.manage' }, schema: { operationId: 'updateField', tags, summary: 'Change a custom field (key and type are fixed once assets hold values)', params: IdParams, body: UpdateFieldBody, response: { 200: Field } } },
    (req) => fields.update(req.ctx, req.params.id, req.body));
  app.delete('/fields/:id', { config: { access: 'catalog.manage' }, schema: { operationId: 'deleteField', tags, summary: 'Delete a custom field (refused while any asset holds a value)', params: IdParams, response: { 200: Ok } } },
    async (req) => { await fields.remove(req.ctx, req.params.id); return { ok: true as const }; });
};
