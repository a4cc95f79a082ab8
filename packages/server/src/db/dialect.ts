/**
 * The only module that knows SQLite from PostgreSQL. Everything engine-specific — connecting,
 * pragmas, type parsers, error classification, case-insensitive matching — lives here so that
 * repositories stay on the portable subset of Kysely.
 */
import { CompiledQuery, Kysely, PostgresAdapter, PostgresDialect, sql, type Dialect, type Expression, type ExpressionBuilder, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SqliteDriver, sqliteDialect } from './sqlite-driver.js';

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
  /** The driver handle (better-sqlite3 Database or pg Pool), for admin commands only. */
  raw: SQLite.Database | pg.Pool;
  /** Stops what `connect` started besides the connection (the SQLite checkpointer); call before closing. */
  stop(): Promise<void>;
  /** Tells the connection the root Kysely handle made over `dialect` (SQLite: for `withLongWrite`, `writeAside`). */
  attach?(db: Kysely<any>): void; // eslint-disable-line @typescript-eslint/no-explicit-any -- any Kysely handle
}

export interface ConnectOptions {
  poolSize?: number;
  /**
   * SQLite file databases: copy the write-ahead log back into the database from a worker thread
   * instead of inside the commit that crosses the threshold. For the long-running server; one-shot
   * commands and tests leave it off.
   */
  backgroundCheckpoint?: boolean;
  /**
   * SQLite: the connection's page cache in MiB (default: the driver's 16 MiB). A transaction that
   * dirties more pages than fit spills them to the write-ahead log and writes them again later;
   * a bulk import of a hundred thousand assets touches some 30 indexes plus the full-text index.
   */
  cacheMb?: number;
  /** PostgreSQL: name repeated statements so the server keeps their plans (see `preparedStatements`; default on). */
  prepare?: boolean;
}

/**
 * PostgreSQL plans every unnamed statement again on each execution. For the short, many-join
 * queries of a page that is most of the server's work: an asset page at 200,000 assets spent
 * 2.3 ms planning its detail query and 0.24 ms running it (log_min_duration_statement). A named
 * (prepared) statement is parsed once per connection, and after five executions PostgreSQL
 * keeps a generic plan when that costs no more than the custom ones (plan_cache_mode = auto).
 *
 * So a statement text seen for the second time gets a name (a hash of its text) and node-postgres
 * prepares it on each pooled connection that runs it. Bounded: at most PREPARED_MAX names per
 * process (the hot queries of a running server are a few hundred texts; IN lists and multi-row
 * INSERTs of other lengths are other texts), none for texts over PREPARED_MAX_CHARS (bulk
 * INSERTs), and one-off texts (migrations, admin commands) stay unnamed. A transaction-pooling
 * PgBouncer before 1.21 cannot carry named statements: DATABASE_PREPARE=off turns this off.
 */
const PREPARED_MAX = 500;
const PREPARED_MAX_CHARS = 8_000;

export class StatementNames {
  readonly #seen = new Map<string, number>();
  readonly #names = new Map<string, string>();
  /** bumped by `forget`, so that a text gets a name no connection has prepared yet */
  #generation = 0;

