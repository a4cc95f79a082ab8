import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap } from '../../api';
import type { BulkEditBody, CheckinBody, CheckoutBody, CreateAssetBody, CreateMediumBody, SavedViewDefinition, UpdateAssetBody, UpdateMediumBody } from './contract';
import { toApiQuery, type AssetFilters } from './listQuery';

export const assetsKey = ['assets'] as const;
const PAGE_SIZE = 100;

/** Keyset-paginated asset list; the grid fetches the next page as the user scrolls. */
export function useAssetList(filters: AssetFilters, sort: string | null) {
  const query = toApiQuery(filters, sort);
  return useInfiniteQuery({
    queryKey: [...assetsKey, 'list', query],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam, signal }) =>
      unwrap(await api.GET('/api/v1/assets', { params: { query: { ...query, limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } }, signal })),
    getNextPageParam: (last) => last.nextCursor ?? null,
    placeholderData: keepPreviousData,
  });
}

export function useAsset(id: string, includeDeleted = false) {
  return useQuery({
    queryKey: [...assetsKey, 'detail', id, includeDeleted],
    queryFn: async () => unwrap(await api.GET('/api/v1/assets/{id}', { params: { path: { id }, query: includeDeleted ? { includeDeleted: true } : {} } })),
  });
}

export function useTransitions(id: string, enabled = true) {
  return useQuery({
    queryKey: [...assetsKey, 'transitions', id],
    queryFn: async () => unwrap(await api.GET('/api/v1/assets/{id}/transitions', { params: { path: { id } } })),
    enabled,
  });
}

/** A 409 means the asset changed under us (another user, another tab): show its current state. */
function refreshOnConflict(invalidate: () => Promise<unknown>) {
  return (err: unknown) => {
    if (err instanceof ApiError && err.status === 409) void invalidate();
  };
}

/** Everything shown about one asset (detail, transitions, custody, timeline, lists). */
export function useInvalidateAsset() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: assetsKey }),
      queryClient.invalidateQueries({ queryKey: ['custody'] }),
      queryClient.invalidateQueries({ queryKey: ['dashboard'] }),
    ]);
}

export function useTransitionAsset(id: string) {
  const invalidate = useInvalidateAsset();
  return useMutation({
    mutationFn: async (body: { to: string; reason?: string | null }) => unwrap(await api.POST('/api/v1/assets/{id}/transition', { params: { path: { id } }, body })),
    onSuccess: invalidate,
    onError: refreshOnConflict(invalidate),
  });
}

export type SaveAssetInput = { id: null; body: CreateAssetBody } | { id: string; body: UpdateAssetBody };

export function useSaveAsset() {
  const invalidate = useInvalidateAsset();
  return useMutation({
    mutationFn: async (input: SaveAssetInput) =>
      input.id === null
        ? unwrap(await api.POST('/api/v1/assets', { body: input.body }))
        : unwrap(await api.PATCH('/api/v1/assets/{id}', { params: { path: { id: input.id } }, body: input.body })),
    onSuccess: invalidate,
  });
}

