import type { Database } from '../../db/database.js';
import { ping } from '../../db/dialect.js';
import { pendingMigrations } from '../../db/migrate.js';
import { AppError } from '../../errors.js';

export async function ready(database: Database): Promise<{ status: 'ready'; database: string }> {
  try {
    await ping(database.db);
  } catch {
    throw new AppError(503, 'not_ready.database', 'The database does not answer.');
  }
  const pending = await pendingMigrations(database.db);
  if (pending.length) throw new AppError(503, 'not_ready.migrations', `Database migrations are pending: ${pending.join(', ')}.`);
  return { status: 'ready', database: database.engine };
}
