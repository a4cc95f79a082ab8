import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, createTestApp, engines, setupOwner, type Session, type TestApp } from './harness.js';
import { ALL_PERMISSIONS, ROLE_DEFS, ROLES } from '../src/authz/permissions.js';

describe('role matrix', () => {
  it('auditor reads everything and writes nothing; owner and admin hold every permission', () => {
    const auditor = new Set(ROLE_DEFS.auditor.permissions);
    expect(auditor.has('event.read')).toBe(true);
    expect(auditor.has('asset.read')).toBe(true);
    expect([...auditor].filter((p) => p !== 'token.own' && !p.endsWith('.read'))).toEqual([]);
    expect(new Set(ROLE_DEFS.owner.permissions).size).toBe(ALL_PERMISSIONS.length);
    expect(ROLE_DEFS.itad_vendor.permissions).not.toContain('asset.read');
    expect(ROLE_DEFS.employee.permissions).toContain('selfservice.use');
    expect(ROLES).toHaveLength(7);
  });
});

describe.each(engines)('members and roles (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t);
  });
  afterAll(() => t.close());

  it('each role gets what the matrix says over HTTP', async () => {
    const auditor = await addMember(t, owner, 'auditor');
    const employee = await addMember(t, owner, 'employee');
    const tech = await addMember(t, owner, 'technician');
    expect((await call(t, auditor, 'GET', '/api/v1/events')).statusCode).toBe(200);
    expect((await call(t, auditor, 'POST', '/api/v1/departments', { name: 'Nope' })).statusCode).toBe(403);
    expect((await call(t, employee, 'GET', '/api/v1/events')).statusCode).toBe(403);
    expect((await call(t, employee, 'GET', '/api/v1/members')).statusCode).toBe(403);
    expect((await call(t, employee, 'GET', '/api/v1/dashboard')).statusCode).toBe(403);
    expect((await call(t, tech, 'GET', '/api/v1/members')).statusCode).toBe(200);
    expect((await call(t, tech, 'POST', '/api/v1/members', { email: 'x@y.test', displayName: 'x', role: 'employee' })).statusCode).toBe(403);
    const forbidden = await call(t, employee, 'GET', '/api/v1/events');
    expect(forbidden.json()).toMatchObject({ status: 403, code: 'auth.forbidden' });
  });

  it('adds a new person with a one-time temporary password, and an existing account without one', async () => {
    const email = `new-${Date.now()}@example.test`;
    const res = await call(t, owner, 'POST', '/api/v1/members', { email, displayName: 'New Person', role: 'technician' });
    expect(res.statusCode).toBe(201);
    const body = res.json<{ member: { email: string; role: string }; temporaryPassword: string }>();
    expect(body.member).toMatchObject({ email, role: 'technician' });
    expect(body.temporaryPassword.length).toBeGreaterThanOrEqual(16);
    const dup = await call(t, owner, 'POST', '/api/v1/members', { email, displayName: 'Again', role: 'auditor' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe('/body/email');
    const badRole = await call(t, owner, 'POST', '/api/v1/members', { email: 'z@z.test', displayName: 'Z', role: 'superuser' });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.json<{ errors: { path: string }[] }>().errors.some((e) => e.path === '/body/role')).toBe(true);
  });

  it('only an owner grants or removes ownership, and the last owner stays', async () => {
    const admin = await addMember(t, owner, 'admin');
    const someone = await addMember(t, owner, 'employee');
    const promote = await call(t, admin, 'PATCH', `/api/v1/members/${someone.userId}`, { role: 'owner' });
    expect(promote.statusCode).toBe(403);
    expect((await call(t, admin, 'PATCH', `/api/v1/members/${owner.userId}`, { role: 'employee' })).statusCode).toBe(403);
    expect((await call(t, admin, 'DELETE', `/api/v1/members/${owner.userId}`)).statusCode).toBe(403);
    const lastOwner = await call(t, owner, 'PATCH', `/api/v1/members/${owner.userId}`, { role: 'admin' });
    expect(lastOwner.statusCode).toBe(409);
    expect(lastOwner.json<{ code: string }>().code).toBe('member.last_owner');
    expect((await call(t, admin, 'PATCH', `/api/v1/members/${someone.userId}`, { role: 'auditor' })).json<{ role: string }>().role).toBe('auditor');
  });

  it('removing a member clears the departments they managed and deletes their tokens here', async () => {
    const mgr = await addMember(t, owner, 'asset_manager');
    const dept = (await call(t, owner, 'POST', '/api/v1/departments', { name: `Ops ${Date.now()}`, managerUserId: mgr.userId })).json<{ id: string }>();
    const tok = await call(t, mgr, 'POST', '/api/v1/tokens', { name: 'mine', scopes: ['people:read'] });
    const secret = tok.json<{ secret: string }>().secret;
    expect((await call(t, owner, 'DELETE', `/api/v1/members/${mgr.userId}`)).statusCode).toBe(200);
    expect((await call(t, owner, 'GET', `/api/v1/departments/${dept.id}`)).json<{ manager: unknown }>().manager).toBeNull();
    expect((await call(t, { token: secret }, 'GET', '/api/v1/departments')).statusCode).toBe(401);
    expect((await call(t, mgr, 'GET', '/api/v1/departments')).statusCode).toBe(403);
  });
});

