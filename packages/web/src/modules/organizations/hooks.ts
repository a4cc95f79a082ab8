import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api';
import { reloadSession, resetNonSessionQueries } from '../../app/session';

export const organizationQueryKey = ['organization'] as const;

/**
 * Switches the session's organization, then reloads the session and resets every other cached
 * query (cleared and refetched, so no data of the previous organization stays on screen).
 */
export function useSwitchOrganization() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: async (organizationId: string) => unwrap(await api.POST('/api/v1/auth/organization', { body: { organizationId } })),
    onSuccess: async () => {
      await reloadSession(queryClient);
      await resetNonSessionQueries(queryClient);
      void navigate('/');
    },
  });
}

export function useCreateOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (name: string) => unwrap(await api.POST('/api/v1/organizations', { body: { name } })),
    onSuccess: async () => {
      // The session lists the organizations for the switcher.
      await reloadSession(queryClient);
    },
  });
}

export function useOrganization() {
  return useQuery({ queryKey: organizationQueryKey, queryFn: async () => unwrap(await api.GET('/api/v1/organization')) });
}

export function useRenameOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (name: string) => unwrap(await api.PATCH('/api/v1/organization', { body: { name } })),
    onSuccess: async (org) => {
      queryClient.setQueryData(organizationQueryKey, org);
      await reloadSession(queryClient);
    },
  });
}

/** Sets the organization's default asset tag pattern (categories may override it). */
export function useUpdateTagPattern() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (assetTagPattern: string) => unwrap(await api.PATCH('/api/v1/organization', { body: { assetTagPattern } })),
    onSuccess: (org) => {
      queryClient.setQueryData(organizationQueryKey, org);
    },
  });
}
