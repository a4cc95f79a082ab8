import { useState, type FormEvent } from 'react';
import { Alert, Button, Code, Group, Image, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { IconDeviceMobile, IconShieldCheck } from '@tabler/icons-react';
import { useSession } from '../../app/session';
import { notifySuccess } from '../../ui/notify';
import { FieldMessage } from '../../ui/FieldMessage';
import { useFormErrors } from '../../ui/useFormErrors';
import { useBeginTotp, useDisableTotp, useEnableTotp } from './hooks';

const CODE_FIELDS = ['code'] as const;
const PASSWORD_FIELDS = ['password'] as const;

/** Enrol an authenticator app (QR code + secret, confirm with a code) or turn two-factor off. */
export function TwoFactorSection() {
  const { user } = useSession();
  return user.totpEnabled ? <DisableTotp /> : <EnrolTotp />;
}

function EnrolTotp() {
  const begin = useBeginTotp();
  const enable = useEnableTotp();
  const form = useFormErrors(CODE_FIELDS);
  const [code, setCode] = useState('');

  if (!begin.data) {
    return (
      <Group justify="space-between" align="center" wrap="wrap" gap="sm">
        <Text size="sm" c="dimmed" maw={560}>
          Two-factor sign-in is off. Turn it on to require a code from an authenticator app (such as Aegis, Google Authenticator or 1Password) when
          you sign in.
        </Text>
        <Button
          leftSection={<IconDeviceMobile size={16} aria-hidden />}
          loading={begin.isPending}
          onClick={() => begin.mutate(undefined, { onError: (err) => form.handle(err, 'Could not start two-factor setup') })}
        >
          Set up two-factor
        </Button>
      </Group>
    );
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    enable.mutate(code.replace(/\s+/g, ''), {
      onSuccess: () => {
        begin.reset();
        notifySuccess('Two-factor sign-in is on. You will be asked for a code when you sign in.');
      },
      onError: (err) => form.handle(err, 'Could not turn on two-factor sign-in'),
    });
  };

  return (
    <Group align="flex-start" gap="xl" wrap="wrap">
      <Image src={begin.data.qrDataUrl} alt="QR code for your authenticator app" w={180} h={180} fit="contain" radius="sm" bd="1px solid var(--mantine-color-gray-3)" />
      <Stack gap="sm" style={{ flex: 1, minWidth: 260 }}>
        <Text size="sm">1. Scan the QR code with your authenticator app, or enter this secret by hand:</Text>
        <Code block fz="sm" style={{ wordBreak: 'break-all' }} aria-label="Authenticator secret">
          {begin.data.secret}
        </Code>
        <Text size="sm">2. Enter the 6-digit code the app shows to confirm.</Text>
        <form onSubmit={submit} noValidate aria-label="Confirm two-factor">
          <Group align="flex-end" gap="xs">
            <TextInput
              label="Authentication code"
              inputMode="numeric"
              autoComplete="one-time-code"
              placeholder="123 456"
              maxLength={7}
              value={code}
              onChange={(e) => {
                setCode(e.currentTarget.value.replace(/[^\d ]/g, ''));
                form.clearField('code');
              }}
              error={!!form.errors.code}
              aria-describedby={form.errors.code ? 'totp-code-error' : undefined}
              w={180}
            />
            <Button type="submit" loading={enable.isPending} disabled={code.replace(/\s+/g, '').length !== 6}>
              Turn on
            </Button>
            <Button variant="default" onClick={() => begin.reset()} disabled={enable.isPending}>
              Cancel
            </Button>
          </Group>
          <FieldMessage id="totp-code-error" message={form.errors.code} />
        </form>
      </Stack>
    </Group>
  );
}

function DisableTotp() {
  const disable = useDisableTotp();
  const form = useFormErrors(PASSWORD_FIELDS);
  const [password, setPassword] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    disable.mutate(password, {
      onSuccess: () => {
        setPassword('');
        notifySuccess('Two-factor sign-in is off.');
      },
      onError: (err) => form.handle(err, 'Could not turn off two-factor sign-in'),
    });
  };

  return (
    <Stack gap="sm">
      <Alert color="teal" variant="light" icon={<IconShieldCheck size={18} aria-hidden />}>
        Two-factor sign-in is on. Signing in requires a code from your authenticator app.
      </Alert>
      <form onSubmit={submit} noValidate aria-label="Turn off two-factor">
        <Group align="flex-end" gap="xs">
          <PasswordInput
            label="Your password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => {
              setPassword(e.currentTarget.value);
              form.clearField('password');
            }}
            error={!!form.errors.password}
            aria-describedby={form.errors.password ? 'totp-password-error' : undefined}
            w={260}
          />
          <Button type="submit" color="red" variant="light" loading={disable.isPending} disabled={!password}>
            Turn off two-factor
          </Button>
        </Group>
        <FieldMessage id="totp-password-error" message={form.errors.password ?? 'Your password is needed to turn two-factor sign-in off.'} error={!!form.errors.password} />
      </form>
    </Stack>
  );
}
