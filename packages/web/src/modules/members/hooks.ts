import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type RoleKey } from '../../api';

export const membersQueryKey = ['members'] as const;

export function useMembers(q = '', enabled = true) {
  const query = q.trim();
  return useQuery({
    queryKey: [...membersQueryKey, query],
    queryFn: async () => unwrap(await api.GET('/api/v1/members', { params: { query: query ? { q: query } : {} } })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useRoles(enabled = true) {
  return useQuery({ queryKey: ['roles'], queryFn: async () => unwrap(await api.GET('/api/v1/roles')), staleTime: 5 * 60_000, enabled });
}

function useInvalidateMembers() {
  const queryClient = useQueryClient();
  return () => Promise.all([queryClient.invalidateQueries({ queryKey: membersQueryKey }), queryClient.invalidateQueries({ queryKey: ['dashboard'] })]);
}

export interface NewMember {
  email: string;
  displayName: string;
  role: RoleKey;
  password?: string;
}

export function useAddMember() {
  const invalidate = useInvalidateMembers();
  return useMutation({
    mutationFn: async (body: NewMember) => unwrap(await api.POST('/api/v1/members', { body })),
    onSuccess: invalidate,
  });
}

export function useChangeRole() {
  const invalidate = useInvalidateMembers();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ userId, role }: { userId: string; role: RoleKey }) =>
      unwrap(await api.PATCH('/api/v1/members/{userId}', { params: { path: { userId } }, body: { role } })),
    // Changing your own role changes your permissions.
    onSuccess: () => Promise.all([invalidate(), queryClient.invalidateQueries({ queryKey: ['session'] })]),
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: async (userId: string) => unwrap(await api.POST('/api/v1/members/{userId}/reset-password', { params: { path: { userId } } })),
  });
}

export function useDisableMemberTotp() {
  const invalidate = useInvalidateMembers();
  return useMutation({
    mutationFn: async (userId: string) => unwrap(await api.POST('/api/v1/members/{userId}/disable-2fa', { params: { path: { userId } } })),
    onSuccess: invalidate,
  });
}

export function useRemoveMember() {
  const invalidate = useInvalidateMembers();
  return useMutation({
    mutationFn: async (userId: string) => unwrap(await api.DELETE('/api/v1/members/{userId}', { params: { path: { userId } } })),
    onSuccess: invalidate,
  });
}
