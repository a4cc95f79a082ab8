/** Operator commands that run on the server host against the database (no HTTP). */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { sqliteBackup, sqlitePath } from '../db/dialect.js';
import { systemActor, type Ctx } from '../context.js';
import { randomToken } from '../lib/crypto.js';
import * as identity from '../modules/identity/identity.service.js';
import * as orgs from '../modules/organizations/organizations.service.js';
import * as events from '../modules/events/events.service.js';
import { AppError } from '../errors.js';

const cliCtx = (database: Database, config: Config): Ctx => ({
  db: database.db, engine: database.engine, config, actor: systemActor(null, 'custodian-server'), requestId: null,
});

export interface CreateAdminResult { email: string; password: string | null; organization: string }

export async function createAdmin(
  database: Database, config: Config,
  opts: { email: string; name?: string; organization?: string; password?: string },
): Promise<CreateAdminResult> {
  const ctx = cliCtx(database, config);
  const password = opts.password ?? `${randomToken(12)}-${randomToken(6)}`;
  const orgName = opts.organization ?? 'My organization';
  await database.db.transaction().execute(async (trx) => {
    if (await identity.findUserByEmail(trx, opts.email)) {
      throw new AppError(409, 'user.email_taken', `A user with email ${opts.email} already exists; use reset-password instead.`);
    }
    const user = await identity.createUser(trx, ctx, { email: opts.email, displayName: opts.name ?? opts.email.split('@')[0] ?? opts.email, password, mustChangePassword: !opts.password });
    await orgs.createWithOwner(trx, ctx, orgName, user.id);
  });
  return { email: opts.email.toLowerCase(), password: opts.password ? null : password, organization: orgName };
}

export async function resetPassword(database: Database, config: Config, opts: { email: string; password?: string; disableTotp?: boolean }): Promise<string | null> {
  const ctx = cliCtx(database, config);
  const password = opts.password ?? `${randomToken(12)}-${randomToken(6)}`;
  const user = await identity.requireUserByEmail(database.db, opts.email);
  await database.db.transaction().execute(async (trx) => {
    await identity.setPassword(trx, ctx, user, password, { mustChange: !opts.password, action: 'user.password_reset' });
    await identity.deactivate(trx, user.id, true);
  });
  if (opts.disableTotp) await identity.disableTotp(ctx, user);
  return opts.password ? null : password;
}

export async function verifyLog(database: Database): Promise<{ ok: boolean; lines: string[] }> {
  const reports = await events.verify(database.db);
  const lines = reports.map((r) => r.ok
    ? `ok      ${r.chainId}  ${r.events} events`
    : `BROKEN  ${r.chainId}  first broken link at #${r.firstBroken?.seq}${r.firstBroken?.eventId ? ` (event ${r.firstBroken.eventId})` : ''}: ${r.firstBroken?.reason}`);
  if (!reports.length) lines.push('no events yet');
  return { ok: reports.every((r) => r.ok), lines };
}

/** Online, consistent copy of the SQLite database (VACUUM INTO); PostgreSQL: use pg_dump. */
export function backup(database: Database, config: Config, out?: string): string {
  if (database.engine !== 'sqlite') {
    throw new AppError(400, 'backup.use_pg_dump', 'This server uses PostgreSQL: back it up with\n  pg_dump --format=custom --file=custodian.dump "$DATABASE_URL"\nand restore with pg_restore (see docs/backup.md).');
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = resolve(out ?? join(config.dataDir, 'backups', `custodian-${stamp}.db`));
  if (existsSync(target)) throw new AppError(409, 'backup.exists', `${target} already exists.`);
  mkdirSync(dirname(target), { recursive: true });
  sqliteBackup(database.raw as SQLite.Database, target);
  return target;
}

/**
 * Replaces the SQLite database with a backup. The server must be stopped. The current database
 * is kept beside it as `<name>.before-restore-<time>`.
 */
export function restore(config: Config, file: string): { restored: string; previous: string | null } {
  if (!config.databaseUrl.startsWith('sqlite:')) throw new AppError(400, 'restore.use_pg_restore', 'This server uses PostgreSQL: restore with pg_restore (see docs/backup.md).');
  const source = resolve(file);
  if (!existsSync(source)) throw new AppError(404, 'restore.missing', `${source} does not exist.`);
  const check = new SQLite(source, { readonly: true, fileMustExist: true });
  try {
    const integrity = check.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new AppError(422, 'restore.corrupt', `${source} fails the integrity check: ${String(integrity)}`);
    const hasMigrations = check.prepare("select count(*) as n from sqlite_master where name = 'kysely_migration'").get() as { n: number };
    if (!hasMigrations.n) throw new AppError(422, 'restore.not_custodian', `${source} is not a Custodian database.`);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(422, 'restore.not_sqlite', `${source} is not a SQLite database.`);
  } finally {
    check.close();
  }
  const target = sqlitePath(config.databaseUrl);
  let previous: string | null = null;
  if (existsSync(target)) {
    previous = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, previous);
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  return { restored: target, previous };
}
