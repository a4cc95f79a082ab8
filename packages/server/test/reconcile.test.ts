/**
 * Discovery → assets: matching rules, creation, the review queue (merge / split / ignore / unlink),
 * provenance and hand-edit locks, media kept in step with the disks, peripherals and VMs linked,
 * change tracking on the asset timeline, and the stale list. Inventories are the captured GLPI
 * Agent JSON of the Dell R640, made physical and varied per test (serials, UUIDs, MACs, disks …).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { call, createTestApp, engines, eventCount, login, newOrganization, setupOwner, switchTo, type Session, type TestApp } from './harness.js';

const R640 = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/agents/glpi-agent-1.12dev_local_fake-dmidecode-dell-r640_full.json', import.meta.url)), 'utf8')) as {
  deviceid: string; content: Record<string, unknown> & { bios: Record<string, unknown>; hardware: Record<string, unknown>; softwares: Record<string, unknown>[] };
};

interface Machine {
  deviceid: string;
  serial?: string;
  uuid?: string;
  hostname?: string;
  macs?: string[];
  ip?: string;
  vmsystem?: string;
  memoryMb?: number;
  disks?: { serial: string; model: string; sizeMb: number; type?: string }[];
  monitors?: { serial: string; name: string; manufacturer: string }[];
  guests?: { uuid: string; name: string }[];
  software?: { name: string; version: string; publisher?: string }[];
  manufacturer?: string;
  model?: string;
}

/** A GLPI Agent JSON inventory of a physical R640 with the given identity and components. */
function inventory(m: Machine): string {
  const c = structuredClone(R640.content);
  c.bios = { ...c.bios, ssn: m.serial ?? '', smanufacturer: m.manufacturer ?? 'Dell Inc.', smodel: m.model ?? 'PowerEdge R640' };
  c.hardware = { ...c.hardware, name: m.hostname ?? 'srv', uuid: m.uuid ?? '', vmsystem: m.vmsystem ?? 'Physical', memory: m.memoryMb ?? 65536 };
  c.networks = (m.macs ?? []).map((mac, i) => ({ description: `eno${i + 1}`, macaddr: mac, ipaddress: i === 0 ? (m.ip ?? '192.0.2.10') : undefined, status: 'Up', virtualdev: false, type: 'ethernet' }));
  c.storages = (m.disks ?? []).map((d, i) => ({ name: `sd${String.fromCharCode(97 + i)}`, serial: d.serial, model: d.model, disksize: d.sizeMb, type: d.type ?? 'disk', description: 'SCSI disk', interface: 'SAS' }));
  c.monitors = (m.monitors ?? []).map((x) => ({ serial: x.serial, name: x.name, manufacturer: x.manufacturer }));
  c.virtualmachines = (m.guests ?? []).map((g) => ({ uuid: g.uuid, name: g.name, vmtype: 'kvm', status: 'running', subsystem: 'libvirt' }));
  c.softwares = m.software ? m.software.map((s) => ({ name: s.name, version: s.version, publisher: s.publisher ?? 'Debian', arch: 'amd64', from: 'deb' })) : c.softwares.slice(0, 20);
  c.memories = [];
  return JSON.stringify({ action: 'inventory', deviceid: m.deviceid, itemtype: 'Computer', content: c });
}

interface DeviceDto { id: string; assetId: string | null; matchStatus: string; matchRule: string | null; reviewReason: string | null; reviewCandidates: string[]; lastSeenAt: string }
interface AssetDto { id: string; assetTag: string; name: string | null; serial: string | null; lifecycleState: string; model: { id: string; name: string }; category: { id: string; name: string }; parentAssetId?: string | null; parent?: { id: string } | null }
interface EventDto { action: string; changes: Record<string, { before: unknown; after: unknown }>; meta: Record<string, unknown>; actor: { label: string } }

