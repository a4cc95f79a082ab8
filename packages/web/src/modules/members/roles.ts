import type { Role, RoleKey } from '../../api';

const ROLE_KEYS: readonly RoleKey[] = ['owner', 'admin', 'asset_manager', 'technician', 'auditor', 'employee', 'itad_vendor'];

export function isRoleKey(v: string | null | undefined): v is RoleKey {
  return !!v && (ROLE_KEYS as readonly string[]).includes(v);
}

/** Select options for the roles the server offers. */
export function roleOptions(roles: Role[] | undefined): { value: string; label: string }[] {
  return (roles ?? []).filter((r) => isRoleKey(r.key)).map((r) => ({ value: r.key, label: r.label }));
}

export function roleLabel(roles: Role[] | undefined, key: string): string {
  return roles?.find((r) => r.key === key)?.label ?? key.replace(/_/g, ' ');
}
