import type { Command } from 'commander';
import { createWriteStream, existsSync, openAsBlob, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { API_PREFIX, requireApi, unwrap, type Api } from '../api.js';
import { CliError, EXIT, QuietExit } from '../errors.js';
import { fetchProblems, followJob, formatReport, progressPrinter, TARGETS, type ImportJob, type ImportProblem, type Target } from '../imports.js';
import { printErr, printJson, printLine } from '../output.js';

interface ImportOptions {
  target: string;
  mapping?: string;
  dryRun?: boolean;
  mode?: string;
  createMissing?: boolean;
  matchBy?: string;
  updateExisting: boolean;
  delimiter?: string;
  encoding?: string;
  sheet?: string;
  errorsOut?: string;
  json?: boolean;
}

const MODES = ['all-or-nothing', 'valid-only'] as const;
const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'] as const;
const DELIMITERS: Record<string, string> = { ',': ',', ';': ';', '|': '|', '\t': '\t', '\\t': '\t', tab: '\t', comma: ',', semicolon: ';', pipe: '|' };
/** How many problems the report lists (all of them are in the error file). */
const SHOWN_PROBLEMS = 20;

function target(value: string): Target {
  const t = value.trim().toLowerCase();
  if (!(TARGETS as readonly string[]).includes(t)) throw new CliError(`--target must be one of ${TARGETS.join(', ')}; got "${value}".`);
  return t as Target;
}

async function findPreset(api: Api, t: Target, nameOrId: string): Promise<string> {
  const presets = unwrap(await api.client.GET('/api/v1/import-presets', { params: { query: { target: t } } }));
  const wanted = nameOrId.trim().toLowerCase();
  const found = presets.find((p) => p.id === nameOrId.trim()) ?? presets.find((p) => p.name.toLowerCase() === wanted);
  if (!found) {
    const names = presets.map((p) => `"${p.name}"`).join(', ');
    throw new CliError(`No ${t} mapping preset is called "${nameOrId}". ${names ? `Saved presets: ${names}.` : 'None is saved yet: save one in the web app (Import → Save as preset).'}`);
  }
  return found.id;
}

/** The auto-mapping as the server made it, for stderr: `Serial → serial`, `Company → (ignored)`, ambiguous formats. */
function describeMapping(job: ImportJob): string[] {
  const lines = [`${job.fileName}: ${job.source.format.toUpperCase()}${job.source.encoding ? `, ${job.source.encoding}` : ''}${job.source.delimiter ? `, delimiter ${JSON.stringify(job.source.delimiter)}` : ''}${job.source.sheet ? `, sheet "${job.source.sheet}"` : ''}, ${job.progress.total ?? '?'} rows`];
  lines.push('Columns:');
  job.source.headerKeys.forEach((key) => {
    const field = job.mapping[key];
    const f = job.formats[key];
    const format = f ? ` [${f.date ?? f.number ?? ''}${f.detected?.ambiguous ? ', ambiguous: check it' : ''}]` : '';
    lines.push(`  ${key} → ${field ?? '(ignored)'}${format}`);
  });
  return lines;
}

async function saveErrorFile(api: Api, id: string, file: string): Promise<void> {
  const res = await api.stream('GET', `${API_PREFIX}/imports/${encodeURIComponent(id)}/errors.csv`, { accept: 'text/csv', timeoutMs: null });
  if (!res.body) throw new CliError('The server sent no error file.');
  await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(file));
}

