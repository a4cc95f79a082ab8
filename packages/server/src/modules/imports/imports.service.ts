/**
 * Imports and exports: upload (streamed to DATA_DIR/imports/<org>/<job>, inspected, rows counted,
 * columns auto-mapped, formats detected), mapping and options, the dry run and the commit as
 * background jobs, progress, errors (JSON and the original rows plus an Errors column), mapping
 * presets, and full exports per target whose columns are the import's canonical headers.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Ctx } from '../../context.js';
import { authorize, can, orgOf } from '../../authz/policies.js';
import type { Permission } from '../../authz/permissions.js';
import { AppError, conflict, forbidden, notFound, unprocessable, type FieldError } from '../../errors.js';
import { newId, nowIso } from '../../lib/ids.js';
import { cleanFileName, type MultipartSource } from '../../lib/uploads.js';
import { isUniqueViolation } from '../../db/dialect.js';
import { countRows, ImportFileError, inspect, readRows, type SourceInfo, type SourceOptions } from './imports.read.js';
import { detectDateFormat, detectNumberFormat } from './imports.values.js';
import { writeCsv } from './imports.write.js';
import * as repo from './imports.repository.js';
import * as jobs from './imports.jobs.js';
import { DEFAULT_OPTIONS, type ColumnFormat, type ImportOptions } from './imports.engine.js';
import { autoMap, fieldsOf, isTarget, normHeader, TARGET_DEFS, TARGETS, type TargetField, type TargetKey } from './imports.targets.js';
import type {
  CommitInput, CreatePresetInput, ImportJobDto, ImportOptionsInput, PresetDto, SourceOptionsInput, UpdateJobInput,
} from './imports.schemas.js';
import { exportTarget } from './imports.export.js';

const RUNNING = ['validating', 'committing'];

// ---------- mapping ----------

function toJobDto(job: repo.JobRow): ImportJobDto {
  const s = jobs.settingsOf(job);
  const live = jobs.liveProgress(job.id);
  const processed = live?.processed ?? Number(job.processed_rows);
  const total = job.total_rows === null ? null : Number(job.total_rows);
  const running = RUNNING.includes(job.status);
  const elapsed = live ? (Date.now() - live.startedMs) / 1000 : null;
  const rps = live && elapsed && elapsed > 0.2 ? Math.round(processed / elapsed) : null;
  const counts = live?.counts ?? { created: Number(job.created_count), updated: Number(job.updated_count), unchanged: Number(job.unchanged_count), failed: Number(job.failed_count) };
  return {
    id: job.id, target: job.target as TargetKey, status: job.status as ImportJobDto['status'], phase: job.phase as ImportJobDto['phase'],
    fileName: job.file_name, fileSize: Number(job.file_size), createdBy: { id: job.created_by, label: job.created_by_label },
    source: {
      format: s.info.format, encoding: s.info.encoding, delimiter: s.info.delimiter, sheets: s.info.sheets, sheet: s.info.sheet,
      headers: s.info.headers, headerKeys: s.info.headerKeys, sample: s.info.sample, detected: s.info.detected,
    },
    sourceOptions: JSON.parse(job.source_options) as SourceOptionsInput,
    mapping: s.mapping, formats: s.formats as ImportJobDto['formats'],
    options: s.options,
    progress: {
      processed, total,
      percent: total ? Math.min(100, Math.round((processed / total) * 1000) / 10) : (running ? null : 100),
      rowsPerSecond: rps,
      etaSeconds: rps && total ? Math.max(0, Math.round((total - processed) / rps)) : null,
    },
    counts: { ...counts, errors: live?.errorCount ?? Number(job.error_count), committedRows: Number(job.committed_rows) },
    report: job.report ? JSON.parse(job.report) as ImportJobDto['report'] : null,
    failureReason: job.failure_reason, startedAt: job.started_at, finishedAt: job.finished_at, createdAt: job.created_at, updatedAt: job.updated_at,
  };
}

const fieldDto = (f: TargetField) => ({
  key: f.key, label: f.label, type: f.type === 'custom' ? `custom:${[...new Set((f.custom ?? []).map((c) => c.type))].join('/')}` : f.type,
  required: !!f.required, ref: f.ref ?? null, creatable: !!f.creatable, synonyms: [...(f.synonyms ?? [])], description: f.description ?? null, exported: !f.importOnly,
});

function targetOf(value: string, path = '/body/target'): TargetKey {
  if (!isTarget(value)) throw unprocessable('import.unknown_target', `"${value}" is not an import target; use one of ${TARGETS.join(', ')}.`, [{ path, message: `must be one of ${TARGETS.join(', ')}`, code: 'enum' }]);
  return value;
}

/** `import.run` plus the write permission of the target (and of what the options make it touch). */
function authorizeImport(ctx: Ctx, target: TargetKey, options?: ImportOptions, mapping?: Record<string, string | null>): void {
  authorize(ctx.actor, 'import.run');
  authorize(ctx.actor, TARGET_DEFS[target].writePermission);
  const need = new Set<Permission>();
  const mapped = new Set(Object.values(mapping ?? {}).filter(Boolean));
  if (mapped.has('checkedOutTo')) need.add('custody.manage');
  if (options?.createMissing) {
    if (target === 'assets' || target === 'models') need.add('catalog.manage');
    if (mapped.has('location') || mapped.has('currentLocation') || mapped.has('parent')) need.add('location.manage');
    if (mapped.has('department')) need.add('department.manage');
    if (mapped.has('supplier')) need.add('catalog.manage');
  }
  const lacking = [...need].filter((p) => !can(ctx.actor, p));
  if (lacking.length) throw forbidden(`This import also needs the ${lacking.map((p) => `"${p}"`).join(', ')} permission${lacking.length > 1 ? 's' : ''}.`);
}

