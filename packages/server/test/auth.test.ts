import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as OTPAuth from 'otpauth';
import { addMember, call, cookieFrom, createTestApp, engines, login, PASSWORD, sessionFor, setupOwner, uniqueEmail, type Session, type TestApp } from './harness.js';
import * as identity from '../src/modules/identity/identity.service.js';

describe.each(engines)('first-start setup (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(engine); });
  afterAll(() => t.close());

  it('needs a valid one-time link, creates owner + organization once, and signs in', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ needsSetup: true });
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { token: 'not-the-token-123', email: 'a@b.test', displayName: 'A', password: PASSWORD, organizationName: 'X' } });
    expect(bad.statusCode).toBe(410);
    const old = await identity.issueSetupToken(t.database.db);
    const token = await identity.issueSetupToken(t.database.db); // a restart prints a new link; the old one dies
    const stale = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { token: old, email: 'a@b.test', displayName: 'A', password: PASSWORD, organizationName: 'X' } });
    expect(stale.statusCode).toBe(410);
    const weak = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { token, email: 'a@b.test', displayName: 'A', password: 'short', organizationName: 'X' } });
    expect(weak.statusCode).toBe(422);
    expect(weak.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain('/body/password');
    const ok = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { token, email: 'Owner@Example.test', displayName: 'Owner', password: PASSWORD, organizationName: 'Acme' } });
    expect(ok.statusCode).toBe(200);
    const cookie = ok.cookies.find((c) => c.name === identity.SESSION_COOKIE)!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const s = await sessionFor(t, cookieFrom(ok), 'owner@example.test');
    const info = (await call(t, s, 'GET', '/api/v1/auth/session')).json<{ role: string; currentOrganization: { name: string }; user: { email: string } }>();
    expect(info).toMatchObject({ role: 'owner', currentOrganization: { name: 'Acme' }, user: { email: 'owner@example.test' } });
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { token, email: 'x@y.test', displayName: 'X', password: PASSWORD, organizationName: 'Y' } });
    expect(again.statusCode).toBe(410);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({ needsSetup: false });
  });
});

