import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { call, createTestApp, engines, setupOwner, type Session, type TestApp } from './harness.js';
import * as events from '../src/modules/events/events.service.js';

describe.each(engines)('event log (%s)', (engine) => {
  let t: TestApp;
  let s: Session;

  beforeAll(async () => {
    t = await createTestApp(engine);
    s = await setupOwner(t);
    for (const name of ['Finance', 'Engineering', 'Sales']) {
      expect((await call(t, s, 'POST', '/api/v1/departments', { name })).statusCode).toBe(201);
    }
  });
  afterAll(() => t.close());

  it('records actor, action, entity, field-level before/after and the request id', async () => {
    const res = await t.app.inject({
      method: 'PATCH', url: (await firstDept()).url, payload: { name: 'Finance & Accounting', costCentre: 'CC-100' },
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'x-request-id': 'req-abc-123456' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-abc-123456');
    const list = await call(t, s, 'GET', '/api/v1/events?action=department.updated');
    const ev = list.json<{ items: events.EventDto[] }>().items[0]!;
    expect(ev.actor).toMatchObject({ type: 'user', id: s.userId, label: s.email });
    expect(ev.entityType).toBe('department');
    expect(ev.requestId).toBe('req-abc-123456');
    expect(ev.changes).toEqual({ name: { before: 'Finance', after: 'Finance & Accounting' }, costCentre: { before: null, after: 'CC-100' } });
  });

  async function firstDept() {
    const list = await call(t, s, 'GET', '/api/v1/departments');
    const d = list.json<{ id: string; name: string }[]>().find((x) => x.name === 'Finance')!;
    return { id: d.id, url: `/api/v1/departments/${d.id}` };
  }

  it('filters and paginates newest first with a keyset cursor', async () => {
    const page1 = (await call(t, s, 'GET', '/api/v1/events?limit=2')).json<{ items: events.EventDto[]; nextCursor: string }>();
    expect(page1.items).toHaveLength(2);
    expect(page1.items[0]!.seq).toBeGreaterThan(page1.items[1]!.seq);
    const page2 = (await call(t, s, 'GET', `/api/v1/events?limit=2&cursor=${page1.nextCursor}`)).json<{ items: events.EventDto[] }>();
    expect(page2.items[0]!.seq).toBe(page1.items[1]!.seq - 1);
    const created = (await call(t, s, 'GET', '/api/v1/events?action=department.*&limit=50')).json<{ items: events.EventDto[] }>();
    expect(created.items.every((e) => e.action.startsWith('department.'))).toBe(true);
    expect(created.items.length).toBe(4);
    const bad = await call(t, s, 'GET', '/api/v1/events?limit=100000');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe('/querystring/limit');
  });

  it('a failed mutation writes no event and no change (same transaction)', async () => {
    const before = (await events.verify(t.database.db, s.orgId))[0]!.events;
    const dup = await call(t, s, 'POST', '/api/v1/departments', { name: 'Sales' });
    expect(dup.statusCode).toBe(409);
    expect((await events.verify(t.database.db, s.orgId))[0]!.events).toBe(before);
  });

  it('verifies intact chains and catches an altered row, a removed row and a truncated tail', async () => {
    const db = t.database.db;
    const ok = await events.verify(db);
    expect(ok.length).toBeGreaterThanOrEqual(2); // the organization chain and the system (user accounts) chain
    expect(ok.every((r) => r.ok)).toBe(true);
    const api = await call(t, s, 'GET', '/api/v1/events/verify');
    expect(api.json<{ ok: boolean }>().ok).toBe(true);

    // 1. Alter one row's content directly in the database.
    await sql`update events set changes = ${'{"name":{"after":"Forged","before":null}}'} where chain_id = ${s.orgId} and seq = 3`.execute(db);
    let r = (await events.verify(db, s.orgId))[0]!;
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ seq: 3, reason: expect.stringContaining('altered') });
    const viaApi = (await call(t, s, 'GET', '/api/v1/events/verify')).json<{ ok: boolean; firstBroken: { seq: number } }>();
    expect(viaApi).toMatchObject({ ok: false, firstBroken: { seq: 3 } });

    // 2. Restore it by recomputing nothing — instead remove a row in the middle of the chain.
    await sql`delete from events where chain_id = ${s.orgId} and seq = 3`.execute(db);
    r = (await events.verify(db, s.orgId))[0]!;
    expect(r.firstBroken).toMatchObject({ seq: 3, reason: expect.stringContaining('missing') });
  });

  it('catches removal of the newest events', async () => {
    const db = t.database.db;
    const system = (await events.verify(db, events.SYSTEM_CHAIN))[0]!;
    expect(system.ok).toBe(true);
    await sql`delete from events where chain_id = ${events.SYSTEM_CHAIN} and seq = ${system.events}`.execute(db);
    const r = (await events.verify(db, events.SYSTEM_CHAIN))[0]!;
    expect(r.ok).toBe(false);
    expect(r.firstBroken?.reason).toContain('removed from the end');
  });
});
