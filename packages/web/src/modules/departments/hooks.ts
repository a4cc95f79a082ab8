import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api';

export const departmentsQueryKey = ['departments'] as const;

export interface DepartmentInput {
  name: string;
  code: string | null;
  costCentre: string | null;
  managerUserId: string | null;
}

export function useDepartments() {
  return useQuery({ queryKey: departmentsQueryKey, queryFn: async () => unwrap(await api.GET('/api/v1/departments')) });
}

function useInvalidate() {
  const queryClient = useQueryClient();
  return () => Promise.all([queryClient.invalidateQueries({ queryKey: departmentsQueryKey }), queryClient.invalidateQueries({ queryKey: ['dashboard'] })]);
}

export function useSaveDepartment() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string | null; body: DepartmentInput }) =>
      id
        ? unwrap(await api.PATCH('/api/v1/departments/{id}', { params: { path: { id } }, body }))
        : unwrap(await api.POST('/api/v1/departments', { body })),
    onSuccess: invalidate,
  });
}

export function useDeleteDepartment() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/departments/{id}', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}
