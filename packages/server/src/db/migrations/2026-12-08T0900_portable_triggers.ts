import { sql, type Kysely } from 'kysely';
import { engineOfDb } from '../dialect.js';
import * as writePath from './2026-11-25T1700_write_path.js';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * SQLite: re-creates the sort-key triggers without a table alias in their UPDATE statements
 * (`update asset_sort_keys as k …` became `update asset_sort_keys … asset_sort_keys.asset_id`,
 * the same statements). Older SQLite builds do not accept an alias there, and a build that cannot
 * parse one trigger refuses the whole file: Debian 12's `sqlite3` (3.40) stopped at
 * "malformed database schema (assets_sort_model_name_au)", so an operator could not even read a
 * table or run `pragma integrity_check` with it. The server's own SQLite (better-sqlite3's) took
 * both forms. PostgreSQL takes both as well; its functions are left as they are.
 */
export async function up(db: AnyDb): Promise<void> {
  if (engineOfDb(db) !== 'sqlite') return;
  for (const name of writePath.SQLITE_SORT_TRIGGERS) await sql.raw(`drop trigger if exists ${name}`).execute(db);
  await writePath.createSortTriggers(db);
}

/** Nothing to undo: the triggers do what they did before, in a form every SQLite reads. */
export async function down(): Promise<void> {}
