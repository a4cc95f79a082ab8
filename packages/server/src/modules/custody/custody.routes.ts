import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams, Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
import {
  Assignment, AssignmentQuery, BulkCheckinBody, BulkCheckoutBody, CheckinBody, CheckoutBody, DueQuery, HeldAtQuery, HeldByQuery, OffboardBody, OverdueQuery,
} from './custody.schemas.js';
import * as custody from './custody.service.js';
import { selfServiceRoutes } from './selfservice.routes.js';

const tags = ['custody'];
const UserParams = Type.Object({ userId: Uuid });
const Items = Type.Object({ items: Type.Array(Assignment) });
const UserItems = Type.Object({ userId: Uuid, items: Type.Array(Assignment) });

export const custodyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/assets/:id/checkout', {
    config: { access: 'custody.manage' },
    schema: {
      operationId: 'checkoutAsset', tags, summary: 'Check an asset out to a person, a location or another asset (409 when not in stock or already out)',
      params: IdParams, body: CheckoutBody, response: { 200: Assignment },
    },
  }, (req) => custody.checkout(req.ctx, req.params.id, req.body));
  app.post('/assets/:id/checkin', {
    config: { access: 'custody.manage' },
    schema: {
      operationId: 'checkinAsset', tags, summary: 'Check an asset back in (to the given location, else its default location)',
      params: IdParams, body: CheckinBody, response: { 200: Assignment },
    },
  }, (req) => custody.checkin(req.ctx, req.params.id, req.body));
  app.post('/custody/checkout', {
    config: { access: 'custody.manage' },
    schema: { operationId: 'bulkCheckout', tags, summary: 'Check out several assets to one target: all or nothing (422 lists each failing asset)', body: BulkCheckoutBody, response: { 200: Items } },
  }, (req) => custody.bulkCheckout(req.ctx, req.body));
  app.post('/custody/checkin', {
    config: { access: 'custody.manage' },
    schema: { operationId: 'bulkCheckin', tags, summary: 'Check in several assets: all or nothing (422 lists each failing asset)', body: BulkCheckinBody, response: { 200: Items } },
  }, (req) => custody.bulkCheckin(req.ctx, req.body));
  app.get('/custody/assignments', {
    config: { access: 'custody.read' },
    schema: {
      operationId: 'listAssignments', tags, summary: 'Custody history, newest check-out first (keyset pagination)',
      querystring: AssignmentQuery, response: { 200: Type.Object({ items: Type.Array(Assignment), nextCursor: Nullable(Type.String()) }) },
    },
  }, (req) => custody.listAssignments(req.ctx, req.query));
  app.get('/custody/due', {
    config: { access: 'custody.read' },
    schema: { operationId: 'listDueAssignments', tags, summary: 'Open assignments expected back within `days` (default 7)', querystring: DueQuery, response: { 200: Type.Array(Assignment) } },
  }, (req) => custody.due(req.ctx, req.query));
  app.get('/custody/overdue', {
    config: { access: 'custody.read' },
    schema: { operationId: 'listOverdueAssignments', tags, summary: 'Open assignments past their expected return date', querystring: OverdueQuery, response: { 200: Type.Array(Assignment) } },
  }, (req) => custody.overdue(req.ctx, req.query));
  app.get('/custody/held-at', {
    config: { access: 'custody.read' },
    schema: {
      operationId: 'assetHolderAt', tags, summary: 'Who held the asset at a point in time (null: nobody, it was in stock)',
      querystring: HeldAtQuery, response: { 200: Type.Object({ assetId: Uuid, at: Timestamp, assignment: Nullable(Assignment) }) },
    },
  }, (req) => custody.heldAt(req.ctx, req.query));
  app.get('/custody/held-by', {
    config: { access: 'custody.read' },
    schema: {
      operationId: 'userHoldingsAt', tags, summary: 'What a person held at a point in time',
      querystring: HeldByQuery, response: { 200: Type.Object({ userId: Uuid, at: Timestamp, items: Type.Array(Assignment) }) },
    },
  }, (req) => custody.heldBy(req.ctx, req.query));
  app.get('/members/:userId/holdings', {
    config: { access: 'custody.read' },
    schema: { operationId: 'memberHoldings', tags, summary: 'Everything checked out to this person now', params: UserParams, response: { 200: UserItems } },
  }, (req) => custody.holdings(req.ctx, req.params.userId));
  app.post('/members/:userId/offboard', {
    config: { access: 'custody.manage' },
    schema: {
      operationId: 'offboardMember', tags, summary: 'Check in everything this person holds, in one step',
      params: UserParams, body: OffboardBody, response: { 200: UserItems },
    },
  }, (req) => custody.offboard(req.ctx, req.params.userId, req.body));
  await app.register(selfServiceRoutes);
};
