import { useState, type ReactNode } from 'react';
import { ActionIcon, Button, Group, Modal, Stack, Text, Tooltip, type ButtonProps } from '@mantine/core';
import { notifyError } from './notify';

export interface ConfirmDialogProps {
  opened: boolean;
  onClose: () => void;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  /** Runs on confirm; the dialog closes when it resolves and shows the error when it rejects. */
  onConfirm: () => Promise<unknown>;
  color?: string;
}

/** A small modal asking to confirm a destructive or irreversible action. */
export function ConfirmDialog({ opened, onClose, title, message, confirmLabel, onConfirm, color = 'red' }: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      notifyError(err, `${confirmLabel} failed`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title={title} size="sm" centered>
      <Stack gap="md">
        {typeof message === 'string' ? <Text size="sm">{message}</Text> : message}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button color={color} loading={busy} onClick={() => void confirm()} data-autofocus>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export interface ConfirmButtonProps extends Omit<ConfirmDialogProps, 'opened' | 'onClose' | 'title'> {
  /** Button text; with `icon`, the accessible label and tooltip of an icon-only button. */
  label: string;
  icon?: ReactNode;
  title?: string;
  disabled?: boolean;
  buttonProps?: ButtonProps;
}

/** A button that asks for confirmation before running `onConfirm`. */
export function ConfirmButton({ label, icon, title, disabled, buttonProps, color = 'red', ...dialog }: ConfirmButtonProps) {
  const [opened, setOpened] = useState(false);
  return (
    <>
      {icon ? (
        <Tooltip label={label} withArrow>
          <ActionIcon variant="subtle" color={color} aria-label={label} onClick={() => setOpened(true)} disabled={disabled}>
            {icon}
          </ActionIcon>
        </Tooltip>
      ) : (
        <Button variant="light" color={color} size="xs" onClick={() => setOpened(true)} disabled={disabled} {...buttonProps}>
          {label}
        </Button>
      )}
      <ConfirmDialog opened={opened} onClose={() => setOpened(false)} title={title ?? label} color={color} {...dialog} />
    </>
  );
}
