/**
 * Custody: check-out and check-in of assets to people, locations and other assets, the history
 * of who held what when, acceptance of check-outs by the employee, and offboarding.
 *
 * State changes go only through `lifecycle.applyTransition(..., { viaCustody: true })`; the
 * database's partial unique index `assignments_open_uq` guarantees at most one open assignment
 * per asset, even when two check-outs race (the loser's insert fails and becomes the same 409).
 */
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { AppError, badRequest, conflict, forbidden, notFound, unprocessable, type FieldError } from '../../errors.js';
import { fromDbBool, isUniqueViolation, violatedConstraint } from '../../db/dialect.js';
import { writeTransaction } from '../../db/group-commit.js';
import { newId, nowIso } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import * as members from '../members/members.service.js';
import * as catalog from '../catalog/catalog.service.js';
import * as lifecycle from '../lifecycle/lifecycle.service.js';
import { CHECKOUT_FROM, allowedFrom, type LifecycleState } from '../lifecycle/lifecycle.machine.js';
import * as repo from './custody.repository.js';
import type { AssignmentsTable } from '../../db/schema.js';
import type {
  AcceptanceDto, AcceptanceStatus, AssignmentDto, AssignmentQueryInput, BulkCheckinInput, BulkCheckoutInput, CheckinInput, CheckoutInput, TargetType,
} from './custody.schemas.js';

export type { AcceptanceDto, AssignmentDto } from './custody.schemas.js';

// ---------- mapping ----------

const today = (): string => nowIso().slice(0, 10);

interface Holder { type: TargetType; id: string; label: string }

function holderOf(r: repo.AssignmentRow): Holder {
  switch (r.target_type) {
    case 'user': return { type: 'user', id: r.target_user_id ?? '', label: r.user_name ?? '' };
    case 'location': return { type: 'location', id: r.target_location_id ?? '', label: r.location_name ?? '' };
    default: return { type: 'asset', id: r.target_asset_id ?? '', label: r.target_asset_tag ?? '' };
  }
}

const toAssignmentDto = (r: repo.AssignmentRow, day = today()): AssignmentDto => {
  const holder = holderOf(r);
  return {
    id: r.id,
    asset: { id: r.asset_id, assetTag: r.asset_tag, name: r.asset_name },
    targetType: holder.type,
    target: { id: holder.id, label: holder.label },
    checkedOutAt: r.checked_out_at,
    checkedOutBy: r.checked_out_by,
    expectedReturnAt: r.expected_return_at,
    checkoutNote: r.checkout_note,
    returnedAt: r.returned_at,
    returnedBy: r.returned_by,
    checkinNote: r.checkin_note,
    overdue: r.returned_at === null && r.expected_return_at !== null && r.expected_return_at < day,
    // Only the app writes acceptances.status, always one of ACCEPTANCE_STATUSES.
    acceptance: r.acceptance_id ? { id: r.acceptance_id, status: r.acceptance_status as AcceptanceStatus } : null,
  };
};

const toAcceptanceDto = (r: repo.AcceptanceRow): AcceptanceDto => ({
  id: r.id,
  // Only the app writes this column, always one of ACCEPTANCE_STATUSES.
  status: r.status as AcceptanceStatus,
  assignmentId: r.assignment_id,
  asset: { id: r.asset_id, assetTag: r.asset_tag, name: r.asset_name },
  userId: r.user_id,
  termsText: r.terms_text,
  termsVersion: r.terms_version === null ? null : Number(r.terms_version),
  signature: r.signature,
  note: r.note,
  respondedAt: r.responded_at,
  createdAt: r.created_at,
});

const clean = (v: string | null | undefined): string | null => (v === undefined || v === null || v.trim() === '' ? null : v.trim());

// ---------- input checks ----------

const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/i;
/** Clocks of browsers and servers differ a little; an instant this far ahead of ours is still "now". */
const CLOCK_SKEW_MS = 2 * 60_000;

