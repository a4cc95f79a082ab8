/**
 * Reconciliation: which asset a discovered device is, and what discovery writes on it.
 *
 * Matching runs the organization's rules in order (default: system serial + manufacturer, then
 * SMBIOS UUID, then MAC addresses, then host name). The first rule that finds exactly one asset
 * wins; a rule that finds several is ambiguous and sends the device to the review queue; no match
 * creates an asset (in `in_stock` or the configured state) or, when creation is off, waits in the
 * review queue too. Placeholder serials never match (normalisation drops them; the organization
 * can add its own), nor, by default, do virtual machines' serials.
 *
 * Applying a device to its asset writes the discovered fields (name = host name, serial, model)
 * unless a person locked them, records provenance, keeps the asset's identifiers (UUID, MACs,
 * host name), keeps its storage media in step (a disk that disappears is marked removed — the
 * evidence disposal needs), links monitors/printers with serials as child assets and virtual
 * machines to their host. Everything happens in the caller's transaction, with events.
 */
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import type { AssetMediaTable } from '../../db/schema.js';
import type { Permission } from '../../authz/permissions.js';
import { toDbBool } from '../../db/dialect.js';
import { newId } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import * as assets from '../assets/assets.service.js';
import * as provenance from '../provenance/provenance.service.js';
import type { CanonicalDevice, CanonicalMonitor, CanonicalPeripheral, CanonicalStorage } from './discovery.canonical.js';
import { isPlaceholder, normalizeManufacturer } from './discovery.normalize.js';
import * as catalogRepo from '../catalog/catalog.repository.js';
import * as assetsRepo from '../assets/assets.repository.js';
import * as repo from './discovery.repository.js';

export const MATCH_RULES = ['serial', 'uuid', 'mac', 'hostname'] as const;
export type MatchRule = (typeof MATCH_RULES)[number];
export const CREATE_STATES = ['in_stock', 'ordered'] as const;
export type CreateState = (typeof CREATE_STATES)[number];

export interface ReconcileSettings {
  matchRules: MatchRule[];
  autoCreate: boolean;
  createState: CreateState;
  staleDays: number;
  ignoredSerials: string[];
  ignoreVirtualSerials: boolean;
  linkPeripherals: boolean;
}

export const DEFAULT_RECONCILE: ReconcileSettings = {
  matchRules: [...MATCH_RULES], autoCreate: true, createState: 'in_stock', staleDays: 30, ignoredSerials: [],
  ignoreVirtualSerials: true, linkPeripherals: true,
};

// ---------- identities ----------

/** A serial usable for matching: not a placeholder, not in the organization's list, not a VM's (by default). */
export function matchableSerial(d: CanonicalDevice, s: ReconcileSettings): string | null {
  const serial = d.identity.systemSerial;
  if (!serial || isPlaceholder(serial)) return null;
  if (s.ignoredSerials.some((x) => x.trim().toLowerCase() === serial.toLowerCase())) return null;
  if (d.virtualization.isVirtual && s.ignoreVirtualSerials) return null;
  return serial;
}

/**
 * The forms of an SMBIOS UUID: as given, and with the first three groups byte-swapped (SMBIOS
 * 2.6+ stores them little-endian; hypervisors and older tools print them the other way round).
 */
export function uuidVariants(uuid: string): string[] {
  const u = uuid.toLowerCase();
  const m = /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/.exec(u);
  if (!m) return [u];
  const swap = (h: string) => h.match(/../g)!.reverse().join('');
  const canonical = `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`;
  const swapped = `${swap(m[1]!)}-${swap(m[2]!)}-${swap(m[3]!)}-${m[4]}-${m[5]}`;
  return canonical === swapped ? [canonical] : [canonical, swapped];
}

export interface Identifier { kind: 'uuid' | 'mac' | 'hostname'; value: string }

