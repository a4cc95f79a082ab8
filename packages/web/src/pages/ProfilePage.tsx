import { Alert, Stack } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useCan, useSession } from '../app/session';
import { AccountDetails } from '../modules/profile/AccountDetails';
import { ChangePasswordForm } from '../modules/profile/ChangePasswordForm';
import { TwoFactorSection } from '../modules/profile/TwoFactorSection';
import { TokensSection } from '../modules/tokens/TokensSection';
import { PageHeader } from '../ui/PageHeader';
import { Section } from '../ui/Section';

/** Your account: details, password, two-factor sign-in and API tokens. */
export function ProfilePage() {
  const { user } = useSession();
  const can = useCan();
  return (
    <>
      <PageHeader title="Profile" description="Your account, sign-in security and API tokens." />
      <Stack gap="md">
        {user.mustChangePassword ? (
          <Alert color="orange" variant="filled" icon={<IconAlertTriangle size={18} aria-hidden />} title="Choose a new password" role="alert">
            Your password was set by an administrator or has to be renewed. Change it below before you continue; the rest of Custodian opens
            afterwards.
          </Alert>
        ) : null}
        <Section title="Account" id="account">
          <AccountDetails />
        </Section>
        <Section title="Password" id="password" description="Changing it signs you out on other devices.">
          <ChangePasswordForm />
        </Section>
        <Section title="Two-factor sign-in" id="two-factor">
          <TwoFactorSection />
        </Section>
        {can('token.own') ? (
          <Section title="API tokens" id="tokens">
            <TokensSection />
          </Section>
        ) : null}
      </Stack>
    </>
  );
}
