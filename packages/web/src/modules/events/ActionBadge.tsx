import { Badge } from '@mantine/core';

function colorOf(action: string): string {
  const verb = action.split('.').pop() ?? '';
  if (/(created|added|enabled|completed|setup)$/.test(verb)) return 'teal';
  if (/(deleted|removed|revoked|disabled|failed|locked)$/.test(verb)) return 'red';
  if (/(login|logout|signed_in|signed_out|switched)$/.test(verb)) return 'gray';
  return 'blue';
}

/** An event action such as `token.created`, colour-coded by its verb. */
export function ActionBadge({ action }: { action: string }) {
  return (
    <Badge variant="light" color={colorOf(action)} radius="sm" tt="none" fw={500} size="md" ff="monospace" miw="max-content">
      {action}
    </Badge>
  );
}
