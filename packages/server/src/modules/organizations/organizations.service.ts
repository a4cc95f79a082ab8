import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { notFound, unprocessable } from '../../errors.js';
import { newId, nowIso } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import * as identity from '../identity/identity.service.js';
import * as members from '../members/members.service.js';
import * as repo from './organizations.repository.js';

export interface OrganizationDto { id: string; name: string; slug: string; role: string | null; assetTagPattern: string; createdAt: string; updatedAt: string }

const toDto = (o: repo.OrgRow, role: string | null): OrganizationDto => ({ id: o.id, name: o.name, slug: o.slug, role, assetTagPattern: o.asset_tag_pattern, createdAt: o.created_at, updatedAt: o.updated_at });

/** A tag pattern has exactly one counter group of zeros in braces, e.g. `LAP-{00000}`. */
export const TAG_PATTERN_RE = /^[^{}]{0,20}\{0{1,12}\}[^{}]{0,20}$/;

function slugify(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'org';
}

function checkName(name: string): string {
  const n = name.trim();
  if (!n) throw unprocessable('organization.invalid', 'The organization needs a name.', [{ path: '/body/name', message: 'must not be empty', code: 'required' }]);
  return n;
}

/**
 * Creates an organization and makes `ownerUserId` its owner. Its event chain starts with the
 * creation event. Used by the API, first-start setup and `custodian-server create-admin`.
 */
export async function createWithOwner(trx: Executor, ctx: Ctx, rawName: string, ownerUserId: string): Promise<repo.OrgRow> {
  const name = checkName(rawName);
  let slug = slugify(name);
  for (let i = 2; await repo.slugTaken(trx, slug); i++) slug = `${slugify(name)}-${i}`;
  const now = nowIso();
  const org: repo.OrgRow = { id: newId(), name, slug, asset_tag_pattern: 'AST-{000000}', created_at: now, updated_at: now };
  await repo.insertOrg(trx, org);
  await members.insertOwner(trx, org.id, ownerUserId);
  const orgCtx: Ctx = { ...ctx, actor: { ...ctx.actor, orgId: org.id } };
  await events.record(trx, orgCtx, { orgId: org.id, action: 'organization.created', entityType: 'organization', entityId: org.id, changes: events.diff(null, { name, slug }, ['name', 'slug']) });
  await events.record(trx, orgCtx, { orgId: org.id, action: 'member.added', entityType: 'user', entityId: ownerUserId, changes: { role: { before: null, after: 'owner' } } });
  return org;
}

export async function listMine(ctx: Ctx): Promise<OrganizationDto[]> {
  if (!ctx.actor.userId) return [];
  const ms = (await identity.membershipsOfUser(ctx.db, ctx.actor.userId))
    .filter((m) => ctx.actor.type !== 'token' || m.org_id === ctx.actor.orgId);
  const out: OrganizationDto[] = [];
  for (const m of ms) {
    const o = await repo.findOrg(ctx.db, m.org_id);
    if (o) out.push(toDto(o, m.role));
  }
  return out;
}

export async function create(ctx: Ctx, input: { name: string }): Promise<OrganizationDto> {
  authorize(ctx.actor, 'org.create');
  const userId = ctx.actor.userId;
  if (!userId) throw unprocessable('organization.owner_required', 'Only a person can own an organization; service tokens cannot create one.');
  const org = await ctx.db.transaction().execute((trx) => createWithOwner(trx, ctx, input.name, userId));
  return toDto(org, 'owner');
}

export async function getCurrent(ctx: Ctx): Promise<OrganizationDto> {
  authorize(ctx.actor, 'org.read');
  const org = await repo.findOrg(ctx.db, orgOf(ctx));
  if (!org) throw notFound('organization');
  return toDto(org, ctx.actor.role);
}

export async function updateCurrent(ctx: Ctx, input: { name?: string; assetTagPattern?: string }): Promise<OrganizationDto> {
  authorize(ctx.actor, 'org.update');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const before = await repo.findOrg(trx, orgId);
    if (!before) throw notFound('organization');
    const name = input.name === undefined ? before.name : checkName(input.name);
    const pattern = input.assetTagPattern === undefined ? before.asset_tag_pattern : input.assetTagPattern.trim();
    if (!TAG_PATTERN_RE.test(pattern)) {
      throw unprocessable('organization.invalid_tag_pattern', 'The asset tag pattern needs one counter such as {00000}.', [{ path: '/body/assetTagPattern', message: 'must contain exactly one group of zeros in braces, e.g. LAP-{00000}', code: 'pattern' }]);
    }
    const now = nowIso();
    await repo.updateOrg(trx, orgId, { name, asset_tag_pattern: pattern, updated_at: now });
    const changes = events.diff({ name: before.name, assetTagPattern: before.asset_tag_pattern }, { name, assetTagPattern: pattern }, ['name', 'assetTagPattern']);
    if (Object.keys(changes).length) await events.record(trx, ctx, { action: 'organization.updated', entityType: 'organization', entityId: orgId, changes });
    return toDto({ ...before, name, asset_tag_pattern: pattern, updated_at: now }, ctx.actor.role);
  });
}