  /** The name for this text, or null while it stays unnamed. */
  nameOf(text: string): string | null {
    const known = this.#names.get(text);
    if (known) return known;
    if (text.length > PREPARED_MAX_CHARS || this.#names.size >= PREPARED_MAX) return null;
    const seen = (this.#seen.get(text) ?? 0) + 1;
    if (seen < 2) {
      // Texts seen once are forgotten when the table fills up (bounded memory for one-off texts).
      if (this.#seen.size >= 4 * PREPARED_MAX) this.#seen.clear();
      this.#seen.set(text, seen);
      return null;
    }
    this.#seen.delete(text);
    const name = `c_${createHash('sha1').update(text).digest('base64url')}${this.#generation ? `_${this.#generation}` : ''}`;
    this.#names.set(text, name);
    return name;
  }

  /**
   * A schema change by another process (a migration run while this server was up) changed the
   * columns a named statement returns; PostgreSQL then refuses it ("cached plan must not change
   * result type") on every connection that prepared it. Its text gets a new name from the next
   * execution on, which each connection prepares afresh: one request fails, not every later one.
   */
  forget(text: string): void {
    if (!this.#names.delete(text)) return;
    this.#generation++;
    this.#seen.set(text, 1);
  }

  get size(): number {
    return this.#names.size;
  }
}

/** Makes a pooled client send repeated statements as named ones (Kysely calls `query(text, values)`). */
function preparedStatements(client: pg.PoolClient, names: StatementNames): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  // pg's query() has many overloads; only the (text, values) form Kysely uses is rewritten.
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (args.length === 2 && typeof text === 'string' && Array.isArray(values)) {
      const name = names.nameOf(text);
      if (name) {
        return (query({ name, text, values }) as Promise<unknown>).catch((err: unknown) => {
          if (err instanceof Error && /cached plan must not change result type/.test(err.message)) names.forget(text);
          throw err;
        });
      }
    }
    return query(...args);
  };
}

export function connect(url: string, opts: ConnectOptions = {}): Connection {
  if (engineOf(url) === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
    if (opts.prepare !== false) {
      const names = new StatementNames();
      pool.on('connect', (client) => preparedStatements(client, names));
    }
    // An idle pooled connection can die (database restart, admin termination). pg emits that on
    // the pool; unhandled, it would crash the process. The pool discards the client and the next
    // query opens a new connection, so reporting it is enough.
    pool.on('error', (err) => {
      process.emitWarning(`PostgreSQL connection lost (${err.message}); it will be re-opened`, { code: 'CUSTODIAN_PG_IDLE' });
    });
    return { engine: 'postgres', dialect: new PostgresDialect({ pool }), raw: pool, stop: async () => {} };
  }
  const file = sqlitePath(url);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  // Statement and savepoint journals in memory (see withTempFiles for what stays on disk).
  db.pragma('temp_store = MEMORY');
  if (opts.cacheMb) db.pragma(`cache_size = ${-Math.round(opts.cacheMb * 1024)}`);
  cachePreparedStatements(db);
  // Let the planner gather statistics for the tables it uses (SQLite never analyzes by itself);
  // `optimize` is re-run hourly by the server's housekeeping. Without STAT4 samples (below).
  db.pragma('optimize = 0x10002');
  if (db.prepare(STAT4_EXISTS).get() && db.prepare(STAT4_ROWS).get()) for (const statement of DROP_STAT4) db.exec(statement);
  const checkpointer = opts.backgroundCheckpoint && file !== ':memory:' ? startCheckpointer(db, file) : null;
  const driver = new SqliteDriver(db, file === ':memory:' ? null : () => openReader(file, opts));
  return {
    engine: 'sqlite', dialect: sqliteDialect(driver), raw: db,
    attach: (kysely) => { sqliteHandles.set(kysely, { driver, checkpointer }); },
    stop: async () => { await checkpointer?.stop(); },
  };
}

/** The read-only second connection of `SqliteDriver` (reads while a long write holds the writer). */
function openReader(file: string, opts: ConnectOptions): SQLite.Database {
  const db = new SQLite(file, { readonly: true });
  db.pragma('busy_timeout = 5000');
  // Its cache fills only with what requests read during long writes; the writer's size bounds it.
  if (opts.cacheMb) db.pragma(`cache_size = ${-Math.round(opts.cacheMb * 1024)}`);
  cachePreparedStatements(db);
  return db;
}

/** What `connect` made for each root Kysely handle of an SQLite database (`Connection.attach`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle
const sqliteHandles = new WeakMap<Kysely<any>, { driver: SqliteDriver; checkpointer: Checkpointer | null }>();

/**
 * SQLite: runs `fn`, work that holds the server's only writer connection for seconds or minutes
 * (an all-or-nothing import), as a long write: meanwhile other requests read from a second,
 * read-only connection (the last committed state) instead of waiting for it; their writes still
 * wait (sqlite-driver.ts). `db` must be the root handle. PostgreSQL, `:memory:`: just `fn`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle
export function withLongWrite<T>(db: Kysely<any>, fn: () => Promise<T>): Promise<T> {
  const driver = sqliteHandles.get(db)?.driver;
  return driver ? driver.longWrite(fn) : fn();
}

/** Keys of the writes `writeAside` has queued behind a long write and not yet run. */
const queuedAside = new Set<string>();

/**
 * A bookkeeping write a request does not need to wait for (a session's sliding expiry, a token's
 * last use): awaited as usual, except while a long write holds the SQLite writer; then it is
 * queued behind it and the request goes on (a failure is reported as a warning, not to the
 * request). So reading a page during a long import does not wait for the import after all.
 * `key` names what it writes: while one write of a key is queued, the next ones are dropped
 * (a progress poll every 100 ms through a five-minute import queues one token update, not 3,000).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle
export async function writeAside(db: Kysely<any>, key: string, write: () => Promise<unknown>): Promise<void> {
  if (!sqliteHandles.get(db)?.driver.holdsLongWrite) {
    await write();
    return;
  }
  if (queuedAside.has(key)) return;
  queuedAside.add(key);
  write().catch((err: unknown) => {
    process.emitWarning(`A deferred write failed: ${err instanceof Error ? err.message : String(err)}`, { code: 'CUSTODIAN_WRITE_ASIDE' });
  }).finally(() => queuedAside.delete(key));
}

/**
 * SQLite's temporary storage. Every statement that fires a trigger or may stop halfway (a foreign
 * key, a multi-row write) inside a transaction, and every group-commit unit (a savepoint), first
 * copies each page it is about to change into a journal, so that it can be undone alone. In a
 * file, SQLite keeps the first 64 KiB of that journal in memory and writes the rest to a temporary
 * file, one system call per page. A check-out changes ~30 pages, so that was most of its pages
 * written twice: `perf` put 9 % of the server's time during the check-out benchmark in those
 * writes. `temp_store = MEMORY` (set in `connect`) keeps the journals in memory; they live as long
 * as the statement or the unit.
 *
 * It also keeps SQLite's sorter and temporary tables in memory, and a sort larger than the page
 * cache (CREATE INDEX on a large table, in a migration) would then grow the heap by the size of
 * the whole sort. So migrations and import commits, whose statements may journal or sort many
 * thousands of pages, run with temporary files, as they did before. Outside a transaction only
 * (SQLite refuses the change inside one); the other requests that share the connection meanwhile
 * are only slower.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle
export async function withTempFiles<T>(db: Kysely<any>, fn: () => Promise<T>): Promise<T> {
  // temp_store 1 = FILE; given back as it was (0 default, 1 file, 2 memory), so that a nested call restores its caller's.
  return engineOfDb(db) === 'sqlite' ? withPragma(db, 'temp_store', 1, fn) : fn();
}

/**
 * SQLite: runs `fn` (which commits a transaction that wrote hundreds of megabytes, an import)
 * with the writer's automatic checkpoint off. A commit that finds the log past
 * `wal_autocheckpoint` pages copies all of it back into the database file before it returns: 3.7 s
 * of a 100,000-row import's commit (sqltime), on the server's only writer. With the checkpointer's
 * worker thread running (startCheckpointer), the copy is left to it, and the writer's threshold
 * comes back only once the worker has copied the whole log: back at once, the next request that
 * writes would pay for the copy instead (3.6 s for a token's `last_used_at` after a 300,000-row
 * import). Without that thread, the threshold comes back at once and the next commit past it copies.
 * `db` must be the root handle (its checkpointer is found through it).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle
export async function withCheckpointDeferred<T>(db: Kysely<any>, fn: () => Promise<T>): Promise<T> {
  if (engineOfDb(db) !== 'sqlite') return fn();
  const checkpointer = sqliteHandles.get(db)?.checkpointer;
  return checkpointer ? checkpointer.defer(fn) : withPragma(db, 'wal_autocheckpoint', 0, fn);
}

/**
 * SQLite: runs `fn` with a numeric pragma of this connection set to `value`, then sets it back to
 * the value it had before, also when `fn` throws.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle or transaction
async function withPragma<T>(db: Kysely<any>, name: 'temp_store' | 'analysis_limit' | 'wal_autocheckpoint', value: number, fn: () => Promise<T>): Promise<T> {
  const before = Number((await sql.raw<Record<string, number>>(`pragma ${name}`).execute(db)).rows[0]?.[name] ?? 0);
  await sql.raw(`pragma ${name} = ${value}`).execute(db);
  try {
    return await fn();
  } finally {
    await sql.raw(`pragma ${name} = ${before}`).execute(db);
  }
}

/** The checkpointer's own connection, in a worker thread (CommonJS, evaluated from this string). */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 100');
db.pragma('synchronous = NORMAL');
let stopped = false;
// Asked to report when the whole log has been copied (withCheckpointDeferred).
let draining = false;
function checkpoint() {
  if (stopped) return;
  try {
    // PASSIVE only: it never takes the write lock. A FULL or RESTART checkpoint would, and the
    // server's deferred transactions that read before they write then fail with SQLITE_BUSY
    // (no busy handler on a read-to-write upgrade) instead of waiting.
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (draining && r && r.busy === 0 && r.log === r.checkpointed) {
      draining = false;
      parentPort.postMessage({ drained: true });
    }
  } catch (err) {
    parentPort.postMessage({ warning: String(err && err.message || err) });
  }
  timer = setTimeout(checkpoint, workerData.intervalMs);
}
let timer = setTimeout(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'drain') {
    draining = true;
    return;
  }
  if (m !== 'stop') return;
  stopped = true;
  clearTimeout(timer);
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

interface Checkpointer {
  stop(): Promise<void>;
  /** Runs `fn` with the writer's threshold off; it comes back once the worker has copied the whole log (withCheckpointDeferred). */
  defer<T>(fn: () => Promise<T>): Promise<T>;
}


/**
 * SQLite in WAL mode appends each commit's pages to the log; every `wal_autocheckpoint` pages
 * (1000 by default) the committing connection copies them back into the database file and syncs
 * it, inside that commit: one request in a few dozen then takes tens of milliseconds, and every
 * request queued behind it waits (0.4–0.7 ms per check-out on average at 200,000 assets). A
 * worker thread with its own connection copies them every `intervalMs` instead, next to the
 * writer.
 *
 * Only a writer starts the log over, at the start of a transaction that finds all of it copied,
 * which a passive pass racing a stream of commits seldom leaves behind; so under steady writes the
 * log grows to the writer's own threshold (`resetFrames`), whose pass copies what the worker has
 * not yet (up to an interval's worth: 50–90 ms once every ~20,000 pages at 400 check-outs/s) and
 * lets the next transaction start over. Measured over HTTP at 200,000 assets, 8 connections:
 * 200 ms / 20,000 pages gave the best check-out p50 (21–23 ms against 24–31 ms for 10–50 ms /
 * 4,000 pages, whose more frequent writer passes cost more than they saved). At 1,000,000 assets
 * a check-out writes ~35 pages and the server takes 800–950 per second, ~30,000 pages a second:
 * the writer's pass came every ~0.7 s and held all 8 connections for it. With 100,000 pages
 * (a log of up to ~400 MB) it comes every few seconds: check-out p99 127–149 → 25–27 ms and
 * 790–810 → 840–960 per second, p50 unchanged (7.0–8.6 against 7.2–7.4 ms; 10 s runs alternating
 * on one database). Should the worker die, the writer's threshold goes back to SQLite's default.
 */
function startCheckpointer(db: SQLite.Database, file: string, intervalMs = 200, resetFrames = 100_000): Checkpointer {
  db.pragma(`wal_autocheckpoint = ${resetFrames}`);
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { file, intervalMs, driver: createRequire(import.meta.url).resolve('better-sqlite3') } });
  // The server's lifetime is not bound to this thread.
  worker.unref();
  let alive = true;
  let deferrals = 0;
  let drained: (() => void)[] = [];
  const settle = () => {
    const waiting = drained;
    drained = [];
    for (const fn of waiting) fn();
  };
  worker.on('message', (m: { warning?: string; stopped?: boolean; drained?: boolean }) => {
    if (m.warning) process.emitWarning(`SQLite checkpoint failed: ${m.warning}`, { code: 'CUSTODIAN_SQLITE_CHECKPOINT' });
    if (m.drained) settle();
    if (m.stopped) void worker.terminate();
  });
  worker.on('error', (err) => {
    alive = false;
    db.pragma('wal_autocheckpoint = 1000');
    settle();
    process.emitWarning(`SQLite checkpointer stopped (${err.message}); checkpoints happen in commits again`, { code: 'CUSTODIAN_SQLITE_CHECKPOINT' });
  });
  worker.on('exit', () => {
    alive = false;
    settle();
  });
  return {
    stop: () => new Promise<void>((resolve) => {
      if (!alive) return resolve();
      worker.once('exit', () => resolve());
      worker.postMessage('stop');
    }),
    defer: async <T>(fn: () => Promise<T>): Promise<T> => {
      if (deferrals++ === 0) db.pragma('wal_autocheckpoint = 0');
      const restore = () => {
        // The last deferral out sets the threshold back (a dead worker already set SQLite's default).
        if (--deferrals === 0 && alive && db.open) db.pragma(`wal_autocheckpoint = ${resetFrames}`);
      };
      try {
        return await fn();
      } finally {
        if (alive && db.open) {
          drained.push(restore);
          worker.postMessage('drain');
        } else {
          restore();
        }
      }
    },
  };
}

/**
 * Kysely's SQLite driver calls `prepare()` for every query; compiling the same SQL again costs
 * 0.1–0.3 ms each time. Statements are reusable with new parameters, and the single connection is
 * held for the whole of a streamed query, so a cached statement is never in use twice at once.
 */
function cachePreparedStatements(db: SQLite.Database, max = 1000): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, SQLite.Statement>();
  const cached = (source: string): SQLite.Statement => {
    let stmt = cache.get(source);
    if (stmt) {
      cache.delete(source); // keep the most recently used last (LRU order)
    } else {
      stmt = prepare(source);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    }
    cache.set(source, stmt);
    return stmt;
  };
  db.prepare = cached as typeof db.prepare;
}

