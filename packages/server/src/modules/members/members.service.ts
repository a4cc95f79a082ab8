import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { authorize, canAssignRole, canGrantRole, orgOf } from '../../authz/policies.js';
import { ROLE_DEFS, ROLES, isRole, permissionsOf, type Permission, type Role } from '../../authz/permissions.js';
import { conflict, forbidden, notFound, unprocessable } from '../../errors.js';
import { fromDbBool } from '../../db/dialect.js';
import { nowIso } from '../../lib/ids.js';
import { randomToken } from '../../lib/crypto.js';
import * as events from '../events/events.service.js';
import * as identity from '../identity/identity.service.js';
import * as departments from '../departments/departments.service.js';
import * as repo from './members.repository.js';

export interface MemberDto {
  userId: string;
  email: string;
  displayName: string;
  role: string;
  isActive: boolean;
  totpEnabled: boolean;
  lastLoginAt: string | null;
  joinedAt: string;
}

const toDto = (m: repo.MemberRow): MemberDto => ({
  userId: m.user_id, email: m.email, displayName: m.display_name, role: m.role, isActive: fromDbBool(m.is_active),
  totpEnabled: fromDbBool(m.totp_enabled), lastLoginAt: m.last_login_at, joinedAt: m.created_at,
});

export async function list(ctx: Ctx, q: { q?: string }): Promise<MemberDto[]> {
  authorize(ctx.actor, 'member.read');
  return (await repo.listMembers(ctx.db, orgOf(ctx), q.q?.trim() || undefined)).map(toDto);
}

/** A member of the actor's organization, or 404 — ids of other organizations' users are not found. */
export async function requireMember(db: Executor, orgId: string, userId: string, path?: string): Promise<repo.MemberRow> {
  const m = await repo.findMember(db, orgId, userId);
  if (!m) throw notFound('user', path);
  return m;
}

export async function get(ctx: Ctx, userId: string): Promise<MemberDto> {
  authorize(ctx.actor, 'member.read');
  return toDto(await requireMember(ctx.db, orgOf(ctx), userId));
}

function checkRole(ctx: Ctx, current: Role | null, role: string): Role {
  if (!isRole(role)) throw unprocessable('member.invalid_role', `Unknown role "${role}".`, [{ path: '/body/role', message: `must be one of ${ROLES.join(', ')}`, code: 'enum' }]);
  if (!canAssignRole(ctx.actor, current, role) || !canGrantRole(ctx.actor, role)) {
    throw forbidden('Only an owner can grant or change the owner role.', 'member.owner_only');
  }
  return role;
}

export interface AddMemberInput { email: string; displayName: string; role: string; password?: string }

/**
 * Adds a person to the organization. A new account gets the given password or a generated
 * temporary one (returned once, must be changed at first sign-in); an existing account keeps its
 * password and simply joins.
 */
export async function add(ctx: Ctx, input: AddMemberInput): Promise<{ member: MemberDto; temporaryPassword: string | null }> {
  authorize(ctx.actor, 'member.manage');
  const orgId = orgOf(ctx);
  const role = checkRole(ctx, null, input.role);
  return ctx.db.transaction().execute(async (trx) => {
    let user = await identity.findUserByEmail(trx, input.email.trim());
    let temporaryPassword: string | null = null;
    if (!user) {
      temporaryPassword = input.password ? null : `${randomToken(9)}-${randomToken(6)}`;
      user = await identity.createUser(trx, ctx, { email: input.email, displayName: input.displayName, password: input.password ?? temporaryPassword, mustChangePassword: !input.password });
    } else if (await repo.findMember(trx, orgId, user.id)) {
      throw conflict('member.exists', `${user.email} is already a member of this organization.`, { userId: user.id }, [{ path: '/body/email', message: 'is already a member', code: 'duplicate' }]);
    }
    await repo.insertMembership(trx, orgId, user.id, role, nowIso());
    await events.record(trx, ctx, { action: 'member.added', entityType: 'user', entityId: user.id, changes: { role: { before: null, after: role } }, meta: { email: user.email } });
    return { member: toDto(await requireMember(trx, orgId, user.id)), temporaryPassword };
  });
}

