import { useState, type FormEvent } from 'react';
import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { useSessionQuery } from '../app/session';
import { useLogin, useLoginTotp, useSetupStatus } from '../modules/auth/hooks';
import { AuthCard } from '../ui/AuthCard';
import { FormError } from '../ui/FormError';
import { LoadingBlock } from '../ui/QueryState';

function redirectTarget(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') ? from : '/';
}

/** Sign-in with email and password, then the authenticator code when the account has two-factor on. */
export function LoginPage() {
  const session = useSessionQuery();
  const location = useLocation();
  const navigate = useNavigate();
  const target = redirectTarget(location.state);
  const [step, setStep] = useState<'password' | 'code'>('password');

  if (session.isPending) return <LoadingBlock />;
  if (session.data) return <Navigate to={target} replace />;

  const done = () => void navigate(target, { replace: true });

  return step === 'password' ? (
    <PasswordStep onMfa={() => setStep('code')} onDone={done} />
  ) : (
    <CodeStep onBack={() => setStep('password')} onDone={done} />
  );
}

function PasswordStep({ onMfa, onDone }: { onMfa: () => void; onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useLogin();
  const setup = useSetupStatus();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ email: email.trim(), password }, { onSuccess: (res) => (res.mfaRequired ? onMfa() : onDone()) });
  };

  return (
    <AuthCard title="Sign in" subtitle="Use the email and password of your Custodian account.">
      {setup.data?.needsSetup ? (
        <Alert color="blue" variant="light" icon={<IconInfoCircle size={18} aria-hidden />} title="This server is not set up yet">
          Open the one-time setup link printed in the server console to create the first owner account.
        </Alert>
      ) : null}
      <form onSubmit={submit} noValidate aria-label="Sign in">
        <Stack gap="sm">
          <FormError error={login.error} />
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Button type="submit" loading={login.isPending} disabled={!email.trim() || !password} fullWidth mt="xs">
            Sign in
          </Button>
        </Stack>
      </form>
      <Text size="xs" c="dimmed">
        Forgot your password? Ask an administrator of your organization to reset it.
      </Text>
    </AuthCard>
  );
}

function CodeStep({ onBack, onDone }: { onBack: () => void; onDone: () => void }) {
  const [code, setCode] = useState('');
  const verify = useLoginTotp();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    verify.mutate(code.replace(/\s+/g, ''), { onSuccess: onDone });
  };

  return (
    <AuthCard title="Two-factor authentication" subtitle="Enter the 6-digit code from your authenticator app.">
      <form onSubmit={submit} noValidate aria-label="Authentication code">
        <Stack gap="sm">
          <FormError error={verify.error} />
          <TextInput
            label="Authentication code"
            inputMode="numeric"
            autoComplete="one-time-code"
            placeholder="123 456"
            maxLength={7}
            required
            value={code}
            onChange={(e) => setCode(e.currentTarget.value.replace(/[^\d ]/g, ''))}
            autoFocus
            styles={{ input: { letterSpacing: '0.2em', fontVariantNumeric: 'tabular-nums' } }}
          />
          <Button type="submit" loading={verify.isPending} disabled={code.replace(/\s+/g, '').length !== 6} fullWidth mt="xs">
            Verify
          </Button>
          <Anchor component="button" type="button" size="sm" onClick={onBack}>
            Use a different account
          </Anchor>
        </Stack>
      </form>
    </AuthCard>
  );
}
