/**
 * The in-process job runner of imports: one job at a time, in the background of the server that
 * accepted it. State lives in `import_jobs` (status, counters, report), so a page reload finds
 * it; live progress (rows/s, ETA) is also kept in memory and pushed to SSE subscribers, because an
 * all-or-nothing commit holds its transaction (on SQLite: the single connection) until the end.
 *
 * Crash safety: an all-or-nothing commit writes the job's final counters in its own transaction,
 * so a crash leaves no rows and the job says so; a valid-only commit advances `committed_rows` in
 * the same transaction as each batch, so after a crash the job row says exactly which batches are
 * in. `recoverInterrupted` (server start) marks jobs left running as failed.
 */
import { join } from 'node:path';
import type { Ctx } from '../../context.js';
import { systemActor } from '../../context.js';
import type { Db, Executor } from '../../db/database.js';
import type { Config } from '../../config.js';
import { nowIso } from '../../lib/ids.js';
import { collectGarbage, collectIfGrown } from '../../lib/memory.js';
import { completeAssetIndexing, deferAssetIndexing, pauseFullTextMerges, refreshStatistics, resumeFullTextMerges, withCheckpointDeferred, withLongWrite, withTempFiles } from '../../db/dialect.js';
import * as events from '../events/events.service.js';
import { ImportFileError, readRows, type ReadLimits, type SourceInfo } from './imports.read.js';
import * as repo from './imports.repository.js';
import {
  parseRow, planColumns, type ChunkResult, type ColumnFormat, type ImportOptions, type ParsedRow, type RowIssue, type RowProcessor,
} from './imports.engine.js';
import { fieldsOf, type TargetKey } from './imports.targets.js';
import { makeProcessor } from './imports.processors.js';

export type Phase = 'validate' | 'commit';

export interface LiveProgress {
  jobId: string;
  status: string;
  phase: Phase;
  processed: number;
  total: number | null;
  startedMs: number;
  counts: ChunkResult;
  errorCount: number;
}

const live = new Map<string, LiveProgress>();
const listeners = new Map<string, Set<(p: LiveProgress) => void>>();
const cancelled = new Set<string>();
let chain: Promise<void> = Promise.resolve();

/**
 * Test seams: `afterBatch` runs after each committed valid-only batch (throw `SimulatedCrash` to
 * stop like a killed process); `afterChunk` after each chunk an all-or-nothing commit wrote, inside
 * its transaction.
 */
export const testHooks: {
  afterBatch?: (jobId: string, batch: number) => void | Promise<void>;
  afterChunk?: (jobId: string, chunk: number) => void | Promise<void>;
} = {};
export class SimulatedCrash extends Error {}

export const liveProgress = (jobId: string): LiveProgress | undefined => live.get(jobId);

export function subscribe(jobId: string, fn: (p: LiveProgress) => void): () => void {
  let set = listeners.get(jobId);
  if (!set) listeners.set(jobId, (set = new Set()));
  set.add(fn);
  return () => {
    set.delete(fn);
    if (!set.size) listeners.delete(jobId);
  };
}

function publish(p: LiveProgress): void {
  for (const fn of listeners.get(p.jobId) ?? []) fn(p);
}

export function requestCancel(jobId: string): void {
  cancelled.add(jobId);
}

/** Queues a run; runs one at a time. Resolves when this run has finished (tests await it). */
export function enqueue(run: () => Promise<void>): Promise<void> {
  const next = chain.then(run, run);
  chain = next.catch(() => undefined);
  return next;
}

/** Resolves when every queued run has finished. */
export const idle = (): Promise<void> => chain;

export function readLimits(config: Config): ReadLimits {
  return { maxFileBytes: config.maxImportBytes, maxInflatedBytes: config.maxImportInflatedBytes, maxColumns: 1000, maxCellChars: 32_767 };
}

export const filePath = (config: Config, job: repo.JobRow) => join(config.dataDir, job.stored_path);

export interface JobSettings {
  info: SourceInfo;
  mapping: Record<string, string | null>;
  formats: Record<string, ColumnFormat>;
  options: ImportOptions;
}

