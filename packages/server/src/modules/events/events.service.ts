import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { newId, nowIso } from '../../lib/ids.js';
import { authorize, orgOf } from '../../authz/policies.js';
import * as repo from './events.repository.js';
import { canonicalJson, eventHash, GENESIS_HASH, type ChainedEvent } from './events.chain.js';

export { canonicalCreation } from './events.chain.js';

/** Field-level change set: `{ field: { before, after } }`. */
export type Changes = Record<string, { before: unknown; after: unknown }>;

export const SYSTEM_CHAIN = 'system';

export interface NewEvent {
  action: string;
  entityType: string;
  entityId: string;
  changes?: Changes;
  /** `changes` already in canonical JSON (events.chain `canonicalCreation`), for bulk writers; wins over `changes`. */
  changesJson?: string;
  meta?: Record<string, unknown>;
  /** Defaults to the actor's organization; `null` writes to the system chain (global user accounts). */
  orgId?: string | null;
}

/** Computes the field-level diff of two snapshots, keeping only fields whose value changed. */
export function diff<T extends object>(before: Partial<T> | null, after: Partial<T> | null, fields: readonly (keyof T & string)[]): Changes {
  const out: Changes = {};
  for (const f of fields) {
    const b = before ? (before[f] ?? null) : null;
    const a = after ? (after[f] ?? null) : null;
    if (JSON.stringify(b) !== JSON.stringify(a)) out[f] = { before: b, after: a };
  }
  return out;
}

/**
 * Moves the chain head with `step`; the head row is created first only when it does not exist yet
 * (an organization's very first event), so that every other event costs one statement less.
 */
async function advance<T>(trx: Executor, chainId: string, step: () => Promise<T | undefined>): Promise<T> {
  let head = await step();
  if (!head) {
    await repo.ensureHead(trx, chainId, GENESIS_HASH);
    head = await step();
  }
  if (!head) throw new Error(`event chain ${chainId} has no head`);
  return head;
}

/**
 * Appends an event to the organization's hash chain. Must be called with the transaction that
 * writes the change itself, so that the change and its event commit or roll back together.
 */
export async function record(trx: Executor, ctx: Ctx, e: NewEvent): Promise<void> {
  const orgId = e.orgId === undefined ? ctx.actor.orgId : e.orgId;
  const chainId = orgId ?? SYSTEM_CHAIN;
  const head = await advance(trx, chainId, () => repo.advanceHead(trx, chainId));
  const ev: ChainedEvent = {
    id: newId(),
    chainId,
    seq: head.seq,
    orgId,
    occurredAt: nowIso(),
    actorType: ctx.actor.type,
    actorId: ctx.actor.userId,
    actorLabel: ctx.actor.label,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    changes: e.changesJson ?? canonicalJson(e.changes ?? {}),
    meta: canonicalJson({ ...(ctx.eventMeta ?? {}), ...(e.meta ?? {}), ...(ctx.actor.tokenId ? { tokenId: ctx.actor.tokenId } : {}) }),
    requestId: ctx.requestId,
    prevHash: head.prevHash,
  };
  const hash = eventHash(ev);
  await repo.insertEvent(trx, {
    id: ev.id, chain_id: ev.chainId, seq: ev.seq, org_id: ev.orgId, occurred_at: ev.occurredAt,
    actor_type: ev.actorType, actor_id: ev.actorId, actor_label: ev.actorLabel, action: ev.action,
    entity_type: ev.entityType, entity_id: ev.entityId, changes: ev.changes, meta: ev.meta,
    request_id: ev.requestId, prev_hash: ev.prevHash, hash,
  });
  await repo.setHeadHash(trx, chainId, hash);
}

/**
 * Appends many events to the actor's organization chain in one go (bulk imports): the head moves
 * once, hashes are chained in order in memory, rows go in with multi-row inserts. The resulting
 * chain is exactly what the same events recorded one by one would give. Same transaction rule as
 * `record`.
 */
export async function recordMany(trx: Executor, ctx: Ctx, list: readonly NewEvent[]): Promise<void> {
  if (!list.length) return;
  const orgId = ctx.actor.orgId;
  if (list.some((e) => e.orgId !== undefined && e.orgId !== orgId)) throw new Error('recordMany writes to one chain: the actor\'s organization');
  const chainId = orgId ?? SYSTEM_CHAIN;
  const head = await advance(trx, chainId, () => repo.advanceHeadBy(trx, chainId, list.length));
  const common = { ...(ctx.eventMeta ?? {}) };
  const tokenMeta = ctx.actor.tokenId ? { tokenId: ctx.actor.tokenId } : {};
  // Events without their own meta (an import's creations) share one canonical text.
  const sharedMeta = canonicalJson({ ...common, ...tokenMeta });
  const rows: repo.EventRow[] = [];
  let prevHash = head.prevHash;
  const occurredAt = nowIso();
  list.forEach((e, i) => {
    const ev: ChainedEvent = {
      id: newId(), chainId, seq: head.firstSeq + i, orgId, occurredAt,
      actorType: ctx.actor.type, actorId: ctx.actor.userId, actorLabel: ctx.actor.label,
      action: e.action, entityType: e.entityType, entityId: e.entityId,
      changes: e.changesJson ?? canonicalJson(e.changes ?? {}),
      meta: e.meta ? canonicalJson({ ...common, ...e.meta, ...tokenMeta }) : sharedMeta,
      requestId: ctx.requestId, prevHash,
    };
    const hash = eventHash(ev);
    rows.push({
      id: ev.id, chain_id: chainId, seq: ev.seq, org_id: orgId, occurred_at: occurredAt, actor_type: ev.actorType, actor_id: ev.actorId,
      actor_label: ev.actorLabel, action: ev.action, entity_type: ev.entityType, entity_id: ev.entityId, changes: ev.changes, meta: ev.meta,
      request_id: ev.requestId, prev_hash: prevHash, hash,
    });
    prevHash = hash;
  });
  await repo.insertEvents(trx, rows);
  await repo.setHeadHash(trx, chainId, prevHash);
}

