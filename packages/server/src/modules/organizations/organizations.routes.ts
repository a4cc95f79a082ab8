import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
import * as orgs from './organizations.service.js';

const tags = ['organizations'];
const Organization = Type.Object({ id: Uuid, name: Type.String(), slug: Type.String(), role: Nullable(Type.String()), assetTagPattern: Type.String(), createdAt: Timestamp, updatedAt: Timestamp });
const Name = Type.String({ minLength: 1, maxLength: 200 });

export const organizationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/organizations', { config: { access: 'authenticated' }, schema: { operationId: 'listMyOrganizations', tags, summary: 'Organizations you belong to, with your role in each', response: { 200: Type.Array(Organization) } } },
    (req) => orgs.listMine(req.ctx));
  app.post('/organizations', { config: { access: 'org.create' }, schema: { operationId: 'createOrganization', tags, summary: 'Create an organization; you become its owner', body: Type.Object({ name: Name }, { additionalProperties: false }), response: { 201: Organization } } },
    async (req, reply) => reply.code(201).send(await orgs.create(req.ctx, req.body)));
  app.get('/organization', { config: { access: 'org.read' }, schema: { operationId: 'getCurrentOrganization', tags, summary: 'The current organization', response: { 200: Organization } } },
    (req) => orgs.getCurrent(req.ctx));
  app.patch('/organization', { config: { access: 'org.update' }, schema: { operationId: 'updateCurrentOrganization', tags, summary: 'Rename the current organization or change its default asset tag pattern', body: Type.Object({ name: Type.Optional(Name), assetTagPattern: Type.Optional(Type.String({ maxLength: 60, description: 'e.g. LAP-{00000}' })) }, { additionalProperties: false }), response: { 200: Organization } } },
    (req) => orgs.updateCurrent(req.ctx, req.body));
};
