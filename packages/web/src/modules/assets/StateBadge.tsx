import { Badge } from '@mantine/core';
import { humanize } from '../../ui/format';
import { LIFECYCLE_STATES, type LifecycleState } from './contract';

const COLORS: Record<LifecycleState, string> = {
  ordered: 'gray',
  in_stock: 'teal',
  deployed: 'blue',
  in_repair: 'orange',
  missing: 'yellow',
  stolen: 'red',
  retired: 'dark',
  pending_disposition: 'grape',
  disposed: 'dark',
};

export const STATE_LABELS: Record<LifecycleState, string> = {
  ordered: 'Ordered',
  in_stock: 'In stock',
  deployed: 'Deployed',
  in_repair: 'In repair',
  missing: 'Missing',
  stolen: 'Stolen',
  retired: 'Retired',
  pending_disposition: 'Pending disposition',
  disposed: 'Disposed',
};

export const STATE_OPTIONS = LIFECYCLE_STATES.map((s) => ({ value: s, label: STATE_LABELS[s] }));

export function stateLabel(state: string): string {
  return STATE_LABELS[state as LifecycleState] ?? humanize(state);
}

/** A lifecycle state, colour-coded. */
export function StateBadge({ state, size = 'sm' }: { state: string; size?: 'xs' | 'sm' | 'md' | 'lg' }) {
  return (
    <Badge size={size} variant={state === 'disposed' ? 'filled' : 'light'} color={COLORS[state as LifecycleState] ?? 'gray'} radius="sm" tt="none" fw={600} miw="max-content">
      {stateLabel(state)}
    </Badge>
  );
}
