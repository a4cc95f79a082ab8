/**
 * Authentication and deny-by-default authorization.
 *
 * - onRoute: every route must declare `config.access`; the app refuses to start otherwise.
 * - onRequest: resolves the actor from the session cookie or a Bearer token, enforces CSRF on
 *   cookie-authenticated writes, then checks the route's permission (401 / 403).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Access } from '../authz/permissions.js';
import { PERMISSIONS } from '../authz/permissions.js';
import type { Actor, Ctx } from '../context.js';
import type { Database } from '../db/database.js';
import type { Config } from '../config.js';
import { forbidden, unauthorized } from '../errors.js';
import * as identity from '../modules/identity/identity.service.js';
import * as tokens from '../modules/tokens/tokens.service.js';
import { timingSafeEqual } from 'node:crypto';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every route's declared access, collected at registration (route-access snapshot test). */
    routeAccess: { method: string; url: string; access: string }[];
  }
  interface FastifyRequest {
    actor: Actor | null;
    csrfToken: string | null;
    ctx: Ctx;
  }
}

/** Third-party documentation routes (Swagger UI) that are public by design. */
const PUBLIC_PREFIXES = ['/api/docs'];

const anonymous: Actor = { type: 'user', userId: null, label: 'anonymous', orgId: null, role: null, permissions: new Set() };

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export interface AuthDeps { database: Database; config: Config }

export const authPlugin = fp(async (app: FastifyInstance, deps: AuthDeps) => {
  const { database, config } = deps;

  app.decorate('routeAccess', [] as { method: string; url: string; access: string }[]);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) app.routeAccess.push({ method: String(method), url: route.url, access: access ?? 'public (API documentation)' });
    if (access === undefined) {
      if (PUBLIC_PREFIXES.some((p) => route.url.startsWith(p))) return;
      throw new Error(`Route ${String(route.method)} ${route.url} declares no config.access; every route must (deny by default).`);
    }
    if (access !== 'public' && access !== 'authenticated' && access !== 'session' && !(access in PERMISSIONS)) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares unknown permission "${access}".`);
    }
  });

  app.decorateRequest('actor', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('ctx', {
    getter(this: FastifyRequest): Ctx {
      return { db: database.db, engine: database.engine, config, actor: this.actor ?? anonymous, requestId: String(this.id) };
    },
  });

  async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m?.[1]) throw unauthorized('The Authorization header must be "Bearer <token>".', 'auth.bad_header');
      const actor = await tokens.resolve(database.db, m[1]);
      if (!actor) throw unauthorized('The API token is not valid, has expired or was revoked.', 'auth.invalid_token');
      request.actor = actor;
      return;
    }
    const raw = request.cookies[identity.SESSION_COOKIE];
    if (!raw) return;
    const resolved = await identity.resolveSession(database.db, config, raw);
    if (!resolved) return;
    request.actor = resolved.actor;
    request.csrfToken = resolved.session.csrf_token;
  }

  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined) return; // documentation routes
    if (access === 'public') {
      // Credentials on a public route are optional: a bad one leaves the request anonymous.
      await authenticate(request).catch(() => { request.actor = null; });
      return;
    }
    await authenticate(request);
    if (!request.actor) throw unauthorized();
    if (access === 'session' && !request.actor.sessionId) {
      throw forbidden('This needs a signed-in browser session; API tokens cannot change accounts.', 'auth.session_required');
    }
    if (request.csrfToken && !['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !safeEqual(sent, request.csrfToken)) {
        throw forbidden('Missing or wrong X-CSRF-Token header; reload the page and try again.', 'auth.csrf');
      }
    }
    if (access === 'authenticated' || access === 'session') return;
    if (!request.actor.orgId) throw forbidden('Choose an organization first.', 'org.required');
    if (!request.actor.permissions.has(access)) throw forbidden(`You need the "${access}" permission to do this.`);
  });
});
