/**
 * A typed API client acting as a given user, for arranging data in browser tests: signs in with
 * fetch, then creates a personal API token (inventory scopes) and returns a Bearer client.
 */
import { createApiClient, unwrap, type CustodianClient } from '@custodian/api-client';

const SCOPES = ['catalog:write', 'assets:write', 'custody:write', 'locations:write', 'members:write', 'people:write', 'selfservice:write', 'organization:read', 'events:read'];

export async function apiAs(baseUrl: string, email: string, password: string): Promise<CustodianClient> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!login.ok) throw new Error(`sign-in of ${email} failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const session = (await (await fetch(`${baseUrl}/api/v1/auth/session`, { headers: { cookie } })).json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `e2e ${Date.now()}`, scopes: SCOPES }),
  });
  if (!res.ok) throw new Error(`token for ${email} failed: ${res.status} ${await res.text()}`);
  const { secret } = (await res.json()) as { secret: string };
  return createApiClient({ baseUrl, token: secret });
}

export { unwrap };