export function identifiersOf(d: CanonicalDevice): Identifier[] {
  const out: Identifier[] = [];
  if (d.identity.uuid) out.push({ kind: 'uuid', value: uuidVariants(d.identity.uuid)[0]! });
  for (const mac of d.identity.macAddresses) out.push({ kind: 'mac', value: mac.toLowerCase() });
  if (d.identity.hostname) out.push({ kind: 'hostname', value: d.identity.hostname.toLowerCase() });
  return out;
}

// ---------- matching ----------

export type MatchResult =
  | { kind: 'match'; assetId: string; rule: MatchRule }
  | { kind: 'ambiguous'; rule: MatchRule; candidates: string[] }
  | { kind: 'none' };

const sameVendor = (assetVendor: string | null, deviceVendor: string | null) =>
  !assetVendor || !deviceVendor || normalizeManufacturer(assetVendor)?.toLowerCase() === deviceVendor.toLowerCase();

/** Runs the rules in order; the first rule with candidates decides. */
export async function findMatch(db: Executor, orgId: string, d: CanonicalDevice, s: ReconcileSettings): Promise<MatchResult> {
  const serial = matchableSerial(d, s);
  for (const rule of s.matchRules) {
    let candidates: repo.CandidateRow[] = [];
    if (rule === 'serial') {
      if (!serial) continue;
      candidates = (await repo.assetsBySerial(db, orgId, serial)).filter((a) => sameVendor(a.manufacturer_name, d.hardware.manufacturer));
    } else {
      const values = rule === 'uuid' ? (d.identity.uuid ? uuidVariants(d.identity.uuid) : [])
        : rule === 'mac' ? d.identity.macAddresses.map((m) => m.toLowerCase())
          : d.identity.hostname ? [d.identity.hostname.toLowerCase()] : [];
      if (!values.length) continue;
      candidates = await repo.assetsByIdentifier(db, orgId, rule, values);
      if (rule === 'hostname') candidates = dedupe([...candidates, ...await repo.assetsByName(db, orgId, d.identity.hostname!)]);
      // A weaker identity never overrides a known, different serial: that is another machine
      // reusing a host name or a NIC.
      if (serial) candidates = candidates.filter((a) => !a.serial || a.serial.toLowerCase() === serial.toLowerCase());
    }
    if (candidates.length === 1) return { kind: 'match', assetId: candidates[0]!.id, rule };
    if (candidates.length > 1) return { kind: 'ambiguous', rule, candidates: candidates.map((c) => c.id).slice(0, 20) };
  }
  return { kind: 'none' };
}

function dedupe(rows: repo.CandidateRow[]): repo.CandidateRow[] {
  const seen = new Map<string, repo.CandidateRow>();
  for (const r of rows) seen.set(r.id, r);
  return [...seen.values()];
}

// ---------- the acting agent ----------

const DISCOVERY_PERMISSIONS: Permission[] = ['asset.read', 'asset.write', 'catalog.read', 'catalog.manage'];

/** Discovery writes as the agent (`agent:<DEVICEID>` in events) with just the rights it needs. */
export function discoveryCtx(ctx: Ctx, orgId: string, agentDeviceId: string, meta: Record<string, unknown>): Ctx {
  return {
    ...ctx,
    actor: { type: 'system', userId: null, label: `agent:${agentDeviceId}`, orgId, role: null, permissions: new Set(DISCOVERY_PERMISSIONS) },
    eventMeta: meta,
  };
}

// ---------- catalog: category, manufacturer and model of a discovered machine ----------

type Kind = 'laptop' | 'desktop' | 'server' | 'virtual' | 'monitor' | 'printer';

const CATEGORY_OF: Record<Kind, { name: string; assetClass: string; dataBearing: boolean }> = {
  laptop: { name: 'Laptops', assetClass: 'laptop', dataBearing: true },
  desktop: { name: 'Desktops', assetClass: 'desktop', dataBearing: true },
  server: { name: 'Servers', assetClass: 'server', dataBearing: true },
  virtual: { name: 'Virtual machines', assetClass: 'other', dataBearing: false },
  monitor: { name: 'Monitors', assetClass: 'monitor', dataBearing: false },
  printer: { name: 'Printers', assetClass: 'printer', dataBearing: false },
};

