/**
 * Field provenance: for every asset field that more than one source can write (a person, an
 * inventory agent, an import), who wrote it last — and the lock a person's edit puts on it, so
 * that the next inventory does not overwrite what somebody typed. Unlocking hands the field back
 * to discovery.
 */
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { notFound, unprocessable } from '../../errors.js';
import { fromDbBool } from '../../db/dialect.js';
import { nowIso } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import * as repo from './provenance.repository.js';

/** Asset fields inventory agents write (API names). Only these carry provenance and locks. */
export const DISCOVERED_FIELDS = ['name', 'serial', 'modelId', 'parentAssetId'] as const;
export type DiscoveredField = (typeof DISCOVERED_FIELDS)[number];
export const isDiscoveredField = (f: string): f is DiscoveredField => (DISCOVERED_FIELDS as readonly string[]).includes(f);

export type SourceKind = 'discovery' | 'manual' | 'import';

export interface FieldSourceDto {
  field: string;
  source: SourceKind;
  sourceRef: string | null;
  updatedAt: string;
  locked: boolean;
  lockedBy: string | null;
  lockedAt: string | null;
}

const toDto = (r: repo.FieldSourceRow): FieldSourceDto => ({
  field: r.field, source: r.source as SourceKind, sourceRef: r.source_ref, updatedAt: r.updated_at, locked: fromDbBool(r.locked),
  lockedBy: r.locked_by, lockedAt: r.locked_at,
});

/**
 * Records who wrote `fields` of an asset. A person (not the system, not an agent) locks the
 * discovered fields they set; discovery and imports only record themselves as the source.
 */
export async function recordWrites(trx: Executor, ctx: Ctx, assetId: string, fields: string[], source?: { kind: SourceKind; ref: string | null }): Promise<void> {
  const orgId = orgOf(ctx);
  const kind: SourceKind = source?.kind ?? (ctx.actor.type === 'system' ? 'discovery' : ctx.eventMeta?.importJobId ? 'import' : 'manual');
  const tracked = fields.filter(isDiscoveredField);
  if (!tracked.length) return;
  const now = nowIso();
  const lock = kind === 'manual';
  const ref = source?.ref ?? (kind === 'import' ? String(ctx.eventMeta?.importJobId) : ctx.actor.label);
  await repo.upsertSources(trx, tracked.map((field) => ({
    org_id: orgId, asset_id: assetId, field, source: kind, source_ref: ref, updated_at: now,
    locked: lock ? 1 : 0, locked_by: lock ? ctx.actor.label : null, locked_at: lock ? now : null,
  })), lock);
}

/** The fields of an asset a person locked against agent overwrite. */
export async function lockedFields(db: Executor, orgId: string, assetId: string): Promise<Set<string>> {
  return new Set((await repo.listSources(db, orgId, assetId)).filter((r) => r.locked === 1).map((r) => r.field));
}

export async function list(ctx: Ctx, assetId: string): Promise<FieldSourceDto[]> {
  authorize(ctx.actor, 'asset.read');
  return (await repo.listSources(ctx.db, orgOf(ctx), assetId)).map(toDto);
}

/** Hands a locked field back to discovery: the next inventory may write it again. */
export async function unlock(ctx: Ctx, assetId: string, field: string): Promise<FieldSourceDto> {
  authorize(ctx.actor, 'asset.write');
  const orgId = orgOf(ctx);
  if (!isDiscoveredField(field)) {
    throw unprocessable('provenance.unknown_field', `"${field}" is not a field discovery writes.`, [
      { path: '/params/field', message: `must be one of ${DISCOVERED_FIELDS.join(', ')}`, code: 'enum' },
    ]);
  }
  return ctx.db.transaction().execute(async (trx) => {
    const row = await repo.findSource(trx, orgId, assetId, field);
    if (!row) throw notFound('field source', '/params/field');
    if (row.locked === 1) {
      await repo.unlock(trx, orgId, assetId, field);
      await events.record(trx, ctx, { action: 'asset.field_unlocked', entityType: 'asset', entityId: assetId, changes: { [`locked.${field}`]: { before: true, after: false } } });
    }
    return toDto((await repo.findSource(trx, orgId, assetId, field))!);
  });
}