describe.each(engines)('department deletion (%s)', (engine) => {
  it('detaches member profiles with events, and refuses while assets use the department', async () => {
    const t = await createTestApp(engine);
    try {
      const owner = await setupOwner(t);
      const emp = await addMember(t, owner, 'employee');
      const dept = (await call(t, owner, 'POST', '/api/v1/departments', { name: 'Logistics' })).json<{ id: string }>();
      const now = new Date().toISOString();
      await t.database.db.insertInto('member_profiles').values({ org_id: owner.orgId, user_id: emp.userId, employee_number: null, title: null, phone: null, department_id: dept.id, location_id: null, manager_user_id: null, updated_at: now }).execute();
      expect((await call(t, owner, 'DELETE', `/api/v1/departments/${dept.id}`)).statusCode).toBe(200);
      const profile = await t.database.db.selectFrom('member_profiles').select('department_id').where('user_id', '=', emp.userId).executeTakeFirstOrThrow();
      expect(profile.department_id).toBeNull();
      const ev = (await call(t, owner, 'GET', `/api/v1/events?entityId=${emp.userId}&action=member.profile_updated`)).json<{ items: { changes: unknown }[] }>();
      expect(ev.items[0]?.changes).toEqual({ departmentId: { before: dept.id, after: null } });

      const used = (await call(t, owner, 'POST', '/api/v1/departments', { name: 'Finance' })).json<{ id: string }>();
      const cat = { id: crypto.randomUUID(), org_id: owner.orgId, name: 'Laptops', asset_class: 'laptop', data_bearing: 1, requires_acceptance: 0, acceptance_terms: null, acceptance_terms_version: null, created_at: now, updated_at: now };
      await t.database.db.insertInto('categories').values(cat).execute();
      const model = { id: crypto.randomUUID(), org_id: owner.orgId, name: 'X1', model_number: null, category_id: cat.id, manufacturer_id: null, eol_months: null, default_custom_fields: '{}', image_path: null, created_at: now, updated_at: now };
      await t.database.db.insertInto('models').values(model).execute();
      await t.database.db.insertInto('assets').values({
        id: crypto.randomUUID(), org_id: owner.orgId, asset_tag: 'LAP-1', serial: null, name: null, model_id: model.id, category_id: cat.id, manufacturer_id: null,
        lifecycle_state: 'in_stock', location_id: null, default_location_id: null, supplier_id: null, department_id: used.id, purchase_date: null, purchase_cost_minor: null,
        currency: null, order_number: null, invoice_number: null, warranty_end: null, eol_date: null, notes: null, parent_asset_id: null, custom_fields: '{}', created_at: now, updated_at: now,
      }).execute();
      const refused = await call(t, owner, 'DELETE', `/api/v1/departments/${used.id}`);
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ code: 'department.in_use', assetCount: 1 });
      expect((await call(t, owner, 'GET', `/api/v1/departments/${used.id}`)).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe.each(engines)('removing a member with custody history (%s)', (engine) => {
  it('keeps them as a former member: history intact, no access, not listed, can come back', async () => {
    const t = await createTestApp(engine);
    try {
      const owner = await setupOwner(t);
      const emp = await addMember(t, owner, 'employee');
      const now = new Date().toISOString();
      const db = t.database.db;
      const cat = { id: crypto.randomUUID(), org_id: owner.orgId, name: 'Phones', asset_class: 'phone_tablet', data_bearing: 1, requires_acceptance: 0, acceptance_terms: null, acceptance_terms_version: null, created_at: now, updated_at: now };
      await db.insertInto('categories').values(cat).execute();
      const model = { id: crypto.randomUUID(), org_id: owner.orgId, name: 'P1', model_number: null, category_id: cat.id, manufacturer_id: null, eol_months: null, default_custom_fields: '{}', image_path: null, created_at: now, updated_at: now };
      await db.insertInto('models').values(model).execute();
      const assetId = crypto.randomUUID();
      await db.insertInto('assets').values({
        id: assetId, org_id: owner.orgId, asset_tag: 'PH-1', serial: null, name: null, model_id: model.id, category_id: cat.id, manufacturer_id: null,
        lifecycle_state: 'in_stock', location_id: null, default_location_id: null, supplier_id: null, department_id: null, purchase_date: null, purchase_cost_minor: null,
        currency: null, order_number: null, invoice_number: null, warranty_end: null, eol_date: null, notes: null, parent_asset_id: null, custom_fields: '{}', created_at: now, updated_at: now,
      }).execute();
      // A returned check-out: history that references the membership.
      await db.insertInto('assignments').values({
        id: crypto.randomUUID(), org_id: owner.orgId, asset_id: assetId, target_type: 'user', target_user_id: emp.userId, target_location_id: null, target_asset_id: null,
        checked_out_at: '2026-01-01T00:00:00.000Z', checked_out_by: owner.userId, expected_return_at: null, checkout_note: null, returned_at: '2026-02-01T00:00:00.000Z', returned_by: owner.userId, checkin_note: null, created_at: now,
      }).execute();
      const tok = await createTokenFor(t, emp);

      const res = await call(t, owner, 'DELETE', `/api/v1/members/${emp.userId}`);
      expect(res.statusCode).toBe(200);
      expect((await call(t, owner, 'GET', '/api/v1/members')).json<{ userId: string }[]>().map((m) => m.userId)).not.toContain(emp.userId);
      expect((await call(t, owner, 'GET', `/api/v1/members/${emp.userId}`)).statusCode).toBe(404);
      expect((await call(t, emp, 'GET', '/api/v1/auth/session')).json<{ organizations: unknown[]; currentOrganization: unknown }>()).toMatchObject({ organizations: [], currentOrganization: null });
      expect((await call(t, { token: tok }, 'GET', '/api/v1/auth/session')).statusCode).toBe(401);
      expect(await db.selectFrom('assignments').select('id').where('target_user_id', '=', emp.userId).execute()).toHaveLength(1);
      // Adding the same person again revives the membership with the new role.
      const back = await call(t, owner, 'POST', '/api/v1/members', { email: emp.email, displayName: 'Back again', role: 'technician' });
      expect(back.statusCode).toBe(201);
      expect(back.json<{ member: { userId: string; role: string } }>().member).toMatchObject({ userId: emp.userId, role: 'technician' });
    } finally {
      await t.close();
    }
  });
});

async function createTokenFor(t: TestApp, s: Session): Promise<string> {
  const res = await call(t, s, 'POST', '/api/v1/tokens', { name: 'mine', scopes: ['organization:read'] });
  expect(res.statusCode).toBe(201);
  return res.json<{ secret: string }>().secret;
}
