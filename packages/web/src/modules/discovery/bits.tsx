/** Small presentational pieces of the discovery screens: status badges, sizes, blocks. */
import { useState, type ReactNode } from 'react';
import { ActionIcon, Anchor, Badge, Button, Code, CopyButton, Group, Paper, Text, Title, Tooltip } from '@mantine/core';
import { ConfirmDialog, type ConfirmDialogProps } from '../../ui/ConfirmButton';
import { IconCheck, IconCopy, IconDownload } from '@tabler/icons-react';
import { formatDateTime, formatTimestamp } from '../../ui/format';
import { payloadContentUrl } from './hooks';
import { AGENT_STATUS_LABELS, MATCH_STATUS_LABELS, type AgentStatus, type MatchStatus } from './types';

const AGENT_COLORS: Record<AgentStatus, string> = { approved: 'teal', pending: 'yellow', refused: 'red' };
const MATCH_COLORS: Record<MatchStatus, string> = { pending: 'gray', matched: 'teal', created: 'blue', review: 'yellow', ignored: 'gray' };

export function AgentStatusBadge({ status }: { status: AgentStatus }) {
  return (
    <Badge size="sm" variant="light" color={AGENT_COLORS[status]} radius="sm" tt="none">
      {AGENT_STATUS_LABELS[status]}
    </Badge>
  );
}

export function MatchStatusBadge({ status, rule }: { status: MatchStatus; rule?: string | null }) {
  const badge = (
    <Badge size="sm" variant="light" color={MATCH_COLORS[status]} radius="sm" tt="none">
      {MATCH_STATUS_LABELS[status]}
    </Badge>
  );
  return rule && (status === 'matched' || status === 'review') ? (
    <Tooltip label={rule === 'manual' ? 'Linked by a person' : `By ${rule}`} withArrow>
      {badge}
    </Tooltip>
  ) : (
    badge
  );
}

export function StaleBadge({ stale }: { stale: boolean }) {
  return stale ? (
    <Badge size="sm" variant="light" color="orange" radius="sm" tt="none">
      Stale
    </Badge>
  ) : null;
}

/** A time with the full timestamp as tooltip; `—` when null. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <Text span c="dimmed">—</Text>;
  return (
    <Tooltip label={formatTimestamp(at)} withArrow openDelay={400}>
      <Text span size="sm" style={{ whiteSpace: 'nowrap' }}>
        {formatDateTime(at)}
      </Text>
    </Tooltip>
  );
}

/** Agents report disk sizes in decimal megabytes (as drives are sold). */
export function formatDiskMb(mb: number | null | undefined): string {
  if (mb === null || mb === undefined) return '—';
  if (mb >= 1_000_000) return `${Math.round(mb / 100_000) / 10} TB`;
  if (mb >= 1000) return `${Math.round(mb / 1000)} GB`;
  return `${mb} MB`;
}

/** Memory sizes are binary megabytes. */
export function formatMemoryMb(mb: number | null | undefined): string {
  if (mb === null || mb === undefined) return '—';
  if (mb >= 1024) return `${Math.round((mb / 1024) * 10) / 10} GB`;
  return `${mb} MB`;
}

export const STORAGE_TYPE_LABELS: Record<string, string> = {
  hdd: 'HDD', ssd: 'SSD', nvme: 'NVMe', removable: 'Removable', optical: 'Optical', tape: 'Tape', virtual: 'Virtual', unknown: 'Unknown',
};

/** A titled block of a details grid. */
export function Block({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Title order={3} fz="sm" fw={600} mb="xs" style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
        <span>{title}</span>
        {actions}
      </Title>
      {children}
    </Paper>
  );
}

/** Link that downloads a stored agent message as sent (needs discovery.manage). */
export function PayloadDownload({ payloadId, label = 'Download raw message' }: { payloadId: string; label?: string }) {
  return (
    <Anchor href={payloadContentUrl(payloadId)} download size="sm">
      <IconDownload size={14} aria-hidden style={{ verticalAlign: -2, marginRight: 4 }} />
      {label}
    </Anchor>
  );
}

/** A text button with its own accessible name (several rows show the same text) that asks first. */
export function ConfirmActionButton({ label, ariaLabel, icon, color = 'red', variant = 'light', disabled, ...dialog }: Omit<ConfirmDialogProps, 'opened' | 'onClose'> & { label: string; ariaLabel: string; icon?: ReactNode; variant?: 'light' | 'default'; disabled?: boolean }) {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Button size="xs" variant={variant} color={variant === 'default' ? undefined : color} leftSection={icon} aria-label={ariaLabel} onClick={() => setOpened(true)} disabled={disabled}>
        {label}
      </Button>
      <ConfirmDialog opened={opened} onClose={() => setOpened(false)} color={color} {...dialog} />
    </>
  );
}

/** A value to paste elsewhere (a URL, a command line) with a copy button. */
export function CopyableValue({ label, value, block = false }: { label: string; value: string; block?: boolean }) {
  return (
    <Group gap="xs" wrap="nowrap" align={block ? 'flex-start' : 'center'}>
      <Code block={block} aria-label={label} style={{ flex: 1, wordBreak: 'break-all', whiteSpace: block ? 'pre-wrap' : undefined, fontSize: 'var(--mantine-font-size-sm)' }}>
        {value}
      </Code>
      <CopyButton value={value} timeout={2000}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
            <ActionIcon variant={copied ? 'filled' : 'default'} color={copied ? 'teal' : undefined} onClick={copy} aria-label={`Copy ${label}`}>
              {copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
