import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMember, call, createTestApp, engines, setupOwner, type Session, type TestApp } from './harness.js';
import { newId, nowIso } from '../src/lib/ids.js';
import { safeCell } from '../src/modules/search/search.service.js';
import { DEFAULT_READ_LIMITS, inspect, readRows } from '../src/modules/imports/imports.read.js';

/** Reads an XLSX body back with the import reader: header and data rows as strings. */
async function readXlsx(body: Buffer): Promise<string[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-export-'));
  try {
    const path = join(dir, 'export.xlsx');
    writeFileSync(path, body);
    const info = await inspect(path, {}, DEFAULT_READ_LIMITS);
    expect(info).toMatchObject({ format: 'xlsx', sheets: ['Assets'], sheet: 'Assets', headerLine: 1 });
    const rows: string[][] = [info.headers];
    for await (const r of readRows(path, info, DEFAULT_READ_LIMITS)) rows.push(r.cells);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Minimal RFC 4180 reader for the assertions (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += ch;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

describe('formula-injection escaping', () => {
  it('prefixes cells a spreadsheet would evaluate, leaves numbers and plain text alone', () => {
    expect(safeCell('=1+1')).toBe("'=1+1");
    expect(safeCell('+44 20 7946 0000')).toBe("'+44 20 7946 0000");
    expect(safeCell('-x')).toBe("'-x");
    expect(safeCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(safeCell('\tcmd')).toBe("'\tcmd");
    expect(safeCell('\rcmd')).toBe("'\rcmd");
    expect(safeCell('LAP-00001')).toBe('LAP-00001');
    expect(safeCell(-12.5)).toBe(-12.5);
    expect(safeCell(null)).toBe('');
    expect(safeCell(['Touch', 'LTE'])).toBe('Touch; LTE');
    expect(safeCell(true)).toBe('true');
  });
});

describe.each(engines)('CSV export (%s)', (engine) => {
  let t: TestApp;
  let s: Session;
  let orgId: string;
  let categoryId: string;
  const N = 1203; // more than two export pages of 500

  beforeAll(async () => {
    t = await createTestApp(engine);
    s = await setupOwner(t);
    orgId = s.orgId;
    const db = t.database.db;
    const now = nowIso();
    const stamp = { org_id: orgId, created_at: now, updated_at: now };
    categoryId = newId();
    await db.insertInto('categories').values({ id: categoryId, name: 'Laptops', asset_class: 'laptop', data_bearing: 1, requires_acceptance: 0, acceptance_terms: null, acceptance_terms_version: null, ...stamp }).execute();
    const mf = newId();
    await db.insertInto('manufacturers').values({ id: mf, name: 'Dell', support_url: null, warranty_lookup_url: null, ...stamp }).execute();
    const model = newId();
    await db.insertInto('models').values({ id: model, name: 'Latitude 5440', model_number: null, category_id: categoryId, manufacturer_id: mf, eol_months: 48, default_custom_fields: '{}', image_path: null, ...stamp }).execute();
    const field = newId();
    await db.insertInto('custom_fields').values({ id: field, category_id: categoryId, key: 'ram_gb', label: 'RAM (GB)', type: 'number', options: '[]', regex: null, required: 0, unique_values: 0, help_text: null, position: 0, ...stamp }).execute();
    const asset = (i: number, over: Record<string, unknown> = {}) => ({
      id: newId(), org_id: orgId, asset_tag: `EXP-${String(i).padStart(5, '0')}`, serial: `SN${i}`, name: null, model_id: model, category_id: categoryId,
      manufacturer_id: mf, lifecycle_state: i % 3 === 0 ? 'deployed' : 'in_stock', location_id: null, default_location_id: null, supplier_id: null,
      department_id: null, purchase_date: '2025-01-02', purchase_cost_minor: 100000 + i, currency: 'EUR', order_number: null, invoice_number: null,
      warranty_end: null, eol_date: null, notes: null, parent_asset_id: null, custom_fields: JSON.stringify({ ram_gb: 8 + (i % 3) * 8 }),
      created_at: now, updated_at: now, deleted_at: null, ...over,
    });
    const rows = Array.from({ length: N }, (_, i) => asset(i + 1));
    for (let i = 0; i < rows.length; i += 200) await db.insertInto('assets').values(rows.slice(i, i + 200)).execute();
    const values = rows.map((r, i) => ({ org_id: orgId, asset_id: r.id, field_id: field, value_text: null, value_num: 8 + ((i + 1) % 3) * 8 }));
    for (let i = 0; i < values.length; i += 300) await db.insertInto('asset_field_values').values(values.slice(i, i + 300)).execute();
    // Hostile and awkward cells.
    await db.insertInto('assets').values([
      asset(90001, { asset_tag: '=HYPERLINK("http://evil")', serial: '+1-555', name: 'Smith, "Jr"\nsecond line', notes: '@SUM(A1)', purchase_cost_minor: null, currency: null }),
      asset(90002, { asset_tag: 'ZZ-TAB', name: '\tleading tab', notes: '\rleading CR', serial: '-5', warranty_end: '2027-02-28', eol_date: '2029-12-31' }),
    ]).execute();
  });
  afterAll(() => t.close());

  const exportCsv = async (qs: string, as: Session = s) => {
    const res = await call(t, as, 'GET', `/api/v1/assets/export.csv${qs ? `?${qs}` : ''}`);
    return res;
  };

  it('streams every matching row once, in the list order, with a header, BOM and CRLF', async () => {
    const res = await exportCsv('columns=assetTag,serial,lifecycleState,purchaseCost,cf.ram_gb');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="assets-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.body.startsWith('\ufeff')).toBe(true);
    expect(res.body).toContain('\r\n');
    const rows = parseCsv(res.body.slice(1));
    expect(rows[0]).toEqual(['Asset tag', 'Serial', 'State', 'Purchase cost', 'RAM (GB)']);
    const data = rows.slice(1);
    expect(data).toHaveLength(N + 2);
    const tags = data.map((r) => r[0]!);
    expect(new Set(tags).size).toBe(N + 2);
    // The list order (by tag), across the 500-row pages.
    const list: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call(t, s, 'GET', `/api/v1/assets?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      const page: { items: { assetTag: string }[]; nextCursor: string | null } = res.json();
      list.push(...page.items.map((i) => i.assetTag));
      cursor = page.nextCursor;
    } while (cursor);
    expect(tags).toEqual(list.map((x) => (/^[=+\-@\t\r]/.test(x) ? `'${x}` : x)));
    const first = data.find((r) => r[0] === 'EXP-00001')!;
    expect(first).toEqual(['EXP-00001', 'SN1', 'in_stock', '1000.01', '16']);
  });

  it('escapes formula cells and quotes separators, quotes and line breaks', async () => {
    const res = await exportCsv('q=ZZ-TAB&columns=assetTag,name,notes,serial');
    expect(parseCsv(res.body.slice(1))).toEqual([['Asset tag', 'Name', 'Notes', 'Serial'], ['ZZ-TAB', "'\tleading tab", "'\rleading CR", "'-5"]]);
    const evil = await exportCsv('state=in_stock&sort=-assetTag&columns=assetTag,serial,name,notes,purchaseCost');
    const row = parseCsv(evil.body.slice(1)).find((r) => r[0]!.includes('HYPERLINK'))!;
    expect(row).toEqual(["'=HYPERLINK(\"http://evil\")", "'+1-555", 'Smith, "Jr"\nsecond line', "'@SUM(A1)", '']);
    expect(evil.body).toContain('"\'=HYPERLINK(""http://evil"")"');
  });

  it('applies the list filters and sort, and the default columns', async () => {
    const res = await exportCsv('state=deployed&sort=-assetTag&cf.ram_gb=8');
    const rows = parseCsv(res.body.slice(1));
    expect(rows[0]).toEqual(['Asset tag', 'Name', 'Serial', 'State', 'Category', 'Manufacturer', 'Model', 'Location', 'Assigned to', 'Department', 'Purchase date', 'Purchase cost', 'Currency', 'Warranty end', 'End of life']);
    const data = rows.slice(1);
    // deployed = every third asset; ram 8 = i % 3 === 0 too.
    expect(data).toHaveLength(Math.floor(N / 3));
    expect(data.every((r) => r[3] === 'deployed' && r[4] === 'Laptops' && r[6] === 'Latitude 5440')).toBe(true);
    expect(data.map((r) => r[0])).toEqual([...data.map((r) => r[0]!)].sort().reverse());
  });

  it('refuses bad columns and filters before streaming anything', async () => {
    const bad = await exportCsv('columns=assetTag,shoeSize');
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({ code: 'search.invalid_columns', errors: [{ path: '/querystring/columns/1', code: 'unknown_column' }] });
    const repeated = await exportCsv('columns=assetTag&columns=serial,assetTag');
    expect(repeated.statusCode).toBe(422);
    const cf = await exportCsv('columns=cf.nope');
    expect(cf.json()).toMatchObject({ errors: [{ path: '/querystring/columns/0', code: 'unknown_field' }] });
    const filter = await exportCsv('cf.nope=1');
    expect(filter.statusCode).toBe(422);
    const extra = await exportCsv('cursor=abc');
    expect(extra.statusCode).toBe(400);
    const employee = await addMember(t, s, 'employee');
    expect((await exportCsv('', employee)).statusCode).toBe(403);
  });

  const exportXlsx = async (qs: string, as: Session = s) => call(t, as, 'GET', `/api/v1/assets/export.xlsx${qs ? `?${qs}` : ''}`);

  it('XLSX: streams every matching row in the list order; numbers, dates and custom fields come back through the import reader', async () => {
    const res = await exportXlsx('columns=assetTag,serial,lifecycleState,purchaseCost,purchaseDate,cf.ram_gb');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="assets-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const rows = await readXlsx(res.rawPayload);
    expect(rows[0]).toEqual(['Asset tag', 'Serial', 'State', 'Purchase cost', 'Purchase date', 'RAM (GB)']);
    const data = rows.slice(1);
    expect(data).toHaveLength(N + 2);
    // Same rows, same order as the CSV export.
    const csv = parseCsv((await exportCsv('columns=assetTag')).body.slice(1)).slice(1).map((r) => r[0]);
    expect(data.map((r) => r[0])).toEqual(csv);
    // Numbers are numbers (1000.01, not "1000.01" text), dates are date cells read back as ISO.
    expect(data.find((r) => r[0] === 'EXP-00001')).toEqual(['EXP-00001', 'SN1', 'in_stock', '1000.01', '2025-01-02', '16']);
    expect(data.find((r) => r[0] === 'EXP-00002')).toEqual(['EXP-00002', 'SN2', 'in_stock', '1000.02', '2025-01-02', '24']);
  });

  it('XLSX: escapes formula cells like the CSV, keeps quotes, separators and line breaks, writes date columns as dates', async () => {
    const res = await exportXlsx('q=ZZ-TAB&columns=assetTag,name,notes,serial,warrantyEnd,eolDate');
    expect(await readXlsx(res.rawPayload)).toEqual([
      ['Asset tag', 'Name', 'Notes', 'Serial', 'Warranty end', 'End of life'],
      ['ZZ-TAB', "'\tleading tab", "'\rleading CR", "'-5", '2027-02-28', '2029-12-31'],
    ]);
    const evil = await exportXlsx('state=in_stock&sort=-assetTag&columns=assetTag,serial,name,notes,purchaseCost');
    const row = (await readXlsx(evil.rawPayload)).find((r) => r[0]!.includes('HYPERLINK'));
    expect(row).toEqual(["'=HYPERLINK(\"http://evil\")", "'+1-555", 'Smith, "Jr"\nsecond line', "'@SUM(A1)", '']);
  });

  it('XLSX: applies the filters, the sort and the default columns', async () => {
    const res = await exportXlsx('state=deployed&sort=-assetTag&cf.ram_gb=8');
    const rows = await readXlsx(res.rawPayload);
    const csv = parseCsv((await exportCsv('state=deployed&sort=-assetTag&cf.ram_gb=8')).body.slice(1));
    expect(rows[0]).toEqual(csv[0]);
    expect(rows).toHaveLength(Math.floor(N / 3) + 1);
    expect(rows.slice(1).map((r) => r[0])).toEqual(csv.slice(1).map((r) => r[0]));
  });

  it('XLSX: refuses bad columns and filters before streaming anything; needs asset.read', async () => {
    const bad = await exportXlsx('columns=assetTag,shoeSize');
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({ code: 'search.invalid_columns', errors: [{ path: '/querystring/columns/1', code: 'unknown_column' }] });
    expect((await exportXlsx('cf.nope=1')).statusCode).toBe(422);
    expect((await exportXlsx('cursor=abc')).statusCode).toBe(400);
    const employee = await addMember(t, s, 'employee');
    expect((await exportXlsx('', employee)).statusCode).toBe(403);
  });
});
