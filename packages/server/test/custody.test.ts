import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  addMember, call, createTestApp, createToken, engines, eventCount, login, newOrganization, setupOwner, switchTo, type Session, type TestApp,
} from './harness.js';
import { newId, nowIso } from '../src/lib/ids.js';
import { toDbBool } from '../src/db/dialect.js';
import { AppError } from '../src/errors.js';
import { permissionsOf } from '../src/authz/permissions.js';
import type { Ctx } from '../src/context.js';
import * as custody from '../src/modules/custody/custody.service.js';
import * as events from '../src/modules/events/events.service.js';
import { groupCommit } from '../src/db/group-commit.js';
import { allowedFrom, type LifecycleState } from '../src/modules/lifecycle/lifecycle.machine.js';

interface Assignment {
  id: string;
  asset: { id: string; assetTag: string; name: string | null };
  targetType: 'user' | 'location' | 'asset';
  target: { id: string; label: string };
  checkedOutAt: string;
  checkedOutBy: string | null;
  expectedReturnAt: string | null;
  checkoutNote: string | null;
  returnedAt: string | null;
  returnedBy: string | null;
  checkinNote: string | null;
  overdue: boolean;
  acceptance: { id: string; status: string } | null;
}
interface Problem {
  status: number;
  code: string;
  detail: string;
  errors: { path: string; message: string; code?: string }[];
  holder?: { type: string; id: string; label: string } | null;
  state?: string;
  allowed?: { to: string }[];
  assets?: { id: string; assetTag: string }[];
}

let seq = 0;

/** Catalog rows and assets inserted directly (the catalog and assets write APIs are other modules). */
function fixtures(t: TestApp, orgId: string) {
  const db = t.database.db;
  let modelId: string | null = null;
  const f = {
    async category(o: { requiresAcceptance?: boolean; terms?: string | null; termsVersion?: number | null } = {}): Promise<string> {
      const id = newId();
      const now = nowIso();
      await db.insertInto('categories').values({
        id, org_id: orgId, name: `Category ${++seq}`, asset_class: 'laptop', data_bearing: 0, requires_acceptance: toDbBool(!!o.requiresAcceptance),
        acceptance_terms: o.terms ?? null, acceptance_terms_version: o.termsVersion ?? null, created_at: now, updated_at: now,
      }).execute();
      return id;
    },
    async model(categoryId?: string): Promise<string> {
      const id = newId();
      const now = nowIso();
      await db.insertInto('models').values({
        id, org_id: orgId, name: `Model ${++seq}`, model_number: null, category_id: categoryId ?? (await f.category()), manufacturer_id: null,
        eol_months: null, default_custom_fields: '{}', image_path: null, created_at: now, updated_at: now,
      }).execute();
      return id;
    },
    async location(name = `Location ${++seq}`): Promise<string> {
      const id = newId();
      const now = nowIso();
      await db.insertInto('locations').values({ id, org_id: orgId, name, parent_id: null, path: `/${id}/`, address: null, latitude: null, longitude: null, created_at: now, updated_at: now }).execute();
      return id;
    },
    async asset(o: { modelId?: string; state?: string; locationId?: string | null; defaultLocationId?: string | null; parentAssetId?: string | null; deleted?: boolean } = {}): Promise<{ id: string; tag: string }> {
      const model = o.modelId ?? (modelId ??= await f.model());
      const m = await db.selectFrom('models').select('category_id').where('id', '=', model).executeTakeFirstOrThrow();
      const id = newId();
      const tag = `T-${String(++seq).padStart(5, '0')}`;
      const now = nowIso();
      await db.insertInto('assets').values({
        id, org_id: orgId, asset_tag: tag, serial: null, name: `Asset ${tag}`, model_id: model, category_id: m.category_id, manufacturer_id: null,
        lifecycle_state: o.state ?? 'in_stock', location_id: o.locationId ?? null, default_location_id: o.defaultLocationId ?? null, supplier_id: null,
        department_id: null, purchase_date: null, purchase_cost_minor: null, currency: null, order_number: null, invoice_number: null, warranty_end: null,
        eol_date: null, notes: null, parent_asset_id: o.parentAssetId ?? null, custom_fields: '{}', created_at: now, updated_at: now,
        deleted_at: o.deleted ? now : null,
      }).execute();
      return { id, tag };
    },
    async profile(userId: string, locationId: string | null): Promise<void> {
      await db.insertInto('member_profiles').values({
        org_id: orgId, user_id: userId, employee_number: null, title: null, phone: null, department_id: null, location_id: locationId, manager_user_id: null, updated_at: nowIso(),
      }).execute();
    },
  };
  return f;
}

