/**
 * Software catalogue: normalisation (pure), the discovery hook `syncInstallations` called directly
 * on a device row, rules (validation, re-application, events) and the read API — on every engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addMember, call, createTestApp, engines, eventCount, newOrganization, setupOwner, switchTo, type Session, type TestApp } from './harness.js';
import { newId, nowIso } from '../src/lib/ids.js';
import { glpiJsonToDevice } from '../src/modules/discovery/discovery.normalize.js';
import type { CanonicalSoftware } from '../src/modules/discovery/discovery.canonical.js';
import type { LightMyRequestResponse } from 'fastify';
import { afterSync, flushIndex, syncInstallations, type SoftwareChange } from '../src/modules/software/software.service.js';
import { applyRules, compileRule, normalizeName, normalizePublisher, normalizeSoftware, type SoftwareRule } from '../src/modules/software/software.normalize.js';

describe('software normalisation', () => {
  it('cleans publishers: legal forms, punctuation, aliases', () => {
    expect(normalizePublisher('Microsoft Corporation')).toBe('Microsoft');
    expect(normalizePublisher('Apple Inc.')).toBe('Apple');
    expect(normalizePublisher('Google LLC')).toBe('Google');
    expect(normalizePublisher('Adobe Systems Incorporated')).toBe('Adobe');
    expect(normalizePublisher('Mozilla')).toBe('Mozilla');
    expect(normalizePublisher('Oracle Corporation')).toBe('Oracle');
    expect(normalizePublisher('Zoom Video Communications, Inc.')).toBe('Zoom');
    expect(normalizePublisher('TeamViewer GmbH')).toBe('TeamViewer');
    expect(normalizePublisher('Foo Systems Co., Ltd.')).toBe('Foo Systems');
    expect(normalizePublisher('Acme Ltd')).toBe('Acme');
    expect(normalizePublisher('Igor Pavlov')).toBe('Igor Pavlov');
    expect(normalizePublisher('Debian')).toBe('Debian');
    expect(normalizePublisher('  ')).toBeNull();
    expect(normalizePublisher(null)).toBeNull();
  });

  it('cleans product names: versions and architectures out, arch kept', () => {
    expect(normalizeName('7-Zip 19.00 (x64)')).toEqual({ name: '7-Zip', arch: 'x64' });
    expect(normalizeName('Python 3.11.4 (64-bit)')).toEqual({ name: 'Python', arch: 'x64' });
    expect(normalizeName('Mozilla Firefox (x64 en-US)')).toEqual({ name: 'Mozilla Firefox', arch: 'x64' });
    expect(normalizeName('Microsoft Visual C++ 2015-2022 Redistributable (x86) - 14.36.32532')).toEqual({ name: 'Microsoft Visual C++ 2015-2022 Redistributable', arch: 'x86' });
    expect(normalizeName('Notepad++ (64-bit x64)').name).toBe('Notepad++');
    expect(normalizeName('Git version 2.41.0').name).toBe('Git');
    expect(normalizeName('Microsoft 365 Apps for enterprise - en-us').name).toBe('Microsoft 365 Apps for enterprise');
    expect(normalizeName('Java 8 Update 351').name).toBe('Java 8');
    expect(normalizeName('Microsoft Office Professional Plus 2016').name).toBe('Microsoft Office Professional Plus 2016');
    expect(normalizeName('VLC media player').name).toBe('VLC media player');
    expect(normalizeName('1.2.3').name).toBe('1.2.3');
  });

  it('keeps distribution package names as they are', () => {
    expect(normalizeName('python3.11', 'deb')).toEqual({ name: 'python3.11', arch: null });
    expect(normalizeName('gcc-12', 'rpm').name).toBe('gcc-12');
    expect(normalizeSoftware({ name: 'libc6', publisher: 'Debian', version: '2.36-9', arch: 'amd64', installDate: null, source: 'deb' }, []))
      .toMatchObject({ publisher: 'Debian', name: 'libc6', key: 'debian\tlibc6', version: '2.36-9', arch: 'amd64', ignored: false });
  });

  it('applies rename and merge rules in order, then ignore rules', () => {
    const rules: SoftwareRule[] = [
      { kind: 'rename', mode: 'exact', matchPublisher: null, matchName: 'Mozilla Firefox ESR', targetPublisher: null, targetName: 'Mozilla Firefox' },
      { kind: 'rename', mode: 'contains', matchPublisher: null, matchName: 'firefox', targetPublisher: 'Mozilla', targetName: null },
      { kind: 'merge', mode: 'regex', matchPublisher: '^igor', matchName: '^7-zip', targetPublisher: '7-Zip Project', targetName: '7-Zip' },
      { kind: 'ignore', mode: 'regex', matchPublisher: null, matchName: '^(KB\\d+|Security Update)', targetPublisher: null, targetName: null },
    ];
    const compiled = rules.map(compileRule);
    expect(applyRules({ publisher: 'Someone', name: 'Mozilla Firefox ESR' }, compiled)).toEqual({ publisher: 'Mozilla', name: 'Mozilla Firefox', key: 'mozilla\tmozilla firefox', ignored: false });
    expect(applyRules({ publisher: 'Igor Pavlov', name: '7-Zip' }, compiled)).toMatchObject({ publisher: '7-Zip Project', name: '7-Zip' });
    expect(applyRules({ publisher: 'Microsoft', name: 'Security Update for Excel' }, compiled).ignored).toBe(true);
    expect(applyRules({ publisher: null, name: 'curl' }, compiled)).toEqual({ publisher: null, name: 'curl', key: '\tcurl', ignored: false });
  });
});

// ---------------------------------------------------------------------------------------------
// database
// ---------------------------------------------------------------------------------------------

const R640_JSON = fileURLToPath(new URL('./fixtures/agents/glpi-agent-1.12dev_local_fake-dmidecode-dell-r640_full.json', import.meta.url));

const sw = (name: string, version: string | null, extra: Partial<CanonicalSoftware> = {}): CanonicalSoftware => ({
  name, version, publisher: null, installDate: null, arch: null, source: null, category: null, guid: null, ...extra,
});

/** An agent and its discovered device, inserted directly (the hook is tested without the agent protocol). */
async function insertDevice(t: TestApp, orgId: string, hostname: string, assetId: string | null = null): Promise<string> {
  const now = nowIso();
  const agentId = newId();
  const id = newId();
  await t.database.db.insertInto('agents').values({
    id: agentId, org_id: orgId, device_id: `${hostname}-2026-11-25-10-00-00`, agent_uuid: null, name: 'test', version: '1', user_agent: null,
    status: 'approved', enrollment_id: null, first_contact_at: now, last_contact_at: now, last_ip: null, last_error: null, last_error_at: null,
    decided_by: null, decided_at: null, created_at: now, updated_at: now,
  }).execute();
  await t.database.db.insertInto('discovered_devices').values({
    id, org_id: orgId, agent_id: agentId, record: '{}', record_sha256: '0', system_serial: null, manufacturer: null, model: null, uuid: null,
    hostname, primary_mac: null, os_name: null, is_virtual: 0, storage_count: 0, software_count: 0, last_payload_id: null,
    first_seen_at: now, last_seen_at: now, asset_id: assetId, created_at: now, updated_at: now,
  }).execute();
  return id;
}

