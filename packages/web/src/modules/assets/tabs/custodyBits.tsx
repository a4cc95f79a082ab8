import { Anchor, Badge, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useCan } from '../../../app/session';

const ACCEPTANCE_COLORS: Record<string, string> = { pending: 'yellow', accepted: 'teal', declined: 'red', cancelled: 'gray' };
export const TARGET_LABELS: Record<string, string> = { user: 'Person', location: 'Location', asset: 'Asset' };

export function AcceptanceBadge({ status }: { status: string | null | undefined }) {
  if (!status) return <Text span size="sm" c="dimmed">Not required</Text>;
  return (
    <Badge size="sm" variant="light" color={ACCEPTANCE_COLORS[status] ?? 'gray'} tt="none">
      {status === 'pending' ? 'Awaiting acceptance' : status.charAt(0).toUpperCase() + status.slice(1)}
    </Badge>
  );
}

/** The holder, linked to its page: a person (with member.read), an asset, or a location's assets. */
export function TargetLabel({ type, id, label }: { type: string; id: string; label: string }) {
  const can = useCan();
  const to = type === 'asset' ? `/assets/${id}` : type === 'user' ? (can('member.read') ? `/people/${id}` : null) : `/assets?locationId=${id}`;
  if (!to) return <>{label}</>;
  return (
    <Anchor component={Link} to={to} size="sm" inherit>
      {label}
    </Anchor>
  );
}

