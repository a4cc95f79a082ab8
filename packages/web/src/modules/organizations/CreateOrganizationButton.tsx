import { useState, type FormEvent } from 'react';
import { ActionIcon, Button, Group, Modal, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import type { Organization } from '../../api';
import { useFormErrors } from '../../ui/useFormErrors';
import { notifyError } from '../../ui/notify';
import { useCreateOrganization, useSwitchOrganization } from './hooks';

const FIELDS = ['name'] as const;

/** "New organization" header button and modal; offers to switch to the new organization. */
export function CreateOrganizationButton() {
  const [opened, setOpened] = useState(false);
  const open = () => setOpened(true);
  return (
    <>
      <Button variant="default" size="sm" leftSection={<IconPlus size={16} aria-hidden />} onClick={open} visibleFrom="md">
        New organization
      </Button>
      <Tooltip label="New organization" withArrow>
        <ActionIcon variant="default" size="lg" aria-label="New organization" onClick={open} hiddenFrom="md">
          <IconPlus size={18} aria-hidden />
        </ActionIcon>
      </Tooltip>
      {opened ? <CreateOrganizationModal onClose={() => setOpened(false)} /> : null}
    </>
  );
}

function CreateOrganizationModal({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [created, setCreated] = useState<Organization | null>(null);
  const create = useCreateOrganization();
  const switchOrg = useSwitchOrganization();
  const form = useFormErrors(FIELDS);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    form.clear();
    create.mutate(name.trim(), { onSuccess: setCreated, onError: (err) => form.handle(err, 'Could not create the organization') });
  };

  return (
    <Modal opened onClose={onClose} title={created ? 'Organization created' : 'New organization'} centered>
      {created ? (
        <Stack gap="md">
          <Text size="sm">
            <strong>{created.name}</strong> was created and you are its owner. Switch to it now to add people and departments.
          </Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Stay here
            </Button>
            <Button
              loading={switchOrg.isPending}
              onClick={() => switchOrg.mutate(created.id, { onSuccess: onClose, onError: (err) => notifyError(err, 'Could not switch organization') })}
            >
              Switch to {created.name}
            </Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <TextInput
              label="Organization name"
              description="For example your company or a client you manage assets for."
              required
              maxLength={200}
              value={name}
              onChange={(e) => {
                setName(e.currentTarget.value);
                form.clearField('name');
              }}
              error={form.errors.name}
              data-autofocus
            />
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
                Create organization
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
