import type { Generated } from 'kysely';

/**
 * Hand-written table types. Timestamps are ISO-8601 UTC text made by the app, ids are UUIDv7 text,
 * booleans are integers 0/1 and JSON is text — identical on SQLite and PostgreSQL.
 */
export interface OrganizationsTable {
  id: string;
  name: string;
  slug: string;
  /** Default asset tag pattern, e.g. `AST-{000000}` (digits in braces = zero-padded counter). */
  asset_tag_pattern: Generated<string>;
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
  /** Overrides the organization's asset tag pattern for this category. */
  tag_pattern: Generated<string | null>;
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
  /** Soft delete: set when deleted in error; tag and serial stay reserved. */
  deleted_at: Generated<string | null>;
}

export interface TagCountersTable {
  org_id: string;
  pattern: string;
  next_value: number;
}

export interface CustomFieldsTable {
  id: string;
  org_id: string;
  category_id: string;
  key: string;
  label: string;
  /** text | long_text | number | money | date | boolean | select | multi_select | url | email | ip | mac | regex */
  type: string;
  /** JSON array of allowed values (select, multi_select) */
  options: string;
  regex: string | null;
  required: number;
  unique_values: number;
  help_text: string | null;
  position: number;
  created_at: string;
  updated_at: string;
}

/** Indexed copy of one custom field value of one asset, for filtering and sorting. */
export interface AssetFieldValuesTable {
  org_id: string;
  asset_id: string;
  field_id: string;
  value_text: string | null;
  value_num: number | null;
}

export interface AssetMediaTable {
  id: string;
  org_id: string;
  asset_id: string;
  /** hdd | ssd | nvme | flash | tape | optical | mobile */
  media_type: string;
  serial: string | null;
  model: string | null;
  manufacturer: string | null;
  capacity_bytes: number | null;
  interface: string | null;
  /** installed | removed | sanitized | destroyed */
  status: string;
  /** manual | discovery | import */
  source: string;
  notes: string | null;
  created_at: string;
  updated_at: string;
}

export interface AttachmentsTable {
  id: string;
  org_id: string;
  entity_type: string;
  entity_id: string;
  kind: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  uploaded_by: string | null;
  created_at: string;
}

export interface MemberProfilesTable {
  org_id: string;
  user_id: string;
  employee_number: string | null;
  title: string | null;
  phone: string | null;
  department_id: string | null;
  location_id: string | null;
  manager_user_id: string | null;
  updated_at: string;
}

export interface AssignmentsTable {
  id: string;
  org_id: string;
  asset_id: string;
  /** user | location | asset */
  target_type: string;
  target_user_id: string | null;
  target_location_id: string | null;
  target_asset_id: string | null;
  checked_out_at: string;
  checked_out_by: string | null;
  expected_return_at: string | null;
  checkout_note: string | null;
  returned_at: string | null;
  returned_by: string | null;
  checkin_note: string | null;
  created_at: string;
}

export interface AcceptancesTable {
  id: string;
  org_id: string;
  assignment_id: string;
  asset_id: string;
  user_id: string;
  /** pending | accepted | declined | cancelled */
  status: string;
  terms_text: string | null;
  terms_version: number | null;
  signature: string | null;
  note: string | null;
  responded_at: string | null;
  created_at: string;
}

export interface SavedViewsTable {
  id: string;
  org_id: string;
  user_id: string;
  entity: string;
  name: string;
  /** JSON: { filters, sort, columns } */
  definition: string;
  shared: number;
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
  tag_counters: TagCountersTable;
  custom_fields: CustomFieldsTable;
  asset_field_values: AssetFieldValuesTable;
  asset_media: AssetMediaTable;
  attachments: AttachmentsTable;
  member_profiles: MemberProfilesTable;
  assignments: AssignmentsTable;
  acceptances: AcceptancesTable;
  saved_views: SavedViewsTable;
}

/**
 * One row per asset: its key in the full-text index (migration 2026-11-25T1505_search). Written
 * only by database triggers; PostgreSQL also holds the `document` tsvector here (not typed: only
 * db/dialect.ts's full-text helper reads it, in raw SQL).
 */
export interface AssetSearchTable {
  id: Generated<number>;
  org_id: string;
  asset_id: string;
}

