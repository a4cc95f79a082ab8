import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import * as dashboard from './dashboard.service.js';

export const dashboardRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/dashboard', {
    config: { access: 'dashboard.read' },
    schema: {
      operationId: 'getDashboard', tags: ['dashboard'], summary: 'Counts for the dashboard',
      response: { 200: Type.Object({ counts: Type.Object({ members: Type.Integer(), departments: Type.Integer(), activeTokens: Type.Integer(), events: Type.Union([Type.Integer(), Type.Null()]), eventsLast24h: Type.Union([Type.Integer(), Type.Null()]) }) }) },
    },
  }, (req) => dashboard.summary(req.ctx));
};
