import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams } from '../../lib/schemas.js';
import {
  AssetSoftware, InstallationPage, InstallationQuery, MergeInput, ProductDetail, ProductPage, ProductQuery, Rule, RuleCreate, RuleEffect,
  RulePreview, RulePreviewInput, RuleResult, RuleUpdate,
} from './software.schemas.js';
import * as software from './software.service.js';

const tags = ['software'];
const read = { access: 'software.read' } as const;
const manage = { access: 'software.manage' } as const;

/** Software catalogue: products, where they are installed, and the normalisation rules. */
export const softwareRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/software/products', { config: read, schema: { operationId: 'listSoftwareProducts', tags, summary: 'Normalised software products with installation and device counts and their versions', querystring: ProductQuery, response: { 200: ProductPage } } },
    (req) => software.listProducts(req.ctx, req.query));
  app.get('/software/products/:id', { config: read, schema: { operationId: 'getSoftwareProduct', tags, summary: 'A product with its versions (counts) and the names agents reported for it', params: IdParams, response: { 200: ProductDetail } } },
    (req) => software.getProduct(req.ctx, req.params.id));
  app.get('/software/products/:id/installations', { config: read, schema: { operationId: 'listSoftwareProductInstallations', tags, summary: 'Where a product is installed: device, linked asset, version, arch, install date, last seen', params: IdParams, querystring: InstallationQuery, response: { 200: InstallationPage } } },
    (req) => software.productInstallations(req.ctx, req.params.id, req.query));
  app.post('/software/products/:id/merge', { config: manage, schema: { operationId: 'mergeSoftwareProduct', tags, summary: 'Merge a product into another: creates a merge rule (exact publisher and name) and re-applies the rules', params: IdParams, body: MergeInput, response: { 201: RuleResult } } },
    async (req, reply) => reply.code(201).send(await software.mergeProduct(req.ctx, req.params.id, req.body)));

  app.get('/software/rules', { config: read, schema: { operationId: 'listSoftwareRules', tags, summary: 'Normalisation rules in the order they apply', response: { 200: Type.Array(Rule) } } },
    (req) => software.listRules(req.ctx));
  app.post('/software/rules', { config: manage, schema: { operationId: 'createSoftwareRule', tags, summary: 'Create a rename, merge or ignore rule; the rules are re-applied to every installation', body: RuleCreate, response: { 201: RuleResult } } },
    async (req, reply) => reply.code(201).send(await software.createRule(req.ctx, req.body)));
  app.post('/software/rules/preview', { config: manage, schema: { operationId: 'previewSoftwareRule', tags, summary: 'How many products, installations and devices a rule would match now (nothing is saved)', body: RulePreviewInput, response: { 200: RulePreview } } },
    (req) => software.previewRule(req.ctx, req.body));
  app.patch('/software/rules/:id', { config: manage, schema: { operationId: 'updateSoftwareRule', tags, summary: 'Edit or move a rule; the rules are re-applied', params: IdParams, body: RuleUpdate, response: { 200: RuleResult } } },
    (req) => software.updateRule(req.ctx, req.params.id, req.body));
  app.delete('/software/rules/:id', { config: manage, schema: { operationId: 'deleteSoftwareRule', tags, summary: 'Delete a rule; the rules are re-applied (installations of products it ignored return with the next inventory)', params: IdParams, response: { 200: Type.Object({ effect: RuleEffect }) } } },
    (req) => software.deleteRule(req.ctx, req.params.id));

  app.get('/assets/:id/software', { config: read, schema: { operationId: 'listAssetSoftware', tags, summary: 'Software installed on the discovered devices linked to the asset', params: IdParams, response: { 200: Type.Array(AssetSoftware) } } },
    (req) => software.assetSoftware(req.ctx, req.params.id));
};
