import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';

export const custodyKeys = {
  due: (days: number) => ['custody', 'due', days] as const,
  overdue: ['custody', 'overdue'] as const,
  myItems: ['custody', 'me'] as const,
};

/** Open assignments expected back within `days` (custody.read). */
export function useDueAssignments(days: number, enabled = true) {
  return useQuery({
    queryKey: custodyKeys.due(days),
    queryFn: async () => unwrap(await api.GET('/api/v1/custody/due', { params: { query: { days } } })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** Open assignments past their expected return date (custody.read). */
export function useOverdueAssignments(enabled = true) {
  return useQuery({
    queryKey: custodyKeys.overdue,
    queryFn: async () => unwrap(await api.GET('/api/v1/custody/overdue')),
    enabled,
  });
}

/** What I hold and the check-outs I still have to accept (selfservice.use). */
export function useMyItems() {
  return useQuery({
    queryKey: custodyKeys.myItems,
    queryFn: async () => unwrap(await api.GET('/api/v1/me/items')),
  });
}

function useInvalidateCustody() {
  const queryClient = useQueryClient();
  return () => Promise.all([queryClient.invalidateQueries({ queryKey: ['custody'] }), queryClient.invalidateQueries({ queryKey: ['assets'] })]);
}

export function useAcceptItem() {
  const invalidate = useInvalidateCustody();
  return useMutation({
    mutationFn: async ({ id, signature, note }: { id: string; signature: string; note: string | null }) =>
      unwrap(await api.POST('/api/v1/me/acceptances/{id}/accept', { params: { path: { id } }, body: { signature, note } })),
    onSuccess: invalidate,
  });
}

export function useDeclineItem() {
  const invalidate = useInvalidateCustody();
  return useMutation({
    mutationFn: async ({ id, note }: { id: string; note: string | null }) =>
      unwrap(await api.POST('/api/v1/me/acceptances/{id}/decline', { params: { path: { id } }, body: { note } })),
    onSuccess: invalidate,
  });
}