// ---------- formats ----------

function samplesOf(info: SourceInfo, column: string): string[] {
  const i = info.headerKeys.indexOf(column);
  return i < 0 ? [] : info.sample.map((r) => r[i] ?? '').filter((v) => v.trim() !== '');
}

/** Date and number formats detected for the mapped columns that need one (chosen ones are kept). */
function detectFormats(info: SourceInfo, mapping: Record<string, string | null>, fields: readonly TargetField[], previous: Record<string, ColumnFormat> = {}): Record<string, ColumnFormat> {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const out: Record<string, ColumnFormat> = {};
  for (const [column, key] of Object.entries(mapping)) {
    const f = key ? byKey.get(key) : undefined;
    if (!f) continue;
    const types = f.type === 'custom' ? (f.custom ?? []).map((c) => c.type as string) : [f.type as string];
    const wantsDate = types.includes('date');
    const wantsNumber = types.some((t) => t === 'money' || t === 'number' || t === 'integer');
    if (!wantsDate && !wantsNumber) continue;
    const samples = samplesOf(info, column);
    const prev = previous[column] ?? {};
    const fmt: ColumnFormat = { detected: { ambiguous: false } };
    if (wantsDate) {
      const d = detectDateFormat(samples);
      fmt.detected!.date = d.format;
      fmt.detected!.ambiguous = d.ambiguous;
      fmt.date = prev.date ?? d.format ?? 'iso';
    }
    if (wantsNumber) {
      const n = detectNumberFormat(samples);
      fmt.detected!.number = n.format;
      fmt.detected!.ambiguous = fmt.detected!.ambiguous || n.ambiguous;
      fmt.number = prev.number ?? n.format;
    }
    out[column] = fmt;
  }
  return out;
}

function checkMapping(mapping: Record<string, string | null>, info: SourceInfo, fields: readonly TargetField[]): void {
  const errors: FieldError[] = [];
  const keys = new Set(fields.map((f) => f.key));
  const seen = new Map<string, string>();
  for (const [column, key] of Object.entries(mapping)) {
    if (!info.headerKeys.includes(column)) errors.push({ path: `/body/mapping/${column}`, message: 'is not a column of the file', code: 'unknown_column' });
    if (key === null) continue;
    if (!keys.has(key)) errors.push({ path: `/body/mapping/${column}`, message: `"${key}" is not a field of this target`, code: 'unknown_field' });
    else if (seen.has(key)) errors.push({ path: `/body/mapping/${column}`, message: `"${key}" is already mapped from the column "${seen.get(key)}"`, code: 'duplicate' });
    else seen.set(key, column);
  }
  if (errors.length) throw unprocessable('import.invalid_mapping', 'The column mapping is not valid; see errors.', errors);
}