/**
 * A page size written into the SQL text instead of bound. PostgreSQL costs a generic plan's bound
 * LIMIT as a tenth of the rows, so a prepared page query never took its generic plan and was
 * planned again on every execution: the asset list at 200,000 assets, 1.5 ms of planning and
 * 0.9 ms of execution per page; with the literal, after five executions 0.02 ms and 0.65 ms.
 * Page sizes are few (the API caps them), so this adds few statement texts.
 */
export function literalLimit(n: number): RawBuilder<number> {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`literalLimit: ${n} is not a row count`);
  return sql.lit(n);
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

/**
 * SQLite's statistics without STAT4 samples. better-sqlite3 builds SQLite with
 * SQLITE_ENABLE_STAT4, and ANALYZE (which `pragma optimize` runs) then keeps sample keys of every
 * index in `sqlite_stat4`. A statement whose plan the planner estimated from those samples for a
 * bound value is marked to be planned again whenever that value is bound, which better-sqlite3
 * does on every run: the statement is compiled anew on every execution. Measured at 1,000,000
 * assets, per execution: the asset page's eight-table join 122 → 19 µs, a count of an asset's
 * children 22 → 2 µs, the open-assignment lookup 18.7 → 1.2 µs — most of the SQL time of a
 * request. The planner keeps `sqlite_stat1` (rows per key prefix of each index, from a full
 * ANALYZE). What samples would add — the frequency of one particular value — the asset list
 * measures itself where it matters (search.repository `chooseSteer`), on both engines.
 * `analyze sqlite_schema` makes this connection load the statistics again.
 */