/** An instant typed by a person: ISO-8601 with a zone, or `YYYY-MM-DD` (00:00 UTC). Returns ISO UTC. */
function parseInstant(value: string, path: string): string {
  const v = value.trim();
  const m = INSTANT_RE.exec(v);
  const invalid = () => unprocessable('custody.invalid_time', `"${value}" is not a valid date or timestamp.`, [{ path, message: 'must be an ISO-8601 timestamp with a time zone, or YYYY-MM-DD', code: 'format' }]);
  if (!m) throw invalid();
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) throw invalid();
  const ms = Date.parse(m[4] ? v.toUpperCase() : `${v}T00:00:00Z`);
  if (Number.isNaN(ms)) throw invalid();
  return new Date(ms).toISOString();
}

function notInFuture(iso: string, path: string): void {
  if (Date.parse(iso) > Date.now() + CLOCK_SKEW_MS) {
    throw unprocessable('custody.time_in_future', 'Custody cannot be recorded for a time that has not come yet.', [{ path, message: 'must not be in the future', code: 'future' }]);
  }
}

// ---------- errors ----------

function alreadyCheckedOut(tag: string, open: repo.AssignmentRow | undefined): AppError {
  const holder = open ? holderOf(open) : null;
  return conflict(
    'custody.already_checked_out',
    holder ? `${tag} is already checked out to ${holder.label}; check it in first.` : `${tag} is already checked out; check it in first.`,
    { holder, assignmentId: open?.id ?? null },
  );
}

const notCheckedOut = (tag: string) => conflict('custody.not_checked_out', `${tag} is not checked out.`);

function notAvailable(tag: string, state: LifecycleState): AppError {
  return conflict('custody.not_available', `${tag} is ${state.replace(/_/g, ' ')} and cannot be checked out; only assets in stock can.`, {
    state,
    allowed: allowedFrom(state).map((t) => ({ to: t.to, action: t.action, label: t.label, requiresReason: !!t.requiresReason })),
  });
}

/** The unique violation of `assignments_open_uq`: another check-out of the same asset committed first. */
function isOpenAssignmentConflict(err: unknown): boolean {
  if (!isUniqueViolation(err)) return false;
  const c = violatedConstraint(err);
  // PostgreSQL names the index; SQLite names its columns.
  return c.includes('assignments_open_uq') || c.includes('assignments.org_id, assignments.asset_id');
}

// ---------- lookups ----------

async function requireAsset(db: Executor, orgId: string, id: string, path?: string): Promise<repo.CustodyAssetRow> {
  const a = await repo.findAsset(db, orgId, id);
  if (!a || a.deleted_at) throw notFound('asset', path);
  return a;
}

interface Target extends Holder {
  /** Where an asset checked out to this target is: the user's profile location, the location, or the parent asset's location. */
  locationId: string | null;
}

async function resolveTarget(db: Executor, orgId: string, type: TargetType, id: string, path = '/body/targetId'): Promise<Target> {
  if (type === 'user') {
    const m = await members.requireMember(db, orgId, id, path);
    if (!fromDbBool(m.is_active)) {
      throw unprocessable('custody.target_inactive', `${m.display_name} is deactivated and cannot receive assets.`, [{ path, message: 'is a deactivated account', code: 'inactive' }]);
    }
    return { type, id, label: m.display_name, locationId: await catalog.memberLocation(db, orgId, id) };
  }
  if (type === 'location') {
    const l = await catalog.requireLocation(db, orgId, id, path);
    return { type, id, label: l.name, locationId: l.id };
  }
  const a = await requireAsset(db, orgId, id, path);
  return { type, id, label: a.asset_tag, locationId: a.location_id };
}

/** Whether `ancestorId` contains `assetId`, following parents and open check-outs to assets upwards. */
async function isInside(db: Executor, orgId: string, assetId: string, ancestorId: string): Promise<boolean> {
  const seen = new Set<string>([assetId]);
  let frontier = [assetId];
  while (frontier.length && seen.size < 10_000) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const up of await repo.containersOf(db, orgId, id)) {
        if (up === ancestorId) return true;
        if (!seen.has(up)) {
          seen.add(up);
          next.push(up);
        }
      }
    }
    frontier = next;
  }
  return false;
}

