import { Text } from '@mantine/core';

/**
 * Error (or hint) below an input that sits in one row with its button, so the button stays aligned
 * with the input. Link it from the input with `aria-describedby={id}`.
 */
export function FieldMessage({ id, message, error = true }: { id: string; message: string | undefined; error?: boolean }) {
  if (!message) return null;
  return (
    <Text id={id} size="xs" c={error ? 'red' : 'dimmed'} mt={4} role={error ? 'alert' : undefined}>
      {message}
    </Text>
  );
}
