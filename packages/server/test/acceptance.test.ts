import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember, call, createTestApp, createToken, engines, eventCount, login, newOrganization, setupOwner, switchTo, type Session, type TestApp,
} from './harness.js';
import { newId, nowIso } from '../src/lib/ids.js';
import { toDbBool } from '../src/db/dialect.js';

interface Acceptance {
  id: string;
  status: string;
  assignmentId: string;
  asset: { id: string; assetTag: string; name: string | null };
  userId: string;
  termsText: string | null;
  termsVersion: number | null;
  signature: string | null;
  note: string | null;
  respondedAt: string | null;
  createdAt: string;
}
interface Assignment { id: string; asset: { id: string }; acceptance: { id: string; status: string } | null }
interface Problem { code: string; errors: { path: string; code?: string }[]; acceptanceStatus?: string }

let seq = 0;

/** Catalog rows and assets inserted directly (the catalog and assets write APIs are other modules). */
function fixtures(t: TestApp, orgId: string) {
  const db = t.database.db;
  return {
    async acceptanceModel(o: { requiresAcceptance: boolean; terms?: string | null; termsVersion?: number | null }): Promise<{ categoryId: string; modelId: string }> {
      const now = nowIso();
      const categoryId = newId();
      await db.insertInto('categories').values({
        id: categoryId, org_id: orgId, name: `Category ${++seq}`, asset_class: 'laptop', data_bearing: 0, requires_acceptance: toDbBool(o.requiresAcceptance),
        acceptance_terms: o.terms ?? null, acceptance_terms_version: o.termsVersion ?? null, created_at: now, updated_at: now,
      }).execute();
      const modelId = newId();
      await db.insertInto('models').values({
        id: modelId, org_id: orgId, name: `Model ${++seq}`, model_number: null, category_id: categoryId, manufacturer_id: null,
        eol_months: null, default_custom_fields: '{}', image_path: null, created_at: now, updated_at: now,
      }).execute();
      return { categoryId, modelId };
    },
    async asset(modelId: string): Promise<{ id: string; tag: string }> {
      const m = await db.selectFrom('models').select('category_id').where('id', '=', modelId).executeTakeFirstOrThrow();
      const id = newId();
      const tag = `ACC-${String(++seq).padStart(5, '0')}`;
      const now = nowIso();
      await db.insertInto('assets').values({
        id, org_id: orgId, asset_tag: tag, serial: null, name: `Laptop ${tag}`, model_id: modelId, category_id: m.category_id, manufacturer_id: null,
        lifecycle_state: 'in_stock', location_id: null, default_location_id: null, supplier_id: null, department_id: null, purchase_date: null,
        purchase_cost_minor: null, currency: null, order_number: null, invoice_number: null, warranty_end: null, eol_date: null, notes: null,
        parent_asset_id: null, custom_fields: '{}', created_at: now, updated_at: now,
      }).execute();
      return { id, tag };
    },
    async location(): Promise<string> {
      const id = newId();
      const now = nowIso();
      await db.insertInto('locations').values({ id, org_id: orgId, name: `Room ${++seq}`, parent_id: null, path: `/${id}/`, address: null, latitude: null, longitude: null, created_at: now, updated_at: now }).execute();
      return id;
    },
  };
}