/** Why this asset cannot be checked out to this target now, or null. */
async function checkoutProblem(db: Executor, orgId: string, asset: repo.CustodyAssetRow, open: repo.AssignmentRow | undefined, target: Target): Promise<AppError | null> {
  if (open) return alreadyCheckedOut(asset.asset_tag, open);
  const state = asset.lifecycle_state as LifecycleState;
  if (!CHECKOUT_FROM.includes(state)) return notAvailable(asset.asset_tag, state);
  if (target.type === 'asset') {
    if (target.id === asset.id) {
      return unprocessable('custody.target_is_self', `${asset.asset_tag} cannot be checked out to itself.`, [{ path: '/body/targetId', message: 'is the asset being checked out', code: 'self' }]);
    }
    if (await isInside(db, orgId, target.id, asset.id)) {
      return unprocessable('custody.target_cycle', `${target.label} is inside ${asset.asset_tag}; checking ${asset.asset_tag} out to it would create a cycle.`,
        [{ path: '/body/targetId', message: 'is inside the asset being checked out (would create a cycle)', code: 'cycle' }]);
    }
  }
  return null;
}

// ---------- writers (inside the caller's transaction) ----------

interface CheckoutOptions { checkedOutAt: string; expectedReturnAt: string | null; note: string | null }

/** Writes a check-out and returns the new assignment as the API shows it (what a re-read would give). */
async function writeCheckout(trx: Executor, ctx: Ctx, orgId: string, asset: repo.CustodyAssetRow, target: Target, o: CheckoutOptions): Promise<AssignmentDto> {
  const now = nowIso();
  const assignmentId = newId();
  const row: AssignmentsTable = {
    id: assignmentId, org_id: orgId, asset_id: asset.id, target_type: target.type,
    target_user_id: target.type === 'user' ? target.id : null,
    target_location_id: target.type === 'location' ? target.id : null,
    target_asset_id: target.type === 'asset' ? target.id : null,
    checked_out_at: o.checkedOutAt, checked_out_by: ctx.actor.userId, expected_return_at: o.expectedReturnAt, checkout_note: o.note,
    returned_at: null, returned_by: null, checkin_note: null, created_at: now,
  };
  await repo.insertAssignment(trx, row);
  let acceptanceId: string | null = null;
  if (target.type === 'user' && fromDbBool(asset.requires_acceptance)) {
    acceptanceId = newId();
    await repo.insertAcceptance(trx, {
      id: acceptanceId, org_id: orgId, assignment_id: assignmentId, asset_id: asset.id, user_id: target.id, status: 'pending',
      terms_text: asset.acceptance_terms, terms_version: asset.acceptance_terms_version === null ? null : Number(asset.acceptance_terms_version),
      signature: null, note: null, responded_at: null, created_at: now,
    });
  }
  // The asset is where its new holder is; a holder with no known location leaves it unknown
  // (acceptance scenarios CO-08/CO-10: the location must not claim a place the asset left).
  const location = asset.location_id !== target.locationId ? { before: asset.location_id, after: target.locationId } : null;
  const common = {
    assignmentId, targetType: target.type, targetId: target.id, targetLabel: target.label, checkedOutAt: o.checkedOutAt,
    ...(o.expectedReturnAt ? { expectedReturnAt: o.expectedReturnAt } : {}), ...(o.note ? { note: o.note } : {}),
    ...(acceptanceId ? { acceptanceId } : {}),
  };
  // One UPDATE of the asset row (the state and, when it changes, the location) and one batch of
  // events: the asset's, then the holder's.
  await lifecycle.applyTransition(trx, ctx, asset.id, 'deployed', {
    viaCustody: true, asset, ...(location ? { patch: { location_id: target.locationId } } : {}),
    meta: { ...common, ...(location ? { locationId: location } : {}) },
    events: [{
      action: 'custody.received', entityType: target.type, entityId: target.id,
      changes: location ? { assetLocationId: location } : {},
      meta: { ...common, assetId: asset.id, assetTag: asset.asset_tag },
    }],
  });
  return toAssignmentDto({
    ...row, asset_tag: asset.asset_tag, asset_name: asset.name,
    user_name: target.type === 'user' ? target.label : null,
    location_name: target.type === 'location' ? target.label : null,
    target_asset_tag: target.type === 'asset' ? target.label : null,
    acceptance_id: acceptanceId, acceptance_status: acceptanceId ? 'pending' : null,
  });
}

