/**
 * The permission registry and the built-in role matrix. Every route declares one of these (or
 * `public` / `authenticated`) in `config.access`; `test/route-access.test.ts` snapshots the table.
 * Permissions for areas that are not built yet are declared now so that roles, tokens and the UI
 * are stable when those modules arrive.
 */
export type Area =
  | 'organization' | 'members' | 'tokens' | 'events' | 'dashboard' | 'people'
  | 'assets' | 'catalog' | 'locations' | 'custody' | 'imports' | 'discovery' | 'software'
  | 'licenses' | 'contracts' | 'sanitization' | 'disposition' | 'reports' | 'selfservice' | 'vendor';

export type AccessKind = 'read' | 'write';

interface PermissionDef {
  area: Area;
  kind: AccessKind;
  description: string;
}

export const PERMISSIONS = {
  'org.read': { area: 'organization', kind: 'read', description: 'See the organization and its settings' },
  'org.update': { area: 'organization', kind: 'write', description: 'Rename the organization and change its settings' },
  'org.create': { area: 'organization', kind: 'write', description: 'Create new organizations (the creator becomes their owner)' },
  'member.read': { area: 'members', kind: 'read', description: 'List users and their roles' },
  'member.manage': { area: 'members', kind: 'write', description: 'Add and remove users, change roles, reset passwords' },
  'token.own': { area: 'tokens', kind: 'write', description: 'Create and revoke your own personal API tokens' },
  'token.service': { area: 'tokens', kind: 'write', description: 'Create, list and revoke service tokens of the organization' },
  'event.read': { area: 'events', kind: 'read', description: 'Read the tamper-evident event log' },
  'dashboard.read': { area: 'dashboard', kind: 'read', description: 'See the dashboard' },
  'department.read': { area: 'people', kind: 'read', description: 'List departments and cost centres' },
  'department.manage': { area: 'people', kind: 'write', description: 'Create, edit and delete departments' },
  'asset.read': { area: 'assets', kind: 'read', description: 'See assets, media and their history' },
  'asset.write': { area: 'assets', kind: 'write', description: 'Create and edit assets, change lifecycle state' },
  'asset.delete': { area: 'assets', kind: 'write', description: 'Delete assets created in error' },
  'catalog.read': { area: 'catalog', kind: 'read', description: 'See categories, models, manufacturers, suppliers, custom fields' },
  'catalog.manage': { area: 'catalog', kind: 'write', description: 'Edit the catalog and custom fields' },
  'location.read': { area: 'locations', kind: 'read', description: 'See locations' },
  'location.manage': { area: 'locations', kind: 'write', description: 'Edit locations' },
  'custody.read': { area: 'custody', kind: 'read', description: 'See assignments and custody history' },
  'custody.manage': { area: 'custody', kind: 'write', description: 'Check assets out and in' },
  'import.run': { area: 'imports', kind: 'write', description: 'Import and export spreadsheets' },
  'discovery.read': { area: 'discovery', kind: 'read', description: 'See agents, discovered data and the review queue' },
  'discovery.manage': { area: 'discovery', kind: 'write', description: 'Manage agent enrolment and reconcile discovered devices' },
  'software.read': { area: 'software', kind: 'read', description: 'See the software catalogue and installations' },
  'software.manage': { area: 'software', kind: 'write', description: 'Edit software normalisation rules' },
  'license.read': { area: 'licenses', kind: 'read', description: 'See licenses and the license position' },
  'license.manage': { area: 'licenses', kind: 'write', description: 'Manage entitlements and seat allocations' },
  'contract.read': { area: 'contracts', kind: 'read', description: 'See contracts, warranties and leases' },
  'contract.manage': { area: 'contracts', kind: 'write', description: 'Manage contracts, warranties and leases' },
  'sanitization.read': { area: 'sanitization', kind: 'read', description: 'See sanitization records and certificates' },
  'sanitization.record': { area: 'sanitization', kind: 'write', description: 'Record and verify media sanitization' },
  'disposition.read': { area: 'disposition', kind: 'read', description: 'See disposition lots and chain of custody' },
  'disposition.manage': { area: 'disposition', kind: 'write', description: 'Plan disposition, build lots, hand over to vendors' },
  'report.read': { area: 'reports', kind: 'read', description: 'Run reports' },
  'selfservice.use': { area: 'selfservice', kind: 'write', description: 'See and accept the items you hold' },
  'vendor.portal': { area: 'vendor', kind: 'write', description: 'ITAD vendor: see and update only the lots handed to you' },
} as const satisfies Record<string, PermissionDef>;