export interface EventDto {
  id: string;
  seq: number;
  occurredAt: string;
  actor: { type: string; id: string | null; label: string };
  action: string;
  entityType: string;
  entityId: string;
  changes: Changes;
  meta: Record<string, unknown>;
  requestId: string | null;
  hash: string;
}

export const toEventDto = (r: repo.EventRow): EventDto => ({
  id: r.id,
  seq: Number(r.seq),
  occurredAt: r.occurred_at,
  actor: { type: r.actor_type, id: r.actor_id, label: r.actor_label },
  action: r.action,
  entityType: r.entity_type,
  entityId: r.entity_id,
  changes: JSON.parse(r.changes) as Changes,
  meta: JSON.parse(r.meta) as Record<string, unknown>,
  requestId: r.request_id,
  hash: r.hash,
});

export interface EventQuery {
  entityType?: string;
  entityId?: string;
  action?: string;
  actorId?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

export async function list(ctx: Ctx, q: EventQuery): Promise<{ items: EventDto[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'event.read');
  const limit = q.limit ?? 50;
  const rows = await repo.listEvents(ctx.db, {
    orgId: orgOf(ctx), entityType: q.entityType, entityId: q.entityId, action: q.action, actorId: q.actorId,
    from: q.from, to: q.to, before: q.cursor ? Number(q.cursor) : undefined, limit: limit + 1,
  });
  const items = rows.slice(0, limit).map(toEventDto);
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.seq) : null };
}

export const count = (db: Executor, orgId: string, since?: string) => repo.countEvents(db, orgId, since);

export interface ChainReport {
  chainId: string;
  events: number;
  ok: boolean;
  /** The first broken link, when the chain does not verify. */
  firstBroken?: { seq: number; eventId: string | null; reason: string };
}

/** Walks every chain from genesis and reports the first broken link of each. */
export async function verify(db: Executor, onlyChain?: string): Promise<ChainReport[]> {
  const reports: ChainReport[] = [];
  const ids = onlyChain ? [onlyChain] : await repo.chainIds(db);
  for (const chainId of ids) {
    const head = await repo.chainHead(db, chainId);
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    let count = 0;
    let broken: ChainReport['firstBroken'];
    for await (const r of repo.chainEvents(db, chainId)) {
      count++;
      const seq = Number(r.seq);
      if (seq !== expectedSeq) {
        broken = { seq: expectedSeq, eventId: null, reason: `event #${expectedSeq} is missing (next present is #${seq})` };
        break;
      }
      if (r.prev_hash !== prevHash) {
        broken = { seq, eventId: r.id, reason: `event #${seq} does not link to the previous event's hash` };
        break;
      }
      const recomputed = eventHash({
        id: r.id, chainId: r.chain_id, seq, orgId: r.org_id, occurredAt: r.occurred_at, actorType: r.actor_type,
        actorId: r.actor_id, actorLabel: r.actor_label, action: r.action, entityType: r.entity_type,
        entityId: r.entity_id, changes: r.changes, meta: r.meta, requestId: r.request_id, prevHash: r.prev_hash,
      });
      if (recomputed !== r.hash) {
        broken = { seq, eventId: r.id, reason: `event #${seq} was altered: its content does not match its hash` };
        break;
      }
      prevHash = r.hash;
      expectedSeq++;
    }
    if (!broken && head) {
      if (head.seq !== expectedSeq - 1) {
        broken = { seq: expectedSeq, eventId: null, reason: `the chain head says ${head.seq} events but ${expectedSeq - 1} are present: events were removed from the end` };
      } else if (head.head_hash !== prevHash) {
        broken = { seq: head.seq, eventId: null, reason: 'the chain head hash does not match the last event' };
      }
    }
    reports.push({ chainId, events: count, ok: !broken, ...(broken ? { firstBroken: broken } : {}) });
  }
  return reports;
}

/** The API's view of verification: the current organization's chain only. */
export async function verifyOrganization(ctx: Ctx): Promise<ChainReport> {
  authorize(ctx.actor, 'event.read');
  const orgId = orgOf(ctx);
  return (await verify(ctx.db, orgId))[0] ?? { chainId: orgId, events: 0, ok: true };
}

/**
 * One entity's events in an organization, newest first (keyset on seq; events_entity_idx). For
 * timelines behind other permissions (asset.read, member.read): the caller authorizes.
 */
export async function entityTimeline(
  db: Executor, orgId: string, entityType: string, entityId: string, q: { cursor?: string | undefined; limit?: number | undefined },
): Promise<{ items: EventDto[]; nextCursor: string | null }> {
  const limit = q.limit ?? 50;
  const rows = await repo.listEvents(db, { orgId, entityType, entityId, before: q.cursor ? Number(q.cursor) : undefined, limit: limit + 1 });
  const items = rows.slice(0, limit).map(toEventDto);
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.seq) : null };
}
