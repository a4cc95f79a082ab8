import { useState, type FormEvent } from 'react';
import { ActionIcon, Badge, Button, Group, Modal, NumberInput, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { ConfirmButton } from '../../../ui/ConfirmButton';
import { humanize } from '../../../ui/format';
import { notifySuccess } from '../../../ui/notify';
import { useFormErrors } from '../../../ui/useFormErrors';
import type { AssetDetail, AssetMedia, CreateMediumBody } from '../contract';
import { useRemoveMedia, useSaveMedia } from '../hooks';
import { MEDIA_STATUSES, MEDIA_TYPES, MONO_INPUT, bytesToGb, formatBytes, gbToBytes, mediaTypeLabel } from '../media';

const FIELDS = ['mediaType', 'serial', 'model', 'manufacturer', 'capacityBytes', 'interface', 'status'] as const;

export function MediaTab({ asset, canWrite }: { asset: AssetDetail; canWrite: boolean }) {
  const remove = useRemoveMedia(asset.id);
  // undefined = closed, null = adding, a medium = editing it.
  const [editing, setEditing] = useState<AssetMedia | null | undefined>(undefined);
  return (
    <Paper withBorder>
      <Group justify="space-between" px="md" py="xs" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Text size="sm" c="dimmed">
          Storage devices inside this asset. {asset.dataBearing ? 'This category is data-bearing: each medium is sanitized or destroyed before disposal.' : ''}
        </Text>
        {canWrite ? (
          <Button size="xs" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => setEditing(null)}>
            Add medium
          </Button>
        ) : null}
      </Group>
      <Table.ScrollContainer minWidth={720} type="native">
        <Table aria-label="Media">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Type</Table.Th>
              <Table.Th>Serial</Table.Th>
              <Table.Th>Model</Table.Th>
              <Table.Th>Manufacturer</Table.Th>
              <Table.Th ta="right">Capacity</Table.Th>
              <Table.Th>Interface</Table.Th>
              <Table.Th>Status</Table.Th>
              {canWrite ? <Table.Th w={80} aria-label="Actions" /> : null}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {asset.media.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={8}>
                  <Text size="sm" c="dimmed" ta="center" py="md">
                    No media recorded.
                  </Text>
                </Table.Td>
              </Table.Tr>
            ) : null}
            {asset.media.map((m) => (
              <Table.Tr key={m.id}>
                <Table.Td>{mediaTypeLabel(m.mediaType)}</Table.Td>
                <Table.Td ff="monospace">{m.serial ?? '—'}</Table.Td>
                <Table.Td>{m.model ?? '—'}</Table.Td>
                <Table.Td>{m.manufacturer ?? '—'}</Table.Td>
                <Table.Td ta="right">{formatBytes(m.capacityBytes)}</Table.Td>
                <Table.Td>{m.interface ?? '—'}</Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={m.status === 'installed' ? 'blue' : m.status === 'destroyed' || m.status === 'sanitized' ? 'teal' : 'gray'} tt="none">
                    {humanize(m.status)}
                  </Badge>
                </Table.Td>
                {canWrite ? (
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Tooltip label="Edit medium" withArrow>
                        <ActionIcon variant="subtle" color="gray" aria-label={`Edit medium ${m.serial ?? mediaTypeLabel(m.mediaType)}`} onClick={() => setEditing(m)}>
                          <IconPencil size={16} aria-hidden />
                        </ActionIcon>
                      </Tooltip>
                      <ConfirmButton
                        label={`Remove medium ${m.serial ?? mediaTypeLabel(m.mediaType)}`}
                        title="Remove medium"
                        icon={<IconTrash size={16} aria-hidden />}
                        message="Remove this medium from the asset record? The change is recorded in the asset's history."
                        confirmLabel="Remove medium"
                        onConfirm={async () => {
                          await remove.mutateAsync(m.id);
                          notifySuccess('The medium was removed.');
                        }}
                      />
                    </Group>
                  </Table.Td>
                ) : null}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {editing !== undefined ? <MediumModal assetId={asset.id} medium={editing} onClose={() => setEditing(undefined)} /> : null}
    </Paper>
  );
}

function MediumModal({ assetId, medium, onClose }: { assetId: string; medium: AssetMedia | null; onClose: () => void }) {
  const save = useSaveMedia(assetId);
  const form = useFormErrors(FIELDS);
  const [v, setV] = useState({
    mediaType: medium?.mediaType ?? 'ssd',
    serial: medium?.serial ?? '',
    model: medium?.model ?? '',
    manufacturer: medium?.manufacturer ?? '',
    capacityGb: bytesToGb(medium?.capacityBytes) as number | string,
    interface: medium?.interface ?? '',
    status: medium?.status ?? 'installed',
  });
  const set = (k: keyof typeof v, value: string | number) => {
    setV((p) => ({ ...p, [k]: value }));
    form.clearField(k === 'capacityGb' ? 'capacityBytes' : (k as (typeof FIELDS)[number]));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const s = (x: string) => x.trim() || null;
    const fields = {
      serial: s(v.serial),
      model: s(v.model),
      manufacturer: s(v.manufacturer),
      capacityBytes: gbToBytes(v.capacityGb),
      interface: s(v.interface),
    };
    const mediaType = v.mediaType as CreateMediumBody['mediaType'];
    save.mutate(
      medium
        ? { mediumId: medium.id, body: { mediaType, ...fields, ...(v.status === 'removed' || v.status === 'installed' ? { status: v.status } : {}) } }
        : { mediumId: null, body: { mediaType, ...fields } },
      {
        onSuccess: () => {
          notifySuccess(medium ? 'The medium was updated.' : 'The medium was added.');
          onClose();
        },
        onError: (err) => form.handle(err, medium ? 'Could not update the medium' : 'Could not add the medium'),
      },
    );
  };
  return (
    <Modal opened onClose={onClose} title={medium ? 'Edit medium' : 'Add medium'} centered>
      <form onSubmit={submit} noValidate aria-label={medium ? 'Edit medium' : 'Add medium'}>
        <Stack gap="sm">
          <SimpleGrid cols={2} spacing="sm" verticalSpacing="xs">
            <Select label="Type" required data={MEDIA_TYPES} value={v.mediaType} onChange={(x) => set('mediaType', x ?? 'ssd')} error={form.errors.mediaType} data-autofocus />
            {medium ? (
              <Select
                label="Status"
                data={MEDIA_STATUSES}
                value={v.status}
                onChange={(x) => set('status', x ?? 'installed')}
                error={form.errors.status}
                // Sanitized and destroyed come from the sanitization records, not from here.
                disabled={medium.status === 'sanitized' || medium.status === 'destroyed'}
                description={medium.status === 'sanitized' || medium.status === 'destroyed' ? 'Set by the sanitization record' : undefined}
              />
            ) : (
              <div />
            )}
            <TextInput label="Serial" styles={MONO_INPUT} value={v.serial} onChange={(e) => set('serial', e.currentTarget.value)} error={form.errors.serial} />
            <TextInput label="Model" value={v.model} onChange={(e) => set('model', e.currentTarget.value)} error={form.errors.model} />
            <TextInput label="Manufacturer" value={v.manufacturer} onChange={(e) => set('manufacturer', e.currentTarget.value)} error={form.errors.manufacturer} />
            <NumberInput label="Capacity (GB)" min={0} hideControls value={v.capacityGb} onChange={(x) => set('capacityGb', x)} error={form.errors.capacityBytes} />
            <TextInput label="Interface" placeholder="SATA, NVMe, SAS…" value={v.interface} onChange={(e) => set('interface', e.currentTarget.value)} error={form.errors.interface} />
          </SimpleGrid>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {medium ? 'Save medium' : 'Add medium'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
