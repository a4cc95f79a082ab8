import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api';
import { sessionQueryKey } from './session';

/**
 * A 401 from any request means the session ended (expired, signed out elsewhere, password changed):
 * refresh the session query so the app routes to the sign-in page.
 */
function onUnauthorized(err: unknown, key?: readonly unknown[]): void {
  if (err instanceof ApiError && err.status === 401 && key?.[0] !== sessionQueryKey[0]) {
    void queryClient.invalidateQueries({ queryKey: sessionQueryKey });
  }
}

export const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (err, query) => onUnauthorized(err, query.queryKey) }),
  mutationCache: new MutationCache({ onError: (err) => onUnauthorized(err) }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // Client errors (4xx) will not fix themselves on retry.
      retry: (failures, err) => !(err instanceof ApiError && err.status < 500) && failures < 2,
    },
    mutations: { retry: false },
  },
});
