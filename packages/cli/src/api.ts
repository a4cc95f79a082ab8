/**
 * Talking to the server: the typed client for known operations, and `request()` for any path
 * (used by `get`, and by later commands such as `import`/`export` that stream files).
 */
import { readFileSync } from 'node:fs';
import { ApiError, createApiClient, unwrap, type CustodianClient } from '@custodian/api-client';
import { resolveCredentials, type Credentials, type ResolvedCredentials } from './config.js';
import { CliError } from './errors.js';

export const API_PREFIX = '/api/v1';
const DEFAULT_TIMEOUT_MS = 30_000;

function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const USER_AGENT = `custodian-cli/${cliVersion()} node/${process.versions.node}`;

function timeoutMs(): number {
  const raw = Number(process.env.CUSTODIAN_TIMEOUT_MS);
  return Number.isInteger(raw) && raw > 0 ? raw : DEFAULT_TIMEOUT_MS;
}

/** `fetch` that adds the User-Agent and a timeout, and turns network failures into a readable CliError. */
function makeFetch(baseUrl: string): (input: Request) => Promise<Response> {
  return async (input: Request) => {
    const request = new Request(input, { signal: AbortSignal.timeout(timeoutMs()) });
    request.headers.set('user-agent', USER_AGENT);
    try {
      return await fetch(request);
    } catch (err) {
      throw new CliError(`Cannot reach the Custodian server at ${baseUrl}: ${describeNetworkError(err)}`);
    }
  };
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return `no answer within ${timeoutMs() / 1000} s`;
    const cause = (err as Error & { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message) return cause.message;
    return err.message;
  }
  return String(err);
}

export interface Api extends ResolvedCredentials {
  /** Typed client over the OpenAPI description; pair it with `unwrap()`. */
  client: CustodianClient;
  /** Any method and path; returns the parsed JSON (or text) body, or throws ApiError. */
  request(method: string, path: string, opts?: RequestOptions): Promise<unknown>;
  /**
   * Any method and path with any body (multipart uploads, downloads, event streams); returns the
   * Response of a 2xx answer unread, or throws ApiError. `timeoutMs: null` waits as long as it takes.
   */
  stream(method: string, path: string, opts?: StreamOptions): Promise<Response>;
}

export interface StreamOptions {
  query?: [string, string][];
  body?: NonNullable<RequestInit['body']>;
  accept?: string;
  /** Default CUSTODIAN_TIMEOUT_MS; null: no timeout (a long upload, an event stream). */
  timeoutMs?: number | null;
}

export interface RequestOptions {
  query?: [string, string][];
  /** Sent as JSON. */
  body?: unknown;
}

/**
 * Turns what the user typed into an API path: `members`, `/members`, `api/v1/members` and
 * `/api/v1/members?q=x` all mean `/api/v1/members…`. Absolute URLs are accepted only for the
 * configured server, so that a token is never sent elsewhere.
 */
export function apiPath(input: string, baseUrl: string): string {
  let text = input.trim();
  if (!text) throw new CliError('Give an API path, e.g. `members` or `/api/v1/members`.');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (!text.startsWith(baseUrl + '/')) throw new CliError(`${text} is not on the configured server ${baseUrl}; give a path such as /api/v1/members.`);
    text = text.slice(baseUrl.length);
  }
  text = '/' + text.replace(/^\/+/, '');
  if (text === API_PREFIX || text.startsWith(API_PREFIX + '/') || text.startsWith(API_PREFIX + '?')) return text;
  return API_PREFIX + text;
}

function buildUrl(baseUrl: string, path: string, query: [string, string][] = []): string {
  const url = new URL(baseUrl + path);
  for (const [k, v] of query) url.searchParams.append(k, v);
  return url.toString();
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 205) return undefined;
  const text = await response.text();
  if (!text) return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (/\bjson\b/i.test(type)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

export function connect(creds: Credentials & { source?: ResolvedCredentials['source'] }): Api {
  const doFetch = makeFetch(creds.url);
  const client = createApiClient({ baseUrl: creds.url, token: creds.token, fetch: doFetch as typeof fetch });
  return {
    url: creds.url,
    token: creds.token,
    source: creds.source ?? 'file',
    client,
    async request(method, path, opts = {}) {
      const headers = new Headers({ authorization: `Bearer ${creds.token}`, accept: 'application/json' });
      let body: string | undefined;
      if (opts.body !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(opts.body);
      }
      const response = await doFetch(new Request(buildUrl(creds.url, path, opts.query), { method, headers, ...(body !== undefined ? { body } : {}) }));
      const data = await readBody(response);
      const isProblem = !response.ok && typeof data === 'object' && data !== null;
      return unwrap({ data, error: response.ok ? undefined : isProblem ? data : undefined, response });
    },
    async stream(method, path, opts = {}) {
      const headers = new Headers({ authorization: `Bearer ${creds.token}`, accept: opts.accept ?? '*/*', 'user-agent': USER_AGENT });
      const limit = opts.timeoutMs === undefined ? timeoutMs() : opts.timeoutMs;
      const init: RequestInit & { duplex?: 'half' } = { method, headers };
      if (opts.body !== undefined) init.body = opts.body;
      if (limit !== null) init.signal = AbortSignal.timeout(limit);
      let response: Response;
      try {
        response = await fetch(buildUrl(creds.url, path, opts.query), init);
      } catch (err) {
        throw new CliError(`Cannot reach the Custodian server at ${creds.url}: ${describeNetworkError(err)}`);
      }
      if (response.ok) return response;
      const data = await readBody(response);
      unwrap({ data, error: typeof data === 'object' && data !== null ? data : undefined, response }); // throws: the answer is not 2xx
      throw new CliError(`HTTP ${response.status}`);
    },
  };
}

/** Credentials from the environment or the saved file (exit 2 when there are none), connected. */
export function requireApi(): Api {
  return connect(resolveCredentials());
}

export { ApiError, unwrap };
