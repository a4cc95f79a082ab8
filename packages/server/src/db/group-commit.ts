/**
 * Group commit: units of work that arrive while one is being written share the next transaction,
 * each inside its own savepoint (a unit that throws is rolled back alone and its caller gets the
 * error; the others commit). Every caller still gets its answer only after its work is durable.
 *
 * Why: a discovered machine's first inventory adds ~840 software installations, one entry in
 * each product's part of the "where is it installed" index: ~840 scattered index pages that a
 * commit writes out (to the SQLite WAL, the PostgreSQL WAL) whole. Inventories arriving together
 * mostly touch the same pages; written in one commit, they cost a fraction.
 *
 * One runner per database handle; with a single unit waiting, it is one transaction as before.
 *
 * Check-outs and check-ins (custody) use it on SQLite too. Their transactions never wait for I/O
 * (better-sqlite3 is synchronous), so a unit started at once would always run alone: every
 * request the event loop has already read would only reach the runner after the unit's commit.
 * The shared runner therefore starts a batch from `setImmediate`, after the loop has handled the
 * requests that arrived together (Node's check phase follows its poll phase); those queue and
 * share the batch. When the server is idle that costs one turn of the event loop.
 */
import type { ControlledTransaction } from 'kysely';
import type { Db, Tx } from './database.js';
import type { DB } from './schema.js';
import type { Engine } from './dialect.js';

interface Unit {
  fn: (trx: Tx) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit {
  readonly #db: Db;
  readonly #maxUnits: number;
  readonly #deferStart: boolean;
  #queue: Unit[] = [];
  #running = false;
  #batches = 0;
  #units = 0;

  /** `deferStart`: an idle runner starts its next batch from `setImmediate` instead of at once. */
  constructor(db: Db, maxUnits = 16, deferStart = false) {
    this.#db = db;
    this.#maxUnits = maxUnits;
    this.#deferStart = deferStart;
  }

  /** Transactions written and units run so far (units / batches = how much was shared). */
  get stats(): { batches: number; units: number } {
    return { batches: this.#batches, units: this.#units };
  }

  run<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (this.#running) return;
      this.#running = true;
      if (this.#deferStart) setImmediate(() => void this.#drain());
      else void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length) await this.#batch(this.#queue.splice(0, this.#maxUnits));
    } finally {
      this.#running = false;
    }
  }

  async #batch(units: Unit[]): Promise<void> {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    let trx: ControlledTransaction<DB> | null = null;
    this.#batches++;
    this.#units += units.length;
    try {
      trx = await this.#db.startTransaction().execute();
      for (const u of units) {
        if (units.length === 1) {
          // Alone: no savepoint needed, the transaction is the unit.
          try {
            outcomes.push({ ok: true, value: await u.fn(trx) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
          continue;
        }
        const sp = await trx.savepoint('unit').execute();
        try {
          const value = await u.fn(sp);
          await sp.releaseSavepoint('unit').execute();
          outcomes.push({ ok: true, value });
        } catch (error) {
          await sp.rollbackToSavepoint('unit').execute();
          outcomes.push({ ok: false, error });
        }
      }
      if (units.length === 1 && outcomes[0] && !outcomes[0].ok) await trx.rollback().execute();
      else await trx.commit().execute();
    } catch (error) {
      // The transaction itself failed (begin/commit): nothing of this batch was written.
      if (trx) await trx.rollback().execute().catch(() => undefined);
      for (const u of units) u.reject(error);
      return;
    }
    units.forEach((u, i) => {
      const o = outcomes[i]!;
      if (o.ok) u.resolve(o.value);
      else u.reject(o.error);
    });
  }
}

const runners = new WeakMap<Db, GroupCommit>();

/** The group-commit runner of this database handle (batches start from `setImmediate`). */
export function groupCommit(db: Db): GroupCommit {
  let r = runners.get(db);
  if (!r) runners.set(db, (r = new GroupCommit(db, 16, true)));
  return r;
}

/**
 * A short write transaction of a request (custody's check-out and check-in, discovery's processing
 * of an inventory): on SQLite a unit of the shared group-commit runner, on PostgreSQL a transaction
 * of its own.
 *
 * Why not PostgreSQL: there concurrent transactions run side by side and queue only at the
 * organization's event-chain head, which each takes last. Units of a batch take it with the
 * first unit's events and then lock the next unit's rows: a transaction outside the batch that
 * holds one of those rows and waits for the chain head would deadlock with it.
 */
export function writeTransaction<T>(db: Db, engine: Engine, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return engine === 'sqlite' ? groupCommit(db).run(fn) : db.transaction().execute(fn);
}
