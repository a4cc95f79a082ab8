import closeWithGrace from 'close-with-grace';
import { loadConfig, type Config } from './config.js';
import { createDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { optimize } from './db/dialect.js';
import { buildApp } from './app.js';
import * as identity from './modules/identity/identity.service.js';
import * as imports from './modules/imports/imports.service.js';
import { startParserPool, stopParserPool } from './modules/discovery/discovery.parse-pool.js';

/** config → database → migrate → buildApp → listen; prints the one-time setup link on a new install. */
export async function serve(config: Config = loadConfig()): Promise<void> {
  const database = createDatabase(config.databaseUrl, { backgroundCheckpoint: true, cacheMb: config.sqliteCacheMb, prepare: config.databasePrepare });
  await migrateToLatest(database.db);
  const app = await buildApp({ database, config });
  // Agent messages are parsed in a worker thread (discovery.parse-pool.ts).
  startParserPool();
  // Import jobs cut off by a stop or crash: failed with the reason (their batches are as recorded).
  await imports.recoverInterrupted(database.db, database.engine, config);
  await app.listen({ port: config.port, host: config.host });
  const where = database.engine === 'sqlite' ? config.databaseUrl.replace(/^sqlite:/, '') : 'PostgreSQL';
  console.log(`\nCustodian is running at ${config.publicUrl}  (database: ${where})`);
  if (await identity.needsSetup(database.db)) {
    const token = await identity.issueSetupToken(database.db);
    console.log(`\nFirst start: create the owner account here (one-time link, valid 24 hours):\n\n  ${config.publicUrl}/setup?token=${token}\n`);
  }
  const housekeeping = setInterval(() => {
    identity.purgeExpired(database.db)
      .then(() => optimize(database.db, database.engine))
      .catch((err: unknown) => app.log.warn({ err }, 'housekeeping failed'));
  }, 3600_000);
  housekeeping.unref();
  await identity.purgeExpired(database.db);
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    clearInterval(housekeeping);
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
    await stopParserPool();
    await database.close();
  });
}
