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

export interface CategoriesTable {
  id: string;
  org_id: string;
  name: string;
  asset_class: string;
  data_bearing: number;
  requires_acceptance: number;
  acceptance_terms: string | null;
  acceptance_terms_version: number | null;
  created_at: string;
  updated_at: string;
}

export interface ManufacturersTable {
  id: string;
  org_id: string;
  name: string;
  support_url: string | null;
  warranty_lookup_url: string | null;
  created_at: string;
  updated_at: string;
}

export interface SuppliersTable {
  id: string;
  org_id: string;
  name: string;
  contact_name: string | null;
  email: string | null;
  phone: string | null;
  url: string | null;
  notes: string | null;
  created_at: string;
  updated_at: string;
}

export interface ModelsTable {
  id: string;
  org_id: string;
  name: string;
  model_number: string | null;
  category_id: string;
  manufacturer_id: string | null;
  eol_months: number | null;
  /** JSON object as text */
  default_custom_fields: string;
  image_path: string | null;
  created_at: string;
  updated_at: string;
}

export interface LocationsTable {
  id: string;
  org_id: string;
  name: string;
  parent_id: string | null;
  /** Materialized path of ids, root first, ending with this location: `/<rootId>/<childId>/`. */
  path: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  created_at: string;
  updated_at: string;
}

export interface AssetsTable {
  id: string;
  org_id: string;
  asset_tag: string;
  serial: string | null;
  name: string | null;
  model_id: string;
  /** Denormalised from the model; the database keeps it equal (composite FK, ON UPDATE CASCADE). */
  category_id: string;
  manufacturer_id: string | null;
  lifecycle_state: string;
  location_id: string | null;
  default_location_id: string | null;
  supplier_id: string | null;
  department_id: string | null;
  /** YYYY-MM-DD */
  purchase_date: string | null;
  /** Minor units of `currency` (bigint; pg's int8 parser returns a number) */
  purchase_cost_minor: number | null;
  currency: string | null;
  order_number: string | null;
  invoice_number: string | null;
  /** YYYY-MM-DD */
  warranty_end: string | null;
  /** YYYY-MM-DD */
  eol_date: string | null;
  notes: string | null;
  parent_asset_id: string | null;
  /** JSON object as text */
  custom_fields: string;
  created_at: string;
  updated_at: string;
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
  categories: CategoriesTable;
  manufacturers: ManufacturersTable;
  suppliers: SuppliersTable;
  models: ModelsTable;
  locations: LocationsTable;
  assets: AssetsTable;
}
