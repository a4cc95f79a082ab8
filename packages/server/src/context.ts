import type { Db } from './db/database.js';
import type { Engine } from './db/dialect.js';
import type { Config } from './config.js';
import type { Permission, Role } from './authz/permissions.js';

/** Who is acting. Services receive it inside `Ctx`; nothing else carries identity. */
export interface Actor {
  type: 'user' | 'token' | 'system';
  /** The user behind the request (the token's owner for tokens); null for system jobs. */
  userId: string | null;
  /** Human-readable label recorded in events (email, `token:name`, `system`). */
  label: string;
  /** Organization the request acts in; null when the user has no organization yet. */
  orgId: string | null;
  role: Role | null;
  permissions: ReadonlySet<Permission>;
  tokenId?: string;
  sessionId?: string;
}

export interface Ctx {
  db: Db;
  engine: Engine;
  config: Config;
  actor: Actor;
  requestId: string | null;
  /** Extra context stamped on every event this request writes (e.g. `{ importJobId }`). */
  eventMeta?: Record<string, unknown>;
}

export const systemActor = (orgId: string | null = null, label = 'system'): Actor => ({
  type: 'system', userId: null, label, orgId, role: null, permissions: new Set(),
});