export const settingsOf = (job: repo.JobRow): JobSettings => ({
  info: JSON.parse(job.source_info) as SourceInfo,
  mapping: JSON.parse(job.mapping) as Record<string, string | null>,
  formats: JSON.parse(job.formats) as Record<string, ColumnFormat>,
  options: JSON.parse(job.options) as ImportOptions,
});

/** The most problems stored per job (a file of a million bad rows still gets a bounded report). */
export const MAX_STORED_ISSUES = 200_000;
const READ_CHUNK = 500;

/** Tables a bulk load grows; their planner statistics are refreshed as it goes (dialect.refreshStatistics). */
const GROWING = ['assets', 'asset_search', 'asset_sort_keys', 'assignments', 'asset_field_values', 'external_ids', 'events'];
const STATS_EVERY = 20_000;

/**
 * Whether writing rows (before, after] passes a point where the statistics are refreshed: 1,000,
 * 2,000, 4,000 … while under STATS_EVERY (an import into a small organization doubles its tables
 * quickly, and plans made for the small ones scan them), then every STATS_EVERY rows.
 */
export function statisticsDue(before: number, after: number): boolean {
  if (Math.floor(after / STATS_EVERY) > Math.floor(before / STATS_EVERY)) return true;
  for (let point = 1000; point < STATS_EVERY; point *= 2) if (before < point && after >= point) return true;
  return false;
}

/**
 * All-or-nothing commits of at least this many rows pause the full-text index's merges until their
 * end (dialect.pauseFullTextMerges) and, importing assets, index the new assets once at the end
 * instead of row by row (dialect.deferAssetIndexing).
 */
const BULK_FULL_TEXT_ROWS = 5_000;

class RowErrors extends Error {}
class Cancelled extends Error {}

async function* chunks(rows: AsyncIterable<{ line: number; cells: string[] }>, size: number): AsyncGenerator<{ line: number; cells: string[] }[]> {
  let buf: { line: number; cells: string[] }[] = [];
  for await (const r of rows) {
    buf.push(r);
    if (buf.length >= size) {
      yield buf;
      buf = [];
    }
  }
  if (buf.length) yield buf;
}

interface Run {
  ctx: Ctx;
  job: repo.JobRow;
  settings: JobSettings;
  processor: RowProcessor;
  parse: (line: number, cells: string[]) => ParsedRow;
  progress: LiveProgress;
  issues: RowIssue[];
  errorCount: number;
  seq: number;
  lastPublish: number;
}

async function openRun(ctx: Ctx, job: repo.JobRow, phase: Phase, db: Executor): Promise<Run> {
  const settings = settingsOf(job);
  const fields = await fieldsOf(db, job.org_id, job.target as TargetKey);
  const columns = planColumns(settings.info.headerKeys, settings.mapping, fields, settings.formats);
  const columnOfField = new Map(columns.map((c) => [c.field.key, c.column]));
  const processor = makeProcessor(job.target as TargetKey, { ctx, orgId: job.org_id, jobId: job.id, options: settings.options, fields, columns });
  const headerCount = settings.info.headerKeys.length;
  const progress: LiveProgress = {
    jobId: job.id, status: phase === 'validate' ? 'validating' : 'committing', phase, processed: 0, total: job.total_rows, startedMs: Date.now(),
    counts: { created: 0, updated: 0, unchanged: 0, failed: 0 }, errorCount: 0,
  };
  live.set(job.id, progress);
  return {
    ctx, job, settings, processor, progress, issues: [], errorCount: 0, seq: 0, lastPublish: 0,
    parse: (line, cells) => parseRow(line, cells, columns, headerCount, (f) => columnOfField.get(f) ?? null),
  };
}

function add(a: ChunkResult, b: ChunkResult): void {
  a.created += b.created;
  a.updated += b.updated;
  a.unchanged += b.unchanged;
  a.failed += b.failed;
}

function collect(run: Run, rows: ParsedRow[]): RowIssue[] {
  const out: RowIssue[] = [];
  for (const r of rows) {
    run.errorCount += r.issues.length;
    for (const i of r.issues) if (run.seq + out.length < MAX_STORED_ISSUES) out.push(i);
  }
  return out;
}

const toErrorRows = (run: Run, issues: RowIssue[]): repo.ErrorRow[] => issues.map((i) => ({
  org_id: run.job.org_id, job_id: run.job.id, seq: ++run.seq, line: i.line, column_key: i.column, field: i.field, code: i.code, message: i.message,
}));

