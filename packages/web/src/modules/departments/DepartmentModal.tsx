import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import type { Department } from '../../api';
import { useCan } from '../../app/session';
import { notifySuccess } from '../../ui/notify';
import { useFormErrors } from '../../ui/useFormErrors';
import { useMembers } from '../members/hooks';
import { useSaveDepartment } from './hooks';

const FIELDS = ['name', 'code', 'costCentre', 'managerUserId'] as const;

/** Create (department = null) or edit a department. */
export function DepartmentModal({ department, onClose }: { department: Department | null; onClose: () => void }) {
  const can = useCan();
  const canListMembers = can('member.read');
  const members = useMembers('', canListMembers);
  const save = useSaveDepartment();
  const form = useFormErrors(FIELDS);
  const [v, setV] = useState({
    name: department?.name ?? '',
    code: department?.code ?? '',
    costCentre: department?.costCentre ?? '',
    managerUserId: department?.manager?.userId ?? null,
  });

  const managerOptions = (members.data ?? []).map((m) => ({ value: m.userId, label: `${m.displayName} (${m.email})` }));
  // Keep the current manager selectable even when the member list is not available.
  if (department?.manager && !managerOptions.some((o) => o.value === department.manager?.userId)) {
    managerOptions.unshift({ value: department.manager.userId, label: department.manager.displayName });
  }

  const set = (k: 'name' | 'code' | 'costCentre', value: string) => {
    setV((p) => ({ ...p, [k]: value }));
    form.clearField(k);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = { name: v.name.trim(), code: v.code.trim() || null, costCentre: v.costCentre.trim() || null, managerUserId: v.managerUserId };
    save.mutate(
      { id: department?.id ?? null, body },
      {
        onSuccess: (d) => {
          notifySuccess(department ? `Department “${d.name}” was updated.` : `Department “${d.name}” was created.`);
          onClose();
        },
        onError: (err) => form.handle(err, department ? 'Could not update the department' : 'Could not create the department'),
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={department ? `Edit ${department.name}` : 'New department'} centered>
      <form onSubmit={submit} noValidate aria-label={department ? 'Edit department' : 'New department'}>
        <Stack gap="sm">
          <TextInput label="Name" required maxLength={200} value={v.name} onChange={(e) => set('name', e.currentTarget.value)} error={form.errors.name} data-autofocus />
          <SimpleGrid cols={2} spacing="sm">
            <TextInput label="Code" placeholder="FIN" maxLength={50} value={v.code} onChange={(e) => set('code', e.currentTarget.value)} error={form.errors.code} />
            <TextInput
              label="Cost centre"
              placeholder="CC-1000"
              maxLength={50}
              value={v.costCentre}
              onChange={(e) => set('costCentre', e.currentTarget.value)}
              error={form.errors.costCentre}
            />
          </SimpleGrid>
          <Select
            label="Manager"
            placeholder={canListMembers ? 'No manager' : 'You cannot list users'}
            data={managerOptions}
            value={v.managerUserId}
            onChange={(id) => {
              setV((p) => ({ ...p, managerUserId: id }));
              form.clearField('managerUserId');
            }}
            searchable
            clearable
            nothingFoundMessage="No user matches"
            disabled={!canListMembers || members.isPending}
            error={form.errors.managerUserId}
            comboboxProps={{ withinPortal: true }}
          />
          <Group justify="flex-end" gap="xs" mt="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!v.name.trim()}>
              {department ? 'Save changes' : 'Create department'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
