import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams, Ok } from '../../lib/schemas.js';
import {
  Category, CategoryCreate, CategoryUpdate, Manufacturer, ManufacturerCreate, ManufacturerUpdate, Model, ModelCreate, ModelQuery,
  ModelUpdate, NameQuery, Supplier, SupplierCreate, SupplierUpdate,
} from './catalog.schemas.js';
import * as catalog from './catalog.service.js';
import { locationRoutes } from '../locations/locations.routes.js';
import { memberProfileRoutes } from '../members/members.routes.js';

const tags = ['catalog'];
const read = { access: 'catalog.read' } as const;
const manage = { access: 'catalog.manage' } as const;

/** Module 1 of the inventory: the catalog, plus the location tree and member profiles it owns. */
export const catalogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(locationRoutes);
  await app.register(memberProfileRoutes);

  // ---- categories ----
  app.get('/categories', { config: read, schema: { operationId: 'listCategories', tags, summary: 'Categories by name, with model, asset and custom field counts', querystring: NameQuery, response: { 200: Type.Array(Category) } } },
    (req) => catalog.listCategories(req.ctx, req.query));
  app.post('/categories', { config: manage, schema: { operationId: 'createCategory', tags, body: CategoryCreate, response: { 201: Category } } },
    async (req, reply) => reply.code(201).send(await catalog.createCategory(req.ctx, req.body)));
  app.get('/categories/:id', { config: read, schema: { operationId: 'getCategory', tags, params: IdParams, response: { 200: Category } } },
    (req) => catalog.getCategory(req.ctx, req.params.id));
  app.patch('/categories/:id', { config: manage, schema: { operationId: 'updateCategory', tags, summary: 'Edit a category (the asset class cannot change; new acceptance terms get a new version)', params: IdParams, body: CategoryUpdate, response: { 200: Category } } },
    (req) => catalog.updateCategory(req.ctx, req.params.id, req.body));
  app.delete('/categories/:id', { config: manage, schema: { operationId: 'deleteCategory', tags, summary: 'Delete an unused category (409 while models, assets or custom fields use it)', params: IdParams, response: { 200: Ok } } },
    async (req) => { await catalog.deleteCategory(req.ctx, req.params.id); return { ok: true as const }; });

  // ---- manufacturers ----
  app.get('/manufacturers', { config: read, schema: { operationId: 'listManufacturers', tags, querystring: NameQuery, response: { 200: Type.Array(Manufacturer) } } },
    (req) => catalog.listManufacturers(req.ctx, req.query));
  app.post('/manufacturers', { config: manage, schema: { operationId: 'createManufacturer', tags, body: ManufacturerCreate, response: { 201: Manufacturer } } },
    async (req, reply) => reply.code(201).send(await catalog.createManufacturer(req.ctx, req.body)));
  app.get('/manufacturers/:id', { config: read, schema: { operationId: 'getManufacturer', tags, params: IdParams, response: { 200: Manufacturer } } },
    (req) => catalog.getManufacturer(req.ctx, req.params.id));
  app.patch('/manufacturers/:id', { config: manage, schema: { operationId: 'updateManufacturer', tags, params: IdParams, body: ManufacturerUpdate, response: { 200: Manufacturer } } },
    (req) => catalog.updateManufacturer(req.ctx, req.params.id, req.body));
  app.delete('/manufacturers/:id', { config: manage, schema: { operationId: 'deleteManufacturer', tags, summary: 'Delete an unused manufacturer (409 while models use it)', params: IdParams, response: { 200: Ok } } },
    async (req) => { await catalog.deleteManufacturer(req.ctx, req.params.id); return { ok: true as const }; });

  // ---- suppliers ----
  app.get('/suppliers', { config: read, schema: { operationId: 'listSuppliers', tags, querystring: NameQuery, response: { 200: Type.Array(Supplier) } } },
    (req) => catalog.listSuppliers(req.ctx, req.query));
  app.post('/suppliers', { config: manage, schema: { operationId: 'createSupplier', tags, body: SupplierCreate, response: { 201: Supplier } } },
    async (req, reply) => reply.code(201).send(await catalog.createSupplier(req.ctx, req.body)));
  app.get('/suppliers/:id', { config: read, schema: { operationId: 'getSupplier', tags, params: IdParams, response: { 200: Supplier } } },
    (req) => catalog.getSupplier(req.ctx, req.params.id));
  app.patch('/suppliers/:id', { config: manage, schema: { operationId: 'updateSupplier', tags, params: IdParams, body: SupplierUpdate, response: { 200: Supplier } } },
    (req) => catalog.updateSupplier(req.ctx, req.params.id, req.body));
  app.delete('/suppliers/:id', { config: manage, schema: { operationId: 'deleteSupplier', tags, summary: 'Delete an unused supplier (409 while assets reference it)', params: IdParams, response: { 200: Ok } } },
    async (req) => { await catalog.deleteSupplier(req.ctx, req.params.id); return { ok: true as const }; });

  // ---- models ----
  app.get('/models', { config: read, schema: { operationId: 'listModels', tags, summary: 'Models by name; filter by category, manufacturer, name or model number', querystring: ModelQuery, response: { 200: Type.Array(Model) } } },
    (req) => catalog.listModels(req.ctx, req.query));
  app.post('/models', { config: manage, schema: { operationId: 'createModel', tags, body: ModelCreate, response: { 201: Model } } },
    async (req, reply) => reply.code(201).send(await catalog.createModel(req.ctx, req.body)));
  app.get('/models/:id', { config: read, schema: { operationId: 'getModel', tags, params: IdParams, response: { 200: Model } } },
    (req) => catalog.getModel(req.ctx, req.params.id));
  app.patch('/models/:id', { config: manage, schema: { operationId: 'updateModel', tags, summary: 'Edit a model (a new category or manufacturer follows to its assets)', params: IdParams, body: ModelUpdate, response: { 200: Model } } },
    (req) => catalog.updateModel(req.ctx, req.params.id, req.body));
  app.delete('/models/:id', { config: manage, schema: { operationId: 'deleteModel', tags, summary: 'Delete an unused model (409 while assets use it)', params: IdParams, response: { 200: Ok } } },
    async (req) => { await catalog.deleteModel(req.ctx, req.params.id); return { ok: true as const }; });
};
