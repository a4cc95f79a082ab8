import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, createTestApp, engines, eventCount, login, newOrganization, setupOwner, switchTo, type Session, type TestApp } from './harness.js';
import { newId, nowIso } from '../src/lib/ids.js';
import { permissionsOf } from '../src/authz/permissions.js';
import type { Ctx } from '../src/context.js';
import * as assetsService from '../src/modules/assets/assets.service.js';
import { AppError } from '../src/errors.js';

interface Problem { status: number; code: string; errors: { path: string; code?: string; message: string }[]; conflict?: { id: string; assetTag: string }; holder?: { type: string; label: string }; childCount?: number }
interface Ref { id: string; name: string }
interface Medium { id: string; mediaType: string; serial: string | null; capacityBytes: number | null; status: string; interface: string | null }
interface Asset {
  id: string; assetTag: string; serial: string | null; name: string | null; lifecycleState: string; model: Ref; category: Ref; manufacturer: Ref | null;
  location: Ref | null; purchaseDate: string | null; purchaseCost: number | null; currency: string | null; warrantyEnd: string | null;
  notes: string | null; orderNumber: string | null; invoiceNumber: string | null; eolDate: string | null; supplier: Ref | null; department: Ref | null;
  defaultLocation: Ref | null; parent: { id: string; assetTag: string } | null; childCount: number; customFields: Record<string, unknown>;
  media: Medium[]; attachmentCount: number; currentAssignment: null | { id: string; targetType: string; target: { id: string; label: string }; acceptance: null | { status: string } };
  deletedAt: string | null; dataBearing: boolean;
}
interface EventRow { action: string; changes: Record<string, { before: unknown; after: unknown }>; meta: Record<string, unknown> }

