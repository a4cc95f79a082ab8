/**
 * The canonical device record: what every agent format (FusionInventory / OCS / GLPI Agent XML,
 * GLPI Agent JSON) is normalised into, stored per discovered device as JSON text and served by the
 * API. One TypeBox schema gives both the TypeScript type and the OpenAPI response schema.
 *
 * Rules: sizes in MB are the agents' decimal megabytes (10^6 bytes) — `capacityBytes` is derived;
 * dates are `YYYY-MM-DD`; unknown values are `null` (never empty strings); placeholder serials
 * (`To Be Filled By O.E.M.` …) are dropped; lists are sorted so that the same machine always
 * gives the same JSON (no change is reported for a mere reordering). Volatile data (free space,
 * boot time, processes, environment, logged-in users) is deliberately left out: it lives only in
 * the raw payload.
 */
import { Type, type Static } from '@sinclair/typebox';

const Str = Type.Union([Type.String(), Type.Null()]);
const Int = Type.Union([Type.Integer(), Type.Null()]);
const DateStr = Type.Union([Type.String({ description: 'YYYY-MM-DD' }), Type.Null()]);

export const STORAGE_TYPES = ['hdd', 'ssd', 'nvme', 'removable', 'optical', 'tape', 'virtual', 'unknown'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

export const CanonicalCpu = Type.Object({
  name: Str, manufacturer: Str, cores: Int, threads: Int, speedMhz: Int, arch: Str, serial: Str,
});

export const CanonicalMemoryModule = Type.Object({
  slot: Str, capacityMb: Int, type: Str, speedMhz: Int, manufacturer: Str, model: Str, serial: Str, formFactor: Str,
});

export const CanonicalIpv4 = Type.Object({ address: Type.String(), mask: Str, subnet: Str, gateway: Str });
export const CanonicalIpv6 = Type.Object({ address: Type.String(), mask: Str, subnet: Str });

export const CanonicalNetwork = Type.Object({
  name: Str, mac: Str, type: Str, virtual: Type.Boolean(), status: Str, speedMbps: Int, driver: Str,
  manufacturer: Str, model: Str, dhcpServer: Str, ipv4: Type.Array(CanonicalIpv4), ipv6: Type.Array(CanonicalIpv6),
});

export const CanonicalStorage = Type.Object({
  name: Str,
  type: Type.Union(STORAGE_TYPES.map((t) => Type.Literal(t)), { description: 'hdd | ssd | nvme | removable | optical | tape | virtual | unknown' }),
  model: Str, manufacturer: Str, serial: Str, sizeMb: Int, capacityBytes: Int, interface: Str, firmware: Str, description: Str,
});

export const CanonicalFilesystem = Type.Object({
  mount: Str, device: Str, filesystem: Str, label: Str, totalMb: Int, serial: Str, encrypted: Type.Union([Type.Boolean(), Type.Null()]),
});

export const CanonicalMonitor = Type.Object({
  name: Str, manufacturer: Str, serial: Str, altSerial: Str, caption: Str, description: Str, type: Str, port: Str,
});

export const PERIPHERAL_KINDS = ['usb', 'printer', 'input', 'battery', 'power_supply', 'video', 'sound', 'modem'] as const;
export type PeripheralKind = (typeof PERIPHERAL_KINDS)[number];

export const CanonicalPeripheral = Type.Object({
  kind: Type.Union(PERIPHERAL_KINDS.map((k) => Type.Literal(k))),
  name: Str, manufacturer: Str, model: Str, serial: Str, description: Str,
});

export const CanonicalVirtualMachine = Type.Object({
  name: Str, uuid: Str, status: Str, subsystem: Str, vmType: Str, vcpu: Int, memoryMb: Int, mac: Str, serial: Str, comment: Str, owner: Str,
});

export const CanonicalSoftware = Type.Object({
  name: Type.String(), version: Str, publisher: Str, installDate: DateStr, arch: Str,
  source: Type.Union([Type.String({ description: 'deb, rpm, registry, snap, flatpak, …' }), Type.Null()]), category: Str, guid: Str,
});

export const CanonicalDevice = Type.Object({
  schemaVersion: Type.Literal(1),
  source: Type.Object({
    format: Type.Union([Type.Literal('xml'), Type.Literal('json')]),
    agentName: Str, agentVersion: Str,
    /** The agent's DEVICEID / deviceid */
    deviceId: Type.String(),
    /** --tag / ACCOUNTINFO TAG */
    tag: Str,
    itemtype: Str,
  }),
  identity: Type.Object({
    systemSerial: Str, uuid: Str, hostname: Str, fqdn: Str, domain: Str, assetTag: Str,
    macAddresses: Type.Array(Type.String()), primaryMac: Str,
  }),
  hardware: Type.Object({
    manufacturer: Type.Union([Type.String({ description: 'normalised vendor name (Dell, HP, Lenovo …)' }), Type.Null()]),
    model: Str, sku: Str, chassisType: Str, chassisSerial: Str,
    systemManufacturer: Type.Union([Type.String({ description: 'as reported by SMBIOS' }), Type.Null()]),
    bios: Type.Object({ manufacturer: Str, version: Str, date: DateStr }),
    board: Type.Object({ manufacturer: Str, model: Str, serial: Str }),
    cpus: Type.Array(CanonicalCpu),
    memory: Type.Object({
      totalMb: Type.Union([Type.Integer({ description: 'installed modules, or what the OS sees when modules are unknown' }), Type.Null()]),
      osVisibleMb: Int, swapMb: Int, slots: Int, modules: Type.Array(CanonicalMemoryModule),
    }),
  }),
  virtualization: Type.Object({
    isVirtual: Type.Boolean(),
    vmSystem: Type.Union([Type.String({ description: 'Physical, KVM, VMware, Docker, …' }), Type.Null()]),
    vmName: Str, hostSerial: Str,
  }),
  os: Type.Object({
    name: Str, version: Str, fullName: Str, kernelName: Str, kernelVersion: Str, arch: Str, servicePack: Str,
    installDate: DateStr, timezone: Str,
  }),
  networks: Type.Array(CanonicalNetwork),
  storage: Type.Array(CanonicalStorage),
  filesystems: Type.Array(CanonicalFilesystem),
  monitors: Type.Array(CanonicalMonitor),
  peripherals: Type.Array(CanonicalPeripheral),
  virtualMachines: Type.Array(CanonicalVirtualMachine),
  software: Type.Array(CanonicalSoftware),
});

export type CanonicalDevice = Static<typeof CanonicalDevice>;
export type CanonicalCpu = Static<typeof CanonicalCpu>;
export type CanonicalMemoryModule = Static<typeof CanonicalMemoryModule>;
export type CanonicalNetwork = Static<typeof CanonicalNetwork>;
export type CanonicalStorage = Static<typeof CanonicalStorage>;
export type CanonicalFilesystem = Static<typeof CanonicalFilesystem>;
export type CanonicalMonitor = Static<typeof CanonicalMonitor>;
export type CanonicalPeripheral = Static<typeof CanonicalPeripheral>;
export type CanonicalVirtualMachine = Static<typeof CanonicalVirtualMachine>;
export type CanonicalSoftware = Static<typeof CanonicalSoftware>;
