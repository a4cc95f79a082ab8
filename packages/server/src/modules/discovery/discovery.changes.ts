/**
 * Change tracking: what differs between a device's previous canonical record and the new one,
 * as a list of events for the asset's timeline. Pure (no database): software differences come
 * from the software catalogue's sync, storage differences of a linked asset from its media.
 */
import type { Changes } from '../events/events.service.js';
import type { CanonicalDevice, CanonicalMemoryModule, CanonicalMonitor, CanonicalStorage } from './discovery.canonical.js';

export interface DeviceChange {
  /** Event action: `discovery.<kind>` */
  action: string;
  changes: Changes;
  meta: Record<string, unknown>;
}

const gb = (mb: number | null) => (mb === null ? null : Math.round(mb / 1000));

const storageKey = (s: CanonicalStorage) => s.serial ? `s:${s.serial.toLowerCase()}` : `m:${(s.model ?? s.name ?? '').toLowerCase()}|${s.sizeMb ?? ''}`;
const storageLabel = (s: CanonicalStorage) => ({ type: s.type, model: s.model, serial: s.serial, sizeMb: s.sizeMb, interface: s.interface });
const monitorKey = (m: CanonicalMonitor) => (m.serial ?? `${m.manufacturer ?? ''}|${m.name ?? m.caption ?? ''}`).toLowerCase();
const moduleLabel = (m: CanonicalMemoryModule) => ({ slot: m.slot, capacityMb: m.capacityMb, type: m.type, serial: m.serial });

function setDiff<T>(before: T[], after: T[], key: (t: T) => string): { added: T[]; removed: T[] } {
  const b = new Map(before.map((x) => [key(x), x]));
  const a = new Map(after.map((x) => [key(x), x]));
  return {
    added: [...a].filter(([k]) => !b.has(k)).map(([, v]) => v),
    removed: [...b].filter(([k]) => !a.has(k)).map(([, v]) => v),
  };
}

const field = (before: unknown, after: unknown): Changes[string] => ({ before: before ?? null, after: after ?? null });
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const ipsOf = (d: CanonicalDevice) => [...new Set(d.networks.flatMap((n) => [...n.ipv4.map((i) => i.address), ...n.ipv6.map((i) => i.address)]))]
  .filter((ip) => !ip.startsWith('127.') && ip !== '::1' && !ip.toLowerCase().startsWith('fe80')).sort();

/**
 * The changes between two records, in a stable order. `includeStorage` is false when the device's
 * asset tracks storage through its media (those events are written by the media sync).
 */
export function compareDevices(before: CanonicalDevice, after: CanonicalDevice, opts: { includeStorage: boolean }): DeviceChange[] {
  const out: DeviceChange[] = [];
  const push = (kind: string, changes: Changes, meta: Record<string, unknown> = {}) => out.push({ action: `discovery.${kind}`, changes, meta });

  if (!same(before.identity.systemSerial, after.identity.systemSerial)) {
    push('serial_changed', { systemSerial: field(before.identity.systemSerial, after.identity.systemSerial) });
  }
  if (!same(before.identity.hostname, after.identity.hostname)) push('hostname_changed', { hostname: field(before.identity.hostname, after.identity.hostname) });
  if (!same(before.hardware.manufacturer, after.hardware.manufacturer) || !same(before.hardware.model, after.hardware.model)) {
    push('model_changed', { manufacturer: field(before.hardware.manufacturer, after.hardware.manufacturer), model: field(before.hardware.model, after.hardware.model) });
  }
  if (!same(before.hardware.bios.version, after.hardware.bios.version)) {
    push('bios_changed', { biosVersion: field(before.hardware.bios.version, after.hardware.bios.version), biosDate: field(before.hardware.bios.date, after.hardware.bios.date) });
  }
  const cpu = (d: CanonicalDevice) => d.hardware.cpus.map((c) => c.name ?? 'unknown').sort();
  if (!same(cpu(before), cpu(after))) push('cpu_changed', { cpus: field(cpu(before), cpu(after)) });

  const mem = setDiff(before.hardware.memory.modules, after.hardware.memory.modules, (m) => `${m.slot ?? ''}|${m.serial ?? ''}|${m.capacityMb ?? ''}`);
  if (!same(before.hardware.memory.totalMb, after.hardware.memory.totalMb) || mem.added.length || mem.removed.length) {
    push('memory_changed', { memoryMb: field(before.hardware.memory.totalMb, after.hardware.memory.totalMb) }, {
      memoryGb: { before: gb(before.hardware.memory.totalMb), after: gb(after.hardware.memory.totalMb) },
      modulesAdded: mem.added.map(moduleLabel), modulesRemoved: mem.removed.map(moduleLabel),
    });
  }
  if (opts.includeStorage) {
    const disks = setDiff(before.storage.filter((s) => s.type !== 'optical'), after.storage.filter((s) => s.type !== 'optical'), storageKey);
    for (const s of disks.added) push('storage_added', { storage: field(null, storageLabel(s)) });
    for (const s of disks.removed) push('storage_removed', { storage: field(storageLabel(s), null) });
  }
  const monitors = setDiff(before.monitors, after.monitors, monitorKey);
  for (const m of monitors.added) push('monitor_connected', { monitor: field(null, { name: m.name ?? m.caption, serial: m.serial }) });
  for (const m of monitors.removed) push('monitor_disconnected', { monitor: field({ name: m.name ?? m.caption, serial: m.serial }, null) });

  const osOf = (d: CanonicalDevice) => ({ name: d.os.fullName ?? d.os.name, version: d.os.version, kernel: d.os.kernelVersion });
  if (!same(osOf(before), osOf(after))) push('os_changed', { os: field(osOf(before), osOf(after)) });
  if (!same(ipsOf(before), ipsOf(after))) push('ip_changed', { ipAddresses: field(ipsOf(before), ipsOf(after)) });
  const macs = setDiff(before.identity.macAddresses, after.identity.macAddresses, (m) => m);
  if (macs.added.length || macs.removed.length) push('network_changed', { macAddresses: field(before.identity.macAddresses, after.identity.macAddresses) });
  return out;
}
