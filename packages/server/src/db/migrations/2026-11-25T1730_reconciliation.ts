import type { Kysely } from 'kysely';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * Discovery, second half: reconciling discovered devices with assets.
 *
 * - `discovery_settings` gains the reconciliation rules (null = the built-in default, so defaults
 *   stay data in code and can change without a migration).
 * - `discovered_devices` gains its reconciliation state (pending → matched | created | review | ignored).
 * - `asset_identifiers`: the machine identities an asset is known by (SMBIOS UUID, MAC addresses,
 *   host name), so a reinstalled agent (new DEVICEID) or a second agent still finds its asset.
 * - `asset_field_sources`: provenance per asset field (who wrote it last: discovery, a person,
 *   an import) and the lock a hand edit puts on it against agent overwrite.
 * - `discovered_guests`: the virtual machines a host reports, to link VM assets to their host.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('discovery_settings').addColumn('match_rules', 'text').execute();
  await db.schema.alterTable('discovery_settings').addColumn('auto_create', 'integer').execute();
  await db.schema.alterTable('discovery_settings').addColumn('create_state', 'text').execute();
  await db.schema.alterTable('discovery_settings').addColumn('stale_days', 'integer').execute();
  await db.schema.alterTable('discovery_settings').addColumn('ignored_serials', 'text').execute();
  await db.schema.alterTable('discovery_settings').addColumn('ignore_virtual_serials', 'integer').execute();
  await db.schema.alterTable('discovery_settings').addColumn('link_peripherals', 'integer').execute();

  // pending | matched | created | review | ignored
  await db.schema.alterTable('discovered_devices').addColumn('match_status', 'text', (c) => c.notNull().defaultTo('pending')).execute();
  // serial | uuid | mac | hostname | manual | created
  await db.schema.alterTable('discovered_devices').addColumn('match_rule', 'text').execute();
  await db.schema.alterTable('discovered_devices').addColumn('review_reason', 'text').execute();
  // JSON array of candidate asset ids
  await db.schema.alterTable('discovered_devices').addColumn('review_candidates', 'text').execute();
  await db.schema.alterTable('discovered_devices').addColumn('linked_at', 'text').execute();
  await db.schema.createIndex('discovered_devices_match_idx').on('discovered_devices').columns(['org_id', 'match_status', 'id']).execute();

  await db.schema
    .createTable('asset_identifiers')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('asset_id', 'text', (c) => c.notNull())
    // uuid | mac | hostname
    .addColumn('kind', 'text', (c) => c.notNull())
    // normalised: uuid lower-case, MAC `aa:bb:…` lower-case, host name lower-case
    .addColumn('value', 'text', (c) => c.notNull())
    // discovery | manual | import
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('asset_identifiers_pk', ['org_id', 'kind', 'value', 'asset_id'])
    .addForeignKeyConstraint('asset_identifiers_asset_fk', ['org_id', 'asset_id'], 'assets', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('asset_identifiers_asset_idx').on('asset_identifiers').columns(['org_id', 'asset_id']).execute();

  await db.schema
    .createTable('asset_field_sources')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('asset_id', 'text', (c) => c.notNull())
    // the API field name: name, serial, modelId, …
    .addColumn('field', 'text', (c) => c.notNull())
    // discovery | manual | import
    .addColumn('source', 'text', (c) => c.notNull())
    // discovered device id, import job id, or the person's label
    .addColumn('source_ref', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // 1: edited by hand; discovery leaves it alone until unlocked
    .addColumn('locked', 'integer', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_at', 'text')
    .addPrimaryKeyConstraint('asset_field_sources_pk', ['org_id', 'asset_id', 'field'])
    .addForeignKeyConstraint('asset_field_sources_asset_fk', ['org_id', 'asset_id'], 'assets', ['org_id', 'id'])
    .execute();

  await db.schema
    .createTable('discovered_guests')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('host_device_id', 'text', (c) => c.notNull())
    // lower-case SMBIOS UUID of the guest as the host reports it
    .addColumn('uuid', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('vm_type', 'text')
    .addColumn('status', 'text')
    .addPrimaryKeyConstraint('discovered_guests_pk', ['org_id', 'host_device_id', 'uuid'])
    .addForeignKeyConstraint('discovered_guests_host_fk', ['org_id', 'host_device_id'], 'discovered_devices', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('discovered_guests_uuid_idx').on('discovered_guests').columns(['org_id', 'uuid']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['discovered_guests', 'asset_field_sources', 'asset_identifiers']) await db.schema.dropTable(t).execute();
  await db.schema.dropIndex('discovered_devices_match_idx').execute();
  for (const c of ['match_status', 'match_rule', 'review_reason', 'review_candidates', 'linked_at']) {
    await db.schema.alterTable('discovered_devices').dropColumn(c).execute();
  }
  for (const c of ['match_rules', 'auto_create', 'create_state', 'stale_days', 'ignored_serials', 'ignore_virtual_serials', 'link_peripherals']) {
    await db.schema.alterTable('discovery_settings').dropColumn(c).execute();
  }
}
