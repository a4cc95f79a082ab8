/**
 * Import jobs from the command line: follow a running job (server-sent events, polling as a
 * fallback), print progress to stderr and the report to stdout.
 */
import type { paths } from '@custodian/api-client';
import { API_PREFIX, ApiError, unwrap, type Api } from './api.js';
import { printErr } from './output.js';

export type ImportJob = paths['/api/v1/imports/{id}']['get']['responses'][200]['content']['application/json'];
export type ImportErrorPage = paths['/api/v1/imports/{id}/errors']['get']['responses'][200]['content']['application/json'];
export type ImportProblem = ImportErrorPage['items'][number];
export type Preset = paths['/api/v1/import-presets']['get']['responses'][200]['content']['application/json'][number];

export const TARGETS = ['assets', 'models', 'users', 'locations', 'departments', 'suppliers'] as const;
export type Target = (typeof TARGETS)[number];

const RUNNING = new Set(['validating', 'committing']);
export const isRunning = (job: ImportJob) => RUNNING.has(job.status);

/** One server-sent event. */
export interface ServerEvent {
  event: string;
  data: string;
}

/** Parses a text/event-stream body into events (comments and keep-alives skipped). */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const decoder = new TextDecoder();
  let buf = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (!line || line.startsWith(':')) continue;
          const i = line.indexOf(':');
          const field = i < 0 ? line : line.slice(0, i);
          const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length) yield { event, data: data.join('\n') };
      }
    }
  } finally {
    reader.releaseLock();
  }
}

export async function getJob(api: Api, id: string): Promise<ImportJob> {
  return unwrap(await api.client.GET('/api/v1/imports/{id}', { params: { path: { id } } }));
}

/**
 * Waits until the job is no longer validating or committing, calling `onProgress` on the way.
 * Uses the job's event stream; if the stream breaks, polls `GET /imports/:id` every second.
 */