const sync = (t: TestApp, orgId: string, deviceId: string, software: CanonicalSoftware[], firstSync = false): Promise<SoftwareChange[]> =>
  t.database.db.transaction().execute((trx) => syncInstallations(trx, orgId, deviceId, software, nowIso(), firstSync));

/** The device's installations with their products, by name (case-insensitive), version, arch. */
const installations = async (t: TestApp, deviceId: string) =>
  (await t.database.db.selectFrom('software_installations as i').innerJoin('software_products as p', 'p.id', 'i.product_id')
    .select(['p.name', 'p.publisher', 'i.version', 'i.arch', 'i.raw_name', 'i.product_id', 'i.first_seen_at'])
    .where('i.device_id', '=', deviceId).execute())
    .sort((x, y) => x.name.localeCompare(y.name, 'en', { sensitivity: 'base' }) || x.version.localeCompare(y.version) || x.arch.localeCompare(y.arch));

const countRows = async (t: TestApp, table: 'software_products' | 'software_installations' | 'software_rules', orgId: string): Promise<number> =>
  Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('c')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).c);

describe.each(engines)('software catalogue (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  let org: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t);
    org = owner.orgId;
  });
  afterAll(async () => t?.close());

  describe('syncInstallations (the discovery hook)', () => {
    it('stores normalised installations; first sync reports nothing, later syncs report installed, updated, removed', async () => {
      const device = await insertDevice(t, org, 'ws-001');
      const first = await sync(t, org, device, [
        sw('7-Zip 19.00 (x64)', '19.00', { publisher: 'Igor Pavlov', source: 'registry' }),
        sw('Mozilla Firefox (x64 en-US)', '118.0', { publisher: 'Mozilla', arch: null }),
        sw('Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.36.32532', '14.36.32532', { publisher: 'Microsoft Corporation' }),
        sw('Microsoft Visual C++ 2015-2022 Redistributable (x86) - 14.36.32532', '14.36.32532', { publisher: 'Microsoft Corporation' }),
        sw('libc6', '2.36-9', { publisher: 'Debian', arch: 'amd64', source: 'deb' }),
        sw('libc6', '2.36-9', { publisher: 'Debian', arch: 'amd64', source: 'deb' }), // reported twice: stored once
        sw('curl', null, { source: 'deb' }),
      ], true);
      expect(first).toEqual([]);
      const rows = await installations(t, device);
      expect(rows.map((r) => [r.publisher, r.name, r.version, r.arch])).toEqual([
        ['Igor Pavlov', '7-Zip', '19.00', 'x64'],
        [null, 'curl', '', ''],
        ['Debian', 'libc6', '2.36-9', 'amd64'],
        ['Microsoft', 'Microsoft Visual C++ 2015-2022 Redistributable', '14.36.32532', 'x64'],
        ['Microsoft', 'Microsoft Visual C++ 2015-2022 Redistributable', '14.36.32532', 'x86'],
        ['Mozilla', 'Mozilla Firefox', '118.0', 'x64'],
      ]);
      expect(await countRows(t, 'software_products', org)).toBe(5);

      // Same inventory again: nothing changes, nothing is reported.
      const firstSeen = rows.map((r) => r.first_seen_at);
      expect(await sync(t, org, device, [
        sw('7-Zip 19.00 (x64)', '19.00', { publisher: 'Igor Pavlov', source: 'registry' }),
        sw('Mozilla Firefox (x64 en-US)', '118.0', { publisher: 'Mozilla' }),
        sw('Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.36.32532', '14.36.32532', { publisher: 'Microsoft Corporation' }),
        sw('Microsoft Visual C++ 2015-2022 Redistributable (x86) - 14.36.32532', '14.36.32532', { publisher: 'Microsoft Corporation' }),
        sw('libc6', '2.36-9', { publisher: 'Debian', arch: 'amd64', source: 'deb' }),
        sw('curl', null, { source: 'deb' }),
      ])).toEqual([]);
      expect((await installations(t, device)).map((r) => r.first_seen_at)).toEqual(firstSeen);

      // 7-Zip updated (name changes with the version: same product), Firefox removed, git installed, curl gets a version.
      const changes = await sync(t, org, device, [
        sw('7-Zip 23.01 (x64)', '23.01', { publisher: 'Igor Pavlov', source: 'registry' }),
        sw('Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.36.32532', '14.36.32532', { publisher: 'Microsoft Corporation' }),
        sw('Microsoft Visual C++ 2015-2022 Redistributable (x86) - 14.36.32532', '14.36.32532', { publisher: 'Microsoft Corporation' }),
        sw('libc6', '2.36-9', { publisher: 'Debian', arch: 'amd64', source: 'deb' }),
        sw('curl', '7.88.1', { source: 'deb' }),
        sw('git', '1:2.39.2-1.1', { publisher: 'Debian', arch: 'amd64', source: 'deb' }),
      ]);
      expect(changes.map(({ productId: _, ...c }) => c)).toEqual([
        { kind: 'updated', product: '7-Zip', publisher: 'Igor Pavlov', version: '23.01', previousVersion: '19.00' },
        { kind: 'updated', product: 'curl', publisher: null, version: '7.88.1', previousVersion: null },
        { kind: 'installed', product: 'git', publisher: 'Debian', version: '1:2.39.2-1.1', previousVersion: null },
        { kind: 'removed', product: 'Mozilla Firefox', publisher: 'Mozilla', version: '118.0', previousVersion: null },
      ]);
      expect((await installations(t, device)).map((r) => `${r.name} ${r.version}`)).toEqual([
        '7-Zip 23.01', 'curl 7.88.1', 'git 1:2.39.2-1.1', 'libc6 2.36-9',
        'Microsoft Visual C++ 2015-2022 Redistributable 14.36.32532', 'Microsoft Visual C++ 2015-2022 Redistributable 14.36.32532',
      ]);

      // Everything gone.
      const gone = await sync(t, org, device, []);
      expect(gone.map((c) => c.kind)).toEqual(Array(6).fill('removed'));
      expect(await installations(t, device)).toEqual([]);
    });

    it('moves last_seen_at of kept installations at most once a day', async () => {
      const device = await insertDevice(t, org, 'ws-seen');
      const at = (now: string, firstSync = false) => t.database.db.transaction().execute((trx) => syncInstallations(trx, org, device, [sw('curl', '8.0', { source: 'deb' })], now, firstSync));
      const seen = async () => (await t.database.db.selectFrom('software_installations').select(['first_seen_at', 'last_seen_at']).where('device_id', '=', device).executeTakeFirstOrThrow());
      await at('2026-11-20T08:00:00.000Z', true);
      await at('2026-11-20T20:00:00.000Z');
      expect(await seen()).toEqual({ first_seen_at: '2026-11-20T08:00:00.000Z', last_seen_at: '2026-11-20T08:00:00.000Z' });
      await at('2026-11-21T07:00:00.000Z');
      expect(await seen()).toEqual({ first_seen_at: '2026-11-20T08:00:00.000Z', last_seen_at: '2026-11-21T07:00:00.000Z' });
    });

    it('keeps the products of a device in another organization apart', async () => {
      const other = await newOrganization(t, owner, 'Other Org');
      const device = await insertDevice(t, other, 'other-1');
      await sync(t, other, device, [sw('7-Zip 19.00 (x64)', '19.00', { publisher: 'Igor Pavlov' })], true);
      const products = await t.database.db.selectFrom('software_products').select(['org_id', 'name']).where('name', '=', '7-Zip').execute();
      expect(products.map((p) => p.org_id).sort()).toEqual([org, other].sort());
      // A device of another organization cannot be given installations (composite foreign key).
      await expect(sync(t, org, device, [sw('x', '1')], true)).rejects.toThrow();
    });

    it('syncs the Dell R640 inventory (837 packages) concurrently with another device; a repeat with one upgrade is one change', async () => {
      const record = glpiJsonToDevice(readFileSync(R640_JSON, 'utf8'));
      expect(record.software.length).toBe(837);
      const [a, b] = [await insertDevice(t, org, 'r640-a'), await insertDevice(t, org, 'r640-b')];
      const productNames = async () => new Set((await t.database.db.selectFrom('software_products').select('name').where('org_id', '=', org).execute()).map((p) => p.name));
      const before = await productNames();
      // Both devices bring the same new products at once: one of the two inserts skips them and re-reads.
      await Promise.all([sync(t, org, a, record.software, true), sync(t, org, b, record.software, true)]);
      const distinct = new Set(record.software.map((s) => `${s.name}\t${s.version}\t${s.arch}`)).size;
      expect((await installations(t, a)).length).toBe(distinct);
      expect((await installations(t, b)).length).toBe(distinct);
      // Every package name is a product (Debian packages keep their names), created once.
      const names = new Set(record.software.map((s) => s.name));
      const after = await productNames();
      expect([...names].filter((n) => !after.has(n))).toEqual([]);
      expect(after.size - before.size).toBe([...names].filter((n) => !before.has(n)).length);
      // A repeat with one package upgraded is one 'updated' change.
      const changed = record.software.map((s) => (s.name === 'adduser' ? { ...s, version: '3.135' } : s));
      const changes = await sync(t, org, a, changed);
      expect(changes.map((c) => [c.kind, c.product, c.previousVersion, c.version])).toEqual([['updated', 'adduser', '3.134', '3.135']]);
    });

    it('keeps the product index in batches on SQLite (at once on PostgreSQL); readers never see it behind', async () => {
      const db = t.database.db;
      const queued = async () => (await db.selectFrom('software_index_queue').select('device_id').where('org_id', '=', org).execute()).map((r) => r.device_id).sort();
      const unindexed = async (device: string) => Number((await db.selectFrom('software_installations').select((eb) => eb.fn.countAll().as('c'))
        .where('device_id', '=', device).where('indexed', '=', 0).executeTakeFirstOrThrow()).c);
      // Earlier tests' devices (synced directly, never read through the index) are flushed first.
      while (await db.transaction().execute((trx) => flushIndex(trx, null, 100)));
      expect(await queued()).toEqual([]);
      const devices = [await insertDevice(t, org, 'idx-1'), await insertDevice(t, org, 'idx-2'), await insertDevice(t, org, 'idx-3')];
      for (const d of devices) await sync(t, org, d, [sw('Index Probe Tool', '1.0', { publisher: 'Probe Ltd' }), sw('Other Probe', '2.0')], true);
      if (engine === 'sqlite') {
        expect(await queued()).toEqual([...devices].sort());
        expect(await unindexed(devices[0]!)).toBe(2);
        // The background flush takes a bounded batch, oldest first.
        expect(await db.transaction().execute((trx) => flushIndex(trx, null, 2))).toBe(2);
        expect(await queued()).toEqual([devices[2]]);
        expect(await unindexed(devices[0]!)).toBe(0);
        expect(await unindexed(devices[2]!)).toBe(2);
      } else {
        expect(await queued()).toEqual([]);
        expect(await unindexed(devices[0]!)).toBe(0);
      }
      // A reader of the product index flushes the organization's queue first: all three devices count.
      const list = await call(t, owner, 'GET', '/api/v1/software/products?q=probe%20tool');
      expect(list.statusCode, list.body).toBe(200);
      const items = list.json<{ items: { name: string; installationCount: number; deviceCount: number }[] }>().items;
      expect(items.map((p) => [p.name, p.installationCount, p.deviceCount])).toEqual([['Index Probe Tool', 3, 3]]);
      expect(await queued()).toEqual([]);
      expect(await unindexed(devices[2]!)).toBe(0);

      // After an inventory's commit, discovery schedules the flush: the queue empties without a reader.
      const late = await insertDevice(t, org, 'idx-4');
      await sync(t, org, late, [sw('Index Probe Tool', '1.1', { publisher: 'Probe Ltd' })], true);
      afterSync(db);
      for (let i = 0; i < 60 && (await queued()).length; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await queued()).toEqual([]);
      expect(await unindexed(late)).toBe(0);
    });

    it('a rule change is seen by the next sync, also for products the hook had cached', async () => {
      const db = t.database.db;
      const productOf = async (device: string) => (await installations(t, device)).map((r) => [r.name, r.publisher]);
      const first = await insertDevice(t, org, 'cache-1');
      await sync(t, org, first, [sw('Cache Probe Viewer', '3.1', { publisher: 'Cache Probe Inc.' })], true);
      // Made old enough to be cached (only products certainly committed are), then cached by a sync.
      await db.updateTable('software_products').set({ created_at: '2026-01-01T00:00:00.000Z' }).where('org_id', '=', org).where('name', '=', 'Cache Probe Viewer').execute();
      const second = await insertDevice(t, org, 'cache-2');
      await sync(t, org, second, [sw('Cache Probe Viewer', '3.1', { publisher: 'Cache Probe Inc.' })], true);
      expect(await productOf(second)).toEqual([['Cache Probe Viewer', 'Cache Probe']]);

      const rule = await call(t, owner, 'POST', '/api/v1/software/rules', { kind: 'rename', match: { mode: 'exact', name: 'Cache Probe Viewer' }, target: { publisher: 'Probe', name: 'Probe Viewer' } });
      expect(rule.statusCode, rule.body).toBe(201);
      // The renamed product replaced the old one (deleted: no installations left); a new device gets the new one.
      expect(await db.selectFrom('software_products').select('id').where('org_id', '=', org).where('name', '=', 'Cache Probe Viewer').execute()).toEqual([]);
      const third = await insertDevice(t, org, 'cache-3');
      await sync(t, org, third, [sw('Cache Probe Viewer', '3.1', { publisher: 'Cache Probe Inc.' })], true);
      expect(await productOf(third)).toEqual([['Probe Viewer', 'Probe']]);
      expect(await productOf(first)).toEqual([['Probe Viewer', 'Probe']]);
    });
  });
});

