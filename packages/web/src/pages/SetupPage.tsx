import { useState, type ChangeEvent, type FormEvent } from 'react';
import { Alert, Anchor, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { IconCircleCheck, IconAlertTriangle } from '@tabler/icons-react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useSessionQuery } from '../app/session';
import { ApiError } from '../api';
import { useCompleteSetup, useSetupStatus } from '../modules/auth/hooks';
import { AuthCard } from '../ui/AuthCard';
import { FormError } from '../ui/FormError';
import { ErrorBlock, LoadingBlock } from '../ui/QueryState';
import { useFormErrors } from '../ui/useFormErrors';

const FIELDS = ['email', 'displayName', 'password', 'organizationName'] as const;
const MIN_PASSWORD = 10;

/** First start: create the owner account and the first organization from the one-time link. */
export function SetupPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const status = useSetupStatus();
  const session = useSessionQuery();

  if (status.isPending) return <LoadingBlock />;
  // Just completed (or already signed in): the dashboard is the next step.
  if (status.data?.needsSetup === false && session.data) return <Navigate to="/" replace />;
  if (status.isError) {
    return (
      <AuthCard title="Set up Custodian">
        <ErrorBlock error={status.error} onRetry={() => void status.refetch()} />
      </AuthCard>
    );
  }
  if (!status.data.needsSetup) {
    return (
      <AuthCard title="Already set up">
        <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} aria-hidden />}>
          This server is already set up — <Anchor component={Link} to="/login">sign in</Anchor> with your account.
        </Alert>
      </AuthCard>
    );
  }
  if (!token) {
    return (
      <AuthCard title="Set up Custodian">
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} aria-hidden />} title="Setup link needed">
          Open the one-time link printed in the server console when Custodian started (it looks like
          <code> http://host:port/setup?token=…</code>).
        </Alert>
      </AuthCard>
    );
  }
  return <SetupForm token={token} />;
}

function SetupForm({ token }: { token: string }) {
  const navigate = useNavigate();
  const setup = useCompleteSetup();
  const form = useFormErrors(FIELDS);
  const [values, setValues] = useState({ email: '', displayName: '', password: '', organizationName: '' });
  const [formError, setFormError] = useState<unknown>(null);

  const set = (field: (typeof FIELDS)[number]) => (e: ChangeEvent<HTMLInputElement>) => {
    const v = e.currentTarget.value;
    setValues((prev) => ({ ...prev, [field]: v }));
    form.clearField(field);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    if (values.password.length < MIN_PASSWORD) {
      form.setErrors({ password: `Use at least ${MIN_PASSWORD} characters` });
      return;
    }
    setup.mutate(
      { token, email: values.email.trim(), displayName: values.displayName.trim(), password: values.password, organizationName: values.organizationName.trim() },
      {
        onSuccess: () => void navigate('/', { replace: true }),
        onError: (err) => {
          // Field problems go next to the fields; a used or expired link is shown on the form itself.
          if (err instanceof ApiError && Object.keys(err.fieldErrors()).some((k) => (FIELDS as readonly string[]).includes(k))) form.handle(err);
          else setFormError(err);
        },
      },
    );
  };

  return (
    <AuthCard title="Set up Custodian" subtitle="Create the owner account and your first organization. You can invite others afterwards.">
      <form onSubmit={submit} noValidate aria-label="Set up Custodian">
        <Stack gap="sm">
          <FormError error={formError} />
          <TextInput label="Your email" type="email" autoComplete="email" required value={values.email} onChange={set('email')} error={form.errors.email} />
          <TextInput label="Display name" autoComplete="name" required value={values.displayName} onChange={set('displayName')} error={form.errors.displayName} />
          <PasswordInput
            label="Password"
            description={`At least ${MIN_PASSWORD} characters.`}
            autoComplete="new-password"
            required
            value={values.password}
            onChange={set('password')}
            error={form.errors.password}
          />
          <TextInput
            label="Organization name"
            required
            value={values.organizationName}
            onChange={set('organizationName')}
            error={form.errors.organizationName}
          />
          <Button
            type="submit"
            loading={setup.isPending}
            disabled={!values.email.trim() || !values.displayName.trim() || !values.password || !values.organizationName.trim()}
            fullWidth
            mt="xs"
          >
            Create owner account
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
