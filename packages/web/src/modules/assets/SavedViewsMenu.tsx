import { useState, type FormEvent } from 'react';
import { Badge, Button, Checkbox, Group, Menu, Modal, Stack, Text, TextInput } from '@mantine/core';
import { IconBookmark, IconBookmarkPlus, IconCheck, IconDeviceFloppy, IconTrash, IconUsers } from '@tabler/icons-react';
import { ConfirmDialog } from '../../ui/ConfirmButton';
import { notifySuccess } from '../../ui/notify';
import { useFormErrors } from '../../ui/useFormErrors';
import type { SavedView, SavedViewDefinition } from './contract';
import { useDeleteView, useSavedViews, useSaveView } from './hooks';

const FIELDS = ['name', 'shared'] as const;

interface Props {
  activeId: string | null;
  current: SavedViewDefinition;
  onApply: (view: SavedView) => void;
  onActiveChange: (id: string | null) => void;
}

/** Saved list views: pick one (own or shared), save the current filters/sort/columns, update or delete your own. */
export function SavedViewsMenu({ activeId, current, onApply, onActiveChange }: Props) {
  const views = useSavedViews();
  const save = useSaveView();
  const del = useDeleteView();
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState<SavedView | null>(null);
  const active = views.data?.find((v) => v.id === activeId) ?? null;
  const mine = (views.data ?? []).filter((v) => v.mine);
  const shared = (views.data ?? []).filter((v) => !v.mine);

  const item = (v: SavedView) => (
    <Menu.Item
      key={v.id}
      onClick={() => onApply(v)}
      leftSection={v.id === activeId ? <IconCheck size={14} aria-hidden /> : <span style={{ width: 14 }} />}
      rightSection={v.shared ? <IconUsers size={14} aria-label="Shared" /> : null}
    >
      {v.name}
      {!v.mine ? (
        <Text span size="xs" c="dimmed">
          {' '}
          · {v.owner.displayName}
        </Text>
      ) : null}
    </Menu.Item>
  );

  return (
    <>
      <Menu position="bottom-end" shadow="md" width={260} withinPortal>
        <Menu.Target>
          <Button variant={active ? 'light' : 'default'} size="xs" leftSection={<IconBookmark size={14} aria-hidden />} aria-label={active ? `Saved views (current: ${active.name})` : 'Saved views'}>
            {active ? active.name : 'Views'}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {views.isPending ? <Menu.Label>Loading views…</Menu.Label> : null}
          {views.isError ? <Menu.Label c="red">Could not load saved views</Menu.Label> : null}
          {mine.length ? <Menu.Label>My views</Menu.Label> : null}
          {mine.map(item)}
          {shared.length ? <Menu.Label>Shared with everyone</Menu.Label> : null}
          {shared.map(item)}
          {views.data && !views.data.length ? <Menu.Label>No saved views yet</Menu.Label> : null}
          <Menu.Divider />
          <Menu.Item leftSection={<IconBookmarkPlus size={14} aria-hidden />} onClick={() => setSaving(true)}>
            Save current view…
          </Menu.Item>
          {active?.mine ? (
            <>
              <Menu.Item
                leftSection={<IconDeviceFloppy size={14} aria-hidden />}
                onClick={() =>
                  save.mutate(
                    { id: active.id, body: { name: active.name, shared: active.shared, definition: current } },
                    { onSuccess: () => notifySuccess(`View “${active.name}” was updated.`) },
                  )
                }
              >
                Update “{active.name}”
              </Menu.Item>
              <Menu.Item color="red" leftSection={<IconTrash size={14} aria-hidden />} onClick={() => setDeleting(active)}>
                Delete “{active.name}”
              </Menu.Item>
            </>
          ) : null}
          {activeId ? <Menu.Item onClick={() => onActiveChange(null)}>Stop using this view</Menu.Item> : null}
        </Menu.Dropdown>
      </Menu>
      {saving ? (
        <SaveViewModal
          definition={current}
          onClose={() => setSaving(false)}
          onSaved={(v) => {
            onActiveChange(v.id);
            setSaving(false);
          }}
        />
      ) : null}
      <ConfirmDialog
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title="Delete saved view"
        message={`Delete the view “${deleting?.name ?? ''}”?${deleting?.shared ? ' Others will no longer see it either.' : ''}`}
        confirmLabel="Delete view"
        onConfirm={async () => {
          if (!deleting) return;
          await del.mutateAsync(deleting.id);
          if (deleting.id === activeId) onActiveChange(null);
          notifySuccess(`View “${deleting.name}” was deleted.`);
        }}
      />
    </>
  );
}

function SaveViewModal({ definition, onClose, onSaved }: { definition: SavedViewDefinition; onClose: () => void; onSaved: (v: SavedView) => void }) {
  const save = useSaveView();
  const form = useFormErrors(FIELDS);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      { id: null, body: { name: name.trim(), shared, definition } },
      {
        onSuccess: (v) => {
          notifySuccess(`View “${v.name}” was saved.`);
          onSaved(v);
        },
        onError: (err) => form.handle(err, 'Could not save the view'),
      },
    );
  };
  const filterCount = Object.keys(definition.filters ?? {}).filter((k) => k !== 'sort').length;
  return (
    <Modal opened onClose={onClose} title="Save view" centered size="sm">
      <form onSubmit={submit} noValidate aria-label="Save view">
        <Stack gap="sm">
          <TextInput
            label="Name"
            required
            maxLength={100}
            value={name}
            onChange={(e) => {
              setName(e.currentTarget.value);
              form.clearField('name');
            }}
            error={form.errors.name}
            data-autofocus
          />
          <Checkbox label="Share with everyone in the organization" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} />
          <Group gap={6}>
            <Badge variant="default" size="sm" tt="none">
              {filterCount} filter{filterCount === 1 ? '' : 's'}
            </Badge>
            <Badge variant="default" size="sm" tt="none">
              sorted by {definition.sort ?? 'default order'}
            </Badge>
            <Badge variant="default" size="sm" tt="none">
              {definition.columns?.length ?? 0} columns
            </Badge>
          </Group>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!name.trim()}>
              Save view
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
