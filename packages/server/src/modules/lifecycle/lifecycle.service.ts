import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { conflict, notFound, unprocessable } from '../../errors.js';
import { nowIso } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import { allowedFrom, isLifecycleState, planTransition, type LifecycleState, type Transition } from './lifecycle.machine.js';
import { runGuard } from './lifecycle.guards.js';
import * as repo from './lifecycle.repository.js';

export type { AssetStateRow, AssetPatch } from './lifecycle.repository.js';

export interface TransitionDto { to: LifecycleState; action: string; label: string; requiresReason: boolean }

const toDto = (t: Transition): TransitionDto => ({ to: t.to, action: t.action, label: t.label, requiresReason: !!t.requiresReason });

async function requireAsset(db: Executor, orgId: string, assetId: string): Promise<repo.AssetStateRow> {
  const a = await repo.findAssetState(db, orgId, assetId);
  if (!a || a.deleted_at) throw notFound('asset');
  return a;
}

export interface TransitionOptions {
  reason?: string | null;
  viaCustody?: boolean;
  meta?: Record<string, unknown>;
  /** The asset as the caller already read it in this transaction (saves reading it again). */
  asset?: repo.AssetStateRow;
  /** Other columns to write in the same UPDATE as the state (custody: the new location). */
  patch?: repo.AssetPatch;
  /** Events to record right after the transition's own, in one batch (custody: the holder's side). */
  events?: events.NewEvent[];
}

/**
 * Moves an asset to another state inside the caller's transaction: checks the table and the
 * guards, writes the state and the `asset.<action>` event (who, when, from → to, why).
 * Custody calls it with `viaCustody` for check-out and check-in, passing the asset it has read
 * and the location change, so that the asset row is written once.
 */
export async function applyTransition(
  trx: Executor, ctx: Ctx, assetId: string, to: string, opts: TransitionOptions = {},
): Promise<{ from: LifecycleState; to: LifecycleState; action: string }> {
  const orgId = orgOf(ctx);
  const asset = opts.asset?.id === assetId && !opts.asset.deleted_at ? opts.asset : await requireAsset(trx, orgId, assetId);
  const from = asset.lifecycle_state as LifecycleState;
  if (!isLifecycleState(to)) {
    throw unprocessable('asset.invalid_state', `Unknown lifecycle state "${to}".`, [{ path: '/body/to', message: 'is not a lifecycle state', code: 'enum' }]);
  }
  const plan = planTransition(from, to, { reason: opts.reason, viaCustody: opts.viaCustody });
  if (!plan.ok) {
    const messages: Record<typeof plan.reason, string> = {
      same_state: `${asset.asset_tag} is already ${to}.`,
      not_allowed: `${asset.asset_tag} cannot go from ${from} to ${to}.`,
      custody_only: `Use check-out or check-in to move ${asset.asset_tag} from ${from} to ${to}.`,
      reason_required: `Moving ${asset.asset_tag} to ${to} needs a reason.`,
    };
    if (plan.reason === 'reason_required') {
      throw unprocessable('asset.reason_required', messages.reason_required, [{ path: '/body/reason', message: 'is required for this transition', code: 'required' }]);
    }
    throw conflict(`asset.transition_${plan.reason}`, messages[plan.reason], { from, allowed: plan.allowed.map(toDto) });
  }
  for (const g of plan.transition.guards ?? []) {
    const r = await runGuard(trx, orgId, asset, g);
    if (!r.ok) throw conflict(`asset.guard_${g}`, r.message ?? `Guard ${g} refused.`, { from, guard: g, allowed: allowedFrom(from).map(toDto) });
  }
  await repo.setState(trx, orgId, assetId, to, nowIso(), opts.patch);
  const event: events.NewEvent = {
    action: `asset.${plan.transition.action}`, entityType: 'asset', entityId: assetId,
    changes: { lifecycleState: { before: from, after: to } },
    meta: { ...(opts.reason?.trim() ? { reason: opts.reason.trim() } : {}), ...(opts.meta ?? {}) },
  };
  if (opts.events?.length) await events.recordMany(trx, ctx, [event, ...opts.events]);
  else await events.record(trx, ctx, event);
  return { from, to, action: plan.transition.action };
}

/** `POST /assets/:id/transition` */
export async function transition(ctx: Ctx, assetId: string, input: { to: string; reason?: string | null }): Promise<{ from: LifecycleState; to: LifecycleState; action: string }> {
  authorize(ctx.actor, 'asset.write');
  return ctx.db.transaction().execute((trx) => applyTransition(trx, ctx, assetId, input.to, { reason: input.reason }));
}

/** `GET /assets/:id/transitions`: what the asset may do next (custody moves excluded). */
export async function available(ctx: Ctx, assetId: string): Promise<{ state: LifecycleState; transitions: TransitionDto[] }> {
  authorize(ctx.actor, 'asset.read');
  const a = await requireAsset(ctx.db, orgOf(ctx), assetId);
  const state = a.lifecycle_state as LifecycleState;
  return { state, transitions: allowedFrom(state).map(toDto) };
}
