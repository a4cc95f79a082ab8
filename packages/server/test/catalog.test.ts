import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember, call, createTestApp, engines, eventCount, login, newOrganization, setupOwner, switchTo, type Session, type TestApp,
} from './harness.js';
import { newId, nowIso } from '../src/lib/ids.js';
import * as catalog from '../src/modules/catalog/catalog.service.js';

interface Problem { status: number; code: string; errors: { path: string; code?: string; message: string }[]; conflict?: { id: string; name: string }; usage?: Record<string, number> }
interface Category { id: string; name: string; assetClass: string; dataBearing: boolean; requiresAcceptance: boolean; acceptanceTerms: string | null; acceptanceTermsVersion: number | null; tagPattern: string | null; modelCount: number; assetCount: number; fieldCount: number }
interface Manufacturer { id: string; name: string; supportUrl: string | null; warrantyLookupUrl: string | null; modelCount: number; assetCount: number }
interface Supplier { id: string; name: string; email: string | null; phone: string | null; url: string | null; contactName: string | null; assetCount: number }
interface Model { id: string; name: string; modelNumber: string | null; categoryId: string; category: { id: string; name: string; assetClass: string }; manufacturerId: string | null; manufacturer: { id: string; name: string } | null; eolMonths: number | null; defaultCustomFields: Record<string, unknown>; assetCount: number }
interface Profile { userId: string; employeeNumber: string | null; title: string | null; phone: string | null; departmentId: string | null; department: { id: string; name: string } | null; locationId: string | null; location: { id: string; name: string; pathNames: string[] } | null; managerUserId: string | null; manager: { userId: string; displayName: string } | null; updatedAt: string | null }

