import type SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, createTestApp, engines, eventCount, login, newOrganization, setupOwner, switchTo, type Session, type TestApp } from './harness.js';
import type { Db } from '../src/db/database.js';
import { newId, nowIso } from '../src/lib/ids.js';
import { tuning } from '../src/modules/search/search.repository.js';

const defaults = { ...tuning };

// ---------------------------------------------------------------------------------------------
// Fixtures, inserted directly (the catalog, fields and custody APIs are other modules' work).

interface World {
  orgId: string;
  cat: { laptops: string; phones: string };
  mf: { dell: string; apple: string };
  model: { latitude: string; macbook: string; iphone: string };
  loc: { hq: string; floor2: string; room4: string; branch: string };
  field: { ramLaptop: string; color: string; ramPhone: string; imei: string; tags: string; leased: string; bought: string };
  supplier: string;
  department: string;
}

async function makeWorld(db: Db, orgId: string): Promise<World> {
  const now = nowIso();
  const stamp = { org_id: orgId, created_at: now, updated_at: now };
  const id = () => newId();
  const cat = { laptops: id(), phones: id() };
  await db.insertInto('categories').values([
    { id: cat.laptops, name: 'Laptops', asset_class: 'laptop', data_bearing: 1, requires_acceptance: 0, acceptance_terms: null, acceptance_terms_version: null, ...stamp },
    { id: cat.phones, name: 'Phones', asset_class: 'phone_tablet', data_bearing: 1, requires_acceptance: 0, acceptance_terms: null, acceptance_terms_version: null, ...stamp },
  ]).execute();
  const mf = { dell: id(), apple: id() };
  await db.insertInto('manufacturers').values([
    { id: mf.dell, name: 'Dell', support_url: null, warranty_lookup_url: null, ...stamp },
    { id: mf.apple, name: 'Apple', support_url: null, warranty_lookup_url: null, ...stamp },
  ]).execute();
  const model = { latitude: id(), macbook: id(), iphone: id() };
  const m = (mid: string, name: string, num: string | null, categoryId: string, manufacturerId: string) =>
    ({ id: mid, name, model_number: num, category_id: categoryId, manufacturer_id: manufacturerId, eol_months: 48, default_custom_fields: '{}', image_path: null, ...stamp });
  await db.insertInto('models').values([
    m(model.latitude, 'Latitude 5440', 'LAT5440', cat.laptops, mf.dell),
    m(model.macbook, 'MacBook Pro 14', null, cat.laptops, mf.apple),
    m(model.iphone, 'iPhone 15', null, cat.phones, mf.apple),
  ]).execute();
  const loc = { hq: id(), floor2: id(), room4: id(), branch: id() };
  const l = (lid: string, name: string, parent: string | null, path: string) => ({ id: lid, name, parent_id: parent, path, address: null, latitude: null, longitude: null, ...stamp });
  await db.insertInto('locations').values([
    l(loc.hq, 'Headquarters', null, `/${loc.hq}/`),
    l(loc.floor2, 'Floor 2', loc.hq, `/${loc.hq}/${loc.floor2}/`),
    l(loc.room4, 'Room 4', loc.floor2, `/${loc.hq}/${loc.floor2}/${loc.room4}/`),
    l(loc.branch, 'Branch Office', null, `/${loc.branch}/`),
  ]).execute();
  const field = { ramLaptop: id(), color: id(), ramPhone: id(), imei: id(), tags: id(), leased: id(), bought: id() };
  const f = (fid: string, categoryId: string, key: string, label: string, type: string, options: string[] = []) =>
    ({ id: fid, category_id: categoryId, key, label, type, options: JSON.stringify(options), regex: null, required: 0, unique_values: 0, help_text: null, position: 0, ...stamp });
  await db.insertInto('custom_fields').values([
    f(field.ramLaptop, cat.laptops, 'ram_gb', 'RAM (GB)', 'number'),
    f(field.color, cat.laptops, 'color', 'Colour', 'select', ['Silver', 'Space Grey']),
    f(field.tags, cat.laptops, 'features', 'Features', 'multi_select', ['Touch', 'LTE', 'Backlit']),
    f(field.leased, cat.laptops, 'leased', 'Leased', 'boolean'),
    f(field.bought, cat.laptops, 'handover', 'Handover', 'date'),
    f(field.ramPhone, cat.phones, 'ram_gb', 'Memory', 'number'),
    f(field.imei, cat.phones, 'imei', 'IMEI', 'text'),
  ]).execute();
  const supplier = id();
  await db.insertInto('suppliers').values({ id: supplier, name: 'CDW', contact_name: null, email: null, phone: null, url: null, notes: null, ...stamp }).execute();
  const department = id();
  await db.insertInto('departments').values({ id: department, name: 'Finance', code: null, cost_centre: null, manager_user_id: null, ...stamp }).execute();
  return { orgId, cat, mf, model, loc, field, supplier, department };
}

interface AssetSpec {
  tag: string;
  model?: 'latitude' | 'macbook' | 'iphone';
  serial?: string | null;
  name?: string | null;
  state?: string;
  location?: string | null;
  supplier?: boolean;
  department?: boolean;
  purchaseDate?: string | null;
  cost?: number | null;
  warrantyEnd?: string | null;
  eolDate?: string | null;
  notes?: string | null;
  cf?: Record<string, unknown>;
  createdAt?: string;
  deleted?: boolean;
}

let clock = Date.parse('2026-01-01T00:00:00Z');

async function addAsset(db: Db, w: World, s: AssetSpec): Promise<string> {
  const model = s.model ?? 'latitude';
  const categoryId = model === 'iphone' ? w.cat.phones : w.cat.laptops;
  const manufacturerId = model === 'latitude' ? w.mf.dell : w.mf.apple;
  const at = s.createdAt ?? new Date((clock += 60_000)).toISOString();
  const assetId = newId();
  await db.insertInto('assets').values({
    id: assetId, org_id: w.orgId, asset_tag: s.tag, serial: s.serial ?? null, name: s.name ?? null, model_id: w.model[model],
    category_id: categoryId, manufacturer_id: manufacturerId, lifecycle_state: s.state ?? 'in_stock', location_id: s.location ?? null,
    default_location_id: null, supplier_id: s.supplier ? w.supplier : null, department_id: s.department ? w.department : null,
    purchase_date: s.purchaseDate ?? null, purchase_cost_minor: s.cost ?? null, currency: s.cost != null ? 'EUR' : null,
    order_number: null, invoice_number: null, warranty_end: s.warrantyEnd ?? null, eol_date: s.eolDate ?? null, notes: s.notes ?? null,
    parent_asset_id: null, custom_fields: JSON.stringify(s.cf ?? {}), created_at: at, updated_at: at, deleted_at: s.deleted ? at : null,
  }).execute();
  const values: { org_id: string; asset_id: string; field_id: string; value_text: string | null; value_num: number | null }[] = [];
  for (const [key, v] of Object.entries(s.cf ?? {})) {
    const row = { org_id: w.orgId, asset_id: assetId };
    if (key === 'ram_gb') values.push({ ...row, field_id: model === 'iphone' ? w.field.ramPhone : w.field.ramLaptop, value_text: null, value_num: Number(v) });
    else if (key === 'color') values.push({ ...row, field_id: w.field.color, value_text: String(v).toLowerCase(), value_num: null });
    else if (key === 'imei') values.push({ ...row, field_id: w.field.imei, value_text: String(v).toLowerCase(), value_num: null });
    else if (key === 'features') values.push({ ...row, field_id: w.field.tags, value_text: `|${(v as string[]).map((x) => x.toLowerCase()).join('|')}|`, value_num: null });
    else if (key === 'leased') values.push({ ...row, field_id: w.field.leased, value_text: v ? 'true' : 'false', value_num: v ? 1 : 0 });
    else if (key === 'handover') values.push({ ...row, field_id: w.field.bought, value_text: String(v), value_num: null });
  }
  if (values.length) await db.insertInto('asset_field_values').values(values).execute();
  return assetId;
}

