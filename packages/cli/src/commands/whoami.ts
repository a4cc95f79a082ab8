import type { Command } from 'commander';
import { requireApi } from '../api.js';
import { credentialsPath } from '../config.js';
import { printFields, printJson } from '../output.js';
import { fetchSession, organizationLabel } from '../session.js';

const SOURCES = {
  environment: 'CUSTODIAN_URL and CUSTODIAN_TOKEN',
  'environment+file': 'CUSTODIAN_TOKEN',
  file: '',
} as const;

export function register(program: Command): void {
  program
    .command('whoami')
    .description('Show the user, organization and role the credentials act as')
    .option('--json', 'print the full session document as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = requireApi();
      const session = await fetchSession(api);
      if (opts.json) {
        const { csrfToken: _unused, ...rest } = session; // meaningless for token requests
        printJson({ server: api.url, ...rest });
        return;
      }
      const org = session.currentOrganization;
      printFields([
        ['User', session.user.email],
        ['Name', session.user.displayName],
        ['Organization', org ? `${organizationLabel(session)} (${org.slug})` : organizationLabel(session)],
        ['Role', session.role ?? '(none)'],
        ['Permissions', String(session.permissions.length)],
        ['Server', api.url],
        ['Credentials', api.source === 'file' ? credentialsPath() : SOURCES[api.source]],
      ]);
    });
}
