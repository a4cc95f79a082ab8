import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import type { Save } from '../catalog/types';
import type { LocationCreate, LocationInput } from './types';

/** Shared with the asset screens' location selects. */
export const locationsQueryKey = ['locations'] as const;

export function useLocationList(enabled = true) {
  return useQuery({
    queryKey: locationsQueryKey,
    queryFn: async () => unwrap(await api.GET('/api/v1/locations')),
    enabled,
  });
}

function useInvalidate() {
  const queryClient = useQueryClient();
  return () => Promise.all([queryClient.invalidateQueries({ queryKey: locationsQueryKey }), queryClient.invalidateQueries({ queryKey: ['dashboard'] })]);
}

export function useSaveLocation() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (v: Save<LocationCreate, LocationInput>) =>
      v.id === null
        ? unwrap(await api.POST('/api/v1/locations', { body: v.body }))
        : unwrap(await api.PATCH('/api/v1/locations/{id}', { params: { path: { id: v.id } }, body: v.body })),
    onSuccess: invalidate,
  });
}

export function useDeleteLocation() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/locations/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}
