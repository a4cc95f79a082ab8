/**
 * @custodian/api-client — the typed client shared by the web app, the CLI and the tests.
 * Types come from openapi.json (generated from the server's routes by `npm run gen`).
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };
export type Schemas = components['schemas'];
export type CustodianClient = Client<paths>;

/** RFC 9457 problem document as the server sends it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors: { path: string; message: string; code?: string }[];
  requestId: string;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  constructor(public readonly status: number, public readonly problem: Problem) {
    super(problem.detail || `HTTP ${status}`);
    this.name = 'ApiError';
  }
  get code(): string {
    return this.problem.code;
  }
  /** Field errors keyed by the last segment of their path (`/body/email` → `email`), for forms. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const key = e.path.replace(/^\/(body|query|params)\//, '');
      out[key] ??= e.message;
    }
    return out;
  }
}

export interface ClientOptions {
  baseUrl: string;
  /** API token (`cus_…`) for the CLI and scripts. */
  token?: string;
  /** Browser: returns the CSRF token to send on writes (cookie sessions). */
  csrfToken?: () => string | null;
  fetch?: typeof fetch;
}

export function createApiClient(opts: ClientOptions): CustodianClient {
  const client = createClient<paths>({ baseUrl: opts.baseUrl.replace(/\/+$/, ''), credentials: 'same-origin', ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  const auth: Middleware = {
    onRequest({ request }) {
      if (opts.token) request.headers.set('authorization', `Bearer ${opts.token}`);
      const csrf = opts.csrfToken?.();
      if (csrf && request.method !== 'GET' && request.method !== 'HEAD') request.headers.set('x-csrf-token', csrf);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** Returns `data` or throws an ApiError carrying the problem document. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.error === undefined) return result.data as T;
  const body = result.error as Partial<Problem> | undefined;
  const problem: Problem = {
    type: body?.type ?? 'about:blank', title: body?.title ?? result.response.statusText, status: result.response.status,
    detail: body?.detail ?? `HTTP ${result.response.status}`, code: body?.code ?? 'http_error', errors: body?.errors ?? [],
    requestId: body?.requestId ?? result.response.headers.get('x-request-id') ?? '', ...body,
  };
  throw new ApiError(result.response.status, problem);
}
