import { ActionIcon, Group, Tooltip } from '@mantine/core';
import { IconPencil, IconTrash } from '@tabler/icons-react';
import { ConfirmButton } from './ConfirmButton';
import { notifySuccess } from './notify';

export interface RowActionsProps {
  /** The row's name, as in "Edit Dell" / "Delete Dell". */
  name: string;
  /** What the row is, lower case ("supplier"): the dialog's title and button, and the notice. */
  noun: string;
  /** The confirmation question, with what the server will refuse. */
  message: string;
  onEdit: () => void;
  onDelete: () => Promise<unknown>;
  /** Dialog title when it should say more than "Delete <noun>". */
  deleteTitle?: string;
}

/** Edit and delete buttons of an admin table row; deleting asks first and confirms when done. */
export function RowActions({ name, noun, message, onEdit, onDelete, deleteTitle }: RowActionsProps) {
  const Noun = `${noun[0]?.toUpperCase() ?? ''}${noun.slice(1)}`;
  return (
    <Group gap={4} wrap="nowrap">
      <Tooltip label={`Edit ${name}`} withArrow>
        <ActionIcon variant="subtle" color="gray" aria-label={`Edit ${name}`} onClick={onEdit}>
          <IconPencil size={16} aria-hidden />
        </ActionIcon>
      </Tooltip>
      <ConfirmButton
        label={`Delete ${name}`}
        title={deleteTitle ?? `Delete ${noun}`}
        icon={<IconTrash size={16} aria-hidden />}
        message={message}
        confirmLabel={`Delete ${noun}`}
        onConfirm={async () => {
          await onDelete();
          notifySuccess(`${Noun} “${name}” was deleted.`);
        }}
      />
    </Group>
  );
}
