import type { Executor } from '../../db/database.js';
import { bulkInsert } from '../../db/dialect.js';
import { affected, first, prepare } from '../../db/prepared.js';
import type { AcceptancesTable, AssignmentsTable } from '../../db/schema.js';

// ---------- assets (custody's view of the register) ----------

/**
 * What custody needs to know about an asset: state, locations, parent, its category's acceptance
 * rule, and whether it has an open assignment; also what the lifecycle needs (category,
 * data-bearing), so that a check-out or check-in reads the asset once.
 */
export interface CustodyAssetRow {
  id: string;
  asset_tag: string;
  name: string | null;
  lifecycle_state: string;
  location_id: string | null;
  default_location_id: string | null;
  parent_asset_id: string | null;
  deleted_at: string | null;
  category_id: string;
  data_bearing: number;
  requires_acceptance: number;
  acceptance_terms: string | null;
  acceptance_terms_version: number | null;
  /** id of the open assignment (assignments_open_uq), null when none */
  open_assignment_id: string | null;
}

const assetBase = (db: Executor, orgId: string) =>
  db.selectFrom('assets').innerJoin('categories', 'categories.id', 'assets.category_id')
    .select((eb) => [
      'assets.id', 'assets.asset_tag', 'assets.name', 'assets.lifecycle_state', 'assets.location_id', 'assets.default_location_id',
      'assets.parent_asset_id', 'assets.deleted_at', 'assets.category_id', 'categories.data_bearing', 'categories.requires_acceptance',
      'categories.acceptance_terms', 'categories.acceptance_terms_version',
      eb.selectFrom('assignments as g').select('g.id')
        .whereRef('g.org_id', '=', 'assets.org_id').whereRef('g.asset_id', '=', 'assets.id').where('g.returned_at', 'is', null)
        .as('open_assignment_id'),
    ])
    .where('assets.org_id', '=', orgId);

// Check-out and check-in statements are built once (db/prepared.ts).
const findAssetQuery = prepare((db: Executor, orgId: string, id: string) => assetBase(db, orgId).where('assets.id', '=', id));

export const findAsset = (db: Executor, orgId: string, id: string): Promise<CustodyAssetRow | undefined> => first(db, findAssetQuery(db, orgId, id));

export const findAssets = (db: Executor, orgId: string, ids: readonly string[]): Promise<CustodyAssetRow[]> =>
  ids.length ? assetBase(db, orgId).where('assets.id', 'in', ids).execute() : Promise.resolve([]);

/** Moves an asset whose state does not change (a check-in of an asset in repair, missing or stolen). */
export const setAssetLocation = (db: Executor, orgId: string, assetId: string, patch: { location_id?: string | null; default_location_id?: string | null }, now: string) =>
  db.updateTable('assets').set({ ...patch, updated_at: now }).where('org_id', '=', orgId).where('id', '=', assetId).execute();

/** The upward edges of an asset in the containment graph: its parent and the asset it is checked out to. */
export async function containersOf(db: Executor, orgId: string, assetId: string): Promise<string[]> {
  const a = await db.selectFrom('assets').select('parent_asset_id').where('org_id', '=', orgId).where('id', '=', assetId).executeTakeFirst();
  const open = await db.selectFrom('assignments').select('target_asset_id').where('org_id', '=', orgId).where('asset_id', '=', assetId)
    .where('returned_at', 'is', null).where('target_asset_id', 'is not', null).executeTakeFirst();
  return [a?.parent_asset_id, open?.target_asset_id].filter((x): x is string => !!x);
}

// ---------- assignments ----------

/** One assignment with its asset, target label and acceptance, as every custody list shows it. */
export interface AssignmentRow extends AssignmentsTable {
  asset_tag: string;
  asset_name: string | null;
  user_name: string | null;
  location_name: string | null;
  target_asset_tag: string | null;
  acceptance_id: string | null;
  acceptance_status: string | null;
}

/**
 * assignments ⋈ asset ⟕ target user / location / asset ⟕ acceptance, in one statement. The joins
 * are on primary keys; the composite foreign keys guarantee those rows belong to the same tenant.
 */
