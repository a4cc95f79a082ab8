import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = { active: 'teal', expired: 'gray', revoked: 'red', on: 'teal', off: 'gray', inactive: 'gray' };

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <Badge size="sm" variant="light" color={COLORS[status] ?? 'blue'} radius="sm">
      {label ?? status}
    </Badge>
  );
}