const STAT4_EXISTS = "select 1 as held from sqlite_schema where type = 'table' and name = 'sqlite_stat4'";
const STAT4_ROWS = 'select 1 as held from sqlite_stat4 limit 1';
const DROP_STAT4 = ['delete from sqlite_stat4', 'analyze sqlite_schema'];

/** Periodic planner maintenance: refreshes SQLite statistics where they went stale (PostgreSQL autovacuum does this), without STAT4 samples. */
export async function optimize<T>(db: Kysely<T>, engine: Engine): Promise<void> {
  if (engine !== 'sqlite') return;
  await sql`pragma optimize`.execute(db);
  if ((await sql.raw(STAT4_EXISTS).execute(db)).rows.length && (await sql.raw(STAT4_ROWS).execute(db)).rows.length) {
    for (const statement of DROP_STAT4) await sql.raw(statement).execute(db);
  }
}

/**
 * After a bulk load of assets (an import of many thousand rows, the benchmark's seed): merges the
 * full-text index into one segment. SQLite's FTS5 index is log-structured; each loading
 * transaction leaves a segment, and while several large ones sit on low levels every later write
 * pays part of merging them (at 200,000 freshly seeded assets a check-out wrote 94 WAL pages
 * instead of 73). One merge right after the load costs about a second per 200,000 assets.
 * PostgreSQL's GIN index needs nothing of the kind (autovacuum flushes its pending list).
 */