const assignmentBase = (db: Executor, orgId: string) =>
  db.selectFrom('assignments')
    .innerJoin('assets', 'assets.id', 'assignments.asset_id')
    .leftJoin('users', 'users.id', 'assignments.target_user_id')
    .leftJoin('locations', 'locations.id', 'assignments.target_location_id')
    .leftJoin('assets as target_assets', 'target_assets.id', 'assignments.target_asset_id')
    .leftJoin('acceptances', 'acceptances.assignment_id', 'assignments.id')
    .selectAll('assignments')
    .select([
      'assets.asset_tag', 'assets.name as asset_name', 'users.display_name as user_name', 'locations.name as location_name',
      'target_assets.asset_tag as target_asset_tag', 'acceptances.id as acceptance_id', 'acceptances.status as acceptance_status',
    ])
    .where('assignments.org_id', '=', orgId);

export const findAssignment = (db: Executor, orgId: string, id: string): Promise<AssignmentRow | undefined> =>
  assignmentBase(db, orgId).where('assignments.id', '=', id).executeTakeFirst();

const findOpenQuery = prepare((db: Executor, orgId: string, assetId: string) =>
  assignmentBase(db, orgId).where('assignments.asset_id', '=', assetId).where('assignments.returned_at', 'is', null));

export const findOpenAssignment = (db: Executor, orgId: string, assetId: string): Promise<AssignmentRow | undefined> => first(db, findOpenQuery(db, orgId, assetId));

export const openAssignmentsOf = (db: Executor, orgId: string, assetIds: readonly string[]): Promise<AssignmentRow[]> =>
  assetIds.length
    ? assignmentBase(db, orgId).where('assignments.asset_id', 'in', assetIds).where('assignments.returned_at', 'is', null).execute()
    : Promise.resolve([]);

/** When the asset's last assignment ended (a back-dated check-out may not start before it). */
export const lastReturnedAt = async (db: Executor, orgId: string, assetId: string): Promise<string | null> =>
  (await db.selectFrom('assignments').select('returned_at').where('org_id', '=', orgId).where('asset_id', '=', assetId)
    .where('returned_at', 'is not', null).orderBy('returned_at', 'desc').limit(1).executeTakeFirst())?.returned_at ?? null;

export interface AssignmentFilter {
  assetId?: string;
  userId?: string;
  locationId?: string;
  targetAssetId?: string;
  open?: boolean;
  /** Keyset: rows strictly after (checkedOutAt, id) in descending order. */
  after?: { checkedOutAt: string; id: string };
  limit: number;
}

export function listAssignments(db: Executor, orgId: string, f: AssignmentFilter): Promise<AssignmentRow[]> {
  let q = assignmentBase(db, orgId);
  if (f.assetId) q = q.where('assignments.asset_id', '=', f.assetId);
  if (f.userId) q = q.where('assignments.target_user_id', '=', f.userId);
  if (f.locationId) q = q.where('assignments.target_location_id', '=', f.locationId);
  if (f.targetAssetId) q = q.where('assignments.target_asset_id', '=', f.targetAssetId);
  if (f.open === true) q = q.where('assignments.returned_at', 'is', null);
  if (f.open === false) q = q.where('assignments.returned_at', 'is not', null);
  const after = f.after;
  if (after) {
    q = q.where((eb) => eb.or([
      eb('assignments.checked_out_at', '<', after.checkedOutAt),
      eb.and([eb('assignments.checked_out_at', '=', after.checkedOutAt), eb('assignments.id', '<', after.id)]),
    ]));
  }
  return q.orderBy('assignments.checked_out_at', 'desc').orderBy('assignments.id', 'desc').limit(f.limit).execute();
}

/** Open assignments whose expected return date lies in [from, to] (either bound optional), soonest first. */
export function openByExpectedReturn(db: Executor, orgId: string, range: { from?: string; before?: string; to?: string }, limit: number): Promise<AssignmentRow[]> {
  let q = assignmentBase(db, orgId).where('assignments.returned_at', 'is', null).where('assignments.expected_return_at', 'is not', null);
  if (range.from) q = q.where('assignments.expected_return_at', '>=', range.from);
  if (range.to) q = q.where('assignments.expected_return_at', '<=', range.to);
  if (range.before) q = q.where('assignments.expected_return_at', '<', range.before);
  return q.orderBy('assignments.expected_return_at').orderBy('assignments.checked_out_at').orderBy('assignments.id').limit(limit).execute();
}