describe.each(engines)('software API (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  let org: string;
  let asset: { id: string; assetTag: string };
  let ws1: string;
  let ws2: string;

  const ok = async <T>(res: Promise<LightMyRequestResponse>, status = 200): Promise<T> => {
    const r = await res;
    expect(r.statusCode, r.body).toBe(status);
    return r.json<T>();
  };
  const refused = async (res: Promise<LightMyRequestResponse>, status: number, code: string, paths: string[] = []) => {
    const r = await res;
    expect(r.statusCode, r.body).toBe(status);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    const p = r.json<{ code: string; errors: { path: string }[] }>();
    expect(p.code).toBe(code);
    expect(p.errors.map((e) => e.path).sort()).toEqual([...paths].sort());
  };
  type Product = { id: string; publisher: string | null; name: string; ignored: boolean; installationCount: number; deviceCount: number; versions: { version: string | null; installations: number; devices: number }[] };
  const products = (query = '') => ok<{ items: Product[]; total: number; nextOffset: number | null }>(call(t, owner, 'GET', `/api/v1/software/products${query}`));
  const byName = async (name: string) => (await products(`?q=${encodeURIComponent(name)}&limit=500`)).items.find((p) => p.name === name);

  const windows = [
    sw('Mozilla Firefox (x64 en-US)', '118.0', { publisher: 'Mozilla', source: 'registry' }),
    sw('Mozilla Firefox ESR', '115.3', { publisher: 'Mozilla', source: 'registry' }),
    sw('7-Zip 19.00 (x64)', '19.00', { publisher: 'Igor Pavlov', source: 'registry' }),
    sw('Security Update for Microsoft Excel (KB5002345)', null, { publisher: 'Microsoft Corporation', source: 'registry' }),
  ];

  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t);
    org = owner.orgId;
    const cat = await ok<{ id: string }>(call(t, owner, 'POST', '/api/v1/categories', { name: 'Desktops', assetClass: 'desktop' }), 201);
    const model = await ok<{ id: string }>(call(t, owner, 'POST', '/api/v1/models', { name: 'OptiPlex', categoryId: cat.id }), 201);
    asset = await ok<{ id: string; assetTag: string }>(call(t, owner, 'POST', '/api/v1/assets', { modelId: model.id, name: 'Reception PC' }), 201);
    ws1 = await insertDevice(t, org, 'ws-001', asset.id);
    ws2 = await insertDevice(t, org, 'ws-002');
    await sync(t, org, ws1, windows, true);
    await sync(t, org, ws2, [
      sw('Mozilla Firefox (x64 en-US)', '119.0', { publisher: 'Mozilla', source: 'registry' }),
      sw('7-Zip 23.01 (x64)', '23.01', { publisher: 'Igor Pavlov', source: 'registry' }),
      sw('7-Zip 23.01', '23.01', { publisher: 'Igor Pavlov', arch: 'x86', source: 'registry' }),
    ], true);
  });
  afterAll(async () => t?.close());

  it('lists products with counts and versions; search, sort, pagination', async () => {
    const all = await products();
    expect(all.total).toBe(4);
    expect(all.items.map((p) => p.name)).toEqual(['7-Zip', 'Mozilla Firefox', 'Mozilla Firefox ESR', 'Security Update for Microsoft Excel (KB5002345)']);
    const zip = all.items[0]!;
    expect(zip).toMatchObject({ publisher: 'Igor Pavlov', installationCount: 3, deviceCount: 2, ignored: false });
    expect(zip.versions).toEqual([{ version: '23.01', installations: 2, devices: 1 }, { version: '19.00', installations: 1, devices: 1 }]);

    expect((await products('?q=FIREFOX')).items.map((p) => p.name)).toEqual(['Mozilla Firefox', 'Mozilla Firefox ESR']);
    expect((await products('?q=pavlov')).items.map((p) => p.name)).toEqual(['7-Zip']);
    const bySize = await products('?sort=-installations');
    expect(bySize.items.map((p) => [p.name, p.installationCount])).toEqual([
      ['7-Zip', 3], ['Mozilla Firefox', 2], ['Mozilla Firefox ESR', 1], ['Security Update for Microsoft Excel (KB5002345)', 1],
    ]);
    const page1 = await products('?limit=3&sort=-name');
    expect(page1.nextOffset).toBe(3);
    const page2 = await products('?limit=3&sort=-name&offset=3');
    expect([...page1.items, ...page2.items].map((p) => p.name)).toEqual([...all.items.map((p) => p.name)].reverse());
    expect(page2.nextOffset).toBeNull();
    await refused(call(t, owner, 'GET', '/api/v1/software/products?sort=price'), 400, 'validation_failed', ['/querystring/sort']);
  });

  it('shows a product, where it is installed (with the linked asset), and the software of an asset', async () => {
    const firefox = (await byName('Mozilla Firefox'))!;
    const detail = await ok<Product & { rawNames: { name: string; installations: number }[] }>(call(t, owner, 'GET', `/api/v1/software/products/${firefox.id}`));
    expect(detail.versions.map((v) => v.version).sort()).toEqual(['118.0', '119.0']);
    expect(detail.rawNames).toEqual([{ publisher: 'Mozilla', name: 'Mozilla Firefox (x64 en-US)', installations: 2 }]);

    const inst = await ok<{ items: { hostname: string; asset: { id: string; assetTag: string } | null; version: string; arch: string }[]; total: number }>(
      call(t, owner, 'GET', `/api/v1/software/products/${firefox.id}/installations`));
    expect(inst.total).toBe(2);
    expect(inst.items.map((i) => [i.hostname, i.asset?.assetTag ?? null, i.version, i.arch])).toEqual([
      ['ws-001', asset.assetTag, '118.0', 'x64'], ['ws-002', null, '119.0', 'x64'],
    ]);
    const only119 = await ok<{ total: number }>(call(t, owner, 'GET', `/api/v1/software/products/${firefox.id}/installations?version=119.0`));
    expect(only119.total).toBe(1);

    const onAsset = await ok<{ product: { name: string }; version: string | null; hostname: string }[]>(call(t, owner, 'GET', `/api/v1/assets/${asset.id}/software`));
    expect(onAsset.map((i) => [i.product.name, i.version, i.hostname])).toEqual([
      ['7-Zip', '19.00', 'ws-001'], ['Mozilla Firefox', '118.0', 'ws-001'], ['Mozilla Firefox ESR', '115.3', 'ws-001'],
      ['Security Update for Microsoft Excel (KB5002345)', null, 'ws-001'],
    ]);
    await refused(call(t, owner, 'GET', `/api/v1/assets/${newId()}/software`), 404, 'asset.not_found');
    await refused(call(t, owner, 'GET', `/api/v1/software/products/${newId()}`), 404, 'software_product.not_found');
  });

  it('refuses invalid rules with field errors and writes nothing', async () => {
    const events = await eventCount(t);
    await refused(call(t, owner, 'POST', '/api/v1/software/rules', { kind: 'rename', match: { mode: 'exact' }, target: { name: 'X' } }), 422, 'software_rule.invalid', ['/body/match']);
    await refused(call(t, owner, 'POST', '/api/v1/software/rules', { kind: 'ignore', match: { mode: 'regex', name: '([a-z' } }), 422, 'software_rule.invalid', ['/body/match/name']);
    await refused(call(t, owner, 'POST', '/api/v1/software/rules', { kind: 'rename', match: { mode: 'contains', name: 'fire' } }), 422, 'software_rule.invalid', ['/body/target']);
    await refused(call(t, owner, 'POST', '/api/v1/software/rules', { kind: 'merge', match: { mode: 'contains', name: 'fire' }, target: { publisher: 'Mozilla' } }), 422, 'software_rule.invalid', ['/body/target/name']);
    await refused(call(t, owner, 'POST', '/api/v1/software/rules', { kind: 'ignore', match: { mode: 'exact', name: 'x' }, target: { name: 'y' } }), 422, 'software_rule.invalid', ['/body/target']);
    await refused(call(t, owner, 'POST', '/api/v1/software/rules', { kind: 'delete', match: { mode: 'exact', name: 'x' } }), 400, 'validation_failed', ['/body/kind']);
    expect(await countRows(t, 'software_rules', org)).toBe(0);
    expect(await eventCount(t)).toBe(events);
  });

  it('rules: rename, ignore, merge shortcut, order, delete — re-applied to the stored installations with events', async () => {
    // Preview: what an ignore rule for KB updates would touch.
    const preview = await ok<{ products: number; installations: number; devices: number }>(call(t, owner, 'POST', '/api/v1/software/rules/preview', { kind: 'ignore', match: { mode: 'regex', name: '\\(KB\\d+\\)$' } }));
    expect(preview).toMatchObject({ products: 1, installations: 1, devices: 1 });

    // Rename ESR → Mozilla Firefox: its installation moves, the ESR product disappears.
    const esr = (await byName('Mozilla Firefox ESR'))!;
    const renamed = await ok<{ rule: { id: string; position: number }; effect: Record<string, number> }>(
      call(t, owner, 'POST', '/api/v1/software/rules', { kind: 'rename', match: { mode: 'exact', name: 'mozilla firefox esr' }, target: { name: 'Mozilla Firefox' } }), 201);
    expect(renamed.rule.position).toBe(1);
    expect(renamed.effect).toMatchObject({ installationsRemapped: 1, productsRemoved: 1 });
    await refused(call(t, owner, 'GET', `/api/v1/software/products/${esr.id}`), 404, 'software_product.not_found');
    const firefox = (await byName('Mozilla Firefox'))!;
    expect(firefox).toMatchObject({ installationCount: 3, deviceCount: 2 });
    expect(firefox.versions.map((v) => v.version).sort()).toEqual(['115.3', '118.0', '119.0']);

    // Ignore the KB updates: the installation goes, the product stays flagged ignored.
    const ignore = await ok<{ rule: { id: string; position: number }; effect: Record<string, number> }>(
      call(t, owner, 'POST', '/api/v1/software/rules', { kind: 'ignore', match: { mode: 'regex', name: '\\(KB\\d+\\)$' } }), 201);
    expect(ignore.rule.position).toBe(2);
    expect(ignore.effect).toMatchObject({ installationsRemoved: 1, productsIgnored: 1 });
    const ignored = await products('?ignored=true');
    expect(ignored.items.map((p) => [p.name, p.ignored, p.installationCount])).toEqual([['Security Update for Microsoft Excel (KB5002345)', true, 0]]);
    expect((await products('?ignored=false')).total).toBe(2);
    // New inventories do not store it either, and a KB update does not show up as a change.
    expect(await sync(t, org, ws1, windows)).toEqual([]);

    // Merge shortcut: 7-Zip into Firefox (absurd, but observable) — a merge rule at the end.
    const zip = (await byName('7-Zip'))!;
    await refused(call(t, owner, 'POST', `/api/v1/software/products/${zip.id}/merge`, { into: zip.id }), 422, 'software_product.merge_self', ['/body/into']);
    await refused(call(t, owner, 'POST', `/api/v1/software/products/${zip.id}/merge`, { into: newId() }), 404, 'software_product.not_found', ['/body/into']);
    const merged = await ok<{ rule: { id: string; kind: string; match: unknown; target: unknown; position: number }; effect: Record<string, number> }>(
      call(t, owner, 'POST', `/api/v1/software/products/${zip.id}/merge`, { into: firefox.id }), 201);
    expect(merged.rule).toMatchObject({ kind: 'merge', position: 3, match: { mode: 'exact', publisher: 'Igor Pavlov', name: '7-Zip' }, target: { publisher: 'Mozilla', name: 'Mozilla Firefox' } });
    expect(merged.effect).toMatchObject({ installationsRemapped: 3, productsRemoved: 1 });
    expect((await byName('Mozilla Firefox'))!).toMatchObject({ installationCount: 6, deviceCount: 2 });

    // Move the merge rule first, then delete it: 7-Zip comes back as its own product.
    const moved = await ok<{ rule: { position: number } }>(call(t, owner, 'PATCH', `/api/v1/software/rules/${merged.rule.id}`, { position: 1 }));
    expect(moved.rule.position).toBe(1);
    const rules = await ok<{ id: string; position: number }[]>(call(t, owner, 'GET', '/api/v1/software/rules'));
    expect(rules.map((r) => [r.id, r.position])).toEqual([[merged.rule.id, 1], [renamed.rule.id, 2], [ignore.rule.id, 3]]);
    const del = await ok<{ effect: Record<string, number> }>(call(t, owner, 'DELETE', `/api/v1/software/rules/${merged.rule.id}`));
    expect(del.effect).toMatchObject({ installationsRemapped: 3 });
    expect((await byName('7-Zip'))!).toMatchObject({ publisher: 'Igor Pavlov', installationCount: 3, deviceCount: 2 });
    expect((await ok<{ position: number }[]>(call(t, owner, 'GET', '/api/v1/software/rules'))).map((r) => r.position)).toEqual([1, 2]);

    // Editing the ignore rule so that it no longer matches restores (and drops, having no installations) the product;
    // the next inventory brings the installation back.
    const edited = await ok<{ effect: Record<string, number> }>(call(t, owner, 'PATCH', `/api/v1/software/rules/${ignore.rule.id}`, { match: { mode: 'contains', name: 'hotfix' } }));
    expect(edited.effect).toMatchObject({ productsRestored: 1, productsRemoved: 1 });
    const back = await sync(t, org, ws1, windows);
    expect(back.map((c) => [c.kind, c.product])).toEqual([['installed', 'Security Update for Microsoft Excel (KB5002345)']]);

    // Every change is an event with its effect.
    const ev = await t.database.db.selectFrom('events').select(['action', 'entity_id', 'meta']).where('entity_type', '=', 'software_rule').orderBy('seq').execute();
    expect(ev.map((e) => e.action)).toEqual(['software.rule.created', 'software.rule.created', 'software.rule.created', 'software.rule.updated', 'software.rule.deleted', 'software.rule.updated']);
    expect(JSON.parse(ev[2]!.meta)).toMatchObject({ mergedProductId: zip.id, intoProductId: firefox.id, effect: { installationsRemapped: 3 } });
  });

  it('merging two reported names into one product keeps one installation per device, version and arch', async () => {
    const dev = await insertDevice(t, org, 'ws-003');
    await sync(t, org, dev, [sw('Foo Viewer', '2.0', { publisher: 'Foo' }), sw('Foo Viewer Plus', '2.0', { publisher: 'Foo' })], true);
    const r = await ok<{ effect: Record<string, number> }>(call(t, owner, 'POST', '/api/v1/software/rules', { kind: 'merge', match: { mode: 'exact', name: 'Foo Viewer Plus' }, target: { publisher: 'Foo', name: 'Foo Viewer' } }), 201);
    expect(r.effect).toMatchObject({ installationsRemoved: 1, productsRemoved: 1 });
    expect((await installations(t, dev)).map((i) => [i.name, i.version])).toEqual([['Foo Viewer', '2.0']]);
  });

  it('needs software.read to look and software.manage to change rules; other organizations see nothing', async () => {
    const tech = await addMember(t, owner, 'technician');
    expect((await ok<{ total: number }>(call(t, tech, 'GET', '/api/v1/software/products'))).total).toBeGreaterThan(0);
    await refused(call(t, tech, 'POST', '/api/v1/software/rules', { kind: 'ignore', match: { mode: 'exact', name: 'x' } }), 403, 'auth.forbidden');
    const employee = await addMember(t, owner, 'employee');
    await refused(call(t, employee, 'GET', '/api/v1/software/products'), 403, 'auth.forbidden');

    const zip = (await byName('7-Zip'))!;
    const otherOrg = await newOrganization(t, owner, 'Elsewhere');
    const elsewhere = await switchTo(t, owner, otherOrg);
    expect((await ok<{ total: number }>(call(t, elsewhere, 'GET', '/api/v1/software/products'))).total).toBe(0);
    await refused(call(t, elsewhere, 'GET', `/api/v1/software/products/${zip.id}`), 404, 'software_product.not_found');
    await refused(call(t, elsewhere, 'GET', `/api/v1/assets/${asset.id}/software`), 404, 'asset.not_found');
    expect(await ok<unknown[]>(call(t, elsewhere, 'GET', '/api/v1/software/rules'))).toEqual([]);
  });
});