/** SMBIOS chassis type → the kind of machine (SMBIOS 3.x chassis names). */
export function machineKind(d: CanonicalDevice): Kind {
  if (d.virtualization.isVirtual) return 'virtual';
  const c = (d.hardware.chassisType ?? '').toLowerCase();
  if (/laptop|notebook|portable|convertible|detachable|hand ?held|tablet|sub ?notebook/.test(c)) return 'laptop';
  if (/rack|blade|server|multi-system|enclosure/.test(c)) return 'server';
  return 'desktop';
}

async function findOrCreateCategory(trx: Executor, ctx: Ctx, kind: Kind, now: string): Promise<string> {
  const orgId = ctx.actor.orgId!;
  const def = CATEGORY_OF[kind];
  const existing = await repo.categoryByClassOrName(trx, orgId, def.name, def.assetClass);
  if (existing) return existing;
  const row = {
    id: newId(), org_id: orgId, name: def.name, asset_class: def.assetClass, data_bearing: toDbBool(def.dataBearing), requires_acceptance: 0,
    acceptance_terms: null, acceptance_terms_version: null, created_at: now, updated_at: now, tag_pattern: null,
  };
  await catalogRepo.insertCategory(trx, row);
  await events.record(trx, ctx, { action: 'category.created', entityType: 'category', entityId: row.id, changes: events.diff(null, { name: def.name, assetClass: def.assetClass, dataBearing: def.dataBearing }, ['name', 'assetClass', 'dataBearing']) });
  return row.id;
}

async function findOrCreateManufacturer(trx: Executor, ctx: Ctx, name: string, now: string): Promise<string> {
  const orgId = ctx.actor.orgId!;
  const existing = await catalogRepo.findByName(trx, 'manufacturers', orgId, name);
  if (existing) return existing.id;
  const row = { id: newId(), org_id: orgId, name, support_url: null, warranty_lookup_url: null, created_at: now, updated_at: now };
  await catalogRepo.insertManufacturer(trx, row);
  await events.record(trx, ctx, { action: 'manufacturer.created', entityType: 'manufacturer', entityId: row.id, changes: events.diff(null, { name }, ['name']) });
  return row.id;
}

/** The catalog model for a manufacturer + model name, created (with its category) when new. */
export async function findOrCreateModel(trx: Executor, ctx: Ctx, vendor: string | null, modelName: string | null, kind: Kind, now: string): Promise<string> {
  const orgId = ctx.actor.orgId!;
  const manufacturerId = vendor ? await findOrCreateManufacturer(trx, ctx, vendor, now) : null;
  const name = modelName ?? `Unknown ${CATEGORY_OF[kind].name.toLowerCase().replace(/s$/, '')}`;
  const existing = await catalogRepo.findModelByName(trx, orgId, name, manufacturerId);
  if (existing) return existing.id;
  const categoryId = await findOrCreateCategory(trx, ctx, kind, now);
  const row = {
    id: newId(), org_id: orgId, name, model_number: null, category_id: categoryId, manufacturer_id: manufacturerId, eol_months: null,
    default_custom_fields: '{}', image_path: null, created_at: now, updated_at: now,
  };
  await catalogRepo.insertModel(trx, row);
  await events.record(trx, ctx, { action: 'model.created', entityType: 'model', entityId: row.id, changes: events.diff(null, { name, categoryId, manufacturerId }, ['name', 'categoryId', 'manufacturerId']) });
  return row.id;
}

// ---------- applying a device to its asset ----------

export interface ApplyInput {
  /** Discovery's ctx (discoveryCtx). */
  ctx: Ctx;
  deviceRowId: string;
  device: CanonicalDevice;
  /** The previous record, for the components that disappeared (null on the first inventory). */
  previous: CanonicalDevice | null;
  settings: ReconcileSettings;
  now: string;
}