describe.each(engines)('reconciliation of discovered devices with assets (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  let n = 0;
  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t);
  });
  afterAll(() => t.close());

  /** A fresh organization that lets agents in without a secret. */
  async function org(): Promise<{ s: Session; path: string }> {
    const orgId = await newOrganization(t, owner, `Reconcile ${engine} ${++n}`);
    const s = await switchTo(t, await login(t, owner.email), orgId);
    const st = await call(t, s, 'PATCH', '/api/v1/discovery/settings', { requireEnrollment: false });
    expect(st.statusCode, st.body).toBe(200);
    return { s, path: `/inventory/${st.json<{ inventoryPath: string }>().inventoryPath}` };
  }

  async function send(path: string, m: Machine): Promise<DeviceDto> {
    const res = await t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json', 'user-agent': 'GLPI-Agent_v1.12' }, payload: inventory(m) });
    expect(res.statusCode, res.body).toBe(200);
    const row = await t.database.db.selectFrom('discovered_devices').innerJoin('agents', 'agents.id', 'discovered_devices.agent_id')
      .select('discovered_devices.id').where('agents.device_id', '=', m.deviceid).orderBy('discovered_devices.created_at', 'desc').executeTakeFirstOrThrow();
    return row as unknown as DeviceDto;
  }

  const device = async (s: Session, id: string) => (await call(t, s, 'GET', `/api/v1/discovery/devices/${id}`)).json<DeviceDto>();
  const asset = async (s: Session, id: string) => (await call(t, s, 'GET', `/api/v1/assets/${id}`)).json<AssetDto>();
  const assetCount = async (s: Session) => {
    const res = await call(t, s, 'GET', '/api/v1/assets?limit=200');
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: unknown[] }>().items.length;
  };
  const timeline = async (s: Session, id: string) => (await call(t, s, 'GET', `/api/v1/events?entityType=asset&entityId=${id}&limit=200`)).json<{ items: EventDto[] }>().items;
  const media = async (s: Session, id: string) => (await call(t, s, 'GET', `/api/v1/assets/${id}/media`)).json<{ serial: string; status: string; source: string; mediaType: string; capacityBytes: number }[]>();

  async function dellModel(s: Session, name = 'PowerEdge R640', vendor = 'Dell'): Promise<string> {
    const cat = await call(t, s, 'POST', '/api/v1/categories', { name: `Servers ${vendor} ${name}`, assetClass: 'server' });
    const man = (await call(t, s, 'GET', `/api/v1/manufacturers?q=${vendor}`)).json<{ id: string; name: string }[]>().find((x) => x.name === vendor)
      ?? (await call(t, s, 'POST', '/api/v1/manufacturers', { name: vendor })).json<{ id: string }>();
    const model = await call(t, s, 'POST', '/api/v1/models', { name, categoryId: cat.json<{ id: string }>().id, manufacturerId: man.id });
    expect(model.statusCode, model.body).toBe(201);
    return model.json<{ id: string }>().id;
  }

  async function newAsset(s: Session, body: Record<string, unknown>): Promise<AssetDto> {
    const res = await call(t, s, 'POST', '/api/v1/assets', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<AssetDto>();
  }

  it('an unknown machine becomes an in-stock asset with its model, category, disks and identifiers', async () => {
    const { s, path } = await org();
    const d = await send(path, {
      deviceid: 'srv01-1', serial: 'CZ1234567', uuid: '4C4C4544-0052-4A10-8046-B2C04F313533', hostname: 'srv01', macs: ['00:11:22:33:44:01', '00:11:22:33:44:02'],
      disks: [{ serial: 'S3Z1NX0K123', model: 'SAMSUNG MZ7LH480', sizeMb: 480103, type: 'ssd' }, { serial: 'WCC4N0123456', model: 'WDC WD40EFRX', sizeMb: 4000787 }],
    });
    const dev = await device(s, d.id);
    expect(dev).toMatchObject({ matchStatus: 'created', matchRule: 'created' });
    const a = await asset(s, dev.assetId!);
    expect(a).toMatchObject({ name: 'srv01', serial: 'CZ1234567', lifecycleState: 'in_stock', model: { name: 'PowerEdge R640' }, category: { name: 'Servers' } });
    const m = await media(s, a.id);
    expect(m.map((x) => [x.serial, x.mediaType, x.status, x.source]).sort()).toEqual([['S3Z1NX0K123', 'ssd', 'installed', 'discovery'], ['WCC4N0123456', 'hdd', 'installed', 'discovery']]);
    const disc = (await call(t, s, 'GET', `/api/v1/assets/${a.id}/discovery`)).json<{ lastSeenAt: string; stale: boolean; devices: DeviceDto[]; current: { record: { identity: { hostname: string } } }; identifiers: { kind: string; value: string }[] }>();
    expect(disc.devices.map((x) => x.id)).toEqual([d.id]);
    expect(disc.stale).toBe(false);
    expect(disc.current.record.identity.hostname).toBe('srv01');
    expect(disc.identifiers.map((i) => `${i.kind}:${i.value}`).sort()).toEqual([
      'hostname:srv01', 'mac:00:11:22:33:44:01', 'mac:00:11:22:33:44:02', 'uuid:4c4c4544-0052-4a10-8046-b2c04f313533',
    ]);
    const sources = (await call(t, s, 'GET', `/api/v1/assets/${a.id}/field-sources`)).json<{ field: string; source: string; locked: boolean }[]>();
    expect(sources.filter((x) => x.source === 'discovery').map((x) => x.field).sort()).toEqual(['modelId', 'name', 'serial']);
    expect(sources.every((x) => !x.locked)).toBe(true);
    const actions = (await timeline(s, a.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['asset.created', 'discovery.device_linked', 'asset.media_added', 'discovery.software_inventoried']));
    // The same machine again (new payload bytes, same content): one asset, nothing but last seen moves.
    const before = await eventCount(t);
    await send(path, { deviceid: 'srv01-1', serial: 'CZ1234567', uuid: '4C4C4544-0052-4A10-8046-B2C04F313533', hostname: 'srv01', macs: ['00:11:22:33:44:02', '00:11:22:33:44:01'], disks: [{ serial: 'WCC4N0123456', model: 'WDC WD40EFRX', sizeMb: 4000787 }, { serial: 'S3Z1NX0K123', model: 'SAMSUNG MZ7LH480', sizeMb: 480103, type: 'ssd' }] });
    expect(await eventCount(t)).toBe(before);
    expect(await assetCount(s)).toBe(1);
    expect((await device(s, d.id)).lastSeenAt > dev.lastSeenAt).toBe(true);
  });

  it('matches by serial + manufacturer, leaves what a person typed alone until unlocked, and another vendor\'s serial is another machine', async () => {
    const { s, path } = await org();
    const modelId = await dellModel(s);
    const mine = await newAsset(s, { modelId, serial: 'ABC1234', name: 'Payroll server', lifecycleState: 'in_stock' });
    const hpModel = await dellModel(s, 'ProLiant DL380', 'HP');
    await newAsset(s, { modelId: hpModel, serial: 'HPSERIAL9' });
    const d = await send(path, { deviceid: 'pay-1', serial: 'ABC1234', hostname: 'pay01', macs: ['00:11:22:33:55:01'] });
    const dev = await device(s, d.id);
    expect(dev).toMatchObject({ assetId: mine.id, matchStatus: 'matched', matchRule: 'serial' });
    // The name and model were typed by a person: locked against the agent.
    expect(await asset(s, mine.id)).toMatchObject({ name: 'Payroll server', serial: 'ABC1234', model: { id: modelId } });
    const sources = (await call(t, s, 'GET', `/api/v1/assets/${mine.id}/field-sources`)).json<{ field: string; source: string; locked: boolean }[]>();
    expect(sources.find((x) => x.field === 'name')).toMatchObject({ source: 'manual', locked: true });
    // Unlocking the name hands it back to discovery: the next (changed) inventory writes it.
    const unlocked = await call(t, s, 'DELETE', `/api/v1/assets/${mine.id}/field-sources/name/lock`);
    expect(unlocked.statusCode, unlocked.body).toBe(200);
    expect(unlocked.json()).toMatchObject({ field: 'name', locked: false });
    expect((await call(t, s, 'DELETE', `/api/v1/assets/${mine.id}/field-sources/location/lock`)).statusCode).toBe(422);
    await send(path, { deviceid: 'pay-1', serial: 'ABC1234', hostname: 'pay01', macs: ['00:11:22:33:55:01'], ip: '192.0.2.99' });
    expect((await asset(s, mine.id)).name).toBe('pay01');
    // A person renames it again: locked again, and the agent's next host name does not overwrite it.
    expect((await call(t, s, 'PATCH', `/api/v1/assets/${mine.id}`, { name: 'Payroll' })).statusCode).toBe(200);
    await send(path, { deviceid: 'pay-1', serial: 'ABC1234', hostname: 'pay01-new', macs: ['00:11:22:33:55:01'], ip: '192.0.2.99' });
    expect((await asset(s, mine.id)).name).toBe('Payroll');
    const tl = await timeline(s, mine.id);
    expect(tl.find((e) => e.action === 'discovery.hostname_changed')?.changes.hostname).toEqual({ before: 'pay01', after: 'pay01-new' });
    expect(tl.find((e) => e.action === 'discovery.ip_changed')?.changes.ipAddresses).toEqual({ before: ['192.0.2.10'], after: ['192.0.2.99'] });
    // The HP serial reported by a Dell: no match, a new asset.
    const other = await device(s, (await send(path, { deviceid: 'dell-2', serial: 'HPSERIAL9', hostname: 'dl2' })).id);
    expect(other.matchStatus).toBe('created');
    expect(await assetCount(s)).toBe(3);
  });

  it('placeholder serials never match; the organization adds its own; a reinstalled agent is found by UUID, then MAC, then host name', async () => {
    const { s, path } = await org();
    const a = await device(s, (await send(path, { deviceid: 'oem-1', serial: 'To Be Filled By O.E.M.', hostname: 'pc-a' })).id);
    const b = await device(s, (await send(path, { deviceid: 'oem-2', serial: 'To Be Filled By O.E.M.', hostname: 'pc-b' })).id);
    expect(a.assetId).not.toBe(b.assetId);
    expect((await asset(s, a.assetId!)).serial).toBeNull();
    // An organization-specific placeholder.
    expect((await call(t, s, 'PATCH', '/api/v1/discovery/settings', { reconciliation: { ignoredSerials: ['SN-CLONE'] } })).statusCode).toBe(200);
    const c = await device(s, (await send(path, { deviceid: 'clone-1', serial: 'SN-CLONE', hostname: 'c1' })).id);
    const c2 = await device(s, (await send(path, { deviceid: 'clone-2', serial: 'SN-CLONE', hostname: 'c2' })).id);
    expect(c.assetId).not.toBe(c2.assetId);
    // Reinstalled agent (new DEVICEID), no serial: found by the SMBIOS UUID (the byte-swapped form too).
    const orig = await device(s, (await send(path, { deviceid: 'u-1', uuid: '44454C4C-5200-104A-8046-B2C04F313533', hostname: 'uhost', macs: ['00:aa:bb:cc:dd:01'] })).id);
    const again = await device(s, (await send(path, { deviceid: 'u-2', uuid: '4C4C4544-0052-4A10-8046-B2C04F313533', hostname: 'uhost2' })).id);
    expect(again).toMatchObject({ assetId: orig.assetId, matchRule: 'uuid' });
    const byMac = await device(s, (await send(path, { deviceid: 'u-3', hostname: 'uhost3', macs: ['00:AA:BB:CC:DD:01'] })).id);
    expect(byMac).toMatchObject({ assetId: orig.assetId, matchRule: 'mac' });
    const byName = await device(s, (await send(path, { deviceid: 'u-4', hostname: 'UHOST' })).id);
    expect(byName).toMatchObject({ assetId: orig.assetId, matchRule: 'hostname' });
    // Rules are configurable: without the host name rule, the same report is a new machine.
    expect((await call(t, s, 'PATCH', '/api/v1/discovery/settings', { reconciliation: { matchRules: ['serial', 'uuid'] } })).statusCode).toBe(200);
    const fresh = await device(s, (await send(path, { deviceid: 'u-5', hostname: 'uhost' })).id);
    expect(fresh.assetId).not.toBe(orig.assetId);
    // Bad settings are refused and change nothing.
    const dup = await call(t, s, 'PATCH', '/api/v1/discovery/settings', { reconciliation: { matchRules: ['serial', 'serial'] } });
    expect(dup.statusCode).toBe(422);
    expect(dup.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe('/body/reconciliation/matchRules');
    expect((await call(t, s, 'PATCH', '/api/v1/discovery/settings', { reconciliation: { matchRules: ['bios'] } })).statusCode).toBe(400);
    expect((await call(t, s, 'PATCH', '/api/v1/discovery/settings', { reconciliation: { createState: 'deployed' } })).statusCode).toBe(400);
    expect((await call(t, s, 'GET', '/api/v1/discovery/settings')).json<{ reconciliation: { matchRules: string[] } }>().reconciliation.matchRules).toEqual(['serial', 'uuid']);
  });

  it('ambiguous matches wait in the review queue; a person merges, splits, ignores or unlinks', async () => {
    const { s, path } = await org();
    const modelId = await dellModel(s);
    const w1 = await newAsset(s, { modelId, name: 'web01', assetTag: 'WEB-1' });
    const w2 = await newAsset(s, { modelId, name: 'web01', assetTag: 'WEB-2' });
    const d = await device(s, (await send(path, { deviceid: 'web01-x', hostname: 'web01' })).id);
    expect(d).toMatchObject({ assetId: null, matchStatus: 'review', matchRule: 'hostname', reviewReason: '2 assets match by hostname' });
    const queue = (await call(t, s, 'GET', '/api/v1/discovery/review')).json<{ items: { device: DeviceDto; candidates: { id: string; assetTag: string }[] }[] }>();
    expect(queue.items.map((i) => i.device.id)).toEqual([d.id]);
    expect(queue.items[0]!.candidates.map((c) => c.assetTag).sort()).toEqual(['WEB-1', 'WEB-2']);
    // The device's changes are kept on its own timeline until it has an asset.
    // Merge into WEB-2: linked, the agent's data applied, the person recorded.
    const other = await switchTo(t, await login(t, owner.email), await newOrganization(t, owner, `Other ${engine} ${n}`));
    expect((await call(t, other, 'POST', `/api/v1/discovery/devices/${d.id}/link`, { assetId: w2.id })).statusCode).toBe(404);
    expect((await call(t, s, 'POST', `/api/v1/discovery/devices/${d.id}/link`, { assetId: '0190a0a0-0000-7000-8000-000000000000' })).statusCode).toBe(404);
    const linked = await call(t, s, 'POST', `/api/v1/discovery/devices/${d.id}/link`, { assetId: w2.id });
    expect(linked.statusCode, linked.body).toBe(200);
    expect(linked.json()).toMatchObject({ assetId: w2.id, matchStatus: 'matched', matchRule: 'manual' });
    const ev = (await timeline(s, w2.id)).find((e) => e.action === 'discovery.device_linked')!;
    expect(ev.actor.label).toBe(owner.email);
    expect((await call(t, s, 'GET', '/api/v1/discovery/review')).json<{ items: unknown[] }>().items).toHaveLength(0);
    expect((await call(t, s, 'POST', `/api/v1/discovery/devices/${d.id}/link`, { assetId: w1.id })).statusCode).toBe(409);
    // Unlink: back to review; split: an asset of its own.
    expect((await call(t, s, 'POST', `/api/v1/discovery/devices/${d.id}/unlink`)).json()).toMatchObject({ assetId: null, matchStatus: 'review' });
    expect((await timeline(s, w2.id)).some((e) => e.action === 'discovery.device_unlinked')).toBe(true);
    const split = (await call(t, s, 'POST', `/api/v1/discovery/devices/${d.id}/create-asset`)).json<DeviceDto>();
    expect(split.matchStatus).toBe('created');
    expect([w1.id, w2.id]).not.toContain(split.assetId);
    // Ignore (after unlinking): never an asset; a technician may look but not decide.
    await call(t, s, 'POST', `/api/v1/discovery/devices/${d.id}/unlink`);
    expect((await call(t, s, 'POST', `/api/v1/discovery/devices/${d.id}/ignore`)).json()).toMatchObject({ matchStatus: 'ignored', assetId: null });
    const count = await assetCount(s);
    await send(path, { deviceid: 'web01-x', hostname: 'web01', ip: '192.0.2.50' });
    expect(await assetCount(s)).toBe(count);
    expect((await device(s, d.id)).matchStatus).toBe('ignored');
    // With creation off, an unmatched device waits for a person too.
    expect((await call(t, s, 'PATCH', '/api/v1/discovery/settings', { reconciliation: { autoCreate: false } })).statusCode).toBe(200);
    const lone = await device(s, (await send(path, { deviceid: 'lone-1', serial: 'LONE1', hostname: 'lone' })).id);
    expect(lone).toMatchObject({ matchStatus: 'review', assetId: null });
    expect(lone.reviewReason).toContain('creating assets from discovery is off');
  });

  it('every inventory\'s lookups are one index seek, even before the planner has statistics (a new database)', async () => {
    const db = t.database.db;
    if (engine === 'sqlite') {
      const plan = async (query: ReturnType<typeof sql>) => (await sql<{ detail: string }>`explain query plan ${query}`.execute(db)).rows.map((r) => r.detail).join('\n');
      // Replacing the identifiers a device gave its asset.
      expect(await plan(sql`delete from asset_identifiers where org_id = ${'o'} and device_id = ${'d'}`))
        .toMatch(/^SEARCH asset_identifiers USING (COVERING )?INDEX asset_identifiers_device_idx \(org_id=\? AND device_id=\?\)$/);
      // "Was this payload already received?": the newest match, without walking the organization's payloads.
      expect(await plan(sql`select id, status from inventory_payloads where org_id = ${'o'} and agent_id = ${'a'} and sha256 = ${'s'} order by id desc`))
        .toMatch(/^SEARCH inventory_payloads USING INDEX inventory_payloads_sha_idx \(org_id=\? AND agent_id=\? AND sha256=\?\)$/);
    } else {
      const defs = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where indexname in ('asset_identifiers_device_idx', 'inventory_payloads_sha_idx') order by indexname`.execute(db);
      expect(defs.rows.map((r) => r.indexdef.replace(/.* USING btree /, ''))).toEqual(['(org_id, device_id)', '(org_id, agent_id, sha256, id)']);
    }
  });

  it('tracks change: disk removed, memory changed, software updated, monitor moved; media keep the removed disk as evidence', async () => {
    const { s, path } = await org();
    const base: Machine = {
      deviceid: 'chg-1', serial: 'CHG0001', hostname: 'chg', macs: ['00:11:22:33:66:01'], memoryMb: 32768,
      disks: [{ serial: 'DISK-A', model: 'Seagate ST4000', sizeMb: 4000787 }, { serial: 'DISK-B', model: 'Seagate ST4000', sizeMb: 4000787 }],
      monitors: [{ serial: 'MON-1', name: 'DELL U2719D', manufacturer: 'Dell Inc.' }],
      software: [{ name: 'openssl', version: '3.0.1' }, { name: 'curl', version: '7.88' }, { name: 'vim', version: '9.0' }],
    };
    const d = await device(s, (await send(path, base)).id);
    const assetId = d.assetId!;
    const monitor = (await call(t, s, 'GET', `/api/v1/assets/${assetId}/children`)).json<AssetDto[]>();
    expect(monitor).toHaveLength(1);
    expect(monitor[0]).toMatchObject({ serial: 'MON-1', category: { name: 'Monitors' } });
    await send(path, {
      ...base, memoryMb: 65536, disks: [base.disks![0]!], monitors: [],
      software: [{ name: 'openssl', version: '3.0.2' }, { name: 'curl', version: '7.88' }, { name: 'git', version: '2.39' }],
    });
    const tl = await timeline(s, assetId);
    const by = (action: string) => tl.filter((e) => e.action === action);
    expect(by('discovery.memory_changed')[0]!.changes.memoryMb).toEqual({ before: 32768, after: 65536 });
    expect(by('asset.media_removed')).toHaveLength(1);
    expect(by('asset.media_removed')[0]!.meta).toMatchObject({ serial: 'DISK-B', source: 'discovery' });
    expect(by('discovery.monitor_disconnected')).toHaveLength(1);
    const sw = by('discovery.software_changed')[0]!;
    expect(sw.changes.installed!.after).toEqual(['git 2.39']);
    expect(sw.changes.removed!.before).toEqual(['vim 9.0']);
    expect(sw.changes.updated!.after).toEqual(['openssl 3.0.1 → 3.0.2']);
    const m = await media(s, assetId);
    expect(m.map((x) => `${x.serial}:${x.status}`).sort()).toEqual(['DISK-A:installed', 'DISK-B:removed']);
    // The monitor is detached from the computer but stays an asset.
    expect((await call(t, s, 'GET', `/api/v1/assets/${assetId}/children`)).json<unknown[]>()).toHaveLength(0);
    // The disk comes back: installed again.
    await send(path, { ...base, memoryMb: 65536, monitors: [] });
    expect((await media(s, assetId)).map((x) => `${x.serial}:${x.status}`).sort()).toEqual(['DISK-A:installed', 'DISK-B:installed']);
  });

  it('when the asset rules refuse what discovery would write, the inventory is kept and the device waits for a person', async () => {
    const { s, path } = await org();
    const cat = await call(t, s, 'POST', '/api/v1/categories', { name: 'Servers', assetClass: 'server' });
    expect(cat.statusCode, cat.body).toBe(201);
    const field = await call(t, s, 'POST', `/api/v1/categories/${cat.json<{ id: string }>().id}/fields`, { key: 'rack', label: 'Rack', type: 'text', required: true });
    expect(field.statusCode, field.body).toBe(201);
    const before = await assetCount(s);
    const d = await device(s, (await send(path, { deviceid: 'rack-1', serial: 'RACK0001', hostname: 'r1' })).id);
    expect(d).toMatchObject({ assetId: null, matchStatus: 'review' });
    expect(d.reviewReason).toMatch(/the asset could not be written: .*rack/);
    expect(await assetCount(s)).toBe(before);
    const payloads = (await call(t, s, 'GET', '/api/v1/discovery/payloads')).json<{ items: { status: string }[] }>().items;
    expect(payloads.map((p) => p.status)).toEqual(['processed']);
  });

  it('links virtual machines to their host and lists assets not seen for N days', async () => {
    const { s, path } = await org();
    const host = await device(s, (await send(path, { deviceid: 'kvm-host', serial: 'HOST01', hostname: 'kvm01', guests: [{ uuid: '11111111-2222-3333-4444-555555555555', name: 'guest1' }] })).id);
    const vm = await device(s, (await send(path, { deviceid: 'guest1-x', serial: 'VMware-11 22', uuid: '11111111-2222-3333-4444-555555555555', hostname: 'guest1', vmsystem: 'KVM', manufacturer: 'QEMU', model: 'Standard PC (Q35 + ICH9, 2009)' })).id);
    const vmAsset = await asset(s, vm.assetId!);
    expect(vmAsset.category.name).toBe('Virtual machines');
    expect(vmAsset.serial).toBeNull(); // a VM's serial is not its identity (default setting)
    const children = (await call(t, s, 'GET', `/api/v1/assets/${host.assetId}/children`)).json<AssetDto[]>();
    expect(children.map((c) => c.id)).toEqual([vm.assetId]);
    // Stale: the host was last seen 40 days ago.
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await t.database.db.updateTable('discovered_devices').set({ last_seen_at: old }).where('id', '=', host.id).execute();
    const stale = (await call(t, s, 'GET', '/api/v1/discovery/stale')).json<{ days: number; assets: { assetId: string; daysSinceSeen: number; hostname: string }[] }>();
    expect(stale.days).toBe(30);
    expect(stale.assets.map((a) => a.assetId)).toEqual([host.assetId]);
    expect(stale.assets[0]).toMatchObject({ daysSinceSeen: 40, hostname: 'kvm01' });
    expect((await call(t, s, 'GET', '/api/v1/discovery/stale?days=50')).json<{ assets: unknown[] }>().assets).toHaveLength(0);
    expect((await call(t, s, 'GET', `/api/v1/assets/${host.assetId}/discovery`)).json()).toMatchObject({ stale: true, lastSeenAt: old });
    expect((await call(t, s, 'GET', '/api/v1/discovery/stale?days=0')).statusCode).toBe(400);
    // Retired assets are not expected to report.
    const tr = await call(t, s, 'POST', `/api/v1/assets/${host.assetId}/transition`, { to: 'retired', reason: 'decommissioned' });
    expect(tr.statusCode, tr.body).toBe(200);
    expect((await call(t, s, 'GET', '/api/v1/discovery/stale')).json<{ assets: unknown[] }>().assets).toHaveLength(0);
  });
});
