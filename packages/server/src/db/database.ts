import { Kysely, type Transaction } from 'kysely';
import { connect, type ConnectOptions, type Engine } from './dialect.js';
import type { DB } from './schema.js';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Repositories accept either the root handle or a transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;

export interface Database {
  db: Db;
  engine: Engine;
  url: string;
  /** The underlying driver handle (better-sqlite3 Database or pg Pool), for admin commands only. */
  raw: SQLite.Database | pg.Pool;
  close(): Promise<void>;
}

export function createDatabase(url: string, opts: ConnectOptions = {}): Database {
  const conn = connect(url, opts);
  const db = new Kysely<DB>({ dialect: conn.dialect });
  conn.attach?.(db);
  return {
    db,
    engine: conn.engine,
    url,
    raw: conn.raw,
    close: async () => {
      await conn.stop();
      await db.destroy();
    },
  };
}