/** Creates an asset for a device nobody had (or a person chose to split off). Returns its id. */
export async function createAssetFor(trx: Executor, a: ApplyInput): Promise<string> {
  const d = a.device;
  const modelId = await findOrCreateModel(trx, a.ctx, d.hardware.manufacturer, d.hardware.model, machineKind(d), a.now);
  const serial = matchableSerial(d, a.settings) ?? (d.virtualization.isVirtual ? null : d.identity.systemSerial);
  const free = serial ? !(await repo.serialTaken(trx, a.ctx.actor.orgId!, serial, d.hardware.manufacturer)) : false;
  return assets.createInTransaction(trx, a.ctx, {
    modelId, name: d.identity.hostname ?? undefined, serial: free ? serial : undefined, lifecycleState: a.settings.createState,
  }, '/discovery');
}

/**
 * Writes what the device says on its asset: discovered fields (unless locked), identifiers,
 * media, peripherals and VM links. Returns the fields written.
 */
export async function applyToAsset(trx: Executor, assetId: string, a: ApplyInput): Promise<string[]> {
  const orgId = a.ctx.actor.orgId!;
  const asset = await repo.assetState(trx, orgId, assetId);
  if (!asset || asset.deleted_at) return [];
  const d = a.device;
  const locked = await provenance.lockedFields(trx, orgId, assetId);
  const patch: assets.AssetPatch = {};
  if (d.identity.hostname && !locked.has('name') && asset.name !== d.identity.hostname) patch.name = d.identity.hostname;
  const serial = d.virtualization.isVirtual ? null : d.identity.systemSerial;
  if (serial && !locked.has('serial') && asset.serial !== serial && !(await repo.serialTaken(trx, orgId, serial, d.hardware.manufacturer, assetId))) patch.serial = serial;
  if (!locked.has('modelId') && (d.hardware.model || d.hardware.manufacturer)) {
    const modelId = await findOrCreateModel(trx, a.ctx, d.hardware.manufacturer, d.hardware.model, machineKind(d), a.now);
    if (modelId !== asset.model_id) patch.modelId = modelId;
  }
  const written = Object.keys(patch);
  if (written.length) await assets.updateInTransaction(trx, a.ctx, assetId, patch, '/discovery');

  await repo.replaceIdentifiers(trx, orgId, assetId, a.deviceRowId, identifiersOf(d), a.now);
  // Media are disposal evidence: once an asset is on its way out they are frozen.
  if (!['pending_disposition', 'disposed'].includes(asset.lifecycle_state) && !d.virtualization.isVirtual) {
    await syncMedia(trx, a.ctx, assetId, d.storage, a.now);
  }
  if (a.settings.linkPeripherals) await syncPeripherals(trx, a, assetId);
  await syncGuests(trx, a, assetId);
  return written;
}

/** Records the device → asset link (device row, and an event on the asset by `eventCtx`: the agent, or the person who linked it). */
export async function setLink(trx: Executor, eventCtx: Ctx, a: ApplyInput, assetId: string, status: 'matched' | 'created', rule: string): Promise<void> {
  await repo.updateDevice(trx, a.ctx.actor.orgId!, a.deviceRowId, { asset_id: assetId, match_status: status, match_rule: rule, review_reason: null, review_candidates: null, linked_at: a.now });
  await events.record(trx, eventCtx, {
    action: 'discovery.device_linked', entityType: 'asset', entityId: assetId, changes: { discoveredDeviceId: { before: null, after: a.deviceRowId } },
    meta: { rule, discoveredDeviceId: a.deviceRowId, hostname: a.device.identity.hostname, systemSerial: a.device.identity.systemSerial, agent: a.device.source.agentName },
  });
}

// ---------- media ----------

