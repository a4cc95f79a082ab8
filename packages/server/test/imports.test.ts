import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, createTestApp, engines, eventCount, type Session, type TestApp } from './harness.js';
import { commit, csv, errorsOf, getJob, importFile, upload, uploadRaw, validate, type Job } from './imports-helpers.js';

interface Problem { code: string; detail: string; errors: { path: string; code?: string; message: string }[] }

const SNIPE_HEADERS = [
  'Asset Tag', 'Name', 'Serial', 'Model', 'Model Number', 'Category', 'Manufacturer', 'Location', 'Purchase Date', 'Purchase Cost',
  'Order Number', 'Supplier', 'Status', 'Warranty', 'Checked Out To: Username', 'Asset EOL Date', 'Notes', 'Company',
];

describe.each(engines)('imports: assets (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  let employee: Session;
  let tech: Session;

  beforeAll(async () => {
    t = await createTestApp(engine);
    const { setupOwner } = await import('./harness.js');
    owner = await setupOwner(t, 'Org A');
    employee = await addMember(t, owner, 'employee');
    tech = await addMember(t, owner, 'technician');
  });
  afterAll(() => t.close());

  const db = () => t.database.db;
  const assetCount = async (orgId = owner.orgId) => Number((await db().selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).n);
  const byTag = (tag: string) => db().selectFrom('assets').selectAll().where('org_id', '=', owner.orgId).where('asset_tag', '=', tag).executeTakeFirst();

  it('auto-maps a Snipe-IT export, dry-runs it (planning new references), commits it, and a re-import changes nothing', async () => {
    const file = csv([
      SNIPE_HEADERS,
      ['SN-0001', 'Alice laptop', 'C02X1', 'MacBook Pro 14', 'A2442', 'Laptops', 'Apple', 'HQ / Floor 2', '03/15/2024', '$2,499.00', 'PO-1', 'Insight', 'Ready to Deploy', '36', employee.email, '', 'first', 'Acme'],
      ['SN-0002', '', 'C02X2', 'MacBook Pro 14', 'A2442', 'Laptops', 'Apple', 'HQ / Floor 2', '03/16/2024', '2499', 'PO-1', 'Insight', '', '36 months', '', '', '', 'Acme'],
      ['SN-0003', 'Printer', 'PR-9', 'LaserJet 400', '', 'Printers', 'HP', 'HQ', '12/31/2023', '399.5', '', '', 'Archived', '', '', '2028-12-31', 'old', ''],
    ]);
    const job = await upload(t, owner, 'assets', file, { filename: 'snipeit-export.csv' });
    expect(job.status).toBe('uploaded');
    expect(job.progress.total).toBe(3);
    expect(job.source.headers).toEqual(SNIPE_HEADERS);
    const map = Object.fromEntries(job.source.headers.map((h, i) => [h, job.mapping[job.source.headerKeys[i]!]]));
    expect(map).toEqual({
      'Asset Tag': 'assetTag', Name: 'name', Serial: 'serial', Model: 'model', 'Model Number': 'modelNumber', Category: 'category', Manufacturer: 'manufacturer',
      Location: 'location', 'Purchase Date': 'purchaseDate', 'Purchase Cost': 'purchaseCost', 'Order Number': 'orderNumber', Supplier: 'supplier',
      Status: 'status', Warranty: 'warrantyMonths', 'Checked Out To: Username': 'checkedOutTo', 'Asset EOL Date': 'eolDate', Notes: 'notes', Company: null,
    });
    expect(job.formats['Purchase Date']).toMatchObject({ date: 'mdy' });
    expect(job.formats['Purchase Cost']).toMatchObject({ number: 'dot' });

    // Without createMissing the unknown names are errors, per row and cell.
    const refused = await validate(t, owner, job.id);
    expect(refused.status).toBe('validated');
    expect(refused.counts).toMatchObject({ created: 0, failed: 3 });
    const errs = await errorsOf(t, owner, job.id);
    expect(errs.find((e) => e.line === 2 && e.field === 'model')).toMatchObject({ column: 'Model', code: 'unknown_reference' });

    // With createMissing: a plan of what will be created.
    const patched = await call(t, owner, 'PATCH', `/api/v1/imports/${job.id}`, { options: { createMissing: true } });
    expect(patched.statusCode, patched.body).toBe(200);
    const dry = await validate(t, owner, job.id);
    expect(dry.counts, JSON.stringify(await errorsOf(t, owner, job.id))).toMatchObject({ created: 3, updated: 0, unchanged: 0, failed: 0, errors: 0 });
    expect(dry.report?.newReferences.counts).toEqual({ category: 2, manufacturer: 2, model: 2, location: 2, supplier: 1 });
    expect(dry.report?.newReferences.items).toContainEqual({ kind: 'location', name: 'HQ / Floor 2' });
    expect(await assetCount()).toBe(0);

    const events = await eventCount(t);
    const done = await commit(t, owner, job.id);
    expect(done.status, done.failureReason ?? '').toBe('committed');
    expect(done.counts).toMatchObject({ created: 3, failed: 0, committedRows: 3 });
    expect(await assetCount()).toBe(3);

    const a1 = (await byTag('SN-0001'))!;
    expect(a1).toMatchObject({ serial: 'C02X1', name: 'Alice laptop', purchase_date: '2024-03-15', warranty_end: '2027-03-15', order_number: 'PO-1', lifecycle_state: 'deployed' });
    expect(Number(a1.purchase_cost_minor)).toBe(249900);
    const detail = (await call(t, owner, 'GET', `/api/v1/assets/${a1.id}`)).json<{ model: { name: string }; category: { name: string }; manufacturer: { name: string }; supplier: { name: string }; defaultLocation: { name: string }; currentAssignment: { target: { id: string } } }>();
    expect(detail).toMatchObject({ model: { name: 'MacBook Pro 14' }, category: { name: 'Laptops' }, manufacturer: { name: 'Apple' }, supplier: { name: 'Insight' }, defaultLocation: { name: 'Floor 2' } });
    expect(detail.currentAssignment.target.id).toBe(employee.userId);
    const a3 = (await byTag('SN-0003'))!;
    expect(a3).toMatchObject({ lifecycle_state: 'retired', eol_date: '2028-12-31', purchase_cost_minor: 39950 });

    // Every change has its event, linked to the job.
    const evs = await db().selectFrom('events').select(['action', 'entity_id', 'meta']).where('seq', '>', 0).where('org_id', '=', owner.orgId).orderBy('seq').execute();
    const mine = evs.filter((e) => (JSON.parse(e.meta) as { importJobId?: string }).importJobId === job.id);
    const actions = mine.map((e) => e.action);
    expect(actions.filter((a) => a === 'asset.created')).toHaveLength(3);
    // A creation's change set: every field with a value, from nothing (what creating it through the API records).
    const createdA1 = await db().selectFrom('events').select('changes').where('org_id', '=', owner.orgId).where('action', '=', 'asset.created').where('entity_id', '=', a1.id).executeTakeFirstOrThrow();
    const changes = JSON.parse(createdA1.changes) as Record<string, { before: unknown; after: unknown }>;
    expect(changes).toMatchObject({
      assetTag: { before: null, after: 'SN-0001' }, serial: { before: null, after: 'C02X1' }, name: { before: null, after: 'Alice laptop' },
      purchaseDate: { before: null, after: '2024-03-15' }, purchaseCost: { before: null, after: 2499 }, warrantyEnd: { before: null, after: '2027-03-15' },
      modelId: { before: null, after: a1.model_id }, orderNumber: { before: null, after: 'PO-1' },
    });
    expect(Object.values(changes).every((c) => c.before === null && c.after !== null)).toBe(true);
    expect(Object.keys(changes)).toEqual(Object.keys(changes).sort());
    expect(actions).toEqual(expect.arrayContaining(['import.started', 'import.committed', 'asset.checked_out', 'custody.received', 'asset.retired', 'model.created', 'category.created', 'location.created']));
    expect(await eventCount(t)).toBe(events + mine.length);
    const verify = await call(t, owner, 'GET', '/api/v1/events/verify');
    expect(verify.json<{ ok: boolean }>().ok).toBe(true);

    // The same file again: nothing changes, no events but the job's own, no duplicates.
    const before = await eventCount(t);
    const again = await importFile(t, owner, 'assets', file, { createMissing: true }, 'snipeit-export.csv');
    expect(again.status, again.failureReason ?? '').toBe('committed');
    expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: 3, failed: 0 });
    expect(await assetCount()).toBe(3);
    expect(await eventCount(t)).toBe(before + 2);
  });

  it('reports bad cells, in-file duplicates and conflicts per row; all-or-nothing writes nothing; valid-only writes the valid rows', async () => {
    const file = csv([
      ['Asset Tag', 'Serial', 'Model', 'Category', 'Purchase Date', 'Purchase Cost', 'Status'],
      ['BAD-1', 'S-1', 'Desk Phone', 'Phones', '2024-02-30', '10', ''],
      ['BAD-2', 'S-2', 'Desk Phone', 'Phones', '2024-02-01', 'ten', ''],
      ['BAD-3', 'S-3', '', 'Phones', '', '', ''],
      ['BAD-4', 'S-4', 'Desk Phone', 'Phones', '', '', 'sideways'],
      ['OK-1', 'S-5', 'Desk Phone', 'Phones', '', '', ''],
      ['OK-1', 'S-6', 'Desk Phone', 'Phones', '', '', ''],
      ['OK-2', 'S-5', 'Desk Phone', 'Phones', '', '', ''],
      ['SN-0001', 'S-8', 'Desk Phone', 'Phones', '', '', ''],
      ['OK-3', 'S-9', 'Desk Phone', 'Phones', '', '', '', 'extra'],
    ]);
    const events = await eventCount(t);
    const count = await assetCount();
    const job = await upload(t, owner, 'assets', file, { fields: { options: JSON.stringify({ createMissing: true, updateExisting: false }) } });
    const failed = await commit(t, owner, job.id);
    expect(failed.status).toBe('failed');
    expect(failed.failureReason).toMatch(/nothing was imported/);
    expect(failed.counts.committedRows).toBe(0);
    expect(await assetCount()).toBe(count);
    const actions = (await db().selectFrom('events').select('action').where('org_id', '=', owner.orgId).orderBy('seq').execute()).slice(-(await eventCount(t) - events)).map((e) => e.action);
    expect(actions).toEqual(['import.started', 'import.failed']);
    const errs = await errorsOf(t, owner, job.id);
    const at = (line: number) => errs.filter((e) => e.line === line).map((e) => `${e.field}:${e.code}`);
    expect(at(2)).toEqual(['purchaseDate:date']);
    expect(at(3)).toEqual(['purchaseCost:number']);
    expect(at(4)).toEqual(['model:required']);
    expect(at(5)).toEqual(['status:enum']);
    expect(at(6)).toEqual([]);
    expect(at(7)).toEqual(['assetTag:duplicate_in_file']);
    expect(at(8)).toEqual(['serial:duplicate_in_file']);
    expect(at(9)).toEqual(['assetTag:exists']);
    expect(at(10)).toEqual(['null:ragged_row']);

    const errorsCsv = await call(t, owner, 'GET', `/api/v1/imports/${job.id}/errors.csv`);
    expect(errorsCsv.statusCode).toBe(200);
    const lines = errorsCsv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Asset Tag,Serial,Model,Category,Purchase Date,Purchase Cost,Status,Errors');
    expect(lines).toHaveLength(1 + 8);
    expect(lines[1]).toMatch(/^BAD-1,S-1,Desk Phone,Phones,2024-02-30,10,,"?Purchase Date: /);

    const partial = await commit(t, owner, job.id, { mode: 'valid-only', batchSize: 3 });
    expect(partial.status, partial.failureReason ?? '').toBe('committed');
    expect(partial.counts).toMatchObject({ created: 1, failed: 8, committedRows: 1 });
    expect(await assetCount()).toBe(count + 1);
    expect(await byTag('OK-1')).toBeTruthy();
  });

  it('maps GLPI headers; reads a semicolon CSV in Windows-1252 with D.M.YYYY dates and decimal commas; updates by serial without wiping blank cells', async () => {
    const glpi = ['Name', 'Status', 'Manufacturer', 'Serial number', 'Type', 'Model', 'Location', 'Inventory number', 'User', 'Comments', 'Date of purchase', 'Purchase Cost'];
    const text = [glpi.join(';'), ['PC-Müller', 'In use', 'Lenovo', 'GL-1', 'Desktops', 'ThinkCentre', 'Berlin', 'INV-G1', '', 'Büro 3', '31.01.2024', '1.234,50'].join(';'), ''].join('\r\n');
    const bytes = Buffer.from(text, 'latin1');
    const job = await upload(t, owner, 'assets', bytes, { filename: 'glpi.csv', fields: { options: JSON.stringify({ createMissing: true }) } });
    expect(job.source).toMatchObject({ delimiter: ';', encoding: 'windows-1252' });
    const map = Object.fromEntries(job.source.headers.map((h, i) => [h, job.mapping[job.source.headerKeys[i]!]]));
    expect(map).toMatchObject({ Name: 'name', Status: 'status', 'Serial number': 'serial', Type: 'category', 'Inventory number': 'assetTag', User: 'checkedOutTo', Comments: 'notes', 'Date of purchase': 'purchaseDate' });
    expect(job.formats['Date of purchase']).toMatchObject({ date: 'dmy' });
    expect(job.formats['Purchase Cost']).toMatchObject({ number: 'comma' });
    // "In use" means deployed, which needs a holder: refused; as a new asset in stock it goes in.
    const first = await commit(t, owner, job.id);
    expect(first.status).toBe('failed');
    expect((await errorsOf(t, owner, job.id)).map((e) => `${e.field}:${e.code}`)).toEqual(['status:state']);
    const fixed = Buffer.from(text.replace('In use', 'Available'), 'latin1');
    const done = await importFile(t, owner, 'assets', fixed, { createMissing: true }, 'glpi.csv');
    expect(done.status, done.failureReason ?? '').toBe('committed');
    expect(await byTag('INV-G1')).toMatchObject({ name: 'PC-Müller', notes: 'Büro 3', purchase_date: '2024-01-31', purchase_cost_minor: 123450 });

    // Matched by serial: the tag changes, blank cells keep what is stored.
    const update = csv([['Serial', 'Asset Tag', 'Name', 'Notes'], ['GL-1', 'INV-G1-NEW', '', 'moved']]);
    const upd = await importFile(t, owner, 'assets', update, { matchBy: 'serial' });
    expect(upd.counts).toMatchObject({ updated: 1, created: 0 });
    expect(await byTag('INV-G1-NEW')).toMatchObject({ name: 'PC-Müller', notes: 'moved', purchase_date: '2024-01-31' });
    const ev = await db().selectFrom('events').select(['action', 'changes']).where('action', '=', 'asset.updated').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(JSON.parse(ev.changes)).toEqual({ assetTag: { before: 'INV-G1', after: 'INV-G1-NEW' }, notes: { before: 'Büro 3', after: 'moved' } });
  });

  it('matches on an external id across re-imports; refuses check-outs to unknown people; handles duplicate headers', async () => {
    const file = csv([['External Id', 'Asset Tag', 'Model', 'Category', 'Serial', 'Serial'], ['snipe-1', 'EXT-1', 'Ext Model', 'Ext Cat', 'E-1', 'ignored']]);
    const job = await upload(t, owner, 'assets', file, { fields: { options: JSON.stringify({ createMissing: true, matchBy: 'externalId', externalIdSource: 'snipe-it' }) } });
    expect(job.source.headerKeys).toEqual(['External Id', 'Asset Tag', 'Model', 'Category', 'Serial', 'Serial (2)']);
    expect(job.mapping).toMatchObject({ Serial: 'serial', 'Serial (2)': null, 'External Id': 'externalId' });
    expect((await commit(t, owner, job.id)).counts).toMatchObject({ created: 1 });
    const renamed = csv([['External Id', 'Asset Tag', 'Model'], ['snipe-1', 'EXT-1-B', 'Ext Model']]);
    const again = await importFile(t, owner, 'assets', renamed, { matchBy: 'externalId', externalIdSource: 'snipe-it' });
    expect(again.counts).toMatchObject({ updated: 1, created: 0 });
    expect(await byTag('EXT-1-B')).toMatchObject({ serial: 'E-1' });
    expect(await byTag('EXT-1')).toBeUndefined();

    const nobody = csv([['Asset Tag', 'Model', 'Checked Out To'], ['NB-1', 'Ext Model', 'nobody@example.test']]);
    const j = await upload(t, owner, 'assets', nobody);
    const v = await validate(t, owner, j.id);
    expect(v.counts).toMatchObject({ failed: 1 });
    expect((await errorsOf(t, owner, j.id))[0]).toMatchObject({ field: 'checkedOutTo', code: 'unknown_reference', column: 'Checked Out To' });
  });

  it('imports users (new accounts without passwords, profiles, a manager from an earlier row) and locations by path', async () => {
    const locs = csv([['Name', 'Address'], ['Campus / Building A', 'Street 1'], ['Campus', 'Campus Road']]);
    const l = await importFile(t, owner, 'locations', locs);
    // The first row creates Campus on its way to Building A; the second then gives Campus its address.
    expect(l.counts).toMatchObject({ created: 1, updated: 1, failed: 0 });
    const tree = (await call(t, owner, 'GET', '/api/v1/locations')).json<{ pathNames: string[]; address: string | null }[]>();
    expect(tree.filter((x) => x.pathNames[0] === 'Campus').map((x) => [x.pathNames.join(' / '), x.address])).toEqual([['Campus', 'Campus Road'], ['Campus / Building A', 'Street 1']]);

    const people = csv([
      ['Email', 'First Name', 'Last Name', 'Role', 'Employee Number', 'Department', 'Location', 'Manager'],
      ['bob@users.test', 'Bob', 'Ray', '', 'U-2', 'Support', 'Campus', ''],
      ['ann@users.test', 'Ann', 'Lee', 'Technician', 'U-1', 'Support', 'Campus / Building A', 'bob@users.test'],
      ['bad', 'No', 'Mail', '', '', '', '', ''],
    ]);
    const u = await importFile(t, owner, 'users', people, { createMissing: true, mode: 'valid-only' });
    expect(u.counts, `${u.failureReason} ${JSON.stringify(await errorsOf(t, owner, u.id))}`).toMatchObject({ created: 2, failed: 1 });
    const members = (await call(t, owner, 'GET', '/api/v1/members')).json<{ userId: string; email: string; displayName: string; role: string }[]>();
    const ann = members.find((m) => m.email === 'ann@users.test')!;
    expect(ann).toMatchObject({ displayName: 'Ann Lee', role: 'technician' });
    expect(members.find((m) => m.email === 'bob@users.test')).toMatchObject({ role: 'employee' });
    const profile = (await call(t, owner, 'GET', `/api/v1/members/${ann.userId}/profile`)).json<{ employeeNumber: string; department: { name: string }; location: { pathNames: string[] }; manager: { displayName: string } }>();
    expect(profile).toMatchObject({ employeeNumber: 'U-1', department: { name: 'Support' }, location: { pathNames: ['Campus', 'Building A'] }, manager: { displayName: 'Bob Ray' } });
    const user = await db().selectFrom('users').select(['password_hash']).where('email', '=', 'ann@users.test').executeTakeFirstOrThrow();
    expect(user.password_hash).toBeNull();
    // Check-outs now resolve them by employee number.
    const co = await importFile(t, owner, 'assets', csv([['Asset Tag', 'Model', 'Checked Out To'], ['U-ASSET', 'Ext Model', 'U-1']]));
    expect(co.counts).toMatchObject({ created: 1 });
    expect(await byTag('U-ASSET')).toMatchObject({ lifecycle_state: 'deployed' });
  });

  it('needs import.run and the target\'s write permission; a job of another organization is not found', async () => {
    const file = csv([['Asset Tag', 'Model'], ['P-1', 'X']]);
    const res = await uploadRaw(t, tech, [{ name: 'target', data: 'assets' }, { name: 'file', filename: 'a.csv', data: file }]);
    expect(res.statusCode).toBe(403);
    const job: Job = await upload(t, owner, 'assets', file);
    expect((await call(t, tech, 'GET', `/api/v1/imports/${job.id}`)).statusCode).toBe(403);
    expect((await getJob(t, owner, job.id)).id).toBe(job.id);
    // Exports need the target's read permission only.
    expect((await call(t, tech, 'GET', '/api/v1/exports/assets.csv')).statusCode).toBe(200);
    expect((await call(t, employee, 'GET', '/api/v1/exports/assets.csv')).statusCode).toBe(403);
    expect((await call(t, tech, 'GET', '/api/v1/exports/widgets.csv')).statusCode).toBe(400);
  });

  it('refuses bad files with a clear problem and writes nothing', async () => {
    const jobs = async () => Number((await db().selectFrom('import_jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await jobs();
    const refused = async (parts: Parameters<typeof uploadRaw>[2], status: number, code: string) => {
      const res = await uploadRaw(t, owner, parts);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json<Problem>().code).toBe(code);
    };
    const file = (name: string, data: Buffer | string) => ({ name: 'file', filename: name, data });
    await refused([{ name: 'target', data: 'widgets' }, file('a.csv', 'Asset Tag\nA\n')], 422, 'import.unknown_target');
    await refused([{ name: 'target', data: 'assets' }, file('a.csv', '')], 422, 'import.empty_file');
    await refused([{ name: 'target', data: 'assets' }, file('a.csv', 'Asset Tag,Model\r\n')], 422, 'import.header_only');
    await refused([{ name: 'target', data: 'assets' }, file('a.csv', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(3000, 0), Buffer.from([1, 2, 3, 255, 254])]))], 415, 'import.not_a_spreadsheet');
    expect(await jobs()).toBe(before);
  });
});
