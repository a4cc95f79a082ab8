import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';

export const tokensQueryKey = ['tokens'] as const;

export function useTokens() {
  return useQuery({ queryKey: tokensQueryKey, queryFn: async () => unwrap(await api.GET('/api/v1/tokens')) });
}

export function useTokenScopes(enabled: boolean) {
  return useQuery({ queryKey: ['tokens', 'scopes'], queryFn: async () => unwrap(await api.GET('/api/v1/tokens/scopes')), enabled, staleTime: 5 * 60_000 });
}

export interface NewToken {
  name: string;
  kind: 'personal' | 'service';
  scopes: string[];
  expiresInDays: number;
}

export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: NewToken) => unwrap(await api.POST('/api/v1/tokens', { body })),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: tokensQueryKey }), queryClient.invalidateQueries({ queryKey: ['dashboard'] })]),
  });
}

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: tokensQueryKey }), queryClient.invalidateQueries({ queryKey: ['dashboard'] })]),
  });
}
