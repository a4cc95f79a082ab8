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
import * as custody from '../custody/custody.service.js';
import * as repo from './members.repository.js';
import { isUniqueViolation } from '../../db/dialect.js';
import type { FieldError } from '../../errors.js';
import * as locations from '../locations/locations.service.js';
import { checkPhone, clean } from '../catalog/catalog.validation.js';

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
    // A former member comes back on their old row, so their history stays theirs.
    if (await repo.findFormer(trx, orgId, user.id)) await repo.updateRole(trx, orgId, user.id, role, nowIso());
    else await repo.insertMembership(trx, orgId, user.id, role, nowIso());
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
    const held = await custody.heldAssets(trx, orgId, userId);
    if (held.length) {
      throw conflict('member.holds_assets', `${before.display_name} still holds ${held.map((a) => a.assetTag).join(', ')}; check these in first (or offboard them).`, { assets: held });
    }
    await departments.clearManager(trx, ctx, orgId, userId);
    const now = nowIso();
    for (const report of await repo.reportsOf(trx, orgId, userId)) {
      await events.record(trx, ctx, { action: 'member.profile_updated', entityType: 'user', entityId: report, changes: { managerUserId: { before: userId, after: null } } });
    }
    await repo.clearManagerOf(trx, orgId, userId, now);
    await repo.deleteTokensOf(trx, orgId, userId);
    await repo.updateRole(trx, orgId, userId, repo.FORMER_ROLE, now);
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

// ---- Member profiles ----

/** The member's profile row, or undefined when none was ever saved. */
export const findProfile = (db: Executor, orgId: string, userId: string) => repo.findProfile(db, orgId, userId);

export interface MemberProfileDto {
  userId: string;
  employeeNumber: string | null;
  title: string | null;
  phone: string | null;
  departmentId: string | null;
  department: { id: string; name: string } | null;
  locationId: string | null;
  location: { id: string; name: string; pathNames: string[] } | null;
  managerUserId: string | null;
  manager: { userId: string; displayName: string } | null;
  /** null until the profile is first saved */
  updatedAt: string | null;
}

export interface MemberProfileInput {
  employeeNumber?: string | null;
  title?: string | null;
  phone?: string | null;
  departmentId?: string | null;
  locationId?: string | null;
  managerUserId?: string | null;
}

const PROFILE_FIELDS = ['employeeNumber', 'title', 'phone', 'departmentId', 'locationId', 'managerUserId'] as const;
type ProfileSnap = Pick<MemberProfileDto, (typeof PROFILE_FIELDS)[number]>;
const profileSnap = (p: repo.ProfileValues): ProfileSnap => ({
  employeeNumber: p.employee_number, title: p.title, phone: p.phone, departmentId: p.department_id, locationId: p.location_id, managerUserId: p.manager_user_id,
});

async function profileDto(db: Executor, orgId: string, userId: string): Promise<MemberProfileDto> {
  const p = await repo.findProfileWithRefs(db, orgId, userId);
  if (!p) throw notFound('user');
  return {
    userId: p.user_id, employeeNumber: p.employee_number, title: p.title, phone: p.phone,
    departmentId: p.department_id, department: p.department_id ? { id: p.department_id, name: p.department_name ?? '' } : null,
    locationId: p.location_id, location: p.location_id ? await locations.describeLocation(db, orgId, p.location_id) : null,
    managerUserId: p.manager_user_id, manager: p.manager_user_id ? { userId: p.manager_user_id, displayName: p.manager_name ?? '' } : null,
    updatedAt: p.updated_at,
  };
}

export async function getProfile(ctx: Ctx, userId: string): Promise<MemberProfileDto> {
  authorize(ctx.actor, 'member.read');
  return profileDto(ctx.db, orgOf(ctx), userId);
}

/** Longest manager chain followed when looking for a cycle (A manages B manages … manages A). */
const MAX_MANAGER_CHAIN = 100;

/**
 * Edits a member's profile (employee number, title, phone, department, location, manager). When
 * the location changes, the assets the member holds move with them (a holder's items are where
 * the holder is), each with its own `asset.updated` event.
 */
