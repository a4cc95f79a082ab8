import type { Kysely } from 'kysely';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

const UPDATED_COMPOSITES = [['category', 'category_id'], ['model', 'model_id'], ['location', 'location_id']] as const;

/**
 * Four b-trees fewer on the write path, each written by every check-out, check-in, edit and import
 * row:
 *
 * - `assets_{category,model,location}_updated_idx` — `(org_id, filter, updated_at, id)`. Every
 *   write of an asset changes `updated_at`, so each of them had an entry deleted and one inserted
 *   on every write, and they were the three largest asset indexes. A list filtered by category,
 *   model or location and sorted by last change is now steered like the supplier and department
 *   filters always were (search.repository `chooseSteer`): a filter with few matches reads them
 *   through its `…_tag_idx` and sorts them; one with many walks `assets_updated_idx` and checks
 *   the filter per row, falling back to the first way when the walk finds too few. The state
 *   filter keeps its composite (`assets_state_updated_idx`): "deployed, most recently changed" is
 *   the list people open most.
 * - `events_org_seq_idx` — `(org_id, seq)`. An organization's events are its own chain
 *   (`chain_id` = the organization's id), so `events_chain_seq_uq (chain_id, seq)` holds the same
 *   order; the event list filters on `chain_id` now (events.repository `listEvents`).
 */
export async function up(db: AnyDb): Promise<void> {
  for (const [name] of UPDATED_COMPOSITES) await db.schema.dropIndex(`assets_${name}_updated_idx`).execute();
  await db.schema.dropIndex('events_org_seq_idx').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.createIndex('events_org_seq_idx').on('events').columns(['org_id', 'seq']).execute();
  for (const [name, col] of UPDATED_COMPOSITES) {
    await db.schema.createIndex(`assets_${name}_updated_idx`).on('assets').columns(['org_id', col, 'updated_at', 'id']).execute();
  }
}