interface CheckinOptions { note: string | null; locationId: string | null; updateDefaultLocation: boolean; checkedInAt: string | null }

/** Writes a check-in and returns the closed assignment as the API shows it (what a re-read would give). */
async function writeCheckin(trx: Executor, ctx: Ctx, orgId: string, asset: repo.CustodyAssetRow, open: repo.AssignmentRow, o: CheckinOptions): Promise<AssignmentDto> {
  const now = nowIso();
  const returnedAt = o.checkedInAt ?? now;
  if (returnedAt < open.checked_out_at) {
    throw unprocessable('custody.checkin_before_checkout', `${asset.asset_tag} was checked out at ${open.checked_out_at}; it cannot be returned before that.`,
      [{ path: '/body/checkedInAt', message: 'must not be before the check-out', code: 'range' }]);
  }
  const closed = { returned_at: returnedAt, returned_by: ctx.actor.userId, checkin_note: o.note };
  if (!(await repo.closeAssignment(trx, orgId, open.id, closed))) {
    throw notCheckedOut(asset.asset_tag);
  }
  // Only a pending acceptance is cancelled (an answered one stays as answered).
  const cancelledAcceptanceId = open.acceptance_status === 'pending' ? await repo.cancelPendingAcceptance(trx, orgId, open.id, now) : null;
  // Back to the given location, else the default location, else where it is now.
  const newLocation = o.locationId ?? asset.default_location_id ?? asset.location_id;
  const patch: { location_id?: string | null; default_location_id?: string | null } = {};
  const changes: events.Changes = {};
  if (newLocation !== asset.location_id) {
    patch.location_id = newLocation;
    changes.locationId = { before: asset.location_id, after: newLocation };
  }
  if (o.updateDefaultLocation && o.locationId && o.locationId !== asset.default_location_id) {
    patch.default_location_id = o.locationId;
    changes.defaultLocationId = { before: asset.default_location_id, after: o.locationId };
  }
  const moved = Object.keys(patch).length > 0;
  const holder = holderOf(open);
  const common = {
    assignmentId: open.id, targetType: holder.type, targetId: holder.id, targetLabel: holder.label, checkedInAt: returnedAt,
    ...(o.note ? { note: o.note } : {}), ...(cancelledAcceptanceId ? { acceptanceCancelled: cancelledAcceptanceId } : {}),
  };
  const returned: events.NewEvent = {
    action: 'custody.returned', entityType: holder.type, entityId: holder.id,
    changes: changes.locationId ? { assetLocationId: changes.locationId } : {},
    meta: { ...common, assetId: asset.id, assetTag: asset.asset_tag },
  };
  const state = asset.lifecycle_state as LifecycleState;
  if (state === 'deployed') {
    // One UPDATE of the asset row (the state and, when they change, the locations) and one batch
    // of events: the asset's, then the holder's.
    await lifecycle.applyTransition(trx, ctx, asset.id, 'in_stock', { viaCustody: true, asset, ...(moved ? { patch } : {}), meta: { ...common, ...changes }, events: [returned] });
  } else {
    // In repair, missing or stolen while held: the holder's custody ends, the state stays.
    if (moved) await repo.setAssetLocation(trx, orgId, asset.id, patch, now);
    await events.recordMany(trx, ctx, [
      { action: 'asset.checked_in', entityType: 'asset', entityId: asset.id, changes: {}, meta: { ...common, ...changes, lifecycleState: state } },
      returned,
    ]);
  }
  return toAssignmentDto({ ...open, ...closed, ...(cancelledAcceptanceId ? { acceptance_status: 'cancelled' } : {}) });
}

function checkExpectedReturn(expected: string | null, checkedOutAt: string, path = '/body/expectedReturnAt'): void {
  if (expected && expected < checkedOutAt.slice(0, 10)) {
    throw unprocessable('custody.invalid_expected_return', 'The expected return date is before the check-out.', [{ path, message: 'must not be before the check-out date', code: 'range' }]);
  }
}

// ---------- check-out ----------

