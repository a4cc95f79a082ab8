/**
 * The location tree (sites, buildings, floors, rooms, shelves). Each row stores its materialized
 * path of ids; moving a location rewrites the paths of its whole subtree in the same transaction.
 */
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { isUniqueViolation } from '../../db/dialect.js';
import { conflict, notFound, unprocessable, type FieldError } from '../../errors.js';
import { newId, nowIso } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import type { LocationCreateInput, LocationDto, LocationUpdateInput } from './locations.schemas.js';
import * as repo from './locations.repository.js';

export type LocationRow = repo.LocationRow;
export type { LocationDto } from './locations.schemas.js';

// ---------- lookups for other modules ----------

/** A location of the organization, or 404 with the given field path (ids of other organizations are not found). */
export async function requireLocation(db: Executor, orgId: string, id: string, path?: string): Promise<LocationRow> {
  const l = await repo.findLocation(db, orgId, id);
  if (!l) throw notFound('location', path);
  return l;
}

/**
 * The materialized path of a location (`/<rootId>/…/<id>/`): every location of its subtree has a
 * path starting with it, so list filters use `locations.path like '<prefix>%'`. 404 (with the given
 * field path, `/querystring/locationId` by default) when the location is not the organization's.
 */
export async function subtreePath(db: Executor, orgId: string, locationId: string, path = '/querystring/locationId'): Promise<string> {
  return (await requireLocation(db, orgId, locationId, path)).path;
}

/** Ids in a stored path, root first: `/a/b/` → [a, b]. */
export const pathIds = (path: string): string[] => path.split('/').filter(Boolean);

/** Id, name and the names from the root down (e.g. for labels: "HQ / Floor 2 / Room 4"). */
export async function describeLocation(db: Executor, orgId: string, id: string, path?: string): Promise<{ id: string; name: string; pathNames: string[] }> {
  const l = await requireLocation(db, orgId, id, path);
  return { id: l.id, name: l.name, pathNames: await namesAlong(db, orgId, l) };
}

async function namesAlong(db: Executor, orgId: string, l: LocationRow): Promise<string[]> {
  const ids = pathIds(l.path);
  const names = new Map((await repo.namesOf(db, orgId, ids.filter((x) => x !== l.id))).map((r) => [r.id, r.name]));
  names.set(l.id, l.name);
  return ids.map((x) => names.get(x) ?? '?');
}

// ---------- reads ----------

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

function toDto(l: LocationRow, pathNames: string[], counts: { assetCount: number; subtreeAssetCount: number; childCount: number }): LocationDto {
  const ids = pathIds(l.path);
  return {
    id: l.id, name: l.name, parentId: l.parent_id, depth: ids.length - 1, path: ids, pathNames,
    address: l.address, latitude: l.latitude === null ? null : Number(l.latitude), longitude: l.longitude === null ? null : Number(l.longitude),
    ...counts, createdAt: l.created_at, updatedAt: l.updated_at,
  };
}

/**
 * The flat tree, depth first: each location follows its parent, siblings by name. With `q`, only
 * locations whose name matches (their `pathNames` still show where they are).
 */
export async function list(ctx: Ctx, query: { q?: string }): Promise<LocationDto[]> {
  authorize(ctx.actor, 'location.read');
  const orgId = orgOf(ctx);
  const rows = await repo.listLocations(ctx.db, orgId);
  const q = query.q?.trim();
  const matching = q ? await repo.idsMatching(ctx.db, orgId, q) : null;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const subtree = new Map<string, number>();
  const children = new Map<string, number>();
  for (const r of rows) {
    for (const a of pathIds(r.path)) subtree.set(a, (subtree.get(a) ?? 0) + r.asset_count);
    if (r.parent_id) children.set(r.parent_id, (children.get(r.parent_id) ?? 0) + 1);
  }
  const items = rows
    .filter((r) => !matching || matching.has(r.id))
    .map((r) => toDto(r, pathIds(r.path).map((x) => byId.get(x)?.name ?? '?'), {
      assetCount: r.asset_count, subtreeAssetCount: subtree.get(r.id) ?? 0, childCount: children.get(r.id) ?? 0,
    }));
  return items.sort((a, b) => {
    const n = Math.min(a.pathNames.length, b.pathNames.length);
    for (let i = 0; i < n; i++) {
      const c = collator.compare(a.pathNames[i] ?? '', b.pathNames[i] ?? '') || ((a.path[i] ?? '') < (b.path[i] ?? '') ? -1 : (a.path[i] ?? '') > (b.path[i] ?? '') ? 1 : 0);
      if (c) return c;
    }
    return a.pathNames.length - b.pathNames.length;
  });
}