/** Runs one phase (validate or commit) and waits for its end, with Ctrl-C cancelling the job. */
async function runPhase(api: Api, id: string, start: () => Promise<ImportJob>): Promise<ImportJob> {
  const progress = progressPrinter();
  let cancelling = false;
  const onSigint = () => {
    if (cancelling) process.exit(130);
    cancelling = true;
    progress.end();
    printErr('Cancelling the import (Ctrl-C again to stop waiting)…');
    void api.client.POST('/api/v1/imports/{id}/cancel', { params: { path: { id } } }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  try {
    const started = await start();
    progress.update(started);
    return await followJob(api, id, progress.update);
  } finally {
    process.off('SIGINT', onSigint);
    progress.end();
  }
}

export function register(program: Command): void {
  program
    .command('import')
    .description('Import a CSV or XLSX file: upload, map columns, validate (dry run), then commit')
    .argument('<file>', 'the CSV or XLSX file')
    .requiredOption('-t, --target <target>', `what the rows are: ${TARGETS.join(', ')}`)
    .option('-m, --mapping <preset>', 'apply a saved mapping preset (name or id); without it columns are mapped by their headers')
    .option('-n, --dry-run', 'validate only: report what would change and every problem, write nothing')
    .option('--mode <mode>', 'all-or-nothing (default: one transaction, nothing imported if a row fails) or valid-only (skip failing rows)')
    .option('--create-missing', 'create unknown categories, models, manufacturers, locations, suppliers, departments by name')
    .option('--match-by <field>', 'match existing records on this field (assets: assetTag, serial or externalId)')
    .option('--no-update-existing', 'do not change records that already exist (a row that would is a problem)')
    .option('--delimiter <char>', 'CSV delimiter: , ; | or tab (default: detected)')
    .option('--encoding <encoding>', `CSV encoding: ${ENCODINGS.join(', ')} (default: detected)`)
    .option('--sheet <name>', 'XLSX worksheet (default: the first visible one)')
    .option('--errors-out <file>', 'when there are problems, save the failing rows with an Errors column to this CSV file')
    .option('--json', 'print the finished job and its first problems as JSON instead of the report')
    .addHelpText('after', `
Progress goes to stderr, the report to stdout. Exit code 0 when the dry run found no problem or the
import committed (in valid-only mode failing rows are skipped and listed); 1 when the dry run found
problems, the import failed or was cancelled. Ctrl-C cancels a running import.

Examples:
  custodian import snipeit-assets.csv --target assets --dry-run
  custodian import snipeit-assets.csv --target assets --create-missing --mode valid-only --errors-out fix-me.csv
  custodian import people.xlsx --target users --sheet Staff --mapping "HR export"
  custodian export --target assets > assets.csv && custodian import assets.csv --target assets   # changes nothing`)
    .action(async (file: string, opts: ImportOptions) => {
      const t = target(opts.target);
      if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(`${file}: no such file.`);
      if (opts.mode !== undefined && !(MODES as readonly string[]).includes(opts.mode)) throw new CliError(`--mode must be all-or-nothing or valid-only; got "${opts.mode}".`);
      if (opts.encoding !== undefined && !(ENCODINGS as readonly string[]).includes(opts.encoding.toLowerCase())) throw new CliError(`--encoding must be one of ${ENCODINGS.join(', ')}; got "${opts.encoding}".`);
      const delimiter = opts.delimiter === undefined ? undefined : DELIMITERS[opts.delimiter.toLowerCase()];
      if (opts.delimiter !== undefined && delimiter === undefined) throw new CliError(`--delimiter must be , ; | or tab; got "${opts.delimiter}".`);
      const api = requireApi();

      const options: Record<string, unknown> = {};
      if (opts.mode) options.mode = opts.mode;
      if (opts.createMissing) options.createMissing = true;
      if (opts.matchBy) options.matchBy = opts.matchBy;
      if (!opts.updateExisting) options.updateExisting = false;

      const form = new FormData();
      form.set('target', t);
      if (Object.keys(options).length) form.set('options', JSON.stringify(options));
      if (delimiter) form.set('delimiter', delimiter);
      if (opts.encoding) form.set('encoding', opts.encoding.toLowerCase());
      if (opts.sheet) form.set('sheet', opts.sheet);
      if (opts.mapping) form.set('presetId', await findPreset(api, t, opts.mapping));
      form.set('file', await openAsBlob(file), basename(file));

      printErr(`Uploading ${file}…`);
      const uploaded = (await (await api.stream('POST', `${API_PREFIX}/imports`, { body: form, accept: 'application/json', timeoutMs: null })).json()) as ImportJob;
      const id = uploaded.id;
      if (!opts.json) for (const line of describeMapping(uploaded)) printErr(line);

      let job = await runPhase(api, id, async () => unwrap(await api.client.POST('/api/v1/imports/{id}/validate', { params: { path: { id } } })));
      const validatedWithProblems = job.status === 'validated' && job.counts.errors > 0;
      const stopAfterValidation = opts.dryRun || job.status !== 'validated' || (validatedWithProblems && job.options.mode === 'all-or-nothing');
      if (!stopAfterValidation) {
        job = await runPhase(api, id, async () => unwrap(await api.client.POST('/api/v1/imports/{id}/commit', { params: { path: { id } }, body: {} })));
      }

      const problems: ImportProblem[] = job.counts.errors > 0 ? await fetchProblems(api, id, opts.json ? 100 : SHOWN_PROBLEMS) : [];
      if (problems.length && opts.errorsOut) await saveErrorFile(api, id, opts.errorsOut);
      const dryRun = job.status === 'validated';
      if (opts.json) printJson({ job, problems });
      else {
        printLine(formatReport(job, problems, { baseUrl: api.url, dryRun, ...(problems.length && opts.errorsOut ? { errorsSavedTo: opts.errorsOut } : {}) }));
        if (dryRun && !opts.dryRun) {
          printLine('');
          printLine('Nothing was imported: in all-or-nothing mode every row must be valid. Fix the problems, or run again with --mode valid-only to skip the failing rows.');
        }
      }
      const ok = job.status === 'committed' || (job.status === 'validated' && job.counts.errors === 0);
      if (!ok) throw new QuietExit(EXIT.error);
    });
}