// Declaration merging adds the search module's table to `DB` without editing the interface above.
export interface DB {
  asset_search: AssetSearchTable;
}

/** One row per asset: lower-cased names of referenced records, for sorting (migration 1510; trigger-maintained). */
export interface AssetSortKeysTable {
  asset_id: string;
  org_id: string;
  model_name: string | null;
  category_name: string | null;
  manufacturer_name: string | null;
  location_name: string | null;
  assignee_name: string | null;
  supplier_name: string | null;
  department_name: string | null;
}

export interface DB {
  asset_sort_keys: AssetSortKeysTable;
}

// ---------- discovery (agents, enrolment, inventory payloads, discovered devices) ----------

export interface AgentEnrollmentsTable {
  id: string;
  org_id: string;
  name: string;
  prefix: string;
  /** SHA-256 hex of the secret */
  secret_hash: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface DiscoverySettingsTable {
  org_id: string;
  /** accept | queue | refuse */
  unknown_agent_policy: string;
  require_enrollment: number;
  /** `/inventory/<inventory_path>`; null = the organization's slug */
  inventory_path: string | null;
  contact_interval_hours: number;
  updated_at: string;
  /** JSON array of match rules in order (serial, uuid, mac, hostname); null = default */
  match_rules: Generated<string | null>;
  /** 1: an unmatched device creates an asset; 0: it waits in the review queue; null = default (1) */
  auto_create: Generated<number | null>;
  /** Lifecycle state of created assets; null = in_stock */
  create_state: Generated<string | null>;
  /** Days without an inventory after which an asset is stale; null = default */
  stale_days: Generated<number | null>;
  /** JSON array of extra placeholder serials to ignore */
  ignored_serials: Generated<string | null>;
  /** 1: virtual machines are never matched by serial; null = default (1) */
  ignore_virtual_serials: Generated<number | null>;
  /** 1: monitors and printers with serials become linked assets; null = default (1) */
  link_peripherals: Generated<number | null>;
}

export interface AgentsTable {
  id: string;
  org_id: string;
  /** The agent's DEVICEID / deviceid */
  device_id: string;
  /** GLPI Agent's `GLPI-Agent-ID` header */
  agent_uuid: string | null;
  name: string | null;
  version: string | null;
  user_agent: string | null;
  /** approved | pending | refused */
  status: string;
  enrollment_id: string | null;
  first_contact_at: string;
  last_contact_at: string;
  last_ip: string | null;
  last_error: string | null;
  last_error_at: string | null;
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface InventoryPayloadsTable {
  id: string;
  org_id: string;
  agent_id: string | null;
  enrollment_id: string | null;
  received_at: string;
  /** xml | json */
  format: string;
  /** zlib | gzip | none */
  compression: string;
  partial: number;
  sha256: string;
  size_bytes: number;
  wire_bytes: number;
  /** gzip of the decompressed message (BLOB / bytea) */
  body: Buffer;
  /** received | processed | failed */
  status: string;
  error: string | null;
  processed_at: string | null;
  device_id: string | null;
}

export interface DiscoveredDevicesTable {
  id: string;
  org_id: string;
  agent_id: string;
  /** CanonicalDevice as JSON text */
  record: string;
  record_sha256: string;
  system_serial: string | null;
  manufacturer: string | null;
  model: string | null;
  uuid: string | null;
  hostname: string | null;
  primary_mac: string | null;
  os_name: string | null;
  is_virtual: number;
  storage_count: number;
  software_count: number;
  last_payload_id: string | null;
  first_seen_at: string;
  last_seen_at: string;
  asset_id: string | null;
  /** pending | matched | created | review | ignored */
  match_status: Generated<string>;
  /** serial | uuid | mac | hostname | manual | created */
  match_rule: Generated<string | null>;
  review_reason: Generated<string | null>;
  /** JSON array of candidate asset ids */
  review_candidates: Generated<string | null>;
  linked_at: Generated<string | null>;
  created_at: string;
  updated_at: string;
}

export interface DB {
  agent_enrollments: AgentEnrollmentsTable;
  discovery_settings: DiscoverySettingsTable;
  agents: AgentsTable;
  inventory_payloads: InventoryPayloadsTable;
  discovered_devices: DiscoveredDevicesTable;
}

export interface AssetIdentifiersTable {
  org_id: string;
  asset_id: string;
  /** uuid | mac | hostname */
  kind: string;
  value: string;
  /** discovery | manual | import */
  source: string;
  device_id: string | null;
  created_at: string;
}

export interface AssetFieldSourcesTable {
  org_id: string;
  asset_id: string;
  /** API field name (name, serial, modelId, …) */
  field: string;
  /** discovery | manual | import */
  source: string;
  source_ref: string | null;
  updated_at: string;
  locked: number;
  locked_by: string | null;
  locked_at: string | null;
}

export interface DiscoveredGuestsTable {
  org_id: string;
  host_device_id: string;
  uuid: string;
  name: string | null;
  vm_type: string | null;
  status: string | null;
}

export interface DB {
  asset_identifiers: AssetIdentifiersTable;
  asset_field_sources: AssetFieldSourcesTable;
  discovered_guests: DiscoveredGuestsTable;
}

export interface SoftwareProductsTable {
  id: string;
  org_id: string;
  /** Normalised publisher; null for packages without one */
  publisher: string | null;
  name: string;
  /** lower(publisher) + TAB + lower(name), unique per organization */
  key: string;
  /** 0/1: an ignore rule matches it (no installations are stored) */
  ignored: number;
  created_at: string;
  updated_at: string;
}

export interface SoftwareInstallationsTable {
  id: string;
  org_id: string;
  device_id: string;
  product_id: string;
  raw_name: string;
  raw_publisher: string | null;
  /** '' when unknown (keeps the unique key effective on both engines) */
  version: string;
  /** '' when unknown */
  arch: string;
  install_date: string | null;
  source: string | null;
  first_seen_at: string;
  last_seen_at: string;
  /** 1: in software_installations_product_idx; 0: its device waits in software_index_queue (SQLite) */
  indexed: number;
}

export interface SoftwareIndexQueueTable {
  org_id: string;
  device_id: string;
  queued_at: string;
}

export interface SoftwareRulesTable {
  id: string;
  org_id: string;
  /** rename | merge | ignore */
  kind: string;
  /** exact | contains | regex */
  match_mode: string;
  match_publisher: string | null;
  match_name: string | null;
  target_publisher: string | null;
  target_name: string | null;
  position: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface DB {
  software_products: SoftwareProductsTable;
  software_installations: SoftwareInstallationsTable;
  software_index_queue: SoftwareIndexQueueTable;
  software_rules: SoftwareRulesTable;
}

// ---------- imports (jobs, their errors, mapping presets, external ids) ----------

export interface ImportJobsTable {
  id: string;
  org_id: string;
  created_by: string | null;
  created_by_label: string;
  /** assets | models | users | locations | departments | suppliers */
  target: string;
  /** uploaded | validating | validated | committing | committed | failed | cancelled */
  status: string;
  /** validate | commit */
  phase: string | null;
  file_name: string;
  file_size: number;
  file_sha256: string;
  /** relative to DATA_DIR */
  stored_path: string;
  /** JSON text */
  source_options: string;
  /** JSON text */
  source_info: string;
  /** JSON text */
  mapping: string;
  /** JSON text */
  formats: string;
  /** JSON text */
  options: string;
  /** JSON text */
  report: string | null;
  total_rows: number | null;
  processed_rows: Generated<number>;
  committed_rows: Generated<number>;
  created_count: Generated<number>;
  updated_count: Generated<number>;
  unchanged_count: Generated<number>;
  failed_count: Generated<number>;
  error_count: Generated<number>;
  started_at: string | null;
  finished_at: string | null;
  heartbeat_at: string | null;
  failure_reason: string | null;
  cancel_requested: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface ImportJobErrorsTable {
  org_id: string;
  job_id: string;
  seq: number;
  line: number;
  column_key: string | null;
  field: string | null;
  code: string;
  message: string;
}

export interface ImportPresetsTable {
  id: string;
  org_id: string;
  target: string;
  name: string;
  /** JSON text */
  mapping: string;
  /** JSON text */
  formats: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface ExternalIdsTable {
  org_id: string;
  target: string;
  source: string;
  value: string;
  entity_id: string;
  created_at: string;
}

export interface DB {
  import_jobs: ImportJobsTable;
  import_job_errors: ImportJobErrorsTable;
  import_presets: ImportPresetsTable;
  external_ids: ExternalIdsTable;
}
