/**
 * Catalog queries and mutations: categories, their custom fields, manufacturers, suppliers, models.
 * Query keys are shared with the asset screens' lookups (`['categories']`, `['models']`,
 * `['fields', categoryId]` …) so an edit here refreshes their selects too.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import type {
  CategoryCreate, CategoryInput, CustomField, FieldCreate, FieldInput, ManufacturerInput, ModelInput, Save, SupplierInput,
} from './types';

export const catalogKeys = {
  categories: ['categories'] as const,
  category: (id: string) => ['categories', 'one', id] as const,
  fields: (categoryId: string) => ['fields', categoryId] as const,
  manufacturers: ['manufacturers'] as const,
  suppliers: ['suppliers'] as const,
  models: ['models'] as const,
};

const byPosition = (a: CustomField, b: CustomField) => a.position - b.position || a.label.localeCompare(b.label);

export function useCategoryList(enabled = true) {
  return useQuery({
    queryKey: catalogKeys.categories,
    queryFn: async () => unwrap(await api.GET('/api/v1/categories')),
    enabled,
  });
}

export function useCategory(id: string) {
  return useQuery({
    queryKey: catalogKeys.category(id),
    queryFn: async () => unwrap(await api.GET('/api/v1/categories/{id}', { params: { path: { id } } })),
  });
}

/** The custom fields of a category, in display order. */
export function useFields(categoryId: string | null | undefined) {
  return useQuery({
    queryKey: catalogKeys.fields(categoryId ?? ''),
    queryFn: async () => {
      const list = unwrap(await api.GET('/api/v1/categories/{id}/fields', { params: { path: { id: categoryId ?? '' } } }));
      return [...list].sort(byPosition);
    },
    enabled: !!categoryId,
  });
}

export function useManufacturerList(enabled = true) {
  return useQuery({
    queryKey: catalogKeys.manufacturers,
    queryFn: async () => unwrap(await api.GET('/api/v1/manufacturers')),
    enabled,
  });
}

export function useSupplierList(enabled = true) {
  return useQuery({
    queryKey: catalogKeys.suppliers,
    queryFn: async () => unwrap(await api.GET('/api/v1/suppliers')),
    enabled,
  });
}

export function useModelList(enabled = true) {
  return useQuery({
    queryKey: catalogKeys.models,
    queryFn: async () => unwrap(await api.GET('/api/v1/models')),
    enabled,
  });
}

/** Invalidates everything a catalog edit can change: the lists, their counts, the dashboard. */
function useInvalidateCatalog() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all(
      [catalogKeys.categories, catalogKeys.manufacturers, catalogKeys.suppliers, catalogKeys.models, ['fields'], ['dashboard']].map((queryKey) =>
        queryClient.invalidateQueries({ queryKey }),
      ),
    );
}

export function useSaveCategory() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async (v: Save<CategoryCreate, CategoryInput>) =>
      v.id === null
        ? unwrap(await api.POST('/api/v1/categories', { body: v.body }))
        : unwrap(await api.PATCH('/api/v1/categories/{id}', { params: { path: { id: v.id } }, body: v.body })),
    onSuccess: invalidate,
  });
}

export function useDeleteCategory() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/categories/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

export function useSaveField(categoryId: string) {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async (v: Save<FieldCreate, FieldInput>) =>
      v.id === null
        ? unwrap(await api.POST('/api/v1/categories/{id}/fields', { params: { path: { id: categoryId } }, body: v.body }))
        : unwrap(await api.PATCH('/api/v1/fields/{id}', { params: { path: { id: v.id } }, body: v.body })),
    onSuccess: invalidate,
  });
}

export function useDeleteField() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/fields/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

/** Writes the positions 0…n-1 of `ordered`, patching only the fields whose position changes. */
export function useReorderFields() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async (ordered: CustomField[]) => {
      for (const [position, f] of ordered.entries()) {
        if (f.position !== position) unwrap(await api.PATCH('/api/v1/fields/{id}', { params: { path: { id: f.id } }, body: { position } }));
      }
    },
    onSettled: invalidate,
  });
}

export function useSaveManufacturer() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string | null; body: ManufacturerInput }) =>
      (id
        ? unwrap(await api.PATCH('/api/v1/manufacturers/{id}', { params: { path: { id } }, body }))
        : unwrap(await api.POST('/api/v1/manufacturers', { body }))),
    onSuccess: invalidate,
  });
}

export function useDeleteManufacturer() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/manufacturers/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

export function useSaveSupplier() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string | null; body: SupplierInput }) =>
      (id
        ? unwrap(await api.PATCH('/api/v1/suppliers/{id}', { params: { path: { id } }, body }))
        : unwrap(await api.POST('/api/v1/suppliers', { body }))),
    onSuccess: invalidate,
  });
}

export function useDeleteSupplier() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/suppliers/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

export function useSaveModel() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string | null; body: ModelInput }) =>
      (id
        ? unwrap(await api.PATCH('/api/v1/models/{id}', { params: { path: { id } }, body }))
        : unwrap(await api.POST('/api/v1/models', { body }))),
    onSuccess: invalidate,
  });
}

export function useDeleteModel() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/models/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

/** Uploads (replaces) a model's picture: multipart, field `file`. */
export function useUploadModelImage() {
  const invalidate = useInvalidateCatalog();
  return useMutation({
    mutationFn: async ({ modelId, file }: { modelId: string; file: File }) => {
      const form = new FormData();
      form.append('file', file, file.name);
      // The route reads multipart, so the schema declares no JSON body: the FormData passes through as is.
      return unwrap(await api.PUT('/api/v1/models/{id}/image', { params: { path: { id: modelId } }, body: form as never, bodySerializer: (b: unknown) => b }));
    },
    onSuccess: invalidate,
  });
}

/** Same-origin URL of a model's picture; `v` busts the browser cache after an upload. */
export function modelImageUrl(modelId: string, version: string): string {
  return `/api/v1/models/${encodeURIComponent(modelId)}/image?v=${encodeURIComponent(version)}`;
}