export async function compactFullText<T>(db: Kysely<T>, engine: Engine): Promise<void> {
  if (engine === 'sqlite') await sql`insert into assets_fts(assets_fts) values ('optimize')`.execute(db);
}

export interface FullTextPause { /** about the documents before the load: the highest asset_search id (a document's rowid) */ docsBefore: number }

/**
 * The highest key of a table (0 when empty): rows added later in the transaction get higher ones.
 * An asset_search id is its document's full-text rowid.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle or transaction
const highest = async (db: Kysely<any>, table: 'asset_search' | 'assets', column: 'id' | 'rowid'): Promise<number> =>
  Number((await sql<{ v: number | null }>`select max(${sql.raw(column)}) as v from ${sql.raw(table)}`.execute(db)).rows[0]?.v ?? 0);

/**
 * SQLite, for one long bulk-loading transaction (an all-or-nothing import of many thousand
 * assets): FTS5 flushes its pending terms into a new small segment every megabyte or so and, with
 * the default `automerge`/`crisismerge` (4/16), merges segments again and again while the load
 * goes on, work that grows with the size of the load (300,000 assets in one transaction: 43 s of
 * inserts, 10 s of it merging; 100,000: about 1 s). Inside the transaction this stops the
 * incremental merges (segments pile up, up to 1,000 on a level); `resumeFullTextMerges` restores
 * the settings before the commit and merges what piled up. The settings live in the index's
 * config table, so a rollback restores them too. PostgreSQL: nothing to do (null).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle or transaction
export async function pauseFullTextMerges(db: Kysely<any>): Promise<FullTextPause | null> {
  if (engineOfDb(db) !== 'sqlite') return null;
  await sql`insert into assets_fts(assets_fts, rank) values ('automerge', 0)`.execute(db);
  await sql`insert into assets_fts(assets_fts, rank) values ('crisismerge', 1000)`.execute(db);
  return { docsBefore: await highest(db, 'asset_search', 'id') };
}

/**
 * Ends `pauseFullTextMerges` in the same transaction: FTS5's default merge settings, then a merge
 * of what the load left. When the load brought at least as many documents as the index held
 * before, `optimize` rewrites the whole index into one segment (the cheapest way at that ratio).
 * Otherwise only the piled-up segments are merged, level by level (`merge` with a positive
 * argument leaves a level with fewer than `usermerge` segments alone, so the large segment that
 * holds the existing documents is not rewritten): a 5,000-row import into an index of 300,000
 * documents spent 1.9 s in `optimize`, 0.03 s this way.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle or transaction
export async function resumeFullTextMerges(db: Kysely<any>, paused: FullTextPause | null): Promise<void> {
  if (!paused) return;
  await sql`insert into assets_fts(assets_fts, rank) values ('automerge', 4)`.execute(db);
  await sql`insert into assets_fts(assets_fts, rank) values ('crisismerge', 16)`.execute(db);
  const loaded = (await highest(db, 'asset_search', 'id')) - paused.docsBefore;
  if (loaded >= paused.docsBefore) {
    await sql`insert into assets_fts(assets_fts) values ('optimize')`.execute(db);
    return;
  }
  // Each step writes up to 2,000 pages; one that changes fewer than 2 rows found nothing to merge
  // (FTS5 documentation). Every step merges segments away, so this ends; the cap is a backstop.
  const changes = async () => Number((await sql<{ n: number }>`select total_changes() as n`.execute(db)).rows[0]?.n ?? 0);
  let before = await changes();
  for (let step = 0; step < 100_000; step++) {
    await sql`insert into assets_fts(assets_fts, rank) values ('merge', 2000)`.execute(db);
    const after = await changes();
    if (after - before < 2) return;
    before = after;
  }
}

/**
 * SQLite, for one long all-or-nothing import of many assets: the row triggers that index each new
 * asset (`assets_search_ai`: its `asset_search` row and full-text document; `assets_sort_ai`: its
 * `asset_sort_keys` row, both through their views) are dropped inside the transaction and
 * `completeAssetIndexing` does their work once, set-based, for every asset that has no
 * `asset_search` row, then re-creates them from the definitions saved here (the same text), all
 * before the commit; a rollback restores them with everything else (SQLite DDL is
 * transactional). While they are dropped, the other triggers still keep existing assets current
 * (an assignment of an existing asset re-indexes it); for the new ones they find no index rows
 * yet and do nothing, and the set-based pass computes the final state from the views. Only the
 * transaction's own connection sees the change (others read the committed schema), and on
 * SQLite the server's one connection is held by the import until it commits. PostgreSQL, or a
 * schema without exactly these triggers: null (the triggers do the work).
 */
