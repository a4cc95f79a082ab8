/**
 * The credentials file: `{ url, token }`, saved by `custodian login` with mode 0600 in a 0700 directory.
 *
 * Location: `$CUSTODIAN_CONFIG`, else `${XDG_CONFIG_HOME:-~/.config}/custodian/credentials.json`.
 * `CUSTODIAN_URL` / `CUSTODIAN_TOKEN` take precedence over the file (see `resolveCredentials`).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliError, NotSignedInError } from './errors.js';

export interface Credentials {
  url: string;
  token: string;
}

/** Where the credentials in use came from, for `whoami` and error messages. */
export type CredentialSource = 'environment' | 'file' | 'environment+file';

export interface ResolvedCredentials extends Credentials {
  source: CredentialSource;
}

type Env = Record<string, string | undefined>;

export function credentialsPath(env: Env = process.env): string {
  const explicit = env.CUSTODIAN_CONFIG?.trim();
  if (explicit) return resolve(explicit);
  const xdg = env.XDG_CONFIG_HOME?.trim();
  // The XDG spec says relative values are invalid and must be ignored.
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config');
  return join(base, 'custodian', 'credentials.json');
}

/**
 * Normalizes a server URL: must be http(s); trailing slashes and a trailing `/api/v1` are removed so
 * that both `https://assets.example.com` and `https://assets.example.com/api/v1/` work.
 */
export function normalizeServerUrl(raw: string): string {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`"${text}" is not a URL; give the server's address, e.g. https://assets.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`The server URL must start with http:// or https://, got "${text}".`);
  if (url.username || url.password) throw new CliError('The server URL must not contain a user name or password.');
  if (url.search || url.hash) throw new CliError('The server URL must not contain a query string or fragment.');
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${url.origin}${path}`;
}

function isCredentials(value: unknown): value is Credentials {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.url === 'string' && v.url !== '' && typeof v.token === 'string' && v.token !== '';
}

/** Reads the credentials file; `null` when there is none. A corrupt file is an error, not "signed out". */
export function loadCredentials(file = credentialsPath()): Credentials | null {
  if (!existsSync(file)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}\nDelete it with \`custodian logout\` and sign in again.`);
  }
  if (!isCredentials(parsed)) throw new CliError(`${file} is not a Custodian credentials file (expected {"url", "token"}).\nDelete it with \`custodian logout\` and sign in again.`);
  if (process.platform !== 'win32') {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) process.stderr.write(`Warning: ${file} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${file}\n`);
  }
  return { url: parsed.url, token: parsed.token };
}

/** Writes the credentials atomically (temp file + rename) with mode 0600; creates missing directories with mode 0700. */
export function saveCredentials(creds: Credentials, file = credentialsPath()): void {
  const dir = dirname(file);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700); // mkdir's mode is filtered by the umask
  }
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, JSON.stringify({ url: creds.url, token: creds.token }, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new CliError(`Cannot save the credentials to ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Deletes the credentials file; returns whether there was one. */
export function deleteCredentials(file = credentialsPath()): boolean {
  if (!existsSync(file)) return false;
  rmSync(file, { force: true });
  return true;
}

/**
 * The credentials to use: `CUSTODIAN_URL` / `CUSTODIAN_TOKEN` first, then the saved file.
 * A saved token is never sent to a different server than the one it was saved for.
 */
export function resolveCredentials(env: Env = process.env, file = credentialsPath(env)): ResolvedCredentials {
  const envUrl = env.CUSTODIAN_URL?.trim() ? normalizeServerUrl(env.CUSTODIAN_URL) : null;
  const envToken = env.CUSTODIAN_TOKEN?.trim() || null;
  if (envUrl && envToken) return { url: envUrl, token: envToken, source: 'environment' };
  const saved = loadCredentials(file);
  if (envToken) {
    if (!saved) throw new NotSignedInError('CUSTODIAN_TOKEN is set but no server is known: set CUSTODIAN_URL too.');
    return { url: saved.url, token: envToken, source: 'environment+file' };
  }
  if (!saved) throw new NotSignedInError();
  if (envUrl && envUrl !== normalizeServerUrl(saved.url)) {
    throw new NotSignedInError(`CUSTODIAN_URL is ${envUrl}, but the saved credentials are for ${saved.url}; set CUSTODIAN_TOKEN too.`);
  }
  return { url: saved.url, token: saved.token, source: 'file' };
}