function mergeOptions(target: TargetKey, base: ImportOptions, input: ImportOptionsInput | undefined): ImportOptions {
  const o: ImportOptions = { ...base, ...Object.fromEntries(Object.entries(input ?? {}).filter(([, v]) => v !== undefined)) };
  const def = TARGET_DEFS[target];
  if (!o.matchBy) o.matchBy = def.matchKeys[0]!;
  if (!def.matchKeys.includes(o.matchBy)) {
    throw unprocessable('import.invalid_options', `Records of ${target} can be matched on ${def.matchKeys.join(', ')}.`, [{ path: '/body/options/matchBy', message: `must be one of ${def.matchKeys.join(', ')}`, code: 'enum' }]);
  }
  return o;
}

function fileProblem(err: ImportFileError): AppError {
  const status = err.code === 'too_large' ? 413 : err.code === 'not_a_spreadsheet' ? 415 : 422;
  return new AppError(status, `import.${err.code}`, err.detail, [{ path: '/body/file', message: err.detail, code: err.code }], err.line ? { line: err.line } : {});
}

// ---------- upload ----------

const MULTIPART_SLACK = 64 * 1024;

/**
 * `POST /imports` (multipart): the file in `file`; form fields `target` (required), optional
 * `format`, `encoding`, `delimiter`, `sheet`, `presetId`, `options` (JSON of ImportOptions).
 */
