import { Badge, Tooltip } from '@mantine/core';

function colorOf(action: string): string {
  const verb = action.split('.').pop() ?? '';
  if (/(review_needed)$/.test(verb)) return 'yellow';
  if (/(unlinked|disconnected|ignored)$/.test(verb)) return 'orange';
  if (/(created|added|enabled|completed|setup|linked|connected|registered|approved)$/.test(verb)) return 'teal';
  if (/(deleted|removed|revoked|disabled|failed|locked|refused)$/.test(verb)) return 'red';
  if (/(login|logout|signed_in|signed_out|switched)$/.test(verb)) return 'gray';
  return 'blue';
}

/**
 * Readable labels of actions written by machines (agents, reconciliation) rather than by a person
 * editing a form; the raw action stays in the tooltip. Other actions are shown as they are.
 */
export const ACTION_LABELS: Readonly<Record<string, string>> = {
  'discovery.device_linked': 'Device linked',
  'discovery.device_unlinked': 'Device unlinked',
  'discovery.device_ignored': 'Device ignored',
  'discovery.device_unignored': 'Device no longer ignored',
  'discovery.review_needed': 'Needs review',
  'discovery.serial_changed': 'Serial changed',
  'discovery.hostname_changed': 'Host name changed',
  'discovery.model_changed': 'Model changed',
  'discovery.bios_changed': 'BIOS changed',
  'discovery.cpu_changed': 'CPU changed',
  'discovery.memory_changed': 'Memory changed',
  'discovery.os_changed': 'OS changed',
  'discovery.ip_changed': 'IP address changed',
  'discovery.network_changed': 'Network cards changed',
  'discovery.storage_added': 'Disk added',
  'discovery.storage_removed': 'Disk removed',
  'discovery.monitor_connected': 'Monitor connected',
  'discovery.monitor_disconnected': 'Monitor disconnected',
  'discovery.software_changed': 'Software changed',
  'discovery.software_inventoried': 'Software inventoried',
  'discovery.settings_updated': 'Discovery settings changed',
  'agent.registered': 'Agent registered',
  'agent.approved': 'Agent approved',
  'agent.refused': 'Agent refused',
  'agent_enrollment.created': 'Enrolment secret created',
  'agent_enrollment.revoked': 'Enrolment secret revoked',
  'asset.media_added': 'Medium added',
  'asset.media_removed': 'Medium removed',
  'asset.media_reinstalled': 'Medium reinstalled',
  'asset.field_unlocked': 'Field unlocked',
};

/** An event action such as `token.created`, colour-coded by its verb; known machine actions get a readable label. */
export function ActionBadge({ action }: { action: string }) {
  const label = ACTION_LABELS[action];
  const badge = (
    <Badge variant="light" color={colorOf(action)} radius="sm" tt="none" fw={500} size="md" ff={label ? undefined : 'monospace'} miw="max-content">
      {label ?? action}
    </Badge>
  );
  return label ? (
    <Tooltip label={action} withArrow openDelay={300} ff="monospace">
      {badge}
    </Tooltip>
  ) : (
    badge
  );
}
