import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import { notifySuccess } from '../../ui/notify';
import { useFormErrors } from '../../ui/useFormErrors';
import { useSaveSupplier } from './hooks';
import type { Supplier } from './types';

const FIELDS = ['name', 'contactName', 'email', 'phone', 'url', 'notes'] as const;
type F = (typeof FIELDS)[number];

export function SupplierModal({ supplier, onClose }: { supplier: Supplier | null; onClose: () => void }) {
  const save = useSaveSupplier();
  const form = useFormErrors(FIELDS);
  const [v, setV] = useState<Record<F, string>>({
    name: supplier?.name ?? '',
    contactName: supplier?.contactName ?? '',
    email: supplier?.email ?? '',
    phone: supplier?.phone ?? '',
    url: supplier?.url ?? '',
    notes: supplier?.notes ?? '',
  });
  const set = (k: F, value: string) => {
    setV((p) => ({ ...p, [k]: value }));
    form.clearField(k);
  };
  const opt = (k: F) => v[k].trim() || null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { name: v.name.trim(), contactName: opt('contactName'), email: opt('email'), phone: opt('phone'), url: opt('url'), notes: opt('notes') };
    save.mutate(
      { id: supplier?.id ?? null, body },
      {
        onSuccess: (s) => {
          notifySuccess(supplier ? `Supplier “${s.name}” was updated.` : `Supplier “${s.name}” was created.`);
          onClose();
        },
        onError: (err) => form.handle(err, supplier ? 'Could not update the supplier' : 'Could not create the supplier'),
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={supplier ? `Edit ${supplier.name}` : 'New supplier'} size="lg" centered>
      <form onSubmit={submit} noValidate aria-label={supplier ? 'Edit supplier' : 'New supplier'}>
        <Stack gap="sm">
          <TextInput label="Name" required maxLength={200} value={v.name} onChange={(e) => set('name', e.currentTarget.value)} error={form.errors.name} data-autofocus />
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput label="Contact name" maxLength={200} value={v.contactName} onChange={(e) => set('contactName', e.currentTarget.value)} error={form.errors.contactName} />
            <TextInput label="Email" type="email" maxLength={254} value={v.email} onChange={(e) => set('email', e.currentTarget.value)} error={form.errors.email} />
            <TextInput label="Phone" type="tel" maxLength={50} value={v.phone} onChange={(e) => set('phone', e.currentTarget.value)} error={form.errors.phone} />
            <TextInput label="Website" type="url" placeholder="https://" maxLength={2000} value={v.url} onChange={(e) => set('url', e.currentTarget.value)} error={form.errors.url} />
          </SimpleGrid>
          <Textarea label="Notes" autosize minRows={2} maxRows={6} maxLength={10_000} value={v.notes} onChange={(e) => set('notes', e.currentTarget.value)} error={form.errors.notes} />
          <Group justify="flex-end" gap="xs" mt="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!v.name.trim()}>
              {supplier ? 'Save changes' : 'Create supplier'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
