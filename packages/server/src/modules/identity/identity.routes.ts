import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { Ok } from '../../lib/schemas.js';
import * as identity from './identity.service.js';
import * as orgs from '../organizations/organizations.service.js';
import * as s from './identity.schemas.js';

const tags = ['auth'];
const meta = (r: FastifyRequest): identity.SessionMeta => ({ ip: r.ip, userAgent: r.headers['user-agent'] ?? null });

export const identityRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  const secure = config.publicUrl.startsWith('https:');
  const setCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(identity.SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: config.sessionTtlHours * 3600 });
  const clearCookie = (reply: FastifyReply) => reply.clearCookie(identity.SESSION_COOKIE, { path: '/' });

  app.get('/setup', { config: { access: 'public' }, schema: { operationId: 'getSetupStatus', tags, summary: 'Whether the first owner still has to be created', response: { 200: s.SetupStatus } } },
    (req) => identity.setupStatus(req.ctx));

  app.post('/setup', { config: { access: 'public' }, schema: { operationId: 'completeSetup', tags, summary: 'Create the first owner and organization from the one-time setup link', body: s.SetupBody, response: { 200: Ok } } },
    async (req, reply) => { setCookie(reply, await identity.completeSetup(req.ctx, req.body, meta(req), orgs.createWithOwner)); return { ok: true as const }; });

  app.post('/auth/login', {
    config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: { operationId: 'login', tags, summary: 'Sign in with email and password', body: s.LoginBody, response: { 200: s.LoginResponse } },
  }, async (req, reply) => { const r = await identity.login(req.ctx, req.body, meta(req)); setCookie(reply, r.token); return { mfaRequired: r.mfaRequired }; });

  app.post('/auth/login/totp', {
    config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: { operationId: 'loginTotp', tags, summary: 'Second sign-in step: the authenticator code', body: s.TotpCodeBody, response: { 200: Ok } },
  }, async (req) => { await identity.completeTotpLogin(req.ctx, req.cookies[identity.SESSION_COOKIE], req.body.code); return { ok: true as const }; });

  app.post('/auth/logout', { config: { access: 'session' }, schema: { operationId: 'logout', tags, summary: 'Sign out (ends this session)', response: { 200: Ok } } },
    async (req, reply) => { await identity.logout(req.ctx); clearCookie(reply); return { ok: true as const }; });

  app.get('/auth/session', { config: { access: 'authenticated' }, schema: { operationId: 'getSession', tags, summary: 'The signed-in user, their organizations, role, permissions and CSRF token', response: { 200: s.SessionInfo } } },
    (req) => identity.sessionInfo(req.ctx, req.csrfToken ?? ''));

  app.post('/auth/organization', { config: { access: 'session' }, schema: { operationId: 'switchOrganization', tags, summary: 'Switch the current organization of this session', body: s.SwitchOrgBody, response: { 200: Ok } } },
    async (req) => { await identity.switchOrganization(req.ctx, req.body.organizationId); return { ok: true as const }; });

  app.post('/auth/password', { config: { access: 'session' }, schema: { operationId: 'changePassword', tags, summary: 'Change your password (ends your other sessions)', body: s.ChangePasswordBody, response: { 200: Ok } } },
    async (req) => { await identity.changePassword(req.ctx, req.body); return { ok: true as const }; });

  app.post('/auth/totp/setup', { config: { access: 'session' }, schema: { operationId: 'beginTotp', tags, summary: 'Start enrolling an authenticator app', response: { 200: s.TotpSetupResponse } } },
    (req) => identity.totpBegin(req.ctx));

  app.post('/auth/totp/enable', { config: { access: 'session' }, schema: { operationId: 'enableTotp', tags, summary: 'Confirm enrolment with a code; two-factor sign-in is then required', body: s.TotpCodeBody, response: { 200: Ok } } },
    async (req) => { await identity.totpEnable(req.ctx, req.body.code); return { ok: true as const }; });

  app.post('/auth/totp/disable', { config: { access: 'session' }, schema: { operationId: 'disableTotp', tags, summary: 'Turn off two-factor sign-in (needs your password)', body: s.PasswordBody, response: { 200: Ok } } },
    async (req) => { await identity.totpDisable(req.ctx, req.body.password); return { ok: true as const }; });
};
