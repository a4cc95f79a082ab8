import { Anchor, Badge, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useCan } from '../app/session';
import { When } from '../modules/discovery/bits';
import { useReviewQueue } from '../modules/discovery/hooks';
import { CandidateList, DecisionBar } from '../modules/discovery/ReviewActions';
import type { ReviewItem } from '../modules/discovery/types';
import { PageHeader } from '../ui/PageHeader';
import { ErrorBlock, LoadingBlock } from '../ui/QueryState';

/** Devices waiting for a person: ambiguous matches, or unmatched while asset creation is off. */
export function DiscoveryReviewPage() {
  const can = useCan();
  const canManage = can('discovery.manage');
  const queue = useReviewQueue();
  const items = queue.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHeader
        title="Review queue"
        description="Devices the matcher could not decide about. Merge a device into an asset, give it an asset of its own, or ignore it."
      />
      {queue.isPending ? (
        <LoadingBlock label="Loading the review queue…" />
      ) : queue.isError ? (
        <ErrorBlock error={queue.error} onRetry={() => void queue.refetch()} />
      ) : items.length === 0 ? (
        <Paper withBorder p="xl">
          <Text size="sm" c="dimmed" ta="center">
            Nothing to review: every discovered device is linked to an asset or ignored.
          </Text>
        </Paper>
      ) : (
        <Stack gap="md" role="list" aria-label="Devices to review">
          <Text size="xs" c="dimmed" aria-live="polite">
            {items.length}
            {queue.hasNextPage ? '+' : ''} device{items.length === 1 ? '' : 's'} to review
          </Text>
          {items.map((item) => (
            <ReviewCard key={item.device.id} item={item} canManage={canManage} />
          ))}
          {queue.hasNextPage ? (
            <Group justify="center">
              <Button size="xs" variant="default" loading={queue.isFetchingNextPage} onClick={() => void queue.fetchNextPage()}>
                Load more
              </Button>
            </Group>
          ) : null}
        </Stack>
      )}
    </>
  );
}

function ReviewCard({ item, canManage }: { item: ReviewItem; canManage: boolean }) {
  const d = item.device;
  const name = d.hostname ?? d.systemSerial ?? d.id.slice(0, 8);
  return (
    <Paper withBorder p="md" role="listitem" aria-label={name}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="wrap">
          <Stack gap={2}>
            <Group gap="xs">
              <Anchor component={Link} to={`/discovery/devices/${d.id}`} fw={600}>
                {name}
              </Anchor>
              {d.isVirtual ? (
                <Badge size="xs" variant="light" color="gray">
                  VM
                </Badge>
              ) : null}
            </Group>
            <Text size="xs" c="dimmed">
              {[d.manufacturer, d.model, d.systemSerial ? `S/N ${d.systemSerial}` : null, d.primaryMac, d.osName].filter(Boolean).join(' · ')}
            </Text>
          </Stack>
          <Text size="xs" c="dimmed">
            Last seen <When at={d.lastSeenAt} />
          </Text>
        </Group>
        <Text size="sm">
          <Text span fw={600} size="sm">
            Reason:
          </Text>{' '}
          {d.reviewReason ?? 'Waiting for a decision.'}
        </Text>
        {item.candidates.length ? (
          <Stack gap={4}>
            <Text size="xs" c="dimmed" fw={600} tt="uppercase">
              Candidates
            </Text>
            {canManage ? (
              <CandidateList device={d} candidates={item.candidates} />
            ) : (
              <Text size="sm">{item.candidates.map((c) => c.assetTag).join(', ')}</Text>
            )}
          </Stack>
        ) : null}
        {canManage ? <DecisionBar device={d} /> : null}
      </Stack>
    </Paper>
  );
}
