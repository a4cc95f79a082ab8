/**
 * Read-only catalog lookups the asset screens need for selects and labels (categories, models,
 * manufacturers, suppliers, locations, custom fields). Cached for a while: they change rarely.
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import type { Location, Model } from './contract';

const LOOKUP_STALE = 60_000;

export function useCategories(enabled = true) {
  return useQuery({
    queryKey: ['categories'],
    queryFn: async () => unwrap(await api.GET('/api/v1/categories')),
    staleTime: LOOKUP_STALE,
    enabled,
  });
}

export function useModels(enabled = true) {
  return useQuery({
    queryKey: ['models'],
    queryFn: async () => unwrap(await api.GET('/api/v1/models')),
    staleTime: LOOKUP_STALE,
    enabled,
  });
}

export function useManufacturers(enabled = true) {
  return useQuery({
    queryKey: ['manufacturers'],
    queryFn: async () => unwrap(await api.GET('/api/v1/manufacturers')),
    staleTime: LOOKUP_STALE,
    enabled,
  });
}

export function useSuppliers(enabled = true) {
  return useQuery({
    queryKey: ['suppliers'],
    queryFn: async () => unwrap(await api.GET('/api/v1/suppliers')),
    staleTime: LOOKUP_STALE,
    enabled,
  });
}

export function useLocations(enabled = true) {
  return useQuery({
    queryKey: ['locations'],
    queryFn: async () => unwrap(await api.GET('/api/v1/locations')),
    staleTime: LOOKUP_STALE,
    enabled,
  });
}

export function useDepartmentOptions(enabled = true) {
  return useQuery({
    queryKey: ['departments'],
    queryFn: async () => unwrap(await api.GET('/api/v1/departments')),
    staleTime: LOOKUP_STALE,
    enabled,
  });
}

/** The custom fields of a category, in their display order. */
export function useCategoryFields(categoryId: string | null | undefined) {
  return useQuery({
    queryKey: ['fields', categoryId],
    queryFn: async () => {
      const fields = unwrap(await api.GET('/api/v1/categories/{id}/fields', { params: { path: { id: categoryId ?? '' } } }));
      return [...fields].sort((a, b) => a.position - b.position || a.label.localeCompare(b.label));
    },
    staleTime: LOOKUP_STALE,
    enabled: !!categoryId,
  });
}

/** `HQ / Floor 2 / Room 201` */
export function locationLabel(l: Location): string {
  return l.pathNames.length ? l.pathNames.join(' / ') : l.name;
}

export function locationOptions(list: Location[] | undefined): { value: string; label: string }[] {
  return (list ?? []).map((l) => ({ value: l.id, label: locationLabel(l) }));
}

/** Models grouped by their category's name, for a grouped Select. */
export function modelOptions(models: Model[] | undefined): { group: string; items: { value: string; label: string }[] }[] {
  const groups = new Map<string, { value: string; label: string }[]>();
  for (const m of models ?? []) {
    const group = m.category.name;
    const items = groups.get(group) ?? [];
    items.push({ value: m.id, label: m.modelNumber ? `${m.name} (${m.modelNumber})` : m.name });
    groups.set(group, items);
  }
  return [...groups.entries()]
    .map(([group, items]) => ({ group, items: items.sort((a, b) => a.label.localeCompare(b.label)) }))
    .sort((a, b) => a.group.localeCompare(b.group));
}
