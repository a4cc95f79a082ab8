import { useMemo, useState, type FormEvent } from 'react';
import { Button, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifySuccess } from '../../ui/notify';
import { useFormErrors } from '../../ui/useFormErrors';
import { useSaveLocation } from './hooks';
import { subtreeIds } from './tree';
import type { Save } from '../catalog/types';
import { locationPathLabel, type Location, type LocationCreate, type LocationInput } from './types';

const FIELDS = ['name', 'parentId', 'address', 'latitude', 'longitude'] as const;

export type LocationDialog =
  | { mode: 'create'; parent: Location | null }
  | { mode: 'edit'; location: Location }
  | { mode: 'move'; location: Location };

const num = (v: number | string): number | null => (v === '' ? null : Number(v));

/**
 * Create a location (optionally under a parent), edit one, or move one. The parent select leaves
 * out the location itself and its descendants; the server still refuses a cycle (422 on parentId)
 * when the tree changed meanwhile, and that message shows on the select.
 */
export function LocationModal({
  dialog,
  all,
  childrenOf,
  onClose,
  onSaved,
}: {
  dialog: LocationDialog;
  all: Location[];
  childrenOf: Map<string | null, Location[]>;
  onClose: () => void;
  /** After a successful save, with the saved location (e.g. to expand its new parent). */
  onSaved?: (l: Location) => void;
}) {
  const save = useSaveLocation();
  const form = useFormErrors(FIELDS);
  const current = dialog.mode === 'create' ? null : dialog.location;
  const [v, setV] = useState({
    name: current?.name ?? '',
    parentId: dialog.mode === 'create' ? (dialog.parent?.id ?? null) : (current?.parentId ?? null),
    address: current?.address ?? '',
    latitude: (current?.latitude ?? '') as number | string,
    longitude: (current?.longitude ?? '') as number | string,
  });

  const parentOptions = useMemo(() => {
    const excluded = current ? subtreeIds(childrenOf, current.id) : new Set<string>();
    return all
      .filter((l) => !excluded.has(l.id))
      .map((l) => ({ value: l.id, label: locationPathLabel(l) }))
      .sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
  }, [all, childrenOf, current]);

  const title =
    dialog.mode === 'create' ? (dialog.parent ? `New location in ${dialog.parent.name}` : 'New location') : dialog.mode === 'edit' ? `Edit ${dialog.location.name}` : `Move ${dialog.location.name}`;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    let vars: Save<LocationCreate, LocationInput>;
    if (current && dialog.mode === 'move') {
      if (v.parentId === current.parentId) {
        onClose();
        return;
      }
      vars = { id: current.id, body: { parentId: v.parentId } };
    } else {
      const full = { name: v.name.trim(), parentId: v.parentId, address: v.address.trim() || null, latitude: num(v.latitude), longitude: num(v.longitude) };
      if (current) {
        const body: LocationInput = {};
        if (full.name !== current.name) body.name = full.name;
        if (full.parentId !== current.parentId) body.parentId = full.parentId;
        if (full.address !== current.address) body.address = full.address;
        if (full.latitude !== current.latitude) body.latitude = full.latitude;
        if (full.longitude !== current.longitude) body.longitude = full.longitude;
        if (Object.keys(body).length === 0) {
          onClose();
          return;
        }
        vars = { id: current.id, body };
      } else {
        vars = { id: null, body: full };
      }
    }
    save.mutate(
      vars,
      {
        onSuccess: (l) => {
          onSaved?.(l);
          notifySuccess(
            dialog.mode === 'create' ? `Location “${l.name}” was created.` : dialog.mode === 'move' ? `“${l.name}” is now at ${locationPathLabel(l)}.` : `Location “${l.name}” was updated.`,
          );
          onClose();
        },
        onError: (err) => form.handle(err, dialog.mode === 'create' ? 'Could not create the location' : dialog.mode === 'move' ? 'Could not move the location' : 'Could not update the location'),
      },
    );
  };

  const parentSelect = (
    <Select
      label="Parent location"
      placeholder="None (top level)"
      data={parentOptions}
      value={v.parentId}
      onChange={(parentId) => {
        setV((p) => ({ ...p, parentId }));
        form.clearField('parentId');
      }}
      searchable
      clearable
      nothingFoundMessage="No location matches"
      description={current ? `${current.name} and its sub-locations cannot be chosen; its sub-locations move with it.` : undefined}
      error={form.errors.parentId}
      comboboxProps={{ withinPortal: true }}
      data-autofocus={dialog.mode === 'move' ? true : undefined}
    />
  );

  return (
    <Modal opened onClose={onClose} title={title} size={dialog.mode === 'move' ? 'md' : 'lg'} centered>
      <form onSubmit={submit} noValidate aria-label={title}>
        <Stack gap="sm">
          {dialog.mode === 'move' ? (
            <>
              <Text size="sm">
                Currently at <strong>{locationPathLabel(dialog.location)}</strong>.
              </Text>
              {parentSelect}
            </>
          ) : (
            <>
              <TextInput
                label="Name"
                required
                maxLength={200}
                value={v.name}
                onChange={(e) => {
                  const name = e.currentTarget.value;
                  setV((p) => ({ ...p, name }));
                  form.clearField('name');
                }}
                error={form.errors.name}
                data-autofocus
              />
              {parentSelect}
              <Textarea
                label="Address"
                autosize
                minRows={2}
                maxRows={4}
                maxLength={1000}
                value={v.address}
                onChange={(e) => {
                  const address = e.currentTarget.value;
                  setV((p) => ({ ...p, address }));
                  form.clearField('address');
                }}
                error={form.errors.address}
              />
              <SimpleGrid cols={2} spacing="sm">
                <NumberInput
                  label="Latitude"
                  min={-90}
                  max={90}
                  decimalScale={6}
                  hideControls
                  value={v.latitude}
                  onChange={(latitude) => {
                    setV((p) => ({ ...p, latitude }));
                    form.clearField('latitude');
                  }}
                  error={form.errors.latitude}
                />
                <NumberInput
                  label="Longitude"
                  min={-180}
                  max={180}
                  decimalScale={6}
                  hideControls
                  value={v.longitude}
                  onChange={(longitude) => {
                    setV((p) => ({ ...p, longitude }));
                    form.clearField('longitude');
                  }}
                  error={form.errors.longitude}
                />
              </SimpleGrid>
            </>
          )}
          <Group justify="flex-end" gap="xs" mt="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={dialog.mode !== 'move' && !v.name.trim()}>
              {dialog.mode === 'create' ? 'Create location' : dialog.mode === 'move' ? 'Move location' : 'Save changes'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
