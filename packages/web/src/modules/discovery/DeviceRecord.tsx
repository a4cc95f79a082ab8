/**
 * The canonical device record as the agents reported it: identity, hardware, OS, network, storage,
 * monitors and peripherals, virtual machines and software. Used by the device page (everything)
 * and the asset's Discovered tab (the summary blocks and the network/storage tables).
 */
import { useState, type ReactNode } from 'react';
import { Badge, Code, Group, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { Dash, EmptyRow, ListToolbar, matches } from '../catalog/bits';
import { Detail, DetailList } from '../assets/tabs/DetailsTab';
import { Block, formatDiskMb, formatMemoryMb, STORAGE_TYPE_LABELS } from './bits';
import type { DeviceRecord } from './types';

interface Column<T> {
  header: string;
  render: (row: T) => ReactNode;
  mono?: boolean;
  right?: boolean;
}

/** A read-only table of record rows; `—` for empty cells. */
export function RecordTable<T>({ label, columns, rows, empty, minWidth = 640 }: { label: string; columns: Column<T>[]; rows: readonly T[]; empty: string; minWidth?: number }) {
  return (
    <Table.ScrollContainer minWidth={minWidth} type="native">
      <Table aria-label={label} striped>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => (
              <Table.Th key={c.header} ta={c.right ? 'right' : undefined}>
                {c.header}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.length === 0 ? <EmptyRow cols={columns.length} text={empty} /> : null}
          {rows.map((r, i) => (
            <Table.Tr key={i}>
              {columns.map((c) => {
                const v = c.render(r);
                return (
                  <Table.Td key={c.header} ff={c.mono ? 'monospace' : undefined} fz="sm" ta={c.right ? 'right' : undefined}>
                    {v === null || v === undefined || v === '' ? <Dash /> : v}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const mono = (v: string | null | undefined) => (v ? <Text span size="sm" ff="monospace">{v}</Text> : null);
const join = (...parts: (string | number | null | undefined)[]) => parts.filter((p) => p !== null && p !== undefined && p !== '').join(' ') || null;

export function IdentityBlock({ record }: { record: DeviceRecord }) {
  const id = record.identity;
  return (
    <Block title="Identity">
      <DetailList>
        <Detail label="Host name">{id.hostname}</Detail>
        <Detail label="FQDN">{id.fqdn}</Detail>
        <Detail label="Domain">{id.domain}</Detail>
        <Detail label="System serial">{mono(id.systemSerial)}</Detail>
        <Detail label="SMBIOS UUID">{mono(id.uuid)}</Detail>
        <Detail label="Asset tag (firmware)">{id.assetTag}</Detail>
        <Detail label="Primary MAC">{mono(id.primaryMac)}</Detail>
        <Detail label="Agent device id">{mono(record.source.deviceId)}</Detail>
        <Detail label="Agent">{join(record.source.agentName, record.source.agentVersion)}</Detail>
        <Detail label="Agent tag">{record.source.tag}</Detail>
      </DetailList>
    </Block>
  );
}

export function HardwareBlock({ record }: { record: DeviceRecord }) {
  const hw = record.hardware;
  const v = record.virtualization;
  const cpus = hw.cpus;
  const cpuSummary = cpus.length ? `${cpus.length} × ${cpus[0]?.name ?? 'CPU'}${cpus[0]?.cores ? ` (${cpus[0].cores} cores${cpus[0].threads ? `, ${cpus[0].threads} threads` : ''})` : ''}` : null;
  return (
    <Block title="Hardware">
      <DetailList>
        <Detail label="Manufacturer">{hw.manufacturer}</Detail>
        <Detail label="Model">{hw.model}</Detail>
        <Detail label="SKU">{hw.sku}</Detail>
        <Detail label="Chassis">{hw.chassisType}</Detail>
        <Detail label="Chassis serial">{mono(hw.chassisSerial)}</Detail>
        <Detail label="BIOS">{join(hw.bios.manufacturer, hw.bios.version, hw.bios.date ? `(${hw.bios.date})` : null)}</Detail>
        <Detail label="Board">{join(hw.board.manufacturer, hw.board.model, hw.board.serial ? `· ${hw.board.serial}` : null)}</Detail>
        <Detail label="CPUs">{cpuSummary}</Detail>
        <Detail label="Memory">{hw.memory.totalMb !== null ? `${formatMemoryMb(hw.memory.totalMb)}${hw.memory.modules.length ? ` in ${hw.memory.modules.length} module${hw.memory.modules.length === 1 ? '' : 's'}` : ''}${hw.memory.slots ? ` (${hw.memory.slots} slots)` : ''}` : null}</Detail>
        <Detail label="Virtualization">{v.isVirtual ? join('Virtual machine', v.vmSystem ? `(${v.vmSystem})` : null) : (v.vmSystem ?? 'Physical')}</Detail>
        {v.hostSerial ? <Detail label="Host serial">{mono(v.hostSerial)}</Detail> : null}
      </DetailList>
    </Block>
  );
}

export function OsBlock({ record }: { record: DeviceRecord }) {
  const os = record.os;
  return (
    <Block title="Operating system">
      <DetailList>
        <Detail label="Name">{os.fullName ?? os.name}</Detail>
        <Detail label="Version">{os.version}</Detail>
        <Detail label="Kernel">{join(os.kernelName, os.kernelVersion)}</Detail>
        <Detail label="Architecture">{os.arch}</Detail>
        <Detail label="Service pack">{os.servicePack}</Detail>
        <Detail label="Installed">{os.installDate}</Detail>
        <Detail label="Time zone">{os.timezone}</Detail>
      </DetailList>
    </Block>
  );
}

export function NetworkTable({ record }: { record: DeviceRecord }) {
  return (
    <RecordTable
      label="Network interfaces"
      rows={record.networks}
      empty="No network interface reported."
      minWidth={760}
      columns={[
        { header: 'Interface', render: (n) => (n.virtual ? <Group gap={4}>{n.name}<Badge size="xs" variant="light" color="gray">virtual</Badge></Group> : n.name) },
        { header: 'MAC', render: (n) => n.mac, mono: true },
        { header: 'IP addresses', render: (n) => [...n.ipv4.map((i) => (i.mask ? `${i.address}/${i.mask}` : i.address)), ...n.ipv6.map((i) => i.address)].join(', ') || null, mono: true },
        { header: 'Type', render: (n) => n.type },
        { header: 'Status', render: (n) => n.status },
        { header: 'Speed', render: (n) => (n.speedMbps ? `${n.speedMbps} Mb/s` : null), right: true },
      ]}
    />
  );
}

export function StorageTable({ record }: { record: DeviceRecord }) {
  return (
    <RecordTable
      label="Storage devices"
      rows={record.storage}
      empty="No storage device reported."
      columns={[
        { header: 'Name', render: (s) => s.name },
        { header: 'Type', render: (s) => STORAGE_TYPE_LABELS[s.type] ?? s.type },
        { header: 'Model', render: (s) => join(s.manufacturer, s.model) },
        { header: 'Serial', render: (s) => s.serial, mono: true },
        { header: 'Size', render: (s) => formatDiskMb(s.sizeMb), right: true },
        { header: 'Interface', render: (s) => s.interface },
      ]}
    />
  );
}

function CpuTable({ record }: { record: DeviceRecord }) {
  return (
    <RecordTable
      label="Processors"
      rows={record.hardware.cpus}
      empty="No processor reported."
      columns={[
        { header: 'Name', render: (c) => c.name },
        { header: 'Manufacturer', render: (c) => c.manufacturer },
        { header: 'Cores', render: (c) => c.cores, right: true },
        { header: 'Threads', render: (c) => c.threads, right: true },
        { header: 'Speed', render: (c) => (c.speedMhz ? `${c.speedMhz} MHz` : null), right: true },
        { header: 'Arch', render: (c) => c.arch },
      ]}
    />
  );
}

function MemoryTable({ record }: { record: DeviceRecord }) {
  return (
    <RecordTable
      label="Memory modules"
      rows={record.hardware.memory.modules}
      empty="No memory module reported."
      columns={[
        { header: 'Slot', render: (m) => m.slot },
        { header: 'Size', render: (m) => formatMemoryMb(m.capacityMb), right: true },
        { header: 'Type', render: (m) => join(m.type, m.formFactor) },
        { header: 'Speed', render: (m) => (m.speedMhz ? `${m.speedMhz} MHz` : null), right: true },
        { header: 'Manufacturer', render: (m) => join(m.manufacturer, m.model) },
        { header: 'Serial', render: (m) => m.serial, mono: true },
      ]}
    />
  );
}

export function MonitorsTable({ record }: { record: DeviceRecord }) {
  return (
    <RecordTable
      label="Monitors"
      rows={record.monitors}
      empty="No monitor reported."
      columns={[
        { header: 'Name', render: (m) => m.name ?? m.caption },
        { header: 'Manufacturer', render: (m) => m.manufacturer },
        { header: 'Serial', render: (m) => m.serial ?? m.altSerial, mono: true },
        { header: 'Port', render: (m) => m.port },
      ]}
    />
  );
}

function PeripheralsTable({ record }: { record: DeviceRecord }) {
  return (
    <RecordTable
      label="Peripherals"
      rows={record.peripherals}
      empty="No peripheral reported."
      columns={[
        { header: 'Kind', render: (p) => p.kind.replace(/_/g, ' ') },
        { header: 'Name', render: (p) => p.name ?? p.description },
        { header: 'Manufacturer', render: (p) => join(p.manufacturer, p.model) },
        { header: 'Serial', render: (p) => p.serial, mono: true },
      ]}
    />
  );
}

function VmTable({ record }: { record: DeviceRecord }) {
  return (
    <RecordTable
      label="Virtual machines"
      rows={record.virtualMachines}
      empty="This device hosts no virtual machine."
      columns={[
        { header: 'Name', render: (v) => v.name },
        { header: 'Type', render: (v) => join(v.vmType, v.subsystem ? `(${v.subsystem})` : null) },
        { header: 'Status', render: (v) => v.status },
        { header: 'vCPU', render: (v) => v.vcpu, right: true },
        { header: 'Memory', render: (v) => formatMemoryMb(v.memoryMb), right: true },
        { header: 'UUID', render: (v) => v.uuid, mono: true },
      ]}
    />
  );
}

function FilesystemTable({ record }: { record: DeviceRecord }) {
  return (
    <RecordTable
      label="File systems"
      rows={record.filesystems}
      empty="No file system reported."
      columns={[
        { header: 'Mount', render: (f) => f.mount, mono: true },
        { header: 'Device', render: (f) => f.device, mono: true },
        { header: 'Type', render: (f) => f.filesystem },
        { header: 'Size', render: (f) => formatDiskMb(f.totalMb), right: true },
        { header: 'Encrypted', render: (f) => (f.encrypted === null ? null : f.encrypted ? 'Yes' : 'No') },
      ]}
    />
  );
}

/** The packages as the agent reported them (before catalogue normalisation), with a quick filter. */
export function RecordSoftwareTable({ record }: { record: DeviceRecord }) {
  const [q, setQ] = useState('');
  const rows = record.software.filter((s) => matches(q, s.name, s.publisher, s.version));
  return (
    <>
      <ListToolbar label="Filter packages" value={q} onChange={setQ} count={rows.length} noun={['package', 'packages']} />
      <RecordTable
        label="Reported software"
        rows={rows}
        empty={q.trim() ? 'No package matches.' : 'No software reported.'}
        columns={[
          { header: 'Name', render: (s) => s.name },
          { header: 'Version', render: (s) => s.version, mono: true },
          { header: 'Publisher', render: (s) => s.publisher },
          { header: 'Arch', render: (s) => s.arch },
          { header: 'Installed', render: (s) => s.installDate },
          { header: 'Source', render: (s) => s.source },
        ]}
      />
    </>
  );
}

export function TableBlock({ title, count, children }: { title: string; count: number; children: ReactNode }) {
  return (
    <Paper withBorder component="section" aria-label={title}>
      <Group px="md" py="xs" gap="xs" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Text fw={600} fz="sm">
          {title}
        </Text>
        <Code fz="xs">{count}</Code>
      </Group>
      {children}
    </Paper>
  );
}

/** Every section of the record. */
export function DeviceRecordView({ record }: { record: DeviceRecord }) {
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, lg: 3 }} spacing="md">
        <IdentityBlock record={record} />
        <HardwareBlock record={record} />
        <OsBlock record={record} />
      </SimpleGrid>
      <TableBlock title="Processors" count={record.hardware.cpus.length}>
        <CpuTable record={record} />
      </TableBlock>
      <TableBlock title="Memory modules" count={record.hardware.memory.modules.length}>
        <MemoryTable record={record} />
      </TableBlock>
      <TableBlock title="Network interfaces" count={record.networks.length}>
        <NetworkTable record={record} />
      </TableBlock>
      <TableBlock title="Storage devices" count={record.storage.length}>
        <StorageTable record={record} />
      </TableBlock>
      <TableBlock title="File systems" count={record.filesystems.length}>
        <FilesystemTable record={record} />
      </TableBlock>
      <TableBlock title="Monitors" count={record.monitors.length}>
        <MonitorsTable record={record} />
      </TableBlock>
      <TableBlock title="Peripherals" count={record.peripherals.length}>
        <PeripheralsTable record={record} />
      </TableBlock>
      <TableBlock title="Virtual machines" count={record.virtualMachines.length}>
        <VmTable record={record} />
      </TableBlock>
      <TableBlock title="Software" count={record.software.length}>
        <RecordSoftwareTable record={record} />
      </TableBlock>
    </Stack>
  );
}

