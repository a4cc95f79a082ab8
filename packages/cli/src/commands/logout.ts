import type { Command } from 'commander';
import { credentialsPath, deleteCredentials } from '../config.js';
import { printErr, printLine } from '../output.js';

export function register(program: Command): void {
  program
    .command('logout')
    .description('Delete the saved credentials (the token itself stays valid until revoked in the web app)')
    .action(() => {
      const file = credentialsPath();
      if (deleteCredentials(file)) printLine(`Signed out; deleted ${file}.`);
      else printLine('Not signed in; nothing to delete.');
      printErr('To invalidate the token itself, revoke it in the web app under Profile → API tokens.');
      if (process.env.CUSTODIAN_TOKEN) printErr('Note: CUSTODIAN_TOKEN is still set in your environment and is still used.');
    });
}
