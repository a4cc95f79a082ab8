/**
 * Bulk edit from the list: the same partial update as PATCH /assets/:id (the assets module's
 * `updateInTransaction`, so the same rules and one `asset.updated` event per changed asset) applied
 * to many assets in ONE transaction — all or nothing.
 */
import type { Ctx } from '../../context.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { AppError, unprocessable, type FieldError } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import { updateInTransaction } from '../assets/assets.service.js';
import type { BulkEditInput } from './search.schemas.js';
import { toListItem } from './search.service.js';
import * as repo from './search.repository.js';

/**
 * Every row is tried (each in a savepoint, so one failure does not abort the transaction on
 * PostgreSQL) and every failure reported in one 422: an error that every asset hit is about the
 * `set` (`/body/set/locationId`), anything else is about that asset (`/body/ids/<i>`). Then the
 * whole transaction rolls back: nothing is written, no event.
 */
export async function bulkEdit(ctx: Ctx, input: BulkEditInput) {
  authorize(ctx.actor, 'asset.write');
  const orgId = orgOf(ctx);
  const seen = new Map<string, number>();
  const dupes: FieldError[] = [];
  input.ids.forEach((id, i) => {
    const first = seen.get(id);
    if (first !== undefined) dupes.push({ path: `/body/ids/${i}`, message: `repeats ids/${first}`, code: 'duplicate' });
    else seen.set(id, i);
  });
  if (dupes.length) throw unprocessable('asset.bulk_invalid', 'The bulk edit is not valid; see errors.', dupes);

  // Bulk events carry a common id so that the log shows them as one edit.
  const bulkCtx: Ctx = { ...ctx, eventMeta: { ...(ctx.eventMeta ?? {}), bulkEditId: newId(), bulkSize: input.ids.length } };
  return ctx.db.transaction().execute(async (trx) => {
    const failures: { index: number; error: AppError }[] = [];
    let updated = 0;
    for (const [i, id] of input.ids.entries()) {
      try {
        const changes = await repo.inSavepoint(trx, 'bulk_edit_row', () => updateInTransaction(trx, bulkCtx, id, input.set, '/body/set'));
        if (Object.keys(changes).length) updated++;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        failures.push({ index: i, error: err });
      }
    }
    if (failures.length) throw unprocessable('asset.bulk_invalid', `${failures.length} of ${input.ids.length} assets cannot be changed this way; nothing was changed.`, bulkErrors(failures, input.ids.length));
    const rows = await repo.listByIds(trx, orgId, input.ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return { updated, items: input.ids.flatMap((id) => { const r = byId.get(id); return r ? [toListItem(r)] : []; }) };
  });
}

function bulkErrors(failures: { index: number; error: AppError }[], total: number): FieldError[] {
  const sig = (e: FieldError) => `${e.path}\u0000${e.code ?? ''}\u0000${e.message}`;
  const count = new Map<string, number>();
  for (const f of failures) for (const e of new Map(f.error.errors.map((x) => [sig(x), x])).values()) count.set(sig(e), (count.get(sig(e)) ?? 0) + 1);
  const out: FieldError[] = [];
  const emitted = new Set<string>();
  for (const { index, error } of failures) {
    if (!error.errors.length) {
      out.push({ path: `/body/ids/${index}`, message: error.message, code: error.code });
      continue;
    }
    for (const e of error.errors) {
      const s = sig(e);
      if (failures.length === total && count.get(s) === total && e.path.startsWith('/body/set')) {
        if (!emitted.has(s)) out.push(e);
        emitted.add(s);
      } else {
        const field = e.path.startsWith('/body/set/') ? e.path.slice('/body/set/'.length) : e.path;
        out.push({ path: `/body/ids/${index}`, message: `${field}: ${e.message}`, code: e.code ?? error.code });
      }
    }
  }
  return out;
}