const MEDIA_TYPE: Partial<Record<CanonicalStorage['type'], AssetMediaTable['media_type']>> = {
  hdd: 'hdd', ssd: 'ssd', nvme: 'nvme', removable: 'flash', tape: 'tape', unknown: 'hdd',
};

const mediumKey = (serial: string | null, model: string | null, bytes: number | null) =>
  serial ? `s:${serial.toLowerCase()}` : `m:${(model ?? '').toLowerCase()}|${bytes ?? ''}`;

/**
 * Keeps the asset's media in step with the inventory: new disks are added (source discovery),
 * disks no longer reported are marked removed (not deleted: the record is evidence), a removed
 * disk that comes back is installed again. Sanitized/destroyed media and hand-entered media
 * without a match are left alone.
 */
async function syncMedia(trx: Executor, ctx: Ctx, assetId: string, storage: CanonicalStorage[], now: string): Promise<void> {
  const orgId = ctx.actor.orgId!;
  const current = await assetsRepo.listMedia(trx, orgId, assetId);
  const byKey = new Map(current.map((m) => [mediumKey(m.serial, m.model, m.capacity_bytes === null ? null : Number(m.capacity_bytes)), m]));
  const seen = new Set<string>();
  for (const s of storage) {
    const type = MEDIA_TYPE[s.type];
    if (!type) continue;
    const key = mediumKey(s.serial, s.model, s.capacityBytes);
    if (seen.has(key)) continue;
    seen.add(key);
    const m = byKey.get(key);
    if (!m) {
      const row: AssetMediaTable = {
        id: newId(), org_id: orgId, asset_id: assetId, media_type: type, serial: s.serial, model: s.model, manufacturer: s.manufacturer,
        capacity_bytes: s.capacityBytes, interface: s.interface, status: 'installed', source: 'discovery', notes: null, created_at: now, updated_at: now,
      };
      await assetsRepo.insertMedia(trx, [row]);
      await events.record(trx, ctx, {
        action: 'asset.media_added', entityType: 'asset', entityId: assetId,
        changes: { 'media.mediaType': { before: null, after: type }, 'media.serial': { before: null, after: s.serial }, 'media.model': { before: null, after: s.model }, 'media.capacityBytes': { before: null, after: s.capacityBytes }, 'media.status': { before: null, after: 'installed' } },
        meta: { mediumId: row.id, source: 'discovery' },
      });
    } else if (m.status === 'removed') {
      await assetsRepo.updateMedium(trx, orgId, m.id, { status: 'installed', updated_at: now });
      await events.record(trx, ctx, { action: 'asset.media_reinstalled', entityType: 'asset', entityId: assetId, changes: { 'media.status': { before: 'removed', after: 'installed' } }, meta: { mediumId: m.id, serial: m.serial, model: m.model, source: 'discovery' } });
    }
  }
  for (const [key, m] of byKey) {
    if (seen.has(key) || m.status !== 'installed' || m.source !== 'discovery') continue;
    await assetsRepo.updateMedium(trx, orgId, m.id, { status: 'removed', updated_at: now });
    await events.record(trx, ctx, {
      action: 'asset.media_removed', entityType: 'asset', entityId: assetId,
      changes: { 'media.status': { before: 'installed', after: 'removed' } },
      meta: { mediumId: m.id, serial: m.serial, model: m.model, capacityBytes: m.capacity_bytes === null ? null : Number(m.capacity_bytes), source: 'discovery', note: 'no longer reported by the agent' },
    });
  }
}

// ---------- peripherals (monitors, printers) as linked assets ----------

interface Peripheral { kind: 'monitor' | 'printer'; serial: string; manufacturer: string | null; model: string | null }

