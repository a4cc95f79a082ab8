import type { Command } from 'commander';
import { ApiError, connect } from '../api.js';
import { credentialsPath, normalizeServerUrl, saveCredentials } from '../config.js';
import { CliError } from '../errors.js';
import { formatApiError, printErr, printLine } from '../output.js';
import { readSecret } from '../prompt.js';
import { fetchSession, organizationLabel } from '../session.js';

interface LoginOptions {
  url?: string;
  token?: string;
}

export function register(program: Command): void {
  program
    .command('login')
    .description('Save a server URL and API token after checking them against the server')
    .option('--url <url>', 'server address, e.g. https://assets.example.com (default: $CUSTODIAN_URL)')
    .option('--token <token>', 'API token (cus_…); omit it to read it from stdin or a hidden prompt, which keeps it out of your shell history')
    .addHelpText('after', `
Create a token in the web app under Profile → API tokens. Examples:
  custodian login --url https://assets.example.com          # prompts for the token
  printf '%s' "$TOKEN" | custodian login --url https://assets.example.com

The credentials are saved to ${credentialsPath()} (mode 0600); set CUSTODIAN_CONFIG to use another file.`)
    .action(async (opts: LoginOptions) => {
      const rawUrl = opts.url ?? process.env.CUSTODIAN_URL;
      if (!rawUrl?.trim()) throw new CliError('Give the server address: custodian login --url https://assets.example.com');
      const url = normalizeServerUrl(rawUrl);
      const token = (opts.token ?? (await readSecret(`API token for ${url} (input hidden): `))).trim();
      if (!token) throw new CliError('No token given: pass --token, pipe it on stdin, or type it at the prompt.');
      if (/\s/.test(token)) throw new CliError('The token must not contain spaces.');

      const api = connect({ url, token });
      let session;
      try {
        session = await fetchSession(api);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          printErr(formatApiError(err));
          throw new CliError('The server did not accept this token; nothing was saved. Check it under Profile → API tokens.');
        }
        throw err;
      }
      const file = credentialsPath();
      saveCredentials({ url, token }, file);
      printLine(`Signed in to ${url} as ${session.user.email} in ${organizationLabel(session)}`);
      printErr(`Credentials saved to ${file}`);
    });
}
