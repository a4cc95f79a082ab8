import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/database.js';

/** The OpenAPI document as committed: stable key order, 2-space JSON, trailing newline. */
export async function buildSpec(): Promise<string> {
  const config = loadConfig({ DATA_DIR: '/nonexistent-custodian-gen', APP_SECRET: 'x'.repeat(32), LOG_LEVEL: 'silent' }, { ensureDataDir: false });
  const database = createDatabase('sqlite::memory:');
  const app = await buildApp({ database, config: { ...config, webDir: null }, logger: false });
  await app.ready();
  const spec = app.swagger();
  await app.close();
  await database.close();
  return `${JSON.stringify(spec, null, 2)}\n`;
}
