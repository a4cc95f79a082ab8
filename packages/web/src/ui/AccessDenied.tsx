import { Alert } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';

export function AccessDenied({ permission }: { permission: string }) {
  return (
    <Alert color="gray" variant="light" icon={<IconLock size={18} aria-hidden />} title="No access" role="alert">
      Your role in this organization does not include the “{permission}” permission. Ask an administrator if you need it.
    </Alert>
  );
}
