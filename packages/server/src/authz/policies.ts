/**
 * THE policy file: every authorization rule beyond "this route needs permission P" lives here.
 */
import type { Actor, Ctx } from '../context.js';
import { forbidden, unauthorized } from '../errors.js';
import { ROLE_DEFS, type Permission, type Role } from './permissions.js';

export function can(actor: Actor | null, permission: Permission): boolean {
  return !!actor && actor.permissions.has(permission);
}

export function authorize(actor: Actor | null, permission: Permission): asserts actor is Actor {
  if (!actor) throw unauthorized();
  if (!actor.permissions.has(permission)) throw forbidden(`You need the "${permission}" permission to do this.`);
}

/** The organization a tenant operation runs in; refuses actors without one. */
export function orgOf(ctx: Ctx): string {
  if (!ctx.actor.orgId) throw forbidden('Choose an organization first.', 'org.required');
  return ctx.actor.orgId;
}

/** Only an owner may grant the owner role, or change/remove an existing owner. */
export function canAssignRole(actor: Actor, targetCurrentRole: Role | null, newRole: Role | null): boolean {
  if (actor.role === 'owner') return true;
  if (targetCurrentRole === 'owner' || newRole === 'owner') return false;
  return true;
}

/** Users cannot hand out permissions they do not hold themselves (tokens, roles). */
export function canGrantRole(actor: Actor, role: Role): boolean {
  return ROLE_DEFS[role].permissions.every((p) => actor.permissions.has(p)) || actor.role === 'owner';
}