async function checkOut(db: Db, orgId: string, assetId: string, target: { user?: string; location?: string; asset?: string }): Promise<string> {
  const aid = newId();
  const now = nowIso();
  await db.insertInto('assignments').values({
    id: aid, org_id: orgId, asset_id: assetId, target_type: target.user ? 'user' : target.location ? 'location' : 'asset',
    target_user_id: target.user ?? null, target_location_id: target.location ?? null, target_asset_id: target.asset ?? null,
    checked_out_at: now, checked_out_by: null, expected_return_at: null, checkout_note: null, returned_at: null, returned_by: null, checkin_note: null, created_at: now,
  }).execute();
  return aid;
}

// ---------------------------------------------------------------------------------------------

interface Item {
  id: string; assetTag: string; serial: string | null; name: string | null; lifecycleState: string;
  location: { id: string; name: string } | null; assignee: { type: string; id: string; label: string } | null;
  customFields: Record<string, unknown>; purchaseCost: number | null; warrantyEnd: string | null;
}
interface Page { items: Item[]; nextCursor: string | null }
interface Problem { code: string; errors: { path: string; code?: string; message: string }[] }

describe.each(engines)('asset list, filters, sorts and full text (%s)', (engine) => {
  let t: TestApp;
  let s: Session;
  let w: World;
  let tech: Session;
  const ids: Record<string, string> = {};

  const get = async (qs: string) => {
    const res = await call(t, s, 'GET', `/api/v1/assets?${qs}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Page>();
  };
  const tags = async (qs: string) => (await get(qs)).items.map((i) => i.assetTag);
  /** Follows nextCursor to the end with small pages; returns all tags in order. */
  const allPages = async (qs: string, limit = 2): Promise<string[]> => {
    const out: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: Page = await get(`${qs}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      out.push(...page.items.map((x) => x.assetTag));
      if (!page.nextCursor) return out;
      cursor = page.nextCursor;
    }
    throw new Error('too many pages');
  };

  beforeAll(async () => {
    t = await createTestApp(engine);
    s = await setupOwner(t);
    tech = await addMember(t, s, 'technician');
    w = await makeWorld(t.database.db, s.orgId);
    const db = t.database.db;
    const add = async (key: string, spec: AssetSpec) => { ids[key] = await addAsset(db, w, spec); };
    await add('l1', { tag: 'LAP-00001', serial: '5CG1111AAA', name: 'hq-lap-1', state: 'deployed', location: w.loc.room4, supplier: true, department: true, purchaseDate: '2024-01-10', cost: 120000, warrantyEnd: '2027-01-10', eolDate: '2028-01-10', cf: { ram_gb: 16, color: 'Silver', features: ['Touch', 'LTE'], leased: true, handover: '2024-02-01' } });
    await add('l2', { tag: 'LAP-00002', serial: '5CG2222BBB', name: 'hq-lap-2', state: 'in_stock', location: w.loc.floor2, purchaseDate: '2023-05-01', cost: 95000, warrantyEnd: '2026-05-01', eolDate: '2027-05-01', cf: { ram_gb: 32, color: 'Space Grey', features: ['Backlit'], leased: false } });
    await add('l3', { tag: 'LAP-00003', model: 'macbook', serial: 'C02XYZ0001', name: 'design-mac', state: 'deployed', location: w.loc.branch, purchaseDate: '2025-03-03', cost: 250000, warrantyEnd: null, notes: 'Keyboard replaced under warranty', cf: { ram_gb: 8 } });
    await add('l4', { tag: 'LAP-00010', serial: null, name: null, state: 'in_repair', location: w.loc.hq, purchaseDate: null, cost: null, warrantyEnd: '2025-12-31', eolDate: '2026-12-31' });
    await add('p1', { tag: 'PHN-00001', model: 'iphone', serial: 'F2LXK0001', name: 'Sales phone', state: 'deployed', location: null, purchaseDate: '2025-06-01', cost: 90000, warrantyEnd: '2026-06-01', cf: { ram_gb: 6, imei: '356938035643809' } });
    await add('p2', { tag: 'PHN-00002', model: 'iphone', serial: 'F2LXK0002', state: 'retired', location: w.loc.room4, cf: { ram_gb: 8 } });
    await add('d1', { tag: 'LAP-00004', serial: 'DELETED01', state: 'in_stock', deleted: true });
    await add('x1', { tag: '=cmd|calc', serial: '+danger', name: '-1+1', state: 'in_stock', notes: '@SUM(A1)' });
    // Custody: l1 to the technician, p1 to a location, l2 to asset l4 (a dock, say).
    await checkOut(db, w.orgId, ids.l1!, { user: tech.userId });
    await checkOut(db, w.orgId, ids.p1!, { location: w.loc.branch });
    await checkOut(db, w.orgId, ids.l2!, { asset: ids.l4! });
  });
  afterAll(() => t.close());

  it('lists live assets by tag with their assignee and custom fields', async () => {
    const page = await get('');
    expect(page.items.map((i) => i.assetTag)).toEqual(['=cmd|calc', 'LAP-00001', 'LAP-00002', 'LAP-00003', 'LAP-00010', 'PHN-00001', 'PHN-00002']);
    const l1 = page.items.find((i) => i.assetTag === 'LAP-00001')!;
    expect(l1.assignee).toEqual({ type: 'user', id: tech.userId, label: 'technician person' });
    expect(l1.customFields).toMatchObject({ ram_gb: 16, color: 'Silver' });
    expect(page.items.find((i) => i.assetTag === 'PHN-00001')!.assignee).toEqual({ type: 'location', id: w.loc.branch, label: 'Branch Office' });
    expect(page.items.find((i) => i.assetTag === 'LAP-00002')!.assignee).toEqual({ type: 'asset', id: ids.l4, label: 'LAP-00010' });
    expect(page.items.find((i) => i.assetTag === 'LAP-00003')!.assignee).toBeNull();
  });

  it('filters by every listed field', async () => {
    expect(await tags('state=deployed')).toEqual(['LAP-00001', 'LAP-00003', 'PHN-00001']);
    expect(await tags('state=deployed&state=retired')).toEqual(['LAP-00001', 'LAP-00003', 'PHN-00001', 'PHN-00002']);
    expect(await tags(`categoryId=${w.cat.phones}`)).toEqual(['PHN-00001', 'PHN-00002']);
    expect(await tags(`modelId=${w.model.macbook}`)).toEqual(['LAP-00003']);
    expect(await tags(`manufacturerId=${w.mf.apple}`)).toEqual(['LAP-00003', 'PHN-00001', 'PHN-00002']);
    expect(await tags(`supplierId=${w.supplier}`)).toEqual(['LAP-00001']);
    expect(await tags(`departmentId=${w.department}`)).toEqual(['LAP-00001']);
    // Location: the subtree by default, exactly there on request.
    expect(await tags(`locationId=${w.loc.hq}`)).toEqual(['LAP-00001', 'LAP-00002', 'LAP-00010', 'PHN-00002']);
    expect(await tags(`locationId=${w.loc.floor2}`)).toEqual(['LAP-00001', 'LAP-00002', 'PHN-00002']);
    expect(await tags(`locationId=${w.loc.floor2}&includeSublocations=false`)).toEqual(['LAP-00002']);
    expect(await tags(`assigneeUserId=${tech.userId}`)).toEqual(['LAP-00001']);
    expect(await tags('assigned=true')).toEqual(['LAP-00001', 'LAP-00002', 'PHN-00001']);
    expect(await tags('assigned=false')).toEqual(['=cmd|calc', 'LAP-00003', 'LAP-00010', 'PHN-00002']);
    expect(await tags('warrantyEndFrom=2026-01-01&warrantyEndTo=2026-12-31')).toEqual(['LAP-00002', 'PHN-00001']);
    expect(await tags('eolDateTo=2027-05-01')).toEqual(['LAP-00002', 'LAP-00010']);
    expect(await tags('purchaseDateFrom=2025-01-01')).toEqual(['LAP-00003', 'PHN-00001']);
    expect(await tags(`state=deployed&locationId=${w.loc.hq}`)).toEqual(['LAP-00001']);
  });

  it('filters by custom fields: equals, ranges, options, booleans, dates, a key shared by categories', async () => {
    expect(await tags('cf.ram_gb=8')).toEqual(['LAP-00003', 'PHN-00002']);
    expect(await tags(`cf.ram_gb=8&categoryId=${w.cat.phones}`)).toEqual(['PHN-00002']);
    expect(await tags('cf.ram_gb.from=8&cf.ram_gb.to=16')).toEqual(['LAP-00001', 'LAP-00003', 'PHN-00002']);
    expect(await tags('cf.color=silver')).toEqual(['LAP-00001']);
    expect(await tags('cf.color=SPACE%20GREY')).toEqual(['LAP-00002']);
    expect(await tags('cf.features=lte')).toEqual(['LAP-00001']);
    expect(await tags('cf.leased=true')).toEqual(['LAP-00001']);
    expect(await tags('cf.leased=false')).toEqual(['LAP-00002']);
    expect(await tags('cf.handover.from=2024-01-01')).toEqual(['LAP-00001']);
    expect(await tags('cf.imei=356938035643809')).toEqual(['PHN-00001']);
  });

  it('refuses bad filters with field paths', async () => {
    const unknown = await call(t, s, 'GET', '/api/v1/assets?cf.nope=1');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<Problem>()).toMatchObject({ code: 'search.invalid_query', errors: [{ path: '/querystring/cf.nope', code: 'unknown_field' }] });
    const notNumber = await call(t, s, 'GET', `/api/v1/assets?cf.ram_gb.from=lots&categoryId=${w.cat.laptops}`);
    expect(notNumber.statusCode).toBe(422);
    expect(notNumber.json<Problem>().errors).toEqual([expect.objectContaining({ path: '/querystring/cf.ram_gb.from', code: 'invalid_value' })]);
    const boolRange = await call(t, s, 'GET', '/api/v1/assets?cf.leased.from=true');
    expect(boolRange.json<Problem>().errors[0]).toMatchObject({ path: '/querystring/cf.leased.from' });
    const backwards = await call(t, s, 'GET', '/api/v1/assets?warrantyEndFrom=2026-01-01&warrantyEndTo=2025-01-01');
    expect(backwards.statusCode).toBe(422);
    expect(backwards.json<Problem>().errors[0]).toMatchObject({ path: '/querystring/warrantyEndTo', code: 'range' });
    const badState = await call(t, s, 'GET', '/api/v1/assets?state=lost');
    expect(badState.statusCode).toBe(400);
    expect(badState.json<Problem>().errors[0]!.path).toMatch(/^\/querystring\/state/);
    const extra = await call(t, s, 'GET', '/api/v1/assets?colour=red');
    expect(extra.statusCode).toBe(400);
    expect(extra.json<Problem>().errors[0]).toMatchObject({ path: '/querystring/colour', code: 'unknown_field' });
    const sort = await call(t, s, 'GET', '/api/v1/assets?sort=cf.nope');
    expect(sort.statusCode).toBe(422);
    expect(sort.json<Problem>().errors[0]).toMatchObject({ path: '/querystring/sort', code: 'unknown_field' });
    const badSort = await call(t, s, 'GET', '/api/v1/assets?sort=color');
    expect(badSort.statusCode).toBe(400);
    const otherLocation = await call(t, s, 'GET', `/api/v1/assets?locationId=${newId()}`);
    expect(otherLocation.statusCode).toBe(404);
    expect(otherLocation.json<Problem>().errors[0]!.path).toBe('/querystring/locationId');
  });

  it('shows deleted assets only with includeDeleted and asset.delete', async () => {
    expect(await tags('serial=x'.replace('serial=x', 'includeDeleted=true'))).toContain('LAP-00004');
    expect(await tags('')).not.toContain('LAP-00004');
    const denied = await call(t, tech, 'GET', '/api/v1/assets?includeDeleted=true');
    expect(denied.statusCode).toBe(403);
    expect((await call(t, tech, 'GET', '/api/v1/assets')).statusCode).toBe(200);
  });

  const live = ['=cmd|calc', 'LAP-00001', 'LAP-00002', 'LAP-00003', 'LAP-00010', 'PHN-00001', 'PHN-00002'];
  type Row = { tag: string; v: string | number | null };
  /** Expected order: values (asc/desc), then empty values; ties by id (= insertion order here). */
  const order = (rows: Row[], desc: boolean) => {
    const pos = new Map(rows.map((r, i) => [r.tag, i]));
    const withV = rows.filter((r) => r.v !== null).sort((a, b) => {
      const c = a.v! < b.v! ? -1 : a.v! > b.v! ? 1 : pos.get(a.tag)! - pos.get(b.tag)!;
      return desc ? -c : c;
    });
    const without = rows.filter((r) => r.v === null);
    if (desc) without.reverse();
    return [...withV, ...without].map((r) => r.tag);
  };

  it('sorts on every column both ways, empty values last, paging through the keyset', async () => {
    const cols: Record<string, (tag: string) => string | number | null> = {
      serial: (tag) => ({ 'LAP-00001': '5CG1111AAA', 'LAP-00002': '5CG2222BBB', 'LAP-00003': 'C02XYZ0001', 'PHN-00001': 'F2LXK0001', 'PHN-00002': 'F2LXK0002', '=cmd|calc': '+danger' } as Record<string, string>)[tag] ?? null,
      name: (tag) => ({ 'LAP-00001': 'hq-lap-1', 'LAP-00002': 'hq-lap-2', 'LAP-00003': 'design-mac', 'PHN-00001': 'Sales phone', '=cmd|calc': '-1+1' } as Record<string, string>)[tag] ?? null,
      purchaseCost: (tag) => ({ 'LAP-00001': 120000, 'LAP-00002': 95000, 'LAP-00003': 250000, 'PHN-00001': 90000 } as Record<string, number>)[tag] ?? null,
      warrantyEnd: (tag) => ({ 'LAP-00001': '2027-01-10', 'LAP-00002': '2026-05-01', 'LAP-00010': '2025-12-31', 'PHN-00001': '2026-06-01' } as Record<string, string>)[tag] ?? null,
      lifecycleState: (tag) => ({ 'LAP-00001': 'deployed', 'LAP-00002': 'in_stock', 'LAP-00003': 'deployed', 'LAP-00010': 'in_repair', 'PHN-00001': 'deployed', 'PHN-00002': 'retired', '=cmd|calc': 'in_stock' } as Record<string, string>)[tag] ?? null,
      'cf.ram_gb': (tag) => ({ 'LAP-00001': 16, 'LAP-00002': 32, 'LAP-00003': 8, 'PHN-00001': 6, 'PHN-00002': 8 } as Record<string, number>)[tag] ?? null,
    };
    // Insertion order = id order, the tie-breaker.
    const inserted = ['LAP-00001', 'LAP-00002', 'LAP-00003', 'LAP-00010', 'PHN-00001', 'PHN-00002', '=cmd|calc'];
    for (const [col, value] of Object.entries(cols)) {
      for (const desc of [false, true]) {
        const expected = order(inserted.map((tag) => ({ tag, v: value(tag) })), desc);
        expect(await allPages(`sort=${desc ? '-' : ''}${col}`), `${col} ${desc ? 'desc' : 'asc'}`).toEqual(expected);
        expect(await allPages(`sort=${desc ? '-' : ''}${col}`, 3)).toEqual(expected);
      }
    }
    expect(await allPages('sort=-assetTag')).toEqual([...live].reverse());
    expect(await allPages('sort=createdAt')).toEqual(inserted);
    expect(await allPages('sort=-updatedAt')).toEqual([...inserted].reverse());
    expect(await allPages(`sort=cf.ram_gb&categoryId=${w.cat.laptops}`)).toEqual(['LAP-00003', 'LAP-00001', 'LAP-00002', 'LAP-00010', '=cmd|calc']);
    expect(await allPages('sort=cf.color')).toEqual(['LAP-00001', 'LAP-00002', 'LAP-00003', 'LAP-00010', 'PHN-00001', 'PHN-00002', '=cmd|calc']);
  });

  it('returns the same pages whichever plan the repository steers to (drive, walk, window, fallback)', async () => {
    const reference = new Map<string, string[]>();
    const filters = ['', 'state=deployed', 'state=deployed&state=in_stock', `categoryId=${w.cat.laptops}`, `modelId=${w.model.latitude}`,
      `locationId=${w.loc.hq}`, `locationId=${w.loc.floor2}&includeSublocations=false`, 'cf.ram_gb.from=8', 'assigned=true', 'assigned=false',
      'warrantyEndFrom=2026-01-01', `manufacturerId=${w.mf.dell}&state=in_stock`, `supplierId=${w.supplier}`, 'q=lap', 'q=apple'];
    const sorts = ['assetTag', '-name', 'serial', '-warrantyEnd', 'purchaseCost', '-cf.ram_gb', 'updatedAt'];
    const queries = filters.flatMap((f) => [...sorts.map((s) => `${f}&sort=${s}`), ...(f.startsWith('q=') ? [f] : [])]);
    tuning.enabled = false;
    try {
      for (const q of queries) reference.set(q, await allPages(q, 50));
      for (const t of [{ probeCap: 1, walkWindow: 1, fallbackCap: 2 }, { probeCap: 2, walkWindow: 2, fallbackCap: 100 }, { probeCap: 100, walkWindow: 3, fallbackCap: 1 }]) {
        Object.assign(tuning, { enabled: true, ...t });
        for (const q of queries) expect(await allPages(q, 2), `${q} with ${JSON.stringify(t)}`).toEqual(reference.get(q));
      }
    } finally {
      Object.assign(tuning, defaults);
    }
    expect([...reference.values()].filter((r) => r.length > 1).length).toBeGreaterThan(60);
  });

  it('binds cursors to their sort', async () => {
    const first = await get('sort=serial&limit=2');
    expect(first.nextCursor).toBeTruthy();
    const reused = await call(t, s, 'GET', `/api/v1/assets?sort=name&limit=2&cursor=${first.nextCursor}`);
    expect(reused.statusCode).toBe(400);
    expect(reused.json<Problem>()).toMatchObject({ code: 'asset.invalid_cursor', errors: [{ path: '/querystring/cursor' }] });
    const garbage = await call(t, s, 'GET', '/api/v1/assets?cursor=abc');
    expect(garbage.statusCode).toBe(400);
    const withQ = await get('q=lap&limit=1');
    const otherQ = await call(t, s, 'GET', `/api/v1/assets?q=phn&limit=1&cursor=${withQ.nextCursor}`);
    expect(otherQ.statusCode).toBe(400);
  });

  it('full text: exact tag or serial first, tag and serial prefixes, words as prefixes', async () => {
    expect(await tags('q=LAP-00002')).toEqual(['LAP-00002']);
    expect(await tags('q=lap-00001')).toEqual(['LAP-00001']);
    // Exact first, then the other tags with that prefix.
    expect(await tags('q=LAP-0000')).toEqual(['LAP-00001', 'LAP-00002', 'LAP-00003']);
    expect(await tags('q=LAP-00003')).toEqual(['LAP-00003']);
    expect(await tags('q=LAP-00')).toEqual(['LAP-00001', 'LAP-00002', 'LAP-00003', 'LAP-00010']);
    expect(await tags('q=5cg2222bbb')).toEqual(['LAP-00002']);
    expect(await tags('q=5CG')).toEqual(['LAP-00001', 'LAP-00002']);
    // Text matches come newest first ('=cmd|calc' is a Latitude too, added last).
    expect(await tags('q=dell%20lat')).toEqual(['=cmd|calc', 'LAP-00010', 'LAP-00002', 'LAP-00001']);
    expect(await tags('q=latitude%205440')).toEqual(['=cmd|calc', 'LAP-00010', 'LAP-00002', 'LAP-00001']);
    expect(await tags('q=lat5440')).toEqual(['=cmd|calc', 'LAP-00010', 'LAP-00002', 'LAP-00001']);
    expect(await tags('q=macbook')).toEqual(['LAP-00003']);
    expect(await tags('q=keyboard%20warr')).toEqual(['LAP-00003']);
    expect(await tags('q=apple')).toEqual(['PHN-00002', 'PHN-00001', 'LAP-00003']);
    expect(await tags('q=sales')).toEqual(['PHN-00001']);
    // Assignee: the user's name, the location's name, the asset's tag.
    expect(await tags('q=technician')).toEqual(['LAP-00001']);
    expect(await tags('q=branch%20office')).toEqual(['PHN-00001']);
    // Deleted assets are never found.
    expect(await tags('q=DELETED01')).toEqual([]);
    expect(await tags('q=nothing%20like%20this')).toEqual([]);
    expect(await tags('q=%2B%2B%2B')).toEqual([]);
    // Full text combines with filters and with explicit sorts (q is then a filter).
    expect(await tags('q=apple&state=deployed')).toEqual(['PHN-00001', 'LAP-00003']);
    expect(await tags('q=apple&sort=assetTag')).toEqual(['LAP-00003', 'PHN-00001', 'PHN-00002']);
    expect(await tags('q=LAP-00003&sort=-assetTag')).toEqual(['LAP-00003']);
    expect(await tags('q=hq&sort=-assetTag')).toEqual(['LAP-00002', 'LAP-00001']);
  });

  it('pages through relevance tiers without repeats', async () => {
    const db = t.database.db;
    // A tag that is also another asset's serial prefix, and a name match: three tiers.
    const a = await addAsset(db, w, { tag: 'ZZ-1', serial: 'ZZ-1', name: 'zz one' });
    const b = await addAsset(db, w, { tag: 'ZZ-100', serial: 'Q-1', name: 'zz hundred' });
    const c = await addAsset(db, w, { tag: 'Q-77', serial: 'ZZ-12', name: 'zz in serial' });
    const d = await addAsset(db, w, { tag: 'Q-78', serial: null, name: 'zz-1 named' });
    const expected = ['ZZ-1', 'ZZ-100', 'Q-77', 'Q-78'];
    expect(await tags('q=zz-1')).toEqual(expected);
    expect(await allPages('q=zz-1', 1)).toEqual(expected);
    expect(await allPages('q=zz-1', 3)).toEqual(expected);
    await db.deleteFrom('assets').where('id', 'in', [a, b, c, d]).execute();
    expect(await tags('q=zz')).toEqual([]);
  });

  it('keeps the index current through triggers on models, manufacturers, users, locations and assignments', async () => {
    const db = t.database.db;
    await db.updateTable('models').set({ name: 'Precision 3580' }).where('id', '=', w.model.latitude).execute();
    expect(await tags('q=precision')).toEqual(['=cmd|calc', 'LAP-00010', 'LAP-00002', 'LAP-00001']);
    expect(await tags('q=latitude')).toEqual([]);
    await db.updateTable('manufacturers').set({ name: 'Fruit Co' }).where('id', '=', w.mf.apple).execute();
    expect(await tags('q=fruit')).toEqual(['PHN-00002', 'PHN-00001', 'LAP-00003']);
    await db.updateTable('users').set({ display_name: 'Terry Tech' }).where('id', '=', tech.userId).execute();
    expect(await tags('q=terry')).toEqual(['LAP-00001']);
    expect((await get('q=terry')).items[0]!.assignee!.label).toBe('Terry Tech');
    await db.updateTable('locations').set({ name: 'Annex' }).where('id', '=', w.loc.branch).execute();
    expect(await tags('q=annex')).toEqual(['PHN-00001']);
    // Check-in: the assignee leaves the document.
    await db.updateTable('assignments').set({ returned_at: nowIso() }).where('asset_id', '=', ids.l1!).execute();
    expect(await tags('q=terry')).toEqual([]);
    await checkOut(db, w.orgId, ids.l1!, { user: tech.userId });
    expect(await tags('q=terry')).toEqual(['LAP-00001']);
    // Asset edits (the assets module's PATCH writes the same columns).
    await db.updateTable('assets').set({ name: 'renamed-laptop', notes: 'Sticker says Quokka' }).where('id', '=', ids.l1!).execute();
    expect(await tags('q=quokka')).toEqual(['LAP-00001']);
    expect(await tags('q=renamed')).toEqual(['LAP-00001']);
    expect(await tags('q=hq-lap-1')).toEqual([]);
    // Target asset renamed: the asset checked out to it follows.
    await db.updateTable('assets').set({ asset_tag: 'DOCK-00010' }).where('id', '=', ids.l4!).execute();
    expect(await tags('q=dock-00010')).toEqual(['DOCK-00010', 'LAP-00002']);
    await db.updateTable('assets').set({ asset_tag: 'LAP-00010' }).where('id', '=', ids.l4!).execute();
    await db.updateTable('models').set({ name: 'Latitude 5440' }).where('id', '=', w.model.latitude).execute();
    await db.updateTable('manufacturers').set({ name: 'Apple' }).where('id', '=', w.mf.apple).execute();
    await db.updateTable('locations').set({ name: 'Branch Office' }).where('id', '=', w.loc.branch).execute();
  });

  it('keeps other organizations out', async () => {
    const orgB = await newOrganization(t, s, 'Org B');
    const b = await switchTo(t, await login(t, s.email), orgB);
    const wb = await makeWorld(t.database.db, orgB);
    await addAsset(t.database.db, wb, { tag: 'LAP-00001', serial: 'OTHERORG1', name: 'b laptop' });
    const mine = await call(t, b, 'GET', '/api/v1/assets');
    expect(mine.json<Page>().items.map((i) => i.serial)).toEqual(['OTHERORG1']);
    expect((await get('q=OTHERORG1')).items).toEqual([]);
    expect((await get('q=b%20laptop')).items).toEqual([]);
    expect((await call(t, b, 'GET', `/api/v1/assets?locationId=${w.loc.hq}`)).statusCode).toBe(404);
    expect((await call(t, b, 'GET', '/api/v1/search?q=LAP-00001')).json<{ assets: Item[] }>().assets.map((i) => i.serial)).toEqual(['OTHERORG1']);
  });

  it('global quick search: assets, people and locations by permission', async () => {
    const res = await call(t, s, 'GET', '/api/v1/search?q=LAP-00001');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ assets: Item[]; people: { userId: string }[]; locations: { name: string; pathNames: string[] }[] }>();
    expect(body.assets[0]!.assetTag).toBe('LAP-00001');
    const people = await call(t, s, 'GET', '/api/v1/search?q=technician');
    expect(people.json<{ people: { userId: string; displayName: string }[] }>().people.map((p) => p.userId)).toEqual([tech.userId]);
    const locs = await call(t, s, 'GET', '/api/v1/search?q=room');
    expect(locs.json<{ locations: { name: string; pathNames: string[] }[] }>().locations).toEqual([
      { id: w.loc.room4, name: 'Room 4', pathNames: ['Headquarters', 'Floor 2', 'Room 4'] },
    ]);
    // A token that can read assets only sees no people and no locations.
    const { createToken } = await import('./harness.js');
    const tok = await createToken(t, s, ['assets:read']);
    const limited = await call(t, { token: tok.secret }, 'GET', '/api/v1/search?q=technician');
    expect(limited.statusCode).toBe(200);
    expect(limited.json()).toMatchObject({ people: [], locations: [] });
    expect((await call(t, s, 'GET', '/api/v1/search?q=')).statusCode).toBe(400);
    const employee = await addMember(t, s, 'employee');
    expect((await call(t, employee, 'GET', '/api/v1/search?q=lap')).statusCode).toBe(403);
  });

  it('timelines: the asset\'s and the member\'s events, newest first, keyset', async () => {
    const db = t.database.db;
    const before = await eventCount(t);
    for (const notes of ['one', 'two', 'three']) {
      const res = await call(t, s, 'PATCH', '/api/v1/assets/bulk', { ids: [ids.l3], set: { notes } });
      expect(res.statusCode, res.body).toBe(200);
    }
    expect(await eventCount(t)).toBe(before + 3);
    const page1 = await call(t, s, 'GET', `/api/v1/assets/${ids.l3}/timeline?limit=2`);
    expect(page1.statusCode).toBe(200);
    const p1 = page1.json<{ items: { action: string; changes: Record<string, { after: unknown }> }[]; nextCursor: string }>();
    expect(p1.items.map((e) => e.changes.notes?.after)).toEqual(['three', 'two']);
    const p2 = (await call(t, s, 'GET', `/api/v1/assets/${ids.l3}/timeline?limit=2&cursor=${p1.nextCursor}`)).json<{ items: { changes: Record<string, { after: unknown }> }[]; nextCursor: string | null }>();
    expect(p2.items.map((e) => e.changes.notes?.after)).toEqual(['one']);
    expect(p2.nextCursor).toBeNull();
    expect((await call(t, s, 'GET', `/api/v1/assets/${newId()}/timeline`)).statusCode).toBe(404);
    expect((await call(t, s, 'GET', `/api/v1/assets/${ids.d1}/timeline`)).statusCode).toBe(404);
    expect((await call(t, s, 'GET', `/api/v1/assets/${ids.d1}/timeline?includeDeleted=true`)).statusCode).toBe(200);
    expect((await call(t, tech, 'GET', `/api/v1/assets/${ids.d1}/timeline?includeDeleted=true`)).statusCode).toBe(403);
    // Member: role changes are events on the user.
    const member = await addMember(t, s, 'auditor');
    expect((await call(t, s, 'PATCH', `/api/v1/members/${member.userId}`, { role: 'technician' })).statusCode).toBe(200);
    const mt = await call(t, s, 'GET', `/api/v1/members/${member.userId}/timeline`);
    expect(mt.statusCode).toBe(200);
    const items = mt.json<{ items: { action: string; entityId: string }[] }>().items;
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.every((e) => e.entityId === member.userId)).toBe(true);
    expect(items[0]!.action).toMatch(/^member\./);
    expect(items.map((e) => e.action)).toContain('member.added');
    expect((await call(t, s, 'GET', `/api/v1/members/${newId()}/timeline`)).statusCode).toBe(404);
    const employee = await addMember(t, s, 'employee');
    expect((await call(t, employee, 'GET', `/api/v1/members/${member.userId}/timeline`)).statusCode).toBe(403);
    void db;
  });
});