export async function followJob(api: Api, id: string, onProgress: (job: ImportJob) => void): Promise<ImportJob> {
  try {
    const res = await api.stream('GET', `${API_PREFIX}/imports/${encodeURIComponent(id)}/progress`, { accept: 'text/event-stream', timeoutMs: null });
    if (res.body) {
      for await (const ev of readEvents(res.body)) {
        const job = JSON.parse(ev.data) as ImportJob;
        if (ev.event === 'done' || !isRunning(job)) {
          await res.body.cancel().catch(() => undefined);
          return job;
        }
        onProgress(job);
      }
    }
  } catch (err) {
    if (err instanceof ApiError && err.status !== 503 && err.status < 500) throw err;
    // The stream broke (proxy, restart): poll instead.
  }
  for (;;) {
    const job = await getJob(api, id);
    if (!isRunning(job)) return job;
    onProgress(job);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const num = (n: number) => n.toLocaleString('en-US');

/** `Validating: 45% · 4,500 of 10,000 rows · 3,200 rows/s · about 2 s left` */
export function progressLine(job: ImportJob): string {
  const p = job.progress;
  const verb = job.status === 'committing' ? 'Importing' : 'Validating';
  const parts = [`${verb}: ${p.percent === null ? '…' : `${Math.floor(p.percent)}%`}`];
  parts.push(p.total === null ? `${num(p.processed)} rows` : `${num(p.processed)} of ${num(p.total)} rows`);
  if (p.rowsPerSecond) parts.push(`${num(Math.round(p.rowsPerSecond))} rows/s`);
  if (p.etaSeconds !== null && p.processed > 0) parts.push(`about ${Math.ceil(p.etaSeconds)} s left`);
  if (p.processed === 0 && p.total !== null) parts.push('waiting for its turn');
  return parts.join(' · ');
}

/** Progress on stderr: one rewritten line on a terminal, at most one line a second otherwise. */
export function progressPrinter(): { update: (job: ImportJob) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let shown = false;
  return {
    update(job) {
      const now = Date.now();
      if (!tty && now - last < 1000) return;
      last = now;
      const line = progressLine(job);
      if (tty) process.stderr.write(`\r\x1b[2K${line}`);
      else printErr(line);
      shown = true;
    },
    end() {
      if (tty && shown) process.stderr.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** Every problem of the job, in file order, up to `max`. */
export async function fetchProblems(api: Api, id: string, max: number): Promise<ImportProblem[]> {
  const out: ImportProblem[] = [];
  let cursor: string | undefined;
  while (out.length < max) {
    const page = unwrap(await api.client.GET('/api/v1/imports/{id}/errors', { params: { path: { id }, query: { limit: Math.min(1000, max - out.length), ...(cursor ? { cursor } : {}) } } }));
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** The human report of a finished job (stdout). */
export function formatReport(job: ImportJob, problems: ImportProblem[], opts: { baseUrl: string; dryRun: boolean; errorsSavedTo?: string }): string {
  const lines: string[] = [];
  const r = job.report;
  const c = job.counts;
  const seconds = r ? ` in ${r.seconds.toFixed(1)} s` : '';
  const rows = r ? r.rows : (job.progress.total ?? 0);
  const head = {
    validated: `Dry run of ${job.fileName} into ${job.target}: ${num(rows)} rows checked${seconds}; nothing was written.`,
    committed: `Imported ${job.fileName} into ${job.target}: ${num(rows)} rows${seconds}.`,
    failed: `Import of ${job.fileName} into ${job.target} failed: ${job.failureReason ?? 'see the problems below'}`,
    cancelled: `Import of ${job.fileName} into ${job.target} was cancelled${job.options.mode === 'valid-only' && c.committedRows ? `; ${num(c.committedRows)} rows had been imported and stay` : '; nothing was imported'}.`,
  }[job.status as 'validated' | 'committed' | 'failed' | 'cancelled'] ?? `Import ${job.id} is ${job.status}.`;
  lines.push(head);
  const width = 14;
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(width)}${value}`);
  row(`${opts.dryRun ? 'to create' : 'created'}`, num(c.created));
  row(`${opts.dryRun ? 'to update' : 'updated'}`, num(c.updated));
  row('unchanged', num(c.unchanged));
  row('failed', `${num(c.failed)}${c.failed ? ` (${num(c.errors)} problem${c.errors === 1 ? '' : 's'}${job.status === 'committed' ? '; these rows were skipped' : ''})` : ''}`);
  const refs = r?.newReferences.counts ?? {};
  const refText = Object.entries(refs).filter(([, n]) => n > 0).map(([k, n]) => `${num(n)} ${n === 1 ? k : k.endsWith('y') ? `${k.slice(0, -1)}ies` : `${k}s`}`).join(', ');
  if (refText) row('new records', `${refText} ${job.status === 'committed' ? 'created' : 'to be created'} by name`);
  lines.push(`  job           ${job.id} (mode ${job.options.mode}, match by ${job.options.matchBy}${job.options.createMissing ? ', create missing' : ''})`);
  if (problems.length) {
    lines.push('');
    lines.push(c.errors > problems.length ? `First ${problems.length} of ${num(c.errors)} problems:` : `Problems:`);
    for (const p of problems) {
      const where = p.line === 0 ? 'file' : `line ${p.line}`;
      lines.push(`  ${where}${p.column ? `, ${p.column}` : ''}: ${p.message} [${p.code}]`);
    }
    lines.push('');
    if (opts.errorsSavedTo) lines.push(`The failing rows with an Errors column were saved to ${opts.errorsSavedTo}.`);
    else {
      lines.push('The failing rows with an Errors column (fix them and import that file again):');
      lines.push(`  custodian get imports/${job.id}/errors.csv > errors.csv`);
      lines.push(`  ${opts.baseUrl}${API_PREFIX}/imports/${job.id}/errors.csv`);
    }
  }
  return lines.join('\n');
}
