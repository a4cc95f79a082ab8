/** Writing results and errors. Results go to stdout, everything else to stderr. */
import { ApiError } from '@custodian/api-client';

export function printJson(value: unknown, opts: { compact?: boolean } = {}): void {
  process.stdout.write(JSON.stringify(value, null, opts.compact ? undefined : 2) + '\n');
}

export function printLine(text = ''): void {
  process.stdout.write(text + '\n');
}

export function printErr(text: string): void {
  process.stderr.write(text + '\n');
}

/** `Error <status> <code>: <detail>`, then one line per field error, then the request id. */
export function formatApiError(err: ApiError): string {
  const p = err.problem;
  const lines = [`Error ${err.status} ${p.code}: ${p.detail}`];
  for (const e of p.errors ?? []) lines.push(`  ${e.path || '(request)'}: ${e.message}`);
  if (p.requestId) lines.push(`Request id: ${p.requestId}`);
  return lines.join('\n');
}

/** Two aligned columns, for human-readable summaries. */
export function printFields(rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  for (const [k, v] of rows) printLine(`${(k + ':').padEnd(width)}${v}`);
}
