/**
 * The registry of the app's areas. One entry adds the route, the navigation link and the
 * permission guard; future areas (assets, catalog, locations, custody, imports, discovery,
 * software, licenses, disposition) are added here.
 */
import type { ReactNode } from 'react';
import type { Icon } from '@tabler/icons-react';
import { IconBuildingCommunity, IconHistory, IconLayoutDashboard, IconSettings, IconUserCircle, IconUsers } from '@tabler/icons-react';
import { IconBuildingFactory2, IconCategory, IconDeviceLaptop, IconMapPin, IconTruckDelivery, IconArrowsExchange, IconPackage, IconUser } from '@tabler/icons-react';
import type { Permission } from './permissions';
import { DashboardPage } from '../pages/DashboardPage';
import { DepartmentsPage } from '../pages/DepartmentsPage';
import { EventLogPage } from '../pages/EventLogPage';
import { UsersPage } from '../pages/UsersPage';
import { OrganizationSettingsPage } from '../pages/OrganizationSettingsPage';
import { ProfilePage } from '../pages/ProfilePage';
import { CategoriesPage } from '../pages/CategoriesPage';
import { CategoryPage } from '../pages/CategoryPage';
import { ModelsPage } from '../pages/ModelsPage';
import { ManufacturersPage } from '../pages/ManufacturersPage';
import { SuppliersPage } from '../pages/SuppliersPage';
import { LocationsPage } from '../pages/LocationsPage';
import { PersonPage } from '../pages/PersonPage';
import { CustodyPage } from '../pages/CustodyPage';
import { MyItemsPage } from '../pages/MyItemsPage';
import { AssetsPage } from '../pages/AssetsPage';
import { AssetPage } from '../pages/AssetPage';
import { NewAssetPage } from '../pages/NewAssetPage';
import { IconDevices } from '@tabler/icons-react';
import { IconApps } from '@tabler/icons-react';
import { SoftwarePage } from '../pages/SoftwarePage';
import { SoftwareProductPage } from '../pages/SoftwareProductPage';
import { SoftwareRulesPage } from '../pages/SoftwareRulesPage';
import { IconAlertTriangle, IconClockPause, IconDeviceDesktopAnalytics, IconRadar, IconSettingsAutomation } from '@tabler/icons-react';
import { DiscoveryAgentsPage } from '../pages/DiscoveryAgentsPage';
import { DiscoveryDevicePage } from '../pages/DiscoveryDevicePage';
import { DiscoveryDevicesPage } from '../pages/DiscoveryDevicesPage';
import { DiscoveryReviewPage } from '../pages/DiscoveryReviewPage';
import { DiscoverySettingsPage } from '../pages/DiscoverySettingsPage';
import { DiscoveryStalePage } from '../pages/DiscoveryStalePage';
import { IconFileImport } from '@tabler/icons-react';
import { ImportsPage } from '../pages/ImportsPage';
import { ImportJobPage } from '../pages/ImportJobPage';

export type NavSection = 'Inventory' | 'Discovery' | 'Catalog' | 'Administration' | 'Account';

export interface AppArea {
  label: string;
  /** Route path; `/` is the dashboard. */
  path: string;
  icon: Icon;
  /** Needed to see the link and open the page; `null` = every signed-in user. */
  permission: Permission | null;
  section: NavSection;
  element: ReactNode;
  /** `false`: a route without a navigation link (detail pages such as `/people/:userId`). */
  nav?: false;
}

export const NAV_SECTIONS: readonly NavSection[] = ['Inventory', 'Discovery', 'Catalog', 'Administration', 'Account'];

