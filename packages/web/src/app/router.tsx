import { createBrowserRouter } from 'react-router-dom';
import { AppLayout } from './AppLayout';
import { AREAS } from './areas';
import { RequireAuth, RequirePermission } from './RequireAuth';
import { LoginPage } from '../pages/LoginPage';
import { SetupPage } from '../pages/SetupPage';
import { NotFoundPage } from '../pages/NotFoundPage';

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  { path: '/setup', element: <SetupPage /> },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <AppLayout />,
        children: [
          ...AREAS.map((a) =>
            a.path === '/'
              ? { index: true, element: <RequirePermission permission={a.permission}>{a.element}</RequirePermission> }
              : { path: a.path, element: <RequirePermission permission={a.permission}>{a.element}</RequirePermission> },
          ),
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