async function detail(db: Executor, orgId: string, l: LocationRow): Promise<LocationDto> {
  return toDto(l, await namesAlong(db, orgId, l), {
    assetCount: await repo.directAssetCount(db, orgId, l.id),
    subtreeAssetCount: await repo.subtreeAssetCount(db, orgId, l.path),
    childCount: await repo.childCount(db, orgId, l.id),
  });
}

export async function get(ctx: Ctx, id: string): Promise<LocationDto> {
  authorize(ctx.actor, 'location.read');
  const orgId = orgOf(ctx);
  return detail(ctx.db, orgId, await requireLocation(ctx.db, orgId, id));
}

// ---------- writes ----------

const FIELDS = ['name', 'address', 'latitude', 'longitude'] as const;
type Snap = { name: string; address: string | null; latitude: number | null; longitude: number | null };
const snap = (l: Pick<LocationRow, 'name' | 'address' | 'latitude' | 'longitude'>): Snap =>
  ({ name: l.name, address: l.address, latitude: l.latitude === null ? null : Number(l.latitude), longitude: l.longitude === null ? null : Number(l.longitude) });

const clean = (v: string | null | undefined): string | null | undefined => (v === undefined ? undefined : v === null || v.trim() === '' ? null : v.trim());

function checkName(errors: FieldError[], v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const name = v.trim();
  if (!name) errors.push({ path: '/body/name', message: 'must not be empty', code: 'required' });
  else if (name.includes('/')) errors.push({ path: '/body/name', message: 'must not contain "/"', code: 'pattern' });
  return name;
}

function fail(errors: FieldError[]): void {
  if (errors.length) throw unprocessable('location.invalid', 'The location is not valid; see errors for each field.', errors);
}

const duplicate = (other: { id: string; name: string }) =>
  conflict('location.duplicate_name', `There is already a location named "${other.name}" at this level.`, { conflict: { id: other.id, name: other.name } },
    [{ path: '/body/name', message: 'is already used by another location with the same parent', code: 'duplicate' }]);

export async function create(ctx: Ctx, input: LocationCreateInput): Promise<LocationDto> {
  authorize(ctx.actor, 'location.manage');
  const orgId = orgOf(ctx);
  const errors: FieldError[] = [];
  const name = checkName(errors, input.name) ?? '';
  fail(errors);
  return ctx.db.transaction().execute(async (trx) => {
    const parentId = input.parentId ?? null;
    const parent = parentId ? await requireLocation(trx, orgId, parentId, '/body/parentId') : null;
    const other = await repo.findSiblingByName(trx, orgId, parentId, name);
    if (other) throw duplicate(other);
    const id = newId();
    const now = nowIso();
    const row: LocationRow = {
      id, org_id: orgId, name, parent_id: parentId, path: `${parent ? parent.path : '/'}${id}/`,
      address: clean(input.address) ?? null, latitude: input.latitude ?? null, longitude: input.longitude ?? null, created_at: now, updated_at: now,
    };
    try {
      await repo.insertLocation(trx, row);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicate({ id: '', name });
      throw err;
    }
    const dto = await detail(trx, orgId, row);
    await events.record(trx, ctx, {
      action: 'location.created', entityType: 'location', entityId: id,
      changes: { ...events.diff<Snap>(null, snap(row), FIELDS), ...(parentId ? { parentId: { before: null, after: parentId } } : {}) },
      meta: { pathNames: dto.pathNames },
    });
    return dto;
  });
}

