import { Badge, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useSession } from '../../app/session';
import { formatDateTime, humanize } from '../../ui/format';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Stack>
  );
}

export function AccountDetails() {
  const { user, role, currentOrganization } = useSession();
  return (
    <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} spacing="md" verticalSpacing="sm">
      <Field label="Display name">{user.displayName}</Field>
      <Field label="Email">{user.email}</Field>
      <Field label="Role">
        {role ? (
          <>
            {humanize(role)} <Text span c="dimmed" size="xs">in {currentOrganization?.name}</Text>
          </>
        ) : (
          '—'
        )}
      </Field>
      <Field label="Two-factor sign-in">
        <Badge size="sm" variant="light" color={user.totpEnabled ? 'teal' : 'gray'}>
          {user.totpEnabled ? 'On' : 'Off'}
        </Badge>
      </Field>
      <Field label="Last sign-in">{formatDateTime(user.lastLoginAt)}</Field>
      <Field label="Account created">{formatDateTime(user.createdAt)}</Field>
    </SimpleGrid>
  );
}
