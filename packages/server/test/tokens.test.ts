import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { addMember, call, createTestApp, createToken, engines, setupOwner, type Session, type TestApp } from './harness.js';

describe.each(engines)('API tokens (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t);
  });
  afterAll(() => t.close());

  it('is shown once, stored hashed, and authenticates as Bearer within its scopes', async () => {
    const tok = await createToken(t, owner, ['people:read', 'events:read']);
    expect(tok.secret).toMatch(/^cus_/);
    const stored = await t.database.db.selectFrom('api_tokens').selectAll().where('id', '=', tok.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(tok.secret);
    expect(JSON.stringify(stored)).not.toContain(tok.secret);
    const listed = (await call(t, owner, 'GET', '/api/v1/tokens')).json<{ id: string; prefix: string }[]>();
    expect(JSON.stringify(listed)).not.toContain(tok.secret);
    expect(listed.find((x) => x.id === tok.id)?.prefix).toBe(tok.secret.slice(0, 12));

    const as = { token: tok.secret };
    expect((await call(t, as, 'GET', '/api/v1/departments')).statusCode).toBe(200);
    expect((await call(t, as, 'GET', '/api/v1/events')).statusCode).toBe(200);
    // people:read does not allow writes, and members:* was not granted.
    const write = await call(t, as, 'POST', '/api/v1/departments', { name: 'Via token' });
    expect(write.statusCode).toBe(403);
    expect((await call(t, as, 'GET', '/api/v1/members')).statusCode).toBe(403);
    // A token cannot mint further tokens.
    const writeTok = await createToken(t, owner, ['tokens:write']);
    expect((await call(t, { token: writeTok.secret }, 'POST', '/api/v1/tokens', { name: 'child', scopes: ['events:read'] })).statusCode).toBe(403);
  });

  it('write scope implies read and events name the token', async () => {
    const tok = await createToken(t, owner, ['people:write']);
    const res = await call(t, { token: tok.secret }, 'POST', '/api/v1/departments', { name: 'Made by token' });
    expect(res.statusCode).toBe(201);
    expect((await call(t, { token: tok.secret }, 'GET', '/api/v1/departments')).statusCode).toBe(200);
    const ev = (await call(t, owner, 'GET', '/api/v1/events?action=department.created')).json<{ items: { actor: { type: string; label: string }; meta: { tokenId?: string } }[] }>().items[0]!;
    expect(ev.actor.type).toBe('token');
    expect(ev.meta.tokenId).toBe(tok.id);
  });

  it('refuses scopes the creator does not hold and unknown scopes, with field paths', async () => {
    const emp = await addMember(t, owner, 'employee');
    const res = await call(t, emp, 'POST', '/api/v1/tokens', { name: 'too much', scopes: ['organization:read', 'assets:write', 'bogus:read'] });
    expect(res.statusCode).toBe(422);
    const errors = res.json<{ errors: { path: string; code: string }[] }>().errors;
    expect(errors).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: '/body/scopes/1', code: 'not_grantable' }),
      expect.objectContaining({ path: '/body/scopes/2', code: 'enum' }),
    ]));
    // Service tokens need token.service.
    expect((await call(t, emp, 'POST', '/api/v1/tokens', { name: 's', kind: 'service', scopes: ['organization:read'] })).statusCode).toBe(403);
  });

  it('narrows to the owner\'s current role: a demoted owner\'s token loses access', async () => {
    const mgr = await addMember(t, owner, 'admin');
    const tok = await createToken(t, mgr, ['members:read', 'members:write']);
    expect((await call(t, { token: tok.secret }, 'GET', '/api/v1/members')).statusCode).toBe(200);
    expect((await call(t, owner, 'PATCH', `/api/v1/members/${mgr.userId}`, { role: 'employee' })).statusCode).toBe(200);
    expect((await call(t, { token: tok.secret }, 'GET', '/api/v1/members')).statusCode).toBe(403);
  });

  it('revoked, expired and garbage tokens get 401', async () => {
    const tok = await createToken(t, owner, ['events:read']);
    expect((await call(t, owner, 'DELETE', `/api/v1/tokens/${tok.id}`)).json<{ status: string }>().status).toBe('revoked');
    expect((await call(t, { token: tok.secret }, 'GET', '/api/v1/events')).statusCode).toBe(401);

    const exp = await createToken(t, owner, ['events:read']);
    await sql`update api_tokens set expires_at = ${'2020-01-01T00:00:00.000Z'} where id = ${exp.id}`.execute(t.database.db);
    const r = await call(t, { token: exp.secret }, 'GET', '/api/v1/events');
    expect(r.statusCode).toBe(401);
    expect(r.json<{ code: string }>().code).toBe('auth.invalid_token');
    expect((await call(t, { token: 'cus_garbage' }, 'GET', '/api/v1/events')).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/events', headers: { authorization: 'Basic Zm9vOmJhcg==' } })).statusCode).toBe(401);
  });

  it('cannot change the account behind it, and sees only its own organization', async () => {
    const { newOrganization } = await import('./harness.js');
    await newOrganization(t, owner, `Other ${Date.now()}`);
    const tok = await createToken(t, owner, ['members:read', 'organization:read', 'tokens:write']);
    const as = { token: tok.secret };
    for (const [url, body] of [
      ['/api/v1/auth/password', { currentPassword: 'x', newPassword: 'yyyyyyyyyyyy' }],
      ['/api/v1/auth/totp/setup', undefined],
      ['/api/v1/auth/totp/disable', { password: 'x' }],
      ['/api/v1/auth/organization', { organizationId: owner.orgId }],
    ] as const) {
      const res = await call(t, as, 'POST', url, body);
      expect(res.statusCode, url).toBe(403);
      expect(res.json<{ code: string }>().code).toBe('auth.session_required');
    }
    const orgs = (await call(t, as, 'GET', '/api/v1/organizations')).json<{ id: string }[]>();
    expect(orgs.map((o) => o.id)).toEqual([owner.orgId]);
    const session = (await call(t, as, 'GET', '/api/v1/auth/session')).json<{ organizations: { id: string }[] }>();
    expect(session.organizations.map((o) => o.id)).toEqual([owner.orgId]);
    // …while the owner's browser session sees both.
    expect((await call(t, owner, 'GET', '/api/v1/organizations')).json<unknown[]>().length).toBe(2);
  });

  it('a bad token on a public route is ignored rather than refused', async () => {
    expect((await call(t, { token: 'cus_bad' }, 'GET', '/api/v1/setup')).statusCode).toBe(200);
  });
});
