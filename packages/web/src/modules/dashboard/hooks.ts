import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api';

export function useDashboard(enabled: boolean) {
  return useQuery({ queryKey: ['dashboard'], queryFn: async () => unwrap(await api.GET('/api/v1/dashboard')), enabled });
}