export async function upload(ctx: Ctx, src: MultipartSource & { headers: Record<string, string | string[] | undefined> }): Promise<ImportJobDto> {
  authorize(ctx.actor, 'import.run');
  const orgId = orgOf(ctx);
  const max = ctx.config.maxImportBytes;
  const tooLarge = () => new AppError(413, 'import.too_large', `The file is larger than the ${Math.round(max / 1024 / 1024)} MiB this server accepts for imports (MAX_IMPORT_BYTES).`,
    [{ path: '/body/file', message: `must be at most ${max} bytes`, code: 'maxSize' }], { maxBytes: max });
  const declared = Number(src.headers['content-length'] ?? 0);
  if (declared > max + MULTIPART_SLACK) throw tooLarge();
  if (!src.isMultipart()) throw new AppError(415, 'upload.not_multipart', 'Send the file as multipart/form-data in the field "file".');
  const id = newId();
  const rel = join('imports', orgId, id);
  const final = join(ctx.config.dataDir, rel);
  const temp = `${final}.part`;
  await mkdir(join(ctx.config.dataDir, 'imports', orgId), { recursive: true });
  const fields: Record<string, string> = {};
  let file: { name: string; size: number; sha256: string } | null = null;
  try {
    try {
      for await (const part of src.parts({ limits: { fileSize: max, files: 1, fields: 20, fieldSize: 100_000, parts: 25 } })) {
        if (part.type === 'field') {
          if (typeof part.value === 'string') fields[part.fieldname] = part.value;
          continue;
        }
        if (part.fieldname !== 'file' || file) {
          part.file.resume();
          throw new AppError(400, 'upload.unexpected_file', `Only one file, in the form field "file", is accepted (got "${part.fieldname}").`);
        }
        const hash = createHash('sha256');
        let size = 0;
        await pipeline(part.file, new Transform({
          transform(chunk: Buffer, _enc, cb) { hash.update(chunk); size += chunk.length; cb(null, chunk); },
        }), createWriteStream(temp, { mode: 0o600 }));
        if (part.file.truncated) throw tooLarge();
        file = { name: cleanFileName(part.filename), size, sha256: hash.digest('hex') };
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      const code = (err as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
      throw new AppError(400, 'upload.malformed', `The multipart body could not be read: ${(err as Error).message}`);
    }
    if (!file) throw new AppError(400, 'upload.file_required', 'No file was sent; put it in the form field "file".', [{ path: '/body/file', message: 'is required', code: 'required' }]);
    const target = targetOf(fields.target ?? '');
    let input: ImportOptionsInput | undefined;
    try {
      input = fields.options ? JSON.parse(fields.options) as ImportOptionsInput : undefined;
    } catch {
      throw unprocessable('import.invalid_options', 'The options field must be JSON.', [{ path: '/body/options', message: 'is not valid JSON', code: 'json' }]);
    }
    const options = mergeOptions(target, DEFAULT_OPTIONS, input);
    authorizeImport(ctx, target, options);
    if (file.size === 0) throw new AppError(422, 'import.empty_file', 'The file is empty.', [{ path: '/body/file', message: 'is empty', code: 'empty_file' }]);
    const sourceOptions = sourceOptionsOf(fields);
    const limits = jobs.readLimits(ctx.config);
    let info: SourceInfo;
    let total: number;
    try {
      info = await inspect(temp, sourceOptions, limits);
      total = await countRows(temp, info, limits);
    } catch (err) {
      if (err instanceof ImportFileError) throw fileProblem(err);
      throw err;
    }
    const targetFields = await fieldsOf(ctx.db, orgId, target);
    const preset = fields.presetId ? await repo.findPreset(ctx.db, orgId, fields.presetId) : undefined;
    if (fields.presetId && (!preset || preset.target !== target)) throw notFound('preset', '/body/presetId');
    const mapping = preset ? applyPreset(info, preset, targetFields) : autoMap(info.headers, info.headerKeys, targetFields);
    const formats = detectFormats(info, mapping, targetFields, preset ? presetFormats(info, preset) : {});
    await rename(temp, final);
    const now = nowIso();
    await repo.insertJob(ctx.db, {
      id, org_id: orgId, created_by: ctx.actor.userId, created_by_label: ctx.actor.label, target, status: 'uploaded', phase: null,
      file_name: file.name, file_size: file.size, file_sha256: file.sha256, stored_path: rel, source_options: JSON.stringify(sourceOptions),
      source_info: JSON.stringify(info), mapping: JSON.stringify(mapping), formats: JSON.stringify(formats), options: JSON.stringify(options),
      report: null, total_rows: total, started_at: null, finished_at: null, heartbeat_at: null, failure_reason: null, created_at: now, updated_at: now,
    });
    return get(ctx, id);
  } catch (err) {
    await rm(temp, { force: true });
    await rm(final, { force: true });
    throw err;
  }
}

function sourceOptionsOf(fields: Record<string, string>): SourceOptions {
  const errors: FieldError[] = [];
  const pick = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const v = fields[name];
    if (v === undefined || v === '') return undefined;
    const value = name === 'delimiter' && v === '\\t' ? '\t' : v;
    if (!(allowed as readonly string[]).includes(value)) errors.push({ path: `/body/${name}`, message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, code: 'enum' });
    return value as T;
  };
  const out: SourceOptions = {};
  const format = pick('format', ['csv', 'xlsx'] as const);
  const encoding = pick('encoding', ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const);
  const delimiter = pick('delimiter', [',', ';', '\t', '|'] as const);
  if (format) out.format = format;
  if (encoding) out.encoding = encoding;
  if (delimiter) out.delimiter = delimiter;
  if (fields.sheet) out.sheet = fields.sheet;
  if (errors.length) throw unprocessable('import.invalid_source', 'The file options are not valid; see errors.', errors);
  return out;
}

/** A preset maps headers as written in a file; columns match case-, space- and punctuation-insensitively. */
function applyPreset(info: SourceInfo, preset: repo.PresetRow, fields: readonly TargetField[]): Record<string, string | null> {
  const m = JSON.parse(preset.mapping) as Record<string, string | null>;
  const byHeader = new Map(Object.entries(m).map(([h, k]) => [normHeader(h), k]));
  const keys = new Set(fields.map((f) => f.key));
  const taken = new Set<string>();
  const out: Record<string, string | null> = {};
  info.headerKeys.forEach((hk, i) => {
    const k = byHeader.get(normHeader(hk)) ?? byHeader.get(normHeader(info.headers[i] ?? hk)) ?? null;
    out[hk] = k && keys.has(k) && !taken.has(k) ? k : null;
    if (out[hk]) taken.add(out[hk]);
  });
  return out;
}

function presetFormats(info: SourceInfo, preset: repo.PresetRow): Record<string, ColumnFormat> {
  const f = JSON.parse(preset.formats) as Record<string, ColumnFormat>;
  const byHeader = new Map(Object.entries(f).map(([h, v]) => [normHeader(h), v]));
  const out: Record<string, ColumnFormat> = {};
  for (const hk of info.headerKeys) {
    const v = byHeader.get(normHeader(hk));
    if (v) out[hk] = { ...(v.date ? { date: v.date } : {}), ...(v.number ? { number: v.number } : {}) };
  }
  return out;
}

// ---------- jobs ----------

async function requireJob(ctx: Ctx, id: string): Promise<repo.JobRow> {
  authorize(ctx.actor, 'import.run');
  const job = await repo.findJob(ctx.db, orgOf(ctx), id);
  if (!job) throw notFound('import');
  return job;
}

export async function get(ctx: Ctx, id: string): Promise<ImportJobDto> {
  return toJobDto(await requireJob(ctx, id));
}

export async function list(ctx: Ctx, q: { target?: string; cursor?: string; limit?: number }): Promise<{ items: ImportJobDto[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'import.run');
  const limit = q.limit ?? 20;
  const rows = await repo.listJobs(ctx.db, orgOf(ctx), { target: q.target, before: q.cursor, limit: limit + 1 });
  const items = rows.slice(0, limit).map(toJobDto);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

export async function targets(ctx: Ctx) {
  authorize(ctx.actor, 'import.run');
  const orgId = orgOf(ctx);
  return Promise.all(TARGETS.map(async (t) => ({
    key: t, label: TARGET_DEFS[t].label, matchKeys: [...TARGET_DEFS[t].matchKeys], fields: (await fieldsOf(ctx.db, orgId, t)).map(fieldDto),
  })));
}

function assertIdle(job: repo.JobRow, what: string): void {
  if (RUNNING.includes(job.status)) throw conflict('import.running', `The import is ${job.status}; wait for it or cancel it before you ${what}.`, { status: job.status });
  if (job.status === 'committed') throw conflict('import.committed', `The import was already committed; upload the file again to ${what}.`, { status: job.status });
}

/** `PATCH /imports/:id`: mapping, formats, options or file options (re-inspects the file). Resets a dry run. */
export async function update(ctx: Ctx, id: string, input: UpdateJobInput): Promise<ImportJobDto> {
  const job = await requireJob(ctx, id);
  assertIdle(job, 'change it');
  const target = job.target as TargetKey;
  const orgId = job.org_id;
  const s = jobs.settingsOf(job);
  const fields = await fieldsOf(ctx.db, orgId, target);
  let info = s.info;
  let total = job.total_rows;
  let sourceOptions = JSON.parse(job.source_options) as SourceOptions;
  let mapping = s.mapping;
  if (input.source) {
    sourceOptions = Object.fromEntries(Object.entries({ ...sourceOptions, ...input.source }).filter(([, v]) => v !== undefined && v !== '')) as SourceOptions;
    const limits = jobs.readLimits(ctx.config);
    try {
      info = await inspect(jobs.filePath(ctx.config, job), sourceOptions, limits);
      total = await countRows(jobs.filePath(ctx.config, job), info, limits);
    } catch (err) {
      if (err instanceof ImportFileError) throw fileProblem(err);
      throw err;
    }
    if (info.headerKeys.join('\u0000') !== s.info.headerKeys.join('\u0000')) mapping = autoMap(info.headers, info.headerKeys, fields);
  }
  let presetF: Record<string, ColumnFormat> = {};
  if (input.presetId) {
    const preset = await repo.findPreset(ctx.db, orgId, input.presetId);
    if (!preset || preset.target !== target) throw notFound('preset', '/body/presetId');
    mapping = applyPreset(info, preset, fields);
    presetF = presetFormats(info, preset);
  }
  if (input.mapping) {
    mapping = { ...Object.fromEntries(info.headerKeys.map((k) => [k, mapping[k] ?? null])), ...input.mapping };
    checkMapping(mapping, info, fields);
  }
  const chosen: Record<string, ColumnFormat> = { ...s.formats, ...presetF, ...(input.formats ?? {}) };
  const unknownFormats = Object.keys(input.formats ?? {}).filter((k) => !info.headerKeys.includes(k));
  if (unknownFormats.length) {
    throw unprocessable('import.invalid_formats', 'Formats name columns the file does not have.', unknownFormats.map((k) => ({ path: `/body/formats/${k}`, message: 'is not a column of the file', code: 'unknown_column' })));
  }
  const formats = detectFormats(info, mapping, fields, Object.fromEntries(Object.entries(chosen).map(([k, v]) => [k, { ...(v.date ? { date: v.date } : {}), ...(v.number ? { number: v.number } : {}) }])));
  const options = mergeOptions(target, s.options, input.options);
  await repo.updateJob(ctx.db, orgId, id, {
    source_options: JSON.stringify(sourceOptions), source_info: JSON.stringify(info), total_rows: total, mapping: JSON.stringify(mapping),
    formats: JSON.stringify(formats), options: JSON.stringify(options), status: 'uploaded', phase: null, report: null, processed_rows: 0,
    created_count: 0, updated_count: 0, unchanged_count: 0, failed_count: 0, error_count: 0, failure_reason: null, finished_at: null, updated_at: nowIso(),
  });
  await repo.deleteErrors(ctx.db, orgId, id);
  return get(ctx, id);
}

function requireMapped(job: repo.JobRow): void {
  const s = jobs.settingsOf(job);
  const mapped = new Set(Object.values(s.mapping).filter(Boolean));
  if (job.target === 'assets') {
    if (!mapped.has('model') && !mapped.has(s.options.matchBy)) {
      throw unprocessable('import.unmapped', `Map a Model column (for new assets) or the ${s.options.matchBy} column (to update existing ones).`, [{ path: '/body/mapping', message: 'needs model or the match column', code: 'required' }]);
    }
    return;
  }
  const missing = TARGET_DEFS[job.target as TargetKey].fields.filter((f) => f.required && !mapped.has(f.key));
  if (missing.length) {
    throw unprocessable('import.unmapped', `Map a column to ${missing.map((f) => f.label).join(', ')}.`, missing.map((f) => ({ path: '/body/mapping', message: `${f.label} is required`, code: 'required' })));
  }
}

/** `POST /imports/:id/validate`: the dry run, in the background (202). */
export async function startValidate(ctx: Ctx, id: string): Promise<ImportJobDto> {
  const job = await requireJob(ctx, id);
  assertIdle(job, 'validate it');
  const s = jobs.settingsOf(job);
  authorizeImport(ctx, job.target as TargetKey, s.options, s.mapping);
  requireMapped(job);
  const now = nowIso();
  if (!(await repo.transitionJob(ctx.db, job.org_id, id, ['uploaded', 'validated', 'failed', 'cancelled'], {
    status: 'validating', phase: 'validate', started_at: now, finished_at: null, processed_rows: 0, failure_reason: null, cancel_requested: 0, updated_at: now,
  }))) throw conflict('import.running', 'The import was started by someone else.');
  const runCtx: Ctx = { ...ctx, eventMeta: { importJobId: id } };
  void jobs.enqueue(() => jobs.validate(ctx.db, runCtx, ctx.config, id)).catch((err: unknown) => jobs.failIfStuck(ctx.db, job.org_id, id, err));
  return get(ctx, id);
}

/** `POST /imports/:id/commit`: writes the rows, in the background (202). */
export async function startCommit(ctx: Ctx, id: string, input: CommitInput = {}): Promise<ImportJobDto> {
  const job = await requireJob(ctx, id);
  assertIdle(job, 'commit it');
  const s = jobs.settingsOf(job);
  const options = mergeOptions(job.target as TargetKey, s.options, input.options);
  authorizeImport(ctx, job.target as TargetKey, options, s.mapping);
  requireMapped(job);
  const now = nowIso();
  if (!(await repo.transitionJob(ctx.db, job.org_id, id, ['uploaded', 'validated', 'failed', 'cancelled'], {
    status: 'committing', phase: 'commit', options: JSON.stringify(options), started_at: now, finished_at: null, processed_rows: 0, committed_rows: 0,
    created_count: 0, updated_count: 0, unchanged_count: 0, failed_count: 0, error_count: 0, failure_reason: null, cancel_requested: 0, updated_at: now,
  }))) throw conflict('import.running', 'The import was started by someone else.');
  const runCtx: Ctx = { ...ctx, eventMeta: { importJobId: id } };
  void jobs.enqueue(() => jobs.commit(ctx.db, runCtx, ctx.config, id)).catch((err: unknown) => jobs.failIfStuck(ctx.db, job.org_id, id, err));
  return get(ctx, id);
}

/** `POST /imports/:id/cancel`: stops a running job after its current chunk (valid-only keeps committed batches). */
export async function cancel(ctx: Ctx, id: string): Promise<ImportJobDto> {
  const job = await requireJob(ctx, id);
  if (!RUNNING.includes(job.status)) throw conflict('import.not_running', `The import is ${job.status}, not running.`, { status: job.status });
  jobs.requestCancel(id);
  await repo.updateJob(ctx.db, job.org_id, id, { cancel_requested: 1 });
  return get(ctx, id);
}

export async function remove(ctx: Ctx, id: string): Promise<void> {
  const job = await requireJob(ctx, id);
  if (RUNNING.includes(job.status)) throw conflict('import.running', 'Cancel the import before deleting it.', { status: job.status });
  await repo.deleteJob(ctx.db, job.org_id, id);
  await rm(jobs.filePath(ctx.config, job), { force: true });
}

/** For the SSE route: the job now, and a subscription to its live progress. */
export async function watch(ctx: Ctx, id: string): Promise<{ job: ImportJobDto; running: boolean; subscribe: (fn: (job: ImportJobDto) => void) => () => void }> {
  const job = await requireJob(ctx, id);
  const orgId = job.org_id;
  return {
    job: toJobDto(job),
    running: RUNNING.includes(job.status),
    subscribe: (fn) => jobs.subscribe(id, (p) => {
      if (p.status !== 'validating' && p.status !== 'committing') {
        // Final: read the stored job (report, counts) once the runner has written it.
        void repo.findJob(ctx.db, orgId, id).then((row) => { if (row) fn(toJobDto(row)); });
      } else fn(toJobDto({ ...job, status: p.status, phase: p.phase }));
    }),
  };
}

// ---------- errors ----------

export async function errors(ctx: Ctx, id: string, q: { cursor?: string; limit?: number; line?: number }) {
  const job = await requireJob(ctx, id);
  const limit = q.limit ?? 100;
  const rows = await repo.listErrors(ctx.db, job.org_id, id, { afterSeq: q.cursor ? Number(q.cursor) : undefined, limit: limit + 1, line: q.line });
  const items = rows.slice(0, limit).map((e) => ({ seq: Number(e.seq), line: Number(e.line), column: e.column_key, field: e.field, code: e.code, message: e.message }));
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.seq) : null };
}

