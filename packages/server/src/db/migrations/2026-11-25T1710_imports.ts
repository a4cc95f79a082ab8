import type { Kysely } from 'kysely';

// Migrations are frozen in time: they take Kysely<any>, never the app's DB type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type AnyDb = Kysely<any>;

/**
 * Spreadsheet imports (issue 4): one job per uploaded file (its settings, progress and report, so
 * a page reload or a server restart finds it), the per-row/per-cell errors of its last dry run or
 * commit, saved column mappings, and the ids records carry in the systems they were imported from.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('import_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('created_by', 'text')
    .addColumn('created_by_label', 'text', (c) => c.notNull())
    // assets | models | users | locations | departments | suppliers
    .addColumn('target', 'text', (c) => c.notNull())
    // uploaded | validating | validated | committing | committed | failed | cancelled
    .addColumn('status', 'text', (c) => c.notNull())
    // validate | commit: what the job is doing or last did
    .addColumn('phase', 'text')
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('file_size', 'bigint', (c) => c.notNull())
    .addColumn('file_sha256', 'text', (c) => c.notNull())
    // relative to DATA_DIR: imports/<orgId>/<jobId>
    .addColumn('stored_path', 'text', (c) => c.notNull())
    // JSON: SourceOptions (format, encoding, delimiter, sheet) as chosen
    .addColumn('source_options', 'text', (c) => c.notNull())
    // JSON: SourceInfo as inspected (headers, header keys, sample, detected)
    .addColumn('source_info', 'text', (c) => c.notNull())
    // JSON: { <headerKey>: <field key> | null }
    .addColumn('mapping', 'text', (c) => c.notNull())
    // JSON: { <headerKey>: { date?, number? , detected… } }
    .addColumn('formats', 'text', (c) => c.notNull())
    // JSON: { mode, createMissing, matchBy, externalIdSource, batchSize }
    .addColumn('options', 'text', (c) => c.notNull())
    // JSON: the last dry run's / commit's summary (counts, planned references)
    .addColumn('report', 'text')
    .addColumn('total_rows', 'integer')
    .addColumn('processed_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('committed_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('heartbeat_at', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('import_jobs_org_id_uq', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('import_jobs_org_created_idx').on('import_jobs').columns(['org_id', 'created_at']).execute();
  await db.schema.createIndex('import_jobs_status_idx').on('import_jobs').columns(['status']).execute();

  // One row per problem (a row can have several: one per cell); `seq` keeps file order.
  await db.schema
    .createTable('import_job_errors')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    // physical row number in the file (header = 1); 0 for problems of the whole file
    .addColumn('line', 'integer', (c) => c.notNull())
    // the column's header key, or null for the whole row
    .addColumn('column_key', 'text')
    .addColumn('field', 'text')
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_job_errors_pk', ['job_id', 'seq'])
    .addForeignKeyConstraint('import_job_errors_job_fk', ['org_id', 'job_id'], 'import_jobs', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('import_job_errors_line_idx').on('import_job_errors').columns(['job_id', 'line']).execute();

  await db.schema
    .createTable('import_presets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON: { <header as in the file>: <field key> | null }
    .addColumn('mapping', 'text', (c) => c.notNull())
    // JSON: { <header>: { date?, number? } }
    .addColumn('formats', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('import_presets_org_id_uq', ['org_id', 'id'])
    .addUniqueConstraint('import_presets_name_uq', ['org_id', 'target', 'name'])
    .execute();

  // The id a record has in the system it came from (a Snipe-IT id, a GLPI id, an ERP number), so
  // a later import of the same source matches it even when its tag or serial changed there.
  await db.schema
    .createTable('external_ids')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('external_ids_pk', ['org_id', 'target', 'source', 'value'])
    .execute();
  await db.schema.createIndex('external_ids_entity_idx').on('external_ids').columns(['org_id', 'target', 'entity_id']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('external_ids').execute();
  await db.schema.dropTable('import_presets').execute();
  await db.schema.dropTable('import_job_errors').execute();
  await db.schema.dropTable('import_jobs').execute();
}
