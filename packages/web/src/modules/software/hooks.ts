/** Software catalogue queries and mutations. A rule change invalidates every software query. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import type { ProductQuery, RuleCreate, RuleUpdate } from './types';

export const softwareKeys = {
  all: ['software'] as const,
  products: (q: ProductQuery) => ['software', 'products', q] as const,
  product: (id: string) => ['software', 'product', id] as const,
  installations: (id: string, q: { version?: string; offset?: number; limit?: number }) => ['software', 'product', id, 'installations', q] as const,
  rules: ['software', 'rules'] as const,
  asset: (assetId: string) => ['software', 'asset', assetId] as const,
};

export function useProducts(q: ProductQuery) {
  return useQuery({
    queryKey: softwareKeys.products(q),
    queryFn: async () => unwrap(await api.GET('/api/v1/software/products', { params: { query: q } })),
    placeholderData: keepPreviousData,
  });
}

export function useProduct(id: string) {
  return useQuery({
    queryKey: softwareKeys.product(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/software/products/{id}', { params: { path: { id } } })),
  });
}

export function useProductInstallations(id: string, q: { version?: string; offset?: number; limit?: number }) {
  return useQuery({
    queryKey: softwareKeys.installations(id, q),
    queryFn: async () => unwrap(await api.GET('/api/v1/software/products/{id}/installations', { params: { path: { id }, query: q } })),
    placeholderData: keepPreviousData,
  });
}

/** Software installed on the devices discovery linked to an asset. */
export function useAssetSoftware(assetId: string, enabled = true) {
  return useQuery({
    queryKey: softwareKeys.asset(assetId),
    queryFn: async () => unwrap(await api.GET('/api/v1/assets/{id}/software', { params: { path: { id: assetId } } })),
    enabled,
  });
}

export function useRules() {
  return useQuery({
    queryKey: softwareKeys.rules,
    queryFn: async () => unwrap(await api.GET('/api/v1/software/rules')),
  });
}

function useInvalidateSoftware() {
  const queryClient = useQueryClient();
  return () => Promise.all([queryClient.invalidateQueries({ queryKey: softwareKeys.all }), queryClient.invalidateQueries({ queryKey: ['events'] })]);
}

export function useSaveRule() {
  const invalidate = useInvalidateSoftware();
  return useMutation({
    mutationFn: async (v: { id: null; body: RuleCreate } | { id: string; body: RuleUpdate }) =>
      v.id === null
        ? unwrap(await api.POST('/api/v1/software/rules', { body: v.body }))
        : unwrap(await api.PATCH('/api/v1/software/rules/{id}', { params: { path: { id: v.id } }, body: v.body })),
    onSuccess: invalidate,
  });
}

export function useDeleteRule() {
  const invalidate = useInvalidateSoftware();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/software/rules/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

export function usePreviewRule() {
  return useMutation({
    mutationFn: async (body: RuleCreate) => unwrap(await api.POST('/api/v1/software/rules/preview', { body: { kind: body.kind, match: body.match, ...(body.target ? { target: body.target } : {}) } })),
  });
}

export function useMergeProduct() {
  const invalidate = useInvalidateSoftware();
  return useMutation({
    mutationFn: async (v: { id: string; into: string }) =>
      unwrap(await api.POST('/api/v1/software/products/{id}/merge', { params: { path: { id: v.id } }, body: { into: v.into } })),
    onSuccess: invalidate,
  });
}
