/** Pure hash-chain functions: canonical form (RFC 8785 JSON canonicalization) and SHA-256. */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

// canonicalize@2 is CommonJS (v3+ needs Node 22); load it through require for a callable default.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string | undefined;

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedEvent {
  id: string;
  chainId: string;
  seq: number;
  orgId: string | null;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string;
  /** canonical JSON text, as stored */
  changes: string;
  /** canonical JSON text, as stored */
  meta: string;
  requestId: string | null;
  prevHash: string;
}

export function canonicalJson(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) throw new Error('Value cannot be canonicalized');
  return out;
}

export function eventHash(e: ChainedEvent): string {
  const body = canonicalJson({
    v: 1, id: e.id, chainId: e.chainId, seq: e.seq, orgId: e.orgId, occurredAt: e.occurredAt,
    actorType: e.actorType, actorId: e.actorId, actorLabel: e.actorLabel, action: e.action,
    entityType: e.entityType, entityId: e.entityId, changes: e.changes, meta: e.meta,
    requestId: e.requestId, prevHash: e.prevHash,
  });
  return createHash('sha256').update(body).digest('hex');
}
