import { sql, type Kysely } from 'kysely';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * Everything around an asset: soft delete, tag counters, custom field definitions and their
 * indexed values, data-bearing media, attachments, custody (assignments) with acceptance, member
 * profiles (department, location — who holds what, where) and saved list views.
 */
export async function up(db: AnyDb): Promise<void> {
  // The event log is read newest-first per organization; without this every page sorted the
  // organization's whole log (2.7 s at a million events).
  await db.schema.createIndex('events_org_seq_idx').on('events').columns(['org_id', 'seq']).execute();
  // Deleted-in-error assets stay in the table (history, restore). Their tag and serial remain
  // reserved, so a restore never conflicts and a tag always names one asset.
  await db.schema.alterTable('assets').addColumn('deleted_at', 'text').execute();
  // Organization-wide default asset tag pattern, e.g. `AST-{000000}`; categories may override it.
  await db.schema.alterTable('organizations').addColumn('asset_tag_pattern', 'text', (c) => c.notNull().defaultTo('AST-{000000}')).execute();
  await db.schema.alterTable('categories').addColumn('tag_pattern', 'text').execute();

  // One counter per (organization, pattern): `update … set next_value = next_value + 1 returning`.
  await db.schema
    .createTable('tag_counters')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('pattern', 'text', (c) => c.notNull())
    .addColumn('next_value', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('tag_counters_pk', ['org_id', 'pattern'])
    .execute();

  await db.schema
    .createTable('custom_fields')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('category_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    // text | long_text | number | money | date | boolean | select | multi_select | url | email | ip | mac | regex
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('regex', 'text')
    .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unique_values', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('help_text', 'text')
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('custom_fields_org_id_uq', ['org_id', 'id'])
    .addUniqueConstraint('custom_fields_category_key_uq', ['org_id', 'category_id', 'key'])
    .addForeignKeyConstraint('custom_fields_category_fk', ['org_id', 'category_id'], 'categories', ['org_id', 'id'])
    .execute();

  // Custom field values live in assets.custom_fields (JSON, what the API returns) and, for
  // filtering and sorting, one indexed row per (asset, field) here: never new columns.
  await db.schema
    .createTable('asset_field_values')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('field_id', 'text', (c) => c.notNull())
    // Normalised text (lower-case for text types, ISO for dates, joined for multi-select).
    .addColumn('value_text', 'text')
    .addColumn('value_num', 'double precision')
    .addPrimaryKeyConstraint('asset_field_values_pk', ['org_id', 'asset_id', 'field_id'])
    .addForeignKeyConstraint('asset_field_values_asset_fk', ['org_id', 'asset_id'], 'assets', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint('asset_field_values_field_fk', ['org_id', 'field_id'], 'custom_fields', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('asset_field_values_text_idx').on('asset_field_values').columns(['org_id', 'field_id', 'value_text', 'asset_id']).execute();
  await db.schema.createIndex('asset_field_values_num_idx').on('asset_field_values').columns(['org_id', 'field_id', 'value_num', 'asset_id']).execute();

  // Data-bearing storage devices inside an asset; disposal is decided per medium.
  await db.schema
    .createTable('asset_media')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('asset_id', 'text', (c) => c.notNull())
    // hdd | ssd | nvme | flash | tape | optical | mobile
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('serial', 'text')
    .addColumn('model', 'text')
    .addColumn('manufacturer', 'text')
    .addColumn('capacity_bytes', 'bigint')
    .addColumn('interface', 'text')
    // installed | removed (still ours, out of the device) | sanitized | destroyed
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('installed'))
    // manual | discovery | import
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('manual'))
    .addColumn('notes', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('asset_media_org_id_uq', ['org_id', 'id'])
    .addForeignKeyConstraint('asset_media_asset_fk', ['org_id', 'asset_id'], 'assets', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('asset_media_asset_idx').on('asset_media').columns(['org_id', 'asset_id']).execute();
  await db.schema.createIndex('asset_media_serial_idx').on('asset_media').columns(['org_id', 'serial']).execute();

  // Files (invoices, photos) stored under DATA_DIR/attachments; polymorphic owner within the org.
  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('other'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('attachments_org_id_uq', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('attachments_entity_idx').on('attachments').columns(['org_id', 'entity_type', 'entity_id']).execute();

  // Who in the organization sits where: used by custody (a user's location), lists and imports.
  await db.schema
    .createTable('member_profiles')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('employee_number', 'text')
    .addColumn('title', 'text')
    .addColumn('phone', 'text')
    .addColumn('department_id', 'text')
    .addColumn('location_id', 'text')
    .addColumn('manager_user_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_profiles_pk', ['org_id', 'user_id'])
    .addForeignKeyConstraint('member_profiles_member_fk', ['org_id', 'user_id'], 'memberships', ['org_id', 'user_id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint('member_profiles_department_fk', ['org_id', 'department_id'], 'departments', ['org_id', 'id'])
    .addForeignKeyConstraint('member_profiles_location_fk', ['org_id', 'location_id'], 'locations', ['org_id', 'id'])
    .addForeignKeyConstraint('member_profiles_manager_fk', ['org_id', 'manager_user_id'], 'memberships', ['org_id', 'user_id'])
    .execute();
  await db.schema.createIndex('member_profiles_employee_no_uq').on('member_profiles').columns(['org_id', 'employee_number']).unique()
    .where('employee_number', 'is not', null).execute();

  // Custody: one row per check-out; `returned_at` closes it. Exactly one target is set.
  await db.schema
    .createTable('assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_user_id', 'text')
    .addColumn('target_location_id', 'text')
    .addColumn('target_asset_id', 'text')
    .addColumn('checked_out_at', 'text', (c) => c.notNull())
    .addColumn('checked_out_by', 'text')
    .addColumn('expected_return_at', 'text')
    .addColumn('checkout_note', 'text')
    .addColumn('returned_at', 'text')
    .addColumn('returned_by', 'text')
    .addColumn('checkin_note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('assignments_org_id_uq', ['org_id', 'id'])
    .addForeignKeyConstraint('assignments_asset_fk', ['org_id', 'asset_id'], 'assets', ['org_id', 'id'])
    .addForeignKeyConstraint('assignments_user_fk', ['org_id', 'target_user_id'], 'memberships', ['org_id', 'user_id'])
    .addForeignKeyConstraint('assignments_location_fk', ['org_id', 'target_location_id'], 'locations', ['org_id', 'id'])
    .addForeignKeyConstraint('assignments_target_asset_fk', ['org_id', 'target_asset_id'], 'assets', ['org_id', 'id'])
    .addCheckConstraint('assignments_one_target_ck', sqlOneTarget)
    .execute();
  // THE custody invariant: at most one open assignment per asset, so two concurrent check-outs
  // cannot both win — the second insert fails on this index.
  await db.schema.createIndex('assignments_open_uq').on('assignments').columns(['org_id', 'asset_id']).unique()
    .where(sql.ref('returned_at'), 'is', null).execute();
  await db.schema.createIndex('assignments_asset_hist_idx').on('assignments').columns(['org_id', 'asset_id', 'checked_out_at']).execute();
  await db.schema.createIndex('assignments_user_idx').on('assignments').columns(['org_id', 'target_user_id', 'checked_out_at'])
    .where('target_user_id', 'is not', null).execute();
  await db.schema.createIndex('assignments_location_idx').on('assignments').columns(['org_id', 'target_location_id'])
    .where('target_location_id', 'is not', null).execute();
  await db.schema.createIndex('assignments_target_asset_idx').on('assignments').columns(['org_id', 'target_asset_id'])
    .where('target_asset_id', 'is not', null).execute();
  await db.schema.createIndex('assignments_due_idx').on('assignments').columns(['org_id', 'expected_return_at'])
    .where(sql.ref('returned_at'), 'is', null).execute();

  // Acceptance of a check-out by the employee (categories that require it).
  await db.schema
    .createTable('acceptances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('assignment_id', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    // pending | accepted | declined | cancelled (checked in before an answer)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('terms_text', 'text')
    .addColumn('terms_version', 'integer')
    .addColumn('signature', 'text')
    .addColumn('note', 'text')
    .addColumn('responded_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('acceptances_org_id_uq', ['org_id', 'id'])
    .addUniqueConstraint('acceptances_assignment_uq', ['org_id', 'assignment_id'])
    .addForeignKeyConstraint('acceptances_assignment_fk', ['org_id', 'assignment_id'], 'assignments', ['org_id', 'id'])
    .addForeignKeyConstraint('acceptances_asset_fk', ['org_id', 'asset_id'], 'assets', ['org_id', 'id'])
    .addForeignKeyConstraint('acceptances_user_fk', ['org_id', 'user_id'], 'memberships', ['org_id', 'user_id'])
    .execute();
  await db.schema.createIndex('acceptances_user_idx').on('acceptances').columns(['org_id', 'user_id', 'status']).execute();

  await db.schema
    .createTable('saved_views')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // { filters, sort, columns } as JSON text
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('saved_views_org_id_uq', ['org_id', 'id'])
    .addUniqueConstraint('saved_views_name_uq', ['org_id', 'user_id', 'entity', 'name'])
    .addForeignKeyConstraint('saved_views_member_fk', ['org_id', 'user_id'], 'memberships', ['org_id', 'user_id'], (fk) => fk.onDelete('cascade'))
    .execute();
}


const sqlOneTarget = sql`(case when target_user_id is null then 0 else 1 end
  + case when target_location_id is null then 0 else 1 end
  + case when target_asset_id is null then 0 else 1 end) = 1
  and target_type in ('user', 'location', 'asset')`;

export async function down(db: AnyDb): Promise<void> {
  for (const t of ['saved_views', 'acceptances', 'assignments', 'member_profiles', 'attachments', 'asset_media', 'asset_field_values', 'custom_fields', 'tag_counters']) {
    await db.schema.dropTable(t).execute();
  }
  await db.schema.alterTable('categories').dropColumn('tag_pattern').execute();
  await db.schema.alterTable('organizations').dropColumn('asset_tag_pattern').execute();
  await db.schema.alterTable('assets').dropColumn('deleted_at').execute();
  await db.schema.dropIndex('events_org_seq_idx').execute();
}
