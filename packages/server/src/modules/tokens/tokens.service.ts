import type { Actor, Ctx } from '../../context.js';
import type { Db, Executor } from '../../db/database.js';
import { authorize, can, orgOf } from '../../authz/policies.js';
import { ALL_PERMISSIONS, ALL_SCOPES, AREAS, PERMISSIONS, isRole, permissionsOf, scopeGrants, type Permission } from '../../authz/permissions.js';
import { forbidden, notFound, unprocessable, type FieldError } from '../../errors.js';
import { fromDbBool, writeAside } from '../../db/dialect.js';
import { addMinutes, newId, nowIso } from '../../lib/ids.js';
import { randomToken, sha256 } from '../../lib/crypto.js';
import * as events from '../events/events.service.js';
import * as repo from './tokens.repository.js';

export const TOKEN_PREFIX = 'cus_';

export interface TokenDto {
  id: string;
  kind: 'personal' | 'service';
  name: string;
  prefix: string;
  scopes: string[];
  owner: { userId: string; email: string };
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}

function status(t: repo.TokenRow, now: string): TokenDto['status'] {
  if (t.revoked_at) return 'revoked';
  if (t.expires_at && t.expires_at <= now) return 'expired';
  return 'active';
}

const toDto = (t: repo.TokenRow, now = nowIso()): TokenDto => ({
  id: t.id, kind: t.kind === 'service' ? 'service' : 'personal', name: t.name, prefix: t.prefix, scopes: JSON.parse(t.scopes) as string[],
  owner: { userId: t.user_id, email: t.owner_email ?? '' }, createdAt: t.created_at, expiresAt: t.expires_at,
  lastUsedAt: t.last_used_at, revokedAt: t.revoked_at, status: status(t, now),
});

/** A scope is grantable when the actor holds a permission of that area (of write kind for `:write`). */
function grantable(actor: Actor, scope: string): boolean {
  const [area, access] = scope.split(':');
  return ALL_PERMISSIONS.some((p) => actor.permissions.has(p) && PERMISSIONS[p].area === area && (access === 'read' || PERMISSIONS[p].kind === 'write'));
}

export function availableScopes(ctx: Ctx): { scope: string; area: string; access: string; grantable: boolean }[] {
  return AREAS.flatMap((area) => (['read', 'write'] as const).map((access) => {
    const scope = `${area}:${access}`;
    return { scope, area, access, grantable: grantable(ctx.actor, scope) };
  }));
}

export async function list(ctx: Ctx): Promise<TokenDto[]> {
  authorize(ctx.actor, 'token.own');
  const orgId = orgOf(ctx);
  const rows = await repo.listTokens(ctx.db, orgId, {
    userId: ctx.actor.userId ?? '', includeService: can(ctx.actor, 'token.service'), includeAll: can(ctx.actor, 'member.manage'),
  });
  const now = nowIso();
  return rows.map((r) => toDto(r, now));
}

export interface CreateTokenInput { name: string; kind?: 'personal' | 'service'; scopes: string[]; expiresInDays?: number }

export async function create(ctx: Ctx, input: CreateTokenInput): Promise<{ token: TokenDto; secret: string }> {
  const kind = input.kind ?? 'personal';
  authorize(ctx.actor, kind === 'service' ? 'token.service' : 'token.own');
  const orgId = orgOf(ctx);
  if (ctx.actor.type !== 'user' || !ctx.actor.userId) throw forbidden('Tokens are created by people signed in with a password, not by other tokens.', 'token.person_only');
  const problems: FieldError[] = [];
  if (!input.name.trim()) problems.push({ path: '/body/name', message: 'must not be empty', code: 'required' });
  if (!input.scopes.length) problems.push({ path: '/body/scopes', message: 'choose at least one scope', code: 'required' });
  // Validate in request order so each error's path points at the value the client sent.
  input.scopes.forEach((s, i) => {
    if (!ALL_SCOPES.includes(s)) problems.push({ path: `/body/scopes/${i}`, message: `unknown scope "${s}"`, code: 'enum' });
    else if (!grantable(ctx.actor, s)) problems.push({ path: `/body/scopes/${i}`, message: `you cannot grant "${s}": your role has no such access`, code: 'not_grantable' });
  });
  if (problems.length) throw unprocessable('token.invalid', 'The token cannot be created; see errors.', problems);
  const scopes = [...new Set(input.scopes)].sort();
  const secret = `${TOKEN_PREFIX}${randomToken(32)}`;
  const now = nowIso();
  const row = {
    id: newId(), org_id: orgId, user_id: ctx.actor.userId, kind, name: input.name.trim(), prefix: secret.slice(0, 12),
    token_hash: sha256(secret), scopes: JSON.stringify(scopes), created_at: now,
    expires_at: addMinutes(now, (input.expiresInDays ?? 90) * 24 * 60), last_used_at: null, revoked_at: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await repo.insertToken(trx, row);
    await events.record(trx, ctx, {
      action: 'token.created', entityType: 'api_token', entityId: row.id,
      changes: events.diff(null, { name: row.name, kind, scopes, expiresAt: row.expires_at }, ['name', 'kind', 'scopes', 'expiresAt']),
    });
  });
  return { token: toDto({ ...row, owner_email: ctx.actor.label }, now), secret };
}

export async function revoke(ctx: Ctx, id: string): Promise<TokenDto> {
  authorize(ctx.actor, 'token.own');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const t = await repo.findToken(trx, orgId, id);
    const mayRevoke = t && (can(ctx.actor, 'member.manage') || (t.kind === 'service' ? can(ctx.actor, 'token.service') : t.user_id === ctx.actor.userId));
    if (!t || !mayRevoke) throw notFound('token');
    const now = nowIso();
    if (!t.revoked_at) {
      await repo.revokeToken(trx, orgId, id, now);
      await events.record(trx, ctx, { action: 'token.revoked', entityType: 'api_token', entityId: id, changes: { revokedAt: { before: null, after: now } } });
    }
    return toDto({ ...t, revoked_at: t.revoked_at ?? now });
  });
}

/**
 * Resolves `Authorization: Bearer cus_…`. A token acts with its owner's current role in the
 * token's organization, narrowed to its scopes; revoked, expired or orphaned tokens resolve to null.
 */
export async function resolve(db: Db, secret: string): Promise<Actor | null> {
  if (!secret.startsWith(TOKEN_PREFIX)) return null;
  const t = await repo.findByHash(db, sha256(secret));
  const now = nowIso();
  if (!t || t.revoked_at || (t.expires_at && t.expires_at <= now) || !fromDbBool(t.is_active) || !isRole(t.role)) return null;
  if (!t.last_used_at || Date.parse(now) - Date.parse(t.last_used_at) > 60_000) await writeAside(db, `token:${t.id}`, () => repo.touchToken(db, t.id, now));
  const scopes = JSON.parse(t.scopes) as string[];
  const permissions = new Set<Permission>([...permissionsOf(t.role)].filter((p) => scopeGrants(scopes, p)));
  return {
    type: 'token', userId: t.user_id, label: t.kind === 'service' ? `service:${t.name}` : `${t.email} (token ${t.name})`,
    orgId: t.org_id, role: t.role, permissions, tokenId: t.id,
  };
}

export const countActive = (db: Executor, orgId: string) => repo.countActiveTokens(db, orgId, nowIso());
