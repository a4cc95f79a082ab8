/**
 * Agent discovery: normalisation of every captured fixture (shared/fixtures/agents), the agent
 * protocol over HTTP (replayed fixtures through app.inject), enrolment and policies, hostile
 * payloads, the admin API — and the real FusionInventory agent against a listening server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDeflate, deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { addMember, call, createTestApp, engines, eventCount, login, newOrganization, setupOwner, switchTo, type Session, type TestApp } from './harness.js';
import { loadConfig } from '../src/config.js';
import {
  classifyStorage, cleanSerial, contentSections, fusionXmlToDevice, glpiJsonToDevice, isPlaceholder, mergePartialDevice, NormalizeError,
  normalizeMac, normalizeManufacturer, parseAgentDate, parseJsonMessage, parseXmlMessage, type CanonicalDevice,
} from '../src/modules/discovery/discovery.normalize.js';
import { detectCompression, encodeReply, inflateBounded, parseBasicAuth, ProtocolError } from '../src/modules/discovery/discovery.protocol.js';

// ---------------------------------------------------------------------------------------------
// fixtures
// ---------------------------------------------------------------------------------------------

/** Copied from shared/fixtures/agents so a clone is self-contained; AGENT_FIXTURES_DIR overrides. */
const FIXTURES = process.env.AGENT_FIXTURES_DIR ?? fileURLToPath(new URL('./fixtures/agents/', import.meta.url));
const fixture = (name: string): string => {
  const file = `${FIXTURES.replace(/\/?$/, '/')}${name}`;
  if (!existsSync(file)) throw new Error(`agent fixture missing: ${file} (set AGENT_FIXTURES_DIR)`);
  return readFileSync(file, 'utf8');
};

const F = {
  r640Xml: 'fusioninventory-2.6_local_fake-dmidecode-dell-r640.xml',
  r640Json: 'glpi-agent-1.12dev_local_fake-dmidecode-dell-r640_full.json',
  vmXml: 'fusioninventory-2.6_local_this-vm.xml',
  vmXmlTag: 'fusioninventory-2.6_submitted_INVENTORY_tag.xml',
  prolog: 'fusioninventory-2.6_submitted_PROLOG.xml',
  glpiVmXml: 'glpi-agent-1.12dev_local_this-vm.xml',
  glpiVmJson: 'glpi-agent-1.12dev_local_this-vm_full.json',
  glpiLegacyXml: 'glpi-agent_submitted_INVENTORY_legacy-xml.xml',
  glpiProlog: 'glpi-agent_submitted_PROLOG_first-contact.xml',
  glpiContact: 'glpi-agent_submitted_contact.json',
  glpiContactTag: 'glpi-agent_submitted_contact_tag.json',
  glpiFull: 'glpi-agent_submitted_inventory_full.json',
  glpiPartial: 'glpi-agent_submitted_inventory_partial_tag.json',
};

const XML_PROLOG_REPLY = '<?xml version="1.0" encoding="UTF-8"?><REPLY><RESPONSE>SEND</RESPONSE><PROLOG_FREQ>24</PROLOG_FREQ></REPLY>';
const XML_INVENTORY_REPLY = '<?xml version="1.0" encoding="UTF-8"?><REPLY><RESPONSE>NO_ACCOUNT_UPDATE</RESPONSE></REPLY>';
const JSON_OK_REPLY = '{"status":"ok","expiration":24}';
const JSON_CONTACT_REPLY = '{"status":"ok","expiration":24,"tasks":{"inventory":{"server":"glpi","version":"10.0.0"}}}';

// ---------------------------------------------------------------------------------------------
// normalisation (pure)
// ---------------------------------------------------------------------------------------------

