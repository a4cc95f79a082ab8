import { createContext, useCallback, useContext, type ReactNode } from 'react';
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken, unwrap, type Session } from '../api';
import type { Permission } from './permissions';

export const sessionQueryKey = ['session'] as const;

/** The signed-in session, or `null` when signed out (the server answers 401). */
export async function fetchSession(): Promise<Session | null> {
  const result = await api.GET('/api/v1/auth/session');
  if (result.response.status === 401) {
    setCsrfToken(null);
    return null;
  }
  const session = unwrap(result);
  setCsrfToken(session.csrfToken);
  return session;
}

export function useSessionQuery() {
  return useQuery({ queryKey: sessionQueryKey, queryFn: fetchSession, staleTime: 30_000, retry: false });
}

/** Loads the session into the cache right now (after sign-in, setup or an organization switch). */
export async function reloadSession(queryClient: QueryClient): Promise<Session | null> {
  return queryClient.fetchQuery({ queryKey: sessionQueryKey, queryFn: fetchSession, staleTime: 0 });
}

/** Drops every cached query except the session itself (data of another user or organization). */
export function resetNonSessionQueries(queryClient: QueryClient): Promise<void> {
  return queryClient.resetQueries({ predicate: (q) => q.queryKey[0] !== sessionQueryKey[0] });
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** The current session; only usable below RequireAuth. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() used outside a signed-in area');
  return session;
}

/** `can('member.manage')` — whether the signed-in user holds a permission in the current organization. */
export function useCan(): (permission: Permission) => boolean {
  const session = useSession();
  return useCallback((permission: Permission) => session.permissions.includes(permission), [session]);
}

/** Signs out and forgets everything cached for this user. */
export function useSignOut(): () => Promise<void> {
  const queryClient = useQueryClient();
  return useCallback(async () => {
    try {
      unwrap(await api.POST('/api/v1/auth/logout'));
    } catch (err) {
      // An already expired session is signed out anyway.
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    }
    setCsrfToken(null);
    queryClient.setQueryData(sessionQueryKey, null);
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionQueryKey[0] });
  }, [queryClient]);
}