export async function update(ctx: Ctx, id: string, input: LocationUpdateInput): Promise<LocationDto> {
  authorize(ctx.actor, 'location.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const before = await requireLocation(trx, orgId, id);
    const errors: FieldError[] = [];
    const name = checkName(errors, input.name) ?? before.name;
    fail(errors);

    // Where it goes: a new parent must be the organization's and must not lie inside the subtree.
    let parentId = before.parent_id;
    let newPath = before.path;
    if (input.parentId !== undefined && input.parentId !== before.parent_id) {
      parentId = input.parentId;
      const parent = parentId ? await requireLocation(trx, orgId, parentId, '/body/parentId') : null;
      if (parent && parent.path.startsWith(before.path)) {
        throw unprocessable('location.cycle', `"${parent.name}" is ${parent.id === id ? 'this location itself' : `inside "${before.name}"`}: moving there would create a cycle.`,
          [{ path: '/body/parentId', message: 'would create a cycle (a location cannot be moved under itself or one of its sub-locations)', code: 'cycle' }]);
      }
      newPath = `${parent ? parent.path : '/'}${id}/`;
    }
    const moved = newPath !== before.path;
    if (moved || name.toLowerCase() !== before.name.toLowerCase()) {
      const other = await repo.findSiblingByName(trx, orgId, parentId, name, id);
      if (other) throw duplicate(other);
    }

    const afterSnap: Snap = {
      name,
      address: input.address === undefined ? before.address : clean(input.address) ?? null,
      latitude: input.latitude === undefined ? snap(before).latitude : input.latitude,
      longitude: input.longitude === undefined ? snap(before).longitude : input.longitude,
    };
    const changes = events.diff<Snap>(snap(before), afterSnap, FIELDS);
    if (!moved && !Object.keys(changes).length) return detail(trx, orgId, before);

    const now = nowIso();
    const beforeNames = moved ? await namesAlong(trx, orgId, before) : [];
    let descendants = 0;
    try {
      await repo.updateLocation(trx, orgId, id, { ...afterSnap, parent_id: parentId, updated_at: now });
      if (moved) descendants = (await repo.rewriteSubtree(trx, orgId, before.path, newPath, now)) - 1;
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicate({ id: '', name });
      throw err;
    }
    const after = await requireLocation(trx, orgId, id);
    const dto = await detail(trx, orgId, after);
    if (Object.keys(changes).length) {
      await events.record(trx, ctx, { action: 'location.updated', entityType: 'location', entityId: id, changes });
    }
    if (moved) {
      await events.record(trx, ctx, {
        action: 'location.moved', entityType: 'location', entityId: id,
        changes: {
          parentId: { before: before.parent_id, after: parentId },
          path: { before: before.path, after: after.path },
          pathNames: { before: beforeNames, after: dto.pathNames },
        },
        meta: { descendantsMoved: descendants },
      });
    }
    return dto;
  });
}

const plural = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;

export async function remove(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'location.manage');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const before = await requireLocation(trx, orgId, id);
    const u = await repo.usage(trx, orgId, id);
    const parts: string[] = [];
    if (u.children) parts.push(plural(u.children, 'sub-location'));
    if (u.assets || u.deletedAssets) parts.push(`${plural(u.assets + u.deletedAssets, 'asset')} located there${u.deletedAssets ? ` (${u.deletedAssets} deleted)` : ''}`);
    if (u.defaultFor) parts.push(`${plural(u.defaultFor, 'asset')} with it as default location`);
    if (u.openAssignments) parts.push(`${plural(u.openAssignments, 'asset')} checked out to it`);
    if (u.pastAssignments) parts.push(`${plural(u.pastAssignments, 'past check-out')} in its custody history`);
    if (u.members) parts.push(`${plural(u.members, 'person', 'people')} whose profile location it is`);
    if (parts.length) {
      throw conflict('location.in_use', `Location "${before.name}" cannot be deleted: it still has ${parts.join(', ')}.`, { usage: u });
    }
    await repo.deleteLocation(trx, orgId, id);
    await events.record(trx, ctx, {
      action: 'location.deleted', entityType: 'location', entityId: id,
      changes: { ...events.diff<Snap>(snap(before), null, FIELDS), ...(before.parent_id ? { parentId: { before: before.parent_id, after: null } } : {}) },
      meta: { path: before.path },
    });
  });
}