describe.each(engines)('sign-in, sessions and passwords (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  beforeAll(async () => {
    t = await createTestApp(engine, { LOGIN_MAX_ATTEMPTS: '3' });
    owner = await setupOwner(t);
  });
  afterAll(() => t.close());

  const attempt = (email: string, password: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });

  it('gives the same answer for an unknown account and a wrong password', async () => {
    const wrong = await attempt(owner.email, 'not the password at all');
    const unknown = await attempt('nobody@example.test', 'not the password at all');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json<{ detail: string }>().detail).toBe(unknown.json<{ detail: string }>().detail);
    expect(wrong.cookies.find((c) => c.name === identity.SESSION_COOKIE)).toBeUndefined();
  });

  it('locks out after repeated failures with a message that does not reveal whether the account exists', async () => {
    const member = await addMember(t, owner, 'technician');
    const ghost = uniqueEmail('ghost');
    for (let i = 0; i < 3; i++) {
      await attempt(member.email, 'wrong password!!');
      await attempt(ghost, 'wrong password!!');
    }
    const locked = await attempt(member.email, PASSWORD); // even the right password is refused while locked
    const lockedGhost = await attempt(ghost, PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(lockedGhost.statusCode).toBe(429);
    expect(locked.json<{ detail: string }>().detail).toBe(lockedGhost.json<{ detail: string }>().detail);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // An administrator's reset clears the lockout.
    const reset = await call(t, owner, 'POST', `/api/v1/members/${member.userId}/reset-password`);
    expect(reset.statusCode).toBe(200);
    const temp = reset.json<{ temporaryPassword: string }>().temporaryPassword;
    const after = await login(t, member.email, temp);
    const info = (await call(t, after, 'GET', '/api/v1/auth/session')).json<{ user: { mustChangePassword: boolean } }>();
    expect(info.user.mustChangePassword).toBe(true);
    // The member's earlier session was ended by the reset.
    expect((await call(t, member, 'GET', '/api/v1/auth/session')).statusCode).toBe(401);
  });

  it('requires the CSRF header on cookie-authenticated writes', async () => {
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/v1/departments', payload: { name: 'No CSRF' }, headers: { cookie: owner.cookie } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json<{ code: string }>().code).toBe('auth.csrf');
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/departments', payload: { name: 'No CSRF' }, headers: { cookie: owner.cookie, 'x-csrf-token': 'nope' } });
    expect(wrong.statusCode).toBe(403);
    const list = (await call(t, owner, 'GET', '/api/v1/departments')).json<{ name: string }[]>();
    expect(list.map((d) => d.name)).not.toContain('No CSRF');
  });

  it('changes the password: checks the current one and the policy, ends other sessions', async () => {
    const m = await addMember(t, owner, 'auditor');
    const other = await login(t, m.email);
    const wrongCurrent = await call(t, m, 'POST', '/api/v1/auth/password', { currentPassword: 'not it at all', newPassword: 'a brand new password' });
    expect(wrongCurrent.statusCode).toBe(422);
    expect(wrongCurrent.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe('/body/currentPassword');
    const weak = await call(t, m, 'POST', '/api/v1/auth/password', { currentPassword: PASSWORD, newPassword: 'short' });
    expect(weak.statusCode).toBe(422);
    expect(weak.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe('/body/newPassword');
    const ok = await call(t, m, 'POST', '/api/v1/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new password' });
    expect(ok.statusCode).toBe(200);
    expect((await call(t, m, 'GET', '/api/v1/auth/session')).statusCode).toBe(200);
    expect((await call(t, other, 'GET', '/api/v1/auth/session')).statusCode).toBe(401);
    expect((await attempt(m.email, PASSWORD)).statusCode).toBe(401);
    expect((await attempt(m.email, 'a brand new password')).statusCode).toBe(200);
  });

  it('logout ends the session', async () => {
    const s = await login(t, owner.email);
    expect((await call(t, s, 'POST', '/api/v1/auth/logout')).statusCode).toBe(200);
    expect((await call(t, s, 'GET', '/api/v1/auth/session')).statusCode).toBe(401);
  });

  it('TOTP: enrol, then sign-in needs the code; wrong codes are refused', async () => {
    const m = await addMember(t, owner, 'employee');
    const begin = await call(t, m, 'POST', '/api/v1/auth/totp/setup');
    expect(begin.statusCode).toBe(200);
    const { secret, qrDataUrl, otpauthUrl } = begin.json<{ secret: string; qrDataUrl: string; otpauthUrl: string }>();
    expect(qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(otpauthUrl).toContain('otpauth://totp/');
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
    expect((await call(t, m, 'POST', '/api/v1/auth/totp/enable', { code: '000000' === totp.generate() ? '111111' : '000000' })).statusCode).toBe(422);
    expect((await call(t, m, 'POST', '/api/v1/auth/totp/enable', { code: totp.generate() })).statusCode).toBe(200);

    const first = await attempt(m.email, PASSWORD);
    expect(first.json()).toEqual({ mfaRequired: true });
    const pending = cookieFrom(first);
    // The pending session is not signed in yet.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: pending } })).statusCode).toBe(401);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login/totp', payload: { code: '12345x' }, headers: { cookie: pending } });
    expect(bad.statusCode).toBe(400);
    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login/totp', payload: { code: totp.generate() === '123456' ? '654321' : '123456' }, headers: { cookie: pending } });
    expect(wrong.statusCode).toBe(401);
    const good = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login/totp', payload: { code: totp.generate() }, headers: { cookie: pending } });
    expect(good.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: pending } })).statusCode).toBe(200);

    // An administrator can turn it off for someone who lost their phone.
    expect((await call(t, owner, 'POST', `/api/v1/members/${m.userId}/disable-2fa`)).statusCode).toBe(200);
    expect((await attempt(m.email, PASSWORD)).json()).toEqual({ mfaRequired: false });
  });

  it('stores only password hashes and encrypted TOTP secrets', async () => {
    const rows = await t.database.db.selectFrom('users').select(['password_hash', 'totp_secret_enc']).execute();
    for (const r of rows) {
      expect(r.password_hash ?? '').not.toContain(PASSWORD);
      if (r.password_hash) expect(r.password_hash).toMatch(/^scrypt\$/);
    }
  });
});

describe.each(engines)('housekeeping (%s)', (engine) => {
  it('purges expired sessions but keeps live ones', async () => {
    const t = await createTestApp(engine);
    try {
      const s = await setupOwner(t);
      const other = await login(t, s.email);
      const { sql } = await import('kysely');
      await sql`update sessions set expires_at = ${'2020-01-01T00:00:00.000Z'} where id <> ${(await t.database.db.selectFrom('sessions').select('id').orderBy('created_at').executeTakeFirstOrThrow()).id}`.execute(t.database.db);
      await identity.purgeExpired(t.database.db);
      const left = await t.database.db.selectFrom('sessions').select('id').execute();
      expect(left).toHaveLength(1);
      expect((await call(t, s, 'GET', '/api/v1/auth/session')).statusCode).toBe(200);
      expect((await call(t, other, 'GET', '/api/v1/auth/session')).statusCode).toBe(401);
    } finally {
      await t.close();
    }
  });
});
