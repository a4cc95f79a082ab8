/**
 * Test harness: a real database per test file (SQLite in memory; PostgreSQL in a fresh database
 * when TEST_DATABASE_URL is set), migrated, and the real app driven through app.inject.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createDatabase, type Database } from '../src/db/database.js';
import type { Engine } from '../src/db/dialect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import * as identity from '../src/modules/identity/identity.service.js';

export const PG_URL = process.env.TEST_DATABASE_URL;

/** Engines every database test runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const engines: Engine[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, empty database URL for one engine, plus a function that drops it. */
export async function freshDatabaseUrl(engine: Engine, file?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (engine === 'sqlite') return { url: file ? `sqlite:${file}` : 'sqlite::memory:', drop: async () => {} };
  if (!PG_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `custodian_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    url: withDatabase(PG_URL, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(join(tmpdir(), 'custodian-test-'));
  return { ...loadConfig({ DATA_DIR: dataDir, APP_SECRET: 'test-secret-'.padEnd(40, 'x'), LOG_LEVEL: 'silent', ...overrides }), webDir: null };
}

export interface TestApp {
  engine: Engine;
  app: FastifyInstance;
  database: Database;
  config: Config;
  close(): Promise<void>;
}

export async function createTestApp(engine: Engine, configOverrides: Record<string, string> = {}): Promise<TestApp> {
  const { url, drop } = await freshDatabaseUrl(engine);
  const database = createDatabase(url, { poolSize: 4 });
  await migrateToLatest(database.db);
  const config = testConfig(configOverrides);
  const app = await buildApp({ database, config, logger: false });
  await app.ready();
  return {
    engine, app, database, config,
    async close() {
      await app.close();
      await database.close();
      await drop();
    },
  };
}

/** A signed-in browser-like client: session cookie + CSRF header on writes. */
export interface Session {
  cookie: string;
  csrf: string;
  userId: string;
  orgId: string;
  email: string;
}

export function cookieFrom(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === identity.SESSION_COOKIE);
  if (!c) throw new Error(`no session cookie in response ${res.statusCode}: ${res.body}`);
  return `${c.name}=${c.value}`;
}

export async function sessionFor(t: TestApp, cookie: string, email: string): Promise<Session> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } });
  if (res.statusCode !== 200) throw new Error(`session failed: ${res.statusCode} ${res.body}`);
  const s = res.json<{ csrfToken: string; user: { id: string }; currentOrganization: { id: string } | null }>();
  return { cookie, csrf: s.csrfToken, userId: s.user.id, orgId: s.currentOrganization?.id ?? '', email };
}

export const PASSWORD = 'correct horse battery staple';

let counter = 0;
export const uniqueEmail = (prefix = 'user') => `${prefix}-${Date.now().toString(36)}-${++counter}@example.test`;

/** First-start setup through the API: returns the owner's session in the first organization. */
export async function setupOwner(t: TestApp, organizationName = 'Acme Corp'): Promise<Session> {
  const token = await identity.issueSetupToken(t.database.db);
  const email = uniqueEmail('owner');
  const res = await t.app.inject({
    method: 'POST', url: '/api/v1/setup',
    payload: { token, email, displayName: 'Olivia Owner', password: PASSWORD, organizationName },
  });
  if (res.statusCode !== 200) throw new Error(`setup failed: ${res.statusCode} ${res.body}`);
  return sessionFor(t, cookieFrom(res), email);
}

export async function login(t: TestApp, email: string, password = PASSWORD): Promise<Session> {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return sessionFor(t, cookieFrom(res), email);
}

/** Sends a request as the session (cookie + CSRF) or with a bearer token. */
export function call(t: TestApp, as: Session | { token: string } | null, method: InjectOptions['method'], url: string, payload?: unknown) {
  const headers: Record<string, string> = {};
  if (as && 'token' in as) headers.authorization = `Bearer ${as.token}`;
  else if (as) {
    headers.cookie = as.cookie;
    headers['x-csrf-token'] = as.csrf;
  }
  return t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) });
}

/** Creates an organization as `s` and switches the session to it. */
export async function newOrganization(t: TestApp, s: Session, name: string): Promise<string> {
  const res = await call(t, s, 'POST', '/api/v1/organizations', { name });
  if (res.statusCode !== 201) throw new Error(`create org failed: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
}

export async function switchTo(t: TestApp, s: Session, orgId: string): Promise<Session> {
  const res = await call(t, s, 'POST', '/api/v1/auth/organization', { organizationId: orgId });
  if (res.statusCode !== 200) throw new Error(`switch failed: ${res.statusCode} ${res.body}`);
  return { ...s, orgId };
}

/** Adds a member with a known password and returns their signed-in session. */
export async function addMember(t: TestApp, admin: Session, role: string): Promise<Session> {
  const email = uniqueEmail(role);
  const res = await call(t, admin, 'POST', '/api/v1/members', { email, displayName: `${role} person`, role, password: PASSWORD });
  if (res.statusCode !== 201) throw new Error(`add member failed: ${res.statusCode} ${res.body}`);
  const s = await login(t, email);
  return s.orgId === admin.orgId ? s : switchTo(t, s, admin.orgId);
}

export async function createToken(t: TestApp, s: Session, scopes: string[], kind: 'personal' | 'service' = 'personal'): Promise<{ id: string; secret: string }> {
  const res = await call(t, s, 'POST', '/api/v1/tokens', { name: `t-${++counter}`, scopes, kind });
  if (res.statusCode !== 201) throw new Error(`token failed: ${res.statusCode} ${res.body}`);
  const body = res.json<{ token: { id: string }; secret: string }>();
  return { id: body.token.id, secret: body.secret };
}

export async function eventCount(t: TestApp): Promise<number> {
  const r = await t.database.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
