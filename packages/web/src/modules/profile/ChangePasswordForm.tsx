import { useState, type FormEvent } from 'react';
import { Button, Group, PasswordInput, SimpleGrid, Stack } from '@mantine/core';
import { useFormErrors } from '../../ui/useFormErrors';
import { notifySuccess } from '../../ui/notify';
import { useChangePassword } from './hooks';

const FIELDS = ['currentPassword', 'newPassword', 'confirm'] as const;

export function ChangePasswordForm() {
  const change = useChangePassword();
  const form = useFormErrors(FIELDS);
  const [v, setV] = useState({ currentPassword: '', newPassword: '', confirm: '' });

  const set = (k: (typeof FIELDS)[number]) => (value: string) => {
    setV((prev) => ({ ...prev, [k]: value }));
    form.clearField(k);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (v.newPassword !== v.confirm) {
      form.setErrors({ confirm: 'Does not match the new password' });
      return;
    }
    change.mutate(
      { currentPassword: v.currentPassword, newPassword: v.newPassword },
      {
        onSuccess: () => {
          setV({ currentPassword: '', newPassword: '', confirm: '' });
          form.clear();
          notifySuccess('Your password was changed. Other sessions were signed out.');
        },
        onError: (err) => form.handle(err, 'Could not change the password'),
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Change password">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            required
            value={v.currentPassword}
            onChange={(e) => set('currentPassword')(e.currentTarget.value)}
            error={form.errors.currentPassword}
          />
          <PasswordInput
            label="New password"
            description="At least 10 characters."
            inputWrapperOrder={['label', 'input', 'description', 'error']}
            autoComplete="new-password"
            required
            value={v.newPassword}
            onChange={(e) => set('newPassword')(e.currentTarget.value)}
            error={form.errors.newPassword}
          />
          <PasswordInput
            label="Confirm new password"
            autoComplete="new-password"
            required
            value={v.confirm}
            onChange={(e) => set('confirm')(e.currentTarget.value)}
            error={form.errors.confirm}
          />
        </SimpleGrid>
        <Group justify="flex-end">
          <Button type="submit" loading={change.isPending} disabled={!v.currentPassword || !v.newPassword || !v.confirm}>
            Change password
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
