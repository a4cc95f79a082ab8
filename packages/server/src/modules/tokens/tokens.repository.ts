import type { Executor } from '../../db/database.js';
import type { ApiTokensTable } from '../../db/schema.js';
import { first, prepare } from '../../db/prepared.js';

export type TokenRow = ApiTokensTable & { owner_email?: string };

export const insertToken = (db: Executor, row: ApiTokensTable) => db.insertInto('api_tokens').values(row).execute();

// Every request with a token looks it up: the statement is built once (db/prepared.ts).
const findByHashQuery = prepare((db: Executor, hash: string) =>
  db.selectFrom('api_tokens').innerJoin('memberships', (j) => j.onRef('memberships.org_id', '=', 'api_tokens.org_id').onRef('memberships.user_id', '=', 'api_tokens.user_id'))
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('api_tokens').select(['memberships.role', 'users.email', 'users.is_active'])
    .where('api_tokens.token_hash', '=', hash));

export const findByHash = (db: Executor, hash: string) => first(db, findByHashQuery(db, hash));

export function listTokens(db: Executor, orgId: string, opts: { userId: string; includeService: boolean; includeAll: boolean }): Promise<TokenRow[]> {
  let q = db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('api_tokens').select('users.email as owner_email').where('api_tokens.org_id', '=', orgId);
  if (!opts.includeAll) {
    q = q.where((eb) => eb.or([
      eb.and([eb('api_tokens.kind', '=', 'personal'), eb('api_tokens.user_id', '=', opts.userId)]),
      ...(opts.includeService ? [eb('api_tokens.kind', '=', 'service')] : []),
    ]));
  }
  return q.orderBy('api_tokens.created_at', 'desc').execute();
}

export const findToken = (db: Executor, orgId: string, id: string) =>
  db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('api_tokens').select('users.email as owner_email')
    .where('api_tokens.org_id', '=', orgId).where('api_tokens.id', '=', id).executeTakeFirst();

export const revokeToken = (db: Executor, orgId: string, id: string, now: string) =>
  db.updateTable('api_tokens').set({ revoked_at: now }).where('org_id', '=', orgId).where('id', '=', id).where('revoked_at', 'is', null).execute();

export const touchToken = (db: Executor, id: string, now: string) =>
  db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();

export const countActiveTokens = async (db: Executor, orgId: string, now: string): Promise<number> =>
  Number((await db.selectFrom('api_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId)
    .where('revoked_at', 'is', null).where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])).executeTakeFirstOrThrow()).n);
