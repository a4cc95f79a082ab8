/** `GET /api/v1/auth/session`: who the credentials belong to. Used by `login` and `whoami`. */
import type { paths } from '@custodian/api-client';
import { unwrap, type Api } from './api.js';

export type SessionInfo = paths['/api/v1/auth/session']['get']['responses'][200]['content']['application/json'];

export async function fetchSession(api: Api): Promise<SessionInfo> {
  return unwrap(await api.client.GET('/api/v1/auth/session'));
}

export function organizationLabel(session: SessionInfo): string {
  const org = session.currentOrganization;
  return org ? org.name : '(no organization)';
}