describe.each(engines)('custody (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  let tech: Session;
  let auditor: Session;
  let emp1: Session;
  let emp2: Session;
  let fx: ReturnType<typeof fixtures>;
  let hq: string;
  // Organization B: its user, location and asset must all be "not found" from A.
  let userB: Session;
  let locationB: string;
  let assetB: { id: string; tag: string };

  const db = () => t.database.db;
  const asset = (id: string) => db().selectFrom('assets').select(['lifecycle_state', 'location_id', 'default_location_id']).where('id', '=', id).executeTakeFirstOrThrow();
  const openOf = (assetId: string) => db().selectFrom('assignments').selectAll().where('asset_id', '=', assetId).where('returned_at', 'is', null).execute();
  const eventsOf = (action: string, entityId?: string) => {
    let q = db().selectFrom('events').selectAll().where('action', '=', action);
    if (entityId) q = q.where('entity_id', '=', entityId);
    return q.orderBy('occurred_at').orderBy('seq').execute();
  };
  const count = async (table: 'assignments' | 'acceptances'): Promise<number> =>
    Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  /** What a refused request must leave untouched. */
  const snapshot = async () => ({ events: await eventCount(t), assignments: await count('assignments'), acceptances: await count('acceptances') });
  const checkout = (as: Session, assetId: string, body: Record<string, unknown>) => call(t, as, 'POST', `/api/v1/assets/${assetId}/checkout`, body);
  const checkin = (as: Session, assetId: string, body: Record<string, unknown> = {}) => call(t, as, 'POST', `/api/v1/assets/${assetId}/checkin`, body);
  const toUser = (s: Session, extra: Record<string, unknown> = {}) => ({ targetType: 'user', targetId: s.userId, ...extra });
  const ctxOf = (s: Session): Ctx => ({
    db: t.database.db, engine: t.engine, config: t.config, requestId: null,
    actor: { type: 'user', userId: s.userId, label: s.email, orgId: s.orgId, role: 'owner', permissions: permissionsOf('owner') },
  });

  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t, 'Custody A');
    tech = await addMember(t, owner, 'technician');
    auditor = await addMember(t, owner, 'auditor');
    emp1 = await addMember(t, owner, 'employee');
    emp2 = await addMember(t, owner, 'employee');
    fx = fixtures(t, owner.orgId);
    hq = await fx.location('HQ');
    await fx.profile(emp1.userId, hq);

    const orgB = await newOrganization(t, owner, 'Custody B');
    const ownerInB = await switchTo(t, await login(t, owner.email), orgB);
    userB = await addMember(t, ownerInB, 'employee');
    const fxB = fixtures(t, orgB);
    locationB = await fxB.location('B office');
    assetB = await fxB.asset();
  });
  afterAll(() => t.close());

  describe('check-out', () => {
    it('CO-01: needs custody.manage — employees, auditors and read-only tokens are refused and nothing changes', async () => {
      const a = await fx.asset();
      const before = await snapshot();
      for (const who of [emp1, auditor]) {
        const res = await checkout(who, a.id, toUser(emp1));
        expect(res.statusCode).toBe(403);
        expect(res.json<Problem>().code).toBe('auth.forbidden');
      }
      const token = await createToken(t, owner, ['custody:read']);
      const beforeToken = await snapshot();
      expect((await call(t, { token: token.secret }, 'POST', `/api/v1/assets/${a.id}/checkout`, toUser(emp1))).statusCode).toBe(403);
      expect(await snapshot()).toEqual(beforeToken);
      expect(before.assignments).toBe(beforeToken.assignments);
      expect((await asset(a.id)).lifecycle_state).toBe('in_stock');
      expect(await openOf(a.id)).toEqual([]);
      // …while a technician may.
      expect((await checkout(tech, a.id, toUser(emp1))).statusCode).toBe(200);
    });

    it('CO-02: an unknown asset, another organization\'s asset and a deleted asset are 404 and write nothing', async () => {
      const deleted = await fx.asset({ deleted: true });
      const before = await snapshot();
      for (const id of [newId(), assetB.id, deleted.id]) {
        const res = await checkout(tech, id, toUser(emp1));
        expect(res.statusCode).toBe(404);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json<Problem>().code).toBe('asset.not_found');
      }
      expect(await snapshot()).toEqual(before);
    });

    it('CO-06: a malformed request names each bad field and writes nothing', async () => {
      const a = await fx.asset();
      const before = await snapshot();
      const empty = await checkout(tech, a.id, {});
      expect(empty.statusCode).toBe(400);
      expect(empty.json<Problem>().errors.map((e) => e.path).sort()).toEqual(['/body/targetId', '/body/targetType']);
      const badType = await checkout(tech, a.id, { targetType: 'department', targetId: emp1.userId });
      expect(badType.statusCode).toBe(400);
      expect(badType.json<Problem>().errors.map((e) => e.path)).toContain('/body/targetType');
      const badDue = await checkout(tech, a.id, toUser(emp1, { expectedReturnAt: 'next tuesday' }));
      expect(badDue.statusCode).toBe(400);
      expect(badDue.json<Problem>().errors).toEqual([expect.objectContaining({ path: '/body/expectedReturnAt', code: 'format' })]);
      for (const checkedOutAt of ['yesterday', '2024-02-30', '2024-04-01T10:00']) {
        const res = await checkout(tech, a.id, toUser(emp1, { checkedOutAt }));
        expect(res.statusCode).toBe(422);
        expect(res.json<Problem>()).toMatchObject({ code: 'custody.invalid_time', errors: [{ path: '/body/checkedOutAt', code: 'format' }] });
      }
      const future = await checkout(tech, a.id, toUser(emp1, { checkedOutAt: '2999-01-01' }));
      expect(future.statusCode).toBe(422);
      expect(future.json<Problem>()).toMatchObject({ code: 'custody.time_in_future', errors: [{ path: '/body/checkedOutAt' }] });
      const backwards = await checkout(tech, a.id, toUser(emp1, { checkedOutAt: '2024-04-10', expectedReturnAt: '2024-04-01' }));
      expect(backwards.statusCode).toBe(422);
      expect(backwards.json<Problem>()).toMatchObject({ code: 'custody.invalid_expected_return', errors: [{ path: '/body/expectedReturnAt' }] });
      const unknownField = await checkout(tech, a.id, toUser(emp1, { assignedTo: 'x' }));
      expect(unknownField.statusCode).toBe(400);
      expect(unknownField.json<Problem>().errors).toContainEqual(expect.objectContaining({ path: '/body/assignedTo', code: 'unknown_field' }));
      expect(await snapshot()).toEqual(before);
      expect((await asset(a.id)).lifecycle_state).toBe('in_stock');
    });

    it('CO-07: an unknown target — or another organization\'s user, location or asset, a deleted asset — is 404 at /body/targetId', async () => {
      const a = await fx.asset();
      const deleted = await fx.asset({ deleted: true });
      const before = await snapshot();
      const cases: [string, string, string][] = [
        ['user', newId(), 'user.not_found'],
        ['user', userB.userId, 'user.not_found'],
        ['location', newId(), 'location.not_found'],
        ['location', locationB, 'location.not_found'],
        ['asset', newId(), 'asset.not_found'],
        ['asset', assetB.id, 'asset.not_found'],
        ['asset', deleted.id, 'asset.not_found'],
      ];
      for (const [targetType, targetId, code] of cases) {
        const res = await checkout(tech, a.id, { targetType, targetId });
        expect(res.statusCode, `${targetType} ${code}`).toBe(404);
        expect(res.json<Problem>()).toMatchObject({ code, errors: [{ path: '/body/targetId', code: 'not_found' }] });
      }
      expect(await snapshot()).toEqual(before);
      expect(await asset(a.id)).toMatchObject({ lifecycle_state: 'in_stock', location_id: null });
    });

    it('CO-08: check-out to a user records dates and note, deploys the asset, moves it to the user\'s location and writes both events', async () => {
      const a = await fx.asset();
      const res = await checkout(tech, a.id, toUser(emp1, { checkedOutAt: '2024-04-01', expectedReturnAt: '2024-04-08', note: 'for the conference' }));
      expect(res.statusCode).toBe(200);
      const body = res.json<Assignment>();
      expect(body).toMatchObject({
        asset: { id: a.id, assetTag: a.tag }, targetType: 'user', target: { id: emp1.userId, label: 'employee person' },
        checkedOutAt: '2024-04-01T00:00:00.000Z', expectedReturnAt: '2024-04-08', checkoutNote: 'for the conference', checkedOutBy: tech.userId,
        returnedAt: null, overdue: true, acceptance: null,
      });
      expect(await asset(a.id)).toMatchObject({ lifecycle_state: 'deployed', location_id: hq });
      const [assetEvent] = await eventsOf('asset.checked_out', a.id);
      expect(assetEvent).toBeDefined();
      expect(JSON.parse(assetEvent!.changes)).toEqual({ lifecycleState: { before: 'in_stock', after: 'deployed' } });
      expect(JSON.parse(assetEvent!.meta)).toMatchObject({ assignmentId: body.id, targetType: 'user', targetId: emp1.userId, targetLabel: 'employee person', note: 'for the conference', locationId: { before: null, after: hq } });
      expect(assetEvent!.actor_id).toBe(tech.userId);
      const received = (await eventsOf('custody.received', emp1.userId)).find((e) => JSON.parse(e.meta).assignmentId === body.id);
      expect(received).toMatchObject({ entity_type: 'user' });
      expect(JSON.parse(received!.changes)).toEqual({ assetLocationId: { before: null, after: hq } });
      expect(JSON.parse(received!.meta)).toMatchObject({ assetId: a.id, assetTag: a.tag, expectedReturnAt: '2024-04-08' });
    });

    it('CO-08: without checkedOutAt the check-out is now; a user without a location leaves the asset without one', async () => {
      const a = await fx.asset({ locationId: hq });
      const res = await checkout(tech, a.id, toUser(emp2));
      expect(res.statusCode).toBe(200);
      expect(Math.abs(Date.parse(res.json<Assignment>().checkedOutAt) - Date.now())).toBeLessThan(5_000);
      expect(await asset(a.id)).toMatchObject({ lifecycle_state: 'deployed', location_id: null });
    });

    it('CO-09: check-out to a location puts the asset there and records the event on the location', async () => {
      const store = await fx.location('Store room');
      const a = await fx.asset();
      const res = await checkout(tech, a.id, { targetType: 'location', targetId: store });
      expect(res.statusCode).toBe(200);
      expect(res.json<Assignment>()).toMatchObject({ targetType: 'location', target: { id: store, label: 'Store room' }, acceptance: null });
      expect(await asset(a.id)).toMatchObject({ lifecycle_state: 'deployed', location_id: store });
      const [ev] = await eventsOf('custody.received', store);
      expect(ev).toMatchObject({ entity_type: 'location' });
    });

    it('CO-10: check-out to another asset takes the parent\'s location and lists the child under the parent', async () => {
      const rack = await fx.location('Rack room');
      const parent = await fx.asset({ locationId: rack });
      const child = await fx.asset();
      const res = await checkout(tech, child.id, { targetType: 'asset', targetId: parent.id });
      expect(res.statusCode).toBe(200);
      expect(res.json<Assignment>()).toMatchObject({ targetType: 'asset', target: { id: parent.id, label: parent.tag } });
      expect((await asset(child.id)).location_id).toBe(rack);
      const list = await call(t, auditor, 'GET', `/api/v1/custody/assignments?targetAssetId=${parent.id}&open=true`);
      expect(list.json<{ items: Assignment[] }>().items.map((x) => x.asset.id)).toEqual([child.id]);
      expect(await eventsOf('custody.received', parent.id)).toHaveLength(1);
      // A parent without a location: the child has none either (one rule, the API's).
      const nowhere = await fx.asset();
      const other = await fx.asset({ locationId: rack });
      expect((await checkout(tech, other.id, { targetType: 'asset', targetId: nowhere.id })).statusCode).toBe(200);
      expect((await asset(other.id)).location_id).toBeNull();
    });

    it('CO-05: an asset cannot be checked out to itself or to anything inside it (parents and check-outs to assets)', async () => {
      const a = await fx.asset();
      const partOfA = await fx.asset({ parentAssetId: a.id });
      const dock = await fx.asset();
      expect((await checkout(tech, dock.id, { targetType: 'asset', targetId: partOfA.id })).statusCode).toBe(200); // dock inside partOfA inside a
      const before = await snapshot();
      const self = await checkout(tech, a.id, { targetType: 'asset', targetId: a.id });
      expect(self.statusCode).toBe(422);
      expect(self.json<Problem>()).toMatchObject({ code: 'custody.target_is_self', errors: [{ path: '/body/targetId', code: 'self' }] });
      for (const inside of [partOfA.id, dock.id]) {
        const res = await checkout(tech, a.id, { targetType: 'asset', targetId: inside });
        expect(res.statusCode).toBe(422);
        expect(res.json<Problem>()).toMatchObject({ code: 'custody.target_cycle', errors: [{ path: '/body/targetId', code: 'cycle' }] });
      }
      expect(await snapshot()).toEqual(before);
      expect((await asset(a.id)).lifecycle_state).toBe('in_stock');
    });

    it('CO-03: an asset already checked out is 409 naming the holder; it stays with them and nothing is written', async () => {
      const a = await fx.asset();
      expect((await checkout(tech, a.id, toUser(emp1))).statusCode).toBe(200);
      const before = await snapshot();
      const res = await checkout(tech, a.id, toUser(emp2));
      expect(res.statusCode).toBe(409);
      expect(res.json<Problem>()).toMatchObject({ code: 'custody.already_checked_out', holder: { type: 'user', id: emp1.userId, label: 'employee person' } });
      expect(res.json<Problem>().detail).toContain(a.tag);
      expect(await snapshot()).toEqual(before);
      const open = await openOf(a.id);
      expect(open.map((o) => o.target_user_id)).toEqual([emp1.userId]);
    });

    it('CO-04: only assets in stock can go out — ordered, in repair, retired, missing, disposed are 409 with the state and allowed moves', async () => {
      const before = await snapshot();
      for (const state of ['ordered', 'in_repair', 'retired', 'missing', 'stolen', 'pending_disposition', 'disposed']) {
        const a = await fx.asset({ state });
        const res = await checkout(tech, a.id, toUser(emp1));
        expect(res.statusCode, state).toBe(409);
        const p = res.json<Problem>();
        expect(p).toMatchObject({ code: 'custody.not_available', state });
        expect(Array.isArray(p.allowed)).toBe(true);
        expect(p.allowed?.map((x) => x.to)).toEqual(allowedFrom(state as LifecycleState).map((x) => x.to));
        expect((await asset(a.id)).lifecycle_state).toBe(state);
      }
      const retired = await db().selectFrom('assets').select('id').where('lifecycle_state', '=', 'retired').executeTakeFirstOrThrow();
      expect((await checkout(tech, retired.id, toUser(emp1))).json<Problem>().allowed?.map((x) => x.to)).toEqual(expect.arrayContaining(['in_stock', 'pending_disposition']));
      expect(await snapshot()).toMatchObject({ assignments: before.assignments, acceptances: before.acceptances, events: before.events });
    });

    it('a deactivated user cannot receive assets (422 at /body/targetId)', async () => {
      const leaver = await addMember(t, owner, 'employee');
      await db().updateTable('users').set({ is_active: 0 }).where('id', '=', leaver.userId).execute();
      const a = await fx.asset();
      const before = await snapshot();
      const res = await checkout(tech, a.id, toUser(leaver));
      expect(res.statusCode).toBe(422);
      expect(res.json<Problem>()).toMatchObject({ code: 'custody.target_inactive', errors: [{ path: '/body/targetId' }] });
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('exactly one open assignment per asset', () => {
    it('two simultaneous check-outs of one asset through the API: one wins, the other is the same 409, one open assignment', async () => {
      const a = await fx.asset();
      const [r1, r2] = await Promise.all([checkout(tech, a.id, toUser(emp1)), checkout(owner, a.id, toUser(emp2))]);
      expect([r1.statusCode, r2.statusCode].sort()).toEqual([200, 409]);
      const winner = (r1.statusCode === 200 ? r1 : r2).json<Assignment>();
      const loser = (r1.statusCode === 200 ? r2 : r1).json<Problem>();
      expect(loser.code).toBe('custody.already_checked_out');
      expect(loser.holder).toMatchObject({ type: 'user', id: winner.target.id });
      expect(await openOf(a.id)).toHaveLength(1);
      expect(await eventsOf('asset.checked_out', a.id)).toHaveLength(1);
      expect((await asset(a.id)).lifecycle_state).toBe('deployed');
    });

    it('check-outs and check-ins arriving together share a commit (SQLite); a refused one writes nothing and the event chain stays whole', async () => {
      const [a, b, c, d] = [await fx.asset(), await fx.asset(), await fx.asset(), await fx.asset()];
      expect((await checkout(tech, d.id, toUser(emp2))).statusCode).toBe(200);
      const ctx = ctxOf(owner);
      const before = await snapshot();
      const batchesBefore = groupCommit(db()).stats.batches;
      const results = await Promise.allSettled([
        custody.checkout(ctx, a.id, { targetType: 'user', targetId: emp1.userId }),
        // The same asset again, in the same batch: the unit sees the first one's assignment.
        custody.checkout(ctx, a.id, { targetType: 'user', targetId: emp2.userId }),
        custody.checkout(ctx, b.id, { targetType: 'user', targetId: emp2.userId }),
        custody.checkin(ctx, c.id, {}),
        custody.checkin(ctx, d.id, {}),
      ]);
      // SQLite runs the batch in arrival order, so the first check-out of `a` wins. PostgreSQL runs
      // each call in its own transaction and either may win the race; exactly one does.
      const [firstA, secondA] = [results[0], results[1]];
      const winnerIndex = engine === 'sqlite' ? 0 : results.slice(0, 2).findIndex((r) => r.status === 'fulfilled');
      expect(winnerIndex).toBeGreaterThanOrEqual(0);
      const expected = ['rejected', 'rejected', 'fulfilled', 'rejected', 'fulfilled'];
      expected[winnerIndex] = 'fulfilled';
      expect(results.map((r) => r.status)).toEqual(expected);
      const loser = (winnerIndex === 0 ? secondA : firstA) as PromiseRejectedResult;
      const winnerTarget = winnerIndex === 0 ? emp1.userId : emp2.userId;
      expect(loser.reason).toMatchObject({ status: 409, code: 'custody.already_checked_out', extra: { holder: { id: winnerTarget } } });
      expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ status: 409, code: 'custody.not_checked_out' });
      if (engine === 'sqlite') expect(groupCommit(db()).stats.batches - batchesBefore).toBe(1);
      expect(await openOf(a.id)).toHaveLength(1);
      expect(await openOf(b.id)).toHaveLength(1);
      expect(await openOf(d.id)).toHaveLength(0);
      // Three writes of two events each; the refused ones recorded nothing.
      expect(await snapshot()).toEqual({ ...before, events: before.events + 6, assignments: before.assignments + 2 });
      expect((await events.verify(db(), owner.orgId))[0]).toMatchObject({ ok: true });
    });

    if (engine === 'postgres') {
      it('two service calls on separate transactions: exactly one wins', async () => {
        const a = await fx.asset();
        const results = await Promise.allSettled([
          custody.checkout(ctxOf(owner), a.id, { targetType: 'user', targetId: emp1.userId }),
          custody.checkout(ctxOf(owner), a.id, { targetType: 'user', targetId: emp2.userId }),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        const err: unknown = lost[0]?.reason;
        expect(err).toBeInstanceOf(AppError);
        expect(err).toMatchObject({ status: 409, code: 'custody.already_checked_out' });
        expect(await openOf(a.id)).toHaveLength(1);
        expect(await eventsOf('asset.checked_out', a.id)).toHaveLength(1);
      });

      it('the unique index stops a check-out that passed the read check while another was uncommitted, and names the holder', async () => {
        const a = await fx.asset();
        let outcome: Promise<unknown> | undefined;
        let blocked = false;
        await db().transaction().execute(async (trx) => {
          const now = nowIso();
          await trx.insertInto('assignments').values({
            id: newId(), org_id: owner.orgId, asset_id: a.id, target_type: 'user', target_user_id: emp1.userId, target_location_id: null, target_asset_id: null,
            checked_out_at: now, checked_out_by: owner.userId, expected_return_at: null, checkout_note: null, returned_at: null, returned_by: null, checkin_note: null, created_at: now,
          }).execute();
          outcome = custody.checkout(ctxOf(owner), a.id, { targetType: 'user', targetId: emp2.userId }).then(() => 'won', (e: unknown) => e);
          // Wait until the competing insert is blocked on the index, then commit ours.
          for (let i = 0; i < 100; i++) {
            const r = await sql<{ n: number }>`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db());
            blocked = Number(r.rows[0]?.n) > 0;
            if (blocked) break;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        });
        expect(blocked).toBe(true); // the loser really got past the read check and waited on the index
        const err = await outcome;
        expect(err).toBeInstanceOf(AppError);
        expect(err).toMatchObject({ status: 409, code: 'custody.already_checked_out', extra: { holder: { type: 'user', id: emp1.userId } } });
        expect((await openOf(a.id)).map((o) => o.target_user_id)).toEqual([emp1.userId]);
        expect(await eventsOf('asset.checked_out', a.id)).toHaveLength(0);
      });
    }
  });

  describe('check-in', () => {
    it('CI-01: needs custody.manage', async () => {
      const a = await fx.asset();
      await checkout(tech, a.id, toUser(emp1));
      const before = await snapshot();
      for (const who of [emp1, auditor]) expect((await checkin(who, a.id)).statusCode).toBe(403);
      expect(await snapshot()).toEqual(before);
      expect(await openOf(a.id)).toHaveLength(1);
    });

    it('CI-02: an asset that is not checked out is 409; an unknown one 404; nothing written', async () => {
      const a = await fx.asset();
      const before = await snapshot();
      const res = await checkin(tech, a.id);
      expect(res.statusCode).toBe(409);
      expect(res.json<Problem>().code).toBe('custody.not_checked_out');
      expect((await checkin(tech, newId())).statusCode).toBe(404);
      expect((await checkin(tech, assetB.id)).statusCode).toBe(404);
      expect(await snapshot()).toEqual(before);
    });

    it('CI-03 / CO-11: check-in closes the assignment, returns the asset to stock and writes both events; one check-out and one check-in counted', async () => {
      const a = await fx.asset();
      const out = (await checkout(tech, a.id, toUser(emp1, { expectedReturnAt: '2099-01-01' }))).json<Assignment>();
      const res = await checkin(tech, a.id, { note: 'returned in good shape' });
      expect(res.statusCode).toBe(200);
      const body = res.json<Assignment>();
      expect(body).toMatchObject({ id: out.id, checkinNote: 'returned in good shape', returnedBy: tech.userId, overdue: false });
      expect(Math.abs(Date.parse(body.returnedAt ?? '') - Date.now())).toBeLessThan(5_000);
      expect((await asset(a.id)).lifecycle_state).toBe('in_stock');
      expect(await openOf(a.id)).toEqual([]);
      const ev = await eventsOf('asset.checked_in', a.id);
      expect(ev).toHaveLength(1);
      expect(JSON.parse(ev[0]!.changes)).toEqual({ lifecycleState: { before: 'deployed', after: 'in_stock' } });
      expect(JSON.parse(ev[0]!.meta)).toMatchObject({ assignmentId: out.id, targetType: 'user', targetId: emp1.userId, note: 'returned in good shape' });
      expect((await eventsOf('custody.returned', emp1.userId)).some((e) => JSON.parse(e.meta).assignmentId === out.id)).toBe(true);
      // Counters: the asset's history has one check-out, now returned.
      const hist = (await call(t, auditor, 'GET', `/api/v1/custody/assignments?assetId=${a.id}`)).json<{ items: Assignment[] }>().items;
      expect(hist).toHaveLength(1);
      expect(hist.filter((h) => h.returnedAt !== null)).toHaveLength(1);
      expect(await eventsOf('asset.checked_out', a.id)).toHaveLength(1);
      // A second check-in is refused.
      expect((await checkin(tech, a.id)).statusCode).toBe(409);
    });

    it('CI-04: without a location the asset returns to its default location; with updateDefaultLocation both move', async () => {
      const l1 = await fx.location();
      const l2 = await fx.location();
      const l3 = await fx.location();
      const a = await fx.asset({ locationId: l1, defaultLocationId: l2 });
      await checkout(tech, a.id, { targetType: 'location', targetId: l1 });
      expect((await checkin(tech, a.id)).statusCode).toBe(200);
      expect(await asset(a.id)).toMatchObject({ location_id: l2, default_location_id: l2 });
      const [ev] = await eventsOf('asset.checked_in', a.id);
      expect(JSON.parse(ev!.meta)).toMatchObject({ locationId: { before: l1, after: l2 } });

      await checkout(tech, a.id, toUser(emp1));
      const before = await snapshot();
      const missingLoc = await checkin(tech, a.id, { updateDefaultLocation: true });
      expect(missingLoc.statusCode).toBe(422);
      expect(missingLoc.json<Problem>()).toMatchObject({ code: 'custody.location_required', errors: [{ path: '/body/locationId' }] });
      const foreign = await checkin(tech, a.id, { locationId: locationB });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json<Problem>()).toMatchObject({ code: 'location.not_found', errors: [{ path: '/body/locationId' }] });
      expect(await snapshot()).toEqual(before);
      expect(await openOf(a.id)).toHaveLength(1);

      expect((await checkin(tech, a.id, { locationId: l3, updateDefaultLocation: true })).statusCode).toBe(200);
      expect(await asset(a.id)).toMatchObject({ location_id: l3, default_location_id: l3 });
      // Given a location without updateDefaultLocation: only the current location moves.
      await checkout(tech, a.id, toUser(emp1));
      await checkin(tech, a.id, { locationId: l1 });
      expect(await asset(a.id)).toMatchObject({ location_id: l1, default_location_id: l3 });
    });

    it('CI-05: a check-in may be dated in the past and carries its note; not before the check-out', async () => {
      const a = await fx.asset();
      await checkout(tech, a.id, toUser(emp1, { checkedOutAt: '2023-01-01T09:00:00Z' }));
      const before = await snapshot();
      const early = await checkin(tech, a.id, { checkedInAt: '2022-12-31' });
      expect(early.statusCode).toBe(422);
      expect(early.json<Problem>()).toMatchObject({ code: 'custody.checkin_before_checkout', errors: [{ path: '/body/checkedInAt' }] });
      expect(await snapshot()).toEqual(before);
      const res = await checkin(tech, a.id, { checkedInAt: '2023-01-02', note: 'hi there' });
      expect(res.statusCode).toBe(200);
      expect(res.json<Assignment>()).toMatchObject({ returnedAt: '2023-01-02T00:00:00.000Z', checkinNote: 'hi there' });
      const [ev] = await eventsOf('asset.checked_in', a.id);
      expect(JSON.parse(ev!.meta)).toMatchObject({ checkedInAt: '2023-01-02T00:00:00.000Z', note: 'hi there' });
    });

    it('an asset in repair (or missing) keeps its state on check-in; the holder\'s custody ends', async () => {
      const a = await fx.asset();
      await checkout(tech, a.id, toUser(emp1));
      const repair = await call(t, owner, 'POST', `/api/v1/assets/${a.id}/transition`, { to: 'in_repair' });
      expect(repair.statusCode).toBe(200);
      expect((await checkin(tech, a.id)).statusCode).toBe(200);
      expect((await asset(a.id)).lifecycle_state).toBe('in_repair');
      expect(await openOf(a.id)).toEqual([]);
      const [ev] = await eventsOf('asset.checked_in', a.id);
      expect(JSON.parse(ev!.changes)).toEqual({});
      expect(JSON.parse(ev!.meta)).toMatchObject({ lifecycleState: 'in_repair' });
      // …and can now come back from repair into stock (that move needs no holder).
      expect((await call(t, owner, 'POST', `/api/v1/assets/${a.id}/transition`, { to: 'in_stock' })).statusCode).toBe(200);
    });
  });

  describe('bulk', () => {
    it('CO-13: a bulk check-out with any bad asset is refused as a whole, one error per failing asset', async () => {
      const ok = await fx.asset();
      const held = await fx.asset();
      const retired = await fx.asset({ state: 'retired' });
      await checkout(tech, held.id, toUser(emp2));
      const before = await snapshot();
      const ids = [ok.id, newId(), held.id, retired.id, ok.id, assetB.id];
      const res = await call(t, tech, 'POST', '/api/v1/custody/checkout', { assetIds: ids, targetType: 'user', targetId: emp1.userId });
      expect(res.statusCode).toBe(422);
      const p = res.json<Problem>();
      expect(p.code).toBe('custody.bulk_failed');
      expect(p.errors.map((e) => [e.path, e.code])).toEqual([
        ['/body/assetIds/1', 'not_found'],
        ['/body/assetIds/2', 'already_checked_out'],
        ['/body/assetIds/3', 'not_available'],
        ['/body/assetIds/4', 'duplicate'],
        ['/body/assetIds/5', 'not_found'],
      ]);
      expect(await snapshot()).toEqual(before);
      expect((await asset(ok.id)).lifecycle_state).toBe('in_stock');
      expect((await openOf(held.id)).map((o) => o.target_user_id)).toEqual([emp2.userId]);
      const badTarget = await call(t, tech, 'POST', '/api/v1/custody/checkout', { assetIds: [ok.id], targetType: 'user', targetId: userB.userId });
      expect(badTarget.statusCode).toBe(404);
      expect(badTarget.json<Problem>().errors[0]?.path).toBe('/body/targetId');
      const empty = await call(t, tech, 'POST', '/api/v1/custody/checkout', { assetIds: [], targetType: 'user', targetId: emp1.userId });
      expect(empty.statusCode).toBe(400);
      expect(empty.json<Problem>().errors[0]?.path).toBe('/body/assetIds');
      expect(await snapshot()).toEqual(before);
    });

    it('CO-13: a good bulk check-out checks every asset out, each with its events, and the self/cycle rules apply per asset', async () => {
      const dock = await fx.location('Dock');
      const assets = [await fx.asset(), await fx.asset(), await fx.asset()];
      const res = await call(t, tech, 'POST', '/api/v1/custody/checkout', { assetIds: assets.map((a) => a.id), targetType: 'location', targetId: dock, expectedReturnAt: '2099-06-30', note: 'event kit' });
      expect(res.statusCode).toBe(200);
      const items = res.json<{ items: Assignment[] }>().items;
      expect(items.map((i) => i.asset.id)).toEqual(assets.map((a) => a.id));
      expect(items.every((i) => i.expectedReturnAt === '2099-06-30' && i.checkoutNote === 'event kit')).toBe(true);
      for (const a of assets) {
        expect(await asset(a.id)).toMatchObject({ lifecycle_state: 'deployed', location_id: dock });
        expect(await eventsOf('asset.checked_out', a.id)).toHaveLength(1);
      }
      expect(await eventsOf('custody.received', dock)).toHaveLength(3);
      const box = await fx.asset();
      const inBox = await fx.asset({ parentAssetId: box.id });
      const cyc = await call(t, tech, 'POST', '/api/v1/custody/checkout', { assetIds: [box.id], targetType: 'asset', targetId: inBox.id });
      expect(cyc.statusCode).toBe(422);
      expect(cyc.json<Problem>().errors).toEqual([expect.objectContaining({ path: '/body/assetIds/0', code: 'target_cycle' })]);
    });

    it('bulk check-in is all or nothing too', async () => {
      const a = await fx.asset();
      const b = await fx.asset();
      const notOut = await fx.asset();
      await checkout(tech, a.id, toUser(emp1));
      await checkout(tech, b.id, toUser(emp2));
      const before = await snapshot();
      const bad = await call(t, tech, 'POST', '/api/v1/custody/checkin', { assetIds: [a.id, notOut.id, b.id, newId()] });
      expect(bad.statusCode).toBe(422);
      expect(bad.json<Problem>().errors.map((e) => [e.path, e.code])).toEqual([['/body/assetIds/1', 'not_checked_out'], ['/body/assetIds/3', 'not_found']]);
      expect(await snapshot()).toEqual(before);
      expect(await openOf(a.id)).toHaveLength(1);
      const good = await call(t, tech, 'POST', '/api/v1/custody/checkin', { assetIds: [a.id, b.id], note: 'end of project' });
      expect(good.statusCode).toBe(200);
      expect(good.json<{ items: Assignment[] }>().items.map((i) => [i.asset.id, i.checkinNote])).toEqual([[a.id, 'end of project'], [b.id, 'end of project']]);
      expect((await asset(a.id)).lifecycle_state).toBe('in_stock');
      expect((await asset(b.id)).lifecycle_state).toBe('in_stock');
    });
  });

  describe('lists and history', () => {
    it('lists assignments by asset, user, location and open state with keyset pages', async () => {
      const lister = await addMember(t, owner, 'employee');
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        const a = await fx.asset();
        made.push((await checkout(tech, a.id, toUser(lister, { checkedOutAt: `2022-0${i + 1}-01` }))).json<Assignment>().id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/custody/assignments?userId=${lister.userId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await call(t, auditor, 'GET', url)).json<{ items: Assignment[]; nextCursor: string | null }>();
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...made].reverse()); // newest check-out first
      const first = (await call(t, auditor, 'GET', `/api/v1/custody/assignments?userId=${lister.userId}`)).json<{ items: Assignment[] }>().items[0];
      await checkin(tech, first!.asset.id);
      const open = (await call(t, auditor, 'GET', `/api/v1/custody/assignments?userId=${lister.userId}&open=true`)).json<{ items: Assignment[] }>().items;
      const closed = (await call(t, auditor, 'GET', `/api/v1/custody/assignments?userId=${lister.userId}&open=false`)).json<{ items: Assignment[] }>().items;
      expect(open).toHaveLength(4);
      expect(closed.map((c) => c.id)).toEqual([first!.id]);
      const bad = await call(t, auditor, 'GET', '/api/v1/custody/assignments?cursor=bm9wZQ');
      expect(bad.statusCode).toBe(400);
      expect(bad.json<Problem>()).toMatchObject({ code: 'custody.invalid_cursor', errors: [{ path: '/querystring/cursor' }] });
      // Employees without custody.read see nothing.
      expect((await call(t, emp1, 'GET', '/api/v1/custody/assignments')).statusCode).toBe(403);
    });

    it('due and overdue lists use the expected return date (fixed dates, and asOf for a reproducible "today")', async () => {
      const late = await fx.asset();
      const soon = await fx.asset();
      const later = await fx.asset();
      const returned = await fx.asset();
      await checkout(tech, late.id, toUser(emp2, { checkedOutAt: '2020-01-01', expectedReturnAt: '2020-01-10' }));
      await checkout(tech, soon.id, toUser(emp2, { checkedOutAt: '2020-01-01', expectedReturnAt: '2099-12-31' }));
      await checkout(tech, later.id, toUser(emp2, { checkedOutAt: '2020-01-01', expectedReturnAt: '2100-03-01' }));
      await checkout(tech, returned.id, toUser(emp2, { checkedOutAt: '2020-01-01', expectedReturnAt: '2020-01-05' }));
      await checkin(tech, returned.id);

      const overdue = (await call(t, auditor, 'GET', '/api/v1/custody/overdue')).json<Assignment[]>();
      const overdueIds = overdue.map((o) => o.asset.id);
      expect(overdueIds).toContain(late.id);
      expect(overdueIds).not.toContain(soon.id);
      expect(overdueIds).not.toContain(returned.id);
      expect(overdue.every((o) => o.overdue)).toBe(true);

      const dueNow = (await call(t, auditor, 'GET', '/api/v1/custody/due')).json<Assignment[]>().map((o) => o.asset.id);
      expect(dueNow).not.toContain(soon.id);
      expect(dueNow).not.toContain(late.id);
      const due = (await call(t, auditor, 'GET', '/api/v1/custody/due?asOf=2099-12-28&days=7')).json<Assignment[]>();
      expect(due.map((o) => o.asset.id)).toContain(soon.id);
      expect(due.map((o) => o.asset.id)).not.toContain(later.id);
      expect(due.find((o) => o.asset.id === soon.id)).toMatchObject({ expectedReturnAt: '2099-12-31', overdue: false });
      expect((await call(t, auditor, 'GET', '/api/v1/custody/due?asOf=2099-12-28&days=2')).json<Assignment[]>().map((o) => o.asset.id)).not.toContain(soon.id);
      const asOfOverdue = (await call(t, auditor, 'GET', '/api/v1/custody/overdue?asOf=2100-01-01')).json<Assignment[]>().map((o) => o.asset.id);
      expect(asOfOverdue).toEqual(expect.arrayContaining([late.id, soon.id]));
      expect(asOfOverdue).not.toContain(later.id);
      // Relative to today: due in three days shows up in the default 7-day window.
      const inThree = await fx.asset();
      const d = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
      await checkout(tech, inThree.id, toUser(emp2, { expectedReturnAt: d }));
      expect((await call(t, auditor, 'GET', '/api/v1/custody/due')).json<Assignment[]>().map((o) => o.asset.id)).toContain(inThree.id);
      const bad = await call(t, auditor, 'GET', '/api/v1/custody/due?days=-1');
      expect(bad.statusCode).toBe(400);
      expect(bad.json<Problem>().errors[0]?.path).toBe('/querystring/days');
    });

    it('who held asset X at time D, and what user U held at D — before, during, between and after assignments', async () => {
      const u1 = await addMember(t, owner, 'employee');
      const u2 = await addMember(t, owner, 'employee');
      const a = await fx.asset();
      const other = await fx.asset();
      await checkout(tech, a.id, toUser(u1, { checkedOutAt: '2021-01-01T00:00:00Z' }));
      await checkout(tech, other.id, toUser(u1, { checkedOutAt: '2021-01-10T00:00:00Z' }));
      await checkin(tech, a.id, { checkedInAt: '2021-02-01T00:00:00Z' });
      // A back-dated check-out may not overlap the history.
      const before = await snapshot();
      const overlap = await checkout(tech, a.id, toUser(u2, { checkedOutAt: '2021-01-15T00:00:00Z' }));
      expect(overlap.statusCode).toBe(422);
      expect(overlap.json<Problem>()).toMatchObject({ code: 'custody.overlapping_history', errors: [{ path: '/body/checkedOutAt' }] });
      expect(await snapshot()).toEqual(before);
      await checkout(tech, a.id, toUser(u2, { checkedOutAt: '2021-03-01T00:00:00Z' }));
      await checkin(tech, a.id, { checkedInAt: '2021-04-01T00:00:00Z' });
      await checkout(tech, a.id, toUser(u1, { checkedOutAt: '2021-05-01T00:00:00Z' }));

      const holderAt = async (at: string) => {
        const res = await call(t, auditor, 'GET', `/api/v1/custody/held-at?assetId=${a.id}&at=${encodeURIComponent(at)}`);
        expect(res.statusCode).toBe(200);
        return res.json<{ assignment: Assignment | null }>().assignment?.target.id ?? null;
      };
      expect(await holderAt('2020-12-31T23:59:59Z')).toBeNull(); // before any
      expect(await holderAt('2021-01-01T00:00:00Z')).toBe(u1.userId); // at the start
      expect(await holderAt('2021-01-15')).toBe(u1.userId); // during the first
      expect(await holderAt('2021-02-01T00:00:00Z')).toBeNull(); // returned at that instant
      expect(await holderAt('2021-02-15')).toBeNull(); // between
      expect(await holderAt('2021-03-15T12:00:00+02:00')).toBe(u2.userId); // during the second
      expect(await holderAt('2021-04-15')).toBeNull();
      expect(await holderAt(nowIso())).toBe(u1.userId); // after: the open one

      const heldBy = async (userId: string, at: string) =>
        (await call(t, auditor, 'GET', `/api/v1/custody/held-by?userId=${userId}&at=${encodeURIComponent(at)}`)).json<{ items: Assignment[] }>().items.map((i) => i.asset.id);
      expect(await heldBy(u1.userId, '2020-06-01')).toEqual([]);
      expect(await heldBy(u1.userId, '2021-01-15')).toEqual([a.id, other.id]);
      expect(await heldBy(u1.userId, '2021-03-15')).toEqual([other.id]);
      expect(await heldBy(u2.userId, '2021-03-15')).toEqual([a.id]);
      expect(await heldBy(u2.userId, '2021-06-01')).toEqual([]);
      expect((await heldBy(u1.userId, nowIso())).sort()).toEqual([a.id, other.id].sort());

      const badAt = await call(t, auditor, 'GET', `/api/v1/custody/held-at?assetId=${a.id}&at=soon`);
      expect(badAt.statusCode).toBe(422);
      expect(badAt.json<Problem>().errors[0]?.path).toBe('/querystring/at');
      expect((await call(t, auditor, 'GET', `/api/v1/custody/held-at?assetId=${assetB.id}&at=2021-01-01`)).json<Problem>()).toMatchObject({ code: 'asset.not_found', errors: [{ path: '/querystring/assetId' }] });
      expect((await call(t, auditor, 'GET', `/api/v1/custody/held-by?userId=${userB.userId}&at=2021-01-01`)).json<Problem>()).toMatchObject({ code: 'user.not_found', errors: [{ path: '/querystring/userId' }] });
    });
  });

  describe('holdings and offboarding', () => {
    it('holdings list what a member holds now; another organization\'s user is 404', async () => {
      const holder = await addMember(t, owner, 'employee');
      const a = await fx.asset();
      const b = await fx.asset();
      await checkout(tech, a.id, toUser(holder));
      await checkout(tech, b.id, toUser(holder));
      await checkin(tech, b.id);
      const res = await call(t, auditor, 'GET', `/api/v1/members/${holder.userId}/holdings`);
      expect(res.statusCode).toBe(200);
      expect(res.json<{ userId: string; items: Assignment[] }>()).toMatchObject({ userId: holder.userId, items: [{ asset: { id: a.id } }] });
      expect((await call(t, auditor, 'GET', `/api/v1/members/${userB.userId}/holdings`)).statusCode).toBe(404);
      expect((await call(t, emp1, 'GET', `/api/v1/members/${holder.userId}/holdings`)).statusCode).toBe(403);
    });

    it('US-05: a member who still holds assets cannot be removed (409 listing the tags); nothing changes', async () => {
      const holder = await addMember(t, owner, 'employee');
      const a = await fx.asset();
      const b = await fx.asset();
      await checkout(tech, a.id, toUser(holder));
      await checkout(tech, b.id, toUser(holder));
      const before = await snapshot();
      const res = await call(t, owner, 'DELETE', `/api/v1/members/${holder.userId}`);
      expect(res.statusCode).toBe(409);
      const p = res.json<Problem>();
      expect(p.code).toBe('member.holds_assets');
      expect(p.assets?.map((x) => x.assetTag).sort()).toEqual([a.tag, b.tag].sort());
      expect(p.detail).toContain(a.tag);
      expect(await snapshot()).toEqual(before);
      expect((await call(t, owner, 'GET', `/api/v1/members/${holder.userId}`)).statusCode).toBe(200);
    });

    it('offboarding checks in everything the user holds in one transaction: states, locations, pending acceptances, events', async () => {
      const leaver = await addMember(t, owner, 'employee');
      const home = await fx.location('Home office');
      await fx.profile(leaver.userId, home);
      const shelf = await fx.location('IT shelf');
      const acceptModel = await fx.model(await fx.category({ requiresAcceptance: true, terms: 'Handle with care', termsVersion: 1 }));
      const laptop = await fx.asset({ modelId: acceptModel, defaultLocationId: shelf });
      const phone = await fx.asset({ defaultLocationId: shelf });
      const repaired = await fx.asset();
      const notTheirs = await fx.asset();
      for (const a of [laptop, phone, repaired]) expect((await checkout(tech, a.id, toUser(leaver))).statusCode).toBe(200);
      await checkout(tech, notTheirs.id, toUser(emp1));
      expect((await call(t, owner, 'POST', `/api/v1/assets/${repaired.id}/transition`, { to: 'in_repair' })).statusCode).toBe(200);
      expect((await asset(laptop.id)).location_id).toBe(home);

      expect((await call(t, emp1, 'POST', `/api/v1/members/${leaver.userId}/offboard`, {})).statusCode).toBe(403);
      const res = await call(t, tech, 'POST', `/api/v1/members/${leaver.userId}/offboard`, { note: 'left the company' });
      expect(res.statusCode).toBe(200);
      const items = res.json<{ items: Assignment[] }>().items;
      expect(items.map((i) => i.asset.id).sort()).toEqual([laptop.id, phone.id, repaired.id].sort());
      expect(items.every((i) => i.returnedAt !== null && i.checkinNote === 'left the company')).toBe(true);
      expect(await asset(laptop.id)).toMatchObject({ lifecycle_state: 'in_stock', location_id: shelf });
      expect(await asset(phone.id)).toMatchObject({ lifecycle_state: 'in_stock', location_id: shelf });
      expect((await asset(repaired.id)).lifecycle_state).toBe('in_repair');
      expect(await openOf(notTheirs.id)).toHaveLength(1);
      const acc = await db().selectFrom('acceptances').select('status').where('asset_id', '=', laptop.id).execute();
      expect(acc.map((x) => x.status)).toEqual(['cancelled']);
      const [summary] = await eventsOf('custody.offboarded', leaver.userId);
      expect(JSON.parse(summary!.changes)).toEqual({ holdings: { before: expect.arrayContaining([laptop.tag, phone.tag, repaired.tag]) as unknown, after: [] } });
      expect(await eventsOf('custody.returned', leaver.userId)).toHaveLength(3);
      expect((await call(t, auditor, 'GET', `/api/v1/members/${leaver.userId}/holdings`)).json<{ items: unknown[] }>().items).toEqual([]);
      // Offboarding someone who holds nothing changes nothing.
      const before = await snapshot();
      const again = await call(t, tech, 'POST', `/api/v1/members/${leaver.userId}/offboard`, {});
      expect(again.statusCode).toBe(200);
      expect(again.json<{ items: unknown[] }>().items).toEqual([]);
      expect(await snapshot()).toEqual(before);
      expect((await call(t, tech, 'POST', `/api/v1/members/${userB.userId}/offboard`, {})).statusCode).toBe(404);
    });

    it('offboarding is all or nothing: when one check-in fails, none is kept', async () => {
      const leaver = await addMember(t, owner, 'employee');
      const a = await fx.asset();
      const b = await fx.asset();
      await checkout(tech, a.id, toUser(leaver));
      await checkout(tech, b.id, toUser(leaver));
      // Failure injection: the second asset's row is made unreadable (soft-deleted), so its state move fails
      // after the first asset was already checked in inside the same transaction.
      await db().updateTable('assets').set({ deleted_at: nowIso() }).where('id', '=', b.id).execute();
      const before = await snapshot();
      const res = await call(t, tech, 'POST', `/api/v1/members/${leaver.userId}/offboard`, {});
      expect(res.statusCode).toBe(404);
      expect(await snapshot()).toEqual(before);
      expect(await openOf(a.id)).toHaveLength(1);
      expect(await openOf(b.id)).toHaveLength(1);
      expect((await asset(a.id)).lifecycle_state).toBe('deployed');
    });
  });
});