/** The rows that failed, as in the file, plus an `Errors` column: fix them and import this file again. */
export async function errorsCsv(ctx: Ctx, id: string): Promise<{ fileName: string; stream: Readable }> {
  const job = await requireJob(ctx, id);
  const s = jobs.settingsOf(job);
  const db = ctx.db;
  const headerByKey = new Map(s.info.headerKeys.map((k, i) => [k, s.info.headers[i] ?? k]));
  async function* rows(): AsyncGenerator<(string | null)[]> {
    let page: repo.ErrorRow[] = [];
    let at = 0;
    let after = { line: -1, seq: 0 };
    const next = async () => {
      page = await repo.errorsFromLine(db, job.org_id, id, after, 1000);
      at = 0;
      const last = page[page.length - 1];
      if (last) after = { line: Number(last.line), seq: Number(last.seq) };
    };
    await next();
    const messages = (line: number): string[] => {
      const out: string[] = [];
      for (;;) {
        const e = page[at];
        if (!e || Number(e.line) !== line) return out;
        const col = e.column_key ? headerByKey.get(e.column_key) ?? e.column_key : null;
        out.push(col && !e.message.startsWith(col) ? `${col}: ${e.message}` : e.message);
        at++;
      }
    };
    const whole: string[] = [];
    while (page[at] && Number(page[at]!.line) === 0) whole.push(page[at++]!.message);
    if (whole.length) yield [...s.info.headers.map(() => null), whole.join('; ')];
    for await (const r of readRows(jobs.filePath(ctx.config, job), s.info, jobs.readLimits(ctx.config))) {
      if (at >= page.length && page.length) await next();
      if (!page.length) return;
      while (page[at] && Number(page[at]!.line) < r.line) at++;
      const msgs = messages(r.line);
      if (at >= page.length && page.length === 1000) {
        await next();
        msgs.push(...messages(r.line));
      }
      if (msgs.length) yield [...s.info.headers.map((_, i) => r.cells[i] ?? ''), ...r.cells.slice(s.info.headers.length), msgs.join('; ')];
    }
  }
  const out = new PassThrough();
  writeCsv(out, [...s.info.headers, 'Errors'], rows()).catch((err: unknown) => out.destroy(err as Error));
  const base = job.file_name.replace(/\.[^.]+$/, '');
  return { fileName: `${base}-errors.csv`, stream: out };
}