export type Permission = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

/**
 * Route access: a permission; `authenticated` (any signed-in user or token); `session` (a person
 * signed in through the browser — account and credential changes, never an API token); or
 * `public` (no authentication at all).
 */
export type Access = Permission | 'authenticated' | 'session' | 'public';

export const ROLES = ['owner', 'admin', 'asset_manager', 'technician', 'auditor', 'employee', 'itad_vendor'] as const;
export type Role = (typeof ROLES)[number];

const readAll = ALL_PERMISSIONS.filter((p) => PERMISSIONS[p].kind === 'read');

export const ROLE_DEFS: Record<Role, { label: string; description: string; permissions: readonly Permission[] }> = {
  owner: {
    label: 'Owner',
    description: 'Everything, including managing other owners.',
    permissions: ALL_PERMISSIONS,
  },
  admin: {
    label: 'Administrator',
    description: 'Everything except changing owners.',
    permissions: ALL_PERMISSIONS,
  },
  asset_manager: {
    label: 'Asset manager',
    description: 'Runs the inventory: assets, catalog, locations, custody, imports, discovery, licenses, disposition.',
    permissions: [
      ...readAll,
      'token.own', 'department.manage', 'asset.write', 'asset.delete', 'catalog.manage', 'location.manage',
      'custody.manage', 'import.run', 'discovery.manage', 'software.manage', 'license.manage', 'contract.manage',
      'sanitization.record', 'disposition.manage', 'selfservice.use',
    ],
  },
  technician: {
    label: 'Technician',
    description: 'Service desk: edits assets, checks them out and in, records sanitization.',
    permissions: [
      'org.read', 'dashboard.read', 'member.read', 'department.read', 'asset.read', 'asset.write', 'catalog.read',
      'location.read', 'custody.read', 'custody.manage', 'discovery.read', 'software.read', 'contract.read',
      'sanitization.read', 'sanitization.record', 'token.own', 'selfservice.use',
    ],
  },
  auditor: {
    label: 'Auditor',
    description: 'Read-only access to everything, including the event log.',
    permissions: [...readAll, 'token.own'],
  },
  employee: {
    label: 'Employee',
    description: 'Self-service: sees and accepts the items they hold.',
    permissions: ['org.read', 'selfservice.use', 'token.own'],
  },
  itad_vendor: {
    label: 'ITAD vendor',
    description: 'External disposal vendor: sees only the lots handed to it.',
    permissions: ['org.read', 'vendor.portal', 'token.own'],
  },
};

export const isRole = (v: string): v is Role => (ROLES as readonly string[]).includes(v);

const roleSets = new Map<Role, ReadonlySet<Permission>>(ROLES.map((r) => [r, new Set(ROLE_DEFS[r].permissions)]));
export const permissionsOf = (role: Role): ReadonlySet<Permission> => roleSets.get(role) ?? new Set();

/** Token scopes: `<area>:read` or `<area>:write` (write implies read of the same area). */
export const AREAS = [...new Set(ALL_PERMISSIONS.map((p) => PERMISSIONS[p].area))] as Area[];
export const ALL_SCOPES = AREAS.flatMap((a) => [`${a}:read`, `${a}:write`]);

export function scopeGrants(scopes: readonly string[], permission: Permission): boolean {
  const def: PermissionDef = PERMISSIONS[permission];
  if (scopes.includes(`${def.area}:write`)) return true;
  return def.kind === 'read' && scopes.includes(`${def.area}:read`);
}
