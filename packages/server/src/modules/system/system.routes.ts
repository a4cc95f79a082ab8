import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../../db/database.js';
import * as system from './system.service.js';

const tags = ['system'];

export const systemRoutes: FastifyPluginAsyncTypebox<{ database: Database }> = async (app, { database }) => {
  app.get('/healthz', { config: { access: 'public' }, schema: { operationId: 'health', tags, summary: 'Liveness: the process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    () => ({ status: 'ok' as const }));
  app.get('/readyz', { config: { access: 'public' }, schema: { operationId: 'ready', tags, summary: 'Readiness: the database answers and is migrated', response: { 200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }) } } },
    () => system.ready(database));
};