function tick(run: Run, n: number, force = false): void {
  // Once per chunk: keeps the heap of a long run bounded (lib/memory.ts).
  collectIfGrown();
  run.progress.processed += n;
  run.progress.errorCount = run.errorCount;
  const now = Date.now();
  if (force || now - run.lastPublish > 200) {
    run.lastPublish = now;
    publish(run.progress);
  }
}

function report(run: Run): string {
  const planned = run.processor.plannedReferences();
  const byKind: Record<string, number> = {};
  for (const p of planned) byKind[p.kind] = (byKind[p.kind] ?? 0) + 1;
  return JSON.stringify({
    rows: run.progress.processed, ...run.progress.counts, errors: run.errorCount, errorsTruncated: run.errorCount > MAX_STORED_ISSUES,
    newReferences: { counts: byKind, items: planned.slice(0, 1000) },
    seconds: Math.round((Date.now() - run.progress.startedMs) / 100) / 10,
  });
}

function finish(run: Run, status: string): void {
  run.progress.status = status;
  publish(run.progress);
  live.delete(run.job.id);
  cancelled.delete(run.job.id);
}

const counters = (c: ChunkResult) => ({ created_count: c.created, updated_count: c.updated, unchanged_count: c.unchanged, failed_count: c.failed });

/** The dry run: every row through the target's rules, nothing written but the report and its errors. */
export async function validate(db: Db, ctx: Ctx, config: Config, jobId: string): Promise<void> {
  const job = await repo.findJob(db, ctx.actor.orgId ?? '', jobId);
  if (!job) return;
  const run = await openRun(ctx, job, 'validate', db);
  try {
    await repo.deleteErrors(db, job.org_id, job.id);
    await run.processor.prepare(db);
    let lastSave = Date.now();
    for await (const chunk of chunks(readRows(filePath(config, job), run.settings.info, readLimits(config)), READ_CHUNK)) {
      if (cancelled.has(job.id)) throw new Cancelled();
      const parsed = chunk.map((r) => run.parse(r.line, r.cells));
      add(run.progress.counts, await run.processor.chunk(parsed, db, false));
      await repo.insertErrors(db, toErrorRows(run, collect(run, parsed)));
      tick(run, chunk.length);
      if (Date.now() - lastSave > 1000) {
        lastSave = Date.now();
        await repo.updateJob(db, job.org_id, job.id, { processed_rows: run.progress.processed, heartbeat_at: nowIso(), ...counters(run.progress.counts), error_count: run.errorCount });
      }
      await new Promise((r) => setImmediate(r));
    }
    await repo.updateJob(db, job.org_id, job.id, {
      status: 'validated', processed_rows: run.progress.processed, total_rows: run.progress.processed, ...counters(run.progress.counts),
      error_count: run.errorCount, report: report(run), finished_at: nowIso(), updated_at: nowIso(), failure_reason: null,
    });
    finish(run, 'validated');
  } catch (err) {
    const status = err instanceof Cancelled ? 'cancelled' : 'failed';
    await repo.updateJob(db, job.org_id, job.id, {
      status, processed_rows: run.progress.processed, ...counters(run.progress.counts), error_count: run.errorCount, report: report(run),
      failure_reason: err instanceof Cancelled ? 'cancelled' : describe(err), finished_at: nowIso(), updated_at: nowIso(),
    });
    finish(run, status);
    if (!(err instanceof Cancelled) && !(err instanceof ImportFileError)) throw err;
  }
}

function describe(err: unknown): string {
  if (err instanceof ImportFileError) return err.detail;
  return err instanceof Error ? err.message : String(err);
}

async function recordJobEvent(db: Db | Executor, ctx: Ctx, job: repo.JobRow, action: string, meta: Record<string, unknown>): Promise<void> {
  await events.record(db, ctx, { action, entityType: 'import_job', entityId: job.id, meta: { target: job.target, fileName: job.file_name, ...meta } });
}

/**
 * The commit. All-or-nothing: one transaction for the whole file; rows are written until the
 * first invalid one, then only validated, and any invalid row rolls everything back. Valid-only:
 * one transaction per batch writing its valid rows, its errors and the job's counters.
 */