export interface DeferredAssetIndexing {
  orgId: string;
  triggers: { name: string; sql: string }[];
  /** secondary indexes of `assets` and `asset_sort_keys` dropped for the load, re-created at its end */
  indexes: { name: string; table: string; sql: string }[];
  lastSearchId: number;
  /** the highest assets rowid before: the import's new assets get higher ones, so the pass reads only them */
  lastAssetRowid: number;
}

const ASSET_INSERT_TRIGGERS = ['assets_search_ai', 'assets_sort_ai'];

/**
 * Indexes a load into `assets` keeps even when it rebuilds the others: every unique index (the
 * rules they enforce hold row by row) and the ones the import's own lookups search — tag (unique)
 * and serial. Foreign keys and the remaining triggers use primary keys.
 *
 * Kept too: the indexes a load only appends to. Their keys are a value of a few (the state,
 * category, model, location, supplier, department; a name of those in `asset_sort_keys`) followed
 * by what grows with every new row: the time of the write, the row's id (UUIDv7) or rowid. New
 * entries go to the end of each value's run, into a handful of pages the cache holds, which costs
 * less than a sorted rebuild over the whole table. 100,000 rows into 1,000 assets, alternating runs
 * on one machine: commit 26.5–33.1 s against 30.1–36.7 s when these were rebuilt too (−12% on
 * average). Tags, names, dates and costs send new entries all over their trees: those are rebuilt.
 */
const KEPT_DURING_LOAD = [
  'assets_sort_serial_idx',
  'assets_updated_idx', 'assets_state_updated_idx', 'assets_category_updated_idx', 'assets_model_updated_idx', 'assets_location_updated_idx',
  'assets_sort_created_at_idx', 'assets_sort_lifecycle_state_idx',
  'assets_default_location_idx', 'assets_supplier_idx', 'assets_department_idx', 'assets_parent_asset_idx',
  'asset_sort_keys_model_name_idx', 'asset_sort_keys_category_name_idx', 'asset_sort_keys_manufacturer_name_idx', 'asset_sort_keys_location_name_idx',
  'asset_sort_keys_assignee_name_idx', 'asset_sort_keys_supplier_name_idx', 'asset_sort_keys_department_name_idx',
];

