/**
 * The one API client of the web app. Cookie sessions need the CSRF token on every write; the
 * session query (app/session.tsx) stores it here whenever it loads.
 */
import { ApiError, createApiClient, unwrap, type Schemas, type paths } from '@custodian/api-client';

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export const api = createApiClient({
  baseUrl: window.location.origin,
  csrfToken: () => csrfToken,
});

export { ApiError, unwrap };
export type { Schemas, paths };

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;
/** The JSON body of a successful response of `paths[P][M]` (200 or 201). */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: infer OK }
    ? JsonOf<OK>
    : R extends { 201: infer Created }
      ? JsonOf<Created>
      : never
  : never;

/** The JSON request body of `paths[P][M]`. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: infer B }
  ? NonNullable<B> extends { content: { 'application/json': infer T } }
    ? T
    : never
  : never;

export type Session = ResponseOf<'/api/v1/auth/session', 'get'>;
export type Member = ResponseOf<'/api/v1/members', 'get'>[number];
export type Role = ResponseOf<'/api/v1/roles', 'get'>[number];
export type RoleKey = NonNullable<NonNullable<paths['/api/v1/members/{userId}']['patch']['requestBody']>['content']['application/json']['role']>;
export type ApiToken = ResponseOf<'/api/v1/tokens', 'get'>[number];
export type TokenScope = ResponseOf<'/api/v1/tokens/scopes', 'get'>[number];
export type Department = ResponseOf<'/api/v1/departments', 'get'>[number];
export type EventPage = ResponseOf<'/api/v1/events', 'get'>;
export type AuditEvent = EventPage['items'][number];
export type EventQuery = NonNullable<paths['/api/v1/events']['get']['parameters']['query']>;
export type ChainVerification = ResponseOf<'/api/v1/events/verify', 'get'>;
export type Organization = ResponseOf<'/api/v1/organization', 'get'>;
export type DashboardSummary = ResponseOf<'/api/v1/dashboard', 'get'>;
