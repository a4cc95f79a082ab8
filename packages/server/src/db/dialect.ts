/**
 * The only module that knows SQLite from PostgreSQL. Everything engine-specific — connecting,
 * pragmas, type parsers, error classification, case-insensitive matching — lives here so that
 * repositories stay on the portable subset of Kysely.
 */
import { Kysely, PostgresDialect, SqliteDialect, sql, type Dialect, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Engine = 'sqlite' | 'postgres';

export function engineOf(url: string): Engine {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

/** `sqlite:/path/file.db`, `sqlite::memory:` → file path for better-sqlite3. */
export function sqlitePath(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/, '') || ':memory:';
}

// int8 (count(*), sums) comes back from pg as a string; our counts always fit a JS number.
pg.types.setTypeParser(20, (v) => Number(v));

export interface Connection {
  engine: Engine;
  dialect: Dialect;
  /** Release engine resources not owned by Kysely (none today; kept for symmetry). */
  raw: SQLite.Database | pg.Pool;
}

export function connect(url: string, opts: { poolSize?: number } = {}): Connection {
  if (engineOf(url) === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
    return { engine: 'postgres', dialect: new PostgresDialect({ pool }), raw: pool };
  }
  const file = sqlitePath(url);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  // Let the planner gather statistics for the tables it uses (SQLite never analyzes by itself);
  // `optimize` is re-run hourly by the server's housekeeping.
  db.pragma('optimize = 0x10002');
  return { engine: 'sqlite', dialect: new SqliteDialect({ database: db }), raw: db };
}

/** Case-insensitive "contains" that works the same on both engines (no ILIKE). */
export function containsCi<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  column: Expression<unknown>,
  needle: string,
): Expression<SqlBool> {
  const escaped = needle.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  return eb(eb.fn('lower', [column]), 'like', sql<string>`${`%${escaped}%`} escape '\\'`);
}

/** Booleans are stored as integers 0/1 on both engines. */
export const toDbBool = (v: boolean): number => (v ? 1 : 0);
export const fromDbBool = (v: unknown): boolean => v === 1 || v === true || v === '1';

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) return String((err as { code: unknown }).code);
  return undefined;
}

export function isUniqueViolation(err: unknown): boolean {
  const code = errorCode(err);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(err: unknown): boolean {
  const code = errorCode(err);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Name of the unique constraint/index (PG) or the columns (SQLite) that a unique violation hit. */
export function violatedConstraint(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const e = err as { constraint?: string; message?: string };
  return e.constraint ?? e.message ?? '';
}

/** Periodic planner maintenance: refreshes SQLite statistics where they went stale (PostgreSQL autovacuum does this). */
export async function optimize<T>(db: Kysely<T>, engine: Engine): Promise<void> {
  if (engine === 'sqlite') await sql`pragma optimize`.execute(db);
}

/** Health probe used by /readyz. */
export async function ping<T>(db: Kysely<T>): Promise<void> {
  await sql`select 1`.execute(db);
}

/**
 * Consistent online copy of the embedded database (VACUUM INTO). PostgreSQL deployments use
 * pg_dump instead; the caller prints that advice.
 */
export function sqliteBackup(raw: SQLite.Database, target: string): void {
  raw.prepare('VACUUM INTO ?').run(target);
}
