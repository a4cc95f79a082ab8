/** Exit codes of the CLI. Scripts depend on them; keep them stable. */
export const EXIT = {
  ok: 0,
  /** The API refused the request, the server could not be reached, or the command was used wrongly. */
  error: 1,
  /** No credentials, or the server no longer accepts them: run `custodian login`. */
  notSignedIn: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error whose message is meant for the user as is (no stack trace) and that ends the CLI with `exitCode`. */
export class CliError extends Error {
  constructor(message: string, public readonly exitCode: ExitCode = EXIT.error) {
    super(message);
    this.name = 'CliError';
  }
}

export class NotSignedInError extends CliError {
  constructor(reason = 'You are not signed in.') {
    super(`${reason}\nRun \`custodian login --url <server URL>\`, or set CUSTODIAN_URL and CUSTODIAN_TOKEN.`, EXIT.notSignedIn);
    this.name = 'NotSignedInError';
  }
}

/** Ends the CLI with `exitCode` after the command has already said why (e.g. an import report). */
export class QuietExit extends CliError {
  constructor(exitCode: ExitCode = EXIT.error) {
    super('', exitCode);
    this.name = 'QuietExit';
  }
}
