import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, Checkbox, Group, Modal, SegmentedControl, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { ApiError } from '../../api';
import { useCan } from '../../app/session';
import { describeError, notifySuccess } from '../../ui/notify';
import type { AssetDetail, Holder } from './contract';
import { useCheckin, useCheckout } from './hooks';
import { locationOptions, useLocations } from './lookups';
import { AssetPicker, MemberPicker } from './pickers';

/** The refusal of a custody request as a sentence, naming the current holder when the server does. */
function refusal(err: unknown): { message: string; holder: Holder | null } {
  const { message } = describeError(err);
  if (err instanceof ApiError && err.status === 409) {
    const h = err.problem.holder as Partial<Holder> | undefined;
    if (h && typeof h.label === 'string' && typeof h.id === 'string' && (h.type === 'user' || h.type === 'location' || h.type === 'asset')) {
      return { message, holder: { type: h.type, id: h.id, label: h.label } };
    }
  }
  return { message, holder: null };
}

function RefusalAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const { message, holder } = refusal(error);
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} aria-hidden />} title="Refused" role="alert">
      {message}
      {holder ? (
        <Text size="sm" mt={4}>
          Current holder:{' '}
          {holder.type === 'asset' ? (
            <Anchor component={Link} to={`/assets/${holder.id}`}>
              {holder.label}
            </Anchor>
          ) : (
            <strong>{holder.label}</strong>
          )}
        </Text>
      ) : null}
    </Alert>
  );
}

const TARGETS = [
  { value: 'user', label: 'Person' },
  { value: 'location', label: 'Location' },
  { value: 'asset', label: 'Asset' },
];

/** Check an asset out to a person, a location or another asset. */
export function CheckoutModal({ asset, onClose }: { asset: AssetDetail; onClose: () => void }) {
  const can = useCan();
  const checkout = useCheckout(asset.id);
  const locations = useLocations(can('location.read'));
  const [targetType, setTargetType] = useState<Holder['type']>('user');
  const [targetId, setTargetId] = useState<string | null>(null);
  const [expectedReturnAt, setExpected] = useState('');
  const [note, setNote] = useState('');
  const fieldErrors = checkout.error instanceof ApiError ? checkout.error.fieldErrors() : {};
  const targetError = fieldErrors.targetId ?? fieldErrors.targetType;
  const otherFieldErrors = fieldErrors.expectedReturnAt ?? fieldErrors.note;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!targetId) return;
    checkout.mutate(
      { targetType, targetId, ...(expectedReturnAt ? { expectedReturnAt } : {}), ...(note.trim() ? { note: note.trim() } : {}) },
      {
        onSuccess: () => {
          notifySuccess(`${asset.assetTag} was checked out.`);
          onClose();
        },
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={`Check out ${asset.assetTag}`} centered size="md">
      <form onSubmit={submit} noValidate aria-label="Check out">
        <Stack gap="sm">
          <div>
            <Text size="sm" fw={500} mb={4} id="checkout-target-type">
              Check out to
            </Text>
            <SegmentedControl
              aria-labelledby="checkout-target-type"
              fullWidth
              size="xs"
              data={TARGETS}
              value={targetType}
              onChange={(v) => {
                setTargetType(v as Holder['type']);
                setTargetId(null);
                checkout.reset();
              }}
            />
          </div>
          {targetType === 'user' ? (
            <MemberPicker label="Person" required placeholder="Search by name or email" value={targetId} onChange={(id) => setTargetId(id)} error={targetError} data-autofocus />
          ) : targetType === 'location' ? (
            <Select
              label="Location"
              required
              placeholder="Pick a location"
              data={locationOptions(locations.data)}
              value={targetId}
              onChange={setTargetId}
              searchable
              error={targetError}
              comboboxProps={{ withinPortal: true }}
            />
          ) : (
            <AssetPicker label="Asset" required placeholder="Search by tag, serial or name" value={targetId} onChange={(id) => setTargetId(id)} exclude={asset.id} error={targetError} />
          )}
          <TextInput label="Expected return" type="date" value={expectedReturnAt} onChange={(e) => setExpected(e.currentTarget.value)} error={fieldErrors.expectedReturnAt} />
          <Textarea label="Note" autosize minRows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.currentTarget.value)} error={fieldErrors.note} />
          {targetError || otherFieldErrors ? null : <RefusalAlert error={checkout.error} />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={checkout.isPending} disabled={!targetId}>
              Check out
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Check an asset back in, to its default location or another one. */
export function CheckinModal({ asset, onClose }: { asset: AssetDetail; onClose: () => void }) {
  const can = useCan();
  const checkin = useCheckin(asset.id);
  const locations = useLocations(can('location.read'));
  const [locationId, setLocationId] = useState<string | null>(asset.defaultLocation?.id ?? null);
  const [updateDefault, setUpdateDefault] = useState(false);
  const [note, setNote] = useState('');
  const fieldErrors = checkin.error instanceof ApiError ? checkin.error.fieldErrors() : {};
  const pending = asset.currentAssignment?.acceptance?.status === 'pending';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    checkin.mutate(
      {
        ...(locationId ? { locationId } : {}),
        ...(locationId && locationId !== asset.defaultLocation?.id && updateDefault ? { updateDefaultLocation: true } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
      },
      {
        onSuccess: () => {
          notifySuccess(`${asset.assetTag} was checked in.`);
          onClose();
        },
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={`Check in ${asset.assetTag}`} centered size="md">
      <form onSubmit={submit} noValidate aria-label="Check in">
        <Stack gap="sm">
          {asset.currentAssignment ? (
            <Text size="sm">
              Held by <strong>{asset.currentAssignment.target.label}</strong>.{pending ? ' Their pending acceptance will be cancelled.' : ''}
            </Text>
          ) : null}
          <Select
            label="Return to location"
            placeholder={asset.defaultLocation ? undefined : 'Keep the current location'}
            description={asset.defaultLocation ? `Default location: ${asset.defaultLocation.name}` : 'The asset has no default location'}
            data={locationOptions(locations.data)}
            value={locationId}
            onChange={setLocationId}
            searchable
            clearable
            error={fieldErrors.locationId}
            comboboxProps={{ withinPortal: true }}
            data-autofocus
          />
          {locationId && locationId !== asset.defaultLocation?.id ? (
            <Checkbox label="Make this the asset's default location" checked={updateDefault} onChange={(e) => setUpdateDefault(e.currentTarget.checked)} />
          ) : null}
          <Textarea label="Note" placeholder="Condition on return, missing accessories…" autosize minRows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.currentTarget.value)} error={fieldErrors.note} />
          {fieldErrors.locationId || fieldErrors.note ? null : <RefusalAlert error={checkin.error} />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={checkin.isPending}>
              Check in
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
