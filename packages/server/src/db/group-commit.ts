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
 */
import type { ControlledTransaction } from 'kysely';
import type { Db, Tx } from './database.js';
import type { DB } from './schema.js';

interface Unit {
  fn: (trx: Tx) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit {
  readonly #db: Db;
  readonly #maxUnits: number;
  #queue: Unit[] = [];
  #running = false;
  #batches = 0;
  #units = 0;

  constructor(db: Db, maxUnits = 16) {
    this.#db = db;
    this.#maxUnits = maxUnits;
  }

  /** Transactions written and units run so far (units / batches = how much was shared). */
  get stats(): { batches: number; units: number } {
    return { batches: this.#batches, units: this.#units };
  }

  run<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
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

/** The group-commit runner of this database handle. */
export function groupCommit(db: Db): GroupCommit {
  let r = runners.get(db);
  if (!r) runners.set(db, (r = new GroupCommit(db)));
  return r;
}