// ---------- presets ----------

const toPresetDto = (p: repo.PresetRow): PresetDto => ({
  id: p.id, target: p.target as TargetKey, name: p.name, mapping: JSON.parse(p.mapping) as Record<string, string | null>,
  formats: JSON.parse(p.formats) as PresetDto['formats'], createdAt: p.created_at, updatedAt: p.updated_at,
});

export async function listPresets(ctx: Ctx, q: { target?: string }): Promise<PresetDto[]> {
  authorize(ctx.actor, 'import.run');
  return (await repo.listPresets(ctx.db, orgOf(ctx), q.target)).map(toPresetDto);
}

/** Saves a mapping by header text (from the body, or from a job's current mapping); a preset with the same name is replaced. */
export async function savePreset(ctx: Ctx, input: CreatePresetInput): Promise<PresetDto> {
  authorize(ctx.actor, 'import.run');
  const orgId = orgOf(ctx);
  const target = targetOf(input.target);
  let mapping = input.mapping ?? {};
  let formats: Record<string, ColumnFormat> = input.formats ?? {};
  if (input.fromJobId) {
    const job = await requireJob(ctx, input.fromJobId);
    if (job.target !== target) throw unprocessable('import.preset_target', `The import is for ${job.target}, not ${target}.`, [{ path: '/body/fromJobId', message: 'is an import of another target', code: 'target' }]);
    const s = jobs.settingsOf(job);
    const header = (k: string) => s.info.headers[s.info.headerKeys.indexOf(k)] ?? k;
    mapping = Object.fromEntries(Object.entries(s.mapping).map(([k, v]) => [header(k), v]));
    formats = Object.fromEntries(Object.entries(s.formats).map(([k, v]) => [header(k), { ...(v.date ? { date: v.date } : {}), ...(v.number ? { number: v.number } : {}) }]));
  }
  const fieldKeys = new Set((await fieldsOf(ctx.db, orgId, target)).map((f) => f.key));
  const bad = Object.entries(mapping).filter(([, v]) => v !== null && !fieldKeys.has(v));
  if (bad.length) throw unprocessable('import.invalid_mapping', 'The mapping names unknown fields.', bad.map(([h, v]) => ({ path: `/body/mapping/${h}`, message: `"${v}" is not a field of ${target}`, code: 'unknown_field' })));
  const now = nowIso();
  const name = input.name.trim();
  const existing = await repo.findPresetByName(ctx.db, orgId, target, name);
  if (existing) {
    await repo.updatePreset(ctx.db, orgId, existing.id, { mapping: JSON.stringify(mapping), formats: JSON.stringify(formats), updated_at: now });
    return toPresetDto((await repo.findPreset(ctx.db, orgId, existing.id))!);
  }
  const row: repo.PresetRow = { id: newId(), org_id: orgId, target, name, mapping: JSON.stringify(mapping), formats: JSON.stringify(formats), created_by: ctx.actor.userId, created_at: now, updated_at: now };
  try {
    await repo.insertPreset(ctx.db, row);
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('import.preset_exists', `A preset named "${name}" already exists.`);
    throw err;
  }
  return toPresetDto(row);
}

export async function deletePreset(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx.actor, 'import.run');
  const orgId = orgOf(ctx);
  if (!(await repo.findPreset(ctx.db, orgId, id))) throw notFound('preset');
  await repo.deletePreset(ctx.db, orgId, id);
}

// ---------- exports ----------

/** `GET /exports/<target>.csv|.xlsx`: every record of the target with the import's canonical headers. */
export async function exportFile(ctx: Ctx, file: string): Promise<{ fileName: string; contentType: string; stream: Readable }> {
  const m = /^([a-z]+)\.(csv|xlsx)$/.exec(file);
  const target = targetOf(m?.[1] ?? '', '/params/file');
  authorize(ctx.actor, TARGET_DEFS[target].readPermission);
  const orgId = orgOf(ctx);
  const format = m![2] as 'csv' | 'xlsx';
  const stream = await exportTarget(ctx, orgId, target, format);
  const day = nowIso().slice(0, 10);
  return {
    fileName: `${target}-${day}.${format}`,
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    stream,
  };
}

/** Server start: see jobs.recoverInterrupted. */
export const recoverInterrupted = jobs.recoverInterrupted;
