import type { Executor } from '../../db/database.js';
import type { EventsTable } from '../../db/schema.js';
import { bulkInsert, literalLimit } from '../../db/dialect.js';
import { first, prepare } from '../../db/prepared.js';

export type EventRow = EventsTable;

/**
 * Advances the chain head and returns the sequence number and previous hash to use. The UPDATE
 * takes a row lock on PostgreSQL, so concurrent writers to one organization's chain queue here
 * until the first commits; SQLite has one writer anyway.
 */
export async function advanceHead(trx: Executor, chainId: string): Promise<{ seq: number; prevHash: string } | undefined> {
  const head = await first(trx, advanceQuery(trx, chainId, 1));
  return head ? { seq: Number(head.seq), prevHash: head.head_hash } : undefined;
}

// Every write of the application records an event: its statements are built once (db/prepared.ts).
const advanceQuery = prepare((db: Executor, chainId: string, n: number) =>
  db.updateTable('event_chains').set((eb) => ({ seq: eb('seq', '+', n) })).where('chain_id', '=', chainId).returning(['seq', 'head_hash']));
const setHeadHashQuery = prepare((db: Executor, chainId: string, hash: string) =>
  db.updateTable('event_chains').set({ head_hash: hash }).where('chain_id', '=', chainId));

/** Creates the chain head at seq 0 if missing (ON CONFLICT DO NOTHING: safe when two writers race). */
export async function ensureHead(trx: Executor, chainId: string, genesis: string): Promise<void> {
  await trx.insertInto('event_chains').values({ chain_id: chainId, seq: 0, head_hash: genesis })
    .onConflict((oc) => oc.column('chain_id').doNothing()).execute();
}

/**
 * Advances the chain head by `n` at once and returns the first sequence number to use and the
 * previous hash (the batched path of imports: one statement for a whole batch of events).
 */
export async function advanceHeadBy(trx: Executor, chainId: string, n: number): Promise<{ firstSeq: number; prevHash: string } | undefined> {
  const head = await first(trx, advanceQuery(trx, chainId, n));
  return head ? { firstSeq: Number(head.seq) - n + 1, prevHash: head.head_hash } : undefined;
}

/** Multi-row insert, chunked under both engines' bind-parameter limits. */
export async function insertEvents(trx: Executor, rows: EventRow[]): Promise<void> {
  await bulkInsert(trx, 'events', rows);
}

export async function setHeadHash(trx: Executor, chainId: string, hash: string): Promise<void> {
  await trx.executeQuery(setHeadHashQuery(trx, chainId, hash));
}

export async function insertEvent(trx: Executor, row: EventRow): Promise<void> {
  await bulkInsert(trx, 'events', [row]);
}

export interface EventFilter {
  orgId: string;
  entityType?: string | undefined;
  entityId?: string | undefined;
  action?: string | undefined;
  actorId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** keyset: return events with seq < before */
  before?: number | undefined;
  limit: number;
}

/**
 * An organization's events are its own chain (`chain_id` = its id, events.service `recordMany`):
 * filtering on the chain too lets the newest-first page walk `events_chain_seq_uq` (chain_id, seq).
 */
const ofOrg = (db: Executor, orgId: string) => db.selectFrom('events').where('chain_id', '=', orgId).where('org_id', '=', orgId);

/** The newest-first page of an organization's events (exported for the plan test). */
export function listEventsQuery(db: Executor, f: EventFilter) {
  let q = ofOrg(db, f.orgId).selectAll();
  if (f.entityType) q = q.where('entity_type', '=', f.entityType);
  if (f.entityId) q = q.where('entity_id', '=', f.entityId);
  if (f.action) q = f.action.endsWith('.*') ? q.where('action', 'like', `${f.action.slice(0, -1)}%`) : q.where('action', '=', f.action);
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  if (f.from) q = q.where('occurred_at', '>=', f.from);
  if (f.to) q = q.where('occurred_at', '<', f.to);
  if (f.before !== undefined) q = q.where('seq', '<', f.before);
  return q.orderBy('seq', 'desc').limit(literalLimit(f.limit));
}

export async function listEvents(db: Executor, f: EventFilter): Promise<EventRow[]> {
  return listEventsQuery(db, f).execute();
}

export async function countEvents(db: Executor, orgId: string, since?: string): Promise<number> {
  let q = ofOrg(db, orgId).select((eb) => eb.fn.countAll<number>().as('n'));
  if (since) q = q.where('occurred_at', '>=', since);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function chainIds(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('event_chains').select('chain_id').orderBy('chain_id').execute();
  return rows.map((r) => r.chain_id);
}

export async function chainHead(db: Executor, chainId: string): Promise<{ seq: number; head_hash: string } | undefined> {
  const row = await db.selectFrom('event_chains').select(['seq', 'head_hash']).where('chain_id', '=', chainId).executeTakeFirst();
  return row ? { seq: Number(row.seq), head_hash: row.head_hash } : undefined;
}

/** Streams a chain in order, a page at a time (constant memory for any length). */
export async function* chainEvents(db: Executor, chainId: string, pageSize = 2000): AsyncGenerator<EventRow> {
  let after = 0;
  for (;;) {
    const page = await db.selectFrom('events').selectAll().where('chain_id', '=', chainId).where('seq', '>', after)
      .orderBy('seq', 'asc').limit(pageSize).execute();
    for (const row of page) yield row;
    if (page.length < pageSize) return;
    after = Number(page[page.length - 1]!.seq);
  }
}
