import { Alert, Button, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconShieldCheck } from '@tabler/icons-react';
import { useVerifyChain } from './hooks';
import { describeError } from '../../ui/notify';

/** "Verify integrity": recomputes the organization's hash chain on the server and reports the result. */
export function VerifyIntegrityButton({ verify }: { verify: ReturnType<typeof useVerifyChain> }) {
  return (
    <Button variant="default" leftSection={<IconShieldCheck size={16} aria-hidden />} loading={verify.isPending} onClick={() => verify.mutate()}>
      Verify integrity
    </Button>
  );
}

export function VerifyIntegrityResult({ verify }: { verify: ReturnType<typeof useVerifyChain> }) {
  if (verify.isError) {
    const { message, requestId } = describeError(verify.error);
    return (
      <Alert color="red" variant="light" title="Verification could not run" icon={<IconAlertTriangle size={18} aria-hidden />} role="alert" mb="md">
        {message}
        {requestId ? ` (request id ${requestId})` : ''}
      </Alert>
    );
  }
  const r = verify.data;
  if (!r) return null;
  if (r.ok) {
    return (
      <Alert color="teal" variant="outline" icon={<IconShieldCheck size={18} aria-hidden />} role="status" mb="md" py="xs" withCloseButton onClose={() => verify.reset()}>
        <Text size="sm">
          <strong>Event log intact.</strong> All {r.events} events in the hash chain verified; nothing was altered or removed.
        </Text>
      </Alert>
    );
  }
  return (
    <Alert color="red" variant="light" title="Integrity check failed" icon={<IconAlertTriangle size={18} aria-hidden />} role="alert" mb="md">
      <Stack gap={4}>
        <Text size="sm">
          The hash chain breaks at event #{r.firstBroken?.seq ?? '?'}
          {r.firstBroken?.eventId ? ` (${r.firstBroken.eventId})` : ''}: {r.firstBroken?.reason ?? 'unknown reason'}.
        </Text>
        <Text size="sm">{r.events} events were checked. Events from that point on may have been altered outside Custodian.</Text>
      </Stack>
    </Alert>
  );
}
