import { Select } from '@mantine/core';
import { IconBuilding } from '@tabler/icons-react';
import { useSession } from '../../app/session';
import { notifyError } from '../../ui/notify';
import { useSwitchOrganization } from './hooks';

/** Header select listing the user's organizations; choosing one switches the session to it. */
export function OrganizationSwitcher() {
  const session = useSession();
  const switchOrg = useSwitchOrganization();
  const data = session.organizations.map((o) => ({ value: o.id, label: o.name }));
  return (
    <Select
      aria-label="Organization"
      data={data}
      value={session.currentOrganization?.id ?? null}
      placeholder="Choose an organization"
      onChange={(id) => {
        if (id && id !== session.currentOrganization?.id) switchOrg.mutate(id, { onError: (err) => notifyError(err, 'Could not switch organization') });
      }}
      allowDeselect={false}
      searchable={data.length > 7}
      disabled={switchOrg.isPending || data.length === 0}
      leftSection={<IconBuilding size={16} aria-hidden />}
      size="sm"
      w={{ base: 170, sm: 240 }}
      comboboxProps={{ withinPortal: true }}
      nothingFoundMessage="No match"
    />
  );
}
