import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams, Nullable, Ok, Timestamp, Uuid } from '../../lib/schemas.js';
import * as departments from './departments.service.js';

const tags = ['departments'];
const Department = Type.Object({
  id: Uuid, name: Type.String(), code: Nullable(Type.String()), costCentre: Nullable(Type.String()),
  manager: Nullable(Type.Object({ userId: Uuid, displayName: Type.String() })), createdAt: Timestamp, updatedAt: Timestamp,
});
const Fields = {
  code: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
  costCentre: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
  managerUserId: Type.Optional(Nullable(Uuid)),
};

export const departmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/departments', { config: { access: 'department.read' }, schema: { operationId: 'listDepartments', tags, response: { 200: Type.Array(Department) } } },
    (req) => departments.list(req.ctx));
  app.post('/departments', { config: { access: 'department.manage' }, schema: { operationId: 'createDepartment', tags, body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), ...Fields }, { additionalProperties: false }), response: { 201: Department } } },
    async (req, reply) => reply.code(201).send(await departments.create(req.ctx, req.body)));
  app.get('/departments/:id', { config: { access: 'department.read' }, schema: { operationId: 'getDepartment', tags, params: IdParams, response: { 200: Department } } },
    (req) => departments.get(req.ctx, req.params.id));
  app.patch('/departments/:id', { config: { access: 'department.manage' }, schema: { operationId: 'updateDepartment', tags, params: IdParams, body: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), ...Fields }, { additionalProperties: false }), response: { 200: Department } } },
    (req) => departments.update(req.ctx, req.params.id, req.body));
  app.delete('/departments/:id', { config: { access: 'department.manage' }, schema: { operationId: 'deleteDepartment', tags, params: IdParams, response: { 200: Ok } } },
    async (req) => { await departments.remove(req.ctx, req.params.id); return { ok: true as const }; });
};
