/**
 * The request log: one line per request, written when it completes, naming the request (method,
 * URL, id) and its outcome (status, time); the arrival line only at debug level.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { buildApp } from '../src/app.js';
import { createDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { testConfig } from './harness.js';

interface LogLine { level: number; msg: string; reqId?: string; req?: { method: string; url: string }; res?: { statusCode: number }; responseTime?: number }

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function appLogging(level: string): Promise<{ inject: (url: string) => Promise<number>; lines: LogLine[] }> {
  const database: Database = createDatabase('sqlite::memory:', { poolSize: 1 });
  open.push(database);
  await migrateToLatest(database.db);
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  const app = await buildApp({ database, config: testConfig(), logger: { level, stream } });
  open.push(app);
  await app.ready();
  return { inject: async (url) => (await app.inject({ method: 'GET', url, headers: { 'x-request-id': 'req-log-test-1' } })).statusCode, lines };
}

describe('request log', () => {
  it('writes one line per request when it completes, with method, URL, status and time', async () => {
    const { inject, lines } = await appLogging('info');
    expect(await inject('/healthz')).toBe(200);
    expect(await inject('/api/v1/no-such-route')).toBe(404);
    const requests = lines.filter((l) => l.req);
    expect(requests.map((l) => [l.msg, l.req?.method, l.req?.url, l.res?.statusCode])).toEqual([
      ['request completed', 'GET', '/healthz', 200],
      ['request completed', 'GET', '/api/v1/no-such-route', 404],
    ]);
    for (const l of requests) {
      expect(l.reqId).toBe('req-log-test-1');
      expect(typeof l.responseTime).toBe('number');
    }
    expect(lines.some((l) => l.msg === 'incoming request')).toBe(false);
  });

  it('also writes the arrival line at debug level', async () => {
    const { inject, lines } = await appLogging('debug');
    expect(await inject('/healthz')).toBe(200);
    expect(lines.filter((l) => l.req?.url === '/healthz').map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
  });
});
