import type { Ctx } from '../../context.js';
import { authorize, can, orgOf } from '../../authz/policies.js';
import * as members from '../members/members.service.js';
import * as departments from '../departments/departments.service.js';
import * as tokens from '../tokens/tokens.service.js';
import * as events from '../events/events.service.js';

export interface DashboardDto {
  /** Event counts are null when the actor may not read the event log. */
  counts: { members: number; departments: number; activeTokens: number; events: number | null; eventsLast24h: number | null };
}

/** Real counts for the areas that exist; each card appears only for what the actor may see. */
export async function summary(ctx: Ctx): Promise<DashboardDto> {
  authorize(ctx.actor, 'dashboard.read');
  const orgId = orgOf(ctx);
  const since = new Date(Date.now() - 24 * 3600_000).toISOString();
  const canEvents = can(ctx.actor, 'event.read');
  const [m, d, t, e, e24] = await Promise.all([
    members.count(ctx.db, orgId),
    departments.count(ctx.db, orgId),
    tokens.countActive(ctx.db, orgId),
    canEvents ? events.count(ctx.db, orgId) : Promise.resolve(null),
    canEvents ? events.count(ctx.db, orgId, since) : Promise.resolve(null),
  ]);
  return { counts: { members: m, departments: d, activeTokens: t, events: e, eventsLast24h: e24 } };
}
