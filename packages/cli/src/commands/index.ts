/**
 * Every command, in the order `custodian --help` lists them. A new command is a new file that
 * exports `register(program)`, added here.
 */
import type { Command } from 'commander';
import * as login from './login.js';
import * as logout from './logout.js';
import * as whoami from './whoami.js';
import * as get from './get.js';
import * as importCmd from './import.js';
import * as exportCmd from './export.js';

const commands: { register(program: Command): void }[] = [login, logout, whoami, get, importCmd, exportCmd];

export function registerCommands(program: Command): void {
  for (const c of commands) c.register(program);
}
