import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { conflict, notFound, unprocessable } from '../../errors.js';
import { isUniqueViolation } from '../../db/dialect.js';
import { newId, nowIso } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import * as members from '../members/members.service.js';
import * as repo from './departments.repository.js';

export interface DepartmentDto {
  id: string;
  name: string;
  code: string | null;
  costCentre: string | null;
  manager: { userId: string; displayName: string } | null;
  createdAt: string;
  updatedAt: string;
}

const toDto = (d: repo.DepartmentRow): DepartmentDto => ({
  id: d.id, name: d.name, code: d.code, costCentre: d.cost_centre,
  manager: d.manager_user_id ? { userId: d.manager_user_id, displayName: d.manager_name ?? '' } : null,
  createdAt: d.created_at, updatedAt: d.updated_at,
});

const FIELDS = ['name', 'code', 'costCentre', 'managerUserId'] as const;
type Snapshot = { name: string; code: string | null; costCentre: string | null; managerUserId: string | null };
const snap = (d: repo.DepartmentRow): Snapshot => ({ name: d.name, code: d.code, costCentre: d.cost_centre, managerUserId: d.manager_user_id });

export interface DepartmentInput { name?: string; code?: string | null; costCentre?: string | null; managerUserId?: string | null }

const blankToNull = (v: string | null | undefined) => (v === undefined ? undefined : v === null || v.trim() === '' ? null : v.trim());

function duplicate(name: string) {
  return conflict('department.duplicate_name', `A department named "${name}" already exists.`, {}, [{ path: '/body/name', message: 'is already used by another department', code: 'duplicate' }]);
}

export async function list(ctx: Ctx): Promise<DepartmentDto[]> {
  authorize(ctx.actor, 'department.read');
  return (await repo.listDepartments(ctx.db, orgOf(ctx))).map(toDto);
}

async function requireDepartment(db: Executor, orgId: string, id: string): Promise<repo.DepartmentRow> {
  const d = await repo.findDepartment(db, orgId, id);
  if (!d) throw notFound('department');
  return d;
}

export async function get(ctx: Ctx, id: string): Promise<DepartmentDto> {
  authorize(ctx.actor, 'department.read');
  return toDto(await requireDepartment(ctx.db, orgOf(ctx), id));
}

export async function create(ctx: Ctx, input: DepartmentInput & { name: string }): Promise<DepartmentDto> {
  authorize(ctx.actor, 'department.manage');
  const orgId = orgOf(ctx);
  const name = input.name.trim();
  if (!name) throw unprocessable('department.invalid', 'The department needs a name.', [{ path: '/body/name', message: 'must not be empty', code: 'required' }]);
  return ctx.db.transaction().execute(async (trx) => {
    const managerUserId = blankToNull(input.managerUserId) ?? null;
    // A manager id from another organization is "not found" here, and the composite foreign key
    // (org_id, manager_user_id) → memberships refuses it again at the database.
    if (managerUserId) await members.requireMember(trx, orgId, managerUserId, '/body/managerUserId');
    const now = nowIso();
    const row = { id: newId(), org_id: orgId, name, code: blankToNull(input.code) ?? null, cost_centre: blankToNull(input.costCentre) ?? null, manager_user_id: managerUserId, created_at: now, updated_at: now };
    try {
      await repo.insertDepartment(trx, row);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicate(name);
      throw err;
    }
    await events.record(trx, ctx, { action: 'department.created', entityType: 'department', entityId: row.id, changes: events.diff<Snapshot>(null, snap(row), FIELDS) });
    return toDto(await requireDepartment(trx, orgId, row.id));
  });
}

export async function update(ctx: Ctx, id: string, input: DepartmentInput): Promise<DepartmentDto> {
  authorize(ctx.actor, 'department.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const before = await requireDepartment(trx, orgId, id);
    const patch: Partial<repo.DepartmentRow> = {};
    if (input.name !== undefined) {
      if (!input.name.trim()) throw unprocessable('department.invalid', 'The department needs a name.', [{ path: '/body/name', message: 'must not be empty', code: 'required' }]);
      patch.name = input.name.trim();
    }
    if (input.code !== undefined) patch.code = blankToNull(input.code) ?? null;
    if (input.costCentre !== undefined) patch.cost_centre = blankToNull(input.costCentre) ?? null;
    if (input.managerUserId !== undefined) {
      const m = blankToNull(input.managerUserId) ?? null;
      if (m) await members.requireMember(trx, orgId, m, '/body/managerUserId');
      patch.manager_user_id = m;
    }
    patch.updated_at = nowIso();
    try {
      await repo.updateDepartment(trx, orgId, id, patch);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicate(patch.name ?? before.name);
      throw err;
    }
    const after = await requireDepartment(trx, orgId, id);
    const changes = events.diff<Snapshot>(snap(before), snap(after), FIELDS);
    if (Object.keys(changes).length) await events.record(trx, ctx, { action: 'department.updated', entityType: 'department', entityId: id, changes });
    return toDto(after);
  });
}

export async function remove(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'department.manage');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const before = await requireDepartment(trx, orgId, id);
    const assets = await repo.countAssetsInDepartment(trx, orgId, id);
    if (assets) {
      throw conflict('department.in_use', `${before.name} is the department of ${assets} asset(s); move them to another department first.`, { assetCount: assets });
    }
    // People simply lose the department from their profile (recorded on each person's timeline).
    const people = await repo.profilesInDepartment(trx, orgId, id);
    await repo.detachProfiles(trx, orgId, id, nowIso());
    for (const userId of people) {
      await events.record(trx, ctx, { action: 'member.profile_updated', entityType: 'user', entityId: userId, changes: { departmentId: { before: id, after: null } } });
    }
    await repo.deleteDepartment(trx, orgId, id);
    await events.record(trx, ctx, { action: 'department.deleted', entityType: 'department', entityId: id, changes: events.diff<Snapshot>(snap(before), null, FIELDS), meta: people.length ? { detachedMembers: people.length } : {} });
  });
}

/** Called when a member leaves: departments they managed lose their manager (with events). */
export async function clearManager(trx: Executor, ctx: Ctx, orgId: string, userId: string): Promise<void> {
  for (const d of await repo.departmentsManagedBy(trx, orgId, userId)) {
    await repo.updateDepartment(trx, orgId, d.id, { manager_user_id: null, updated_at: nowIso() });
    await events.record(trx, ctx, { action: 'department.updated', entityType: 'department', entityId: d.id, changes: { managerUserId: { before: userId, after: null } } });
  }
}

export const count = (db: Executor, orgId: string) => repo.countDepartments(db, orgId);