describe.each(engines)('catalog (%s)', (engine) => {
  let t: TestApp;
  let owner: Session; // organization A
  let ownerB: Session; // same person, organization B
  let tech: Session;
  let employee: Session;
  let n = 0;
  const uniq = (p: string) => `${p} ${++n}`;

  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t, 'Org A');
    const orgB = await newOrganization(t, owner, 'Org B');
    ownerB = await switchTo(t, await login(t, owner.email), orgB);
    tech = await addMember(t, owner, 'technician');
    employee = await addMember(t, owner, 'employee');
  });
  afterAll(() => t.close());

  // ---------- helpers ----------

  const db = () => t.database.db;
  const post = async <T>(as: Session, url: string, body: unknown): Promise<T> => {
    const res = await call(t, as, 'POST', url, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<T>();
  };
  const category = (as: Session = owner, body: Record<string, unknown> = {}) =>
    post<Category>(as, '/api/v1/categories', { name: uniq('Category'), assetClass: 'laptop', ...body });
  const manufacturer = (as: Session = owner, body: Record<string, unknown> = {}) =>
    post<Manufacturer>(as, '/api/v1/manufacturers', { name: uniq('Maker'), ...body });
  const supplier = (as: Session = owner, body: Record<string, unknown> = {}) =>
    post<Supplier>(as, '/api/v1/suppliers', { name: uniq('Supplier'), ...body });
  const model = (as: Session, categoryId: string, body: Record<string, unknown> = {}) =>
    post<Model>(as, '/api/v1/models', { name: uniq('Model'), categoryId, ...body });

  /** The assets write API belongs to another module: insert rows directly. */
  async function insertAsset(orgId: string, m: { id: string; categoryId: string; manufacturerId: string | null }, extra: Record<string, unknown> = {}): Promise<string> {
    const id = newId();
    const now = nowIso();
    await db().insertInto('assets').values({
      id, org_id: orgId, asset_tag: `T-${id.slice(-12)}`, serial: null, name: null, model_id: m.id, category_id: m.categoryId,
      manufacturer_id: m.manufacturerId, lifecycle_state: 'in_stock', location_id: null, default_location_id: null, supplier_id: null,
      department_id: null, purchase_date: null, purchase_cost_minor: null, currency: null, order_number: null, invoice_number: null,
      warranty_end: null, eol_date: null, notes: null, parent_asset_id: null, custom_fields: '{}', created_at: now, updated_at: now, ...extra,
    }).execute();
    return id;
  }

  const eventsFor = (entityId: string) =>
    db().selectFrom('events').select(['action', 'changes', 'meta']).where('entity_id', '=', entityId).orderBy('seq').execute();
  const rowCount = async (table: 'categories' | 'manufacturers' | 'suppliers' | 'models' | 'member_profiles') =>
    Number((await db().selectFrom(table).select((eb) => eb.fn.countAll().as('c')).executeTakeFirstOrThrow()).c);

  /** Asserts a refusal: status, code, field path — and that no row and no event was written. */
  async function refused(req: () => Promise<{ statusCode: number; json<T>(): T; headers: Record<string, unknown> }>, status: number, code: string, path: string | null, table?: Parameters<typeof rowCount>[0]): Promise<Problem> {
    const events = await eventCount(t);
    const rows = table ? await rowCount(table) : 0;
    const res = await req();
    expect(res.statusCode).toBe(status);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    const p = res.json<Problem>();
    expect(p.code).toBe(code);
    if (path) expect(p.errors.map((e) => e.path)).toContain(path);
    expect(await eventCount(t)).toBe(events);
    if (table) expect(await rowCount(table)).toBe(rows);
    return p;
  }

  // ---------- categories ----------

  describe('categories', () => {
    it('creates a category with class defaults and records the event', async () => {
      const c = await category(owner, { name: 'Laptops', assetClass: 'laptop', requiresAcceptance: true, acceptanceTerms: ' I will look after it. ', tagPattern: 'LAP-{00000}' });
      expect(c).toMatchObject({ name: 'Laptops', assetClass: 'laptop', dataBearing: true, requiresAcceptance: true, acceptanceTerms: 'I will look after it.', acceptanceTermsVersion: 1, tagPattern: 'LAP-{00000}', modelCount: 0, assetCount: 0, fieldCount: 0 });
      const monitors = await category(owner, { name: 'Monitors', assetClass: 'monitor' });
      expect(monitors).toMatchObject({ dataBearing: false, requiresAcceptance: false, acceptanceTerms: null, acceptanceTermsVersion: null, tagPattern: null });
      const overridden = await category(owner, { assetClass: 'monitor', dataBearing: true });
      expect(overridden.dataBearing).toBe(true);
      const ev = await eventsFor(c.id);
      expect(ev.map((e) => e.action)).toEqual(['category.created']);
      expect(JSON.parse(ev[0]!.changes)).toMatchObject({ name: { before: null, after: 'Laptops' }, assetClass: { before: null, after: 'laptop' } });
      expect((await call(t, owner, 'GET', `/api/v1/categories/${c.id}`)).json<Category>().name).toBe('Laptops');
    });

    it('lists by name with a case-insensitive filter', async () => {
      await category(owner, { name: 'zeta Phones', assetClass: 'phone_tablet' });
      await category(owner, { name: 'Alpha Docks', assetClass: 'dock' });
      const all = (await call(t, owner, 'GET', '/api/v1/categories')).json<Category[]>().map((c) => c.name);
      expect(all).toEqual([...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(all).toContain('Alpha Docks');
      const filtered = (await call(t, owner, 'GET', '/api/v1/categories?q=PHONES')).json<Category[]>().map((c) => c.name);
      expect(filtered).toEqual(['zeta Phones']);
      expect((await call(t, owner, 'GET', '/api/v1/categories?q=50%25_off')).json<Category[]>()).toEqual([]);
    });

    it('refuses bad input with field paths and writes nothing', async () => {
      await refused(() => call(t, owner, 'POST', '/api/v1/categories', { name: '   ', assetClass: 'laptop' }), 422, 'category.invalid', '/body/name', 'categories');
      await refused(() => call(t, owner, 'POST', '/api/v1/categories', { name: 'X' }), 400, 'validation_failed', '/body/assetClass', 'categories');
      await refused(() => call(t, owner, 'POST', '/api/v1/categories', { name: 'X', assetClass: 'spaceship' }), 400, 'validation_failed', '/body/assetClass', 'categories');
      await refused(() => call(t, owner, 'POST', '/api/v1/categories', { name: 'X', assetClass: 'laptop', tagPattern: 'LAP-###' }), 422, 'category.invalid', '/body/tagPattern', 'categories');
      await refused(() => call(t, owner, 'POST', '/api/v1/categories', { name: 'X', assetClass: 'laptop', colour: 'red' }), 400, 'validation_failed', '/body/colour', 'categories');
    });

    it('refuses a duplicate name, ignoring case, naming the existing category', async () => {
      const c = await category(owner, { name: 'Servers', assetClass: 'server' });
      const p = await refused(() => call(t, owner, 'POST', '/api/v1/categories', { name: 'SERVERS', assetClass: 'server' }), 409, 'category.duplicate_name', '/body/name', 'categories');
      expect(p.conflict).toEqual({ id: c.id, name: 'Servers' });
      const other = await category(owner);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/categories/${other.id}`, { name: 'servers' }), 409, 'category.duplicate_name', '/body/name');
      // The same name in another organization is fine.
      expect((await call(t, ownerB, 'POST', '/api/v1/categories', { name: 'Servers', assetClass: 'server' })).statusCode).toBe(201);
    });

    it('REF-01: the asset class cannot change once set; the whole patch is refused', async () => {
      const c = await category(owner, { assetClass: 'laptop' });
      const p = await refused(() => call(t, owner, 'PATCH', `/api/v1/categories/${c.id}`, { assetClass: 'server', name: 'Renamed' }), 422, 'category.asset_class_immutable', '/body/assetClass');
      expect(p.errors[0]?.code).toBe('immutable');
      const after = (await call(t, owner, 'GET', `/api/v1/categories/${c.id}`)).json<Category>();
      expect(after).toMatchObject({ name: c.name, assetClass: 'laptop' });
      // Sending the same class is not a change; other fields can be patched.
      const ok = await call(t, owner, 'PATCH', `/api/v1/categories/${c.id}`, { assetClass: 'laptop', name: `${c.name} v2`, dataBearing: false });
      expect(ok.statusCode).toBe(200);
      expect(ok.json<Category>()).toMatchObject({ name: `${c.name} v2`, assetClass: 'laptop', dataBearing: false });
    });

    it('changing the acceptance terms bumps their version; the same text does not', async () => {
      const c = await category(owner, { acceptanceTerms: 'Terms v1' });
      expect(c.acceptanceTermsVersion).toBe(1);
      const same = await call(t, owner, 'PATCH', `/api/v1/categories/${c.id}`, { acceptanceTerms: 'Terms v1' });
      expect(same.json<Category>().acceptanceTermsVersion).toBe(1);
      expect((await eventsFor(c.id)).length).toBe(1);
      const changed = (await call(t, owner, 'PATCH', `/api/v1/categories/${c.id}`, { acceptanceTerms: 'Terms v2' })).json<Category>();
      expect(changed).toMatchObject({ acceptanceTerms: 'Terms v2', acceptanceTermsVersion: 2 });
      const ev = await eventsFor(c.id);
      expect(ev.map((e) => e.action)).toEqual(['category.created', 'category.updated']);
      expect(JSON.parse(ev[1]!.changes)).toEqual({ acceptanceTerms: { before: 'Terms v1', after: 'Terms v2' }, acceptanceTermsVersion: { before: 1, after: 2 } });
      // A category without terms gets version 1 with its first text.
      const none = await category(owner);
      expect((await call(t, owner, 'PATCH', `/api/v1/categories/${none.id}`, { acceptanceTerms: 'First' })).json<Category>().acceptanceTermsVersion).toBe(1);
    });

    it('REF-02: delete is refused while models, assets or custom fields use it; an unused one is deleted', async () => {
      const c = await category(owner);
      const m = await model(owner, c.id);
      let p = await refused(() => call(t, owner, 'DELETE', `/api/v1/categories/${c.id}`), 409, 'category.in_use', null, 'categories');
      expect(p.usage).toMatchObject({ models: 1, assets: 0 });
      await insertAsset(owner.orgId, m);
      await insertAsset(owner.orgId, m, { deleted_at: nowIso() });
      p = await refused(() => call(t, owner, 'DELETE', `/api/v1/categories/${c.id}`), 409, 'category.in_use', null, 'categories');
      expect(p.usage).toMatchObject({ models: 1, assets: 1, deletedAssets: 1 });
      const listed = (await call(t, owner, 'GET', `/api/v1/categories/${c.id}`)).json<Category>();
      expect(listed).toMatchObject({ modelCount: 1, assetCount: 1, fieldCount: 0 });

      const withField = await category(owner);
      const now = nowIso();
      await db().insertInto('custom_fields').values({
        id: newId(), org_id: owner.orgId, category_id: withField.id, key: 'ram', label: 'RAM', type: 'number', options: '[]', regex: null,
        required: 0, unique_values: 0, help_text: null, position: 0, created_at: now, updated_at: now,
      }).execute();
      expect((await call(t, owner, 'GET', `/api/v1/categories/${withField.id}`)).json<Category>().fieldCount).toBe(1);
      p = await refused(() => call(t, owner, 'DELETE', `/api/v1/categories/${withField.id}`), 409, 'category.in_use', null, 'categories');
      expect(p.usage).toMatchObject({ fields: 1 });

      const unused = await category(owner);
      expect((await call(t, owner, 'DELETE', `/api/v1/categories/${unused.id}`)).statusCode).toBe(200);
      expect((await call(t, owner, 'GET', `/api/v1/categories/${unused.id}`)).statusCode).toBe(404);
      expect((await eventsFor(unused.id)).map((e) => e.action)).toEqual(['category.created', 'category.deleted']);
    });
  });

  // ---------- manufacturers ----------

  describe('manufacturers', () => {
    it('creates, edits and lists manufacturers with http(s) URLs', async () => {
      const m = await manufacturer(owner, { name: 'Dell', supportUrl: 'https://www.dell.com/support', warrantyLookupUrl: '' });
      expect(m).toMatchObject({ name: 'Dell', supportUrl: 'https://www.dell.com/support', warrantyLookupUrl: null, modelCount: 0, assetCount: 0 });
      const upd = await call(t, owner, 'PATCH', `/api/v1/manufacturers/${m.id}`, { warrantyLookupUrl: 'http://warranty.example/lookup?s={serial}' });
      expect(upd.statusCode).toBe(200);
      expect(upd.json<Manufacturer>().warrantyLookupUrl).toBe('http://warranty.example/lookup?s={serial}');
      expect((await eventsFor(m.id)).map((e) => e.action)).toEqual(['manufacturer.created', 'manufacturer.updated']);
      const list = (await call(t, owner, 'GET', '/api/v1/manufacturers?q=del')).json<Manufacturer[]>();
      expect(list.map((x) => x.name)).toEqual(['Dell']);
    });

    it('refuses URLs that are not http(s), and duplicate names', async () => {
      await refused(() => call(t, owner, 'POST', '/api/v1/manufacturers', { name: 'Evil', supportUrl: 'javascript:alert(1)' }), 422, 'manufacturer.invalid', '/body/supportUrl', 'manufacturers');
      const p = await refused(() => call(t, owner, 'POST', '/api/v1/manufacturers', { name: 'Evil', supportUrl: 'ftp://x.example', warrantyLookupUrl: 'not a url' }), 422, 'manufacturer.invalid', '/body/warrantyLookupUrl', 'manufacturers');
      expect(p.errors.map((e) => e.path)).toEqual(['/body/supportUrl', '/body/warrantyLookupUrl']);
      const m = await manufacturer(owner, { name: 'Lenovo' });
      await refused(() => call(t, owner, 'POST', '/api/v1/manufacturers', { name: 'lenovo' }), 409, 'manufacturer.duplicate_name', '/body/name', 'manufacturers');
      await refused(() => call(t, owner, 'PATCH', `/api/v1/manufacturers/${m.id}`, { supportUrl: 'data:text/html,hi' }), 422, 'manufacturer.invalid', '/body/supportUrl');
    });

    it('REF-04: delete is refused while models use it; an unused one is deleted', async () => {
      const c = await category(owner);
      const mf = await manufacturer(owner);
      const m = await model(owner, c.id, { manufacturerId: mf.id });
      await insertAsset(owner.orgId, m);
      const p = await refused(() => call(t, owner, 'DELETE', `/api/v1/manufacturers/${mf.id}`), 409, 'manufacturer.in_use', null, 'manufacturers');
      expect(p.usage).toMatchObject({ models: 1, assets: 1 });
      expect((await call(t, owner, 'GET', `/api/v1/manufacturers/${mf.id}`)).json<Manufacturer>()).toMatchObject({ modelCount: 1, assetCount: 1 });
      const unused = await manufacturer(owner);
      expect((await call(t, owner, 'DELETE', `/api/v1/manufacturers/${unused.id}`)).statusCode).toBe(200);
      expect((await eventsFor(unused.id)).map((e) => e.action)).toEqual(['manufacturer.created', 'manufacturer.deleted']);
    });
  });

  // ---------- suppliers ----------

  describe('suppliers', () => {
    it('creates and edits a supplier', async () => {
      const s = await supplier(owner, { name: 'CDW', contactName: 'Sam', email: 'sales@cdw.example', phone: '+1 (555) 010-2000 ext. 12', url: 'https://cdw.example', notes: 'Net 30' });
      expect(s).toMatchObject({ name: 'CDW', contactName: 'Sam', email: 'sales@cdw.example', phone: '+1 (555) 010-2000 ext. 12', assetCount: 0 });
      const upd = await call(t, owner, 'PATCH', `/api/v1/suppliers/${s.id}`, { email: null, contactName: '  ' });
      expect(upd.json<Supplier>()).toMatchObject({ email: null, contactName: null });
      const ev = await eventsFor(s.id);
      expect(JSON.parse(ev[1]!.changes)).toEqual({ contactName: { before: 'Sam', after: null }, email: { before: 'sales@cdw.example', after: null } });
      // A patch that changes nothing writes no event.
      expect((await call(t, owner, 'PATCH', `/api/v1/suppliers/${s.id}`, { name: 'CDW' })).statusCode).toBe(200);
      expect((await eventsFor(s.id)).length).toBe(2);
    });

    it('validates email, phone and URL, reporting every bad field at once', async () => {
      const p = await refused(() => call(t, owner, 'POST', '/api/v1/suppliers', { name: 'Bad', email: 'not-an-email', phone: 'call me', url: 'javascript:void(0)' }), 422, 'supplier.invalid', '/body/email', 'suppliers');
      expect(p.errors.map((e) => e.path).sort()).toEqual(['/body/email', '/body/phone', '/body/url']);
      const s = await supplier(owner);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/suppliers/${s.id}`, { email: 'a@b' }), 422, 'supplier.invalid', '/body/email');
    });

    it('REF-04: delete is refused while assets (even deleted ones) reference it', async () => {
      const c = await category(owner);
      const m = await model(owner, c.id);
      const s = await supplier(owner);
      await insertAsset(owner.orgId, m, { supplier_id: s.id, deleted_at: nowIso() });
      const p = await refused(() => call(t, owner, 'DELETE', `/api/v1/suppliers/${s.id}`), 409, 'supplier.in_use', null, 'suppliers');
      expect(p.usage).toMatchObject({ assets: 0, deletedAssets: 1 });
      const s2 = await supplier(owner);
      await insertAsset(owner.orgId, m, { supplier_id: s2.id });
      expect((await call(t, owner, 'GET', `/api/v1/suppliers/${s2.id}`)).json<Supplier>().assetCount).toBe(1);
      await refused(() => call(t, owner, 'DELETE', `/api/v1/suppliers/${s2.id}`), 409, 'supplier.in_use', null, 'suppliers');
      const unused = await supplier(owner);
      expect((await call(t, owner, 'DELETE', `/api/v1/suppliers/${unused.id}`)).statusCode).toBe(200);
      expect((await call(t, owner, 'GET', `/api/v1/suppliers/${unused.id}`)).statusCode).toBe(404);
    });
  });

  // ---------- models ----------

  describe('models', () => {
    it('creates models and lists them by name with category, manufacturer and text filters', async () => {
      const c = await category(owner, { name: 'Model test laptops' });
      const c2 = await category(owner, { assetClass: 'monitor' });
      const hp = await manufacturer(owner, { name: 'HP model test' });
      const m1 = await model(owner, c.id, { name: 'ZBook 15', modelNumber: 'G10-XYZ', manufacturerId: hp.id, eolMonths: 48, defaultCustomFields: { ram_gb: 32 } });
      expect(m1).toMatchObject({ name: 'ZBook 15', modelNumber: 'G10-XYZ', categoryId: c.id, category: { id: c.id, name: c.name, assetClass: 'laptop' }, manufacturerId: hp.id, manufacturer: { id: hp.id, name: hp.name }, eolMonths: 48, defaultCustomFields: { ram_gb: 32 }, assetCount: 0 });
      const m2 = await model(owner, c.id, { name: 'EliteBook 840' });
      const m3 = await model(owner, c2.id, { name: 'E24 Monitor', manufacturerId: hp.id });
      const byCat = (await call(t, owner, 'GET', `/api/v1/models?categoryId=${c.id}`)).json<Model[]>();
      expect(byCat.map((m) => m.id)).toEqual([m2.id, m1.id]);
      const byMaker = (await call(t, owner, 'GET', `/api/v1/models?manufacturerId=${hp.id}`)).json<Model[]>();
      expect(byMaker.map((m) => m.id)).toEqual([m3.id, m1.id]);
      expect((await call(t, owner, 'GET', '/api/v1/models?q=xyz')).json<Model[]>().map((m) => m.id)).toEqual([m1.id]);
      expect((await call(t, owner, 'GET', '/api/v1/models?q=ZBOOK')).json<Model[]>().map((m) => m.id)).toEqual([m1.id]);
      expect((await eventsFor(m1.id)).map((e) => e.action)).toEqual(['model.created']);
      // null clears a number (it is not coerced to 0), and 0 stays 0.
      expect((await call(t, owner, 'PATCH', `/api/v1/models/${m1.id}`, { eolMonths: null })).json<Model>().eolMonths).toBeNull();
      expect((await call(t, owner, 'PATCH', `/api/v1/models/${m1.id}`, { eolMonths: 0 })).json<Model>().eolMonths).toBe(0);
      expect((await call(t, owner, 'GET', `/api/v1/categories/${c.id}`)).json<Category>().modelCount).toBe(2);
    });

    it('refuses a missing, unknown or other organization\'s category or manufacturer', async () => {
      const c = await category(owner);
      const cB = await category(ownerB);
      const mfB = await manufacturer(ownerB);
      await refused(() => call(t, owner, 'POST', '/api/v1/models', { name: 'X' }), 400, 'validation_failed', '/body/categoryId', 'models');
      await refused(() => call(t, owner, 'POST', '/api/v1/models', { name: 'X', categoryId: newId() }), 404, 'category.not_found', '/body/categoryId', 'models');
      await refused(() => call(t, owner, 'POST', '/api/v1/models', { name: 'X', categoryId: cB.id }), 404, 'category.not_found', '/body/categoryId', 'models');
      await refused(() => call(t, owner, 'POST', '/api/v1/models', { name: 'X', categoryId: c.id, manufacturerId: mfB.id }), 404, 'manufacturer.not_found', '/body/manufacturerId', 'models');
      await refused(() => call(t, owner, 'POST', '/api/v1/models', { name: 'X', categoryId: c.id, eolMonths: -1 }), 400, 'validation_failed', '/body/eolMonths', 'models');
      await refused(() => call(t, owner, 'POST', '/api/v1/models', { name: 'X', categoryId: c.id, defaultCustomFields: { 'Bad Key': 1 } }), 422, 'model.invalid', '/body/defaultCustomFields/Bad Key', 'models');
      const m = await model(owner, c.id);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/models/${m.id}`, { categoryId: cB.id }), 404, 'category.not_found', '/body/categoryId');
      await refused(() => call(t, owner, 'PATCH', `/api/v1/models/${m.id}`, { manufacturerId: mfB.id }), 404, 'manufacturer.not_found', '/body/manufacturerId');
      expect((await call(t, owner, 'GET', `/api/v1/models/${m.id}`)).json<Model>().categoryId).toBe(c.id);
    });

    it('REF-03: the name is unique per manufacturer (also without one)', async () => {
      const c = await category(owner);
      const a = await manufacturer(owner);
      const b = await manufacturer(owner);
      const first = await model(owner, c.id, { name: 'OptiPlex 7010', manufacturerId: a.id });
      const p = await refused(() => call(t, owner, 'POST', '/api/v1/models', { name: 'optiplex 7010', categoryId: c.id, manufacturerId: a.id, modelNumber: 'other' }), 409, 'model.duplicate_name', '/body/name', 'models');
      expect(p.conflict?.id).toBe(first.id);
      await model(owner, c.id, { name: 'OptiPlex 7010', manufacturerId: b.id });
      await model(owner, c.id, { name: 'USB-C cable' });
      await refused(() => call(t, owner, 'POST', '/api/v1/models', { name: 'USB-C Cable', categoryId: c.id }), 409, 'model.duplicate_name', '/body/name', 'models');
      // Moving the first to manufacturer b would collide with b's model of that name.
      await refused(() => call(t, owner, 'PATCH', `/api/v1/models/${first.id}`, { manufacturerId: b.id }), 409, 'model.duplicate_name', '/body/name');
    });

    it('a new category or manufacturer follows to the model\'s assets', async () => {
      const c1 = await category(owner);
      const c2 = await category(owner);
      const mf = await manufacturer(owner);
      const mf2 = await manufacturer(owner);
      const m = await model(owner, c1.id);
      const a1 = await insertAsset(owner.orgId, m);
      const a2 = await insertAsset(owner.orgId, m, { deleted_at: nowIso() });
      const res = await call(t, owner, 'PATCH', `/api/v1/models/${m.id}`, { categoryId: c2.id, manufacturerId: mf.id });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<Model>()).toMatchObject({ categoryId: c2.id, manufacturerId: mf.id, assetCount: 1 });
      const rows = await db().selectFrom('assets').select(['id', 'category_id', 'manufacturer_id']).where('id', 'in', [a1, a2]).execute();
      expect(rows.map((r) => [r.category_id, r.manufacturer_id])).toEqual([[c2.id, mf.id], [c2.id, mf.id]]);
      const ev = (await eventsFor(m.id)).at(-1)!;
      expect(ev.action).toBe('model.updated');
      expect(JSON.parse(ev.changes)).toMatchObject({ categoryId: { before: c1.id, after: c2.id }, manufacturerId: { before: null, after: mf.id } });
      expect(JSON.parse(ev.meta)).toMatchObject({ assetsAffected: 2 });
      // From one manufacturer to another, and to none.
      await call(t, owner, 'PATCH', `/api/v1/models/${m.id}`, { manufacturerId: mf2.id });
      expect((await db().selectFrom('assets').select('manufacturer_id').where('id', '=', a1).executeTakeFirstOrThrow()).manufacturer_id).toBe(mf2.id);
      await call(t, owner, 'PATCH', `/api/v1/models/${m.id}`, { manufacturerId: null });
      expect((await db().selectFrom('assets').select('manufacturer_id').where('id', '=', a1).executeTakeFirstOrThrow()).manufacturer_id).toBeNull();
      expect((await call(t, owner, 'GET', `/api/v1/categories/${c2.id}`)).json<Category>().assetCount).toBe(1);
    });

    it('refuses a manufacturer change that would give two assets the same serial', async () => {
      const c = await category(owner);
      const a = await manufacturer(owner);
      const b = await manufacturer(owner);
      const ma = await model(owner, c.id, { manufacturerId: a.id });
      const mb = await model(owner, c.id, { manufacturerId: b.id });
      await insertAsset(owner.orgId, ma, { serial: 'SN-1' });
      await insertAsset(owner.orgId, mb, { serial: 'SN-1' });
      await refused(() => call(t, owner, 'PATCH', `/api/v1/models/${ma.id}`, { manufacturerId: b.id }), 409, 'model.serial_conflict', '/body/manufacturerId');
      expect((await call(t, owner, 'GET', `/api/v1/models/${ma.id}`)).json<Model>().manufacturerId).toBe(a.id);
    });

    it('REF-02: delete is refused while assets use it; an unused one is deleted', async () => {
      const c = await category(owner);
      const m = await model(owner, c.id);
      await insertAsset(owner.orgId, m);
      const p = await refused(() => call(t, owner, 'DELETE', `/api/v1/models/${m.id}`), 409, 'model.in_use', null, 'models');
      expect(p.usage).toMatchObject({ assets: 1 });
      const unused = await model(owner, c.id);
      expect((await call(t, owner, 'DELETE', `/api/v1/models/${unused.id}`)).statusCode).toBe(200);
      expect((await eventsFor(unused.id)).map((e) => e.action)).toEqual(['model.created', 'model.deleted']);
    });
  });

  // ---------- tenancy and permissions ----------

  it('another organization\'s catalog rows are 404 for reads, edits and deletes, and change nothing', async () => {
    const cB = await category(ownerB);
    const mfB = await manufacturer(ownerB);
    const sB = await supplier(ownerB);
    const mB = await model(ownerB, cB.id);
    const cases = [['category', `/api/v1/categories/${cB.id}`], ['manufacturer', `/api/v1/manufacturers/${mfB.id}`], ['supplier', `/api/v1/suppliers/${sB.id}`], ['model', `/api/v1/models/${mB.id}`]] as const;
    for (const [entity, url] of cases) {
      await refused(() => call(t, owner, 'GET', url), 404, `${entity}.not_found`, null);
      await refused(() => call(t, owner, 'PATCH', url, { name: 'Hijacked' }), 404, `${entity}.not_found`, null);
      await refused(() => call(t, owner, 'DELETE', url), 404, `${entity}.not_found`, null);
      expect((await call(t, ownerB, 'GET', url)).json<{ name: string }>().name).not.toBe('Hijacked');
    }
    expect((await call(t, owner, 'GET', '/api/v1/models')).json<Model[]>().map((m) => m.id)).not.toContain(mB.id);
    expect((await call(t, owner, 'GET', '/api/v1/categories')).json<Category[]>().map((c) => c.id)).not.toContain(cB.id);
  });

  it('reads need catalog.read and writes catalog.manage', async () => {
    expect((await call(t, tech, 'GET', '/api/v1/categories')).statusCode).toBe(200);
    expect((await call(t, tech, 'GET', '/api/v1/models')).statusCode).toBe(200);
    await refused(() => call(t, tech, 'POST', '/api/v1/categories', { name: 'Nope', assetClass: 'laptop' }), 403, 'auth.forbidden', null, 'categories');
    await refused(() => call(t, tech, 'POST', '/api/v1/suppliers', { name: 'Nope' }), 403, 'auth.forbidden', null, 'suppliers');
    expect((await call(t, employee, 'GET', '/api/v1/manufacturers')).statusCode).toBe(403);
    expect((await call(t, null, 'GET', '/api/v1/categories')).statusCode).toBe(401);
  });

  it('service lookups for other modules: requireModel, requireSupplier, memberLocation', async () => {
    const c = await category(owner, { assetClass: 'server', requiresAcceptance: true, acceptanceTerms: 'Sign here', tagPattern: 'SRV-{0000}' });
    const mf = await manufacturer(owner);
    const m = await model(owner, c.id, { manufacturerId: mf.id, eolMonths: 60, defaultCustomFields: { rack_units: 2 } });
    const info = await catalog.requireModel(db(), owner.orgId, m.id, '/body/modelId');
    expect(info).toEqual({
      id: m.id, name: m.name, categoryId: c.id, manufacturerId: mf.id, eolMonths: 60, defaultCustomFields: { rack_units: 2 },
      category: { id: c.id, name: c.name, assetClass: 'server', dataBearing: true, requiresAcceptance: true, acceptanceTerms: 'Sign here', acceptanceTermsVersion: 1, tagPattern: 'SRV-{0000}' },
    });
    await expect(catalog.requireModel(db(), ownerB.orgId, m.id, '/body/modelId')).rejects.toMatchObject({ status: 404, code: 'model.not_found', errors: [{ path: '/body/modelId' }] });
    const s = await supplier(owner);
    expect((await catalog.requireSupplier(db(), owner.orgId, s.id, '/body/supplierId')).name).toBe(s.name);
    await expect(catalog.requireSupplier(db(), ownerB.orgId, s.id, '/body/supplierId')).rejects.toMatchObject({ status: 404, code: 'supplier.not_found', errors: [{ path: '/body/supplierId' }] });
    expect(await catalog.memberLocation(db(), owner.orgId, tech.userId)).toBeNull();
  });

  // ---------- member profiles ----------

  describe('member profiles', () => {
    async function location(as: Session, name: string, parentId?: string): Promise<{ id: string }> {
      return post<{ id: string }>(as, '/api/v1/locations', { name, ...(parentId ? { parentId } : {}) });
    }
    async function department(as: Session, name: string): Promise<{ id: string }> {
      return post<{ id: string }>(as, '/api/v1/departments', { name });
    }

    it('reads an empty profile, then saves it with an event', async () => {
      const m = await addMember(t, owner, 'employee');
      const empty = await call(t, owner, 'GET', `/api/v1/members/${m.userId}/profile`);
      expect(empty.statusCode).toBe(200);
      expect(empty.json<Profile>()).toMatchObject({ userId: m.userId, employeeNumber: null, locationId: null, updatedAt: null });
      const hq = await location(owner, uniq('HQ'));
      const floor = await location(owner, 'Floor 2', hq.id);
      const dept = await department(owner, uniq('Finance'));
      const res = await call(t, owner, 'PATCH', `/api/v1/members/${m.userId}/profile`, {
        employeeNumber: ' E-100 ', title: 'Analyst', phone: '+44 20 7946 0000', departmentId: dept.id, locationId: floor.id, managerUserId: tech.userId,
      });
      expect(res.statusCode, res.body).toBe(200);
      const p = res.json<Profile>();
      expect(p).toMatchObject({
        employeeNumber: 'E-100', title: 'Analyst', departmentId: dept.id, department: { id: dept.id }, locationId: floor.id,
        managerUserId: tech.userId, manager: { userId: tech.userId, displayName: 'technician person' },
      });
      expect(p.location?.pathNames).toEqual([expect.stringContaining('HQ'), 'Floor 2']);
      expect(p.updatedAt).not.toBeNull();
      const ev = await eventsFor(m.userId);
      expect(ev.at(-1)?.action).toBe('member.profile_updated');
      expect(JSON.parse(ev.at(-1)!.changes)).toMatchObject({ employeeNumber: { before: null, after: 'E-100' }, locationId: { before: null, after: floor.id } });
      expect(await catalog.memberLocation(db(), owner.orgId, m.userId)).toBe(floor.id);
      // Partial patch keeps the rest; clearing works.
      const upd = (await call(t, owner, 'PATCH', `/api/v1/members/${m.userId}/profile`, { title: null })).json<Profile>();
      expect(upd).toMatchObject({ title: null, employeeNumber: 'E-100', locationId: floor.id });
    });

    it('refuses being one\'s own manager, circular reporting lines, duplicate employee numbers and bad phones', async () => {
      const a = await addMember(t, owner, 'employee');
      const b = await addMember(t, owner, 'employee');
      const pA = await refused(() => call(t, owner, 'PATCH', `/api/v1/members/${a.userId}/profile`, { managerUserId: a.userId, title: 'x' }), 422, 'member.self_manager', '/body/managerUserId', 'member_profiles');
      expect(pA.errors[0]?.message).toMatch(/own manager/);
      expect((await call(t, owner, 'PATCH', `/api/v1/members/${b.userId}/profile`, { managerUserId: a.userId, employeeNumber: 'E-777' })).statusCode).toBe(200);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/members/${a.userId}/profile`, { managerUserId: b.userId }), 422, 'member.manager_cycle', '/body/managerUserId', 'member_profiles');
      const dup = await refused(() => call(t, owner, 'PATCH', `/api/v1/members/${a.userId}/profile`, { employeeNumber: 'E-777' }), 409, 'member.duplicate_employee_number', '/body/employeeNumber', 'member_profiles');
      expect(dup.conflict).toMatchObject({ userId: b.userId });
      await refused(() => call(t, owner, 'PATCH', `/api/v1/members/${a.userId}/profile`, { phone: '<script>' }), 422, 'member.invalid_profile', '/body/phone', 'member_profiles');
      // The same employee number in another organization is fine.
      const bInB = await addMember(t, ownerB, 'employee');
      expect((await call(t, ownerB, 'PATCH', `/api/v1/members/${bInB.userId}/profile`, { employeeNumber: 'E-777' })).statusCode).toBe(200);
    });

    it('refuses another organization\'s department, location, manager or member (404 with the field path)', async () => {
      const m = await addMember(t, owner, 'employee');
      const deptB = await department(ownerB, uniq('B dept'));
      const locB = await location(ownerB, uniq('B site'));
      const memberB = await addMember(t, ownerB, 'employee');
      const url = `/api/v1/members/${m.userId}/profile`;
      await refused(() => call(t, owner, 'PATCH', url, { departmentId: deptB.id }), 404, 'department.not_found', '/body/departmentId', 'member_profiles');
      await refused(() => call(t, owner, 'PATCH', url, { locationId: locB.id }), 404, 'location.not_found', '/body/locationId', 'member_profiles');
      await refused(() => call(t, owner, 'PATCH', url, { managerUserId: memberB.userId }), 404, 'user.not_found', '/body/managerUserId', 'member_profiles');
      await refused(() => call(t, owner, 'PATCH', `/api/v1/members/${memberB.userId}/profile`, { title: 'x' }), 404, 'user.not_found', null, 'member_profiles');
      expect((await call(t, owner, 'GET', `/api/v1/members/${memberB.userId}/profile`)).statusCode).toBe(404);
    });

    it('US-04: a new profile location moves the assets the member holds', async () => {
      const m = await addMember(t, owner, 'employee');
      const site1 = await location(owner, uniq('Site'));
      const site2 = await location(owner, uniq('Site'));
      const c = await category(owner);
      const mdl = await model(owner, c.id);
      const held = await insertAsset(owner.orgId, mdl, { location_id: site1.id, lifecycle_state: 'deployed' });
      const returned = await insertAsset(owner.orgId, mdl, { location_id: site1.id });
      const now = nowIso();
      await db().insertInto('assignments').values([
        { id: newId(), org_id: owner.orgId, asset_id: held, target_type: 'user', target_user_id: m.userId, target_location_id: null, target_asset_id: null, checked_out_at: now, checked_out_by: owner.userId, expected_return_at: null, checkout_note: null, returned_at: null, returned_by: null, checkin_note: null, created_at: now },
        { id: newId(), org_id: owner.orgId, asset_id: returned, target_type: 'user', target_user_id: m.userId, target_location_id: null, target_asset_id: null, checked_out_at: now, checked_out_by: owner.userId, expected_return_at: null, checkout_note: null, returned_at: now, returned_by: owner.userId, checkin_note: null, created_at: now },
      ]).execute();
      expect((await call(t, owner, 'PATCH', `/api/v1/members/${m.userId}/profile`, { locationId: site2.id })).statusCode).toBe(200);
      const rows = await db().selectFrom('assets').select(['id', 'location_id']).where('id', 'in', [held, returned]).execute();
      expect(Object.fromEntries(rows.map((r) => [r.id, r.location_id]))).toEqual({ [held]: site2.id, [returned]: site1.id });
      const ev = await eventsFor(held);
      expect(ev.map((e) => e.action)).toEqual(['asset.updated']);
      expect(JSON.parse(ev[0]!.changes)).toEqual({ locationId: { before: site1.id, after: site2.id } });
      expect(await eventsFor(returned)).toEqual([]);
    });

    it('reading needs member.read, editing member.manage', async () => {
      const m = await addMember(t, owner, 'employee');
      expect((await call(t, tech, 'GET', `/api/v1/members/${m.userId}/profile`)).statusCode).toBe(200);
      await refused(() => call(t, tech, 'PATCH', `/api/v1/members/${m.userId}/profile`, { title: 'Boss' }), 403, 'auth.forbidden', null, 'member_profiles');
      expect((await call(t, employee, 'GET', `/api/v1/members/${m.userId}/profile`)).statusCode).toBe(403);
    });
  });
});
