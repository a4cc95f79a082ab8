import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestApp, setupOwner, testConfig, type TestApp } from './harness.js';
import { authPlugin } from '../src/plugins/auth.js';
import { errorsPlugin } from '../src/plugins/errors.js';
import { buildSpec } from '../src/commands/openapi-spec.js';
import { createDatabase } from '../src/db/database.js';

describe('routes', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp('sqlite'); });
  afterAll(() => t.close());

  it('every route declares its access; the full table is snapshotted for review', async () => {
    const rows = t.app.routeAccess
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method.padEnd(7)}${r.url.padEnd(44)} ${r.access}`)
      .sort();
    expect(rows.length).toBeGreaterThan(30);
    await expect(`${rows.join('\n')}\n`).toMatchFileSnapshot('__snapshots__/route-access.txt');
  });

  it('the app refuses to start when a route declares no access', async () => {
    const database = createDatabase('sqlite::memory:');
    const app = Fastify({ logger: false });
    await app.register(errorsPlugin);
    await app.register(authPlugin, { database, config: testConfig() });
    expect(() => app.get('/api/v1/forgotten', async () => ({ oops: true }))).toThrow(/declares no config\.access/);
    await app.close();
    await database.close();
  });

  it('the committed OpenAPI spec is up to date (run `npm run gen` when this fails)', async () => {
    const committed = readFileSync(fileURLToPath(new URL('../../api-client/openapi.json', import.meta.url)), 'utf8');
    expect(await buildSpec()).toBe(committed);
  });

  it('serves the API reference at /api/docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ openapi: string }>().openapi).toBe('3.1.0');
    const ui = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });
});

describe('errors are RFC 9457 problem documents', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    await setupOwner(t);
  });
  afterAll(() => t.close());

  it('invalid JSON, unknown routes and unknown fields get 4xx problem+json with a request id', async () => {
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({ status: 400, code: 'invalid_json', requestId: bad.headers['x-request-id'] });
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'route.not_found' });
    const extra = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a@b.c', password: 'x', admin: true } });
    expect(extra.statusCode).toBe(400);
    expect(extra.json<{ errors: { path: string; code: string }[] }>().errors).toContainEqual(expect.objectContaining({ path: '/body/admin', code: 'unknown_field' }));
    const noBody = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: {} });
    expect(noBody.json<{ errors: { path: string }[] }>().errors.map((e) => e.path).sort()).toEqual(['/body/email', '/body/password']);
  });

  it('a 500 never leaks internals', async () => {
    const database = createDatabase('sqlite::memory:');
    const app = Fastify({ logger: false });
    await app.register(errorsPlugin);
    await app.register(authPlugin, { database, config: testConfig() });
    app.get('/boom', { config: { access: 'public' } }, async () => { throw new Error('password=hunter2 at /srv/secret/path.ts:12'); });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('/srv/secret');
    expect(res.json()).toMatchObject({ code: 'internal_error', status: 500 });
    expect(res.json<{ requestId: string }>().requestId).toBeTruthy();
    await app.close();
    await database.close();
  });

  it('health and readiness', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready', database: 'sqlite' });
  });

  it('sends security headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('validation messages', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp('sqlite'); });
  afterAll(() => t.close());

  it('a bad value for a nullable field gets one precise error', async () => {
    const s = await setupOwner(t);
    const { call } = await import('./harness.js');
    const res = await call(t, s, 'POST', '/api/v1/departments', { name: 'X', managerUserId: 'not-a-uuid' });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: unknown[] }>().errors).toEqual([{ path: '/body/managerUserId', message: 'must match format "uuid"', code: 'format' }]);
  });
});

describe('nullable fields', () => {
  it('null stays null under type coercion (not 0 or "")', async () => {
    const { Type } = await import('@sinclair/typebox');
    const { Nullable } = await import('../src/lib/schemas.js');
    const { AJV_OPTIONS } = await import('../src/app.js');
    const app = Fastify({ logger: false, ajv: { customOptions: AJV_OPTIONS } });
    const body = Type.Object({ n: Nullable(Type.Number()), s: Nullable(Type.String()), id: Nullable(Type.String({ format: 'uuid' })) });
    app.post('/echo', { schema: { body } }, async (req) => req.body);
    const res = await app.inject({ method: 'POST', url: '/echo', payload: { n: null, s: null, id: null } });
    expect(res.json()).toEqual({ n: null, s: null, id: null });
    const zero = await app.inject({ method: 'POST', url: '/echo', payload: { n: 0, s: '', id: null } });
    expect(zero.json()).toEqual({ n: 0, s: '', id: null });
    expect((await app.inject({ method: 'POST', url: '/echo', payload: { n: 'x', s: null, id: 'nope' } })).statusCode).toBe(400);
    await app.close();
  });
});

describe('enum validation messages', () => {
  it('a union of literals fails once, listing the options', async () => {
    const { Type } = await import('@sinclair/typebox');
    const { AJV_OPTIONS } = await import('../src/app.js');
    const { errorsPlugin } = await import('../src/plugins/errors.js');
    const app = Fastify({ logger: false, ajv: { customOptions: AJV_OPTIONS } });
    await app.register(errorsPlugin);
    app.post('/pick', { schema: { body: Type.Object({ colour: Type.Union([Type.Literal('red'), Type.Literal('green')]) }) } }, async (req) => req.body);
    const res = await app.inject({ method: 'POST', url: '/pick', payload: { colour: 'blue' } });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: unknown[] }>().errors).toEqual([{ path: '/body/colour', message: 'must be one of: red, green', code: 'enum' }]);
    await app.close();
  });
});
