import { useState, type FormEvent } from 'react';
import { Badge, Button, Group, Modal, ScrollArea, Stack, Text, Textarea, TextInput, Paper } from '@mantine/core';
import { useSession } from '../../app/session';
import { notifySuccess } from '../../ui/notify';
import { useFormErrors } from '../../ui/useFormErrors';
import { useAcceptItem, useDeclineItem } from '../custody/hooks';
import type { Acceptance } from '../custody/types';
import { formatDateTime } from '../../ui/format';

const ACCEPT_FIELDS = ['signature', 'note'] as const;
const DECLINE_FIELDS = ['note'] as const;

const normalize = (s: string) => s.trim().replace(/\s+/g, ' ').toLocaleLowerCase();

function ItemLine({ acceptance: a }: { acceptance: Acceptance }) {
  return (
    <Group gap="xs">
      <Text size="sm" fw={600} ff="monospace">
        {a.asset.assetTag}
      </Text>
      {a.asset.name ? <Text size="sm">{a.asset.name}</Text> : null}
      <Text size="xs" c="dimmed">
        checked out to you {formatDateTime(a.createdAt)}
      </Text>
    </Group>
  );
}

/** Shows the terms (with their version) and takes a typed signature: the person's full name. */
export function AcceptDialog({ acceptance: a, onClose }: { acceptance: Acceptance; onClose: () => void }) {
  const session = useSession();
  const fullName = session.user.displayName;
  const accept = useAcceptItem();
  const form = useFormErrors(ACCEPT_FIELDS);
  const [signature, setSignature] = useState('');
  const [note, setNote] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (normalize(signature) !== normalize(fullName)) {
      form.setErrors({ signature: `Type your full name exactly as “${fullName}”` });
      return;
    }
    accept.mutate(
      { id: a.id, signature: signature.trim(), note: note.trim() || null },
      {
        onSuccess: () => {
          notifySuccess(`You accepted ${a.asset.assetTag}.`);
          onClose();
        },
        onError: (err) => form.handle(err, 'Could not accept the item'),
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={`Accept ${a.asset.assetTag}`} size="lg" centered>
      <form onSubmit={submit} noValidate aria-label={`Accept ${a.asset.assetTag}`}>
        <Stack gap="sm">
          <ItemLine acceptance={a} />
          <Stack gap={4}>
            <Group gap="xs">
              <Text size="sm" fw={600} id={`terms-${a.id}`}>
                Terms of use
              </Text>
              {a.termsVersion ? (
                <Badge size="sm" variant="light" color="gray" tt="none">
                  Version {a.termsVersion}
                </Badge>
              ) : null}
            </Group>
            <Paper withBorder p="sm" bg="gray.0">
              <ScrollArea.Autosize mah={260} type="auto">
                <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} aria-labelledby={`terms-${a.id}`} data-testid="acceptance-terms">
                  {a.termsText?.trim() ? a.termsText : 'No terms text was set for this category. By accepting you confirm you received the item.'}
                </Text>
              </ScrollArea.Autosize>
            </Paper>
          </Stack>
          <TextInput
            label="Typed signature"
            description={`Type your full name (${fullName}) to confirm you received the item and accept the terms.`}
            required
            autoComplete="off"
            maxLength={200}
            value={signature}
            onChange={(e) => {
              setSignature(e.currentTarget.value);
              form.clearField('signature');
            }}
            error={form.errors.signature}
            data-autofocus
          />
          <Textarea
            label="Note (optional)"
            autosize
            minRows={1}
            maxRows={4}
            maxLength={2000}
            value={note}
            onChange={(e) => {
              setNote(e.currentTarget.value);
              form.clearField('note');
            }}
            error={form.errors.note}
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="teal" loading={accept.isPending} disabled={!signature.trim()}>
              Accept
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Declines a check-out, with an optional note for the asset team. */
export function DeclineDialog({ acceptance: a, onClose }: { acceptance: Acceptance; onClose: () => void }) {
  const decline = useDeclineItem();
  const form = useFormErrors(DECLINE_FIELDS);
  const [note, setNote] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    decline.mutate(
      { id: a.id, note: note.trim() || null },
      {
        onSuccess: () => {
          notifySuccess(`You declined ${a.asset.assetTag}. The asset team is informed through the event log.`);
          onClose();
        },
        onError: (err) => form.handle(err, 'Could not decline the item'),
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={`Decline ${a.asset.assetTag}`} size="md" centered>
      <form onSubmit={submit} noValidate aria-label={`Decline ${a.asset.assetTag}`}>
        <Stack gap="sm">
          <ItemLine acceptance={a} />
          <Text size="sm">Decline if you did not receive this item or do not agree to the terms. The asset team will follow up.</Text>
          <Textarea
            label="Reason (optional)"
            placeholder="e.g. I never received it"
            autosize
            minRows={2}
            maxRows={5}
            maxLength={2000}
            value={note}
            onChange={(e) => {
              setNote(e.currentTarget.value);
              form.clearField('note');
            }}
            error={form.errors.note}
            data-autofocus
          />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={decline.isPending}>
              Decline
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
