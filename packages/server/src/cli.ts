#!/usr/bin/env node
/**
 * custodian-server — operator commands on the server host:
 *   serve | migrate | create-admin | reset-password | verify-log | backup | restore
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.js';
import { createDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { serve } from './server.js';
import { AppError } from './errors.js';
import * as admin from './commands/admin.js';

const HELP = `Usage: custodian-server <command> [options]

Commands:
  serve                      Migrate and start the server (default)
  migrate                    Apply pending database migrations and exit
  create-admin --email E [--name N] [--organization O] [--password-stdin]
                             Create a user who owns a new organization; prints a generated
                             password (to be changed at first sign-in) unless one is piped in
  reset-password --email E [--password-stdin] [--disable-2fa]
                             Set a new password (generated unless piped in), clear the lockout
                             and end the user's sessions
  verify-log                 Verify every event hash chain; exits 1 at the first broken link
  backup [--out FILE]        Consistent online copy of the SQLite database (PostgreSQL: pg_dump)
  restore FILE [--yes]       Replace the SQLite database with a backup (stop the server first)

Configuration comes from the environment (DATABASE_URL, DATA_DIR, …); see README.md.`;

function readStdinPassword(): string {
  const text = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (!text) throw new AppError(400, 'password.empty', 'No password on standard input.');
  return text;
}

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true, strict: true,
    options: {
      email: { type: 'string' }, name: { type: 'string' }, organization: { type: 'string' }, out: { type: 'string' },
      'password-stdin': { type: 'boolean' }, 'disable-2fa': { type: 'boolean' }, yes: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return 0;
  }
  const config = loadConfig();
  if (command === 'serve') {
    await serve(config);
    return -1; // keep running
  }
  if (command === 'restore') {
    const file = positionals[0];
    if (!file) throw new AppError(400, 'usage', 'restore needs the backup file: custodian-server restore FILE --yes');
    if (!values.yes) throw new AppError(400, 'usage', 'restore replaces the current database; stop the server, then run again with --yes.');
    const r = admin.restore(config, file);
    console.log(`Restored ${r.restored}${r.previous ? `; the previous database is kept as ${r.previous}` : ''}.`);
    return 0;
  }
  const database = createDatabase(config.databaseUrl, { poolSize: 2 });
  try {
    const migrated = await migrateToLatest(database.db);
    const applied = migrated.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
    switch (command) {
      case 'migrate':
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
        return 0;
      case 'create-admin': {
        if (!values.email) throw new AppError(400, 'usage', 'create-admin needs --email.');
        const r = await admin.createAdmin(database, config, {
          email: values.email, name: values.name, organization: values.organization,
          password: values['password-stdin'] ? readStdinPassword() : undefined,
        });
        console.log(`Created ${r.email}, owner of "${r.organization}".`);
        if (r.password) console.log(`Temporary password (shown once; must be changed at first sign-in): ${r.password}`);
        return 0;
      }
      case 'reset-password': {
        if (!values.email) throw new AppError(400, 'usage', 'reset-password needs --email.');
        const pw = await admin.resetPassword(database, config, { email: values.email, password: values['password-stdin'] ? readStdinPassword() : undefined, disableTotp: values['disable-2fa'] });
        console.log(`Password reset for ${values.email.toLowerCase()}; their sessions were ended.`);
        if (pw) console.log(`Temporary password (shown once; must be changed at first sign-in): ${pw}`);
        return 0;
      }
      case 'verify-log': {
        const r = await admin.verifyLog(database);
        for (const line of r.lines) console.log(line);
        return r.ok ? 0 : 1;
      }
      case 'backup':
        console.log(`Backup written to ${admin.backup(database, config, values.out)}`);
        return 0;
      default:
        console.error(`Unknown command "${command}".\n\n${HELP}`);
        return 2;
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exit(code); },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof AppError) console.error(err.message);
    else if (err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) console.error(`${err.message}\n\n${HELP}`);
    else console.error(err);
    process.exit(1);
  },
);