function peripheralsOf(d: CanonicalDevice): Peripheral[] {
  const out = new Map<string, Peripheral>();
  const add = (p: Peripheral) => { if (!isPlaceholder(p.serial)) out.set(p.serial.toLowerCase(), p); };
  for (const m of d.monitors as CanonicalMonitor[]) {
    if (m.serial) add({ kind: 'monitor', serial: m.serial, manufacturer: normalizeManufacturer(m.manufacturer), model: m.name ?? m.caption });
  }
  for (const p of d.peripherals as CanonicalPeripheral[]) {
    if (p.kind === 'printer' && p.serial) add({ kind: 'printer', serial: p.serial, manufacturer: normalizeManufacturer(p.manufacturer), model: p.model ?? p.name });
  }
  return [...out.values()];
}

async function syncPeripherals(trx: Executor, a: ApplyInput, hostAssetId: string): Promise<void> {
  const orgId = a.ctx.actor.orgId!;
  const now = peripheralsOf(a.device);
  for (const p of now) {
    const existing = (await repo.assetsBySerial(trx, orgId, p.serial)).filter((x) => sameVendor(x.manufacturer_name, p.manufacturer));
    if (existing.length > 1) continue;
    if (existing.length === 1) {
      await setParent(trx, a, existing[0]!.id, hostAssetId);
      continue;
    }
    const modelId = await findOrCreateModel(trx, a.ctx, p.manufacturer, p.model, p.kind, a.now);
    await assets.createInTransaction(trx, a.ctx, { modelId, serial: p.serial, parentAssetId: hostAssetId, lifecycleState: a.settings.createState }, '/discovery');
  }
  // Peripherals that were attached at the last inventory and are gone now are detached.
  if (!a.previous) return;
  const current = new Set(now.map((p) => p.serial.toLowerCase()));
  for (const p of peripheralsOf(a.previous)) {
    if (current.has(p.serial.toLowerCase())) continue;
    for (const child of await repo.assetsBySerial(trx, orgId, p.serial)) await setParent(trx, a, child.id, null, hostAssetId);
  }
}

// ---------- virtual machines and their host ----------

/**
 * A host lists its guests (by UUID): each guest asset known by that UUID gets the host as parent.
 * A guest's own inventory looks for a host that lists it.
 */
async function syncGuests(trx: Executor, a: ApplyInput, assetId: string): Promise<void> {
  const orgId = a.ctx.actor.orgId!;
  const d = a.device;
  const guests = d.virtualMachines.filter((vm) => vm.uuid).map((vm) => ({ uuid: uuidVariants(vm.uuid!)[0]!, name: vm.name, vm_type: vm.vmType ?? vm.subsystem, status: vm.status }));
  await repo.replaceGuests(trx, orgId, a.deviceRowId, guests);
  for (const g of guests) {
    for (const guestAsset of await repo.assetsByIdentifier(trx, orgId, 'uuid', uuidVariants(g.uuid))) {
      if (guestAsset.id !== assetId) await setParent(trx, a, guestAsset.id, assetId);
    }
  }
  if (d.virtualization.isVirtual && d.identity.uuid) {
    const host = await repo.hostAssetOfGuest(trx, orgId, uuidVariants(d.identity.uuid), a.deviceRowId);
    if (host && host !== assetId) await setParent(trx, a, assetId, host);
  }
}

/**
 * Gives an asset the parent discovery sees (null: detached) — unless the asset is deleted,
 * already has it, or a person locked its parent. With `onlyFrom`, only while its parent is that
 * asset (a peripheral leaves the computer it was on, not one a person moved it to).
 */
async function setParent(trx: Executor, a: ApplyInput, assetId: string, parentId: string | null, onlyFrom?: string): Promise<void> {
  const orgId = a.ctx.actor.orgId!;
  const state = await repo.assetState(trx, orgId, assetId);
  if (!state || state.deleted_at || state.parent_asset_id === parentId) return;
  if (onlyFrom !== undefined && state.parent_asset_id !== onlyFrom) return;
  if ((await provenance.lockedFields(trx, orgId, assetId)).has('parentAssetId')) return;
  await assets.updateInTransaction(trx, a.ctx, assetId, { parentAssetId: parentId }, '/discovery');
}
