import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { LocationsTable } from '../../db/schema.js';
import { containsCi } from '../../db/dialect.js';

/*
 * The location tree is stored with a materialized path of ids (`/<rootId>/<childId>/`): a subtree
 * is one indexed range `path like '<prefix>%'` (locations_path_idx) on both engines.
 */

export type LocationRow = LocationsTable;
export type LocationWithCount = LocationsTable & { asset_count: number };

/** Paths are made of UUIDs and slashes only, so they never contain LIKE wildcards; refuse anything else. */
function prefixPattern(path: string): string {
  if (!/^[/0-9a-f-]+$/i.test(path)) throw new Error(`not a location path: ${path}`);
  return `${path}%`;
}

export const findLocation = (db: Executor, orgId: string, id: string): Promise<LocationRow | undefined> =>
  db.selectFrom('locations').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();

/** Every location of the organization with the number of (live) assets located directly there. */
export async function listLocations(db: Executor, orgId: string): Promise<LocationWithCount[]> {
  const rows = await db.selectFrom('locations')
    .selectAll('locations')
    .select((eb) => eb.selectFrom('assets').select((e) => e.fn.countAll().as('c'))
      .whereRef('assets.org_id', '=', 'locations.org_id').whereRef('assets.location_id', '=', 'locations.id')
      .where('assets.deleted_at', 'is', null).as('asset_count'))
    .where('locations.org_id', '=', orgId)
    .execute();
  return rows.map((r) => ({ ...r, asset_count: Number(r.asset_count ?? 0) }));
}

/** Ids of the locations whose name contains `q` (case-insensitive). */
export async function idsMatching(db: Executor, orgId: string, q: string): Promise<Set<string>> {
  const rows = await db.selectFrom('locations').select('id').where('org_id', '=', orgId).where((eb) => containsCi(eb, eb.ref('name'), q)).execute();
  return new Set(rows.map((r) => r.id));
}

export const namesOf = (db: Executor, orgId: string, ids: string[]) =>
  ids.length ? db.selectFrom('locations').select(['id', 'name']).where('org_id', '=', orgId).where('id', 'in', ids).execute() : Promise.resolve([]);

/** A sibling (same parent, or both roots) with the same name, ignoring case. */
export const findSiblingByName = (db: Executor, orgId: string, parentId: string | null, name: string, exceptId?: string) => {
  let q = db.selectFrom('locations').select(['id', 'name']).where('org_id', '=', orgId)
    .where((eb) => eb(eb.fn('lower', [eb.ref('name')]), '=', name.toLowerCase()));
  q = parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', parentId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return q.executeTakeFirst();
};

export const insertLocation = (db: Executor, row: LocationsTable) => db.insertInto('locations').values(row).execute();

export const updateLocation = (db: Executor, orgId: string, id: string, patch: Partial<LocationsTable>) =>
  db.updateTable('locations').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();

export const deleteLocation = (db: Executor, orgId: string, id: string) =>
  db.deleteFrom('locations').where('org_id', '=', orgId).where('id', '=', id).execute();

/**
 * Re-roots a subtree: every path starting with `oldPrefix` gets `newPrefix` instead, in one
 * statement (`||` and `substr` are standard on both engines). Returns the number of rows rewritten.
 */
export async function rewriteSubtree(db: Executor, orgId: string, oldPrefix: string, newPrefix: string, now: string): Promise<number> {
  prefixPattern(newPrefix);
  const r = await db.updateTable('locations')
    .set({ path: sql<string>`${newPrefix} || substr(${sql.ref('path')}, ${oldPrefix.length + 1})`, updated_at: now })
    .where('org_id', '=', orgId)
    .where('path', 'like', prefixPattern(oldPrefix))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

const count = async (q: { executeTakeFirstOrThrow(): Promise<{ c: unknown }> }): Promise<number> => Number((await q.executeTakeFirstOrThrow()).c ?? 0);

/** Live assets located anywhere in the subtree rooted at `path`. */
export const subtreeAssetCount = (db: Executor, orgId: string, path: string) =>
  count(db.selectFrom('assets').innerJoin('locations', 'locations.id', 'assets.location_id')
    .select((eb) => eb.fn.countAll().as('c'))
    .where('assets.org_id', '=', orgId).where('assets.deleted_at', 'is', null)
    .where('locations.org_id', '=', orgId).where('locations.path', 'like', prefixPattern(path)));

export const childCount = (db: Executor, orgId: string, id: string) =>
  count(db.selectFrom('locations').select((eb) => eb.fn.countAll().as('c')).where('org_id', '=', orgId).where('parent_id', '=', id));

export const directAssetCount = (db: Executor, orgId: string, id: string) =>
  count(db.selectFrom('assets').select((eb) => eb.fn.countAll().as('c')).where('org_id', '=', orgId).where('location_id', '=', id).where('deleted_at', 'is', null));

export interface LocationUsage {
  children: number;
  /** Live assets located there. */
  assets: number;
  /** Soft-deleted assets located there (they still reference it). */
  deletedAssets: number;
  /** Assets whose default (home) location it is. */
  defaultFor: number;
  openAssignments: number;
  pastAssignments: number;
  members: number;
}

export async function usage(db: Executor, orgId: string, id: string): Promise<LocationUsage> {
  const assets = await db.selectFrom('assets')
    .select((eb) => [eb.fn.countAll().as('total'), eb.fn.count('deleted_at').as('deleted')])
    .where('org_id', '=', orgId).where('location_id', '=', id).executeTakeFirstOrThrow();
  const assignments = await db.selectFrom('assignments')
    .select((eb) => [eb.fn.countAll().as('total'), eb.fn.count('returned_at').as('returned')])
    .where('org_id', '=', orgId).where('target_location_id', '=', id).executeTakeFirstOrThrow();
  const total = Number(assets.total ?? 0);
  const deleted = Number(assets.deleted ?? 0);
  const aTotal = Number(assignments.total ?? 0);
  const returned = Number(assignments.returned ?? 0);
  return {
    children: await childCount(db, orgId, id),
    assets: total - deleted,
    deletedAssets: deleted,
    defaultFor: await count(db.selectFrom('assets').select((eb) => eb.fn.countAll().as('c')).where('org_id', '=', orgId).where('default_location_id', '=', id)),
    openAssignments: aTotal - returned,
    pastAssignments: returned,
    members: await count(db.selectFrom('member_profiles').select((eb) => eb.fn.countAll().as('c')).where('org_id', '=', orgId).where('location_id', '=', id)),
  };
}
