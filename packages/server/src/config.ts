import { mkdirSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve, join } from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  /** `sqlite:<path>` or `postgres://…` */
  databaseUrl: string;
  dataDir: string;
  publicUrl: string;
  logLevel: LogLevel;
  /** 32+ byte secret used to encrypt TOTP secrets at rest; generated into DATA_DIR when not given. */
  appSecret: string;
  sessionTtlHours: number;
  loginMaxAttempts: number;
  loginLockMinutes: number;
  trustProxy: boolean;
  bodyLimitBytes: number;
  /** Largest accepted file upload (attachments, model images); larger uploads are refused with 413. */
  maxUploadBytes: number;
  /** Largest accepted inventory agent message as sent (usually zlib-compressed); larger ones get the protocol's 413 error reply. */
  maxInventoryBytes: number;
  /** Largest inventory message after decompression; decompression stops there (decompression bombs). */
  maxInventoryInflatedBytes: number;
  /** Largest accepted import file (CSV/XLSX); larger uploads are refused with 413. */
  maxImportBytes: number;
  /** XLSX imports: largest total uncompressed size of the workbook's parts (zip bombs). */
  maxImportInflatedBytes: number;
  /** SQLite: page cache of the server's connection in MiB (large import commits spill less to the WAL). */
  sqliteCacheMb: number;
  /** PostgreSQL: send repeated statements as named (prepared) ones; off behind a transaction-pooling PgBouncer before 1.21. */
  databasePrepare: boolean;
  webDir: string | null;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, def: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw.trim())) {
    problems.push(`${name} must be a whole number between ${min} and ${max}, got "${raw}"`);
    return def;
  }
  const n = Number(raw);
  if (n < min || n > max) problems.push(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function boolVar(env: Env, name: string, def: boolean, problems: string[]): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return def;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  problems.push(`${name} must be true or false, got "${env[name]}"`);
  return def;
}

/** Reads the secret from DATA_DIR/secrets.json, creating it (mode 0600) on first start. */
function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { appSecret?: unknown };
    if (typeof parsed.appSecret === 'string' && parsed.appSecret.length >= 32) return parsed.appSecret;
  }
  const appSecret = randomBytes(32).toString('base64url');
  writeFileSync(file, JSON.stringify({ appSecret }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return appSecret;
}

export function loadConfig(env: Env = process.env, opts: { ensureDataDir?: boolean } = {}): Config {
  const problems: string[] = [];
  const port = intVar(env, 'PORT', 3000, 0, 65535, problems);
  const host = env.HOST?.trim() || '127.0.0.1';
  const dataDir = resolve(env.DATA_DIR?.trim() || './data');
  let databaseUrl = env.DATABASE_URL?.trim() || `sqlite:${join(dataDir, 'custodian.db')}`;
  if (!/^(postgres|postgresql):\/\//.test(databaseUrl) && !databaseUrl.startsWith('sqlite:')) {
    if (databaseUrl.includes('://')) {
      problems.push(`DATABASE_URL must start with postgres:// or sqlite:, got "${databaseUrl.split('://')[0]}://…"`);
    } else {
      databaseUrl = `sqlite:${resolve(databaseUrl)}`;
    }
  }
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  let publicUrl = env.PUBLIC_URL?.trim() || '';
  if (publicUrl) {
    try {
      const u = new URL(publicUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      publicUrl = publicUrl.replace(/\/+$/, '');
    } catch {
      problems.push(`PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
    }
  } else {
    const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    publicUrl = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  }
  const sessionTtlHours = intVar(env, 'SESSION_TTL_HOURS', 12, 1, 24 * 90, problems);
  const loginMaxAttempts = intVar(env, 'LOGIN_MAX_ATTEMPTS', 5, 1, 100, problems);
  const loginLockMinutes = intVar(env, 'LOGIN_LOCK_MINUTES', 15, 1, 24 * 60, problems);
  const trustProxy = boolVar(env, 'TRUST_PROXY', false, problems);
  const bodyLimitBytes = intVar(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024, problems);
  const maxUploadBytes = intVar(env, 'MAX_UPLOAD_BYTES', 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024, problems);
  const maxInventoryBytes = intVar(env, 'MAX_INVENTORY_BYTES', 20 * 1024 * 1024, 1024, 1024 * 1024 * 1024, problems);
  const maxInventoryInflatedBytes = intVar(env, 'MAX_INVENTORY_INFLATED_BYTES', 200 * 1024 * 1024, 1024, 1024 * 1024 * 1024, problems);
  const maxImportBytes = intVar(env, 'MAX_IMPORT_BYTES', 512 * 1024 * 1024, 1024, 64 * 1024 * 1024 * 1024, problems);
  const maxImportInflatedBytes = intVar(env, 'MAX_IMPORT_INFLATED_BYTES', 2 * 1024 * 1024 * 1024, 1024, 256 * 1024 * 1024 * 1024, problems);
  const sqliteCacheMb = intVar(env, 'SQLITE_CACHE_MB', 64, 2, 64 * 1024, problems);
  const databasePrepare = boolVar(env, 'DATABASE_PREPARE', true, problems);
  if (maxInventoryInflatedBytes < maxInventoryBytes) problems.push(`MAX_INVENTORY_INFLATED_BYTES (${maxInventoryInflatedBytes}) must not be smaller than MAX_INVENTORY_BYTES (${maxInventoryBytes})`);
  let appSecret = env.APP_SECRET?.trim() || '';
  if (appSecret && appSecret.length < 32) problems.push('APP_SECRET must be at least 32 characters');
  if (problems.length) throw new ConfigError(problems);
  if (opts.ensureDataDir !== false) mkdirSync(dataDir, { recursive: true });
  if (!appSecret) appSecret = loadOrCreateSecret(dataDir);
  const webDir = env.WEB_DIR?.trim() ? resolve(env.WEB_DIR.trim()) : defaultWebDir();
  return {
    port, host, databaseUrl, dataDir, publicUrl, logLevel, appSecret, sessionTtlHours,
    loginMaxAttempts, loginLockMinutes, trustProxy, bodyLimitBytes, maxUploadBytes, maxInventoryBytes, maxInventoryInflatedBytes,
    maxImportBytes, maxImportInflatedBytes, sqliteCacheMb, databasePrepare, webDir,
  };
}

function defaultWebDir(): string | null {
  const dir = resolve(new URL('.', import.meta.url).pathname, '../../web/dist');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}
