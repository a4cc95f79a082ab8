/**
 * Per-statement SQLite time of a server under the bench: a preload that wraps better-sqlite3's
 * Statement run/get/all and Database exec, sums wall time per SQL text, and writes the 40 most
 * expensive statements to $DATA_DIR/sqltime.txt when the server exits (total ms, calls, µs per call,
 * SQL). Wall time inside SQLite, including its page reads and the commit's log writes.
 *
 *   BENCH_SERVER_NODE_ARGS="--import $PWD/bench/tools/sqltime.mjs" node --expose-gc bench/dist/run.js --keep …
 */
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const probe = new Database(':memory:');
const statementProto = Object.getPrototypeOf(probe.prepare('select 1'));
const databaseProto = Object.getPrototypeOf(probe);
probe.close();

const stats = new Map();
const record = (sql, t0) => {
  const ns = Number(process.hrtime.bigint() - t0);
  const s = stats.get(sql) ?? { calls: 0, ns: 0 };
  s.calls++;
  s.ns += ns;
  stats.set(sql, s);
};
for (const method of ['run', 'get', 'all']) {
  const original = statementProto[method];
  statementProto[method] = function timed(...args) {
    const t0 = process.hrtime.bigint();
    try {
      return original.apply(this, args);
    } finally {
      record(this.source, t0);
    }
  };
}
const exec = databaseProto.exec;
databaseProto.exec = function timedExec(sql) {
  const t0 = process.hrtime.bigint();
  try {
    return exec.call(this, sql);
  } finally {
    record(`exec: ${sql}`, t0);
  }
};

process.on('exit', () => {
  const lines = [...stats.entries()].sort((a, b) => b[1].ns - a[1].ns).slice(0, 40).map(([sql, s]) =>
    `${(s.ns / 1e6).toFixed(0).padStart(8)} ms ${String(s.calls).padStart(8)} × ${(s.ns / s.calls / 1e3).toFixed(1).padStart(8)} µs  ${sql.replace(/\s+/g, ' ').slice(0, 300)}`);
  writeFileSync(join(process.env.DATA_DIR ?? '.', 'sqltime.txt'), `${lines.join('\n')}\n`);
});