/** `POST /assets/:id/checkout` */
export async function checkout(ctx: Ctx, assetId: string, input: CheckoutInput): Promise<AssignmentDto> {
  authorize(ctx.actor, 'custody.manage');
  const orgId = orgOf(ctx);
  const given = input.checkedOutAt ? parseInstant(input.checkedOutAt, '/body/checkedOutAt') : null;
  if (given) notInFuture(given, '/body/checkedOutAt');
  const now = nowIso();
  // Within the allowed clock skew a given time may be a little ahead of ours: record it as now.
  const checkedOutAt = given && given < now ? given : now;
  const expectedReturnAt = input.expectedReturnAt ?? null;
  checkExpectedReturn(expectedReturnAt, checkedOutAt);
  try {
    // Concurrent check-outs and check-ins share a commit on SQLite (db/group-commit.ts).
    return await writeTransaction(ctx.db, ctx.engine, async (trx) => {
      const asset = await requireAsset(trx, orgId, assetId);
      const target = await resolveTarget(trx, orgId, input.targetType, input.targetId);
      // The holder is read only when there is one (for the 409); a check-out racing another one
      // still fails on assignments_open_uq.
      const open = asset.open_assignment_id ? await repo.findOpenAssignment(trx, orgId, assetId) : undefined;
      const problem = await checkoutProblem(trx, orgId, asset, open, target);
      if (problem) throw problem;
      if (given) {
        const last = await repo.lastReturnedAt(trx, orgId, assetId);
        if (last && checkedOutAt < last) {
          throw unprocessable('custody.overlapping_history', `${asset.asset_tag} was last returned at ${last}; a check-out cannot start before that.`,
            [{ path: '/body/checkedOutAt', message: 'must not be before the previous return of this asset', code: 'range' }]);
        }
      }
      return writeCheckout(trx, ctx, orgId, asset, target, { checkedOutAt, expectedReturnAt, note: clean(input.note) });
    });
  } catch (err) {
    if (isOpenAssignmentConflict(err)) {
      const asset = await repo.findAsset(ctx.db, orgId, assetId);
      throw alreadyCheckedOut(asset?.asset_tag ?? 'The asset', await repo.findOpenAssignment(ctx.db, orgId, assetId));
    }
    throw err;
  }
}

function toFieldError(index: number, e: AppError): FieldError {
  return { path: `/body/assetIds/${index}`, message: e.message, code: e.code.replace(/^custody\./, '') };
}

function bulkFailed(errors: FieldError[], verb: string): AppError {
  return unprocessable('custody.bulk_failed', `${errors.length} of the selected assets cannot be ${verb}; nothing was changed.`, errors);
}

/** Per-asset problems of a bulk check-out, read-only; empty when every asset can go. */
async function bulkCheckoutErrors(db: Executor, orgId: string, assetIds: readonly string[], target: Target): Promise<{ errors: FieldError[]; assets: Map<string, repo.CustodyAssetRow> }> {
  const assets = new Map((await repo.findAssets(db, orgId, assetIds)).map((a) => [a.id, a]));
  const open = new Map((await repo.openAssignmentsOf(db, orgId, assetIds)).map((a) => [a.asset_id, a]));
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const [i, id] of assetIds.entries()) {
    const asset = assets.get(id);
    if (seen.has(id)) {
      errors.push({ path: `/body/assetIds/${i}`, message: 'is listed twice', code: 'duplicate' });
      continue;
    }
    seen.add(id);
    if (!asset || asset.deleted_at) {
      errors.push({ path: `/body/assetIds/${i}`, message: 'No such asset.', code: 'not_found' });
      continue;
    }
    const problem = await checkoutProblem(db, orgId, asset, open.get(id), target);
    if (problem) errors.push(toFieldError(i, problem));
  }
  return { errors, assets };
}

