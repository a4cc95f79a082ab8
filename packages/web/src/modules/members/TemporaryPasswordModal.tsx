import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { CopyableSecret } from '../../ui/CopyableSecret';

/** Shows a temporary password once; the person must change it at their next sign-in. */
export function TemporaryPasswordModal({ person, password, onClose }: { person: string; password: string; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title="Temporary password" size="md" centered closeOnClickOutside={false}>
      <Stack gap="md">
        <Text size="sm">
          Give this password to <strong>{person}</strong> through a safe channel. They will be asked to choose their own password when they sign
          in.
        </Text>
        <CopyableSecret label={`Temporary password for ${person}`} value={password} />
        <Group justify="flex-end">
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
