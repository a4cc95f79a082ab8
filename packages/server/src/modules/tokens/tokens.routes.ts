import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams, Nullable, Timestamp, Uuid } from '../../lib/schemas.js';
import * as tokens from './tokens.service.js';

const tags = ['tokens'];
const Token = Type.Object({
  id: Uuid, kind: Type.Union([Type.Literal('personal'), Type.Literal('service')]), name: Type.String(), prefix: Type.String(),
  scopes: Type.Array(Type.String()), owner: Type.Object({ userId: Uuid, email: Type.String() }), createdAt: Timestamp,
  expiresAt: Nullable(Timestamp), lastUsedAt: Nullable(Timestamp), revokedAt: Nullable(Timestamp),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
});

export const tokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/tokens', { config: { access: 'token.own' }, schema: { operationId: 'listTokens', tags, summary: 'Your personal tokens, plus service tokens if you manage them', response: { 200: Type.Array(Token) } } },
    (req) => tokens.list(req.ctx));
  app.get('/tokens/scopes', { config: { access: 'token.own' }, schema: { operationId: 'listTokenScopes', tags, summary: 'Scopes, and whether you may grant each', response: { 200: Type.Array(Type.Object({ scope: Type.String(), area: Type.String(), access: Type.String(), grantable: Type.Boolean() })) } } },
    (req) => tokens.availableScopes(req.ctx));
  app.post('/tokens', {
    config: { access: 'token.own' },
    schema: {
      operationId: 'createToken', tags, summary: 'Create a token; the secret is returned once',
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 100 }),
        kind: Type.Optional(Type.Union([Type.Literal('personal'), Type.Literal('service')])),
        scopes: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 }),
        expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 730 })),
      }, { additionalProperties: false }),
      response: { 201: Type.Object({ token: Token, secret: Type.String({ description: 'Shown once; send as Authorization: Bearer <secret>' }) }) },
    },
  }, async (req, reply) => reply.code(201).send(await tokens.create(req.ctx, req.body)));
  app.delete('/tokens/:id', { config: { access: 'token.own' }, schema: { operationId: 'revokeToken', tags, summary: 'Revoke a token (it stops working at once)', params: IdParams, response: { 200: Token } } },
    (req) => tokens.revoke(req.ctx, req.params.id));
};
