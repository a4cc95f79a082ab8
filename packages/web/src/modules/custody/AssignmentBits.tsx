import { Anchor, Badge, Stack, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import type { AcceptanceStatus, AssetRef } from './types';

const ACCEPTANCE: Record<AcceptanceStatus, { color: string; label: string }> = {
  pending: { color: 'yellow', label: 'Awaiting acceptance' },
  accepted: { color: 'teal', label: 'Accepted' },
  declined: { color: 'red', label: 'Declined' },
  cancelled: { color: 'gray', label: 'Cancelled' },
};

export function AcceptanceStatusBadge({ status }: { status: AcceptanceStatus | null | undefined }) {
  if (!status) {
    return (
      <Text span size="xs" c="dimmed">
        Not required
      </Text>
    );
  }
  const s = ACCEPTANCE[status] ?? { color: 'gray', label: status };
  return (
    <Badge size="sm" variant="light" color={s.color} tt="none">
      {s.label}
    </Badge>
  );
}

/** Tag (link to the asset page) and name of an asset. */
export function AssetCell({ asset, link = true }: { asset: AssetRef; link?: boolean }) {
  return (
    <Stack gap={0}>
      {link ? (
        <Anchor component={Link} to={`/assets/${asset.id}`} size="sm" fw={500} ff="monospace">
          {asset.assetTag}
        </Anchor>
      ) : (
        <Text size="sm" fw={500} ff="monospace">
          {asset.assetTag}
        </Text>
      )}
      {asset.name ? (
        <Text size="xs" c="dimmed">
          {asset.name}
        </Text>
      ) : null}
    </Stack>
  );
}

/** Whole days from today (UTC) to a YYYY-MM-DD date; negative when past. */
export function daysUntil(date: string, today = new Date()): number {
  const d = Date.parse(`${date}T00:00:00Z`);
  const t = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Math.round((d - t) / 86_400_000);
}

export function DueLabel({ date, overdue }: { date: string | null; overdue?: boolean }) {
  if (!date) {
    return (
      <Text span size="sm" c="dimmed">
        —
      </Text>
    );
  }
  const n = daysUntil(date);
  const rel = n === 0 ? 'today' : n === 1 ? 'tomorrow' : n > 1 ? `in ${n} days` : n === -1 ? '1 day overdue' : `${-n} days overdue`;
  return (
    <Stack gap={0}>
      <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
        {date}
      </Text>
      <Text size="xs" c={overdue || n < 0 ? 'red' : n <= 2 ? 'orange' : 'dimmed'} fw={overdue || n < 0 ? 600 : undefined}>
        {rel}
      </Text>
    </Stack>
  );
}