describe.each(engines)('saved views (%s)', (engine) => {
  let t: TestApp;
  let s: Session;
  let other: Session;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp(engine);
    s = await setupOwner(t);
    other = await addMember(t, s, 'technician');
    w = await makeWorld(t.database.db, s.orgId);
  });
  afterAll(() => t.close());

  const count = async () => Number((await t.database.db.selectFrom('saved_views').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('creates, lists (own + shared), updates and deletes; only the owner changes a view', async () => {
    const before = await eventCount(t);
    const mine = await call(t, s, 'POST', '/api/v1/views', {
      name: 'Deployed laptops', entity: 'assets',
      definition: { filters: { state: ['deployed'], categoryId: w.cat.laptops, 'cf.ram_gb.from': '16' }, sort: '-cf.ram_gb', columns: ['assetTag', 'assignee', 'cf.ram_gb'] },
    });
    expect(mine.statusCode, mine.body).toBe(201);
    const view = mine.json<{ id: string; mine: boolean; shared: boolean; definition: unknown }>();
    expect(view).toMatchObject({ mine: true, shared: false, definition: { filters: { state: ['deployed'], 'cf.ram_gb.from': '16' }, sort: '-cf.ram_gb', columns: ['assetTag', 'assignee', 'cf.ram_gb'] } });
    const shared = await call(t, s, 'POST', '/api/v1/views', { name: 'Everything', entity: 'assets', definition: {}, shared: true });
    expect(shared.statusCode).toBe(201);
    const sharedId = shared.json<{ id: string }>().id;
    const theirs = await call(t, other, 'POST', '/api/v1/views', { name: 'Mine only', entity: 'assets', definition: { filters: { q: 'dell' } } });
    expect(theirs.statusCode).toBe(201);
    expect(await eventCount(t)).toBe(before + 3);

    const listOwner = (await call(t, s, 'GET', '/api/v1/views')).json<{ name: string; mine: boolean }[]>();
    expect(listOwner.map((v) => v.name)).toEqual(['Deployed laptops', 'Everything']);
    const listOther = (await call(t, other, 'GET', '/api/v1/views?entity=assets')).json<{ name: string; mine: boolean; owner: { displayName: string } }[]>();
    expect(listOther.map((v) => [v.name, v.mine])).toEqual([['Everything', false], ['Mine only', true]]);
    expect(listOther[0]!.owner.displayName).toBe('Olivia Owner');

    // Someone else's shared view: visible, not changeable (403); a private one: not found (404).
    const n = await eventCount(t);
    const forbidden = await call(t, other, 'PATCH', `/api/v1/views/${sharedId}`, { name: 'Hijacked' });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json<Problem>().code).toBe('view.not_owner');
    expect((await call(t, other, 'DELETE', `/api/v1/views/${sharedId}`)).statusCode).toBe(403);
    expect((await call(t, other, 'PATCH', `/api/v1/views/${view.id}`, { name: 'Peek' })).statusCode).toBe(404);
    expect(await eventCount(t)).toBe(n);

    const upd = await call(t, s, 'PATCH', `/api/v1/views/${view.id}`, { name: 'Big laptops', shared: true });
    expect(upd.statusCode).toBe(200);
    expect(upd.json()).toMatchObject({ name: 'Big laptops', shared: true, definition: { sort: '-cf.ram_gb' } });
    expect((await call(t, other, 'GET', '/api/v1/views')).json<{ name: string }[]>().map((v) => v.name)).toEqual(['Big laptops', 'Everything', 'Mine only']);
    const del = await call(t, s, 'DELETE', `/api/v1/views/${view.id}`);
    expect(del.statusCode).toBe(200);
    expect(await eventCount(t)).toBe(n + 2);
    const actions = (await call(t, s, 'GET', '/api/v1/events?action=view.*')).json<{ items: { action: string }[] }>().items.map((e) => e.action);
    expect(actions).toEqual(['view.deleted', 'view.updated', 'view.created', 'view.created', 'view.created']);
  });

  it('validates the definition and writes nothing on bad input', async () => {
    const views = await count();
    const events = await eventCount(t);
    const post = (definition: unknown, name = 'Bad') => call(t, s, 'POST', '/api/v1/views', { name, entity: 'assets', definition });
    const unknownKey = await post({ filters: { colour: 'red' } });
    expect(unknownKey.statusCode).toBe(400);
    expect(unknownKey.json<Problem>().errors).toContainEqual(expect.objectContaining({ path: '/body/definition/filters/colour', code: 'unknown_field' }));
    const unknownCf = await post({ filters: { 'cf.nope': '1' } });
    expect(unknownCf.statusCode).toBe(422);
    expect(unknownCf.json<Problem>().errors).toEqual([expect.objectContaining({ path: '/body/definition/filters/cf.nope', code: 'unknown_field' })]);
    const badValue = await post({ filters: { 'cf.ram_gb': 'lots' } });
    expect(badValue.json<Problem>().errors[0]).toMatchObject({ path: '/body/definition/filters/cf.ram_gb' });
    const badState = await post({ filters: { state: ['lost'] } });
    expect(badState.statusCode).toBe(400);
    const badSort = await post({ sort: 'cf.nope' });
    expect(badSort.json<Problem>().errors[0]).toMatchObject({ path: '/body/definition/sort' });
    const badColumns = await post({ columns: ['assetTag', 'shoeSize'] });
    expect(badColumns.statusCode).toBe(422);
    expect(badColumns.json<Problem>().errors[0]).toMatchObject({ path: '/body/definition/columns/1', code: 'unknown_column' });
    const badEntity = await call(t, s, 'POST', '/api/v1/views', { name: 'x', entity: 'licenses', definition: {} });
    expect(badEntity.statusCode).toBe(400);
    expect(await count()).toBe(views);
    expect(await eventCount(t)).toBe(events);

    expect((await post({}, 'Twice')).statusCode).toBe(201);
    const dup = await post({}, 'Twice');
    expect(dup.statusCode).toBe(409);
    expect(dup.json<Problem>()).toMatchObject({ code: 'view.duplicate_name', errors: [{ path: '/body/name' }] });
    // The same name is fine for another person.
    expect((await call(t, other, 'POST', '/api/v1/views', { name: 'Twice', entity: 'assets', definition: {} })).statusCode).toBe(201);
  });
});

