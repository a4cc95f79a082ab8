import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { api, unwrap, type EventQuery } from '../../api';

export type EventFilters = Pick<EventQuery, 'action' | 'entityType' | 'entityId' | 'from' | 'to'>;

const PAGE_SIZE = 50;

/** Drops empty filters so the query string (and the cache key) stays minimal. */
function clean(filters: EventFilters): EventFilters {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => typeof v === 'string' && v.trim() !== '').map(([k, v]) => [k, (v as string).trim()]));
}

export function useEventLog(filters: EventFilters) {
  const query = clean(filters);
  return useInfiniteQuery({
    queryKey: ['events', 'log', query],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/api/v1/events', { params: { query: { ...query, limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? null,
  });
}

export function useRecentEvents(limit: number, enabled: boolean) {
  return useQuery({
    queryKey: ['events', 'recent', limit],
    queryFn: async () => unwrap(await api.GET('/api/v1/events', { params: { query: { limit } } })),
    enabled,
  });
}

export function useVerifyChain() {
  return useMutation({ mutationFn: async () => unwrap(await api.GET('/api/v1/events/verify')) });
}
