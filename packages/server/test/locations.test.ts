import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, createTestApp, engines, eventCount, login, newOrganization, setupOwner, switchTo, type Session, type TestApp } from './harness.js';
import { newId, nowIso } from '../src/lib/ids.js';
import * as catalog from '../src/modules/catalog/catalog.service.js';

interface Problem { code: string; errors: { path: string; code?: string; message: string }[]; conflict?: { id: string; name: string }; usage?: Record<string, number> }
interface Location {
  id: string; name: string; parentId: string | null; depth: number; path: string[]; pathNames: string[]; address: string | null;
  latitude: number | null; longitude: number | null; assetCount: number; subtreeAssetCount: number; childCount: number;
}

describe.each(engines)('locations (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  let ownerB: Session;
  let tech: Session;
  let employee: Session;
  let model: { id: string; categoryId: string; manufacturerId: string | null };
  let n = 0;
  const uniq = (p: string) => `${p} ${++n}`;

  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t, 'Org A');
    const orgB = await newOrganization(t, owner, 'Org B');
    ownerB = await switchTo(t, await login(t, owner.email), orgB);
    tech = await addMember(t, owner, 'technician');
    employee = await addMember(t, owner, 'employee');
    const c = await call(t, owner, 'POST', '/api/v1/categories', { name: 'Laptops', assetClass: 'laptop' });
    const m = await call(t, owner, 'POST', '/api/v1/models', { name: 'ThinkPad', categoryId: c.json<{ id: string }>().id });
    model = m.json<{ id: string; categoryId: string; manufacturerId: string | null }>();
  });
  afterAll(() => t.close());

  const db = () => t.database.db;
  const create = async (as: Session, body: Record<string, unknown>): Promise<Location> => {
    const res = await call(t, as, 'POST', '/api/v1/locations', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Location>();
  };
  const get = async (id: string): Promise<Location> => (await call(t, owner, 'GET', `/api/v1/locations/${id}`)).json<Location>();
  const storedPath = async (id: string) => (await db().selectFrom('locations').select('path').where('id', '=', id).executeTakeFirstOrThrow()).path;
  const locationCount = async () => Number((await db().selectFrom('locations').select((eb) => eb.fn.countAll().as('c')).executeTakeFirstOrThrow()).c);
  const eventsFor = (entityId: string) => db().selectFrom('events').select(['action', 'changes', 'meta']).where('entity_id', '=', entityId).orderBy('seq').execute();

  async function insertAsset(extra: Record<string, unknown>): Promise<string> {
    const id = newId();
    const now = nowIso();
    await db().insertInto('assets').values({
      id, org_id: owner.orgId, asset_tag: `L-${id.slice(-12)}`, serial: null, name: null, model_id: model.id, category_id: model.categoryId,
      manufacturer_id: model.manufacturerId, lifecycle_state: 'in_stock', location_id: null, default_location_id: null, supplier_id: null,
      department_id: null, purchase_date: null, purchase_cost_minor: null, currency: null, order_number: null, invoice_number: null,
      warranty_end: null, eol_date: null, notes: null, parent_asset_id: null, custom_fields: '{}', created_at: now, updated_at: now, ...extra,
    }).execute();
    return id;
  }

  async function refused(req: () => ReturnType<typeof call>, status: number, code: string, path: string | null): Promise<Problem> {
    const events = await eventCount(t);
    const rows = await locationCount();
    const paths = await db().selectFrom('locations').select(['id', 'path', 'name', 'parent_id']).orderBy('id').execute();
    const res = await req();
    expect(res.statusCode, res.body).toBe(status);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    const p = res.json<Problem>();
    expect(p.code).toBe(code);
    if (path) expect(p.errors.map((e) => e.path)).toContain(path);
    expect(await eventCount(t)).toBe(events);
    expect(await locationCount()).toBe(rows);
    expect(await db().selectFrom('locations').select(['id', 'path', 'name', 'parent_id']).orderBy('id').execute()).toEqual(paths);
    return p;
  }

  it('LO-01: builds a tree with materialized paths, names along the path and asset counts', async () => {
    const hq = await create(owner, { name: 'HQ', address: '1 Main St', latitude: 51.5, longitude: -0.12 });
    expect(hq).toMatchObject({ name: 'HQ', parentId: null, depth: 0, path: [hq.id], pathNames: ['HQ'], address: '1 Main St', latitude: 51.5, longitude: -0.12, assetCount: 0, childCount: 0 });
    expect(await storedPath(hq.id)).toBe(`/${hq.id}/`);
    const f2 = await create(owner, { name: 'Floor 2', parentId: hq.id });
    const f1 = await create(owner, { name: 'Floor 1', parentId: hq.id });
    const room = await create(owner, { name: 'Room 201', parentId: f2.id });
    expect(room).toMatchObject({ parentId: f2.id, depth: 2, path: [hq.id, f2.id, room.id], pathNames: ['HQ', 'Floor 2', 'Room 201'] });
    expect(await storedPath(room.id)).toBe(`/${hq.id}/${f2.id}/${room.id}/`);
    const ev = await eventsFor(room.id);
    expect(ev.map((e) => e.action)).toEqual(['location.created']);
    expect(JSON.parse(ev[0]!.changes)).toMatchObject({ name: { before: null, after: 'Room 201' }, parentId: { before: null, after: f2.id } });

    await insertAsset({ location_id: room.id });
    await insertAsset({ location_id: room.id });
    await insertAsset({ location_id: hq.id });
    await insertAsset({ location_id: room.id, deleted_at: nowIso() });
    expect(await get(room.id)).toMatchObject({ assetCount: 2, subtreeAssetCount: 2 });
    expect(await get(hq.id)).toMatchObject({ assetCount: 1, subtreeAssetCount: 3, childCount: 2 });

    const list = (await call(t, owner, 'GET', '/api/v1/locations')).json<Location[]>();
    const mine = list.filter((l) => l.path[0] === hq.id);
    // Depth first, siblings by name.
    expect(mine.map((l) => l.pathNames.join(' / '))).toEqual(['HQ', 'HQ / Floor 1', 'HQ / Floor 2', 'HQ / Floor 2 / Room 201']);
    expect(mine.find((l) => l.id === f2.id)).toMatchObject({ assetCount: 0, subtreeAssetCount: 2, childCount: 1 });
    expect(mine.find((l) => l.id === f1.id)).toMatchObject({ subtreeAssetCount: 0, childCount: 0 });
    const filtered = (await call(t, owner, 'GET', '/api/v1/locations?q=room 2')).json<Location[]>();
    expect(filtered.map((l) => l.id)).toEqual([room.id]);
    expect(filtered[0]?.pathNames).toEqual(['HQ', 'Floor 2', 'Room 201']);
  });

  it('LO-01: edits a location; a sibling with the same name (ignoring case) is refused', async () => {
    const site = await create(owner, { name: uniq('Site') });
    const a = await create(owner, { name: 'Storage', parentId: site.id });
    const b = await create(owner, { name: 'Lab', parentId: site.id, latitude: 0, longitude: 0 });
    expect(b).toMatchObject({ latitude: 0, longitude: 0 });
    const p = await refused(() => call(t, owner, 'POST', '/api/v1/locations', { name: 'STORAGE', parentId: site.id }), 409, 'location.duplicate_name', '/body/name');
    expect(p.conflict).toEqual({ id: a.id, name: 'Storage' });
    await refused(() => call(t, owner, 'PATCH', `/api/v1/locations/${b.id}`, { name: 'storage' }), 409, 'location.duplicate_name', '/body/name');
    await refused(() => call(t, owner, 'POST', '/api/v1/locations', { name: site.name.toUpperCase() }), 409, 'location.duplicate_name', '/body/name');
    // The same name under another parent is fine.
    const other = await create(owner, { name: uniq('Site') });
    await create(owner, { name: 'Storage', parentId: other.id });
    const upd = await call(t, owner, 'PATCH', `/api/v1/locations/${b.id}`, { name: 'Lab 2', address: 'Building B', latitude: null });
    expect(upd.statusCode).toBe(200);
    expect(upd.json<Location>()).toMatchObject({ name: 'Lab 2', address: 'Building B', latitude: null, longitude: 0, pathNames: [site.name, 'Lab 2'] });
    const ev = await eventsFor(b.id);
    expect(ev.map((e) => e.action)).toEqual(['location.created', 'location.updated']);
    expect(JSON.parse(ev[1]!.changes)).toEqual({ name: { before: 'Lab', after: 'Lab 2' }, address: { before: null, after: 'Building B' }, latitude: { before: 0, after: null } });
  });

  it('LO-02: refuses bad input, unknown parents and other organizations\' parents, writing nothing', async () => {
    const bSite = await create(ownerB, { name: 'B site' });
    await refused(() => call(t, owner, 'POST', '/api/v1/locations', { name: 'X', parentId: newId() }), 404, 'location.not_found', '/body/parentId');
    await refused(() => call(t, owner, 'POST', '/api/v1/locations', { name: 'X', parentId: bSite.id }), 404, 'location.not_found', '/body/parentId');
    await refused(() => call(t, owner, 'POST', '/api/v1/locations', { name: '  ' }), 422, 'location.invalid', '/body/name');
    await refused(() => call(t, owner, 'POST', '/api/v1/locations', { name: 'A/B' }), 422, 'location.invalid', '/body/name');
    await refused(() => call(t, owner, 'POST', '/api/v1/locations', { name: 'X', latitude: 91 }), 400, 'validation_failed', '/body/latitude');
    await refused(() => call(t, owner, 'POST', '/api/v1/locations', { name: 'X', parentId: 'not-a-uuid' }), 400, 'validation_failed', '/body/parentId');
    const mine = await create(owner, { name: uniq('Mine') });
    await refused(() => call(t, owner, 'PATCH', `/api/v1/locations/${mine.id}`, { parentId: bSite.id }), 404, 'location.not_found', '/body/parentId');
  });

  it('LO-02: moving a location under itself or one of its descendants is a cycle', async () => {
    const top = await create(owner, { name: uniq('Campus') });
    const mid = await create(owner, { name: 'Building', parentId: top.id });
    const leaf = await create(owner, { name: 'Room', parentId: mid.id });
    let p = await refused(() => call(t, owner, 'PATCH', `/api/v1/locations/${top.id}`, { parentId: top.id }), 422, 'location.cycle', '/body/parentId');
    expect(p.errors[0]?.message).toMatch(/cycle/);
    p = await refused(() => call(t, owner, 'PATCH', `/api/v1/locations/${top.id}`, { parentId: leaf.id }), 422, 'location.cycle', '/body/parentId');
    expect(p.errors[0]?.code).toBe('cycle');
    await refused(() => call(t, owner, 'PATCH', `/api/v1/locations/${mid.id}`, { parentId: leaf.id, name: 'Renamed' }), 422, 'location.cycle', '/body/parentId');
    expect((await get(mid.id)).name).toBe('Building');
  });

  it('moving a subtree rewrites the paths of every descendant in one go', async () => {
    const east = await create(owner, { name: uniq('East') });
    const west = await create(owner, { name: uniq('West') });
    const floor = await create(owner, { name: 'Floor 3', parentId: east.id });
    const room = await create(owner, { name: 'Room 301', parentId: floor.id });
    const shelf = await create(owner, { name: 'Shelf A', parentId: room.id });
    const sibling = await create(owner, { name: 'Floor 4', parentId: east.id });
    await insertAsset({ location_id: shelf.id });

    const res = await call(t, owner, 'PATCH', `/api/v1/locations/${floor.id}`, { parentId: west.id });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<Location>()).toMatchObject({ parentId: west.id, depth: 1, path: [west.id, floor.id], pathNames: [west.name, 'Floor 3'], subtreeAssetCount: 1 });
    expect(await storedPath(floor.id)).toBe(`/${west.id}/${floor.id}/`);
    expect(await storedPath(room.id)).toBe(`/${west.id}/${floor.id}/${room.id}/`);
    expect(await storedPath(shelf.id)).toBe(`/${west.id}/${floor.id}/${room.id}/${shelf.id}/`);
    expect(await storedPath(sibling.id)).toBe(`/${east.id}/${sibling.id}/`);
    expect(await get(shelf.id)).toMatchObject({ depth: 3, pathNames: [west.name, 'Floor 3', 'Room 301', 'Shelf A'] });
    expect(await get(east.id)).toMatchObject({ subtreeAssetCount: 0, childCount: 1 });
    expect(await get(west.id)).toMatchObject({ subtreeAssetCount: 1, childCount: 1 });

    const ev = await eventsFor(floor.id);
    expect(ev.map((e) => e.action)).toEqual(['location.created', 'location.moved']);
    expect(JSON.parse(ev[1]!.changes)).toEqual({
      parentId: { before: east.id, after: west.id },
      path: { before: `/${east.id}/${floor.id}/`, after: `/${west.id}/${floor.id}/` },
      pathNames: { before: [east.name, 'Floor 3'], after: [west.name, 'Floor 3'] },
    });
    expect(JSON.parse(ev[1]!.meta)).toMatchObject({ descendantsMoved: 2 });

    // To the top level, and a rename in the same request writes both events.
    const top = await call(t, owner, 'PATCH', `/api/v1/locations/${room.id}`, { parentId: null, name: uniq('Room 301 (moved)') });
    expect(top.json<Location>()).toMatchObject({ parentId: null, depth: 0, path: [room.id] });
    expect(await storedPath(shelf.id)).toBe(`/${room.id}/${shelf.id}/`);
    expect((await eventsFor(room.id)).map((e) => e.action)).toEqual(['location.created', 'location.updated', 'location.moved']);
  });

  it('moving next to a sibling of the same name is refused', async () => {
    const a = await create(owner, { name: uniq('A') });
    const b = await create(owner, { name: uniq('B') });
    await create(owner, { name: 'Store', parentId: a.id });
    const other = await create(owner, { name: 'Store', parentId: b.id });
    await refused(() => call(t, owner, 'PATCH', `/api/v1/locations/${other.id}`, { parentId: a.id }), 409, 'location.duplicate_name', '/body/name');
  });

  it('LO-03: delete is refused while it has children, assets, check-outs or people; an unused one is deleted', async () => {
    const site = await create(owner, { name: uniq('Depot') });
    const child = await create(owner, { name: 'Cage', parentId: site.id });
    let p = await refused(() => call(t, owner, 'DELETE', `/api/v1/locations/${site.id}`), 409, 'location.in_use', null);
    expect(p.usage).toMatchObject({ children: 1 });

    const located = await create(owner, { name: uniq('Located') });
    await insertAsset({ location_id: located.id, deleted_at: nowIso() });
    p = await refused(() => call(t, owner, 'DELETE', `/api/v1/locations/${located.id}`), 409, 'location.in_use', null);
    expect(p.usage).toMatchObject({ assets: 0, deletedAssets: 1 });

    const home = await create(owner, { name: uniq('Home') });
    await insertAsset({ default_location_id: home.id });
    p = await refused(() => call(t, owner, 'DELETE', `/api/v1/locations/${home.id}`), 409, 'location.in_use', null);
    expect(p.usage).toMatchObject({ defaultFor: 1 });

    const target = await create(owner, { name: uniq('Checked out to') });
    const asset = await insertAsset({ location_id: null, lifecycle_state: 'deployed' });
    const now = nowIso();
    await db().insertInto('assignments').values({
      id: newId(), org_id: owner.orgId, asset_id: asset, target_type: 'location', target_user_id: null, target_location_id: target.id, target_asset_id: null,
      checked_out_at: now, checked_out_by: owner.userId, expected_return_at: null, checkout_note: null, returned_at: null, returned_by: null, checkin_note: null, created_at: now,
    }).execute();
    p = await refused(() => call(t, owner, 'DELETE', `/api/v1/locations/${target.id}`), 409, 'location.in_use', null);
    expect(p.usage).toMatchObject({ openAssignments: 1, pastAssignments: 0 });

    const office = await create(owner, { name: uniq('Office') });
    expect((await call(t, owner, 'PATCH', `/api/v1/members/${employee.userId}/profile`, { locationId: office.id })).statusCode).toBe(200);
    p = await refused(() => call(t, owner, 'DELETE', `/api/v1/locations/${office.id}`), 409, 'location.in_use', null);
    expect(p.usage).toMatchObject({ members: 1 });
    expect(await catalog.memberLocation(db(), owner.orgId, employee.userId)).toBe(office.id);

    const res = await call(t, owner, 'DELETE', `/api/v1/locations/${child.id}`);
    expect(res.statusCode).toBe(200);
    expect((await call(t, owner, 'GET', `/api/v1/locations/${child.id}`)).statusCode).toBe(404);
    expect((await eventsFor(child.id)).map((e) => e.action)).toEqual(['location.created', 'location.deleted']);
    expect((await call(t, owner, 'DELETE', `/api/v1/locations/${child.id}`)).statusCode).toBe(404);
    // Now childless, the depot itself can go.
    expect((await call(t, owner, 'DELETE', `/api/v1/locations/${site.id}`)).statusCode).toBe(200);
  });

  it('another organization\'s locations are 404 for reads, edits and deletes', async () => {
    const bLoc = await create(ownerB, { name: uniq('B only') });
    await refused(() => call(t, owner, 'GET', `/api/v1/locations/${bLoc.id}`), 404, 'location.not_found', null);
    await refused(() => call(t, owner, 'PATCH', `/api/v1/locations/${bLoc.id}`, { name: 'Hijacked' }), 404, 'location.not_found', null);
    await refused(() => call(t, owner, 'DELETE', `/api/v1/locations/${bLoc.id}`), 404, 'location.not_found', null);
    expect((await call(t, owner, 'GET', '/api/v1/locations')).json<Location[]>().map((l) => l.id)).not.toContain(bLoc.id);
    expect((await call(t, ownerB, 'GET', `/api/v1/locations/${bLoc.id}`)).json<Location>().name).toBe(bLoc.name);
  });

  it('LO-05: reading needs location.read, editing location.manage', async () => {
    expect((await call(t, null, 'GET', '/api/v1/locations')).statusCode).toBe(401);
    expect((await call(t, employee, 'GET', '/api/v1/locations')).statusCode).toBe(403);
    expect((await call(t, tech, 'GET', '/api/v1/locations')).statusCode).toBe(200);
    await refused(() => call(t, tech, 'POST', '/api/v1/locations', { name: 'Nope' }), 403, 'auth.forbidden', null);
    const l = await create(owner, { name: uniq('Perm') });
    await refused(() => call(t, tech, 'PATCH', `/api/v1/locations/${l.id}`, { name: 'Nope' }), 403, 'auth.forbidden', null);
    await refused(() => call(t, tech, 'DELETE', `/api/v1/locations/${l.id}`), 403, 'auth.forbidden', null);
  });

  it('service lookups: requireLocation and subtreePath (404 with the field path for other organizations)', async () => {
    const root = await create(owner, { name: uniq('Svc') });
    const child = await create(owner, { name: 'Child', parentId: root.id });
    expect(await catalog.subtreePath(db(), owner.orgId, child.id)).toBe(`/${root.id}/${child.id}/`);
    expect((await catalog.requireLocation(db(), owner.orgId, child.id, '/body/locationId')).parent_id).toBe(root.id);
    await expect(catalog.requireLocation(db(), ownerB.orgId, child.id, '/body/locationId')).rejects.toMatchObject({ status: 404, code: 'location.not_found', errors: [{ path: '/body/locationId' }] });
    await expect(catalog.subtreePath(db(), ownerB.orgId, child.id)).rejects.toMatchObject({ status: 404, errors: [{ path: '/querystring/locationId' }] });
  });
});