describe.each(engines)('bulk edit (%s)', (engine) => {
  let t: TestApp;
  let s: Session;
  let w: World;
  const ids: string[] = [];
  let phone: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    s = await setupOwner(t);
    w = await makeWorld(t.database.db, s.orgId);
    for (const tag of ['B-1', 'B-2', 'B-3']) ids.push(await addAsset(t.database.db, w, { tag, location: w.loc.hq, cf: { ram_gb: 8 } }));
    phone = await addAsset(t.database.db, w, { tag: 'B-PHONE', model: 'iphone', location: w.loc.hq });
  });
  afterAll(() => t.close());

  const snapshot = () => t.database.db.selectFrom('assets').select(['id', 'location_id', 'notes', 'custom_fields', 'updated_at']).orderBy('id').execute();

  it('changes every asset in one transaction with one event each', async () => {
    const before = await eventCount(t);
    const res = await call(t, s, 'PATCH', '/api/v1/assets/bulk', { ids, set: { locationId: w.loc.room4, notes: 'Moved in the spring', customFields: { color: 'Silver' } } });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ updated: number; items: Item[] }>();
    expect(body.updated).toBe(3);
    expect(body.items.map((i) => [i.assetTag, i.location?.id, i.customFields])).toEqual(ids.map((_, i) => [`B-${i + 1}`, w.loc.room4, { ram_gb: 8, color: 'Silver' }]));
    expect(await eventCount(t)).toBe(before + 3);
    const ev = (await call(t, s, 'GET', '/api/v1/events?action=asset.updated&limit=3')).json<{ items: { meta: Record<string, unknown>; changes: Record<string, unknown> }[] }>().items;
    expect(new Set(ev.map((e) => e.meta.bulkEditId)).size).toBe(1);
    expect(ev[0]!.changes).toHaveProperty('locationId');
    // The list's custom-field filter sees the new values.
    const list = await call(t, s, 'GET', '/api/v1/assets?cf.color=silver');
    expect(list.json<Page>().items.map((i) => i.assetTag)).toEqual(['B-1', 'B-2', 'B-3']);
  });

  it('is all or nothing: per-row and per-field errors, nothing written', async () => {
    const rows = await snapshot();
    const before = await eventCount(t);
    const foreign = newId();
    const res = await call(t, s, 'PATCH', '/api/v1/assets/bulk', { ids: [ids[0], foreign, ids[1]], set: { notes: 'never' } });
    expect(res.statusCode).toBe(422);
    expect(res.json<Problem>()).toMatchObject({ code: 'asset.bulk_invalid', errors: [{ path: '/body/ids/1', code: 'asset.not_found' }] });

    // The same bad reference for every asset is one error on the set.
    const badLoc = await call(t, s, 'PATCH', '/api/v1/assets/bulk', { ids, set: { locationId: newId() } });
    expect(badLoc.statusCode).toBe(422);
    expect(badLoc.json<Problem>().errors).toEqual([expect.objectContaining({ path: '/body/set/locationId' })]);

    // A custom field the phone's category does not have: that row only.
    const cf = await call(t, s, 'PATCH', '/api/v1/assets/bulk', { ids: [ids[0], phone], set: { customFields: { color: 'Silver' } } });
    expect(cf.statusCode).toBe(422);
    const errs = cf.json<Problem>().errors;
    expect(errs.length).toBeGreaterThan(0);
    expect(errs.every((e) => e.path === '/body/ids/1')).toBe(true);
    expect(errs[0]!.message).toContain('customFields/color');

    const dup = await call(t, s, 'PATCH', '/api/v1/assets/bulk', { ids: [ids[0], ids[0]], set: { notes: 'x' } });
    expect(dup.statusCode).toBe(422);
    expect(dup.json<Problem>().errors).toEqual([expect.objectContaining({ path: '/body/ids/1', code: 'duplicate' })]);
    const empty = await call(t, s, 'PATCH', '/api/v1/assets/bulk', { ids, set: {} });
    expect(empty.statusCode).toBe(400);
    const unknown = await call(t, s, 'PATCH', '/api/v1/assets/bulk', { ids, set: { lifecycleState: 'disposed' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<Problem>().errors[0]).toMatchObject({ path: '/body/set/lifecycleState', code: 'unknown_field' });
    const badDate = await call(t, s, 'PATCH', '/api/v1/assets/bulk', { ids, set: { warrantyEnd: '2026-13-45' } });
    expect(badDate.statusCode).toBe(400);

    expect(await eventCount(t)).toBe(before);
    // Another organization's assets are "not found".
    const orgB = await newOrganization(t, s, 'Org B');
    const b = await switchTo(t, await login(t, s.email), orgB);
    const beforeB = await eventCount(t);
    const fromB = await call(t, b, 'PATCH', '/api/v1/assets/bulk', { ids: [ids[0]], set: { notes: 'hijack' } });
    expect(fromB.statusCode).toBe(422);
    expect(fromB.json<Problem>().errors[0]).toMatchObject({ path: '/body/ids/0', code: 'asset.not_found' });

    expect(await snapshot()).toEqual(rows);
    expect(await eventCount(t)).toBe(beforeB);
  });

  it('needs asset.write', async () => {
    const auditor = await addMember(t, s, 'auditor');
    expect((await call(t, auditor, 'PATCH', '/api/v1/assets/bulk', { ids, set: { notes: 'x' } })).statusCode).toBe(403);
  });
});

