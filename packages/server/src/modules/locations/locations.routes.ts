import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams, Ok } from '../../lib/schemas.js';
import { Location, LocationCreate, LocationQuery, LocationUpdate } from './locations.schemas.js';
import * as locations from './locations.service.js';

const tags = ['locations'];

export const locationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/locations', { config: { access: 'location.read' }, schema: { operationId: 'listLocations', tags, summary: 'The location tree as a flat list, depth first (siblings by name)', querystring: LocationQuery, response: { 200: Type.Array(Location) } } },
    (req) => locations.list(req.ctx, req.query));
  app.post('/locations', { config: { access: 'location.manage' }, schema: { operationId: 'createLocation', tags, body: LocationCreate, response: { 201: Location } } },
    async (req, reply) => reply.code(201).send(await locations.create(req.ctx, req.body)));
  app.get('/locations/:id', { config: { access: 'location.read' }, schema: { operationId: 'getLocation', tags, params: IdParams, response: { 200: Location } } },
    (req) => locations.get(req.ctx, req.params.id));
  app.patch('/locations/:id', { config: { access: 'location.manage' }, schema: { operationId: 'updateLocation', tags, summary: 'Edit or move a location (its sub-locations move with it; a cycle is refused)', params: IdParams, body: LocationUpdate, response: { 200: Location } } },
    (req) => locations.update(req.ctx, req.params.id, req.body));
  app.delete('/locations/:id', { config: { access: 'location.manage' }, schema: { operationId: 'deleteLocation', tags, summary: 'Delete an unused location (409 while it has sub-locations, assets, check-outs or people)', params: IdParams, response: { 200: Ok } } },
    async (req) => { await locations.remove(req.ctx, req.params.id); return { ok: true as const }; });
};
