import { Alert } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { describeError } from './notify';

/** Inline form-level error (for screens where a notification is easy to miss, such as sign-in). */
export function FormError({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const { message, requestId } = describeError(error);
  return (
    <Alert color="red" variant="light" icon={<IconAlertCircle size={18} aria-hidden />} title={title} role="alert">
      {message}
      {requestId ? <span style={{ display: 'block', fontSize: 'var(--mantine-font-size-xs)', opacity: 0.75 }}>Request id {requestId}</span> : null}
    </Alert>
  );
}