describe.each(engines)('sorting by referenced names (%s)', (engine) => {
  let t: TestApp;
  let s: Session;
  let w: World;
  let tech: Session;
  let viewer: Session;
  const ids: Record<string, string> = {};
  /** ids of assets with a supplier (and department) */
  const withSupplier = new Set<string>();

  interface FullItem extends Item {
    model: { id: string; name: string }; category: { id: string; name: string }; manufacturer: { id: string; name: string } | null;
  }
  const get = async (qs: string) => {
    const res = await call(t, s, 'GET', `/api/v1/assets?${qs}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: FullItem[]; nextCursor: string | null }>();
  };
  const allPages = async (qs: string, limit: number): Promise<string[]> => {
    const out: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: { items: FullItem[]; nextCursor: string | null } = await get(`${qs}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      out.push(...page.items.map((x) => x.assetTag));
      if (!page.nextCursor) return out;
      cursor = page.nextCursor;
    }
    throw new Error('too many pages');
  };
  const keyOf: Record<string, (i: FullItem) => string | null> = {
    model: (i) => i.model.name,
    category: (i) => i.category.name,
    manufacturer: (i) => i.manufacturer?.name ?? null,
    location: (i) => i.location?.name ?? null,
    assignee: (i) => i.assignee?.label ?? null,
    supplier: (i) => (withSupplier.has(i.id) ? 'CDW' : null),
    department: (i) => (withSupplier.has(i.id) ? 'Finance' : null),
  };
  /** The expected order, from the items themselves: names (case-insensitive) then id; empty names last, by id. */
  const expected = async (key: string, desc: boolean, filter = '') => {
    const items = (await get(`limit=200${filter}`)).items;
    const k = (i: FullItem) => keyOf[key]!(i)?.toLowerCase() ?? null;
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const named = items.filter((i) => k(i) !== null).sort((a, b) => cmp(k(a)!, k(b)!) || cmp(a.id, b.id));
    const empty = items.filter((i) => k(i) === null).sort((a, b) => cmp(a.id, b.id));
    if (desc) { named.reverse(); empty.reverse(); }
    return [...named, ...empty].map((i) => i.assetTag);
  };
  const KEYS = ['model', 'category', 'manufacturer', 'location', 'assignee', 'supplier', 'department'];
  const checkAll = async (filter = '') => {
    for (const key of KEYS) {
      for (const desc of [false, true]) {
        const want = await expected(key, desc, filter);
        const sort = `${desc ? '-' : ''}${key}`;
        expect((await get(`sort=${sort}&limit=200${filter}`)).items.map((i) => i.assetTag), sort).toEqual(want);
        for (const limit of [1, 2, 3]) expect(await allPages(`sort=${sort}${filter}`, limit), `${sort} by ${limit}`).toEqual(want);
      }
    }
  };

  beforeAll(async () => {
    t = await createTestApp(engine);
    s = await setupOwner(t);
    tech = await addMember(t, s, 'technician');
    viewer = await addMember(t, s, 'auditor');
    w = await makeWorld(t.database.db, s.orgId);
    const db = t.database.db;
    const models = ['latitude', 'macbook', 'iphone'] as const;
    const locs = [w.loc.hq, w.loc.floor2, w.loc.room4, w.loc.branch, null];
    for (let n = 0; n < 14; n++) {
      const tag = `A-${String(n).padStart(3, '0')}`;
      const sup = n % 3 === 0;
      ids[tag] = await addAsset(db, w, { tag, model: models[n % 3], location: locs[n % 5], state: n % 2 ? 'deployed' : 'in_stock', supplier: sup, department: sup });
      if (sup) withSupplier.add(ids[tag]);
    }
    // One manufacturer-less asset (manufacturer is nullable).
    await db.updateTable('assets').set({ manufacturer_id: null }).where('id', '=', ids['A-013']!).execute();
    await checkOut(db, w.orgId, ids['A-001']!, { user: tech.userId });
    await checkOut(db, w.orgId, ids['A-002']!, { user: viewer.userId });
    await checkOut(db, w.orgId, ids['A-003']!, { location: w.loc.branch });
    await checkOut(db, w.orgId, ids['A-004']!, { asset: ids['A-000']! });
    await checkOut(db, w.orgId, ids['A-005']!, { user: tech.userId });
  });
  afterAll(() => {
    Object.assign(tuning, defaults);
    return t.close();
  });

  it('sorts by each name both ways, empty names last, pages without gaps or repeats', async () => {
    await checkAll();
    // sanity: the fixtures do exercise both segments
    expect((await expected('assignee', false)).slice(-1)[0]).toBeDefined();
    expect(await expected('manufacturer', false)).toContain('A-013');
  });

  it('sorts with filters, whichever plan reads the page', async () => {
    await checkAll('&state=deployed');
    await checkAll(`&modelId=${w.model.iphone}`);
    Object.assign(tuning, { probeCap: 2, walkWindow: 2, fallbackCap: 3 });
    try {
      await checkAll('&state=deployed');
      await checkAll(`&locationId=${w.loc.hq}`);
      await checkAll('&assigned=true');
    } finally {
      Object.assign(tuning, defaults);
    }
  });

  it('follows renames and custody changes (triggers)', async () => {
    const db = t.database.db;
    const first = async (sort: string) => (await get(`sort=${sort}&limit=1`)).items[0]!.assetTag;
    // Model rename: "Latitude 5440" → "Aardvark" now sorts first.
    await db.updateTable('models').set({ name: 'Aardvark' }).where('id', '=', w.model.latitude).execute();
    expect(await first('model')).toBe('A-000');
    await db.updateTable('categories').set({ name: 'aaa phones' }).where('id', '=', w.cat.phones).execute();
    expect(await first('category')).toBe('A-002');
    await db.updateTable('manufacturers').set({ name: 'Zebra' }).where('id', '=', w.mf.apple).execute();
    expect(await first('-manufacturer')).toBe('A-011');
    await db.updateTable('locations').set({ name: 'Zz Branch' }).where('id', '=', w.loc.branch).execute();
    expect(await first('-location')).toBe('A-013');
    expect(await first('-assignee')).toBe('A-003');
    await db.updateTable('suppliers').set({ name: 'Other' }).where('id', '=', w.supplier).execute();
    await db.updateTable('departments').set({ name: 'Ops' }).where('id', '=', w.department).execute();
    // An asset moved to another location, another model (and category, manufacturer).
    await db.updateTable('assets').set({ location_id: w.loc.hq }).where('id', '=', ids['A-004']!).execute();
    await db.updateTable('assets').set({ model_id: w.model.iphone, category_id: w.cat.phones, manufacturer_id: w.mf.apple }).where('id', '=', ids['A-000']!).execute();
    // Custody: A-001 returned and checked out to the viewer; A-002 returned; a member renamed; the target asset retagged.
    const now = nowIso();
    await db.updateTable('assignments').set({ returned_at: now }).where('asset_id', 'in', [ids['A-001']!, ids['A-002']!]).where('returned_at', 'is', null).execute();
    await checkOut(db, w.orgId, ids['A-001']!, { user: viewer.userId });
    await db.updateTable('assets').set({ asset_tag: 'ZZ-DOCK' }).where('id', '=', ids['A-000']!).execute();
    expect(await first('-assignee')).toBe('A-004');
    await db.updateTable('users').set({ display_name: 'Aaron Alpha' }).where('id', '=', viewer.userId).execute();
    expect(await first('assignee')).toBe('A-001');
    await checkAll();
    // Deleted assets disappear from the keys too (no orphan rows).
    await db.deleteFrom('assignments').where('asset_id', '=', ids['A-005']!).execute();
    await checkAll();
    const orphans = await db.selectFrom('asset_sort_keys').select('asset_id').where('asset_id', 'not in', db.selectFrom('assets').select('id')).execute();
    expect(orphans).toEqual([]);
  });

  it('rejects a cursor of another name sort', async () => {
    const page = await get('sort=model&limit=2');
    const res = await call(t, s, 'GET', `/api/v1/assets?sort=location&limit=2&cursor=${page.nextCursor}`);
    expect(res.statusCode).toBe(400);
  });
});

