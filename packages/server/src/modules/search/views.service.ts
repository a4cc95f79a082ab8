/**
 * Saved list views: a name and a definition `{ filters, sort, columns }`, private to their owner
 * or shared with the organization. Everyone who can list assets sees their own and the shared
 * ones; only the owner changes or deletes a view.
 */
import type { Ctx } from '../../context.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { conflict, forbidden, notFound } from '../../errors.js';
import { fromDbBool, isUniqueViolation, toDbBool } from '../../db/dialect.js';
import { newId, nowIso } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import type { CreateViewInput, UpdateViewInput, ViewDefinitionInput, ViewDto } from './search.schemas.js';
import { parseColumns, parseQuery } from './search.service.js';
import * as repo from './search.repository.js';

type Definition = ViewDto['definition'];

const parseDefinition = (text: string): Definition => {
  try {
    const v = JSON.parse(text) as Partial<Definition>;
    return { filters: v.filters ?? {}, sort: v.sort ?? null, columns: v.columns ?? [] };
  } catch {
    return { filters: {}, sort: null, columns: [] };
  }
};

const toDto = (r: repo.ViewRow, userId: string): ViewDto => ({
  id: r.id,
  name: r.name,
  entity: 'assets',
  definition: parseDefinition(r.definition),
  shared: fromDbBool(r.shared),
  owner: { userId: r.user_id, displayName: r.owner_name },
  mine: r.user_id === userId,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

function actingUser(ctx: Ctx): string {
  if (!ctx.actor.userId) throw forbidden('Saved views belong to a person; this credential has none.', 'view.no_user');
  return ctx.actor.userId;
}

/**
 * The filters must be list filters (the schema already refused unknown members), custom-field
 * keys must exist, the sort must be sortable and the columns known: the same checks as the list
 * and the export, with paths under /body/definition.
 */
async function checkDefinition(ctx: Ctx, d: ViewDefinitionInput): Promise<Definition> {
  const filters = (d.filters ?? {}) as Record<string, unknown>;
  await parseQuery(ctx, { ...filters, sort: d.sort ?? undefined }, { base: '/body/definition/filters', sortPath: '/body/definition/sort', stored: true });
  if (d.columns?.length) await parseColumns(ctx.db, orgOf(ctx), d.columns, '/body/definition/columns');
  return { filters, sort: d.sort ?? null, columns: d.columns ?? [] };
}

const duplicate = (name: string, id?: string) =>
  conflict('view.duplicate_name', `You already have a view named "${name}".`, { conflict: { ...(id ? { id } : {}), name } }, [
    { path: '/body/name', message: 'is already the name of another of your views', code: 'duplicate' },
  ]);

type Snapshot = { name: string; definition: Definition; shared: boolean };
const SNAPSHOT_FIELDS = ['name', 'definition', 'shared'] as const;
const snap = (v: ViewDto): Snapshot => ({ name: v.name, definition: v.definition, shared: v.shared });

export async function list(ctx: Ctx, q: { entity?: 'assets' }): Promise<ViewDto[]> {
  authorize(ctx.actor, 'asset.read');
  const userId = actingUser(ctx);
  return (await repo.listViews(ctx.db, orgOf(ctx), userId, q.entity ?? 'assets')).map((r) => toDto(r, userId));
}

export async function create(ctx: Ctx, input: CreateViewInput): Promise<ViewDto> {
  authorize(ctx.actor, 'asset.read');
  const orgId = orgOf(ctx);
  const userId = actingUser(ctx);
  const name = input.name.trim();
  const definition = await checkDefinition(ctx, input.definition);
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await repo.findViewByName(trx, orgId, userId, input.entity, name);
    if (existing) throw duplicate(name, existing.id);
    const now = nowIso();
    const row = { id: newId(), org_id: orgId, user_id: userId, entity: input.entity, name, definition: JSON.stringify(definition), shared: toDbBool(input.shared ?? false), created_at: now, updated_at: now };
    try {
      await repo.insertView(trx, row);
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicate(name);
      throw err;
    }
    const dto = toDto((await repo.findView(trx, orgId, row.id))!, userId);
    await events.record(trx, ctx, { action: 'view.created', entityType: 'saved_view', entityId: row.id, changes: events.diff<Snapshot>(null, snap(dto), SNAPSHOT_FIELDS) });
    return dto;
  });
}

/** A view the caller may change: 404 when they cannot see it, 403 when it is someone else's shared view. */
async function requireOwnView(ctx: Ctx, trx: Parameters<typeof repo.findView>[0], orgId: string, userId: string, id: string): Promise<repo.ViewRow> {
  const v = await repo.findView(trx, orgId, id);
  if (!v || (v.user_id !== userId && !fromDbBool(v.shared))) throw notFound('view');
  if (v.user_id !== userId) throw forbidden('Only the owner of a view can change or delete it.', 'view.not_owner');
  return v;
}

export async function update(ctx: Ctx, id: string, input: UpdateViewInput): Promise<ViewDto> {
  authorize(ctx.actor, 'asset.read');
  const orgId = orgOf(ctx);
  const userId = actingUser(ctx);
  const definition = input.definition ? await checkDefinition(ctx, input.definition) : undefined;
  return ctx.db.transaction().execute(async (trx) => {
    const before = toDto(await requireOwnView(ctx, trx, orgId, userId, id), userId);
    const patch: Parameters<typeof repo.updateView>[3] = { updated_at: nowIso() };
    if (input.name !== undefined) {
      const name = input.name.trim();
      const other = await repo.findViewByName(trx, orgId, userId, 'assets', name, id);
      if (other) throw duplicate(name, other.id);
      patch.name = name;
    }
    if (definition) patch.definition = JSON.stringify(definition);
    if (input.shared !== undefined) patch.shared = toDbBool(input.shared);
    await repo.updateView(trx, orgId, id, patch);
    const after = toDto((await repo.findView(trx, orgId, id))!, userId);
    const changes = events.diff<Snapshot>(snap(before), snap(after), SNAPSHOT_FIELDS);
    if (Object.keys(changes).length) await events.record(trx, ctx, { action: 'view.updated', entityType: 'saved_view', entityId: id, changes });
    return after;
  });
}

export async function remove(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'asset.read');
  const orgId = orgOf(ctx);
  const userId = actingUser(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const before = toDto(await requireOwnView(ctx, trx, orgId, userId, id), userId);
    await repo.deleteView(trx, orgId, id);
    await events.record(trx, ctx, { action: 'view.deleted', entityType: 'saved_view', entityId: id, changes: events.diff<Snapshot>(snap(before), null, SNAPSHOT_FIELDS) });
  });
}
