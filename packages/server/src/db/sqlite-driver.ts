/**
 * The SQLite driver: Kysely's (one connection, one query or transaction at a time, in arrival
 * order), plus a second, read-only connection for reads while a long write holds the first.
 *
 * SQLite has one writer, and the server shares one connection: a transaction holds it from BEGIN to
 * COMMIT, across the awaits between its statements, and every other request waits. For a check-out
 * that is a few milliseconds. An all-or-nothing import is one transaction of seconds to minutes
 * (100,000 assets ~16 s, 1,000,000 ~5 min), and every page load, list and progress poll of every
 * user waited for it. `longWrite(fn)` marks such work: while it runs and the writer is held, each
 * request gets a connection that sends its plain reads (a SELECT that SQLite calls read-only) to
 * the reader, which sees the last committed state (WAL: readers and the writer do not block each
 * other), and takes the writer, in turn as before, at its first statement that is not such a read
 * (a write, BEGIN, a pragma) and keeps it until released. So reads answer at once and writes wait
 * as they did. Streamed queries (exports) stay on the writer: the reader's statements are shared
 * and a stream would hold one across awaits. Outside long writes nothing changes: one connection.
 * The reader is opened on first use (`:memory:` databases have none: another connection would be
 * another database).
 */
import { CompiledQuery, SelectQueryNode, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult } from 'kysely';
import type SQLite from 'better-sqlite3';

/** Runs one statement to completion (better-sqlite3 is synchronous), as Kysely's SqliteConnection does. */
function run<R>(db: SQLite.Database, query: CompiledQuery): QueryResult<R> {
  const stmt = db.prepare(query.sql);
  const params = query.parameters as unknown[];
  if (stmt.reader) return { rows: stmt.all(params) as R[] };
  const { changes, lastInsertRowid } = stmt.run(params);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

async function* stream<R>(db: SQLite.Database, query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
  if (!SelectQueryNode.is(query.query)) throw new Error('Sqlite driver only supports streaming of select queries');
  for (const row of db.prepare(query.sql).iterate(query.parameters as unknown[])) yield { rows: [row as R] };
}

class Connection implements DatabaseConnection {
  constructor(private readonly db: SQLite.Database) {}
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return Promise.resolve(run<R>(this.db, query));
  }
  streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    return stream<R>(this.db, query);
  }
}

/** Kysely's mutex: waiters retry in the order they were queued. */
class Mutex {
  #promise: Promise<void> | undefined;
  #resolve: (() => void) | undefined;
  get locked(): boolean {
    return this.#promise !== undefined;
  }
  async lock(): Promise<void> {
    while (this.#promise) await this.#promise;
    this.#promise = new Promise((resolve) => { this.#resolve = resolve; });
  }
  unlock(): void {
    const resolve = this.#resolve;
    this.#promise = undefined;
    this.#resolve = undefined;
    resolve?.();
  }
}

/** A request's connection during a long write: reads go to the reader until it first needs the writer. */
class RoutedConnection implements DatabaseConnection {
  #holdsWriter = false;
  constructor(private readonly driver: SqliteDriver) {}
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.#holdsWriter) {
      const reader = this.driver.readerFor(query.sql);
      if (reader) return run<R>(reader, query);
      await this.#takeWriter();
    }
    return run<R>(this.driver.writer, query);
  }
  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!this.#holdsWriter) await this.#takeWriter();
    yield* stream<R>(this.driver.writer, query);
  }
  async #takeWriter(): Promise<void> {
    await this.driver.mutex.lock();
    this.#holdsWriter = true;
  }
  release(): void {
    if (!this.#holdsWriter) return;
    this.#holdsWriter = false;
    this.driver.mutex.unlock();
  }
}

const PLAIN_READ = /^\s*(select|with)\b/i;

export class SqliteDriver implements Driver {
  readonly mutex = new Mutex();
  readonly #connection: Connection;
  #reader: SQLite.Database | null = null;
  #longWrites = 0;

  /** `openReader`: opens the read-only connection (null: there is none, e.g. `:memory:`). */
  constructor(readonly writer: SQLite.Database, private readonly openReader: (() => SQLite.Database) | null) {
    this.#connection = new Connection(writer);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.holdsLongWrite) return new RoutedConnection(this);
    await this.mutex.lock();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteName(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteName(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteName(name)}`));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof RoutedConnection) connection.release();
    else this.mutex.unlock();
  }

  async destroy(): Promise<void> {
    this.#reader?.close();
    this.#reader = null;
    this.writer.close();
  }

  /** Whether a long write holds the writer now (requests then read from the reader). */
  get holdsLongWrite(): boolean {
    return this.#longWrites > 0 && this.mutex.locked && this.openReader !== null;
  }

  /** Marks `fn` as a long write for as long as it runs (nested and concurrent marks add up). */
  async longWrite<T>(fn: () => Promise<T>): Promise<T> {
    this.#longWrites++;
    try {
      return await fn();
    } finally {
      this.#longWrites--;
    }
  }

  /** The reader, when `sql` is a plain read it can run; null sends the statement to the writer. */
  readerFor(sql: string): SQLite.Database | null {
    if (!PLAIN_READ.test(sql) || !this.openReader) return null;
    this.#reader ??= this.openReader();
    try {
      return this.#reader.prepare(sql).readonly ? this.#reader : null;
    } catch {
      // Not preparable there (an object only the writer's transaction has made): the writer's turn.
      return null;
    }
  }
}

/** Savepoint names come from Kysely's builder (identifiers); quoted all the same. */
const quoteName = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A Kysely dialect over `SqliteDriver`: the rest is Kysely's SQLite dialect. */
export function sqliteDialect(driver: SqliteDriver): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => driver,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own signature
    createIntrospector: (db: Kysely<any>) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}
