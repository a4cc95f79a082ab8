/** Helpers of the import tests: multipart uploads, waiting for jobs, CSV building. */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { call, type Session, type TestApp } from './harness.js';

export interface Part { name: string; filename?: string; contentType?: string; data: Buffer | string }

export function multipart(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = `----custodian${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename !== undefined ? `Content-Type: ${p.contentType ?? 'application/octet-stream'}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** RFC 4180 CSV text from rows of cells. */
export function csv(rows: (string | number | null)[][], eol = '\r\n'): string {
  const q = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(q).join(',')).join(eol) + eol;
}

export interface Job {
  id: string; target: string; status: string; phase: string | null; fileName: string;
  source: { headers: string[]; headerKeys: string[]; format: string; delimiter: string | null; encoding: string | null };
  mapping: Record<string, string | null>;
  formats: Record<string, { date?: string | null; number?: string | null; detected?: { date?: string | null; number?: string | null; ambiguous: boolean } }>;
  options: { mode: string; createMissing: boolean; matchBy: string; updateExisting: boolean; externalIdSource: string; batchSize: number };
  progress: { processed: number; total: number | null; percent: number | null };
  counts: { created: number; updated: number; unchanged: number; failed: number; errors: number; committedRows: number };
  report: { rows: number; created: number; updated: number; unchanged: number; failed: number; errors: number; newReferences: { counts: Record<string, number>; items: { kind: string; name: string }[] } } | null;
  failureReason: string | null;
}

export interface ImportError { seq: number; line: number; column: string | null; field: string | null; code: string; message: string }

export function uploadRaw(t: TestApp, as: Session, parts: Part[]) {
  const { payload, contentType } = multipart(parts);
  return t.app.inject({ method: 'POST', url: '/api/v1/imports', payload, headers: { cookie: as.cookie, 'x-csrf-token': as.csrf, 'content-type': contentType } });
}

export async function upload(t: TestApp, as: Session, target: string, file: string | Buffer, opts: { filename?: string; fields?: Record<string, string> } = {}): Promise<Job> {
  const extra = Object.entries(opts.fields ?? {}).map(([name, data]) => ({ name, data }));
  const res = await uploadRaw(t, as, [{ name: 'target', data: target }, ...extra, { name: 'file', filename: opts.filename ?? 'import.csv', data: file }]);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Job>();
}

export async function getJob(t: TestApp, as: Session, id: string): Promise<Job> {
  const res = await call(t, as, 'GET', `/api/v1/imports/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Job>();
}

/** Polls the job until it stops running. */
export async function settle(t: TestApp, as: Session, id: string, timeoutMs = 60_000): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(t, as, id);
    if (job.status !== 'validating' && job.status !== 'committing') return job;
    if (Date.now() > until) throw new Error(`job ${id} still ${job.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function validate(t: TestApp, as: Session, id: string): Promise<Job> {
  const res = await call(t, as, 'POST', `/api/v1/imports/${id}/validate`);
  expect(res.statusCode, res.body).toBe(202);
  return settle(t, as, id);
}

export async function commit(t: TestApp, as: Session, id: string, options?: Record<string, unknown>): Promise<Job> {
  const res = await call(t, as, 'POST', `/api/v1/imports/${id}/commit`, options ? { options } : {});
  expect(res.statusCode, res.body).toBe(202);
  return settle(t, as, id);
}

export async function errorsOf(t: TestApp, as: Session, id: string): Promise<ImportError[]> {
  const res = await call(t, as, 'GET', `/api/v1/imports/${id}/errors?limit=1000`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ items: ImportError[] }>().items;
}

/** Uploads, then commits with the given options; returns the finished job. */
export async function importFile(t: TestApp, as: Session, target: string, file: string | Buffer, options: Record<string, unknown> = {}, filename = 'import.csv'): Promise<Job> {
  const job = await upload(t, as, target, file, { filename, fields: { options: JSON.stringify(options) } });
  return commit(t, as, job.id);
}
