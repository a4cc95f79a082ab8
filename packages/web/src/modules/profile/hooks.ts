import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { reloadSession } from '../../app/session';

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: { currentPassword: string; newPassword: string }) => unwrap(await api.POST('/api/v1/auth/password', { body })),
    onSuccess: async () => {
      await reloadSession(queryClient);
    },
  });
}

export function useBeginTotp() {
  return useMutation({ mutationFn: async () => unwrap(await api.POST('/api/v1/auth/totp/setup')) });
}

export function useEnableTotp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (code: string) => unwrap(await api.POST('/api/v1/auth/totp/enable', { body: { code } })),
    onSuccess: async () => {
      await reloadSession(queryClient);
    },
  });
}

export function useDisableTotp() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (password: string) => unwrap(await api.POST('/api/v1/auth/totp/disable', { body: { password } })),
    onSuccess: async () => {
      await reloadSession(queryClient);
    },
  });
}