/** Assignments in force at instant `at`: started at or before it and not yet returned at it. */
export function heldAt(db: Executor, orgId: string, at: string, by: { assetId?: string; userId?: string }): Promise<AssignmentRow[]> {
  let q = assignmentBase(db, orgId)
    .where('assignments.checked_out_at', '<=', at)
    .where((eb) => eb.or([eb('assignments.returned_at', 'is', null), eb('assignments.returned_at', '>', at)]));
  if (by.assetId) q = q.where('assignments.asset_id', '=', by.assetId);
  if (by.userId) q = q.where('assignments.target_user_id', '=', by.userId);
  return q.orderBy('assignments.checked_out_at').orderBy('assignments.id').execute();
}

export const openForUser = (db: Executor, orgId: string, userId: string): Promise<AssignmentRow[]> =>
  assignmentBase(db, orgId).where('assignments.target_user_id', '=', userId).where('assignments.returned_at', 'is', null)
    .orderBy('assignments.checked_out_at').orderBy('assignments.id').execute();

export const insertAssignment = (db: Executor, row: AssignmentsTable) => bulkInsert(db, 'assignments', [row]);

const closeQuery = prepare((db: Executor, orgId: string, id: string, returnedAt: string, returnedBy: string | null, note: string | null) =>
  db.updateTable('assignments').set({ returned_at: returnedAt, returned_by: returnedBy, checkin_note: note })
    .where('org_id', '=', orgId).where('id', '=', id).where('returned_at', 'is', null));

/** Closes the assignment if it is still open; returns false when someone else closed it first. */
export async function closeAssignment(db: Executor, orgId: string, id: string, patch: { returned_at: string; returned_by: string | null; checkin_note: string | null }): Promise<boolean> {
  return (await affected(db, closeQuery(db, orgId, id, patch.returned_at, patch.returned_by, patch.checkin_note))) === 1;
}

// ---------- acceptances ----------

export interface AcceptanceRow extends AcceptancesTable {
  asset_tag: string;
  asset_name: string | null;
}

const acceptanceBase = (db: Executor, orgId: string) =>
  db.selectFrom('acceptances').innerJoin('assets', 'assets.id', 'acceptances.asset_id')
    .selectAll('acceptances').select(['assets.asset_tag', 'assets.name as asset_name'])
    .where('acceptances.org_id', '=', orgId);

export const findAcceptance = (db: Executor, orgId: string, id: string): Promise<AcceptanceRow | undefined> =>
  acceptanceBase(db, orgId).where('acceptances.id', '=', id).executeTakeFirst();

export const pendingAcceptancesOf = (db: Executor, orgId: string, userId: string): Promise<AcceptanceRow[]> =>
  acceptanceBase(db, orgId).where('acceptances.user_id', '=', userId).where('acceptances.status', '=', 'pending')
    .orderBy('acceptances.created_at').orderBy('acceptances.id').execute();

export const insertAcceptance = (db: Executor, row: AcceptancesTable) => bulkInsert(db, 'acceptances', [row]);

/** Answers a still-pending acceptance; returns false when it was no longer pending. */
export async function answerAcceptance(db: Executor, orgId: string, id: string, patch: { status: string; signature?: string | null; note?: string | null; responded_at: string }): Promise<boolean> {
  const r = await db.updateTable('acceptances').set(patch).where('org_id', '=', orgId).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Cancels the assignment's acceptance if still pending (checked in before an answer); returns its id. */
export async function cancelPendingAcceptance(db: Executor, orgId: string, assignmentId: string, now: string): Promise<string | null> {
  return (await first(db, cancelPendingQuery(db, orgId, assignmentId, now)))?.id ?? null;
}

const cancelPendingQuery = prepare((db: Executor, orgId: string, assignmentId: string, now: string) =>
  db.updateTable('acceptances').set({ status: 'cancelled', responded_at: now })
    .where('org_id', '=', orgId).where('assignment_id', '=', assignmentId).where('status', '=', 'pending')
    .returning('id'));