export async function update(ctx: Ctx, userId: string, input: { role?: string; displayName?: string }): Promise<MemberDto> {
  authorize(ctx.actor, 'member.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const before = await requireMember(trx, orgId, userId);
    const now = nowIso();
    if (input.role !== undefined && input.role !== before.role) {
      const current = isRole(before.role) ? before.role : null;
      const role = checkRole(ctx, current, input.role);
      if (before.role === 'owner' && (await repo.countOwners(trx, orgId)) <= 1) {
        throw conflict('member.last_owner', 'An organization needs at least one owner; make someone else owner first.');
      }
      await repo.updateRole(trx, orgId, userId, role, now);
    }
    if (input.displayName !== undefined && input.displayName.trim() !== before.display_name) {
      if (!input.displayName.trim()) throw unprocessable('member.invalid', 'The name must not be empty.', [{ path: '/body/displayName', message: 'must not be empty', code: 'required' }]);
      await assertManagesEverywhere(trx, ctx, userId);
      await repo.updateDisplayName(trx, userId, input.displayName.trim(), now);
    }
    const after = await requireMember(trx, orgId, userId);
    const changes = events.diff({ role: before.role, displayName: before.display_name }, { role: after.role, displayName: after.display_name }, ['role', 'displayName']);
    if (Object.keys(changes).length) await events.record(trx, ctx, { action: 'member.updated', entityType: 'user', entityId: userId, changes });
    return toDto(after);
  });
}

export async function remove(ctx: Ctx, userId: string): Promise<void> {
  authorize(ctx.actor, 'member.manage');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const before = await requireMember(trx, orgId, userId);
    if (!canAssignRole(ctx.actor, isRole(before.role) ? before.role : null, null)) throw forbidden('Only an owner can remove an owner.', 'member.owner_only');
    if (before.role === 'owner' && (await repo.countOwners(trx, orgId)) <= 1) {
      throw conflict('member.last_owner', 'An organization needs at least one owner; make someone else owner first.');
    }
    await departments.clearManager(trx, ctx, orgId, userId);
    await repo.deleteMembership(trx, orgId, userId);
    await events.record(trx, ctx, { action: 'member.removed', entityType: 'user', entityId: userId, changes: { role: { before: before.role, after: null } }, meta: { email: before.email } });
  });
}

/**
 * Account-wide actions (password reset, turning off 2FA, renaming) touch a person's access to
 * every organization they belong to, so the actor must manage members in all of them.
 */
async function assertManagesEverywhere(trx: Executor, ctx: Ctx, userId: string): Promise<void> {
  if (!ctx.actor.userId) throw forbidden('Only a person can do this.', 'member.person_only');
  for (const m of await identity.membershipsOfUser(trx, userId)) {
    const mine = (await identity.membershipsOfUser(trx, ctx.actor.userId)).find((x) => x.org_id === m.org_id);
    const perms: ReadonlySet<Permission> = mine && isRole(mine.role) ? permissionsOf(mine.role) : new Set();
    if (!perms.has('member.manage') || (m.role === 'owner' && mine?.role !== 'owner')) {
      throw forbidden('This person also belongs to an organization you do not administer; ask its administrator.', 'member.cross_org');
    }
  }
}

export async function resetPassword(ctx: Ctx, userId: string): Promise<{ temporaryPassword: string }> {
  authorize(ctx.actor, 'member.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    await requireMember(trx, orgId, userId);
    await assertManagesEverywhere(trx, ctx, userId);
    const user = await identity.findUserById(trx, userId);
    if (!user) throw notFound('user');
    const temporaryPassword = `${randomToken(9)}-${randomToken(6)}`;
    await identity.setPassword(trx, ctx, user, temporaryPassword, { mustChange: true, action: 'user.password_reset' });
    await events.record(trx, ctx, { action: 'member.password_reset', entityType: 'user', entityId: userId });
    return { temporaryPassword };
  });
}

export async function disableTwoFactor(ctx: Ctx, userId: string): Promise<void> {
  authorize(ctx.actor, 'member.manage');
  await requireMember(ctx.db, orgOf(ctx), userId);
  await assertManagesEverywhere(ctx.db, ctx, userId);
  const user = await identity.findUserById(ctx.db, userId);
  if (!user) throw notFound('user');
  await identity.disableTotp(ctx, user);
}

export function roles(): { key: Role; label: string; description: string; permissions: Permission[] }[] {
  return ROLES.map((r) => ({ key: r, label: ROLE_DEFS[r].label, description: ROLE_DEFS[r].description, permissions: [...ROLE_DEFS[r].permissions] }));
}

export const count = (db: Executor, orgId: string) => repo.countMembers(db, orgId);

/** The first membership of a new organization (its creator, as owner); the caller writes the events. */
export const insertOwner = (trx: Executor, orgId: string, userId: string) => repo.insertMembership(trx, orgId, userId, 'owner', nowIso());
