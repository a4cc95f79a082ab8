/**
 * Hand-written table types. Timestamps are ISO-8601 UTC text made by the app, ids are UUIDv7 text,
 * booleans are integers 0/1 and JSON is text — identical on SQLite and PostgreSQL.
 */
export interface OrganizationsTable {
  id: string;
  name: string;
  slug: string;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  must_change_password: number;
  totp_secret_enc: string | null;
  totp_pending_enc: string | null;
  totp_enabled: number;
  is_active: number;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface MembershipsTable {
  org_id: string;
  user_id: string;
  role: string;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  org_id: string | null;
  csrf_token: string;
  mfa_pending: number;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  first_failure_at: string;
  locked_until: string | null;
}

export interface OneTimeTokensTable {
  id: string;
  token_hash: string;
  purpose: string;
  user_id: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface ApiTokensTable {
  id: string;
  org_id: string;
  user_id: string;
  kind: string;
  name: string;
  prefix: string;
  token_hash: string;
  scopes: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface DepartmentsTable {
  id: string;
  org_id: string;
  name: string;
  code: string | null;
  cost_centre: string | null;
  manager_user_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface EventChainsTable {
  chain_id: string;
  seq: number;
  head_hash: string;
}

export interface EventsTable {
  id: string;
  chain_id: string;
  seq: number;
  org_id: string | null;
  occurred_at: string;
  actor_type: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string;
  changes: string;
  meta: string;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface DB {
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  one_time_tokens: OneTimeTokensTable;
  api_tokens: ApiTokensTable;
  departments: DepartmentsTable;
  event_chains: EventChainsTable;
  events: EventsTable;
}
