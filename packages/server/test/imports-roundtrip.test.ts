import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, createTestApp, engines, newOrganization, setupOwner, switchTo, login, type Session, type TestApp } from './harness.js';
import { importFile } from './imports-helpers.js';
import { readRows, inspect, DEFAULT_READ_LIMITS } from '../src/modules/imports/imports.read.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Created { id: string }
interface AssetDetail {
  assetTag: string; name: string | null; serial: string | null; lifecycleState: string; model: { name: string }; category: { name: string };
  manufacturer: { name: string } | null; location: { name: string } | null; defaultLocation: { name: string } | null; supplier: { name: string } | null;
  department: { name: string } | null; purchaseDate: string | null; purchaseCost: number | null; currency: string | null; warrantyEnd: string | null;
  eolDate: string | null; notes: string | null; orderNumber: string | null; invoiceNumber: string | null; customFields: Record<string, unknown>;
  currentAssignment: { target: { label: string } } | null;
}

/** Export → import into an empty organization → the same data, compared through the API. */
describe.each(engines)('imports: export round trip (%s)', (engine) => {
  let t: TestApp;
  let a: Session;
  let b: Session;

  beforeAll(async () => {
    t = await createTestApp(engine);
    a = await setupOwner(t, 'Source Org');
  });
  afterAll(() => t.close());

  const post = async <T = Created>(as: Session, url: string, body: unknown): Promise<T> => {
    const res = await call(t, as, 'POST', url, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<T>();
  };
  const get = async <T>(as: Session, url: string): Promise<T> => {
    const res = await call(t, as, 'GET', url);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<T>();
  };

  async function fields(as: Session, categoryId: string): Promise<void> {
    await post(as, `/api/v1/categories/${categoryId}/fields`, { key: 'ram_gb', label: 'RAM (GB)', type: 'number' });
    await post(as, `/api/v1/categories/${categoryId}/fields`, { key: 'os', label: 'Operating system', type: 'select', options: ['Windows', 'macOS', 'Linux'] });
    await post(as, `/api/v1/categories/${categoryId}/fields`, { key: 'encrypted', label: 'Encrypted', type: 'boolean' });
    await post(as, `/api/v1/categories/${categoryId}/fields`, { key: 'leased_until', label: 'Leased until', type: 'date' });
  }

  it('assets, users, locations, departments, suppliers and models re-import losslessly', async () => {
    // ---------- source data, through the API ----------
    const hq = await post(a, '/api/v1/locations', { name: 'HQ', address: '1 Main St', latitude: 51.5, longitude: -0.12 });
    const floor = await post(a, '/api/v1/locations', { name: 'Floor 2', parentId: hq.id });
    const depot = await post(a, '/api/v1/locations', { name: 'Depot' });
    const dept = await post(a, '/api/v1/departments', { name: 'Engineering', code: 'ENG', costCentre: 'CC-42' });
    const supplier = await post(a, '/api/v1/suppliers', { name: 'Insight', contactName: 'Sam', email: 'sam@insight.test', phone: '+44 20 7946 0000', url: 'https://insight.test' });
    const dev = await addMember(t, a, 'technician');
    const res = await call(t, a, 'PATCH', `/api/v1/members/${dev.userId}/profile`, { employeeNumber: 'E-7', title: '=cmd|evil', phone: '+1 555 0100', departmentId: dept.id, locationId: floor.id, managerUserId: a.userId });
    expect(res.statusCode, res.body).toBe(200);
    const laptops = await post(a, '/api/v1/categories', { name: 'Laptops', assetClass: 'laptop' });
    await fields(a, laptops.id);
    const monitors = await post(a, '/api/v1/categories', { name: 'Monitors', assetClass: 'monitor' });
    const dell = await post(a, '/api/v1/manufacturers', { name: 'Dell' });
    const xps = await post(a, '/api/v1/models', { name: 'XPS 13', modelNumber: '9340', categoryId: laptops.id, manufacturerId: dell.id, eolMonths: 48 });
    const u27 = await post(a, '/api/v1/models', { name: 'U2723QE', categoryId: monitors.id, manufacturerId: dell.id });
    const first = await post(a, '/api/v1/assets', {
      assetTag: 'RT-1', name: 'Dev laptop', serial: 'SER-1', modelId: xps.id, defaultLocationId: hq.id, supplierId: supplier.id, departmentId: dept.id,
      purchaseDate: '2024-01-31', purchaseCost: 1234.56, currency: 'EUR', orderNumber: 'PO-9', invoiceNumber: 'INV-1', warrantyMonths: 36,
      notes: 'Line one\nline two, with "quotes"', customFields: { ram_gb: 32, os: 'Linux', encrypted: true, leased_until: '2027-06-30' },
    });
    await post(a, '/api/v1/assets', { assetTag: 'RT-2', serial: 'SER-2', modelId: u27.id, locationId: depot.id, eolDate: '2030-01-01' });
    await post(a, '/api/v1/assets', { assetTag: 'RT-3', modelId: xps.id, defaultLocationId: floor.id, purchaseDate: '2023-05-05', customFields: { os: 'Windows' } });
    const co = await call(t, a, 'POST', `/api/v1/assets/${first.id}/checkout`, { targetType: 'user', targetId: dev.userId });
    expect(co.statusCode, co.body).toBe(200);
    const rt3 = (await get<{ items: { id: string; assetTag: string }[] }>(a, '/api/v1/assets?q=RT-3')).items.find((x) => x.assetTag === 'RT-3')!;
    const tr = await call(t, a, 'POST', `/api/v1/assets/${rt3.id}/transition`, { to: 'retired', reason: 'old' });
    expect(tr.statusCode, tr.body).toBe(200);

    // ---------- export everything ----------
    const files: Record<string, string> = {};
    for (const target of ['locations', 'departments', 'suppliers', 'users', 'models', 'assets']) {
      const r = await call(t, a, 'GET', `/api/v1/exports/${target}.csv`);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toContain('text/csv');
      files[target] = r.body;
    }
    expect(files.assets!.split('\r\n')[0]).toBe('\uFEFFAsset Tag,Name,Serial,Model,Model Number,Category,Manufacturer,Status,Location,Current Location,Supplier,Department,Purchase Date,Purchase Cost,Currency,Order Number,Invoice Number,Warranty End,Asset EOL Date,Notes,Checked Out To: Username,External Id,RAM (GB),Operating system,Encrypted,Leased until');
    // Formula-looking text is escaped in the export.
    expect(files.users).toContain("'=cmd|evil");
    const xl = await call(t, a, 'GET', '/api/v1/exports/assets.xlsx');
    expect(xl.statusCode).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'rt-'));
    writeFileSync(join(dir, 'a.xlsx'), xl.rawPayload);
    const info = await inspect(join(dir, 'a.xlsx'), {}, DEFAULT_READ_LIMITS);
    const xrows: string[][] = [];
    for await (const r of readRows(join(dir, 'a.xlsx'), info, DEFAULT_READ_LIMITS)) xrows.push(r.cells);
    expect(xrows.map((r) => r[0]).sort()).toEqual(['RT-1', 'RT-2', 'RT-3']);

    // ---------- an empty organization: same custom field definitions, then the files in order ----------
    b = await switchTo(t, await login(t, a.email), await newOrganization(t, a, 'Target Org'));
    for (const target of ['locations', 'departments', 'suppliers', 'users', 'models']) {
      const job = await importFile(t, b, target, files[target]!, { createMissing: true }, `${target}.csv`);
      expect(job.status, `${target}: ${job.failureReason ?? ''}`).toBe('committed');
    }
    const laptopsB = (await get<{ id: string; name: string }[]>(b, '/api/v1/categories')).find((c) => c.name === 'Laptops')!;
    await fields(b, laptopsB.id);
    const job = await importFile(t, b, 'assets', files.assets!, { createMissing: true }, 'assets.csv');
    expect(job.status, job.failureReason ?? '').toBe('committed');
    expect(job.counts).toMatchObject({ created: 3, failed: 0 });

    // ---------- compare through the API ----------
    const assetsOf = async (s: Session) => {
      const list = await get<{ items: { id: string; assetTag: string }[] }>(s, '/api/v1/assets?limit=100');
      const out: Record<string, unknown> = {};
      for (const item of list.items) {
        const d = await get<AssetDetail>(s, `/api/v1/assets/${item.id}`);
        out[d.assetTag] = {
          name: d.name, serial: d.serial, state: d.lifecycleState, model: d.model.name, category: d.category.name, manufacturer: d.manufacturer?.name ?? null,
          location: d.location?.name ?? null, defaultLocation: d.defaultLocation?.name ?? null, supplier: d.supplier?.name ?? null, department: d.department?.name ?? null,
          purchaseDate: d.purchaseDate, purchaseCost: d.purchaseCost, currency: d.currency, warrantyEnd: d.warrantyEnd, eolDate: d.eolDate, notes: d.notes,
          orderNumber: d.orderNumber, invoiceNumber: d.invoiceNumber, customFields: d.customFields, holder: d.currentAssignment?.target.label ?? null,
        };
      }
      return out;
    };
    const sourceAssets = await assetsOf(a);
    expect(Object.keys(sourceAssets).sort()).toEqual(['RT-1', 'RT-2', 'RT-3']);
    expect(await assetsOf(b)).toEqual(sourceAssets);

    const locationsOf = async (s: Session) => (await get<{ pathNames: string[]; address: string | null; latitude: number | null; longitude: number | null }[]>(s, '/api/v1/locations'))
      .map((l) => ({ path: l.pathNames.join('/'), address: l.address, latitude: l.latitude, longitude: l.longitude }));
    expect(await locationsOf(b)).toEqual(await locationsOf(a));
    const peopleOf = async (s: Session) => {
      const members = await get<{ userId: string; email: string; displayName: string; role: string }[]>(s, '/api/v1/members');
      const out = [];
      for (const m of members) {
        const p = await get<{ employeeNumber: string | null; title: string | null; phone: string | null; department: { name: string } | null; location: { pathNames: string[] } | null; manager: { displayName: string } | null }>(s, `/api/v1/members/${m.userId}/profile`);
        out.push({ email: m.email, name: m.displayName, role: m.role, employeeNumber: p.employeeNumber, title: p.title, phone: p.phone, department: p.department?.name ?? null, location: p.location?.pathNames ?? null, manager: p.manager?.displayName ?? null });
      }
      return out.sort((x, y) => x.email.localeCompare(y.email));
    };
    expect(await peopleOf(b)).toEqual(await peopleOf(a));
    const deptsOf = async (s: Session) => (await get<{ name: string; code: string | null; costCentre: string | null }[]>(s, '/api/v1/departments')).map((d) => ({ name: d.name, code: d.code, costCentre: d.costCentre }));
    expect(await deptsOf(b)).toEqual(await deptsOf(a));
    const suppliersOf = async (s: Session) => (await get<{ name: string; contactName: string | null; email: string | null; phone: string | null; url: string | null }[]>(s, '/api/v1/suppliers'))
      .map((x) => ({ name: x.name, contactName: x.contactName, email: x.email, phone: x.phone, url: x.url }));
    expect(await suppliersOf(b)).toEqual(await suppliersOf(a));
    const modelsOf = async (s: Session) => (await get<{ name: string; modelNumber: string | null; category: { name: string }; manufacturer: { name: string } | null; eolMonths: number | null }[]>(s, '/api/v1/models'))
      .map((m) => ({ name: m.name, modelNumber: m.modelNumber, category: m.category.name, manufacturer: m.manufacturer?.name ?? null, eolMonths: m.eolMonths }));
    expect(await modelsOf(b)).toEqual(await modelsOf(a));

    // Exporting B gives the same file as A (the round trip is stable).
    const again = await call(t, b, 'GET', '/api/v1/exports/assets.csv');
    expect(again.body).toBe(files.assets);
  });
});
