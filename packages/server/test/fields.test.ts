import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, call, createTestApp, engines, eventCount, login, newOrganization, setupOwner, switchTo, type Session, type TestApp } from './harness.js';

interface Problem { status: number; code: string; errors: { path: string; code?: string; message: string }[]; conflict?: { id: string; assetTag?: string; key?: string }; assetCount?: number }
interface Field { id: string; categoryId: string; key: string; label: string; type: string; options: string[]; regex: string | null; required: boolean; unique: boolean; helpText: string | null; position: number }
interface AssetDetail { id: string; assetTag: string; customFields: Record<string, unknown> }

describe.each(engines)('custom fields (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  let ownerB: Session;
  let tech: Session;
  let n = 0;
  const uniq = (p: string) => `${p} ${++n}`;

  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t, 'Org A');
    ownerB = await switchTo(t, await login(t, owner.email), await newOrganization(t, owner, 'Org B'));
    tech = await addMember(t, owner, 'technician');
  });
  afterAll(() => t.close());

  const db = () => t.database.db;
  const created = async <T>(as: Session, url: string, body: unknown): Promise<T> => {
    const res = await call(t, as, 'POST', url, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<T>();
  };
  const category = (as: Session = owner) => created<{ id: string }>(as, '/api/v1/categories', { name: uniq('Category'), assetClass: 'laptop' });
  const model = (as: Session, categoryId: string, body: Record<string, unknown> = {}) =>
    created<{ id: string }>(as, '/api/v1/models', { name: uniq('Model'), categoryId, ...body });
  const field = (categoryId: string, body: Record<string, unknown>, as: Session = owner) => created<Field>(as, `/api/v1/categories/${categoryId}/fields`, { label: uniq('Label'), ...body });
  const fieldRows = async (categoryId: string) => Number((await db().selectFrom('custom_fields').select((eb) => eb.fn.countAll<number>().as('n')).where('category_id', '=', categoryId).executeTakeFirstOrThrow()).n);
  const assetRows = async () => Number((await db().selectFrom('assets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  /** Expects the status, code and exactly these field paths, and that no row and no event was written. */
  async function refused(send: () => Promise<{ statusCode: number; json: <T>() => T; body: string }>, status: number, code: string, paths: string[]): Promise<Problem> {
    const [events, assets] = [await eventCount(t), await assetRows()];
    const res = await send();
    expect(res.statusCode, res.body).toBe(status);
    const p = res.json<Problem>();
    expect(p.code).toBe(code);
    expect(p.errors.map((e) => e.path).sort()).toEqual([...paths].sort());
    expect(await eventCount(t)).toBe(events);
    expect(await assetRows()).toBe(assets);
    return p;
  }

  describe('definitions', () => {
    it('creates fields in order and lists them; records field.created', async () => {
      const cat = await category();
      const a = await field(cat.id, { key: 'ram_gb', type: 'number', required: true, helpText: 'Installed RAM' });
      const b = await field(cat.id, { key: 'color', type: 'select', options: ['Black', 'Silver'] });
      expect(a).toMatchObject({ categoryId: cat.id, key: 'ram_gb', type: 'number', required: true, unique: false, options: [], regex: null, helpText: 'Installed RAM', position: 0 });
      expect(b.position).toBe(1);
      const list = await call(t, owner, 'GET', `/api/v1/categories/${cat.id}/fields`);
      expect(list.json<Field[]>().map((f) => f.key)).toEqual(['ram_gb', 'color']);
      const ev = await db().selectFrom('events').select(['action', 'changes']).where('entity_id', '=', b.id).execute();
      expect(ev.map((e) => e.action)).toEqual(['field.created']);
      expect(JSON.parse(ev[0]!.changes)).toMatchObject({ key: { before: null, after: 'color' }, options: { before: null, after: ['Black', 'Silver'] } });
      // Readers with catalog.read see the fields too.
      expect((await call(t, tech, 'GET', `/api/v1/categories/${cat.id}/fields`)).statusCode).toBe(200);
    });

    it('refuses bad definitions with one error per member and writes nothing', async () => {
      const cat = await category();
      const url = `/api/v1/categories/${cat.id}/fields`;
      await refused(() => call(t, owner, 'POST', url, { key: 'Bad-Key', label: 'X', type: 'text' }), 422, 'field.invalid', ['/body/key']);
      await refused(() => call(t, owner, 'POST', url, { key: '1abc', label: 'X', type: 'text' }), 422, 'field.invalid', ['/body/key']);
      await refused(() => call(t, owner, 'POST', url, { key: 'pick', label: 'X', type: 'select' }), 422, 'field.invalid', ['/body/options']);
      await refused(() => call(t, owner, 'POST', url, { key: 'pick', label: 'X', type: 'select', options: ['a', 'A', 'b|c'] }), 422, 'field.invalid', ['/body/options/1', '/body/options/2']);
      await refused(() => call(t, owner, 'POST', url, { key: 'txt', label: 'X', type: 'text', options: ['a'] }), 422, 'field.invalid', ['/body/options']);
      await refused(() => call(t, owner, 'POST', url, { key: 'code', label: 'X', type: 'regex' }), 422, 'field.invalid', ['/body/regex']);
      await refused(() => call(t, owner, 'POST', url, { key: 'code', label: 'X', type: 'regex', regex: '([a-z' }), 422, 'field.invalid', ['/body/regex']);
      await refused(() => call(t, owner, 'POST', url, { key: 'txt', label: 'X', type: 'text', regex: '^a$' }), 422, 'field.invalid', ['/body/regex']);
      await refused(() => call(t, owner, 'POST', url, { key: 'flag', label: 'X', type: 'boolean', unique: true }), 422, 'field.invalid', ['/body/unique']);
      await refused(() => call(t, owner, 'POST', url, { key: 'x', label: 'X', type: 'colour' }), 400, 'validation_failed', ['/body/type']);
      expect(await fieldRows(cat.id)).toBe(0);
    });

    it('a key is unique per category (409 naming the field), not across categories', async () => {
      const [c1, c2] = [await category(), await category()];
      const first = await field(c1.id, { key: 'asset_no', type: 'text' });
      const p = await refused(() => call(t, owner, 'POST', `/api/v1/categories/${c1.id}/fields`, { key: 'asset_no', label: 'Again', type: 'text' }), 409, 'field.duplicate_key', ['/body/key']);
      expect(p.conflict).toEqual({ id: first.id, key: 'asset_no' });
      await field(c2.id, { key: 'asset_no', type: 'text' });
      expect(await fieldRows(c1.id)).toBe(1);
    });

    it('needs catalog.manage; another organization\'s category or field is 404', async () => {
      const cat = await category();
      const f = await field(cat.id, { key: 'notes2', type: 'text' });
      await refused(() => call(t, tech, 'POST', `/api/v1/categories/${cat.id}/fields`, { key: 'x', label: 'X', type: 'text' }), 403, 'auth.forbidden', []);
      await refused(() => call(t, ownerB, 'POST', `/api/v1/categories/${cat.id}/fields`, { key: 'x', label: 'X', type: 'text' }), 404, 'category.not_found', []);
      expect((await call(t, ownerB, 'GET', `/api/v1/categories/${cat.id}/fields`)).statusCode).toBe(404);
      await refused(() => call(t, ownerB, 'PATCH', `/api/v1/fields/${f.id}`, { label: 'Hijacked' }), 404, 'field.not_found', []);
      await refused(() => call(t, ownerB, 'DELETE', `/api/v1/fields/${f.id}`), 404, 'field.not_found', []);
      expect(await fieldRows(cat.id)).toBe(1);
    });

    it('updates a field (event with before/after); switching type drops options that no longer apply', async () => {
      const cat = await category();
      const f = await field(cat.id, { key: 'size', type: 'select', options: ['S', 'M'] });
      const res = await call(t, owner, 'PATCH', `/api/v1/fields/${f.id}`, { label: 'Screen size', type: 'text', required: true });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<Field>()).toMatchObject({ label: 'Screen size', type: 'text', options: [], required: true });
      const ev = await db().selectFrom('events').select(['action', 'changes']).where('entity_id', '=', f.id).where('action', '=', 'field.updated').executeTakeFirstOrThrow();
      expect(JSON.parse(ev.changes)).toMatchObject({ type: { before: 'select', after: 'text' }, options: { before: ['S', 'M'], after: [] }, required: { before: false, after: true } });
    });
  });

  describe('values', () => {
    let cat: { id: string };
    let mdl: { id: string };
    const every: Record<string, Record<string, unknown>> = {
      t_text: { type: 'text' },
      t_long: { type: 'long_text' },
      t_num: { type: 'number' },
      t_money: { type: 'money' },
      t_date: { type: 'date' },
      t_bool: { type: 'boolean' },
      t_select: { type: 'select', options: ['Black', 'Silver'] },
      t_multi: { type: 'multi_select', options: ['wifi', 'lte', 'nfc'] },
      t_url: { type: 'url' },
      t_email: { type: 'email' },
      t_ip: { type: 'ip' },
      t_mac: { type: 'mac' },
      t_code: { type: 'regex', regex: '[A-Z]{3}-\\d{4}' },
      t_need: { type: 'text', required: true },
      t_uniq: { type: 'text', unique: true },
    };
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      cat = await category();
      for (const [key, def] of Object.entries(every)) ids[key] = (await field(cat.id, { key, ...def })).id;
      mdl = await model(owner, cat.id, { defaultCustomFields: { t_select: 'Silver', t_bool: true } });
    });

    const createAsset = (customFields: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      call(t, owner, 'POST', '/api/v1/assets', { modelId: mdl.id, customFields, ...extra });

    it('refuses a wrong value of every type, unknown keys and missing required ones, each at its path, writing nothing', async () => {
      const p = await refused(() => createAsset({
        t_text: 42, t_long: ['x'], t_num: 'many', t_money: 12.345, t_date: '2024-02-30', t_bool: 'yes', t_select: 'Gold', t_multi: ['wifi', 'bluetooth'],
        t_url: 'javascript:alert(1)', t_email: 'not-an-email', t_ip: '300.1.1.1', t_mac: '00:11:22:33:44', t_code: 'abc-1234', t_nope: 1,
      }), 422, 'custom_fields.invalid', [
        '/body/customFields/t_text', '/body/customFields/t_long', '/body/customFields/t_num', '/body/customFields/t_money', '/body/customFields/t_date',
        '/body/customFields/t_bool', '/body/customFields/t_select', '/body/customFields/t_multi', '/body/customFields/t_url', '/body/customFields/t_email',
        '/body/customFields/t_ip', '/body/customFields/t_mac', '/body/customFields/t_code', '/body/customFields/t_nope', '/body/customFields/t_need',
      ]);
      const byPath = new Map(p.errors.map((e) => [e.path.split('/').pop(), e]));
      expect(byPath.get('t_need')?.code).toBe('required');
      expect(byPath.get('t_nope')?.code).toBe('unknown_field');
      expect(byPath.get('t_code')?.code).toBe('pattern');
      expect(byPath.get('t_select')?.code).toBe('enum');
      expect(byPath.get('t_email')?.code).toBe('format');
      // Empty strings and nulls count as "no value": the required field is still missing.
      await refused(() => createAsset({ t_need: '  ' }), 422, 'custom_fields.invalid', ['/body/customFields/t_need']);
      expect(await db().selectFrom('asset_field_values').selectAll().execute()).toEqual([]);
    });

    it('stores normalised values, applies the model\'s defaults and indexes every value', async () => {
      const res = await createAsset({
        t_text: '  Hello ', t_long: 'Line 1\nLine 2', t_num: '16', t_money: 99.5, t_date: '2024-02-29', t_select: 'black', t_multi: ['nfc', 'wifi'],
        t_url: 'https://example.com/x', t_email: 'a@b.co', t_ip: '2001:DB8::1', t_mac: '00-1A-2B-3C-4D-5E', t_code: 'ABC-1234', t_need: 'yes',
      });
      expect(res.statusCode, res.body).toBe(201);
      const a = res.json<AssetDetail>();
      expect(a.customFields).toEqual({
        t_text: 'Hello', t_long: 'Line 1\nLine 2', t_num: 16, t_money: 99.5, t_date: '2024-02-29', t_bool: true, t_select: 'Black', t_multi: ['wifi', 'nfc'],
        t_url: 'https://example.com/x', t_email: 'a@b.co', t_ip: '2001:db8::1', t_mac: '00:1a:2b:3c:4d:5e', t_code: 'ABC-1234', t_need: 'yes',
      });
      const rows = await db().selectFrom('asset_field_values').select(['field_id', 'value_text', 'value_num']).where('asset_id', '=', a.id).execute();
      const idx = new Map(rows.map((r) => [r.field_id, r]));
      expect(rows).toHaveLength(14);
      expect(idx.get(ids.t_text!)).toMatchObject({ value_text: 'hello', value_num: null });
      expect(idx.get(ids.t_num!)).toMatchObject({ value_text: null, value_num: 16 });
      expect(idx.get(ids.t_bool!)).toMatchObject({ value_text: 'true', value_num: 1 });
      expect(idx.get(ids.t_multi!)).toMatchObject({ value_text: '|wifi|nfc|' });
      expect(idx.get(ids.t_select!)).toMatchObject({ value_text: 'black' });
      // The default is overridden by an explicit value, and null removes it.
      const b = await createAsset({ t_need: 'y', t_select: 'Black', t_bool: null });
      expect(b.statusCode, b.body).toBe(201);
      expect(b.json<AssetDetail>().customFields).toEqual({ t_need: 'y', t_select: 'Black' });
    });

    it('a unique value held by another asset is 409 naming it; on update the asset\'s own value is fine', async () => {
      const first = await createAsset({ t_need: 'y', t_uniq: 'Seat-1' });
      expect(first.statusCode, first.body).toBe(201);
      const a = first.json<AssetDetail>();
      const p = await refused(() => createAsset({ t_need: 'y', t_uniq: 'seat-1' }), 409, 'custom_fields.duplicate_value', ['/body/customFields/t_uniq']);
      expect(p.conflict).toEqual({ id: a.id, assetTag: a.assetTag });
      const same = await call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { customFields: { t_uniq: 'Seat-1', t_text: 'changed' } });
      expect(same.statusCode, same.body).toBe(200);
      // Deleted assets keep their unique values reserved.
      expect((await call(t, owner, 'DELETE', `/api/v1/assets/${a.id}`)).statusCode).toBe(200);
      await refused(() => createAsset({ t_need: 'y', t_uniq: 'Seat-1' }), 409, 'custom_fields.duplicate_value', ['/body/customFields/t_uniq']);
    });

    it('an update is validated the same way, with paths under /body/customFields', async () => {
      const a = (await createAsset({ t_need: 'y' })).json<AssetDetail>();
      await refused(() => call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { customFields: { t_ip: 'nope', t_need: null } }), 422, 'custom_fields.invalid',
        ['/body/customFields/t_ip', '/body/customFields/t_need']);
      const after = await call(t, owner, 'GET', `/api/v1/assets/${a.id}`);
      expect(after.json<AssetDetail>().customFields).toEqual({ t_need: 'y', t_select: 'Silver', t_bool: true });
    });
  });

  describe('fields in use', () => {
    it('delete, key and type changes and removing a used option are refused (409) while assets hold values', async () => {
      const cat = await category();
      const f = await field(cat.id, { key: 'os', type: 'select', options: ['Windows', 'macOS', 'Linux'] });
      const m = await multiField(cat.id);
      const mdl = await model(owner, cat.id);
      const res = await call(t, owner, 'POST', '/api/v1/assets', { modelId: mdl.id, customFields: { os: 'macOS', ports: ['usb-c'] } });
      expect(res.statusCode, res.body).toBe(201);
      const asset = res.json<AssetDetail>();

      const del = await refused(() => call(t, owner, 'DELETE', `/api/v1/fields/${f.id}`), 409, 'field.in_use', []);
      expect(del.assetCount).toBe(1);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/fields/${f.id}`, { key: 'system' }), 409, 'field.in_use', ['/body/key']);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/fields/${f.id}`, { type: 'text' }), 409, 'field.in_use', ['/body/type']);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/fields/${f.id}`, { options: ['Windows', 'Linux'] }), 409, 'field.option_in_use', ['/body/options']);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/fields/${m.id}`, { options: ['hdmi'] }), 409, 'field.option_in_use', ['/body/options']);
      // Unused options can go; labels can change.
      const ok = await call(t, owner, 'PATCH', `/api/v1/fields/${f.id}`, { options: ['macOS', 'Linux'], label: 'Operating system' });
      expect(ok.statusCode, ok.body).toBe(200);

      // Two assets sharing a value: the field cannot become unique.
      expect((await call(t, owner, 'POST', '/api/v1/assets', { modelId: mdl.id, customFields: { os: 'macOS' } })).statusCode).toBe(201);
      await refused(() => call(t, owner, 'PATCH', `/api/v1/fields/${f.id}`, { unique: true }), 409, 'field.duplicate_values', ['/body/unique']);

      // Once no asset holds a value, the field can be deleted (field.deleted event).
      for (const a of await db().selectFrom('assets').select('id').where('category_id', '=', cat.id).execute()) {
        const r = await call(t, owner, 'PATCH', `/api/v1/assets/${a.id}`, { customFields: { os: null } });
        expect(r.statusCode, r.body).toBe(200);
      }
      expect((await call(t, owner, 'DELETE', `/api/v1/fields/${f.id}`)).statusCode).toBe(200);
      expect(await db().selectFrom('events').select('action').where('entity_id', '=', f.id).where('action', '=', 'field.deleted').executeTakeFirst()).toBeTruthy();
      expect(await fieldRows(cat.id)).toBe(1);
      expect((await call(t, owner, 'GET', `/api/v1/assets/${asset.id}`)).json<AssetDetail>().customFields).toEqual({ ports: ['usb-c'] });
    });

    const multiField = (categoryId: string) => field(categoryId, { key: 'ports', type: 'multi_select', options: ['usb-c', 'hdmi'] });
  });
});