/**
 * `rows`: how many assets the load may add. When that is at least as many as `assets` holds (a
 * first import into a new register, the typical one), the non-unique secondary indexes of
 * `assets` that new rows enter all over the tree (by tag within a state, category, model,
 * location or manufacturer; by name, purchase date and cost, warranty end, end of life: 10
 * b-trees a row otherwise enters one by one, at random places) are dropped too and built again by
 * `completeAssetIndexing`, each in one sorted pass over the table. 100,000 rows into a table of
 * 101,000: inserts 6.65 s + commit 1.59 s with the indexes; 0.88 s + rebuild 4.20 s + commit 1.39 s
 * without. The rebuild costs in proportion to the whole table, hence the threshold.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle or transaction
export async function deferAssetIndexing(db: Kysely<any>, orgId: string, rows = 0): Promise<DeferredAssetIndexing | null> {
  if (engineOfDb(db) !== 'sqlite') return null;
  const triggers = (await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
    where type = 'trigger' and tbl_name = 'assets' and name in (${sql.join(ASSET_INSERT_TRIGGERS)}) order by rowid`.execute(db)).rows;
  if (triggers.length !== ASSET_INSERT_TRIGGERS.length) return null;
  const last = await highest(db, 'asset_search', 'id');
  const lastAssetRowid = await highest(db, 'assets', 'rowid');
  const tableRows = Number((await sql<{ n: number }>`select count(*) as n from assets`.execute(db)).rows[0]?.n ?? 0);
  const indexes = rows > 0 && rows >= tableRows
    ? (await sql<{ name: string; table: string; sql: string }>`select name, tbl_name as "table", sql from sqlite_master
        where type = 'index' and tbl_name in ('assets', 'asset_sort_keys') and sql is not null and sql not like 'create unique %'
          and name not in (${sql.join(KEPT_DURING_LOAD)}) order by rowid`.execute(db)).rows
    : [];
  for (const t of triggers) await sql.raw(`drop trigger "${t.name}"`).execute(db);
  for (const i of indexes) await sql.raw(`drop index "${i.name}"`).execute(db);
  return { orgId, triggers, indexes, lastSearchId: last, lastAssetRowid };
}

/** Ends `deferAssetIndexing` in the same transaction: indexes the new assets, then re-creates the indexes and triggers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle or transaction
export async function completeAssetIndexing(db: Kysely<any>, d: DeferredAssetIndexing): Promise<void> {
  // What assets_search_ai did per row: the asset's asset_search row (its id is the document's rowid) …
  // Only rows added since deferAssetIndexing are read (at 1,000,000 assets a scan of the whole
  // organization took ~0.5 s per import).
  await sql`insert into asset_search(org_id, asset_id)
    select a.org_id, a.id from assets a
     where a.rowid > ${d.lastAssetRowid} and a.org_id = ${d.orgId} and not exists (select 1 from asset_search s where s.asset_id = a.id) order by a.rowid`.execute(db);
  // … and its document, from the view, in rowid order.
  await sql`insert into assets_fts(rowid, tag, serial, name, model, manufacturer, assignee, notes)
    select s.id, v.tag, v.serial, v.name, v.model, v.manufacturer, v.assignee, v.notes
      from asset_search s join asset_search_source v on v.asset_id = s.asset_id where s.id > ${d.lastSearchId} order by s.id`.execute(db);
  // What assets_sort_ai did per row.
  await sql`insert into asset_sort_keys(asset_id, org_id, model_name, category_name, manufacturer_name, location_name, assignee_name, supplier_name, department_name)
    select v.asset_id, v.org_id, v.model_name, v.category_name, v.manufacturer_name, v.location_name, v.assignee_name, v.supplier_name, v.department_name
      from asset_search s join asset_sort_source v on v.asset_id = s.asset_id
     where s.id > ${d.lastSearchId} and not exists (select 1 from asset_sort_keys k where k.asset_id = s.asset_id)`.execute(db);
  for (const i of d.indexes) await sql.raw(i.sql).execute(db);
  for (const t of d.triggers) await sql.raw(t.sql).execute(db);
  // The new indexes have no statistics yet (dropping an index drops its sqlite_stat1 row), and
  // `asset_sort_keys` got all its new rows just now.
  if (d.indexes.length) await refreshStatistics(db, [...new Set(['asset_sort_keys', ...d.indexes.map((i) => i.table)])]);
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

// ---------- full-text search and ranges (search module) ----------

/**
 * The engine a Kysely handle talks to, for migrations that must branch (they receive only the
 * handle). Everything else gets the engine from the `Database`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations hold a Kysely<any>
export function engineOfDb(db: Kysely<any>): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Free text → search words, each word the list of its tokens (runs of letters, digits and marks,
 * lower-cased): "LAP-00 Dell" → [["lap", "00"], ["dell"]]. Both engines index documents with the
 * same split (FTS5 unicode61; PostgreSQL's `simple` configuration over text whose other characters
 * were replaced by spaces), so a query token always meets the same document tokens.
 */
export function searchWords(q: string): string[][] {
  return q.split(/\s+/)
    .map((w) => (w.toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).slice(0, 8))
    .filter((tokens) => tokens.length > 0)
    .slice(0, 8);
}

/**
 * The engine's full-text query for search words: every word must match; a word's tokens are a
 * phrase whose last token is a prefix (so "LAP-00" finds LAP-00042 and "dell lat" finds Dell
 * Latitudes) unless it is a single character (a one-letter prefix matches most of the index).
 * Tokens hold letters and digits only, so nothing needs quoting.
 */
export function fullTextQuery(engine: Engine, words: string[][]): string {
  const isPrefix = (w: string[]) => (w[w.length - 1]?.length ?? 0) > 1;
  if (engine === 'postgres') {
    return words.map((w) => w.map((t, i) => (i === w.length - 1 && isPrefix(w) ? `${t}:*` : t)).join(' <-> ')).join(' & ');
  }
  return words.map((w) => `"${w.join(' ')}"${isPrefix(w) ? '*' : ''}`).join(' AND ');
}

/**
 * Restricts a query that has `asset_search` in scope to the assets whose search document matches
 * `query` (from `fullTextQuery`), and names the key that orders the matches newest first.
 * SQLite joins the FTS5 index as a table-valued function, which then drives the query in rowid
 * order and stops at the LIMIT (no sort of all matches); PostgreSQL matches the GIN-indexed
 * tsvector column.
 */
export function assetFullText(engine: Engine, query: string): {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- works on any builder with asset_search in scope
  apply: <QB extends SelectQueryBuilder<any, any, any>>(qb: QB) => QB;
  key: RawBuilder<number>;
} {
  if (engine === 'postgres') {
    return {
      apply: (qb) => qb.where(sql<SqlBool>`asset_search.document @@ to_tsquery('simple', ${query})`) as typeof qb,
      key: sql<number>`asset_search.id`,
    };
  }
  return {
    apply: (qb) => qb.innerJoin(sql`assets_fts(${query})`.as('fts'), (join) => join.on(sql<SqlBool>`fts.rowid = asset_search.id`)) as typeof qb,
    key: sql<number>`fts.rowid`,
  };
}