describe('normalisation of the captured agent messages', () => {
  it('Dell PowerEdge R640 (FusionInventory 2.6 XML with the R640 dmidecode)', () => {
    const d = fusionXmlToDevice(fixture(F.r640Xml));
    expect(d.source).toEqual({ format: 'xml', agentName: 'FusionInventory-Agent', agentVersion: '2.6-3', deviceId: 'vm-2026-11-22-11-43-04', tag: null, itemtype: null });
    expect(d.hardware.manufacturer).toBe('Dell');
    expect(d.hardware.systemManufacturer).toBe('Dell Inc.');
    expect(d.hardware.model).toBe('PowerEdge R640');
    expect(d.hardware.chassisType).toBe('Rack Mount Chassis');
    expect(d.hardware.bios).toEqual({ manufacturer: 'Dell Inc.', version: '2.6.4', date: '2020-04-09' });
    expect(d.hardware.board).toEqual({ manufacturer: 'Dell Inc.', model: '06NR82', serial: '.2RJF153.CNIVC0005G0184.' });
    // The capture ran in a container: the agent blanks BIOS/SSN on purpose (VMSYSTEM=Docker,
    // protocol doc §3.7), so the system serial (2RJF153 in the dmidecode dump) is absent and is
    // NOT resurrected from the board serial — a container must not take its host's identity.
    expect(d.virtualization).toEqual({ isVirtual: true, vmSystem: 'Docker', vmName: null, hostSerial: null });
    expect(d.identity.systemSerial).toBeNull();
    expect(d.identity.uuid).toBe('4C4C4544-0052-4A10-8046-B2C04F313533');
    expect(d.identity.hostname).toBe('vm');
    expect(d.identity.macAddresses).toEqual(['02:fc:00:00:00:01']);
    expect(d.identity.primaryMac).toBe('02:fc:00:00:00:01');
    // CPUs, memory: 8 × 32 GiB DDR4 in 24 slots (the OS of the capture VM saw 24105 MB).
    expect(d.hardware.cpus).toEqual([{ name: 'AMD EPYC', manufacturer: 'AMD', cores: 2, threads: 2, speedMhz: null, arch: 'i386', serial: null }]);
    expect(d.hardware.memory.totalMb).toBe(8 * 32768);
    expect(d.hardware.memory.osVisibleMb).toBe(24105);
    expect(d.hardware.memory.slots).toBe(24);
    expect(d.hardware.memory.modules).toHaveLength(8);
    expect(d.hardware.memory.modules[0]).toEqual({ slot: 'A1', capacityMb: 32768, type: 'DDR4', speedMhz: 2933, manufacturer: 'Samsung', model: 'M393A4K40CB2-CVF', serial: '3780385B', formFactor: 'DIMM' });
    expect(d.hardware.memory.modules.map((m) => m.serial)).toEqual(['3780385B', '3780485D', '37803837', '378037F8', '378037F2', '3780063C', '37804A39', '37800533']);
    // Disks: the one block device of the capture VM, a virtio disk.
    expect(d.storage).toEqual([{
      name: 'vda', type: 'virtual', model: null, manufacturer: 'Red Hat', serial: 'overlayblk', sizeMb: 274877, capacityBytes: 274_877_000_000,
      interface: null, firmware: null, description: 'Virtual',
    }]);
    expect(d.filesystems).toEqual([{ mount: '/', device: '/dev/vda', filesystem: 'ext4', label: null, totalMb: 258019, serial: null, encrypted: null }]);
    // NICs: one entry per address in the XML, grouped back into interfaces.
    expect(d.networks.map((n) => [n.name, n.mac, n.virtual])).toEqual([
      ['eth0', '02:fc:00:00:00:01', false], ['ifb0', 'ee:46:13:be:e5:2a', true], ['ifb1', '7e:ac:b0:d7:a8:81', true], ['lo', null, true],
    ]);
    const eth0 = d.networks[0]!;
    expect(eth0.ipv4).toEqual([{ address: '192.0.2.2', mask: '255.255.255.0', subnet: '192.0.2.0', gateway: '192.0.2.1' }]);
    expect(eth0.ipv6.map((a) => a.address)).toEqual(['fd00::2', 'fe80::fc:ff:fe00:1']);
    expect(eth0.speedMbps).toBeNull();
    // Power supplies carry serials.
    expect(d.peripherals.filter((p) => p.kind === 'power_supply').map((p) => p.serial)).toEqual(['CNDED0003G0NQA', 'CNDED0003G0O0P']);
    expect(d.os).toMatchObject({ name: 'Debian GNU/Linux', version: '12.11', fullName: 'Debian GNU/Linux 12 (bookworm)', kernelName: 'linux', arch: 'x86_64', timezone: 'UTC' });
    // Software: 837 Debian packages, sorted by name.
    expect(d.software).toHaveLength(837);
    expect(d.software[0]).toEqual({ name: 'adduser', version: '3.134', publisher: 'Debian', installDate: null, arch: 'all', source: 'deb', category: 'admin', guid: null });
    expect(d.software.find((s) => s.name === 'apt')).toMatchObject({ version: '2.6.1', arch: 'amd64', publisher: 'Debian' });
    expect(d.software.find((s) => s.name === 'fusioninventory-agent')).toMatchObject({ version: '1:2.6-3', arch: 'all' });
    expect(d.software.map((s) => s.name)).toEqual([...d.software.map((s) => s.name)].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)));
    // Volatile and sensitive sections are not part of the record.
    const json = JSON.stringify(d);
    expect(json).not.toMatch(/BOOT_TIME|boot_time|LOGDATE|\bPATH=|PROCESSES/);
  });

  it('the same R640 from GLPI Agent\'s JSON gives the same record, agent aside', () => {
    const x = fusionXmlToDevice(fixture(F.r640Xml));
    const j = glpiJsonToDevice(fixture(F.r640Json));
    expect(j.source).toMatchObject({ format: 'json', agentName: 'GLPI-Agent', agentVersion: '1.12-dev', itemtype: 'Computer' });
    expect(j.identity).toEqual(x.identity);
    expect(j.storage).toEqual(x.storage);
    expect(j.software).toEqual(x.software);
    expect(j.networks).toEqual(x.networks);
    expect(j.peripherals).toEqual(x.peripherals);
    expect({ ...j.hardware, cpus: null, memory: { ...j.hardware.memory, swapMb: null } }).toEqual({ ...x.hardware, cpus: null, memory: { ...x.hardware.memory, swapMb: null } });
    // What the two agents really reported differently: threads of this CPU, and swap (0 vs absent).
    expect(j.hardware.cpus[0]!.threads).toBe(1);
    expect([j.hardware.memory.swapMb, x.hardware.memory.swapMb]).toEqual([0, null]);
  });

  it('every captured inventory of this VM normalises (Fusion local, submitted with --tag, GLPI XML and JSON)', () => {
    const all = {
      fusionLocal: fusionXmlToDevice(fixture(F.vmXml)),
      fusionTag: fusionXmlToDevice(fixture(F.vmXmlTag)),
      glpiLocalXml: fusionXmlToDevice(fixture(F.glpiVmXml)),
      glpiLegacyXml: fusionXmlToDevice(fixture(F.glpiLegacyXml)),
      glpiLocalJson: glpiJsonToDevice(fixture(F.glpiVmJson)),
      glpiSubmitted: glpiJsonToDevice(fixture(F.glpiFull)),
    };
    for (const d of Object.values(all)) {
      expect(d.identity.hostname).toBe('vm');
      expect(d.identity.systemSerial).toBeNull();
      expect(d.identity.primaryMac).toBe('02:fc:00:00:00:01');
      expect(d.virtualization.vmSystem).toBe('Docker');
      expect(d.hardware.memory.totalMb).toBe(24105);
      expect(d.storage).toEqual([expect.objectContaining({ name: 'vda', serial: 'overlayblk', type: 'virtual', sizeMb: 274877 })]);
      expect(d.os.fullName).toBe('Debian GNU/Linux 12 (bookworm)');
      expect(d.software.find((s) => s.name === 'bash')).toBeTruthy();
    }
    expect(all.fusionLocal.software).toHaveLength(782);
    expect(all.glpiSubmitted.software).toHaveLength(837);
    expect(all.fusionTag.source.tag).toBe('LAB-TAG-1');
    expect(all.fusionLocal.source.tag).toBeNull();
    expect(all.glpiLegacyXml.source).toMatchObject({ format: 'xml', agentName: 'GLPI-Agent', deviceId: 'vm-2026-11-22-11-49-03' });
    // The XML and JSON of the same GLPI Agent run describe the same software.
    expect(all.glpiLocalJson.software).toEqual(all.glpiLocalXml.software);
  });

  it('PROLOG and CONTACT messages parse; they carry no inventory', () => {
    expect(parseXmlMessage(fixture(F.prolog))).toMatchObject({ format: 'xml', query: 'PROLOG', deviceId: 'vm-2026-11-22-11-43-04', content: null });
    expect(parseXmlMessage(fixture(F.glpiProlog))).toMatchObject({ query: 'PROLOG', deviceId: 'vm-2026-11-22-11-49-03' });
    expect(parseJsonMessage(fixture(F.glpiContact))).toMatchObject({ format: 'json', query: 'CONTACT', deviceId: 'vm-2026-11-22-11-49-03', name: 'GLPI-Agent', version: '1.12-dev' });
    expect(parseJsonMessage(fixture(F.glpiContactTag)).tag).toBe('LAB-TAG-1');
    expect(() => fusionXmlToDevice(fixture(F.prolog))).toThrow(NormalizeError);
  });

  it('a partial GLPI inventory replaces only the sections it carries', () => {
    const full = glpiJsonToDevice(fixture(F.glpiFull));
    const partialMsg = parseJsonMessage(fixture(F.glpiPartial));
    expect(partialMsg.partial).toBe(true);
    expect(contentSections(partialMsg)).toEqual(['accesslog', 'bios', 'hardware', 'processes', 'versionclient', 'versionprovider']);
    const partial = glpiJsonToDevice(fixture(F.glpiPartial));
    // Alone, the partial has no software, storage or network…
    expect(partial.software).toEqual([]);
    expect(partial.storage).toEqual([]);
    // …merged, nothing is lost and the tag it brought is kept.
    const merged = mergePartialDevice(full, partial, contentSections(partialMsg));
    expect(merged.software).toEqual(full.software);
    expect(merged.storage).toEqual(full.storage);
    expect(merged.networks).toEqual(full.networks);
    expect(merged.identity).toEqual(full.identity);
    expect(merged.source.tag).toBe('LAB-TAG-1');
    expect({ ...merged, source: null }).toEqual({ ...full, source: null });

    // A partial carrying softwares and storages replaces those (and only those).
    const doc = JSON.parse(fixture(F.glpiPartial)) as { content: Record<string, unknown> };
    doc.content.softwares = [{ name: 'only-one', version: '1.0' }];
    doc.content.storages = [{ name: 'nvme0n1', model: 'Samsung SSD 980 PRO 1TB', serial: 'S5GXNF0R123456', disksize: 1000204, interface: 'NVMe', type: 'disk' }];
    const p2 = parseJsonMessage(doc as Record<string, unknown>);
    const merged2 = mergePartialDevice(full, glpiJsonToDevice(doc as Record<string, unknown>), contentSections(p2));
    expect(merged2.software.map((s) => s.name)).toEqual(['only-one']);
    expect(merged2.storage).toEqual([expect.objectContaining({ name: 'nvme0n1', type: 'nvme', serial: 'S5GXNF0R123456', capacityBytes: 1_000_204_000_000 })]);
    expect(merged2.networks).toEqual(full.networks);
    expect(merged2.os).toEqual(full.os);
  });

  it('OCS-style XML (no OPERATINGSYSTEM, CPUS TYPE/CORES), VMs with their host, monitors and peripherals', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<REQUEST><CONTENT>
  <BIOS><SSN>To Be Filled By O.E.M.</SSN><ENCLOSURESERIAL>CZ1234ABCD</ENCLOSURESERIAL><SMANUFACTURER>Hewlett-Packard</SMANUFACTURER><SMODEL>HP EliteDesk 800 G1 SFF</SMODEL><BDATE>13/02/2019</BDATE><ASSETTAG>No Asset Tag</ASSETTAG></BIOS>
  <HARDWARE><NAME>ws-042</NAME><UUID>03000200-0400-0500-0006-000700080009</UUID><OSNAME>Ubuntu 22.04.4 LTS</OSNAME><OSVERSION>5.15.0-105-generic</OSVERSION><MEMORY>15884</MEMORY><VMSYSTEM>Physical</VMSYSTEM><WORKGROUP>corp.example</WORKGROUP></HARDWARE>
  <CPUS><TYPE>Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz</TYPE><MANUFACTURER>Intel Corporation</MANUFACTURER><CORES>4</CORES><LOGICAL_CPUS>4</LOGICAL_CPUS><CPUARCH>x86_64</CPUARCH><SPEED>3300</SPEED></CPUS>
  <STORAGES><NAME>sda</NAME><MODEL>ST1000DM003-1CH162</MODEL><SERIALNUMBER>Z1D5ABCD</SERIALNUMBER><DISKSIZE>1000204</DISKSIZE><TYPE>disk</TYPE></STORAGES>
  <STORAGES><NAME>sdb</NAME><MODEL>Samsung SSD 860 EVO 500GB</MODEL><SERIALNUMBER>S3Z1NB0K123456X</SERIALNUMBER><DISKSIZE>500107</DISKSIZE><TYPE>disk</TYPE></STORAGES>
  <STORAGES><NAME>sdc</NAME><MODEL>Cruzer Blade</MODEL><MANUFACTURER>SanDisk</MANUFACTURER><SERIALNUMBER>4C530001230509117353</SERIALNUMBER><INTERFACE>USB</INTERFACE><DISKSIZE>16008</DISKSIZE></STORAGES>
  <STORAGES><NAME>sr0</NAME><MODEL>DVD+-RW GU90N</MODEL><TYPE>cdrom</TYPE><SERIALNUMBER>0000000000</SERIALNUMBER></STORAGES>
  <NETWORKS><DESCRIPTION>eno1</DESCRIPTION><MACADDR>3C:A8:2A:11:22:33</MACADDR><IPADDRESS>10.1.2.3</IPADDRESS><IPMASK>255.255.255.0</IPMASK><STATUS>Up</STATUS><VIRTUALDEV>0</VIRTUALDEV><SPEED>1000 Mbps</SPEED><TYPE>ethernet</TYPE></NETWORKS>
  <NETWORKS><DESCRIPTION>docker0</DESCRIPTION><MACADDR>02:42:ac:11:00:01</MACADDR><VIRTUALDEV>1</VIRTUALDEV></NETWORKS>
  <MONITORS><CAPTION>HP E241i</CAPTION><MANUFACTURER>Hewlett Packard</MANUFACTURER><SERIAL>CN41234XYZ</SERIAL></MONITORS>
  <USBDEVICES><NAME>YubiKey</NAME><VENDORID>1050</VENDORID><PRODUCTID>0407</PRODUCTID><SERIAL>16234567</SERIAL></USBDEVICES>
  <PRINTERS><NAME>Office</NAME><DRIVER>HP LaserJet</DRIVER><SERIAL>Default string</SERIAL></PRINTERS>
  <VIRTUALMACHINES><NAME>build-01</NAME><UUID>5b0c9d2e-1f3a-4c55-9a0b-123456789abc</UUID><STATUS>running</STATUS><SUBSYSTEM>kvm</SUBSYSTEM><VMTYPE>libvirt</VMTYPE><VCPU>2</VCPU><MEMORY>4096</MEMORY><MAC>52:54:00:aa:bb:cc</MAC></VIRTUALMACHINES>
  <SOFTWARES><NAME>Mozilla Firefox (x64 en-US)</NAME><VERSION>125.0.3</VERSION><PUBLISHER>Mozilla</PUBLISHER><INSTALLDATE>28/04/2024</INSTALLDATE><ARCH>x86_64</ARCH><FROM>registry</FROM><GUID>Mozilla Firefox 125.0.3 (x64 en-US)</GUID></SOFTWARES>
  <SOFTWARES><NAME>bash</NAME><VERSION>5.1-6ubuntu1</VERSION><ARCHITECTURE>amd64</ARCHITECTURE><INSTALLDATE>2024/01/15 10:11:12</INSTALLDATE></SOFTWARES>
</CONTENT><DEVICEID>ws-042-2024-01-15-10-00-00</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>`;
    const d = fusionXmlToDevice(xml);
    expect(d.identity).toMatchObject({ systemSerial: 'CZ1234ABCD', uuid: null, hostname: 'ws-042', domain: 'corp.example', assetTag: null, primaryMac: '3c:a8:2a:11:22:33', macAddresses: ['3c:a8:2a:11:22:33'] });
    expect(d.hardware).toMatchObject({ manufacturer: 'HP', model: 'HP EliteDesk 800 G1 SFF', chassisSerial: 'CZ1234ABCD', bios: { manufacturer: null, version: null, date: '2019-02-13' } });
    expect(d.hardware.cpus).toEqual([{ name: 'Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz', manufacturer: 'Intel', cores: 4, threads: 4, speedMhz: 3300, arch: 'x86_64', serial: null }]);
    expect(d.os).toMatchObject({ name: 'Ubuntu 22.04.4 LTS', kernelVersion: '5.15.0-105-generic' });
    expect(d.virtualization.isVirtual).toBe(false);
    expect(d.storage.map((s) => [s.name, s.type, s.serial])).toEqual([
      ['sda', 'hdd', 'Z1D5ABCD'], ['sdb', 'ssd', 'S3Z1NB0K123456X'], ['sdc', 'removable', '4C530001230509117353'], ['sr0', 'optical', null],
    ]);
    expect(d.networks[1]).toMatchObject({ name: 'eno1', speedMbps: 1000, status: 'up' });
    expect(d.monitors).toEqual([expect.objectContaining({ name: 'HP E241i', manufacturer: 'HP', serial: 'CN41234XYZ' })]);
    expect(d.peripherals).toEqual([
      { kind: 'printer', name: 'Office', manufacturer: null, model: 'HP LaserJet', serial: null, description: null },
      { kind: 'usb', name: 'YubiKey', manufacturer: null, model: '1050:0407', serial: '16234567', description: null },
    ]);
    expect(d.virtualMachines).toEqual([{
      name: 'build-01', uuid: '5B0C9D2E-1F3A-4C55-9A0B-123456789ABC', status: 'running', subsystem: 'kvm', vmType: 'libvirt', vcpu: 2, memoryMb: 4096,
      mac: '52:54:00:aa:bb:cc', serial: null, comment: null, owner: null,
    }]);
    expect(d.software).toEqual([
      { name: 'bash', version: '5.1-6ubuntu1', publisher: null, installDate: '2024-01-15', arch: 'amd64', source: null, category: null, guid: null },
      { name: 'Mozilla Firefox (x64 en-US)', version: '125.0.3', publisher: 'Mozilla', installDate: '2024-04-28', arch: 'x86_64', source: 'registry', category: null, guid: 'Mozilla Firefox 125.0.3 (x64 en-US)' },
    ]);
    // A guest knows its host's serial.
    const guest = fusionXmlToDevice(xml.replace('<VMSYSTEM>Physical</VMSYSTEM>', '<VMSYSTEM>KVM</VMSYSTEM><VMHOSTSERIAL>CZ9999HOST</VMHOSTSERIAL><VMNAME>build-01</VMNAME>'));
    expect(guest.virtualization).toEqual({ isVirtual: true, vmSystem: 'KVM', vmName: 'build-01', hostSerial: 'CZ9999HOST' });
    // Inside a VM the chassis serial is not taken as the system serial.
    expect(guest.identity.systemSerial).toBeNull();
  });

  it('placeholder serials, UUIDs and MACs, dates, vendor names and storage types', () => {
    for (const p of ['To Be Filled By O.E.M.', 'Default string', '0123456789', '00000000', '0000-0000-00', 'System Serial Number', 'Not Specified', 'N/A', '  ', 'FFFFFFFF', '........', 'xx']) {
      expect(isPlaceholder(p), p).toBe(true);
      expect(cleanSerial(p), p).toBeNull();
    }
    for (const ok of ['2RJF153', 'CZ1234ABCD', 'S3Z1NB0K123456X', 'overlayblk']) expect(cleanSerial(ok)).toBe(ok);
    expect(normalizeMac('00:00:00:00:00:00')).toBeNull();
    expect(normalizeMac('FF-FF-FF-FF-FF-FF')).toBeNull();
    expect(normalizeMac('3C-A8-2A-11-22-33')).toBe('3c:a8:2a:11:22:33');
    expect(normalizeMac('3ca82a112233')).toBe('3c:a8:2a:11:22:33');
    expect(parseAgentDate('04/09/2020', 'mdy')).toBe('2020-04-09');
    expect(parseAgentDate('28/04/2024', 'dmy')).toBe('2024-04-28');
    expect(parseAgentDate('04/28/2024', 'dmy')).toBe('2024-04-28');
    expect(parseAgentDate('2024/01/15 10:11:12')).toBe('2024-01-15');
    expect(parseAgentDate('2024-01-15')).toBe('2024-01-15');
    expect(parseAgentDate('20240115')).toBe('2024-01-15');
    expect(parseAgentDate('1970-01-01 00:00:00')).toBeNull();
    expect(parseAgentDate('31/02/2024')).toBeNull();
    expect(parseAgentDate('yesterday')).toBeNull();
    expect(normalizeManufacturer('Dell Inc.')).toBe('Dell');
    expect(normalizeManufacturer('HP')).toBe('HP');
    expect(normalizeManufacturer('LG')).toBe('LG');
    expect(normalizeManufacturer('LENOVO')).toBe('Lenovo');
    expect(normalizeManufacturer('Hewlett Packard Enterprise')).toBe('HPE');
    expect(normalizeManufacturer('ASUSTeK COMPUTER INC.')).toBe('ASUS');
    expect(normalizeManufacturer('Acme Widgets Corporation')).toBe('Acme Widgets');
    expect(normalizeManufacturer('To Be Filled By O.E.M.')).toBeNull();
    expect(classifyStorage({ name: 'nvme0n1', model: 'WDC PC SN730' })).toBe('nvme');
    expect(classifyStorage({ name: 'sda', model: 'Samsung SSD 870 EVO 1TB' })).toBe('ssd');
    expect(classifyStorage({ name: 'sda', model: 'MZ7LH960HAJR-00005' })).toBe('ssd');
    expect(classifyStorage({ name: 'sda', model: 'ST4000NM0035-1V4107' })).toBe('hdd');
    expect(classifyStorage({ name: 'sdb', model: 'Ultra', interface: 'USB' })).toBe('removable');
    expect(classifyStorage({ name: 'mmcblk0' })).toBe('removable');
    expect(classifyStorage({ name: 'sr0', type: 'cdrom' })).toBe('optical');
    expect(classifyStorage({ name: 'st0', type: 'tape' })).toBe('tape');
    expect(classifyStorage({ name: 'sda', model: 'QEMU HARDDISK' })).toBe('virtual');
    expect(classifyStorage({ name: 'sda', model: 'PERC H730P Mini' })).toBe('unknown');
  });

  it('malformed messages are refused by the parser', () => {
    // Parsed without line tracking; a document that is not well-formed is read again to say where.
    expect(() => parseXmlMessage('<REQUEST><QUERY>INVENTORY</QUERY>')).toThrow('malformed XML: 1:33: unclosed tag: REQUEST');
    expect(() => parseXmlMessage('<REQUEST>\n<CONTENT><BIOS></CONTENT>\n</REQUEST>')).toThrow(/^malformed XML: 2:\d+: unexpected close tag/);
    expect(() => parseXmlMessage(fixture(F.r640Xml).slice(0, 50_000))).toThrow(NormalizeError);
    expect(() => parseXmlMessage('<?xml version="1.0"?><REPLY/>')).toThrow(/REQUEST/);
    expect(() => parseJsonMessage('{"action":"inventory",')).toThrow(/malformed JSON/);
    expect(() => parseJsonMessage('[1,2]')).toThrow(NormalizeError);
    expect(() => parseJsonMessage(`{"deviceid":"x","content":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`)).toThrow(/nested deeper/);
    expect(() => glpiJsonToDevice('{"action":"inventory","deviceid":"x"}')).toThrow(/no CONTENT/);
    expect(() => fusionXmlToDevice('<REQUEST><QUERY>INVENTORY</QUERY><CONTENT><HARDWARE><NAME>x</NAME></HARDWARE></CONTENT></REQUEST>')).toThrow(/DEVICEID/);
  });
});

describe('wire helpers', () => {
  it('detects compression by magic bytes and answers zlib at the default level (78 9C)', async () => {
    expect(detectCompression(deflateSync('<x/>'))).toBe('zlib');
    expect(detectCompression(deflateSync('<x/>', { level: 9 }))).toBe('zlib');
    expect(detectCompression(deflateSync('<x/>', { level: 1 }))).toBe('zlib');
    expect(detectCompression(gzipSync('<x/>'))).toBe('gzip');
    expect(detectCompression(Buffer.from('<?xml'))).toBe('none');
    expect(detectCompression(Buffer.from('{"a":1}'))).toBe('none');
    const z = encodeReply('<REPLY/>', 'xml', 'zlib');
    expect([...z.body.subarray(0, 2)]).toEqual([0x78, 0x9c]);
    expect(z.contentType).toBe('application/x-compress-zlib');
    expect(encodeReply('{}', 'json', 'gzip').contentType).toBe('application/x-compress-gzip');
    expect(encodeReply('{}', 'json', 'none').contentType).toBe('application/json');
    expect(encodeReply('<a/>', 'xml', 'none').contentType).toBe('application/xml');
    await expect(inflateBounded(deflateSync(Buffer.alloc(10_000)), 'zlib', 1000)).rejects.toMatchObject({ status: 413, reason: 'inflated_too_large' });
    await expect(inflateBounded(deflateSync(Buffer.alloc(10_000)).subarray(0, 10), 'zlib', 1e6)).rejects.toBeInstanceOf(ProtocolError);
    expect((await inflateBounded(gzipSync('hello'), 'gzip', 100)).toString()).toBe('hello');
    expect(parseBasicAuth(`Basic ${Buffer.from('agent:s3:cret').toString('base64')}`)).toEqual({ user: 'agent', password: 's3:cret' });
    expect(parseBasicAuth('Bearer x')).toBe('malformed');
    expect(parseBasicAuth(undefined)).toBeNull();
  });

  it('configuration: MAX_INVENTORY_BYTES and MAX_INVENTORY_INFLATED_BYTES are validated', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const base = { DATA_DIR: '/nonexistent-custodian', APP_SECRET: 'x'.repeat(32) };
    const c = loadConfig(base, { ensureDataDir: false });
    expect(c.maxInventoryBytes).toBe(20 * 1024 * 1024);
    expect(c.maxInventoryInflatedBytes).toBe(200 * 1024 * 1024);
    expect(() => loadConfig({ ...base, MAX_INVENTORY_BYTES: 'lots' }, { ensureDataDir: false })).toThrow(/MAX_INVENTORY_BYTES must be a whole number/);
    expect(() => loadConfig({ ...base, MAX_INVENTORY_BYTES: '10' }, { ensureDataDir: false })).toThrow(/MAX_INVENTORY_BYTES must be between/);
    expect(() => loadConfig({ ...base, MAX_INVENTORY_BYTES: '4096', MAX_INVENTORY_INFLATED_BYTES: '2048' }, { ensureDataDir: false })).toThrow(/must not be smaller/);
    expect(dir).toBeTruthy();
  });
});

// ---------------------------------------------------------------------------------------------
// over HTTP
// ---------------------------------------------------------------------------------------------

type Compress = 'zlib' | 'gzip' | 'none';

const CONTENT_TYPES: Record<Compress, (json: boolean) => string> = {
  zlib: () => 'application/x-compress-zlib',
  gzip: () => 'application/x-compress-gzip',
  none: (json) => (json ? 'application/json' : 'application/xml'),
};

function encode(body: string | Buffer, compress: Compress): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  return compress === 'zlib' ? deflateSync(b) : compress === 'gzip' ? gzipSync(b) : b;
}

const basic = (password: string, user = 'agent') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface SendOpts { compress?: Compress; secret?: string | null; headers?: Record<string, string>; contentType?: string }

function sendAgent(t: TestApp, url: string, body: string | Buffer, o: SendOpts = {}) {
  const compress = o.compress ?? 'zlib';
  const text = typeof body === 'string' ? body : '';
  const headers: Record<string, string> = {
    'content-type': o.contentType ?? CONTENT_TYPES[compress](text.trimStart().startsWith('{')),
    'user-agent': 'FusionInventory-Agent_v2.6-3',
    ...o.headers,
  };
  if (o.secret) headers.authorization = basic(o.secret);
  return t.app.inject({ method: 'POST', url, headers, payload: encode(body, compress) });
}

/** Decodes a reply like the agents do: GLPI Agent by Content-Type; zlib must be `78 9C` for Fusion. */
function decodeReply(res: LightMyRequestResponse): string {
  const ct = String(res.headers['content-type']);
  if (ct === 'application/x-compress-zlib') {
    expect([...res.rawPayload.subarray(0, 2)]).toEqual([0x78, 0x9c]);
    return inflateSync(res.rawPayload).toString();
  }
  if (ct === 'application/x-compress-gzip') return gunzipSync(res.rawPayload).toString();
  return res.body;
}

interface AgentDto { id: string; deviceId: string; agentUuid: string | null; name: string | null; version: string | null; status: string; lastContactAt: string; lastError: string | null; discoveredDeviceId: string | null; enrollment: { id: string; name: string } | null }
interface DeviceSummary { id: string; agentId: string; hostname: string | null; systemSerial: string | null; manufacturer: string | null; model: string | null; uuid: string | null; primaryMac: string | null; storageCount: number; softwareCount: number; lastSeenAt: string; updatedAt: string; assetId: string | null; lastPayloadId: string | null }
interface DeviceDto extends DeviceSummary { record: CanonicalDevice; agent: AgentDto }
interface PayloadDto { id: string; agentId: string | null; status: string; format: string; compression: string; partial: boolean; sha256: string; sizeBytes: number; wireBytes: number; error: string | null; discoveredDeviceId: string | null }
interface SettingsDto { unknownAgentPolicy: string; requireEnrollment: boolean; inventoryPath: string; customPath: boolean; inventoryUrl: string; defaultPathUrls: string[]; contactIntervalHours: number }

async function counts(t: TestApp) {
  const db = t.database.db;
  const n = async (table: 'agents' | 'inventory_payloads' | 'discovered_devices') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { agents: await n('agents'), payloads: await n('inventory_payloads'), devices: await n('discovered_devices'), events: await eventCount(t) };
}

async function newSecret(t: TestApp, s: Session, name = 'lab'): Promise<{ id: string; secret: string }> {
  const res = await call(t, s, 'POST', '/api/v1/discovery/enrollments', { name });
  expect(res.statusCode).toBe(201);
  const body = res.json<{ enrollment: { id: string }; secret: string }>();
  return { id: body.enrollment.id, secret: body.secret };
}

async function settings(t: TestApp, s: Session, patch: Record<string, unknown>): Promise<SettingsDto> {
  const res = await call(t, s, 'PATCH', '/api/v1/discovery/settings', patch);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<SettingsDto>();
}

async function devices(t: TestApp, s: Session): Promise<DeviceSummary[]> {
  return (await call(t, s, 'GET', '/api/v1/discovery/devices?limit=500')).json<{ items: DeviceSummary[] }>().items;
}

async function deviceOf(t: TestApp, s: Session, agentId: string): Promise<DeviceDto> {
  const list = await devices(t, s);
  const d = list.find((x) => x.agentId === agentId);
  if (!d) throw new Error(`no device for agent ${agentId}`);
  return (await call(t, s, 'GET', `/api/v1/discovery/devices/${d.id}`)).json<DeviceDto>();
}

async function agentByDeviceId(t: TestApp, s: Session, deviceId: string): Promise<AgentDto> {
  const a = (await call(t, s, 'GET', '/api/v1/discovery/agents?limit=500')).json<{ items: AgentDto[] }>().items.find((x) => x.deviceId === deviceId);
  if (!a) throw new Error(`no agent ${deviceId}`);
  return a;
}

/** A fresh organization (own agents and devices) with its own owner session. */
async function freshOrg(t: TestApp, owner: Session, name: string): Promise<{ s: Session; path: string }> {
  const orgId = await newOrganization(t, owner, name);
  // Its own session: the organization switch is server-side state of a session.
  const s = await switchTo(t, await login(t, owner.email), orgId);
  const st = (await call(t, s, 'GET', '/api/v1/discovery/settings')).json<SettingsDto>();
  return { s, path: `/inventory/${st.inventoryPath}` };
}

describe.each(engines)('agent protocol over HTTP (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  let uniq = 0;
  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t);
  });
  afterAll(() => t.close());

  const org = async () => freshOrg(t, owner, `Discovery org ${engine} ${++uniq}`);

  it('settings default to "enrolment required, enrolled agents accepted"; secrets are shown once and stored hashed', async () => {
    const { s, path } = await org();
    const st = (await call(t, s, 'GET', '/api/v1/discovery/settings')).json<SettingsDto>();
    expect(st).toMatchObject({ unknownAgentPolicy: 'accept', requireEnrollment: true, customPath: false, contactIntervalHours: 24 });
    expect(st.inventoryUrl).toBe(`${t.config.publicUrl}${path}`);
    expect(st.defaultPathUrls).toEqual([
      `${t.config.publicUrl}/ocsinventory?org=${st.inventoryPath}`, `${t.config.publicUrl}/front/inventory.php?org=${st.inventoryPath}`,
      `${t.config.publicUrl}/plugins/fusioninventory/?org=${st.inventoryPath}`,
    ]);
    const before = await eventCount(t);
    const { id, secret } = await newSecret(t, s, 'Linux servers');
    expect(secret).toMatch(/^cae_[\w-]{43}$/);
    expect(await eventCount(t)).toBe(before + 1);
    const row = await t.database.db.selectFrom('agent_enrollments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(secret);
    const listed = (await call(t, s, 'GET', '/api/v1/discovery/enrollments')).json<{ id: string; prefix: string; status: string; agentCount: number }[]>();
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(listed.find((e) => e.id === id)).toMatchObject({ prefix: secret.slice(0, 12), status: 'active', agentCount: 0 });
    const bad = await call(t, s, 'POST', '/api/v1/discovery/enrollments', { name: '   ' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]!.path).toBe('/body/name');
  });

  it('HTTP Basic challenge as LWP expects it; the secret authenticates; a revoked secret is refused', async () => {
    const { s, path } = await org();
    const { id, secret } = await newSecret(t, s);
    const prolog = fixture(F.prolog);
    const other = await org();
    const otherSecret = await newSecret(t, other.s);
    const before = await counts(t);
    // No credentials: 401 + WWW-Authenticate, and nothing is written.
    const challenge = await sendAgent(t, path, prolog);
    expect(challenge.statusCode).toBe(401);
    expect(challenge.headers['www-authenticate']).toBe('Basic realm="Custodian"');
    expect(challenge.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><REPLY><ERROR>Authentication required/);
    // A wrong secret, a secret of another organization, a non-Basic header: challenged again.
    expect((await sendAgent(t, path, prolog, { secret: 'cae_wrong' })).statusCode).toBe(401);
    expect((await sendAgent(t, path, prolog, { secret: otherSecret.secret })).statusCode).toBe(401);
    expect((await sendAgent(t, path, prolog, { headers: { authorization: 'Bearer cus_x' } })).statusCode).toBe(401);
    expect(await counts(t)).toEqual(before);
    // The right secret: the PROLOG reply, zlib like the request.
    const ok = await sendAgent(t, path, prolog, { secret });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('application/x-compress-zlib');
    expect(decodeReply(ok)).toBe(XML_PROLOG_REPLY);
    const agent = await agentByDeviceId(t, s, 'vm-2026-11-22-11-43-04');
    expect(agent).toMatchObject({ status: 'approved', name: 'FusionInventory-Agent', version: '2.6-3', enrollment: { id, name: 'lab' } });
    // Revoked: refused at once, with an event for the revocation.
    const ev = await eventCount(t);
    const revoked = await call(t, s, 'DELETE', `/api/v1/discovery/enrollments/${id}`);
    expect(revoked.json<{ status: string }>().status).toBe('revoked');
    expect(await eventCount(t)).toBe(ev + 1);
    const after = await sendAgent(t, path, prolog, { secret });
    expect(after.statusCode).toBe(401);
    expect(after.body).toContain('revoked');
    // Revoking twice changes nothing.
    expect((await call(t, s, 'DELETE', `/api/v1/discovery/enrollments/${id}`)).statusCode).toBe(200);
    expect(await eventCount(t)).toBe(ev + 1);
  });

  it('FusionInventory XML: PROLOG → SEND, INVENTORY (zlib) → device; the same payload again changes nothing but last seen', async () => {
    const { s, path } = await org();
    const { secret } = await newSecret(t, s);
    const ev0 = await eventCount(t);
    const prolog = await sendAgent(t, path, fixture(F.prolog), { secret });
    expect(decodeReply(prolog)).toBe(XML_PROLOG_REPLY);
    expect(await eventCount(t)).toBe(ev0 + 1); // agent.registered, once
    const inv = await sendAgent(t, path, fixture(F.r640Xml), { secret });
    expect(inv.statusCode).toBe(200);
    expect(inv.headers['content-type']).toBe('application/x-compress-zlib');
    expect(decodeReply(inv)).toBe(XML_INVENTORY_REPLY);
    // The first inventory of an unknown machine creates its asset (with the catalog entries it
    // needs), links the device and notes the software inventory. (This capture ran in a Docker
    // container: a virtual machine, whose virtual disk is not recorded as media.)
    const newEvents = (await t.database.db.selectFrom('events').select('action').where('seq', '>', 0).where('org_id', 'is not', null)
      .orderBy('occurred_at').orderBy('seq').execute()).map((e) => e.action).slice(-(await eventCount(t) - ev0 - 1));
    expect(newEvents.sort()).toEqual(['asset.created', 'category.created', 'discovery.device_linked', 'discovery.software_inventoried', 'manufacturer.created', 'model.created'].sort());

    const agent = await agentByDeviceId(t, s, 'vm-2026-11-22-11-43-04');
    expect(agent.discoveredDeviceId).toBeTruthy();
    const d = await deviceOf(t, s, agent.id);
    expect(d).toMatchObject({ manufacturer: 'Dell', model: 'PowerEdge R640', uuid: '4C4C4544-0052-4A10-8046-B2C04F313533', hostname: 'vm', primaryMac: '02:fc:00:00:00:01', systemSerial: null, storageCount: 1, softwareCount: 837, matchStatus: 'created', matchRule: 'created' });
    expect(d.assetId).toBeTruthy();
    expect(d.record).toEqual(fusionXmlToDevice(fixture(F.r640Xml)));
    expect(d.agent.id).toBe(agent.id);

    // The raw payload is stored compressed and comes back byte for byte.
    const payloads = (await call(t, s, 'GET', `/api/v1/discovery/payloads?agentId=${agent.id}`)).json<{ items: PayloadDto[] }>().items;
    expect(payloads).toHaveLength(1);
    const p = payloads[0]!;
    expect(p).toMatchObject({ status: 'processed', format: 'xml', compression: 'zlib', partial: false, sizeBytes: Buffer.byteLength(fixture(F.r640Xml)), discoveredDeviceId: d.id });
    const stored = await t.database.db.selectFrom('inventory_payloads').select('body').where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(Buffer.isBuffer(stored.body)).toBe(true);
    expect(stored.body.length).toBeLessThan(p.sizeBytes / 5);
    expect(gunzipSync(stored.body).toString()).toBe(fixture(F.r640Xml));
    const raw = await call(t, s, 'GET', `/api/v1/discovery/payloads/${p.id}/content`);
    expect(raw.statusCode).toBe(200);
    expect(raw.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(raw.headers['content-disposition']).toContain('attachment');
    expect(raw.body).toBe(fixture(F.r640Xml));

    // Again, byte-identical: no new payload, the record and updated_at unchanged, last seen moves.
    const dbDevice = () => t.database.db.selectFrom('discovered_devices').selectAll().where('id', '=', d.id).executeTakeFirstOrThrow();
    const before = await dbDevice();
    const c0 = await counts(t);
    await new Promise((r) => setTimeout(r, 5));
    const again = await sendAgent(t, path, fixture(F.r640Xml), { secret, compress: 'gzip' });
    expect(again.statusCode).toBe(200);
    expect(again.headers['content-type']).toBe('application/x-compress-gzip');
    expect(decodeReply(again)).toBe(XML_INVENTORY_REPLY);
    expect(await counts(t)).toEqual(c0);
    const after = await dbDevice();
    expect(after.last_seen_at > before.last_seen_at).toBe(true);
    expect({ ...after, last_seen_at: null }).toEqual({ ...before, last_seen_at: null });
  });

  it('plain (-C) XML gets plain application/xml replies; an INVENTORY without PROLOG (--force) is accepted', async () => {
    const { s, path } = await org();
    const { secret } = await newSecret(t, s);
    const res = await sendAgent(t, path, fixture(F.vmXml), { secret, compress: 'none' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(res.body).toBe(XML_INVENTORY_REPLY);
    // The OCS agent's content type, with a capital A as the injector sends it.
    const prolog = await sendAgent(t, path, fixture(F.prolog), { secret, contentType: 'Application/x-compress' });
    expect(decodeReply(prolog)).toBe(XML_PROLOG_REPLY);
    const agent = await agentByDeviceId(t, s, 'vm-2026-11-22-11-43-04');
    expect((await deviceOf(t, s, agent.id)).softwareCount).toBe(782);
  });

  it('OCS agent style (application/x-compress, no VERSIONCLIENT): zlib replies, agent named from its User-Agent', async () => {
    const { s, path } = await org();
    const { secret } = await newSecret(t, s);
    const ocs = { 'user-agent': 'OCS-NG_unified_unix_agent_v2.10.0' };
    const xml = fixture(F.vmXml).replace(/<VERSIONCLIENT>[^<]*<\/VERSIONCLIENT>/, '').replace(/vm-2026-11-22-11-43-04/g, 'ocs-2026-11-22-11-45-18');
    const res = await sendAgent(t, path, xml, { secret, contentType: 'application/x-compress', headers: ocs });
    expect(res.statusCode).toBe(200);
    expect(decodeReply(res)).toBe(XML_INVENTORY_REPLY);
    const agent = await agentByDeviceId(t, s, 'ocs-2026-11-22-11-45-18');
    expect(agent).toMatchObject({ name: 'OCS-NG_unified_unix_agent', version: '2.10.0' });
    expect((await deviceOf(t, s, agent.id)).record.source).toMatchObject({ agentName: 'OCS-NG_unified_unix_agent', agentVersion: '2.10.0' });
  });

  it('an INVENTORY whose content cannot be used is stored as failed, sets the agent\'s last error, and a good one clears it', async () => {
    const { s, path } = await org();
    const { secret } = await newSecret(t, s);
    const empty = '<?xml version="1.0" encoding="UTF-8" ?><REQUEST><DEVICEID>broken-2026-01-01-00-00-00</DEVICEID><QUERY>INVENTORY</QUERY></REQUEST>';
    const res = await sendAgent(t, path, empty, { secret });
    expect(res.statusCode).toBe(400);
    expect(decodeReply(res)).toBe('<?xml version="1.0" encoding="UTF-8"?><REPLY><ERROR>the inventory has no CONTENT section</ERROR></REPLY>');
    const agent = await agentByDeviceId(t, s, 'broken-2026-01-01-00-00-00');
    expect(agent.lastError).toBe('the inventory has no CONTENT section');
    const ps = (await call(t, s, 'GET', `/api/v1/discovery/payloads?agentId=${agent.id}`)).json<{ items: PayloadDto[] }>().items;
    expect(ps).toEqual([expect.objectContaining({ status: 'failed', error: 'the inventory has no CONTENT section', agentId: agent.id })]);
    expect(await devices(t, s)).toEqual([]);
    // The same bytes again are retried (and fail again) rather than stored twice.
    expect((await sendAgent(t, path, empty, { secret })).statusCode).toBe(400);
    expect((await call(t, s, 'GET', `/api/v1/discovery/payloads?agentId=${agent.id}`)).json<{ items: PayloadDto[] }>().items).toHaveLength(1);
    const good = await sendAgent(t, path, fixture(F.vmXml).replace(/vm-2026-11-22-11-43-04/g, 'broken-2026-01-01-00-00-00'), { secret });
    expect(good.statusCode).toBe(200);
    expect((await call(t, s, 'GET', `/api/v1/discovery/agents/${agent.id}`)).json<AgentDto>().lastError).toBeNull();
    expect(await devices(t, s)).toHaveLength(1);
  });

  it('GLPI Agent: XML PROLOG with GLPI-Agent-ID → JSON; CONTACT; full JSON inventory, then a partial merged into it', async () => {
    const { s, path } = await org();
    const { secret } = await newSecret(t, s);
    const glpi = { 'user-agent': 'GLPI-Agent_v1.12-dev', 'glpi-agent-id': 'dd1fca54-898a-4009-83e9-1d927c0a996d' };
    const first = await sendAgent(t, path, fixture(F.glpiProlog), { secret, headers: glpi });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/x-compress-zlib');
    expect(decodeReply(first)).toBe(JSON_OK_REPLY);
    const contact = await sendAgent(t, path, fixture(F.glpiContact), { secret, headers: glpi });
    expect(decodeReply(contact)).toBe(JSON_CONTACT_REPLY);
    const plainContact = await sendAgent(t, path, fixture(F.glpiContact), { secret, headers: glpi, compress: 'none' });
    expect(plainContact.headers['content-type']).toBe('application/json');
    expect(plainContact.body).toBe(JSON_CONTACT_REPLY);

    const full = await sendAgent(t, path, fixture(F.glpiFull), { secret, headers: glpi });
    expect(decodeReply(full)).toBe(JSON_OK_REPLY);
    const agent = await agentByDeviceId(t, s, 'vm-2026-11-22-11-49-03');
    expect(agent).toMatchObject({ agentUuid: 'dd1fca54-898a-4009-83e9-1d927c0a996d', name: 'GLPI-Agent', version: '1.12-dev', status: 'approved' });
    const d1 = await deviceOf(t, s, agent.id);
    expect(d1.softwareCount).toBe(837);
    expect(d1.record.source.tag).toBeNull();

    const partial = await sendAgent(t, path, fixture(F.glpiPartial), { secret, headers: glpi });
    expect(decodeReply(partial)).toBe(JSON_OK_REPLY);
    const d2 = await deviceOf(t, s, agent.id);
    expect(d2.id).toBe(d1.id);
    expect(d2.softwareCount).toBe(837);
    expect(d2.storageCount).toBe(1);
    expect(d2.record.software).toEqual(d1.record.software);
    expect(d2.record.networks).toEqual(d1.record.networks);
    expect(d2.record.source.tag).toBe('LAB-TAG-1');
    const payloads = (await call(t, s, 'GET', `/api/v1/discovery/payloads?agentId=${agent.id}`)).json<{ items: PayloadDto[] }>().items;
    expect(payloads.map((p) => [p.format, p.partial, p.status])).toEqual([['json', true, 'processed'], ['json', false, 'processed']]);
  });

  it('the agents\' default paths reach the organization by ?org= or by the secret alone', async () => {
    const { s } = await org();
    const { secret } = await newSecret(t, s);
    const st = (await call(t, s, 'GET', '/api/v1/discovery/settings')).json<SettingsDto>();
    for (const url of ['/ocsinventory', '/front/inventory.php', '/plugins/fusioninventory/', '/inventory']) {
      const bySecret = await sendAgent(t, url, fixture(F.prolog), { secret });
      expect(bySecret.statusCode, url).toBe(200);
      expect(decodeReply(bySecret)).toBe(XML_PROLOG_REPLY);
      const byQuery = await sendAgent(t, `${url}?org=${st.inventoryPath}`, fixture(F.prolog), { secret });
      expect(byQuery.statusCode, url).toBe(200);
      // No ?org= and no credentials: the challenge (the secret names the organization).
      const anon = await sendAgent(t, url, fixture(F.prolog));
      expect(anon.statusCode).toBe(401);
      expect(anon.headers['www-authenticate']).toBe('Basic realm="Custodian"');
    }
    const unknown = await sendAgent(t, '/ocsinventory?org=no-such-org', fixture(F.prolog), { secret });
    expect(unknown.statusCode).toBe(404);
    expect(decodeReply(unknown)).toBe('<?xml version="1.0" encoding="UTF-8"?><REPLY><ERROR>No organization receives inventories at "no-such-org".</ERROR></REPLY>');
  });

  it('unknown-agent policy: queue stores the payload and waits for approval; refuse answers 403; accept without enrolment', async () => {
    const { s, path } = await org();
    // queue
    await settings(t, s, { unknownAgentPolicy: 'queue', requireEnrollment: false });
    const ev0 = await eventCount(t);
    const queued = await sendAgent(t, path, fixture(F.r640Xml));
    expect(queued.statusCode).toBe(200);
    expect(decodeReply(queued)).toBe(XML_INVENTORY_REPLY);
    const pending = await agentByDeviceId(t, s, 'vm-2026-11-22-11-43-04');
    expect(pending).toMatchObject({ status: 'pending', enrollment: null, discoveredDeviceId: null });
    expect(await eventCount(t)).toBe(ev0 + 1); // agent.registered
    const ps = (await call(t, s, 'GET', `/api/v1/discovery/payloads?agentId=${pending.id}`)).json<{ items: PayloadDto[] }>().items;
    expect(ps.map((p) => p.status)).toEqual(['received']);
    expect(await devices(t, s)).toEqual([]);
    // A technician may look but not approve.
    const tech = await addMember(t, s, 'technician');
    expect((await call(t, tech, 'GET', '/api/v1/discovery/agents')).statusCode).toBe(200);
    expect((await call(t, tech, 'POST', `/api/v1/discovery/agents/${pending.id}/approve`)).statusCode).toBe(403);
    expect((await call(t, tech, 'GET', `/api/v1/discovery/payloads/${ps[0]!.id}/content`)).statusCode).toBe(403);
    const ev1 = await eventCount(t);
    const approved = await call(t, s, 'POST', `/api/v1/discovery/agents/${pending.id}/approve`);
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ agent: { status: 'approved' }, processedPayloads: 1 });
    // agent.approved, then the queued inventory became the device and its new asset (6 events: see above)
    expect(await eventCount(t)).toBe(ev1 + 1 + 6);
    const ev = (await call(t, s, 'GET', `/api/v1/events?entityId=${pending.id}`)).json<{ items: { action: string; actor: { label: string } }[] }>().items;
    expect(ev.map((e) => e.action)).toEqual(['agent.approved', 'agent.registered']);
    expect(ev[1]!.actor.label).toBe('agent:vm-2026-11-22-11-43-04');
    const d = await deviceOf(t, s, pending.id);
    expect(d.softwareCount).toBe(837);
    // refuse: the next agent is recorded as refused and answered 403; nothing else is written.
    await settings(t, s, { unknownAgentPolicy: 'refuse' });
    const c0 = await counts(t);
    const refused = await sendAgent(t, path, fixture(F.glpiFull), { headers: { 'glpi-agent-id': 'dd1fca54-898a-4009-83e9-1d927c0a996d' } });
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(decodeReply(refused))).toEqual({ status: 'error', message: 'This agent was refused by an administrator of the organization.', expiration: 24 });
    expect(await counts(t)).toEqual({ ...c0, agents: c0.agents + 1, events: c0.events + 1 });
    const r = await agentByDeviceId(t, s, 'vm-2026-11-22-11-49-03');
    expect(r.status).toBe('refused');
    // An administrator may still approve it later; then it gets in.
    await call(t, s, 'POST', `/api/v1/discovery/agents/${r.id}/approve`);
    expect((await sendAgent(t, path, fixture(F.glpiFull))).statusCode).toBe(200);
    // …and refuse an approved one: its requests are refused, its device stays.
    expect((await call(t, s, 'POST', `/api/v1/discovery/agents/${r.id}/refuse`)).json<AgentDto>().status).toBe('refused');
    expect((await sendAgent(t, path, fixture(F.prolog).replace('vm-2026-11-22-11-43-04', 'vm-2026-11-22-11-49-03'))).statusCode).toBe(403);
    expect((await devices(t, s)).length).toBe(2);
  });

  it('malformed, truncated, oversize and decompression-bomb payloads get the protocol error reply and change nothing else', async () => {
    const { s, path } = await org();
    const { secret } = await newSecret(t, s);
    const c0 = await counts(t);
    // Malformed XML: 400 XML error reply; the raw payload is kept, failed and unattributed.
    const broken = fixture(F.r640Xml).replace('</BIOS>', '</BIOSX>');
    const bad = await sendAgent(t, path, broken, { secret });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toBe('application/x-compress-zlib');
    expect(decodeReply(bad)).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><REPLY><ERROR>malformed XML: /);
    expect(await counts(t)).toEqual({ ...c0, payloads: c0.payloads + 1 });
    const failed = (await call(t, s, 'GET', '/api/v1/discovery/payloads?status=failed')).json<{ items: PayloadDto[] }>().items;
    expect(failed).toEqual([expect.objectContaining({ agentId: null, status: 'failed', error: expect.stringMatching(/malformed XML/) })]);
    // The same broken message again is refused the same way but kept once.
    expect((await sendAgent(t, path, broken, { secret, compress: 'gzip' })).statusCode).toBe(400);
    expect(await counts(t)).toEqual({ ...c0, payloads: c0.payloads + 1 });
    // Malformed JSON: the JSON error reply.
    const badJson = await sendAgent(t, path, '{"action":"inventory","deviceid":', { secret, compress: 'none', contentType: 'application/json' });
    expect(badJson.statusCode).toBe(400);
    expect(JSON.parse(badJson.body)).toMatchObject({ status: 'error', expiration: 24 });
    // Truncated zlib: refused before anything is parsed or stored.
    const c1 = await counts(t);
    const truncated = deflateSync(fixture(F.r640Xml)).subarray(0, 5000);
    const tr = await t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-compress-zlib', authorization: basic(secret) }, payload: truncated });
    expect(tr.statusCode).toBe(400);
    expect(decodeReply(tr)).toMatch(/<REPLY><ERROR>The zlib data is corrupt or truncated/);
    // Not an agent message at all.
    const junk = await t.app.inject({ method: 'POST', url: path, headers: { authorization: basic(secret) }, payload: 'hello' });
    expect(junk.statusCode).toBe(400);
    expect(junk.body).toContain('<ERROR>The body is neither an XML nor a JSON agent message.</ERROR>');
    const empty = await t.app.inject({ method: 'POST', url: path, headers: { authorization: basic(secret), 'content-type': 'application/xml' } });
    expect(empty.statusCode).toBe(400);
    // A decompression bomb: 1 GiB of zeros in about 1 MB of zlib; inflation stops at the limit.
    const bomb = await zlibBomb(1024 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const started = Date.now();
    const b = await t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-compress-zlib', authorization: basic(secret) }, payload: bomb });
    expect(b.statusCode).toBe(413);
    expect(decodeReply(b)).toContain(`<ERROR>The decompressed message is larger than the ${t.config.maxInventoryInflatedBytes} bytes this server accepts.</ERROR>`);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await counts(t)).toEqual(c1);
  }, 60_000);

  it('a message over MAX_INVENTORY_BYTES gets a 413 protocol reply', async () => {
    const small = await createTestApp(engine, { MAX_INVENTORY_BYTES: '4096', MAX_INVENTORY_INFLATED_BYTES: '65536' });
    try {
      const o = await setupOwner(small);
      const { secret } = await newSecret(small, o);
      const st = (await call(small, o, 'GET', '/api/v1/discovery/settings')).json<SettingsDto>();
      const c0 = await counts(small);
      const big = await sendAgent(small, `/inventory/${st.inventoryPath}`, fixture(F.r640Xml), { secret });
      expect(big.statusCode).toBe(413);
      expect(big.headers['content-type']).toBe('application/x-compress-zlib');
      expect(decodeReply(big)).toBe('<?xml version="1.0" encoding="UTF-8"?><REPLY><ERROR>The message is larger than the 4096 bytes this server accepts.</ERROR></REPLY>');
      const bigJson = await sendAgent(small, `/inventory/${st.inventoryPath}`, fixture(F.glpiFull), { secret, compress: 'none' });
      expect(bigJson.statusCode).toBe(413);
      expect(JSON.parse(bigJson.body)).toMatchObject({ status: 'error' });
      // Within the wire limit but inflating past its own limit.
      const inflated = await sendAgent(small, `/inventory/${st.inventoryPath}`, fixture(F.vmXml), { secret, compress: 'gzip' });
      expect(inflated.statusCode).toBe(413);
      expect(await counts(small)).toEqual(c0);
    } finally {
      await small.close();
    }
  });

  it('settings: custom inventory path, conflicts and validation; every change is an event', async () => {
    const a = await org();
    const b = await org();
    const { secret } = await newSecret(t, a.s);
    const ev0 = await eventCount(t);
    const st = await settings(t, a.s, { inventoryPath: 'acme-agents-x7', contactIntervalHours: 12 });
    expect(st).toMatchObject({ inventoryPath: 'acme-agents-x7', customPath: true, contactIntervalHours: 12, inventoryUrl: `${t.config.publicUrl}/inventory/acme-agents-x7` });
    expect(await eventCount(t)).toBe(ev0 + 1);
    const res = await sendAgent(t, '/inventory/acme-agents-x7', fixture(F.prolog), { secret });
    expect(decodeReply(res)).toBe(XML_PROLOG_REPLY.replace('24', '12'));
    expect(await eventCount(t)).toBe(ev0 + 2); // + agent.registered
    // The slug no longer answers for it.
    expect((await sendAgent(t, a.path, fixture(F.prolog), { secret })).statusCode).toBe(404);
    // B cannot take A's path.
    const taken = await call(t, b.s, 'PATCH', '/api/v1/discovery/settings', { inventoryPath: 'acme-agents-x7' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'discovery.path_taken', errors: [{ path: '/body/inventoryPath' }] });
    const invalid = await call(t, b.s, 'PATCH', '/api/v1/discovery/settings', { inventoryPath: 'Has Spaces' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json()).toMatchObject({ code: 'discovery.invalid_path', errors: [{ path: '/body/inventoryPath' }] });
    const policy = await call(t, b.s, 'PATCH', '/api/v1/discovery/settings', { unknownAgentPolicy: 'maybe' });
    expect(policy.statusCode).toBe(400);
    expect(await eventCount(t)).toBe(ev0 + 2);
    // Back to the slug; an unchanged PATCH writes no event; now B cannot take A's slug either.
    const reset = await settings(t, a.s, { inventoryPath: null });
    expect(reset.customPath).toBe(false);
    await settings(t, a.s, {});
    expect(await eventCount(t)).toBe(ev0 + 3);
    expect((await call(t, b.s, 'PATCH', '/api/v1/discovery/settings', { inventoryPath: reset.inventoryPath })).statusCode).toBe(409);
    // Read-only roles.
    const auditor = await addMember(t, a.s, 'auditor');
    expect((await call(t, auditor, 'GET', '/api/v1/discovery/settings')).statusCode).toBe(200);
    expect((await call(t, auditor, 'PATCH', '/api/v1/discovery/settings', { contactIntervalHours: 2 })).statusCode).toBe(403);
    expect((await call(t, auditor, 'POST', '/api/v1/discovery/enrollments', { name: 'x' })).statusCode).toBe(403);
    const employee = await addMember(t, a.s, 'employee');
    expect((await call(t, employee, 'GET', '/api/v1/discovery/devices')).statusCode).toBe(403);
  });

  it('another organization\'s agents, devices and payloads are not found', async () => {
    const a = await org();
    const b = await org();
    const { secret } = await newSecret(t, a.s);
    await sendAgent(t, a.path, fixture(F.vmXml), { secret });
    const agent = await agentByDeviceId(t, a.s, 'vm-2026-11-22-11-43-04');
    const dev = await deviceOf(t, a.s, agent.id);
    const p = (await call(t, a.s, 'GET', `/api/v1/discovery/payloads?agentId=${agent.id}`)).json<{ items: PayloadDto[] }>().items[0]!;
    expect((await call(t, b.s, 'GET', `/api/v1/discovery/agents/${agent.id}`)).statusCode).toBe(404);
    expect((await call(t, b.s, 'GET', `/api/v1/discovery/devices/${dev.id}`)).statusCode).toBe(404);
    expect((await call(t, b.s, 'GET', `/api/v1/discovery/payloads/${p.id}/content`)).statusCode).toBe(404);
    expect((await call(t, b.s, 'GET', `/api/v1/discovery/payloads?agentId=${agent.id}`)).statusCode).toBe(404);
    expect((await call(t, b.s, 'POST', `/api/v1/discovery/agents/${agent.id}/approve`)).statusCode).toBe(404);
    expect(await devices(t, b.s)).toEqual([]);
    // Search and filters on the list.
    expect((await call(t, a.s, 'GET', '/api/v1/discovery/devices?q=VM')).json<{ items: unknown[] }>().items).toHaveLength(1);
    expect((await call(t, a.s, 'GET', '/api/v1/discovery/devices?q=nothing-like-this')).json<{ items: unknown[] }>().items).toHaveLength(0);
    expect((await call(t, a.s, 'GET', '/api/v1/discovery/devices?linked=false')).json<{ items: unknown[] }>().items).toHaveLength(0);
    expect((await call(t, a.s, 'GET', '/api/v1/discovery/devices?linked=true')).json<{ items: unknown[] }>().items).toHaveLength(1);
    expect((await call(t, a.s, 'GET', '/api/v1/discovery/devices?matchStatus=created')).json<{ items: unknown[] }>().items).toHaveLength(1);
    expect((await call(t, b.s, 'GET', '/api/v1/discovery/devices?matchStatus=created')).json<{ items: unknown[] }>().items).toHaveLength(0);
  });
});

/** `size` bytes of zeros, zlib-compressed in a stream (never all in memory). */
async function zlibBomb(size: number): Promise<Buffer> {
  const z = createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  z.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => { z.on('end', resolve); z.on('error', reject); });
  const block = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += block.length) {
    if (!z.write(block)) await new Promise((r) => z.once('drain', r));
  }
  z.end();
  await done;
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------------------------
// the real FusionInventory agent
// ---------------------------------------------------------------------------------------------

const AGENT_BIN = '/usr/bin/fusioninventory-agent';
/** Fusion 2.6 has no --vardir: state lives here, per server URL (protocol doc §6). */
const AGENT_VARDIR = '/var/lib/fusioninventory-agent';

interface AgentRun { code: number | null; stderr: string; stdout: string }

function runAgent(args: string[]): Promise<AgentRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(AGENT_BIN, [...args, '--no-httpd', '--tasks=inventory', '--force', '--logger=stderr', '--no-category=process,environment'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'C' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe.each(engines)('the real FusionInventory agent against a listening server (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = t.app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    base = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(async () => {
    // The agent keeps per-server state in its vardir, one directory per server URL: drop ours.
    const port = new URL(base).port;
    for (const dir of existsSync(AGENT_VARDIR) ? readdirSync(AGENT_VARDIR) : []) {
      if (dir.startsWith(`http:__127.0.0.1:${port}_`)) rmSync(join(AGENT_VARDIR, dir), { recursive: true, force: true });
    }
    await t.close();
  });

  const installed = existsSync(AGENT_BIN);

  it.runIf(installed)('inventories this machine (zlib), again without changes, then with -C', async () => {
    const { s, path } = await freshOrg(t, owner, `Real agent ${engine}`);
    await settings(t, s, { requireEnrollment: false });
    const run1 = await runAgent(['--server', `${base}${path}`]);
    expect(run1.stderr, run1.stderr).not.toMatch(/\[error\]/);
    const agents = (await call(t, s, 'GET', '/api/v1/discovery/agents')).json<{ items: AgentDto[] }>().items;
    expect(agents).toHaveLength(1);
    const agent = agents[0]!;
    expect(agent).toMatchObject({ status: 'approved', name: 'FusionInventory-Agent', lastError: null });
    const d1 = await deviceOf(t, s, agent.id);
    expect(d1.record.source.agentName).toBe('FusionInventory-Agent');
    expect(d1.hostname).toBeTruthy();
    expect(d1.record.storage.length).toBeGreaterThan(0);
    expect(d1.record.storage.every((x) => x.name && x.type)).toBe(true);
    expect(d1.softwareCount).toBeGreaterThan(100);
    expect(d1.record.software.find((x) => x.name === 'fusioninventory-agent')).toMatchObject({ source: 'deb' });
    expect(d1.record.software.find((x) => x.name === 'bash')).toBeTruthy();
    const payloads1 = (await call(t, s, 'GET', `/api/v1/discovery/payloads?agentId=${agent.id}`)).json<{ items: PayloadDto[] }>().items;
    expect(payloads1.map((p) => [p.compression, p.status])).toEqual([['zlib', 'processed']]);

    // A second run: a new payload (the agent's access log time differs) but the same device record.
    await new Promise((r) => setTimeout(r, 5));
    const run2 = await runAgent(['--server', `${base}${path}`]);
    expect(run2.stderr, run2.stderr).not.toMatch(/\[error\]/);
    const d2 = await deviceOf(t, s, agent.id);
    expect(d2.lastSeenAt > d1.lastSeenAt).toBe(true);
    expect(d2.record).toEqual(d1.record);
    expect({ ...d2, lastSeenAt: null, lastPayloadId: null, agent: null }).toEqual({ ...d1, lastSeenAt: null, lastPayloadId: null, agent: null });

    // -C: uncompressed both ways.
    const run3 = await runAgent(['--server', `${base}${path}`, '-C']);
    expect(run3.stderr, run3.stderr).not.toMatch(/\[error\]/);
    const payloads3 = (await call(t, s, 'GET', `/api/v1/discovery/payloads?agentId=${agent.id}`)).json<{ items: PayloadDto[] }>().items;
    expect(payloads3[0]).toMatchObject({ compression: 'none', format: 'xml', status: 'processed' });
    const d3 = await deviceOf(t, s, agent.id);
    expect(d3.record.software).toEqual(d1.record.software);
    expect(d3.record.storage).toEqual(d1.record.storage);
  }, 120_000);

  it.runIf(installed)('authenticates with -u/-p after the Basic challenge; without credentials it fails and nothing is stored', async () => {
    const { s, path } = await freshOrg(t, owner, `Real agent auth ${engine}`);
    const { secret } = await newSecret(t, s, 'real agent');
    const c0 = await counts(t);
    const anon = await runAgent(['--server', `${base}${path}`]);
    expect(anon.stderr).toMatch(/\[error\].*authentication required/i);
    expect(await counts(t)).toEqual(c0);
    const run = await runAgent(['--server', `${base}${path}`, '-u', 'agent', '-p', secret]);
    expect(run.stderr, run.stderr).not.toMatch(/\[error\]/);
    const agents = (await call(t, s, 'GET', '/api/v1/discovery/agents')).json<{ items: AgentDto[] }>().items;
    expect(agents).toEqual([expect.objectContaining({ status: 'approved', enrollment: expect.objectContaining({ name: 'real agent' }) })]);
    const d = await deviceOf(t, s, agents[0]!.id);
    expect(d.storageCount).toBeGreaterThan(0);
    expect(d.softwareCount).toBeGreaterThan(100);
    // Through the agents' default path, the secret alone names the organization.
    const viaDefault = await runAgent(['--server', `${base}/ocsinventory`, '-u', 'agent', '-p', secret]);
    expect(viaDefault.stderr, viaDefault.stderr).not.toMatch(/\[error\]/);
  }, 120_000);
});
