import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { reloadSession, resetNonSessionQueries } from '../../app/session';

/** Whether the server still waits for its first owner (then the sign-in page points to the setup link). */
export function useSetupStatus() {
  return useQuery({ queryKey: ['setup-status'], queryFn: async () => unwrap(await api.GET('/api/v1/setup')), staleTime: 60_000 });
}

/** After any successful sign-in: forget the previous user's data and load the new session. */
function useAfterSignIn() {
  const queryClient = useQueryClient();
  return async () => {
    await reloadSession(queryClient);
    await resetNonSessionQueries(queryClient);
  };
}

export function useLogin() {
  const afterSignIn = useAfterSignIn();
  return useMutation({
    mutationFn: async (body: { email: string; password: string }) => unwrap(await api.POST('/api/v1/auth/login', { body })),
    onSuccess: async (res) => {
      if (!res.mfaRequired) await afterSignIn();
    },
  });
}

export function useLoginTotp() {
  const afterSignIn = useAfterSignIn();
  return useMutation({
    mutationFn: async (code: string) => unwrap(await api.POST('/api/v1/auth/login/totp', { body: { code } })),
    onSuccess: afterSignIn,
  });
}

export function useCompleteSetup() {
  const afterSignIn = useAfterSignIn();
  return useMutation({
    mutationFn: async (body: { token: string; email: string; displayName: string; password: string; organizationName: string }) =>
      unwrap(await api.POST('/api/v1/setup', { body })),
    onSuccess: afterSignIn,
  });
}
