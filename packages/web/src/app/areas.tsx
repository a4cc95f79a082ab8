/**
 * The registry of the app's areas. One entry adds the route, the navigation link and the
 * permission guard; future areas (assets, catalog, locations, custody, imports, discovery,
 * software, licenses, disposition) are added here.
 */
import type { ReactNode } from 'react';
import type { Icon } from '@tabler/icons-react';
import { IconBuildingCommunity, IconHistory, IconLayoutDashboard, IconSettings, IconUserCircle, IconUsers } from '@tabler/icons-react';
import type { Permission } from './permissions';
import { DashboardPage } from '../pages/DashboardPage';
import { DepartmentsPage } from '../pages/DepartmentsPage';
import { EventLogPage } from '../pages/EventLogPage';
import { UsersPage } from '../pages/UsersPage';
import { OrganizationSettingsPage } from '../pages/OrganizationSettingsPage';
import { ProfilePage } from '../pages/ProfilePage';

export type NavSection = 'Inventory' | 'Administration' | 'Account';

export interface AppArea {
  label: string;
  /** Route path; `/` is the dashboard. */
  path: string;
  icon: Icon;
  /** Needed to see the link and open the page; `null` = every signed-in user. */
  permission: Permission | null;
  section: NavSection;
  element: ReactNode;
}

export const NAV_SECTIONS: readonly NavSection[] = ['Inventory', 'Administration', 'Account'];

export const AREAS: readonly AppArea[] = [
  { label: 'Dashboard', path: '/', icon: IconLayoutDashboard, permission: null, section: 'Inventory', element: <DashboardPage /> },
  { label: 'Departments', path: '/departments', icon: IconBuildingCommunity, permission: 'department.read', section: 'Inventory', element: <DepartmentsPage /> },
  { label: 'Event log', path: '/events', icon: IconHistory, permission: 'event.read', section: 'Administration', element: <EventLogPage /> },
  { label: 'Users & roles', path: '/admin/users', icon: IconUsers, permission: 'member.read', section: 'Administration', element: <UsersPage /> },
  { label: 'Organization settings', path: '/settings/organization', icon: IconSettings, permission: 'org.read', section: 'Administration', element: <OrganizationSettingsPage /> },
  { label: 'Profile', path: '/profile', icon: IconUserCircle, permission: null, section: 'Account', element: <ProfilePage /> },
];
