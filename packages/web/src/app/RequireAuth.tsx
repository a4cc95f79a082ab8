import { Center } from '@mantine/core';
import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { ErrorBlock, LoadingBlock } from '../ui/QueryState';
import { SessionProvider, useCan, useSessionQuery } from './session';
import type { Permission } from './permissions';
import { AccessDenied } from '../ui/AccessDenied';
import type { ReactNode } from 'react';

export const PASSWORD_CHANGE_PATH = '/profile';

/** Renders the signed-in area; sends signed-out visitors to /login and forced password changes to the profile. */
export function RequireAuth() {
  const session = useSessionQuery();
  const location = useLocation();
  if (session.isPending) return <LoadingBlock label="Loading your session…" />;
  if (session.isError) {
    return (
      <Center mih="100vh" p="md">
        <ErrorBlock error={session.error} onRetry={() => void session.refetch()} />
      </Center>
    );
  }
  if (!session.data) {
    const from = location.pathname + location.search;
    return <Navigate to="/login" replace state={from === '/' ? undefined : { from }} />;
  }
  if (session.data.user.mustChangePassword && location.pathname !== PASSWORD_CHANGE_PATH) {
    return <Navigate to={PASSWORD_CHANGE_PATH} replace />;
  }
  return (
    <SessionProvider session={session.data}>
      <Outlet />
    </SessionProvider>
  );
}

/** Shows the page only with the permission; a clear notice otherwise (for direct links). */
export function RequirePermission({ permission, children }: { permission: Permission | null; children: ReactNode }) {
  const can = useCan();
  if (permission && !can(permission)) return <AccessDenied permission={permission} />;
  return <>{children}</>;
}
