/**
 * Runs the real server (packages/server/dist/main.js: config → db → migrate → buildApp → listen)
 * as a child process, so that its memory is measured apart from the load generator's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface RunningServer {
  url: string;
  pid: number;
  /** Resident set size of the server process now, in MiB. */
  rssMb(): number;
  /** Peak resident set size so far, in MiB. */
  peakRssMb(): number;
  /** CPU time the server has used so far, in ms: the whole process and its main (JavaScript) thread alone. */
  cpuMs(): { process: number; main: number };
  /**
   * Resolves once the server's main thread has used under 5% of a CPU for half a second (its
   * backlog is done). The main thread alone: under `--cpu-prof` the profiler's sampling thread
   * keeps the process above 5% for ever, and the bench waited out the full `maxMs` per scenario.
   */
  waitIdle(maxMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function procStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN; // not Linux, or the process is gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process in clock ticks (1/100 s on Linux), from /proc/<pid>/stat. */
function cpuTicks(pid: number, tid?: number): number {
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

async function waitIdle(pid: number, maxMs = 300_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let before = cpuTicks(pid, pid);
  while (Date.now() < deadline) {
    await sleep(500);
    const now = cpuTicks(pid, pid);
    if (!(now - before > 2.5)) return; // also returns when /proc is unavailable (NaN)
    before = now;
  }
}

export async function startServer(opts: { databaseUrl: string; dataDir: string; logLevel: string }): Promise<RunningServer> {
  const port = await freePort();
  const main = fileURLToPath(import.meta.resolve('@custodian/server/dist/main.js'));
  const child: ChildProcess = spawn(process.execPath, [
    // BENCH_SERVER_NODE_ARGS: node flags for the server only, e.g. "--cpu-prof --cpu-prof-dir=DIR" to profile it.
    ...(process.env.BENCH_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []), main,
  ], {
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '',
      DATABASE_URL: opts.databaseUrl, DATA_DIR: opts.dataDir, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: opts.logLevel,
      // BENCH_SERVER_ENV: more server settings for a run, e.g. "SQLITE_CACHE_MB=256".
      ...Object.fromEntries((process.env.BENCH_SERVER_ENV?.split(/\s+/).filter(Boolean) ?? []).map((kv) => {
        const eq = kv.indexOf('=');
        return [kv.slice(0, eq), kv.slice(eq + 1)];
      })),
    },
    // Request logs go to /dev/null: written like in production, but nobody has to drain a pipe.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-4000); });
  let exited: number | null = null;
  child.once('exit', (code) => { exited = code ?? -1; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited !== null) throw new Error(`The server exited with code ${exited} before it was ready:\n${stderr}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The server did not become ready within 120 s:\n${stderr}`);
    }
    await sleep(100);
  }
  const pid = child.pid ?? 0;
  return {
    url,
    pid,
    rssMb: () => procStatusMb(pid, 'VmRSS'),
    peakRssMb: () => procStatusMb(pid, 'VmHWM'),
    // Clock ticks are 1/100 s on Linux; the main thread's id is the process id.
    cpuMs: () => ({ process: cpuTicks(pid) * 10, main: cpuTicks(pid, pid) * 10 }),
    waitIdle: (maxMs) => waitIdle(pid, maxMs),
    stop: async () => {
      if (exited !== null) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await done;
      clearTimeout(timer);
    },
  };
}
