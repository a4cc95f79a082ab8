import type { Kysely } from 'kysely';
import { engineOfDb } from '../dialect.js';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * Agent discovery (issue 5, first half): enrolment secrets, per-organization settings, the agents
 * that talk to us, every inventory payload they sent (kept compressed, so nothing is lost when
 * processing fails) and one discovered device per agent with its canonical record. `asset_id` is
 * filled by reconciliation (next step); the identity columns are indexed for its matching.
 */
export async function up(db: AnyDb): Promise<void> {
  // Raw payload bodies are gzip bytes: BLOB on SQLite, bytea on PostgreSQL (both map to a Node Buffer).
  const binary = engineOfDb(db) === 'postgres' ? 'bytea' : 'blob';

  await db.schema
    .createTable('agent_enrollments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    // First characters of the secret, shown in lists so admins can tell secrets apart.
    .addColumn('prefix', 'text', (c) => c.notNull())
    // SHA-256 of the secret (256 random bits, so no salt/KDF is needed — like API tokens).
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .addUniqueConstraint('agent_enrollments_org_id_uq', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('agent_enrollments_org_idx').on('agent_enrollments').columns(['org_id', 'created_at']).execute();

  await db.schema
    .createTable('discovery_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('organizations.id'))
    // accept | queue | refuse — what happens to an agent seen for the first time
    .addColumn('unknown_agent_policy', 'text', (c) => c.notNull())
    // 1: every agent request must carry an enrolment secret (HTTP Basic password)
    .addColumn('require_enrollment', 'integer', (c) => c.notNull())
    // `/inventory/<inventory_path>`; null = the organization's slug
    .addColumn('inventory_path', 'text', (c) => c.unique())
    // PROLOG_FREQ / expiration sent to agents (hours between contacts)
    .addColumn('contact_interval_hours', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    // The agent's DEVICEID / deviceid (`<hostname>-YYYY-MM-DD-HH-MM-SS`)
    .addColumn('device_id', 'text', (c) => c.notNull())
    // GLPI Agent's stable `GLPI-Agent-ID` header (UUID), when it sends one
    .addColumn('agent_uuid', 'text')
    .addColumn('name', 'text')
    .addColumn('version', 'text')
    .addColumn('user_agent', 'text')
    // approved | pending | refused
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('enrollment_id', 'text')
    .addColumn('first_contact_at', 'text', (c) => c.notNull())
    .addColumn('last_contact_at', 'text', (c) => c.notNull())
    .addColumn('last_ip', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('agents_org_id_uq', ['org_id', 'id'])
    .addUniqueConstraint('agents_org_device_uq', ['org_id', 'device_id'])
    .addForeignKeyConstraint('agents_enrollment_fk', ['org_id', 'enrollment_id'], 'agent_enrollments', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('agents_org_uuid_idx').on('agents').columns(['org_id', 'agent_uuid']).execute();
  await db.schema.createIndex('agents_org_status_idx').on('agents').columns(['org_id', 'status', 'last_contact_at']).execute();

  await db.schema
    .createTable('discovered_devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('agent_id', 'text', (c) => c.notNull())
    // CanonicalDevice (discovery.canonical.ts) as JSON text
    .addColumn('record', 'text', (c) => c.notNull())
    .addColumn('record_sha256', 'text', (c) => c.notNull())
    // Identity, copied out of the record for matching against assets (reconciliation)
    .addColumn('system_serial', 'text')
    .addColumn('manufacturer', 'text')
    .addColumn('model', 'text')
    .addColumn('uuid', 'text')
    .addColumn('hostname', 'text')
    .addColumn('primary_mac', 'text')
    .addColumn('os_name', 'text')
    .addColumn('is_virtual', 'integer', (c) => c.notNull())
    .addColumn('storage_count', 'integer', (c) => c.notNull())
    .addColumn('software_count', 'integer', (c) => c.notNull())
    .addColumn('last_payload_id', 'text')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    // Set by reconciliation; null = not matched to an asset yet
    .addColumn('asset_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Changes only when the record changes (a re-sent identical inventory moves last_seen_at only)
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('discovered_devices_org_id_uq', ['org_id', 'id'])
    .addUniqueConstraint('discovered_devices_agent_uq', ['org_id', 'agent_id'])
    .addForeignKeyConstraint('discovered_devices_agent_fk', ['org_id', 'agent_id'], 'agents', ['org_id', 'id'])
    .addForeignKeyConstraint('discovered_devices_asset_fk', ['org_id', 'asset_id'], 'assets', ['org_id', 'id'])
    .execute();
  // Reconciliation looks devices up by serial (+ manufacturer, as assets are unique by both), SMBIOS
  // UUID, host name and MAC, and lists the ones not linked to an asset yet.
  await db.schema.createIndex('discovered_devices_serial_idx').on('discovered_devices').columns(['org_id', 'system_serial', 'manufacturer']).execute();
  for (const col of ['uuid', 'hostname', 'primary_mac', 'asset_id']) {
    await db.schema.createIndex(`discovered_devices_${col}_idx`).on('discovered_devices').columns(['org_id', col]).execute();
  }
  await db.schema.createIndex('discovered_devices_seen_idx').on('discovered_devices').columns(['org_id', 'last_seen_at']).execute();

  await db.schema
    .createTable('inventory_payloads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    // null when the payload could not be attributed (malformed message)
    .addColumn('agent_id', 'text')
    .addColumn('enrollment_id', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    // xml | json
    .addColumn('format', 'text', (c) => c.notNull())
    // zlib | gzip | none — as the agent sent it
    .addColumn('compression', 'text', (c) => c.notNull())
    .addColumn('partial', 'integer', (c) => c.notNull())
    // SHA-256 of the decompressed message; the same message twice from one agent is processed once
    .addColumn('sha256', 'text', (c) => c.notNull())
    // decompressed size, and size on the wire
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('wire_bytes', 'integer', (c) => c.notNull())
    // gzip of the decompressed message
    .addColumn('body', binary, (c) => c.notNull())
    // received | processed | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('processed_at', 'text')
    .addColumn('device_id', 'text')
    .addUniqueConstraint('inventory_payloads_org_id_uq', ['org_id', 'id'])
    .addForeignKeyConstraint('inventory_payloads_agent_fk', ['org_id', 'agent_id'], 'agents', ['org_id', 'id'])
    .addForeignKeyConstraint('inventory_payloads_device_fk', ['org_id', 'device_id'], 'discovered_devices', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('inventory_payloads_agent_idx').on('inventory_payloads').columns(['org_id', 'agent_id', 'received_at']).execute();
  await db.schema.createIndex('inventory_payloads_sha_idx').on('inventory_payloads').columns(['org_id', 'agent_id', 'sha256']).execute();
  await db.schema.createIndex('inventory_payloads_status_idx').on('inventory_payloads').columns(['org_id', 'status', 'received_at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['inventory_payloads', 'discovered_devices', 'agents', 'discovery_settings', 'agent_enrollments']) {
    await db.schema.dropTable(t).execute();
  }
}
