import type { Command } from 'commander';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { API_PREFIX, requireApi } from '../api.js';
import { CliError } from '../errors.js';
import { TARGETS } from '../imports.js';
import { printErr } from '../output.js';

interface ExportOptions {
  target: string;
  format: string;
  output?: string;
}

export function register(program: Command): void {
  program
    .command('export')
    .description('Download every record of a target as CSV or XLSX, with the headers the importer reads back')
    .requiredOption('-t, --target <target>', `what to export: ${TARGETS.join(', ')}`)
    .option('-f, --format <format>', 'csv or xlsx', 'csv')
    .option('-o, --output <file>', 'write to this file instead of stdout (written to a temporary name, then renamed)')
    .addHelpText('after', `
The file streams to stdout (or --output); nothing else is printed there. Examples:
  custodian export --target assets > assets.csv
  custodian export --target users --format xlsx -o users.xlsx`)
    .action(async (opts: ExportOptions) => {
      const target = opts.target.trim().toLowerCase();
      if (!(TARGETS as readonly string[]).includes(target)) throw new CliError(`--target must be one of ${TARGETS.join(', ')}; got "${opts.target}".`);
      const format = opts.format.trim().toLowerCase();
      if (format !== 'csv' && format !== 'xlsx') throw new CliError(`--format must be csv or xlsx; got "${opts.format}".`);
      if (format === 'xlsx' && !opts.output && process.stdout.isTTY) throw new CliError('An XLSX file is binary: redirect stdout to a file (> assets.xlsx) or use --output.');
      const api = requireApi();
      const res = await api.stream('GET', `${API_PREFIX}/exports/${target}.${format}`, { timeoutMs: null });
      if (!res.body) throw new CliError('The server sent an empty answer.');
      const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
      if (!opts.output) {
        await pipeline(body, process.stdout as Writable, { end: false });
        return;
      }
      const tmp = `${opts.output}.part`;
      try {
        await pipeline(body, createWriteStream(tmp));
        renameSync(tmp, opts.output);
      } catch (err) {
        rmSync(tmp, { force: true });
        throw err;
      }
      printErr(`Saved the ${target} export to ${opts.output}`);
    });
}