describe('relevance tiers that q cannot match are not queried (sqlite)', () => {
  let t: TestApp;
  let s: Session;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    s = await setupOwner(t);
    const w = await makeWorld(t.database.db, s.orgId);
    await addAsset(t.database.db, w, { tag: 'LAP-7001', serial: 'LATX7001', name: 'latitude spare' });
    await addAsset(t.database.db, w, { tag: 'LAP-7002', serial: null, name: 'other' });
  });
  afterAll(() => t.close());

  /** The page queries (one per relevance tier read) a search runs, and the tags it returns. */
  async function search(q: string): Promise<{ pageQueries: number; tags: string[] }> {
    const raw = t.database.raw as SQLite.Database;
    const prepare = raw.prepare;
    const texts: string[] = [];
    // Kysely prepares (here: takes from the statement cache) every statement it runs.
    raw.prepare = ((source: string) => {
      texts.push(source);
      return prepare.call(raw, source);
    }) as typeof raw.prepare;
    try {
      const res = await call(t, s, 'GET', `/api/v1/assets?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, res.body).toBe(200);
      return { pageQueries: texts.filter((x) => x.includes(') as "page"')).length, tags: res.json<Page>().items.map((i) => i.assetTag) };
    } finally {
      raw.prepare = prepare;
    }
  }

  it('a multi-word q reads only the full-text tier; one word reads exact, tag prefix, serial prefix and full text', async () => {
    expect(await search('dell lat')).toEqual({ pageQueries: 1, tags: ['LAP-7002', 'LAP-7001'] });
    // LATX7001 is a serial prefix match (tier 2); the full-text tier adds nothing new.
    expect(await search('latx')).toEqual({ pageQueries: 4, tags: ['LAP-7001'] });
  });
});
