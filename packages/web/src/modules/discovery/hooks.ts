/**
 * Discovery queries and mutations. Every change invalidates the discovery queries, and the ones
 * that touch assets (link, split, unlink, unlock) the asset and software queries too.
 */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import { assetsKey } from '../assets/hooks';
import type { AgentStatus, DeviceQuery, SettingsPatch } from './types';

export const discoveryKeys = {
  all: ['discovery'] as const,
  settings: ['discovery', 'settings'] as const,
  enrollments: ['discovery', 'enrollments'] as const,
  agents: (status: AgentStatus | null) => ['discovery', 'agents', status] as const,
  payloads: (agentId: string) => ['discovery', 'payloads', agentId] as const,
  devices: (q: DeviceQuery) => ['discovery', 'devices', q] as const,
  device: (id: string) => ['discovery', 'device', id] as const,
  review: ['discovery', 'review'] as const,
  stale: (days: number | null) => ['discovery', 'stale', days] as const,
  asset: (assetId: string) => ['discovery', 'asset', assetId] as const,
  fieldSources: (assetId: string) => ['discovery', 'field-sources', assetId] as const,
};

export function useDiscoverySettings(enabled = true) {
  return useQuery({
    queryKey: discoveryKeys.settings,
    queryFn: async () => unwrap(await api.GET('/api/v1/discovery/settings')),
    enabled,
  });
}

export function useEnrollments() {
  return useQuery({
    queryKey: discoveryKeys.enrollments,
    queryFn: async () => unwrap(await api.GET('/api/v1/discovery/enrollments')),
  });
}

export function useAgents(status: AgentStatus | null) {
  return useInfiniteQuery({
    queryKey: discoveryKeys.agents(status),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/api/v1/discovery/agents', { params: { query: { limit: 100, ...(status ? { status } : {}), ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? null,
    placeholderData: keepPreviousData,
  });
}

export function usePayloads(agentId: string) {
  return useInfiniteQuery({
    queryKey: discoveryKeys.payloads(agentId),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/api/v1/discovery/payloads', { params: { query: { agentId, limit: 20, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? null,
  });
}

export function useDevices(q: DeviceQuery) {
  return useInfiniteQuery({
    queryKey: discoveryKeys.devices(q),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/api/v1/discovery/devices', { params: { query: { limit: 50, ...q, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? null,
    placeholderData: keepPreviousData,
  });
}

export function useDevice(id: string) {
  return useQuery({
    queryKey: discoveryKeys.device(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/discovery/devices/{id}', { params: { path: { id } } })),
  });
}

export function useReviewQueue() {
  return useInfiniteQuery({
    queryKey: discoveryKeys.review,
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/api/v1/discovery/review', { params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? null,
  });
}

/** `days` null: the organization's setting. */
export function useStale(days: number | null) {
  return useQuery({
    queryKey: discoveryKeys.stale(days),
    queryFn: async () => unwrap(await api.GET('/api/v1/discovery/stale', { params: { query: { limit: 500, ...(days ? { days } : {}) } } })),
    placeholderData: keepPreviousData,
  });
}

/** What agents report about an asset (asset.read; the full record needs discovery.read). */
export function useAssetDiscovery(assetId: string) {
  return useQuery({
    queryKey: discoveryKeys.asset(assetId),
    queryFn: async () => unwrap(await api.GET('/api/v1/assets/{id}/discovery', { params: { path: { id: assetId } } })),
  });
}

export function useFieldSources(assetId: string) {
  return useQuery({
    queryKey: discoveryKeys.fieldSources(assetId),
    queryFn: async () => unwrap(await api.GET('/api/v1/assets/{id}/field-sources', { params: { path: { id: assetId } } })),
  });
}

function useInvalidate(alsoAssets: boolean) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: discoveryKeys.all }),
      queryClient.invalidateQueries({ queryKey: ['events'] }),
      ...(alsoAssets
        ? [queryClient.invalidateQueries({ queryKey: assetsKey }), queryClient.invalidateQueries({ queryKey: ['software'] }), queryClient.invalidateQueries({ queryKey: ['dashboard'] })]
        : []),
    ]);
}

export function useUpdateSettings() {
  const invalidate = useInvalidate(false);
  return useMutation({
    mutationFn: async (body: SettingsPatch) => unwrap(await api.PATCH('/api/v1/discovery/settings', { body })),
    onSuccess: invalidate,
  });
}

export function useCreateEnrollment() {
  const invalidate = useInvalidate(false);
  return useMutation({
    mutationFn: async (name: string) => unwrap(await api.POST('/api/v1/discovery/enrollments', { body: { name } })),
    onSuccess: invalidate,
  });
}

export function useRevokeEnrollment() {
  const invalidate = useInvalidate(false);
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/discovery/enrollments/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

export function useDecideAgent() {
  // Approving processes the agent's waiting inventories, which may create or update assets.
  const invalidate = useInvalidate(true);
  return useMutation({
    mutationFn: async (v: { id: string; decision: 'approve' | 'refuse' }) =>
      v.decision === 'approve'
        ? (await unwrap(await api.POST('/api/v1/discovery/agents/{id}/approve', { params: { path: { id: v.id } } }))).agent
        : unwrap(await api.POST('/api/v1/discovery/agents/{id}/refuse', { params: { path: { id: v.id } } })),
    onSuccess: invalidate,
  });
}

export type ReviewAction = { kind: 'link'; assetId: string } | { kind: 'create' } | { kind: 'ignore' } | { kind: 'unlink' };

/** Merge (link), split (create an asset), ignore, or undo a link. */
export function useReviewDevice() {
  const invalidate = useInvalidate(true);
  return useMutation({
    mutationFn: async ({ id, action }: { id: string; action: ReviewAction }) => {
      const path = { params: { path: { id } } };
      switch (action.kind) {
        case 'link':
          return unwrap(await api.POST('/api/v1/discovery/devices/{id}/link', { ...path, body: { assetId: action.assetId } }));
        case 'create':
          return unwrap(await api.POST('/api/v1/discovery/devices/{id}/create-asset', path));
        case 'ignore':
          return unwrap(await api.POST('/api/v1/discovery/devices/{id}/ignore', path));
        case 'unlink':
          return unwrap(await api.POST('/api/v1/discovery/devices/{id}/unlink', path));
      }
    },
    onSuccess: invalidate,
  });
}

export function useUnlockField(assetId: string) {
  const invalidate = useInvalidate(true);
  return useMutation({
    mutationFn: async (field: string) => unwrap(await api.DELETE('/api/v1/assets/{id}/field-sources/{field}/lock', { params: { path: { id: assetId, field } } })),
    onSuccess: invalidate,
  });
}

/** The raw message download URL (a plain link: the session cookie authenticates GETs). */
export const payloadContentUrl = (payloadId: string) => `/api/v1/discovery/payloads/${encodeURIComponent(payloadId)}/content`;