describe.each(engines)('acceptance and self-service (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  let tech: Session;
  let auditor: Session;
  let alice: Session;
  let bob: Session;
  let fx: ReturnType<typeof fixtures>;
  let eulaModel: string;
  let plainModel: string;
  let bobInB: Session;

  const db = () => t.database.db;
  const acceptancesOf = (assetId: string) => db().selectFrom('acceptances').selectAll().where('asset_id', '=', assetId).orderBy('created_at').execute();
  const eventsOf = (action: string, entityId: string) => db().selectFrom('events').selectAll().where('action', '=', action).where('entity_id', '=', entityId).orderBy('seq').execute();
  const checkoutTo = async (s: Session, assetId: string): Promise<Assignment> => {
    const res = await call(t, tech, 'POST', `/api/v1/assets/${assetId}/checkout`, { targetType: 'user', targetId: s.userId });
    expect(res.statusCode).toBe(200);
    return res.json<Assignment>();
  };
  const pendingFor = async (s: Session, assetId: string): Promise<Acceptance> => {
    const items = (await call(t, s, 'GET', '/api/v1/me/items')).json<{ pendingAcceptances: Acceptance[] }>().pendingAcceptances;
    const a = items.find((x) => x.asset.id === assetId);
    if (!a) throw new Error(`no pending acceptance for ${assetId}`);
    return a;
  };
  const accept = (s: Session, id: string, body: Record<string, unknown>) => call(t, s, 'POST', `/api/v1/me/acceptances/${id}/accept`, body);
  const decline = (s: Session, id: string, body: Record<string, unknown> = {}) => call(t, s, 'POST', `/api/v1/me/acceptances/${id}/decline`, body);

  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t, 'Acceptance A');
    tech = await addMember(t, owner, 'technician');
    auditor = await addMember(t, owner, 'auditor');
    alice = await addMember(t, owner, 'employee');
    bob = await addMember(t, owner, 'employee');
    fx = fixtures(t, owner.orgId);
    ({ modelId: eulaModel } = await fx.acceptanceModel({ requiresAcceptance: true, terms: 'Standard terms', termsVersion: 1 }));
    ({ modelId: plainModel } = await fx.acceptanceModel({ requiresAcceptance: false }));
    // Bob also works for organization B, where he may use self-service too.
    const orgB = await newOrganization(t, owner, 'Acceptance B');
    const ownerInB = await switchTo(t, await login(t, owner.email), orgB);
    await call(t, ownerInB, 'POST', '/api/v1/members', { email: bob.email, displayName: 'Bob in B', role: 'employee' });
    bobInB = await switchTo(t, await login(t, bob.email), orgB);
  });
  afterAll(() => t.close());

  it('EU-01: check-out to a user of a category that requires acceptance creates a pending acceptance with the terms text and version', async () => {
    const { modelId, categoryId } = await fx.acceptanceModel({ requiresAcceptance: true, terms: 'I will look after this laptop.', termsVersion: 2 });
    const a = await fx.asset(modelId);
    const out = await checkoutTo(alice, a.id);
    expect(out.acceptance).toMatchObject({ status: 'pending' });
    const rows = await acceptancesOf(a.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: out.acceptance?.id, assignment_id: out.id, user_id: alice.userId, status: 'pending', terms_text: 'I will look after this laptop.', signature: null, responded_at: null });
    expect(Number(rows[0]!.terms_version)).toBe(2);
    const mine = (await call(t, alice, 'GET', '/api/v1/me/items')).json<{ items: Assignment[]; pendingAcceptances: Acceptance[] }>();
    expect(mine.items.map((i) => i.asset.id)).toContain(a.id);
    expect(mine.pendingAcceptances.find((p) => p.asset.id === a.id)).toMatchObject({ status: 'pending', termsText: 'I will look after this laptop.', termsVersion: 2, userId: alice.userId, asset: { assetTag: a.tag } });
    // The terms are stored with the acceptance: a later change of the category's terms does not alter it.
    await db().updateTable('categories').set({ acceptance_terms: 'New terms', acceptance_terms_version: 3 }).where('id', '=', categoryId).execute();
    expect((await pendingFor(alice, a.id)).termsText).toBe('I will look after this laptop.');
    const b = await fx.asset(modelId);
    await checkoutTo(alice, b.id);
    expect(await pendingFor(alice, b.id)).toMatchObject({ termsText: 'New terms', termsVersion: 3 });
  });

  it('EU-01: check-outs to locations and assets, and of categories without the rule, create none', async () => {
    const toLocation = await fx.asset(eulaModel);
    const toAsset = await fx.asset(eulaModel);
    const container = await fx.asset(plainModel);
    const plain = await fx.asset(plainModel);
    expect((await call(t, tech, 'POST', `/api/v1/assets/${toLocation.id}/checkout`, { targetType: 'location', targetId: await fx.location() })).json<Assignment>().acceptance).toBeNull();
    expect((await call(t, tech, 'POST', `/api/v1/assets/${toAsset.id}/checkout`, { targetType: 'asset', targetId: container.id })).json<Assignment>().acceptance).toBeNull();
    expect((await checkoutTo(alice, plain.id)).acceptance).toBeNull();
    for (const a of [toLocation, toAsset, plain]) expect(await acceptancesOf(a.id)).toEqual([]);
  });

  it('EU-01 / CO-13: a bulk check-out creates one pending acceptance per asset', async () => {
    const assets = [await fx.asset(eulaModel), await fx.asset(eulaModel), await fx.asset(plainModel)];
    const res = await call(t, tech, 'POST', '/api/v1/custody/checkout', { assetIds: assets.map((a) => a.id), targetType: 'user', targetId: bob.userId });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ items: Assignment[] }>().items.map((i) => i.acceptance?.status ?? null)).toEqual(['pending', 'pending', null]);
    const pending = (await call(t, bob, 'GET', '/api/v1/me/items')).json<{ pendingAcceptances: Acceptance[] }>().pendingAcceptances.map((p) => p.asset.id);
    expect(pending).toEqual(expect.arrayContaining([assets[0]!.id, assets[1]!.id]));
    expect(pending).not.toContain(assets[2]!.id);
  });

  it('EU-02: only the assignee may answer — anyone else (even the owner) is refused and it stays pending', async () => {
    const a = await fx.asset(eulaModel);
    await checkoutTo(alice, a.id);
    const pending = await pendingFor(alice, a.id);
    const before = await eventCount(t);
    for (const other of [bob, owner]) {
      const res = await accept(other, pending.id, { signature: 'Not Alice' });
      expect(res.statusCode).toBe(403);
      expect(res.json<Problem>().code).toBe('acceptance.not_assignee');
      expect((await decline(other, pending.id)).statusCode).toBe(403);
    }
    // From another organization the acceptance does not exist at all.
    expect((await accept(bobInB, pending.id, { signature: 'Bob' })).json<Problem>().code).toBe('acceptance.not_found');
    expect((await accept(alice, newId(), { signature: 'Alice' })).statusCode).toBe(404);
    // Roles without self-service (auditor) are refused at the door.
    expect((await accept(auditor, pending.id, { signature: 'Auditor' })).statusCode).toBe(403);
    expect((await call(t, auditor, 'GET', '/api/v1/me/items')).statusCode).toBe(403);
    expect(await eventCount(t)).toBe(before);
    expect((await acceptancesOf(a.id))[0]).toMatchObject({ status: 'pending', signature: null, responded_at: null });
  });

  it('EU-03: accepting needs a typed signature; it records status, signature, note, time and an event', async () => {
    const a = await fx.asset(eulaModel);
    await checkoutTo(alice, a.id);
    const pending = await pendingFor(alice, a.id);
    const before = await eventCount(t);
    const missing = await accept(alice, pending.id, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json<Problem>().errors).toEqual([expect.objectContaining({ path: '/body/signature', code: 'required' })]);
    const blank = await accept(alice, pending.id, { signature: '   ' });
    expect(blank.statusCode).toBe(422);
    expect(blank.json<Problem>()).toMatchObject({ code: 'acceptance.signature_required', errors: [{ path: '/body/signature', code: 'required' }] });
    expect(await eventCount(t)).toBe(before);
    expect((await acceptancesOf(a.id))[0]?.status).toBe('pending');

    const res = await accept(alice, pending.id, { signature: '  Alice Employee ', note: 'received with charger' });
    expect(res.statusCode).toBe(200);
    const body = res.json<Acceptance>();
    expect(body).toMatchObject({ id: pending.id, status: 'accepted', signature: 'Alice Employee', note: 'received with charger', termsVersion: 1 });
    expect(Math.abs(Date.parse(body.respondedAt ?? '') - Date.now())).toBeLessThan(5_000);
    const [ev] = await eventsOf('acceptance.accepted', a.id);
    expect(ev).toMatchObject({ entity_type: 'asset', actor_id: alice.userId });
    expect(JSON.parse(ev!.changes)).toEqual({ acceptance: { before: 'pending', after: 'accepted' } });
    expect(JSON.parse(ev!.meta)).toMatchObject({ acceptanceId: pending.id, signature: 'Alice Employee', note: 'received with charger', termsVersion: 1 });
    // Managers see the answer on the assignment; it no longer waits in Alice's list.
    const list = (await call(t, auditor, 'GET', `/api/v1/custody/assignments?assetId=${a.id}`)).json<{ items: Assignment[] }>().items;
    expect(list[0]?.acceptance).toEqual({ id: pending.id, status: 'accepted' });
    expect((await call(t, alice, 'GET', '/api/v1/me/items')).json<{ pendingAcceptances: Acceptance[] }>().pendingAcceptances.map((p) => p.id)).not.toContain(pending.id);
  });

  it('EU-04: declining records the note and an event', async () => {
    const a = await fx.asset(eulaModel);
    await checkoutTo(alice, a.id);
    const pending = await pendingFor(alice, a.id);
    const res = await decline(alice, pending.id, { note: 'screen is cracked' });
    expect(res.statusCode).toBe(200);
    expect(res.json<Acceptance>()).toMatchObject({ status: 'declined', note: 'screen is cracked', signature: null });
    expect(res.json<Acceptance>().respondedAt).not.toBeNull();
    const [ev] = await eventsOf('acceptance.declined', a.id);
    expect(JSON.parse(ev!.changes)).toEqual({ acceptance: { before: 'pending', after: 'declined' } });
    expect(JSON.parse(ev!.meta)).toMatchObject({ note: 'screen is cracked' });
  });

  it('EU-05: an acceptance is answered once — a second answer is 409 and writes nothing', async () => {
    const a = await fx.asset(eulaModel);
    await checkoutTo(alice, a.id);
    const pending = await pendingFor(alice, a.id);
    expect((await accept(alice, pending.id, { signature: 'Alice Employee' })).statusCode).toBe(200);
    const before = await eventCount(t);
    const again = await accept(alice, pending.id, { signature: 'Alice Employee' });
    expect(again.statusCode).toBe(409);
    expect(again.json<Problem>()).toMatchObject({ code: 'acceptance.already_answered', acceptanceStatus: 'accepted' });
    expect((await decline(alice, pending.id, { note: 'changed my mind' })).statusCode).toBe(409);
    expect(await eventCount(t)).toBe(before);
    expect((await acceptancesOf(a.id))[0]).toMatchObject({ status: 'accepted', signature: 'Alice Employee', note: null });
  });

  it('CI-07: checking in an asset cancels its pending acceptance, which can no longer be answered', async () => {
    const a = await fx.asset(eulaModel);
    await checkoutTo(alice, a.id);
    const pending = await pendingFor(alice, a.id);
    expect((await call(t, tech, 'POST', `/api/v1/assets/${a.id}/checkin`, {})).statusCode).toBe(200);
    expect((await acceptancesOf(a.id))[0]?.status).toBe('cancelled');
    const [ev] = await eventsOf('asset.checked_in', a.id);
    expect(JSON.parse(ev!.meta)).toMatchObject({ acceptanceCancelled: pending.id });
    const mine = (await call(t, alice, 'GET', '/api/v1/me/items')).json<{ items: Assignment[]; pendingAcceptances: Acceptance[] }>();
    expect(mine.pendingAcceptances.map((p) => p.id)).not.toContain(pending.id);
    expect(mine.items.map((i) => i.asset.id)).not.toContain(a.id);
    const res = await accept(alice, pending.id, { signature: 'Alice Employee' });
    expect(res.statusCode).toBe(409);
    expect(res.json<Problem>()).toMatchObject({ code: 'acceptance.already_answered', acceptanceStatus: 'cancelled' });
    // An accepted one is kept as history on check-in.
    const b = await fx.asset(eulaModel);
    await checkoutTo(alice, b.id);
    await accept(alice, (await pendingFor(alice, b.id)).id, { signature: 'Alice Employee' });
    await call(t, tech, 'POST', `/api/v1/assets/${b.id}/checkin`, {});
    expect((await acceptancesOf(b.id))[0]?.status).toBe('accepted');
  });

  it('self-service shows only my own items, in the current organization, and works with a personal token', async () => {
    const a = await fx.asset(plainModel);
    await checkoutTo(bob, a.id);
    const aliceItems = (await call(t, alice, 'GET', '/api/v1/me/items')).json<{ items: Assignment[] }>().items.map((i) => i.asset.id);
    expect(aliceItems).not.toContain(a.id);
    expect((await call(t, bob, 'GET', '/api/v1/me/items')).json<{ items: Assignment[] }>().items.map((i) => i.asset.id)).toContain(a.id);
    expect((await call(t, bobInB, 'GET', '/api/v1/me/items')).json()).toEqual({ items: [], pendingAcceptances: [] });
    const token = await createToken(t, bob, ['selfservice:write']);
    expect((await call(t, { token: token.secret }, 'GET', '/api/v1/me/items')).json<{ items: Assignment[] }>().items.map((i) => i.asset.id)).toContain(a.id);
    expect((await call(t, null, 'GET', '/api/v1/me/items')).statusCode).toBe(401);
  });
});
