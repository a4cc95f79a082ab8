import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, createTestApp, createToken, engines, eventCount, newOrganization, switchTo, type Session, type TestApp } from './harness.js';
import { newId, nowIso } from '../src/lib/ids.js';

describe.each(engines)('tenant isolation (%s)', (engine) => {
  let t: TestApp;
  let a: Session; // owner, acting in organization A
  let b: Session; // same owner, acting in organization B
  let deptB: string;
  let memberB: Session;

  beforeAll(async () => {
    t = await createTestApp(engine);
    const { setupOwner } = await import('./harness.js');
    a = await setupOwner(t, 'Org A');
    const orgB = await newOrganization(t, a, 'Org B');
    // A second browser session of the same owner, switched to B.
    const { login } = await import('./harness.js');
    b = await switchTo(t, await login(t, a.email), orgB);
    memberB = await addMember(t, b, 'technician');
    const res = await call(t, b, 'POST', '/api/v1/departments', { name: 'B Finance', managerUserId: memberB.userId });
    expect(res.statusCode).toBe(201);
    deptB = res.json<{ id: string }>().id;
  });
  afterAll(() => t.close());

  it('reads of another organization\'s rows are 404', async () => {
    expect((await call(t, a, 'GET', `/api/v1/departments/${deptB}`)).statusCode).toBe(404);
    expect((await call(t, a, 'GET', `/api/v1/members/${memberB.userId}`)).statusCode).toBe(404);
    const list = await call(t, a, 'GET', '/api/v1/departments');
    expect(list.json<{ id: string }[]>().map((d) => d.id)).not.toContain(deptB);
    // …while the same ids are visible from inside B.
    expect((await call(t, b, 'GET', `/api/v1/departments/${deptB}`)).statusCode).toBe(200);
  });

  it('updates and deletes of another organization\'s rows are 404 and change nothing', async () => {
    const before = await eventCount(t);
    const upd = await call(t, a, 'PATCH', `/api/v1/departments/${deptB}`, { name: 'Hijacked' });
    expect(upd.statusCode).toBe(404);
    expect(upd.headers['content-type']).toContain('application/problem+json');
    expect((await call(t, a, 'DELETE', `/api/v1/departments/${deptB}`)).statusCode).toBe(404);
    expect((await call(t, a, 'PATCH', `/api/v1/members/${memberB.userId}`, { role: 'auditor' })).statusCode).toBe(404);
    expect((await call(t, a, 'DELETE', `/api/v1/members/${memberB.userId}`)).statusCode).toBe(404);
    expect((await call(t, a, 'POST', `/api/v1/members/${memberB.userId}/reset-password`)).statusCode).toBe(404);
    const dept = await call(t, b, 'GET', `/api/v1/departments/${deptB}`);
    expect(dept.json<{ name: string }>().name).toBe('B Finance');
    expect((await call(t, b, 'GET', `/api/v1/members/${memberB.userId}`)).json<{ role: string }>().role).toBe('technician');
    expect(await eventCount(t)).toBe(before);
  });

  it('an id of another organization supplied as a reference in a body is refused', async () => {
    const before = await eventCount(t);
    const listBefore = (await call(t, a, 'GET', '/api/v1/departments')).json<unknown[]>().length;
    const res = await call(t, a, 'POST', '/api/v1/departments', { name: 'Sneaky', managerUserId: memberB.userId });
    expect(res.statusCode).toBe(404);
    const problem = res.json<{ code: string; errors: { path: string }[] }>();
    expect(problem.code).toBe('user.not_found');
    expect(problem.errors[0]?.path).toBe('/body/managerUserId');
    expect((await call(t, a, 'GET', '/api/v1/departments')).json<unknown[]>().length).toBe(listBefore);
    expect(await eventCount(t)).toBe(before);
  });

  it('the database itself refuses a cross-organization reference (composite foreign key)', async () => {
    const now = nowIso();
    await expect(
      t.database.db.insertInto('departments').values({
        id: newId(), org_id: a.orgId, name: 'Raw insert', code: null, cost_centre: null, manager_user_id: memberB.userId, created_at: now, updated_at: now,
      }).execute(),
    ).rejects.toThrow();
  });

  it('tokens are bound to their organization', async () => {
    const tokenB = await createToken(t, b, ['people:read']);
    const asToken = { token: tokenB.secret };
    const res = await call(t, asToken, 'GET', '/api/v1/departments');
    expect(res.json<{ id: string }[]>().map((d) => d.id)).toContain(deptB);
    // Revoking B's token from A is a 404.
    expect((await call(t, a, 'DELETE', `/api/v1/tokens/${tokenB.id}`)).statusCode).toBe(404);
    expect((await call(t, asToken, 'GET', '/api/v1/departments')).statusCode).toBe(200);
  });

  it('switching to an organization you do not belong to is a 404', async () => {
    const res = await call(t, memberB, 'POST', '/api/v1/auth/organization', { organizationId: a.orgId });
    expect(res.statusCode).toBe(404);
    const session = await call(t, memberB, 'GET', '/api/v1/auth/session');
    expect(session.json<{ currentOrganization: { id: string } }>().currentOrganization.id).toBe(b.orgId);
  });
});
