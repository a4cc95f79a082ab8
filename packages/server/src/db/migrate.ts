import { Migrator, type MigrationResultSet } from 'kysely';
import type { Db } from './database.js';
import { withTempFiles } from './dialect.js';
import { migrations } from './migrations/index.js';

/**
 * Applies all pending migrations. On PostgreSQL Kysely's migrator takes a transaction-scoped
 * advisory lock, so several instances may start at once; on SQLite there is one writer anyway.
 */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  // A migration may sort a whole table (CREATE INDEX): in temporary files, not the heap.
  const result = await withTempFiles(db, () => migrator.migrateToLatest());
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
  return result;
}

export async function pendingMigrations(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const list = await migrator.getMigrations();
  return list.filter((m) => !m.executedAt).map((m) => m.name);
}