export const AREAS: readonly AppArea[] = [
  { label: 'Dashboard', path: '/', icon: IconLayoutDashboard, permission: null, section: 'Inventory', element: <DashboardPage /> },
  { label: 'Assets', path: '/assets', icon: IconDevices, permission: 'asset.read', section: 'Inventory', element: <AssetsPage /> },
  { label: 'New asset', path: '/assets/new', icon: IconDevices, permission: 'asset.write', section: 'Inventory', element: <NewAssetPage />, nav: false },
  { label: 'Asset', path: '/assets/:id', icon: IconDevices, permission: 'asset.read', section: 'Inventory', element: <AssetPage />, nav: false },
  { label: 'Software', path: '/software', icon: IconApps, permission: 'software.read', section: 'Inventory', element: <SoftwarePage /> },
  { label: 'Software product', path: '/software/products/:id', icon: IconApps, permission: 'software.read', section: 'Inventory', element: <SoftwareProductPage />, nav: false },
  { label: 'Software rules', path: '/software/rules', icon: IconApps, permission: 'software.read', section: 'Inventory', element: <SoftwareRulesPage />, nav: false },
  { label: 'Departments', path: '/departments', icon: IconBuildingCommunity, permission: 'department.read', section: 'Inventory', element: <DepartmentsPage /> },
  { label: 'Custody', path: '/custody', icon: IconArrowsExchange, permission: 'custody.read', section: 'Inventory', element: <CustodyPage /> },
  { label: 'Import', path: '/imports', icon: IconFileImport, permission: 'import.run', section: 'Inventory', element: <ImportsPage /> },
  { label: 'Import job', path: '/imports/:id', icon: IconFileImport, permission: 'import.run', section: 'Inventory', element: <ImportJobPage />, nav: false },
  { label: 'Agents', path: '/discovery/agents', icon: IconRadar, permission: 'discovery.read', section: 'Discovery', element: <DiscoveryAgentsPage /> },
  { label: 'Discovered devices', path: '/discovery/devices', icon: IconDeviceDesktopAnalytics, permission: 'discovery.read', section: 'Discovery', element: <DiscoveryDevicesPage /> },
  { label: 'Discovered device', path: '/discovery/devices/:id', icon: IconDeviceDesktopAnalytics, permission: 'discovery.read', section: 'Discovery', element: <DiscoveryDevicePage />, nav: false },
  { label: 'Review queue', path: '/discovery/review', icon: IconAlertTriangle, permission: 'discovery.read', section: 'Discovery', element: <DiscoveryReviewPage /> },
  { label: 'Stale assets', path: '/discovery/stale', icon: IconClockPause, permission: 'discovery.read', section: 'Discovery', element: <DiscoveryStalePage /> },
  { label: 'Discovery setup', path: '/discovery/settings', icon: IconSettingsAutomation, permission: 'discovery.read', section: 'Discovery', element: <DiscoverySettingsPage /> },
  { label: 'Categories', path: '/catalog/categories', icon: IconCategory, permission: 'catalog.read', section: 'Catalog', element: <CategoriesPage /> },
  { label: 'Category', path: '/catalog/categories/:categoryId', icon: IconCategory, permission: 'catalog.read', section: 'Catalog', element: <CategoryPage />, nav: false },
  { label: 'Models', path: '/catalog/models', icon: IconDeviceLaptop, permission: 'catalog.read', section: 'Catalog', element: <ModelsPage /> },
  { label: 'Manufacturers', path: '/catalog/manufacturers', icon: IconBuildingFactory2, permission: 'catalog.read', section: 'Catalog', element: <ManufacturersPage /> },
  { label: 'Suppliers', path: '/catalog/suppliers', icon: IconTruckDelivery, permission: 'catalog.read', section: 'Catalog', element: <SuppliersPage /> },
  { label: 'Locations', path: '/catalog/locations', icon: IconMapPin, permission: 'location.read', section: 'Catalog', element: <LocationsPage /> },
  { label: 'Event log', path: '/events', icon: IconHistory, permission: 'event.read', section: 'Administration', element: <EventLogPage /> },
  { label: 'Person', path: '/people/:userId', icon: IconUser, permission: 'member.read', section: 'Administration', element: <PersonPage />, nav: false },
  { label: 'Users & roles', path: '/admin/users', icon: IconUsers, permission: 'member.read', section: 'Administration', element: <UsersPage /> },
  { label: 'Organization settings', path: '/settings/organization', icon: IconSettings, permission: 'org.read', section: 'Administration', element: <OrganizationSettingsPage /> },
  { label: 'My items', path: '/me/items', icon: IconPackage, permission: 'selfservice.use', section: 'Account', element: <MyItemsPage /> },
  { label: 'Profile', path: '/profile', icon: IconUserCircle, permission: null, section: 'Account', element: <ProfilePage /> },
];