/** The smallest string greater than every string that starts with `prefix` (byte/code-unit order). */
function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/**
 * Case-sensitive "starts with" that can use a b-tree index: a range on SQLite (binary collation)
 * and LIKE on PostgreSQL (whose linguistic collations make a range wrong, and whose planner turns
 * a left-anchored LIKE into an index range under the C collation or a text_pattern_ops index).
 */
export function startsWith<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  column: Expression<unknown>,
  prefix: string,
  engine: Engine,
): Expression<SqlBool> {
  if (!prefix) return sql<SqlBool>`1 = 1`;
  if (engine === 'postgres') {
    const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    return eb(column, 'like', sql<string>`${`${escaped}%`} escape '\\'`);
  }
  return eb.and([eb(column, '>=', prefix), eb(column, '<', prefixUpperBound(prefix))]);
}

/**
 * Keeps SQLite's planner from driving a query through an index on `expr` (unary `+`, a no-op on
 * any value), to steer it to the plan the caller knows is cheaper. PostgreSQL plans with
 * statistics and gets the expression unchanged.
 */
export function notIndexed<T>(engine: Engine, expr: Expression<T>): Expression<T> {
  return engine === 'sqlite' ? sql<T>`+${expr}` : expr;
}

/**
 * Whether the repository should steer this engine's plans (choose the driving index itself after
 * cheap bounded probes, see `notIndexed`). SQLite's planner does not weigh a LIMIT against the cost
 * of sorting, so on its own it sorts 100 000 rows to return 50; PostgreSQL's does.
 */
export const steersPlans = (engine: Engine): boolean => engine === 'sqlite';

/** `asset_search.id in (…)` form of a full-text match, for plans driven by another index. */
export function assetFullTextIds(engine: Engine, query: string): RawBuilder<number> {
  return engine === 'postgres'
    ? sql<number>`(select s.id from asset_search s where s.document @@ to_tsquery('simple', ${query}))`
    : sql<number>`(select rowid from assets_fts(${query}))`;
}

// ---------- bulk writes (imports) ----------

/** Bind parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535. */
const BULK_MAX_PARAMS = 30_000;

/**
 * Multi-row INSERT of plain rows (every row has the same columns, those of the first), chunked
 * under the engines' parameter limits. It skips the query builder (whose per-value nodes cost
 * more than the insert itself at a hundred thousand rows) and sends the engine's placeholders.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any table of any Kysely handle or transaction
export async function bulkInsert(db: Kysely<any>, table: string, rows: readonly object[], maxRows = 1000): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]!);
  const pg = engineOfDb(db) === 'postgres';
  const size = Math.max(1, Math.min(maxRows, Math.floor(BULK_MAX_PARAMS / columns.length)));
  const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values `;
  const texts = new Map<number, string>();
  const text = (n: number): string => {
    let t = texts.get(n);
    if (!t) {
      let p = 0;
      const tuple = () => `(${columns.map(() => (pg ? `$${++p}` : '?')).join(', ')})`;
      t = head + Array.from({ length: n }, tuple).join(', ');
      texts.set(n, t);
    }
    return t;
  };
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    const params: unknown[] = [];
    for (const r of chunk) for (const c of columns) params.push((r as Record<string, unknown>)[c] ?? null);
    await db.executeQuery(CompiledQuery.raw(text(chunk.length), params));
  }
}

/** Rows per index an in-load ANALYZE reads on SQLite (`pragma analysis_limit`). */
const STATS_SAMPLE = 1000;

/**
 * Bulk loads inside one long transaction plan their statements with the statistics of the last
 * ANALYZE, taken when the growing tables were smaller, perhaps much smaller.
 * - PostgreSQL: the trigger statements that maintain search and sort keys went on planning for
 *   tables that were empty (sequential scans of a table that is now a hundred thousand rows long).
 * - SQLite: the import's own lookups of existing assets by a list of tags or serials. With
 *   statistics saying 1,000 assets, the planner prefers one scan of the table to 250 index
 *   searches; the scan then reads the whole table as the load grows it (100,000 rows into an
 *   organization of 1,000: 9.4 ms per lookup instead of 0.35, 5.6 s of the commit). The SQLite
 *   branch samples at most STATS_SAMPLE rows per index (`analysis_limit`, what `pragma optimize`
 *   does), keeps no STAT4 samples (see DROP_STAT4) and reloads the statistics.
 * ANALYZE inside the transaction sees its own rows, and a rollback takes the statistics back too.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Kysely handle or transaction
export async function refreshStatistics(db: Kysely<any>, tables: readonly string[]): Promise<void> {
  if (!tables.length) return;
  const list = tables.map((t) => `"${t}"`);
  if (engineOfDb(db) === 'postgres') {
    await sql.raw(`analyze ${list.join(', ')}`).execute(db);
    return;
  }
  await withPragma(db, 'analysis_limit', STATS_SAMPLE, async () => {
    for (const t of list) await sql.raw(`analyze ${t}`).execute(db);
  });
  for (const statement of DROP_STAT4) await sql.raw(statement).execute(db);
}