/** `POST /custody/checkout`: all or nothing; 422 with one error per failing asset. */
export async function bulkCheckout(ctx: Ctx, input: BulkCheckoutInput): Promise<{ items: AssignmentDto[] }> {
  authorize(ctx.actor, 'custody.manage');
  const orgId = orgOf(ctx);
  const checkedOutAt = nowIso();
  const expectedReturnAt = input.expectedReturnAt ?? null;
  checkExpectedReturn(expectedReturnAt, checkedOutAt);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const target = await resolveTarget(trx, orgId, input.targetType, input.targetId);
      const { errors, assets } = await bulkCheckoutErrors(trx, orgId, input.assetIds, target);
      if (errors.length) throw bulkFailed(errors, 'checked out');
      const items: AssignmentDto[] = [];
      for (const assetId of input.assetIds) {
        const asset = assets.get(assetId);
        if (asset) items.push(await writeCheckout(trx, ctx, orgId, asset, target, { checkedOutAt, expectedReturnAt, note: clean(input.note) }));
      }
      return { items };
    });
  } catch (err) {
    if (isOpenAssignmentConflict(err)) {
      // A concurrent check-out won one of them; report per asset, as if we had seen it first.
      const target = await resolveTarget(ctx.db, orgId, input.targetType, input.targetId);
      const { errors } = await bulkCheckoutErrors(ctx.db, orgId, input.assetIds, target);
      throw errors.length ? bulkFailed(errors, 'checked out') : conflict('custody.already_checked_out', 'Another check-out of these assets happened at the same time; try again.');
    }
    throw err;
  }
}

// ---------- check-in ----------

/** `POST /assets/:id/checkin` */
export async function checkin(ctx: Ctx, assetId: string, input: CheckinInput): Promise<AssignmentDto> {
  authorize(ctx.actor, 'custody.manage');
  const orgId = orgOf(ctx);
  const given = input.checkedInAt ? parseInstant(input.checkedInAt, '/body/checkedInAt') : null;
  if (given) notInFuture(given, '/body/checkedInAt');
  const now = nowIso();
  const checkedInAt = given && given < now ? given : null;
  const locationId = input.locationId ?? null;
  if (input.updateDefaultLocation && !locationId) {
    throw unprocessable('custody.location_required', 'Say which location becomes the default.', [{ path: '/body/locationId', message: 'is required when updateDefaultLocation is true', code: 'required' }]);
  }
  return writeTransaction(ctx.db, ctx.engine, async (trx) => {
    const asset = await requireAsset(trx, orgId, assetId);
    const open = await repo.findOpenAssignment(trx, orgId, assetId);
    if (!open) throw notCheckedOut(asset.asset_tag);
    if (locationId) await catalog.requireLocation(trx, orgId, locationId, '/body/locationId');
    return writeCheckin(trx, ctx, orgId, asset, open, { note: clean(input.note), locationId, updateDefaultLocation: !!input.updateDefaultLocation, checkedInAt });
  });
}

/** `POST /custody/checkin`: all or nothing; 422 with one error per failing asset. */
export async function bulkCheckin(ctx: Ctx, input: BulkCheckinInput): Promise<{ items: AssignmentDto[] }> {
  authorize(ctx.actor, 'custody.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const assets = new Map((await repo.findAssets(trx, orgId, input.assetIds)).map((a) => [a.id, a]));
    const open = new Map((await repo.openAssignmentsOf(trx, orgId, input.assetIds)).map((a) => [a.asset_id, a]));
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    for (const [i, id] of input.assetIds.entries()) {
      const asset = assets.get(id);
      if (seen.has(id)) errors.push({ path: `/body/assetIds/${i}`, message: 'is listed twice', code: 'duplicate' });
      else if (!asset || asset.deleted_at) errors.push({ path: `/body/assetIds/${i}`, message: 'No such asset.', code: 'not_found' });
      else if (!open.has(id)) errors.push(toFieldError(i, notCheckedOut(asset.asset_tag)));
      seen.add(id);
    }
    if (errors.length) throw bulkFailed(errors, 'checked in');
    const items: AssignmentDto[] = [];
    for (const id of input.assetIds) {
      const asset = assets.get(id);
      const a = open.get(id);
      if (!asset || !a) continue;
      items.push(await writeCheckin(trx, ctx, orgId, asset, a, { note: clean(input.note), locationId: null, updateDefaultLocation: false, checkedInAt: null }));
    }
    return { items };
  });
}

// ---------- people ----------

/** `GET /members/:userId/holdings`: everything checked out to the user now. */
export async function holdings(ctx: Ctx, userId: string): Promise<{ userId: string; items: AssignmentDto[] }> {
  authorize(ctx.actor, 'custody.read');
  const orgId = orgOf(ctx);
  await members.requireMember(ctx.db, orgId, userId);
  const day = today();
  return { userId, items: (await repo.openForUser(ctx.db, orgId, userId)).map((r) => toAssignmentDto(r, day)) };
}