export const commit = (db: Db, ctx: Ctx, config: Config, jobId: string): Promise<void> =>
  // Its statements journal thousands of pages each: in temporary files, not the heap; its commit
  // leaves copying them into the database file to the checkpointer; and while its transaction
  // holds the SQLite writer, other requests read from the reader connection.
  withTempFiles(db, () => withCheckpointDeferred(db, () => withLongWrite(db, () => commitJob(db, ctx, config, jobId))));

async function commitJob(db: Db, ctx: Ctx, config: Config, jobId: string): Promise<void> {
  const job = await repo.findJob(db, ctx.actor.orgId ?? '', jobId);
  if (!job) return;
  const run = await openRun(ctx, job, 'commit', db);
  const mode = run.settings.options.mode;
  const limits = readLimits(config);
  await db.transaction().execute(async (trx) => {
    await repo.deleteErrors(trx, job.org_id, job.id);
    await recordJobEvent(trx, ctx, job, 'import.started', { mode, totalRows: job.total_rows });
  });
  try {
    if (mode === 'valid-only') {
      await run.processor.prepare(db);
      let batch = 0;
      for await (const chunk of chunks(readRows(filePath(config, job), run.settings.info, limits), Math.max(1, run.settings.options.batchSize))) {
        if (cancelled.has(job.id)) throw new Cancelled();
        const parsed = chunk.map((r) => run.parse(r.line, r.cells));
        const saved = { seq: run.seq, errorCount: run.errorCount, counts: { ...run.progress.counts } };
        try {
          await db.transaction().execute(async (trx) => {
            add(run.progress.counts, await run.processor.chunk(parsed, trx, true));
            await repo.insertErrors(trx, toErrorRows(run, collect(run, parsed)));
            const c = run.progress.counts;
            await repo.updateJob(trx, job.org_id, job.id, {
              processed_rows: run.progress.processed + chunk.length, committed_rows: c.created + c.updated + c.unchanged,
              ...counters(c), error_count: run.errorCount, heartbeat_at: nowIso(),
            });
          });
        } catch (err) {
          Object.assign(run, { seq: saved.seq, errorCount: saved.errorCount });
          run.progress.counts = saved.counts;
          run.processor.rollback?.();
          throw err;
        }
        tick(run, chunk.length);
        if (statisticsDue(run.progress.processed - chunk.length, run.progress.processed)) await refreshStatistics(db, GROWING);
        await testHooks.afterBatch?.(job.id, ++batch);
        await new Promise((r) => setImmediate(r));
      }
      const c = run.progress.counts;
      await db.transaction().execute(async (trx) => {
        await repo.updateJob(trx, job.org_id, job.id, {
          status: 'committed', total_rows: run.progress.processed, report: report(run), finished_at: nowIso(), updated_at: nowIso(), failure_reason: null,
        });
        await recordJobEvent(trx, ctx, job, 'import.committed', { mode, created: c.created, updated: c.updated, unchanged: c.unchanged, failed: c.failed });
      });
      finish(run, 'committed');
      return;
    }

    const bulkFullText = (job.total_rows ?? 0) >= BULK_FULL_TEXT_ROWS;
    await db.transaction().execute(async (trx) => {
      await run.processor.prepare(trx);
      const paused = bulkFullText ? await pauseFullTextMerges(trx) : null;
      const deferred = bulkFullText && job.target === 'assets' ? await deferAssetIndexing(trx, job.org_id, job.total_rows ?? 0) : null;
      if (deferred) run.processor.bulkLoad?.();
      let writing = true;
      let chunkNo = 0;
      for await (const chunk of chunks(readRows(filePath(config, job), run.settings.info, limits), READ_CHUNK)) {
        if (cancelled.has(job.id)) throw new Cancelled();
        const parsed = chunk.map((r) => run.parse(r.line, r.cells));
        const res = await run.processor.chunk(parsed, trx, writing);
        add(run.progress.counts, res);
        if (writing && statisticsDue(run.progress.processed, run.progress.processed + chunk.length)) await refreshStatistics(trx, GROWING);
        run.issues.push(...collect(run, parsed));
        if (res.failed) writing = false;
        tick(run, chunk.length);
        await testHooks.afterChunk?.(job.id, ++chunkNo);
        await new Promise((r) => setImmediate(r));
      }
      if (!writing) throw new RowErrors();
      if (deferred) {
        // The rows are written; what the heap holds of them is garbage. Given back before the
        // rebuild, whose sorts take memory of their own (a million-row import peaked there).
        collectGarbage();
        await completeAssetIndexing(trx, deferred);
      }
      await resumeFullTextMerges(trx, paused);
      const c = run.progress.counts;
      await repo.updateJob(trx, job.org_id, job.id, {
        status: 'committed', processed_rows: run.progress.processed, total_rows: run.progress.processed, committed_rows: c.created + c.updated + c.unchanged,
        ...counters(c), error_count: 0, report: report(run), finished_at: nowIso(), updated_at: nowIso(), failure_reason: null, heartbeat_at: nowIso(),
      });
      await recordJobEvent(trx, ctx, job, 'import.committed', { mode, created: c.created, updated: c.updated, unchanged: c.unchanged });
    });
    finish(run, 'committed');
  } catch (err) {
    if (err instanceof SimulatedCrash) {
      live.delete(job.id);
      throw err;
    }
    run.processor.rollback?.();
    const cancelledRun = err instanceof Cancelled;
    const failed = run.progress.counts.failed;
    const reason = cancelledRun ? 'cancelled'
      : err instanceof RowErrors ? `${failed} row${failed === 1 ? ' has' : 's have'} errors; nothing was imported (all-or-nothing). Fix them or commit the valid rows only.`
        : describe(err);
    const status = cancelledRun ? 'cancelled' : 'failed';
    const allOrNothing = mode !== 'valid-only';
    await db.transaction().execute(async (trx) => {
      if (allOrNothing) await repo.insertErrors(trx, toErrorRows(run, run.issues));
      const fresh = await repo.findJob(trx, job.org_id, job.id);
      await repo.updateJob(trx, job.org_id, job.id, {
        status, report: report(run), failure_reason: reason, finished_at: nowIso(), updated_at: nowIso(),
        ...(allOrNothing
          ? { processed_rows: run.progress.processed, committed_rows: 0, ...counters({ ...run.progress.counts, created: 0, updated: 0, unchanged: 0 }), error_count: run.errorCount }
          : { committed_rows: fresh?.committed_rows ?? 0 }),
      });
      await recordJobEvent(trx, ctx, job, 'import.failed', { mode, reason, committedRows: allOrNothing ? 0 : (fresh?.committed_rows ?? 0) });
    });
    finish(run, status);
    if (!cancelledRun && !(err instanceof RowErrors) && !(err instanceof ImportFileError)) throw err;
  }
}

