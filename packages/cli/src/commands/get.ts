import type { Command } from 'commander';
import { apiPath, requireApi } from '../api.js';
import { CliError } from '../errors.js';
import { printJson, printLine } from '../output.js';

interface GetOptions {
  query?: string[];
  json?: boolean;
}

export function parseQuery(pairs: string[] = []): [string, string][] {
  return pairs.map((pair) => {
    const i = pair.indexOf('=');
    if (i <= 0) throw new CliError(`--query expects key=value, got "${pair}".`);
    return [pair.slice(0, i), pair.slice(i + 1)];
  });
}

export function register(program: Command): void {
  program
    .command('get')
    .description('GET any API path and print the JSON response')
    .argument('<path>', 'API path: `members`, `/api/v1/members`, `events?limit=5` …')
    .option('-q, --query <key=value...>', 'query parameters (repeatable)')
    .option('--json', 'print compact one-line JSON instead of indented JSON')
    .addHelpText('after', `
Examples:
  custodian get members
  custodian get /api/v1/members --query q=alice
  custodian get events -q limit=5 -q action=token.created --json | jq .`)
    .action(async (path: string, opts: GetOptions) => {
      const query = parseQuery(opts.query);
      const api = requireApi();
      const body = await api.request('GET', apiPath(path, api.url), { query });
      if (body === undefined) return;
      if (typeof body === 'string') printLine(body);
      else printJson(body, { compact: opts.json === true });
    });
}
