import type { Kysely } from 'kysely';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * One b-tree fewer for every event written (two per check-out and check-in, one per imported row):
 * `events_org_seq_idx (org_id, seq)` held the same order as `events_chain_seq_uq (chain_id, seq)`,
 * because an organization's events are its own chain (`chain_id` = the organization's id). The
 * event list filters on `chain_id` now (events.repository `listEventsQuery`).
 *
 * The asset list's `(org_id, category|model|location, updated_at, id)` indexes, also rewritten by
 * every asset write, stay: without them a list of one model holding 1 % of 1,000,000 assets,
 * newest first, took 128 ms p50 (19 ms of CPU per request) instead of one index range.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('events_org_seq_idx').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.createIndex('events_org_seq_idx').on('events').columns(['org_id', 'seq']).execute();
}
