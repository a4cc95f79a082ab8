/** Reading a secret: from piped stdin, or from the terminal without echo. */
import { CliError } from './errors.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Prompts on stderr and reads one line from a TTY with echo off. Ctrl-C / Ctrl-D abort. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolvePromise, reject) => {
    let value = '';
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    const done = (err: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolvePromise(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new CliError('Cancelled.'));
        if (ch === '\u0004') return value ? done(null) : done(new CliError('Cancelled.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch === '\u0015') value = ''; // Ctrl-U
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * The secret from stdin: the first non-empty line when piped (`echo $TOKEN | custodian login …`),
 * or typed at a hidden prompt when stdin is a terminal.
 */
export async function readSecret(prompt: string): Promise<string> {
  const raw = process.stdin.isTTY ? await promptHidden(prompt) : await readAll(process.stdin);
  return raw.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? '';
}
