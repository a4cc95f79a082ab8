import { Stack } from '@mantine/core';
import { useCan } from '../app/session';
import { ConnectionSection } from '../modules/discovery/ConnectionSection';
import { EnrollmentsSection } from '../modules/discovery/EnrollmentsSection';
import { useDiscoverySettings } from '../modules/discovery/hooks';
import { ReconciliationSection } from '../modules/discovery/ReconciliationSection';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';

/** Discovery setup: agent URL and admission, reconciliation rules, enrolment secrets. */
export function DiscoverySettingsPage() {
  const can = useCan();
  const canManage = can('discovery.manage');
  const settings = useDiscoverySettings();
  return (
    <>
      <PageHeader
        title="Discovery setup"
        description={canManage ? 'How inventory agents reach this organization and how their devices become assets.' : 'You need the discovery.manage permission to change these settings.'}
      />
      <QueryState query={settings} loadingLabel="Loading the settings…">
        {(s) => (
          <Stack gap="md">
            <ConnectionSection settings={s} canManage={canManage} />
            <ReconciliationSection settings={s} canManage={canManage} />
            <EnrollmentsSection inventoryUrl={s.inventoryUrl} canManage={canManage} />
          </Stack>
        )}
      </QueryState>
    </>
  );
}
