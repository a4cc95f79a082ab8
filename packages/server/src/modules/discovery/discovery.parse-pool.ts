/**
 * Agent messages parsed off the main thread.
 *
 * Parsing a full inventory (280 kB of XML for a server with 837 packages) is ~6–9 ms of JavaScript
 * that blocks every other request; with a few agents reporting at once it was a sixth of the main
 * thread's time per inventory. The server (`serve()`) starts one worker thread that runs the very
 * same `prepareMessage` of discovery.normalize.js — parse, and for an inventory make the canonical
 * record and serialise it — and sends that back; the main thread goes on with other requests
 * meanwhile. The record crosses as one string: cloning the parsed object tree cost 2 ms each way.
 *
 * Without a started pool (tests, CLI commands, a worker that died) messages are parsed inline, with
 * the same result and the same errors: a NormalizeError in the worker is a NormalizeError here.
 */
import { Worker } from 'node:worker_threads';
import { NormalizeError, prepareMessage, type PreparedMessage } from './discovery.normalize.js';
import type { WireFormat } from './discovery.protocol.js';

/** The worker (CommonJS, evaluated from this string): imports the parser module it is given. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then((m) => {
  parentPort.on('message', ({ id, text, format }) => {
    try {
      parentPort.postMessage({ id, msg: m.prepareMessage(text, format) });
    } catch (e) {
      parentPort.postMessage({ id, error: { normalize: e instanceof m.NormalizeError, message: e instanceof Error ? e.message : String(e) } });
    }
  });
});
`;

interface Reply { id: number; msg?: PreparedMessage; error?: { normalize: boolean; message: string } }
interface Waiting { text: string; format: WireFormat; resolve: (m: PreparedMessage) => void; reject: (e: Error) => void }

function parseInline(text: string, format: WireFormat): Promise<PreparedMessage> {
  try {
    return Promise.resolve(prepareMessage(text, format));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

export class ParserPool {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, Waiting>();
  #next = 0;
  #dead = false;

  /** `module`: URL of the compiled discovery.normalize.js the worker imports. */
  constructor(module: URL = new URL('./discovery.normalize.js', import.meta.url)) {
    this.#worker = new Worker(WORKER, { eval: true, workerData: { module: module.href } });
    this.#worker.unref();
    this.#worker.on('message', (r: Reply) => {
      const w = this.#waiting.get(r.id);
      if (!w) return;
      this.#waiting.delete(r.id);
      if (r.msg) w.resolve(r.msg);
      else w.reject(r.error?.normalize ? new NormalizeError(r.error.message) : new Error(`message parser: ${r.error?.message ?? 'no reply'}`));
    });
    // A worker that fails (or could not load the parser) leaves nobody waiting: they are parsed inline.
    const fail = () => {
      this.#dead = true;
      for (const w of this.#waiting.values()) parseInline(w.text, w.format).then(w.resolve, w.reject);
      this.#waiting.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', fail);
  }

  /** False once the worker failed or was stopped: it then parses inline. */
  get alive(): boolean {
    return !this.#dead;
  }

  parse(text: string, format: WireFormat): Promise<PreparedMessage> {
    if (this.#dead) return parseInline(text, format);
    return new Promise((resolve, reject) => {
      const id = this.#next++;
      this.#waiting.set(id, { text, format, resolve, reject });
      this.#worker.postMessage({ id, text, format });
    });
  }

  async stop(): Promise<void> {
    this.#dead = true;
    await this.#worker.terminate();
  }
}

let pool: ParserPool | null = null;

/** Starts the process's parser worker (the server does; idempotent). */
export function startParserPool(): ParserPool {
  if (!pool?.alive) pool = new ParserPool();
  return pool;
}

export async function stopParserPool(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.stop();
}

/** Parses an agent message (`prepareMessage`): in the worker when one runs, else inline. Throws NormalizeError as the parsers do. */
export function parseMessage(text: string, format: WireFormat): Promise<PreparedMessage> {
  return pool ? pool.parse(text, format) : parseInline(text, format);
}
