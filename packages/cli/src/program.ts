import { Command, CommanderError } from 'commander';
import { ApiError, USER_AGENT } from './api.js';
import { registerCommands } from './commands/index.js';
import { CliError, EXIT, type ExitCode } from './errors.js';
import { formatApiError, printErr } from './output.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('custodian')
    .description('Command-line client for the Custodian IT asset management API')
    .version(USER_AGENT.split(' ')[0]?.split('/')[1] ?? '0.0.0', '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText('after', `
Environment:
  CUSTODIAN_URL, CUSTODIAN_TOKEN  server and API token; take precedence over the saved credentials
  CUSTODIAN_CONFIG                credentials file (default \${XDG_CONFIG_HOME:-~/.config}/custodian/credentials.json)
  CUSTODIAN_TIMEOUT_MS            request timeout (default 30000)

Exit codes: 0 ok, 1 API or usage error, 2 not signed in.`);
  registerCommands(program);
  return program;
}

/** Maps any error to a message on stderr and an exit code. Never prints credentials. */
export function handleError(err: unknown): ExitCode {
  if (err instanceof CommanderError) {
    // Commander already printed the help, version or usage error.
    return err.exitCode === 0 ? EXIT.ok : EXIT.error;
  }
  if (err instanceof ApiError) {
    printErr(formatApiError(err));
    if (err.status === 401) {
      printErr('The server did not accept the API token (revoked, expired or wrong). Run `custodian login`, or fix CUSTODIAN_TOKEN.');
      return EXIT.notSignedIn;
    }
    return EXIT.error;
  }
  if (err instanceof CliError) {
    if (err.message) printErr(err.message);
    return err.exitCode;
  }
  printErr(`Unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return EXIT.error;
}

export async function run(argv: string[] = process.argv): Promise<ExitCode> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    return handleError(err);
  }
}