/** Last resort of a run that threw before it could record its own end: the job is failed, not left running. */
export async function failIfStuck(db: Db, orgId: string, jobId: string, err: unknown): Promise<void> {
  if (err instanceof SimulatedCrash) return;
  live.delete(jobId);
  cancelled.delete(jobId);
  await repo.transitionJob(db, orgId, jobId, ['validating', 'committing'], {
    status: 'failed', failure_reason: describe(err), finished_at: nowIso(), updated_at: nowIso(),
  }).catch(() => false);
}

/**
 * Server start: a job left validating or committing was cut off by a restart. All-or-nothing
 * commits never committed (their transaction died with the process); valid-only ones keep
 * exactly the batches the job row counts. Either way the job is failed with the reason.
 */
export async function recoverInterrupted(db: Db, engine: Ctx['engine'], config: Config): Promise<number> {
  const jobs = await repo.runningJobs(db);
  for (const job of jobs) {
    const reason = 'server restarted during the job';
    const mode = (JSON.parse(job.options) as ImportOptions).mode;
    const ctx: Ctx = { db, engine, config, actor: systemActor(job.org_id), requestId: null, eventMeta: { importJobId: job.id } };
    await db.transaction().execute(async (trx) => {
      await repo.updateJob(trx, job.org_id, job.id, { status: 'failed', failure_reason: reason, finished_at: nowIso(), updated_at: nowIso() });
      if (job.phase === 'commit') await recordJobEvent(trx, ctx, job, 'import.failed', { mode, reason, committedRows: job.committed_rows });
    });
  }
  return jobs.length;
}
