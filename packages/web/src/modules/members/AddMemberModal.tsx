import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, PasswordInput, Select, Stack, TextInput } from '@mantine/core';
import type { Role } from '../../api';
import { notifySuccess } from '../../ui/notify';
import { useFormErrors } from '../../ui/useFormErrors';
import { useAddMember } from './hooks';
import { isRoleKey, roleOptions } from './roles';
import { TemporaryPasswordModal } from './TemporaryPasswordModal';

const FIELDS = ['email', 'displayName', 'role', 'password'] as const;

export function AddMemberModal({ roles, onClose }: { roles: Role[] | undefined; onClose: () => void }) {
  const add = useAddMember();
  const form = useFormErrors(FIELDS);
  const [v, setV] = useState({ email: '', displayName: '', role: 'employee', password: '' });
  const [temporary, setTemporary] = useState<{ person: string; password: string } | null>(null);

  const set = (k: (typeof FIELDS)[number], value: string) => {
    setV((p) => ({ ...p, [k]: value }));
    form.clearField(k);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!isRoleKey(v.role)) {
      form.setErrors({ role: 'Choose a role' });
      return;
    }
    add.mutate(
      { email: v.email.trim(), displayName: v.displayName.trim(), role: v.role, ...(v.password ? { password: v.password } : {}) },
      {
        onSuccess: (res) => {
          if (res.temporaryPassword) setTemporary({ person: res.member.displayName || res.member.email, password: res.temporaryPassword });
          else {
            notifySuccess(`${res.member.displayName} was added.`);
            onClose();
          }
        },
        onError: (err) => form.handle(err, 'Could not add the user'),
      },
    );
  };

  if (temporary) return <TemporaryPasswordModal person={temporary.person} password={temporary.password} onClose={onClose} />;

  return (
    <Modal opened onClose={onClose} title="Add user" centered>
      <form onSubmit={submit} noValidate aria-label="Add user">
        <Stack gap="sm">
          <TextInput
            label="Email"
            type="email"
            required
            value={v.email}
            onChange={(e) => set('email', e.currentTarget.value)}
            error={form.errors.email}
            data-autofocus
          />
          <TextInput label="Display name" required value={v.displayName} onChange={(e) => set('displayName', e.currentTarget.value)} error={form.errors.displayName} />
          <Select
            label="Role"
            required
            data={roleOptions(roles)}
            value={v.role}
            onChange={(r) => set('role', r ?? '')}
            allowDeselect={false}
            error={form.errors.role}
            comboboxProps={{ withinPortal: true }}
          />
          <PasswordInput
            label="Password (optional)"
            description="Leave empty to generate a temporary password. Existing accounts keep their password."
            autoComplete="new-password"
            value={v.password}
            onChange={(e) => set('password', e.currentTarget.value)}
            error={form.errors.password}
          />
          <Group justify="flex-end" gap="xs" mt="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={add.isPending} disabled={!v.email.trim() || !v.displayName.trim()}>
              Add user
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