/** `POST /members/:userId/offboard`: checks in everything the user holds, in one transaction. */
export async function offboard(ctx: Ctx, userId: string, input: { note?: string | null }): Promise<{ userId: string; items: AssignmentDto[] }> {
  authorize(ctx.actor, 'custody.manage');
  const orgId = orgOf(ctx);
  const note = clean(input.note) ?? 'Offboarding';
  return ctx.db.transaction().execute(async (trx) => {
    const member = await members.requireMember(trx, orgId, userId);
    const held = await repo.openForUser(trx, orgId, userId);
    const assets = new Map((await repo.findAssets(trx, orgId, held.map((h) => h.asset_id))).map((a) => [a.id, a]));
    const items: AssignmentDto[] = [];
    for (const a of held) {
      const asset = assets.get(a.asset_id);
      if (asset) items.push(await writeCheckin(trx, ctx, orgId, asset, a, { note, locationId: null, updateDefaultLocation: false, checkedInAt: null }));
    }
    if (held.length) {
      await events.record(trx, ctx, {
        action: 'custody.offboarded', entityType: 'user', entityId: userId,
        changes: { holdings: { before: held.map((h) => h.asset_tag), after: [] } },
        meta: { email: member.email, assignmentIds: held.map((h) => h.id), note },
      });
    }
    return { userId, items };
  });
}

/** Assets the member holds now (members.remove refuses to remove them while any). */
export async function heldAssets(db: Executor, orgId: string, userId: string): Promise<{ id: string; assetTag: string }[]> {
  return (await repo.openForUser(db, orgId, userId)).map((r) => ({ id: r.asset_id, assetTag: r.asset_tag }));
}

// ---------- reads ----------

function decodeCursor(cursor: string): { checkedOutAt: string; id: string } {
  const [checkedOutAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!checkedOutAt || !id || rest.length) throw badRequest('custody.invalid_cursor', 'The cursor is not valid; start from the first page.', [{ path: '/querystring/cursor', message: 'is not a cursor from this list', code: 'format' }]);
  return { checkedOutAt, id };
}

/** `GET /custody/assignments`: newest check-out first, keyset pagination. */
export async function listAssignments(ctx: Ctx, q: AssignmentQueryInput): Promise<{ items: AssignmentDto[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'custody.read');
  const limit = q.limit ?? 50;
  const rows = await repo.listAssignments(ctx.db, orgOf(ctx), {
    assetId: q.assetId, userId: q.userId, locationId: q.locationId, targetAssetId: q.targetAssetId, open: q.open,
    after: q.cursor ? decodeCursor(q.cursor) : undefined, limit: limit + 1,
  });
  const day = today();
  const items = rows.slice(0, limit).map((r) => toAssignmentDto(r, day));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? Buffer.from(`${last.checkedOutAt}|${last.id}`).toString('base64url') : null };
}

const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** `GET /custody/due`: open assignments expected back between `asOf` (default today) and `days` later. */
export async function due(ctx: Ctx, q: { days?: number; asOf?: string; limit?: number }): Promise<AssignmentDto[]> {
  authorize(ctx.actor, 'custody.read');
  const from = q.asOf ?? today();
  const rows = await repo.openByExpectedReturn(ctx.db, orgOf(ctx), { from, to: addDays(from, q.days ?? 7) }, q.limit ?? 200);
  return rows.map((r) => toAssignmentDto(r, from));
}

/** `GET /custody/overdue`: open assignments whose expected return date has passed. */
export async function overdue(ctx: Ctx, q: { asOf?: string; limit?: number }): Promise<AssignmentDto[]> {
  authorize(ctx.actor, 'custody.read');
  const day = q.asOf ?? today();
  const rows = await repo.openByExpectedReturn(ctx.db, orgOf(ctx), { before: day }, q.limit ?? 200);
  return rows.map((r) => toAssignmentDto(r, day));
}

