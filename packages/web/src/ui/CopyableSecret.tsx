import { ActionIcon, Alert, Code, CopyButton, Group, Stack, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';

interface CopyableSecretProps {
  /** What the secret is, e.g. "API token secret" — used for the accessible label. */
  label: string;
  value: string;
  /** Warning shown above the value; defaults to the shown-once notice. */
  warning?: string;
}

/** A secret that is shown exactly once, with a copy button and a prominent warning. */
export function CopyableSecret({ label, value, warning }: CopyableSecretProps) {
  return (
    <Stack gap="xs">
      <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} aria-hidden />} title="Copy it now">
        {warning ?? 'This is the only time it is shown. Store it somewhere safe; it cannot be displayed again.'}
      </Alert>
      <Text size="sm" fw={500} id={`secret-${label.replace(/\W+/g, '-')}`}>
        {label}
      </Text>
      <Group gap="xs" wrap="nowrap" align="center">
        <Code
          block
          style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap', fontSize: 'var(--mantine-font-size-sm)' }}
          aria-labelledby={`secret-${label.replace(/\W+/g, '-')}`}
          data-testid="secret-value"
        >
          {value}
        </Code>
        <CopyButton value={value} timeout={2000}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
              <ActionIcon variant={copied ? 'filled' : 'default'} color={copied ? 'teal' : undefined} size="lg" onClick={copy} aria-label={`Copy ${label}`}>
                {copied ? <IconCheck size={18} aria-hidden /> : <IconCopy size={18} aria-hidden />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
    </Stack>
  );
}
