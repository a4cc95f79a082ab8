import { useState, type FormEvent } from 'react';
import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import { ApiError } from '../../api';
import { FormError } from '../../ui/FormError';
import { notifySuccess } from '../../ui/notify';
import type { Transitions } from './contract';
import { useTransitionAsset, useTransitions } from './hooks';
import { StateBadge, stateLabel } from './StateBadge';

type Move = Transitions['transitions'][number];

/** One button per lifecycle move the server allows now; each asks for confirmation (and a reason when required). */
export function LifecycleActions({ assetId, assetTag, enabled }: { assetId: string; assetTag: string; enabled: boolean }) {
  const transitions = useTransitions(assetId, enabled);
  const [move, setMove] = useState<Move | null>(null);
  if (!enabled || !transitions.data?.transitions.length) return null;
  return (
    <>
      <Group gap={6} role="group" aria-label="Lifecycle actions">
        {transitions.data.transitions.map((t) => (
          <Button key={`${t.to}-${t.action}`} size="xs" variant="default" onClick={() => setMove(t)}>
            {t.label}
          </Button>
        ))}
      </Group>
      {move ? <TransitionDialog assetId={assetId} assetTag={assetTag} from={transitions.data.state} move={move} onClose={() => setMove(null)} /> : null}
    </>
  );
}

function TransitionDialog({ assetId, assetTag, from, move, onClose }: { assetId: string; assetTag: string; from: string; move: Move; onClose: () => void }) {
  const transition = useTransitionAsset(assetId);
  const [reason, setReason] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    transition.mutate(
      { to: move.to, reason: reason.trim() || null },
      {
        onSuccess: () => {
          notifySuccess(`${assetTag} is now ${stateLabel(move.to).toLowerCase()}.`);
          onClose();
        },
      },
    );
  };
  const fieldErrors = transition.error instanceof ApiError ? transition.error.fieldErrors() : {};
  const reasonError = fieldErrors.reason;
  return (
    <Modal opened onClose={onClose} title={move.label} centered size="md">
      <form onSubmit={submit} noValidate aria-label={move.label}>
        <Stack gap="sm">
          <Group gap="xs">
            <StateBadge state={from} />
            <IconArrowRight size={14} aria-hidden />
            <StateBadge state={move.to} />
          </Group>
          <Textarea
            label="Reason"
            required={move.requiresReason}
            description={move.requiresReason ? 'Recorded in the asset’s history.' : 'Optional; recorded in the asset’s history.'}
            autosize
            minRows={2}
            maxLength={2000}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={reasonError}
            data-autofocus
          />
          {reasonError ? null : <FormError error={transition.error} title="The move was refused" />}
          <Text size="xs" c="dimmed">
            {assetTag} moves from {stateLabel(from).toLowerCase()} to {stateLabel(move.to).toLowerCase()}.
          </Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={transition.isPending} disabled={move.requiresReason && !reason.trim()}>
              {move.label}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
