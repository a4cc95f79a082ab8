/**
 * Guard implementations for the transitions declared in lifecycle.machine.ts.
 *
 * `sanitization_evidence` is a hook: a data-bearing asset cannot be disposed unless every one of
 * its media has evidence of sanitization or destruction. The sanitization module (next on the
 * roadmap) registers the provider that knows about certificates; until then no evidence exists,
 * so data-bearing assets cannot reach `disposed`.
 */
import type { Executor } from '../../db/database.js';
import { fromDbBool } from '../../db/dialect.js';
import type { GuardName } from './lifecycle.machine.js';
import * as repo from './lifecycle.repository.js';

export interface GuardResult { ok: boolean; message?: string }

export interface MediumRef { id: string; serial: string | null; mediaType: string; status: string }

/** Answers, for each medium, whether verified sanitization or destruction evidence exists. */
export type EvidenceProvider = (db: Executor, orgId: string, assetId: string, media: MediumRef[]) => Promise<Map<string, boolean>>;

let evidenceProvider: EvidenceProvider | null = null;

/** Called once by the sanitization module at start-up. */
export function registerEvidenceProvider(p: EvidenceProvider | null): void {
  evidenceProvider = p;
}

export async function runGuard(db: Executor, orgId: string, asset: repo.AssetStateRow, guard: GuardName): Promise<GuardResult> {
  switch (guard) {
    case 'no_open_assignment':
      return (await repo.hasOpenAssignment(db, orgId, asset.id))
        ? { ok: false, message: `${asset.asset_tag} is checked out; check it in first.` }
        : { ok: true };
    case 'open_assignment':
      return (await repo.hasOpenAssignment(db, orgId, asset.id))
        ? { ok: true }
        : { ok: false, message: `${asset.asset_tag} has no holder to return to; put it back into stock instead.` };
    case 'sanitization_evidence': {
      if (!fromDbBool(asset.data_bearing)) return { ok: true };
      const media = (await repo.mediaOf(db, orgId, asset.id)).map((m) => ({ id: m.id, serial: m.serial, mediaType: m.media_type, status: m.status }));
      const evidence = evidenceProvider ? await evidenceProvider(db, orgId, asset.id, media) : new Map<string, boolean>();
      const lacking = media.filter((m) => !evidence.get(m.id));
      if (media.length && !lacking.length) return { ok: true };
      const which = media.length
        ? `media without evidence: ${lacking.map((m) => `${m.mediaType}${m.serial ? ` ${m.serial}` : ''}`).join(', ')}`
        : 'no storage media are recorded for it, so none can have been sanitized';
      return { ok: false, message: `${asset.asset_tag} is data-bearing and cannot be disposed without verified sanitization or destruction evidence (${which}).` };
    }
  }
}