describe.each(engines)('assets (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  let ownerB: Session;
  let tech: Session;
  let auditor: Session;
  let n = 0;
  const uniq = (p: string) => `${p} ${++n}`;

  // catalog of organization A (and one model in B)
  let laptops: { id: string };
  let monitors: { id: string };
  let dell: { id: string };
  let hp: { id: string };
  let laptop: { id: string }; // Dell, laptops, 36 months EOL
  let laptopHp: { id: string }; // HP, laptops
  let monitor: { id: string }; // no manufacturer, monitors
  let hq: { id: string };
  let store: { id: string };
  let supplier: { id: string };
  let dept: { id: string };
  let modelB: { id: string };
  let locationB: { id: string };
  let supplierB: { id: string };
  let deptB: { id: string };
  let assetB: Asset;

  const created = async <T>(as: Session, url: string, body: unknown): Promise<T> => {
    const res = await call(t, as, 'POST', url, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<T>();
  };

  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t, 'Org A');
    ownerB = await switchTo(t, await login(t, owner.email), await newOrganization(t, owner, 'Org B'));
    tech = await addMember(t, owner, 'technician');
    auditor = await addMember(t, owner, 'auditor');
    laptops = await created(owner, '/api/v1/categories', { name: 'Laptops', assetClass: 'laptop', dataBearing: true, tagPattern: 'LAP-{00000}' });
    monitors = await created(owner, '/api/v1/categories', { name: 'Monitors', assetClass: 'monitor' });
    dell = await created(owner, '/api/v1/manufacturers', { name: 'Dell' });
    hp = await created(owner, '/api/v1/manufacturers', { name: 'HP' });
    laptop = await created(owner, '/api/v1/models', { name: 'Latitude 7440', categoryId: laptops.id, manufacturerId: dell.id, eolMonths: 36 });
    laptopHp = await created(owner, '/api/v1/models', { name: 'EliteBook 840', categoryId: laptops.id, manufacturerId: hp.id });
    monitor = await created(owner, '/api/v1/models', { name: 'Generic 27"', categoryId: monitors.id });
    hq = await created(owner, '/api/v1/locations', { name: 'HQ' });
    store = await created(owner, '/api/v1/locations', { name: 'Store room', parentId: hq.id });
    supplier = await created(owner, '/api/v1/suppliers', { name: 'ACME Supplies' });
    dept = await created(owner, '/api/v1/departments', { name: 'Finance' });
    const catB = await created<{ id: string }>(ownerB, '/api/v1/categories', { name: 'B laptops', assetClass: 'laptop' });
    modelB = await created(ownerB, '/api/v1/models', { name: 'B model', categoryId: catB.id });
    locationB = await created(ownerB, '/api/v1/locations', { name: 'B site' });
    supplierB = await created(ownerB, '/api/v1/suppliers', { name: 'B supplier' });
    deptB = await created(ownerB, '/api/v1/departments', { name: 'B dept' });
    assetB = await created(ownerB, '/api/v1/assets', { modelId: modelB.id });
  });
  afterAll(() => t.close());

  const db = () => t.database.db;
  const createAsset = (body: Record<string, unknown>, as: Session = owner) => created<Asset>(as, '/api/v1/assets', body);
  const get = async (id: string, as: Session = owner) => (await call(t, as, 'GET', `/api/v1/assets/${id}`)).json<Asset>();
  const assetRows = async () => Number((await db().selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const eventsOf = async (id: string): Promise<EventRow[]> =>
    (await db().selectFrom('events').select(['action', 'changes', 'meta']).where('entity_id', '=', id).orderBy('seq').execute())
      .map((e) => ({ action: e.action, changes: JSON.parse(e.changes) as EventRow['changes'], meta: JSON.parse(e.meta) as EventRow['meta'] }));

  /** Status, code and field paths of a refusal, and that no asset row and no event was written. */
  async function refused(send: () => Promise<{ statusCode: number; json: <T>() => T; body: string; headers: Record<string, unknown> }>, status: number, code: string, paths: string[] = []): Promise<Problem> {
    const [events, rows] = [await eventCount(t), await assetRows()];
    const res = await send();
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const p = res.json<Problem>();
    expect(p.code).toBe(code);
    expect(p.errors.map((e) => e.path).sort()).toEqual([...paths].sort());
    expect(await eventCount(t)).toBe(events);
    expect(await assetRows()).toBe(rows);
    return p;
  }

  describe('asset tags', () => {
    it('come from the category pattern, sequentially, skipping tags already taken; a given tag is kept', async () => {
      const a = await createAsset({ modelId: laptop.id });
      const b = await createAsset({ modelId: laptop.id });
      expect([a.assetTag, b.assetTag]).toEqual(['LAP-00001', 'LAP-00002']);
      const given = await createAsset({ modelId: laptop.id, assetTag: ' LAP-00003 ' });
      expect(given.assetTag).toBe('LAP-00003');
      const custom = await createAsset({ modelId: laptop.id, assetTag: 'HANDMADE-7' });
      expect(custom.assetTag).toBe('HANDMADE-7');
      expect((await createAsset({ modelId: laptop.id })).assetTag).toBe('LAP-00004');
    });

    it('fall back to the organization pattern when the category has none', async () => {
      expect((await createAsset({ modelId: monitor.id })).assetTag).toBe('AST-000001');
      const res = await call(t, owner, 'PATCH', '/api/v1/organization', { assetTagPattern: 'MON-{0000}' });
      expect(res.statusCode, res.body).toBe(200);
      expect((await createAsset({ modelId: monitor.id })).assetTag).toBe('MON-0001');
      expect((await createAsset({ modelId: monitor.id })).assetTag).toBe('MON-0002');
    });

    it('a duplicate tag is 409 naming the asset that holds it, and nothing is written', async () => {
      const a = await createAsset({ modelId: laptop.id, assetTag: uniq('DUP') });
      const p = await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, assetTag: a.assetTag }), 409, 'asset.duplicate_tag', ['/body/assetTag']);
      expect(p.conflict).toMatchObject({ id: a.id, assetTag: a.assetTag });
      const other = await createAsset({ modelId: laptop.id });
      const q = await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${other.id}`, { assetTag: a.assetTag }), 409, 'asset.duplicate_tag', ['/body/assetTag']);
      expect(q.conflict).toMatchObject({ id: a.id });
      // Another organization may use the same tag.
      expect((await createAsset({ modelId: modelB.id, assetTag: a.assetTag }, ownerB)).assetTag).toBe(a.assetTag);
    });

    it('parallel creates get distinct tags', async () => {
      const results = await Promise.all(Array.from({ length: 6 }, () => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptopHp.id })));
      for (const r of results) expect(r.statusCode, r.body).toBe(201);
      const tags = results.map((r) => r.json<Asset>().assetTag);
      expect(new Set(tags).size).toBe(6);
      for (const tag of tags) expect(tag).toMatch(/^LAP-\d{5}$/);
    });
  });

  describe('create', () => {
    it('stores everything, derives the location, EOL and warranty, and records asset.created', async () => {
      const parent = await createAsset({ modelId: monitor.id });
      const a = await createAsset({
        modelId: laptop.id, serial: ' SN-CREATE-1 ', name: 'Finance laptop', lifecycleState: 'ordered', defaultLocationId: store.id, supplierId: supplier.id,
        departmentId: dept.id, purchaseDate: '2021-01-31', purchaseCost: 1234.5, currency: 'eur', orderNumber: 'PO-1', invoiceNumber: 'INV-9',
        warrantyMonths: 13, notes: 'Keep the box', parentAssetId: parent.id,
        media: [{ mediaType: 'nvme', serial: 'NV-1', capacityBytes: 512_000_000_000, interface: 'PCIe 4' }],
      });
      expect(a).toMatchObject({
        serial: 'SN-CREATE-1', name: 'Finance laptop', lifecycleState: 'ordered', model: { id: laptop.id, name: 'Latitude 7440' },
        category: { id: laptops.id, name: 'Laptops' }, manufacturer: { id: dell.id, name: 'Dell' }, location: { id: store.id, name: 'Store room' },
        defaultLocation: { id: store.id, name: 'Store room' }, supplier: { id: supplier.id, name: 'ACME Supplies' }, department: { id: dept.id, name: 'Finance' },
        purchaseDate: '2021-01-31', purchaseCost: 1234.5, currency: 'EUR', orderNumber: 'PO-1', invoiceNumber: 'INV-9',
        warrantyEnd: '2022-02-28', eolDate: '2024-01-31', notes: 'Keep the box', parent: { id: parent.id, assetTag: parent.assetTag },
        childCount: 0, customFields: {}, attachmentCount: 0, currentAssignment: null, deletedAt: null, dataBearing: true,
      });
      expect(a.media).toHaveLength(1);
      expect(a.media[0]).toMatchObject({ mediaType: 'nvme', serial: 'NV-1', capacityBytes: 512_000_000_000, status: 'installed' });
      const row = await db().selectFrom('assets').select(['purchase_cost_minor']).where('id', '=', a.id).executeTakeFirstOrThrow();
      expect(Number(row.purchase_cost_minor)).toBe(123450);
      expect((await get(parent.id)).childCount).toBe(1);
      const evs = await eventsOf(a.id);
      expect(evs.map((e) => e.action)).toEqual(['asset.created', 'asset.media_added']);
      expect(evs[0]!.changes).toMatchObject({ assetTag: { before: null, after: a.assetTag }, lifecycleState: { before: null, after: 'ordered' }, purchaseCost: { before: null, after: 1234.5 } });
      expect(evs[1]!.changes).toMatchObject({ 'media.serial': { before: null, after: 'NV-1' } });
      // An explicit EOL is kept; no purchase date → no derived EOL; JPY has no minor unit.
      expect((await createAsset({ modelId: laptop.id, purchaseDate: '2021-01-01', eolDate: '2030-06-30' })).eolDate).toBe('2030-06-30');
      expect((await createAsset({ modelId: laptop.id })).eolDate).toBeNull();
      expect((await createAsset({ modelId: monitor.id, purchaseCost: 15000, currency: 'JPY' })).purchaseCost).toBe(15000);
      // The asset is readable by roles with asset.read only.
      expect((await call(t, auditor, 'GET', `/api/v1/assets/${a.id}`)).statusCode).toBe(200);
    });

    it('refuses bad values with 4xx and field paths, writing nothing', async () => {
      await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, purchaseCost: -1 }), 422, 'asset.invalid', ['/body/purchaseCost']);
      await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, purchaseCost: 1.234, currency: 'EUR' }), 422, 'asset.invalid', ['/body/purchaseCost']);
      await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, currency: 'XYZ' }), 422, 'asset.invalid', ['/body/currency']);
      await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, warrantyMonths: 12 }), 422, 'asset.invalid', ['/body/warrantyMonths']);
      await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, purchaseDate: '2024-01-01', warrantyMonths: 12, warrantyEnd: '2025-01-01' }), 422, 'asset.invalid', ['/body/warrantyMonths']);
      await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, purchaseDate: '2024-13-01' }), 400, 'validation_failed', ['/body/purchaseDate']);
      await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, lifecycleState: 'deployed' }), 400, 'validation_failed', ['/body/lifecycleState']);
      await refused(() => call(t, owner, 'POST', '/api/v1/assets', {}), 400, 'validation_failed', ['/body/modelId']);
      await refused(() => call(t, tech, 'POST', '/api/v1/assets', { modelId: 'nope' }), 400, 'validation_failed', ['/body/modelId']);
      await refused(() => call(t, auditor, 'POST', '/api/v1/assets', { modelId: laptop.id }), 403, 'auth.forbidden');
    });

    it('unknown and other organizations\' references are 404 with the field path, writing nothing', async () => {
      const cases: [string, Record<string, unknown>, string][] = [
        ['/body/modelId', { modelId: newId() }, 'model.not_found'],
        ['/body/modelId', { modelId: modelB.id }, 'model.not_found'],
        ['/body/locationId', { locationId: locationB.id }, 'location.not_found'],
        ['/body/defaultLocationId', { defaultLocationId: newId() }, 'location.not_found'],
        ['/body/supplierId', { supplierId: supplierB.id }, 'supplier.not_found'],
        ['/body/departmentId', { departmentId: deptB.id }, 'department.not_found'],
        ['/body/departmentId', { departmentId: newId() }, 'department.not_found'],
        ['/body/parentAssetId', { parentAssetId: assetB.id }, 'asset.not_found'],
      ];
      for (const [path, body, code] of cases) {
        await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, ...body }), 404, code, [path]);
      }
      const a = await createAsset({ modelId: laptop.id });
      for (const [path, body, code] of cases) {
        await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, body), 404, code, [path]);
      }
      // Another organization's asset itself is 404 for every verb.
      await refused(() => call(t, owner, 'GET', `/api/v1/assets/${assetB.id}`), 404, 'asset.not_found');
      await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${assetB.id}`, { name: 'x' }), 404, 'asset.not_found');
      await refused(() => call(t, owner, 'DELETE', `/api/v1/assets/${assetB.id}`), 404, 'asset.not_found');
      await refused(() => call(t, owner, 'POST', `/api/v1/assets/${assetB.id}/media`, { mediaType: 'ssd' }), 404, 'asset.not_found');
      expect((await get(assetB.id, ownerB)).name).toBeNull();
    });

    it('a serial is unique per manufacturer: 409 naming the asset; another manufacturer may repeat it', async () => {
      const a = await createAsset({ modelId: laptop.id, serial: 'SN-42' });
      const p = await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, serial: 'SN-42' }), 409, 'asset.duplicate_serial', ['/body/serial']);
      expect(p.conflict).toMatchObject({ id: a.id, assetTag: a.assetTag });
      const other = await createAsset({ modelId: laptopHp.id, serial: 'SN-42' });
      expect(other.serial).toBe('SN-42');
      // Moving the HP one to a Dell model (or renaming its serial) hits the same rule.
      await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${other.id}`, { modelId: laptop.id }), 409, 'asset.duplicate_serial', ['/body/serial']);
      // Without a manufacturer, serials are unique among the assets without one.
      await createAsset({ modelId: monitor.id, serial: 'MON-SN-1' });
      await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: monitor.id, serial: 'MON-SN-1' }), 409, 'asset.duplicate_serial', ['/body/serial']);
    });
  });

  describe('update', () => {
    it('records asset.updated with field-level before/after (custom fields as customFields.<key>); a no-op writes nothing', async () => {
      const f = await created<{ id: string }>(owner, `/api/v1/categories/${monitors.id}/fields`, { key: 'panel', label: 'Panel', type: 'select', options: ['IPS', 'VA'] });
      expect(f.id).toBeTruthy();
      const a = await createAsset({ modelId: monitor.id, name: 'Old', purchaseCost: 10, currency: 'EUR', customFields: { panel: 'VA' } });
      const res = await call(t, tech, 'PATCH', `/api/v1/assets/${a.id}`, { name: 'New', purchaseCost: 12.5, customFields: { panel: 'IPS' }, notes: 'moved desk' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<Asset>()).toMatchObject({ name: 'New', purchaseCost: 12.5, customFields: { panel: 'IPS' }, notes: 'moved desk', assetTag: a.assetTag });
      const upd = (await eventsOf(a.id)).filter((e) => e.action === 'asset.updated');
      expect(upd).toHaveLength(1);
      expect(upd[0]!.changes).toEqual({
        name: { before: 'Old', after: 'New' }, purchaseCost: { before: 10, after: 12.5 },
        'customFields.panel': { before: 'VA', after: 'IPS' }, notes: { before: null, after: 'moved desk' },
      });
      const before = await eventCount(t);
      const same = await call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { name: 'New', customFields: { panel: 'IPS' } });
      expect(same.statusCode).toBe(200);
      expect(await eventCount(t)).toBe(before);
    });

    it('null clears nullable fields (not 0 or "")', async () => {
      const a = await createAsset({ modelId: laptop.id, serial: uniq('SN-NULL'), name: 'x', locationId: hq.id, supplierId: supplier.id, purchaseDate: '2024-01-01', purchaseCost: 5, currency: 'EUR' });
      const res = await call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { serial: null, name: null, locationId: null, supplierId: null, purchaseCost: null, purchaseDate: null, eolDate: null });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<Asset>()).toMatchObject({ serial: null, name: null, location: null, supplier: null, purchaseCost: null, purchaseDate: null, eolDate: null, currency: 'EUR' });
      const row = await db().selectFrom('assets').select(['purchase_cost_minor', 'serial', 'location_id']).where('id', '=', a.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ purchase_cost_minor: null, serial: null, location_id: null });
    });

    it('refuses lifecycleState (lifecycle endpoint), blank tags and other bad values; nothing changes', async () => {
      const a = await createAsset({ modelId: laptop.id, name: 'Keep' });
      await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { lifecycleState: 'retired' }), 400, 'validation_failed', ['/body/lifecycleState']);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { assetTag: '  ', name: 'x' }), 422, 'asset.invalid', ['/body/assetTag']);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { purchaseCost: -5 }), 422, 'asset.invalid', ['/body/purchaseCost']);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { modelId: null }), 400, 'validation_failed', ['/body/modelId']);
      await refused(() => call(t, auditor, 'PATCH', `/api/v1/assets/${a.id}`, { name: 'x' }), 403, 'auth.forbidden');
      expect((await get(a.id)).name).toBe('Keep');
    });

    it('the current location follows a changed default location unless both are given (AS-12); EOL is re-derived', async () => {
      const a = await createAsset({ modelId: laptop.id, locationId: hq.id, purchaseDate: '2022-05-10' });
      expect(a.eolDate).toBe('2025-05-10');
      let r = (await call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { defaultLocationId: store.id })).json<Asset>();
      expect([r.location?.id, r.defaultLocation?.id]).toEqual([store.id, store.id]);
      r = (await call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { defaultLocationId: hq.id, locationId: store.id })).json<Asset>();
      expect([r.location?.id, r.defaultLocation?.id]).toEqual([store.id, hq.id]);
      r = (await call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { name: 'renamed' })).json<Asset>();
      expect(r.location?.id).toBe(store.id);
      r = (await call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { purchaseDate: '2023-01-15', warrantyMonths: 24 })).json<Asset>();
      expect([r.eolDate, r.warrantyEnd]).toEqual(['2026-01-15', '2025-01-15']);
      r = (await call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { eolDate: '2027-12-31' })).json<Asset>();
      r = (await call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { purchaseDate: '2023-02-01' })).json<Asset>();
      expect(r.eolDate).toBe('2027-12-31'); // explicit EOL is not overwritten
    });

    it('updateInTransaction (bulk edit) reports errors under its path prefix and writes the same event', async () => {
      const a = await createAsset({ modelId: laptop.id });
      const ctx: Ctx = {
        db: t.database.db, engine: t.engine, config: t.config, requestId: null,
        actor: { type: 'user', userId: owner.userId, label: owner.email, orgId: owner.orgId, role: 'owner', permissions: permissionsOf('owner') },
      };
      const run = (patch: assetsService.AssetPatch) => t.database.db.transaction().execute((trx) => assetsService.updateInTransaction(trx, ctx, a.id, patch, '/body/set'));
      const err = await run({ purchaseCost: -1, supplierId: supplier.id }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).errors.map((e) => e.path)).toEqual(['/body/set/purchaseCost']);
      const notFound = await run({ locationId: locationB.id }).catch((e: unknown) => e);
      expect((notFound as AppError).errors.map((e) => e.path)).toEqual(['/body/set/locationId']);
      const changes = await run({ supplierId: supplier.id, notes: 'bulk' });
      expect(changes).toEqual({ supplierId: { before: null, after: supplier.id }, notes: { before: null, after: 'bulk' } });
      expect((await eventsOf(a.id)).map((e) => e.action)).toEqual(['asset.created', 'asset.updated']);
    });
  });

  describe('parents and children', () => {
    it('lists children and refuses a parent that is the asset itself or a descendant', async () => {
      const top = await createAsset({ modelId: monitor.id });
      const mid = await createAsset({ modelId: monitor.id, parentAssetId: top.id });
      const leaf = await createAsset({ modelId: monitor.id, parentAssetId: mid.id });
      const kids = await call(t, owner, 'GET', `/api/v1/assets/${top.id}/children`);
      expect(kids.json<Asset[]>().map((k) => k.id)).toEqual([mid.id]);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${top.id}`, { parentAssetId: top.id }), 422, 'asset.invalid', ['/body/parentAssetId']);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${top.id}`, { parentAssetId: leaf.id }), 422, 'asset.invalid', ['/body/parentAssetId']);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${top.id}`, { parentAssetId: mid.id }), 422, 'asset.invalid', ['/body/parentAssetId']);
      const ok = await call(t, owner, 'PATCH', `/api/v1/assets/${leaf.id}`, { parentAssetId: top.id });
      expect(ok.json<Asset>().parent).toEqual({ id: top.id, assetTag: top.assetTag });
      expect((await get(top.id)).childCount).toBe(2);
      expect(await assetsService.isSelfOrDescendant(t.database.db, owner.orgId, top.id, leaf.id)).toBe(true);
      expect(await assetsService.isSelfOrDescendant(t.database.db, owner.orgId, leaf.id, top.id)).toBe(false);
    });
  });

  describe('delete and restore', () => {
    it('soft-deletes (AS-14): asset.delete required, gone from reads, tag and serial stay reserved', async () => {
      const a = await createAsset({ modelId: laptop.id, serial: 'SN-DEL-1' });
      await refused(() => call(t, tech, 'DELETE', `/api/v1/assets/${a.id}`), 403, 'auth.forbidden');
      const res = await call(t, owner, 'DELETE', `/api/v1/assets/${a.id}`);
      expect(res.statusCode, res.body).toBe(200);
      expect((await call(t, owner, 'GET', `/api/v1/assets/${a.id}`)).statusCode).toBe(404);
      expect((await call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { name: 'x' })).statusCode).toBe(404);
      const withDeleted = await call(t, owner, 'GET', `/api/v1/assets/${a.id}?includeDeleted=true`);
      expect(withDeleted.statusCode).toBe(200);
      expect(withDeleted.json<Asset>().deletedAt).toBeTruthy();
      expect((await call(t, tech, 'GET', `/api/v1/assets/${a.id}?includeDeleted=true`)).statusCode).toBe(403);
      const ev = (await eventsOf(a.id)).at(-1)!;
      expect(ev.action).toBe('asset.deleted');
      const tag = await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, assetTag: a.assetTag }), 409, 'asset.duplicate_tag', ['/body/assetTag']);
      expect(tag.conflict).toMatchObject({ id: a.id });
      await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, serial: 'SN-DEL-1' }), 409, 'asset.duplicate_serial', ['/body/serial']);
      await refused(() => call(t, owner, 'DELETE', `/api/v1/assets/${a.id}`), 404, 'asset.not_found');
      // A deleted asset cannot become a parent.
      await refused(() => call(t, owner, 'POST', '/api/v1/assets', { modelId: laptop.id, parentAssetId: a.id }), 404, 'asset.not_found', ['/body/parentAssetId']);
    });

    it('refuses while checked out (AS-15), while it holds assets, and while it has children', async () => {
      const a = await createAsset({ modelId: laptop.id });
      const now = nowIso();
      const assignmentId = newId();
      await db().insertInto('assignments').values({
        id: assignmentId, org_id: owner.orgId, asset_id: a.id, target_type: 'user', target_user_id: tech.userId, target_location_id: null, target_asset_id: null,
        checked_out_at: now, checked_out_by: owner.userId, expected_return_at: null, checkout_note: null, returned_at: null, returned_by: null, checkin_note: null, created_at: now,
      }).execute();
      const detail = await get(a.id);
      expect(detail.currentAssignment).toMatchObject({ id: assignmentId, targetType: 'user', target: { id: tech.userId, label: 'technician person' }, acceptance: null });
      const p = await refused(() => call(t, owner, 'DELETE', `/api/v1/assets/${a.id}`), 409, 'asset.checked_out');
      expect(p.holder).toMatchObject({ type: 'user', label: 'technician person' });
      await db().updateTable('assignments').set({ returned_at: nowIso() }).where('id', '=', assignmentId).execute();

      const dock = await createAsset({ modelId: monitor.id });
      await db().insertInto('assignments').values({
        id: newId(), org_id: owner.orgId, asset_id: dock.id, target_type: 'asset', target_user_id: null, target_location_id: null, target_asset_id: a.id,
        checked_out_at: now, checked_out_by: owner.userId, expected_return_at: null, checkout_note: null, returned_at: null, returned_by: null, checkin_note: null, created_at: now,
      }).execute();
      expect((await get(dock.id)).currentAssignment).toMatchObject({ targetType: 'asset', target: { id: a.id, label: a.assetTag } });
      await refused(() => call(t, owner, 'DELETE', `/api/v1/assets/${a.id}`), 409, 'asset.holds_assets');
      await db().updateTable('assignments').set({ returned_at: nowIso() }).where('asset_id', '=', dock.id).execute();

      const child = await createAsset({ modelId: monitor.id, parentAssetId: a.id });
      const c = await refused(() => call(t, owner, 'DELETE', `/api/v1/assets/${a.id}`), 409, 'asset.has_children');
      expect(c.childCount).toBe(1);
      expect((await call(t, owner, 'DELETE', `/api/v1/assets/${child.id}`)).statusCode).toBe(200);
      expect((await call(t, owner, 'DELETE', `/api/v1/assets/${a.id}`)).statusCode).toBe(200);
    });

    it('restores (AS-16): asset.delete required, restore event, a live asset or a child of a deleted parent is 409', async () => {
      const parent = await createAsset({ modelId: monitor.id });
      const child = await createAsset({ modelId: monitor.id, parentAssetId: parent.id });
      await refused(() => call(t, owner, 'POST', `/api/v1/assets/${child.id}/restore`), 409, 'asset.not_deleted');
      expect((await call(t, owner, 'DELETE', `/api/v1/assets/${child.id}`)).statusCode).toBe(200);
      expect((await call(t, owner, 'DELETE', `/api/v1/assets/${parent.id}`)).statusCode).toBe(200);
      await refused(() => call(t, tech, 'POST', `/api/v1/assets/${parent.id}/restore`), 403, 'auth.forbidden');
      await refused(() => call(t, owner, 'POST', `/api/v1/assets/${child.id}/restore`), 409, 'asset.parent_deleted');
      await refused(() => call(t, owner, 'POST', `/api/v1/assets/${newId()}/restore`), 404, 'asset.not_found');
      await refused(() => call(t, owner, 'POST', `/api/v1/assets/${assetB.id}/restore`), 404, 'asset.not_found');
      const res = await call(t, owner, 'POST', `/api/v1/assets/${parent.id}/restore`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<Asset>().deletedAt).toBeNull();
      expect((await call(t, owner, 'POST', `/api/v1/assets/${child.id}/restore`)).statusCode).toBe(200);
      expect((await get(parent.id)).childCount).toBe(1);
      expect((await eventsOf(parent.id)).map((e) => e.action)).toEqual(['asset.created', 'asset.deleted', 'asset.restored']);
    });
  });

  describe('media', () => {
    it('adds, lists, updates and removes media with events; locked once disposition is planned', async () => {
      const a = await createAsset({ modelId: laptop.id });
      const m = await created<Medium>(tech, `/api/v1/assets/${a.id}/media`, { mediaType: 'ssd', serial: 'SSD-1', capacityBytes: 256_000_000_000 });
      expect(m).toMatchObject({ mediaType: 'ssd', serial: 'SSD-1', status: 'installed' });
      expect((await call(t, owner, 'GET', `/api/v1/assets/${a.id}/media`)).json<Medium[]>().map((x) => x.id)).toEqual([m.id]);
      const upd = await call(t, tech, 'PATCH', `/api/v1/assets/${a.id}/media/${m.id}`, { status: 'removed', interface: 'SATA' });
      expect(upd.json<Medium>()).toMatchObject({ status: 'removed', interface: 'SATA' });
      await refused(() => call(t, tech, 'PATCH', `/api/v1/assets/${a.id}/media/${m.id}`, { status: 'sanitized' }), 400, 'validation_failed', ['/body/status']);
      await refused(() => call(t, tech, 'POST', `/api/v1/assets/${a.id}/media`, { mediaType: 'floppy' }), 400, 'validation_failed', ['/body/mediaType']);
      await refused(() => call(t, auditor, 'POST', `/api/v1/assets/${a.id}/media`, { mediaType: 'ssd' }), 403, 'auth.forbidden');
      // A medium id of another asset is 404.
      const other = await createAsset({ modelId: laptop.id });
      await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${other.id}/media/${m.id}`, { serial: 'x' }), 404, 'medium.not_found');
      const evs = (await eventsOf(a.id)).filter((e) => e.action.startsWith('asset.media'));
      expect(evs.map((e) => e.action)).toEqual(['asset.media_added', 'asset.media_updated']);
      expect(evs[1]!.changes).toEqual({ 'media.status': { before: 'installed', after: 'removed' }, 'media.interface': { before: null, after: 'SATA' } });
      expect(evs[1]!.meta).toMatchObject({ mediumId: m.id });
      expect((await call(t, tech, 'DELETE', `/api/v1/assets/${a.id}/media/${m.id}`)).statusCode).toBe(200);
      expect((await get(a.id)).media).toEqual([]);
      expect((await eventsOf(a.id)).at(-1)!.action).toBe('asset.media_removed');

      const m2 = await created<Medium>(owner, `/api/v1/assets/${a.id}/media`, { mediaType: 'hdd' });
      for (const [to, reason] of [['retired', 'old'], ['pending_disposition', null]] as const) {
        const r = await call(t, owner, 'POST', `/api/v1/assets/${a.id}/transition`, { to, reason });
        expect(r.statusCode, r.body).toBe(200);
      }
      await refused(() => call(t, owner, 'DELETE', `/api/v1/assets/${a.id}/media/${m2.id}`), 409, 'asset.media_locked');
      expect((await get(a.id)).media).toHaveLength(1);
    });
  });
});
