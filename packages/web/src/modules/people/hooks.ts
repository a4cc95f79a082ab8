import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import type { MemberProfileInput } from './types';

export const peopleKeys = {
  member: (userId: string) => ['members', 'one', userId] as const,
  profile: (userId: string) => ['members', 'profile', userId] as const,
  holdings: (userId: string) => ['custody', 'holdings', userId] as const,
  timeline: (userId: string) => ['members', 'timeline', userId] as const,
};

export function useMember(userId: string) {
  return useQuery({
    queryKey: peopleKeys.member(userId),
    queryFn: async () => unwrap(await api.GET('/api/v1/members/{userId}', { params: { path: { userId } } })),
  });
}

export function useMemberProfile(userId: string) {
  return useQuery({
    queryKey: peopleKeys.profile(userId),
    queryFn: async () => unwrap(await api.GET('/api/v1/members/{userId}/profile', { params: { path: { userId } } })),
  });
}

export function useUpdateProfile(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: MemberProfileInput) =>
      unwrap(await api.PATCH('/api/v1/members/{userId}/profile', { params: { path: { userId } }, body })),
    onSuccess: (profile) => {
      queryClient.setQueryData(peopleKeys.profile(userId), profile);
      // A new location moves the assets the person holds; the timeline has a new event.
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: peopleKeys.timeline(userId) }),
        queryClient.invalidateQueries({ queryKey: ['custody'] }),
        queryClient.invalidateQueries({ queryKey: ['locations'] }),
      ]);
    },
  });
}

export function useHoldings(userId: string, enabled: boolean) {
  return useQuery({
    queryKey: peopleKeys.holdings(userId),
    queryFn: async () => unwrap(await api.GET('/api/v1/members/{userId}/holdings', { params: { path: { userId } } })),
    enabled,
  });
}

export function useOffboard(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (note: string | null) =>
      unwrap(await api.POST('/api/v1/members/{userId}/offboard', { params: { path: { userId } }, body: { note } })),
    onSuccess: () =>
      Promise.all(
        [['custody'], ['assets'], ['locations'], ['dashboard'], peopleKeys.timeline(userId)].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      ),
  });
}

const TIMELINE_PAGE = 25;

/** Events on this person in the organization, newest first, keyset "Load more". */
export function useMemberTimeline(userId: string, enabled: boolean) {
  return useInfiniteQuery({
    queryKey: peopleKeys.timeline(userId),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/api/v1/members/{userId}/timeline', {
          params: { path: { userId }, query: { limit: TIMELINE_PAGE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? null,
    enabled,
  });
}