export async function updateProfile(ctx: Ctx, userId: string, input: MemberProfileInput): Promise<MemberProfileDto> {
  authorize(ctx.actor, 'member.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    await requireMember(trx, orgId, userId);
    const existing = await repo.findProfile(trx, orgId, userId);
    const before: repo.ProfileValues = {
      employee_number: existing?.employee_number ?? null, title: existing?.title ?? null, phone: existing?.phone ?? null,
      department_id: existing?.department_id ?? null, location_id: existing?.location_id ?? null, manager_user_id: existing?.manager_user_id ?? null,
    };
    const errors: FieldError[] = [];
    const phone = clean(input.phone);
    checkPhone(errors, '/body/phone', phone);
    if (input.managerUserId === userId) errors.push({ path: '/body/managerUserId', message: 'a person cannot be their own manager', code: 'self_manager' });
    if (errors.length) {
      const self = errors.some((e) => e.code === 'self_manager');
      throw unprocessable(self ? 'member.self_manager' : 'member.invalid_profile', self ? 'A person cannot be their own manager.' : 'The profile is not valid; see errors for each field.', errors);
    }
    const after: repo.ProfileValues = { ...before };
    const employeeNumber = clean(input.employeeNumber);
    if (employeeNumber !== undefined) after.employee_number = employeeNumber;
    const title = clean(input.title);
    if (title !== undefined) after.title = title;
    if (phone !== undefined) after.phone = phone;
    if (input.departmentId !== undefined) {
      if (input.departmentId && !(await repo.departmentExists(trx, orgId, input.departmentId))) throw notFound('department', '/body/departmentId');
      after.department_id = input.departmentId;
    }
    if (input.locationId !== undefined) {
      if (input.locationId) await locations.requireLocation(trx, orgId, input.locationId, '/body/locationId');
      after.location_id = input.locationId;
    }
    if (input.managerUserId !== undefined && input.managerUserId !== before.manager_user_id) {
      if (input.managerUserId) {
        await requireMember(trx, orgId, input.managerUserId, '/body/managerUserId');
        let cur: string | null = input.managerUserId;
        for (let i = 0; cur && i < MAX_MANAGER_CHAIN; i++) {
          cur = (await repo.findProfile(trx, orgId, cur))?.manager_user_id ?? null;
          if (cur === userId) {
            throw unprocessable('member.manager_cycle', 'That person is (indirectly) managed by this one; the reporting line would go in a circle.',
              [{ path: '/body/managerUserId', message: 'would create a circular reporting line', code: 'cycle' }]);
          }
        }
      }
      after.manager_user_id = input.managerUserId;
    }
    const changes = events.diff<ProfileSnap>(profileSnap(before), profileSnap(after), PROFILE_FIELDS);
    if (!Object.keys(changes).length) return profileDto(trx, orgId, userId);
    const duplicateNumber = (other: { user_id: string; display_name: string }) =>
      conflict('member.duplicate_employee_number', `Employee number ${after.employee_number ?? ''} already belongs to ${other.display_name}.`,
        { conflict: { userId: other.user_id, displayName: other.display_name } },
        [{ path: '/body/employeeNumber', message: 'is already used by another person', code: 'duplicate' }]);
    if (changes.employeeNumber && after.employee_number) {
      const other = await repo.findByEmployeeNumber(trx, orgId, after.employee_number, userId);
      if (other) throw duplicateNumber(other);
    }
    const now = nowIso();
    try {
      if (existing) await repo.updateProfile(trx, orgId, userId, after, now);
      else await repo.insertProfile(trx, orgId, userId, after, now);
    } catch (err) {
      if (isUniqueViolation(err) && after.employee_number) {
        const other = await repo.findByEmployeeNumber(trx, orgId, after.employee_number, userId).catch(() => undefined);
        throw duplicateNumber(other ?? { user_id: '', display_name: 'another person' });
      }
      throw err;
    }
    await events.record(trx, ctx, { action: 'member.profile_updated', entityType: 'user', entityId: userId, changes });
    if (changes.locationId && after.location_id) {
      for (const a of await repo.heldAssetsElsewhere(trx, orgId, userId, after.location_id)) {
        await repo.setAssetLocation(trx, orgId, a.id, after.location_id, now);
        await events.record(trx, ctx, {
          action: 'asset.updated', entityType: 'asset', entityId: a.id,
          changes: { locationId: { before: a.location_id, after: after.location_id } },
          meta: { reason: 'holder_moved', holderUserId: userId },
        });
      }
    }
    return profileDto(trx, orgId, userId);
  });
}