export function useDeleteAsset() {
  const invalidate = useInvalidateAsset();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/assets/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

export function useRestoreAsset() {
  const invalidate = useInvalidateAsset();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST('/api/v1/assets/{id}/restore', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

export function useChildren(id: string, includeDeleted = false) {
  return useQuery({
    queryKey: [...assetsKey, 'children', id, includeDeleted],
    queryFn: async () => unwrap(await api.GET('/api/v1/assets/{id}/children', { params: { path: { id }, query: includeDeleted ? { includeDeleted } : {} } })),
  });
}

// --- media ---------------------------------------------------------------------------------

export type SaveMediumInput = { mediumId: null; body: CreateMediumBody } | { mediumId: string; body: UpdateMediumBody };

export function useSaveMedia(assetId: string) {
  const invalidate = useInvalidateAsset();
  return useMutation({
    mutationFn: async (input: SaveMediumInput) =>
      input.mediumId === null
        ? unwrap(await api.POST('/api/v1/assets/{id}/media', { params: { path: { id: assetId } }, body: input.body }))
        : unwrap(await api.PATCH('/api/v1/assets/{id}/media/{mediumId}', { params: { path: { id: assetId, mediumId: input.mediumId } }, body: input.body })),
    onSuccess: invalidate,
  });
}

export function useRemoveMedia(assetId: string) {
  const invalidate = useInvalidateAsset();
  return useMutation({
    mutationFn: async (mediumId: string) => unwrap(await api.DELETE('/api/v1/assets/{id}/media/{mediumId}', { params: { path: { id: assetId, mediumId } } })),
    onSuccess: invalidate,
  });
}

// --- attachments ---------------------------------------------------------------------------

export function useAttachments(assetId: string) {
  return useQuery({
    queryKey: [...assetsKey, 'attachments', assetId],
    queryFn: async () => unwrap(await api.GET('/api/v1/assets/{id}/attachments', { params: { path: { id: assetId } } })),
  });
}

export function useUploadAttachment(assetId: string) {
  const invalidate = useInvalidateAsset();
  return useMutation({
    mutationFn: async ({ file, kind }: { file: File; kind: string }) => {
      const form = new FormData();
      form.append('kind', kind);
      form.append('file', file, file.name);
      // Multipart: the route declares no body schema (so `never` here); openapi-fetch sends a
      // FormData as it is, with the browser's multipart boundary.
      return unwrap(await api.POST('/api/v1/assets/{id}/attachments', { params: { path: { id: assetId } }, body: form as never }));
    },
    onSuccess: invalidate,
  });
}

export function useDeleteAttachment() {
  const invalidate = useInvalidateAsset();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/attachments/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

export const attachmentUrl = (id: string) => `/api/v1/attachments/${encodeURIComponent(id)}/content`;

// --- custody -------------------------------------------------------------------------------

export function useAssignments(assetId: string, enabled = true) {
  return useInfiniteQuery({
    queryKey: ['custody', 'assignments', assetId],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/api/v1/custody/assignments', { params: { query: { assetId, limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? null,
    enabled,
  });
}


export function useCheckout(assetId: string) {
  const invalidate = useInvalidateAsset();
  return useMutation({
    mutationFn: async (body: CheckoutBody) => unwrap(await api.POST('/api/v1/assets/{id}/checkout', { params: { path: { id: assetId } }, body })),
    onSuccess: invalidate,
    onError: refreshOnConflict(invalidate),
  });
}


export function useCheckin(assetId: string) {
  const invalidate = useInvalidateAsset();
  return useMutation({
    mutationFn: async (body: CheckinBody) => unwrap(await api.POST('/api/v1/assets/{id}/checkin', { params: { path: { id: assetId } }, body })),
    onSuccess: invalidate,
    onError: refreshOnConflict(invalidate),
  });
}

// --- timeline ------------------------------------------------------------------------------

export function useAssetTimeline(assetId: string, includeDeleted = false) {
  return useInfiniteQuery({
    queryKey: [...assetsKey, 'timeline', assetId, includeDeleted],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/api/v1/assets/{id}/timeline', { params: { path: { id: assetId }, query: { limit: 50, ...(includeDeleted ? { includeDeleted } : {}), ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? null,
  });
}

// --- saved views and bulk edit -------------------------------------------------------------

export function useSavedViews() {
  return useQuery({
    queryKey: ['views', 'assets'],
    queryFn: async () => unwrap(await api.GET('/api/v1/views', { params: { query: { entity: 'assets' } } })),
  });
}

export function useSaveView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string | null; body: { name: string; shared: boolean; definition: SavedViewDefinition } }) =>
      id
        ? unwrap(await api.PATCH('/api/v1/views/{id}', { params: { path: { id } }, body }))
        : unwrap(await api.POST('/api/v1/views', { body: { ...body, entity: 'assets' } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['views'] }),
  });
}

export function useDeleteView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/views/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['views'] }),
  });
}

export type BulkSet = BulkEditBody['set'];

export function useBulkEdit() {
  const invalidate = useInvalidateAsset();
  return useMutation({
    mutationFn: async (body: BulkEditBody) => unwrap(await api.PATCH('/api/v1/assets/bulk', { body })),
    onSuccess: invalidate,
  });
}