/** `GET /custody/held-at`: who held the asset at that instant (null when it was in stock). */
export async function heldAt(ctx: Ctx, q: { assetId: string; at: string }): Promise<{ assetId: string; at: string; assignment: AssignmentDto | null }> {
  authorize(ctx.actor, 'custody.read');
  const orgId = orgOf(ctx);
  const at = parseInstant(q.at, '/querystring/at');
  // History stays readable for assets deleted since.
  if (!(await repo.findAsset(ctx.db, orgId, q.assetId))) throw notFound('asset', '/querystring/assetId');
  const rows = await repo.heldAt(ctx.db, orgId, at, { assetId: q.assetId });
  const r = rows[rows.length - 1];
  return { assetId: q.assetId, at, assignment: r ? toAssignmentDto(r) : null };
}

/** `GET /custody/held-by`: what the user held at that instant. */
export async function heldBy(ctx: Ctx, q: { userId: string; at: string }): Promise<{ userId: string; at: string; items: AssignmentDto[] }> {
  authorize(ctx.actor, 'custody.read');
  const orgId = orgOf(ctx);
  const at = parseInstant(q.at, '/querystring/at');
  await members.requireMember(ctx.db, orgId, q.userId, '/querystring/userId');
  const day = today();
  return { userId: q.userId, at, items: (await repo.heldAt(ctx.db, orgId, at, { userId: q.userId })).map((r) => toAssignmentDto(r, day)) };
}

// ---------- self-service ----------

function me(ctx: Ctx): string {
  authorize(ctx.actor, 'selfservice.use');
  if (!ctx.actor.userId) throw forbidden('Only a person can use self-service.', 'selfservice.person_only');
  return ctx.actor.userId;
}

/** `GET /me/items`: what I hold now and what I still have to accept. */
export async function myItems(ctx: Ctx): Promise<{ items: AssignmentDto[]; pendingAcceptances: AcceptanceDto[] }> {
  const userId = me(ctx);
  const orgId = orgOf(ctx);
  const day = today();
  return {
    items: (await repo.openForUser(ctx.db, orgId, userId)).map((r) => toAssignmentDto(r, day)),
    pendingAcceptances: (await repo.pendingAcceptancesOf(ctx.db, orgId, userId)).map(toAcceptanceDto),
  };
}

async function answer(ctx: Ctx, id: string, status: 'accepted' | 'declined', input: { signature?: string; note?: string | null }): Promise<AcceptanceDto> {
  const userId = me(ctx);
  const orgId = orgOf(ctx);
  const signature = status === 'accepted' ? clean(input.signature) : null;
  if (status === 'accepted' && !signature) {
    throw unprocessable('acceptance.signature_required', 'Type your full name to sign the acceptance.', [{ path: '/body/signature', message: 'must not be empty', code: 'required' }]);
  }
  const note = clean(input.note);
  return ctx.db.transaction().execute(async (trx) => {
    const a = await repo.findAcceptance(trx, orgId, id);
    if (!a) throw notFound('acceptance');
    if (a.user_id !== userId) throw forbidden('Only the person the asset was checked out to can answer this acceptance.', 'acceptance.not_assignee');
    const answered = () => conflict('acceptance.already_answered', `This acceptance is already ${a.status}.`, { acceptanceStatus: a.status });
    if (a.status !== 'pending') throw answered();
    if (!(await repo.answerAcceptance(trx, orgId, id, { status, signature, note, responded_at: nowIso() }))) throw answered();
    await events.record(trx, ctx, {
      action: `acceptance.${status}`, entityType: 'asset', entityId: a.asset_id,
      changes: { acceptance: { before: 'pending', after: status } },
      meta: {
        acceptanceId: id, assignmentId: a.assignment_id, assetTag: a.asset_tag, termsVersion: a.terms_version === null ? null : Number(a.terms_version),
        ...(signature ? { signature } : {}), ...(note ? { note } : {}),
      },
    });
    const after = await repo.findAcceptance(trx, orgId, id);
    if (!after) throw notFound('acceptance');
    return toAcceptanceDto(after);
  });
}

/** `POST /me/acceptances/:id/accept` — a typed signature is required. */
export const accept = (ctx: Ctx, id: string, input: { signature: string; note?: string | null }) => answer(ctx, id, 'accepted', input);

/** `POST /me/acceptances/:id/decline` */
export const decline = (ctx: Ctx, id: string, input: { note?: string | null }) => answer(ctx, id, 'declined', input);
