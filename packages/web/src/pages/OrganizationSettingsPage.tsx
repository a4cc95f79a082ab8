import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Button, Code, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useCan } from '../app/session';
import { useOrganization, useRenameOrganization } from '../modules/organizations/hooks';
import type { Organization } from '../api';
import { formatDateTime, humanize } from '../ui/format';
import { notifySuccess } from '../ui/notify';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { Section } from '../ui/Section';
import { FieldMessage } from '../ui/FieldMessage';
import { useFormErrors } from '../ui/useFormErrors';
import { TagPatternSection } from '../modules/organizations/TagPatternSection';

const FIELDS = ['name'] as const;

/** Organization settings: details and rename (org.update). */
export function OrganizationSettingsPage() {
  const org = useOrganization();
  return (
    <>
      <PageHeader title="Organization settings" description="Name, asset tag pattern and details of the current organization." />
      <QueryState query={org} loadingLabel="Loading organization…">
        {(o) => <SettingsForm org={o} />}
      </QueryState>
    </>
  );
}

function SettingsForm({ org }: { org: Organization }) {
  const can = useCan();
  const canUpdate = can('org.update');
  const rename = useRenameOrganization();
  const form = useFormErrors(FIELDS);
  const [name, setName] = useState(org.name);
  useEffect(() => setName(org.name), [org.name]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    rename.mutate(name.trim(), {
      onSuccess: (o) => notifySuccess(`The organization is now called “${o.name}”.`),
      onError: (err) => form.handle(err, 'Could not rename the organization'),
    });
  };

  return (
    <Stack gap="md">
      <Section title="General" id="general" description={canUpdate ? undefined : 'You need the org.update permission to change these settings.'}>
        <form onSubmit={submit} noValidate aria-label="Organization settings">
          <Group align="flex-end" gap="xs">
            <TextInput
              label="Organization name"
              required
              maxLength={200}
              value={name}
              onChange={(e) => {
                setName(e.currentTarget.value);
                form.clearField('name');
              }}
              error={!!form.errors.name}
              aria-describedby={form.errors.name ? 'org-name-error' : undefined}
              readOnly={!canUpdate}
              w={{ base: '100%', sm: 380 }}
            />
            {canUpdate ? (
              <Button type="submit" loading={rename.isPending} disabled={!name.trim() || name.trim() === org.name}>
                Save
              </Button>
            ) : null}
          </Group>
          <FieldMessage id="org-name-error" message={form.errors.name} />
        </form>
      </Section>
      <TagPatternSection org={org} canUpdate={canUpdate} />
      <Section title="Details" id="details">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="md">
          <Detail label="Slug">
            <Code>{org.slug}</Code>
          </Detail>
          <Detail label="Your role">{humanize(org.role)}</Detail>
          <Detail label="Created">{formatDateTime(org.createdAt)}</Detail>
          <Detail label="Last changed">{formatDateTime(org.updatedAt)}</Detail>
        </SimpleGrid>
      </Section>
    </Stack>
  );
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
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
