import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { notifySuccess } from '../../ui/notify';
import { useFormErrors } from '../../ui/useFormErrors';
import { useSaveManufacturer } from './hooks';
import type { Manufacturer } from './types';

const FIELDS = ['name', 'supportUrl', 'warrantyLookupUrl'] as const;

export function ManufacturerModal({ manufacturer, onClose }: { manufacturer: Manufacturer | null; onClose: () => void }) {
  const save = useSaveManufacturer();
  const form = useFormErrors(FIELDS);
  const [v, setV] = useState({
    name: manufacturer?.name ?? '',
    supportUrl: manufacturer?.supportUrl ?? '',
    warrantyLookupUrl: manufacturer?.warrantyLookupUrl ?? '',
  });
  const set = (k: (typeof FIELDS)[number], value: string) => {
    setV((p) => ({ ...p, [k]: value }));
    form.clearField(k);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { name: v.name.trim(), supportUrl: v.supportUrl.trim() || null, warrantyLookupUrl: v.warrantyLookupUrl.trim() || null };
    save.mutate(
      { id: manufacturer?.id ?? null, body },
      {
        onSuccess: (m) => {
          notifySuccess(manufacturer ? `Manufacturer “${m.name}” was updated.` : `Manufacturer “${m.name}” was created.`);
          onClose();
        },
        onError: (err) => form.handle(err, manufacturer ? 'Could not update the manufacturer' : 'Could not create the manufacturer'),
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={manufacturer ? `Edit ${manufacturer.name}` : 'New manufacturer'} centered>
      <form onSubmit={submit} noValidate aria-label={manufacturer ? 'Edit manufacturer' : 'New manufacturer'}>
        <Stack gap="sm">
          <TextInput label="Name" required maxLength={200} value={v.name} onChange={(e) => set('name', e.currentTarget.value)} error={form.errors.name} data-autofocus />
          <TextInput
            label="Support URL"
            type="url"
            placeholder="https://support.example.com"
            maxLength={2000}
            value={v.supportUrl}
            onChange={(e) => set('supportUrl', e.currentTarget.value)}
            error={form.errors.supportUrl}
          />
          <TextInput
            label="Warranty lookup URL"
            type="url"
            placeholder="https://warranty.example.com/?serial={serial}"
            description="Where to check a device's warranty by its serial number."
            maxLength={2000}
            value={v.warrantyLookupUrl}
            onChange={(e) => set('warrantyLookupUrl', e.currentTarget.value)}
            error={form.errors.warrantyLookupUrl}
          />
          <Group justify="flex-end" gap="xs" mt="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!v.name.trim()}>
              {manufacturer ? 'Save changes' : 'Create manufacturer'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
