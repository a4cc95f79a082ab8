/**
 * End-to-end: the real built server and the real built CLI, as child processes. No mocks.
 * Needs `npm run build -w @custodian/api-client -w @custodian/server -w @custodian/cli` first.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const serverMain = join(repo, 'packages/server/dist/main.js');
const cliMain = join(repo, 'packages/cli/dist/index.js');

const OWNER = { email: 'olive.owner@example.com', displayName: 'Olive Owner', password: 'correct-horse-battery', organizationName: 'Acme Test Corp' };

interface RunResult { code: number | null; stdout: string; stderr: string }

let server: ChildProcess | undefined;
let baseUrl = '';
let tmp = '';
let cookie = '';
let csrf = '';
/** The token with members/events/organization read scopes. */
let secret = '';
/** Every secret created in this run; none may ever appear in CLI output. */
const secrets: string[] = [];
const outputs: string[] = [];

function freePort(): Promise<number> {
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

/** Starts the server and resolves with the one-time setup token it prints. */
function startServer(port: number, dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverMain], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not print a setup link within 30 s:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /\/setup\?token=([A-Za-z0-9_-]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

async function api(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { cookie };
  if (csrf) headers['x-csrf-token'] = csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

async function createToken(name: string, scopes: string[]): Promise<{ id: string; secret: string }> {
  const res = await api('POST', '/api/v1/tokens', { name, scopes });
  expect(res.status, await res.clone().text()).toBe(201);
  const json = (await res.json()) as { token: { id: string }; secret: string };
  secrets.push(json.secret);
  return { id: json.token.id, secret: json.secret };
}

/** Runs the built CLI with a clean environment (no CUSTODIAN_* from the caller) plus `env`. */
function cli(args: string[], opts: { env?: Record<string, string>; input?: string; config?: string } = {}): Promise<RunResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CUSTODIAN_')) env[k] = v;
  Object.assign(env, { XDG_CONFIG_HOME: join(tmp, 'xdg'), CUSTODIAN_CONFIG: opts.config ?? join(tmp, 'cfg', 'nested', 'credentials.json') }, opts.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliMain, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.once('error', reject);
    child.once('close', (code) => {
      outputs.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

const configFile = () => join(tmp, 'cfg', 'nested', 'credentials.json');

beforeAll(async () => {
  for (const f of [serverMain, cliMain]) {
    if (!existsSync(f)) throw new Error(`${f} is missing; run: npm run build -w @custodian/api-client && npm run build -w @custodian/server && npm run build -w @custodian/cli`);
  }
  tmp = mkdtempSync(join(tmpdir(), 'custodian-cli-e2e-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const setupToken = await startServer(port, join(tmp, 'data'));

  const setup = await fetch(`${baseUrl}/api/v1/setup`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: setupToken, ...OWNER }),
  });
  expect(setup.status, await setup.clone().text()).toBe(200);
  const sessionCookie = setup.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('custodian_session='));
  expect(sessionCookie).toBeTruthy();
  cookie = sessionCookie ?? '';
  const session = await api('GET', '/api/v1/auth/session');
  expect(session.status).toBe(200);
  csrf = ((await session.json()) as { csrfToken: string }).csrfToken;
  expect(csrf).toBeTruthy();
  secret = (await createToken('cli', ['members:read', 'events:read', 'organization:read'])).secret;
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('custodian CLI against a real server', () => {
  it('shows help and rejects unknown commands', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const cmd of ['login', 'logout', 'whoami', 'get']) expect(help.stdout).toContain(cmd);
    const bogus = await cli(['frobnicate']);
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toContain("unknown command 'frobnicate'");
  });

  it('is not signed in before login (exit 2)', async () => {
    const r = await cli(['whoami']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('custodian login');
    expect(r.stdout).toBe('');
  });

  it('logs in with the token on stdin and saves it with mode 0600 in a 0700 directory', async () => {
    const r = await cli(['login', '--url', `${baseUrl}/api/v1/`], { input: `${secret}\n` });
    expect(r.stderr).not.toContain('Error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Signed in to ${baseUrl} as ${OWNER.email} in ${OWNER.organizationName}`);
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);

    const file = configFile();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: baseUrl, token: secret });
  });

  it('whoami shows the user, organization and role', async () => {
    const r = await cli(['whoami']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(OWNER.email);
    expect(r.stdout).toContain(OWNER.displayName);
    expect(r.stdout).toContain(OWNER.organizationName);
    expect(r.stdout).toMatch(/Role:\s+owner/);
    expect(r.stdout).toMatch(/Permissions:\s+3\b/); // the owner's permissions narrowed to the three read scopes

    const j = await cli(['whoami', '--json']);
    expect(j.code).toBe(0);
    const doc = JSON.parse(j.stdout) as { user: { email: string }; currentOrganization: { name: string }; role: string; permissions: string[] };
    expect(doc.user.email).toBe(OWNER.email);
    expect(doc.currentOrganization.name).toBe(OWNER.organizationName);
    expect(doc.role).toBe('owner');
    expect(doc.permissions.sort()).toEqual(['event.read', 'member.read', 'org.read']);
  });

  it('get prints the JSON of any API path', async () => {
    for (const path of ['members', '/api/v1/members', 'api/v1/members']) {
      const r = await cli(['get', path]);
      expect(r.code, r.stderr).toBe(0);
      const members = JSON.parse(r.stdout) as { email: string; role: string }[];
      expect(members).toEqual([expect.objectContaining({ email: OWNER.email, role: 'owner' })]);
    }
    const none = await cli(['get', 'members', '--query', 'q=nobody-matches-this']);
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual([]);

    const compact = await cli(['get', 'events', '-q', 'limit=1', '--json']);
    expect(compact.code, compact.stderr).toBe(0);
    expect(compact.stdout.trim().split('\n')).toHaveLength(1);
    const page = JSON.parse(compact.stdout) as { items: unknown[] };
    expect(page.items).toHaveLength(1);
  });

  it('get reports a 403 (token lacks the people scope) on stderr with exit 1', async () => {
    const r = await cli(['get', '/api/v1/departments']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Error 403 auth\.forbidden: .*department\.read/m);
    expect(r.stderr).toMatch(/Request id: \S+/);
  });

  it('get prints field errors of a validation problem', async () => {
    const r = await cli(['get', 'events', '--query', 'limit=abc']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error 400 \S+: /m);
    expect(r.stderr).toMatch(/^ {2}\/\S*limit: /m);
    expect(r.stderr).toMatch(/Request id: \S+/);
  });

  it('get refuses malformed queries and URLs of other servers without sending the token', async () => {
    const bad = await cli(['get', 'members', '--query', 'novalue']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('key=value');
    const other = await cli(['get', 'http://example.invalid/api/v1/members']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('not on the configured server');
  });

  it('logout deletes the credentials; whoami then exits 2', async () => {
    const out = await cli(['logout']);
    expect(out.code).toBe(0);
    expect(existsSync(configFile())).toBe(false);
    const who = await cli(['whoami']);
    expect(who.code).toBe(2);
    expect(who.stderr).toContain('custodian login');
    const again = await cli(['logout']);
    expect(again.code).toBe(0);
  });

  it('CUSTODIAN_URL and CUSTODIAN_TOKEN work without login and take precedence over the file', async () => {
    const env = { CUSTODIAN_URL: baseUrl, CUSTODIAN_TOKEN: secret };
    const who = await cli(['whoami'], { env });
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toContain(OWNER.email);
    const members = await cli(['get', 'members'], { env });
    expect(members.code).toBe(0);
    expect(members.stdout).toContain(OWNER.email);

    const stale = join(tmp, 'stale.json');
    writeFileSync(stale, JSON.stringify({ url: 'http://127.0.0.1:9', token: 'cus_stale' }), { mode: 0o600 });
    const overridden = await cli(['whoami'], { env, config: stale });
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(overridden.stdout).toContain(OWNER.email);
  });

  it('a garbage token is rejected with a clear message', async () => {
    const viaEnv = await cli(['whoami'], { env: { CUSTODIAN_URL: baseUrl, CUSTODIAN_TOKEN: 'cus_garbage_garbage' } });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toContain('Error 401');
    expect(viaEnv.stderr).toContain('not accept the API token');

    const login = await cli(['login', '--url', baseUrl], { input: 'cus_garbage_garbage\n' });
    expect(login.code).toBe(1);
    expect(login.stderr).toContain('Error 401');
    expect(login.stderr).toContain('nothing was saved');
    expect(existsSync(configFile())).toBe(false);
  });

  it('a revoked token stops working: whoami exits 2, login refuses it', async () => {
    const second = await createToken('to-revoke', ['members:read']);
    const login = await cli(['login', '--url', baseUrl, '--token', second.secret]);
    expect(login.code, login.stderr).toBe(0);
    expect((await cli(['whoami'])).code).toBe(0);

    const revoke = await api('DELETE', `/api/v1/tokens/${second.id}`);
    expect(revoke.status).toBe(200);

    const who = await cli(['whoami']);
    expect(who.code).toBe(2);
    expect(who.stderr).toMatch(/revoked/i);
    expect(who.stderr).toContain('custodian login');

    const relogin = await cli(['login', '--url', baseUrl], { input: second.secret });
    expect(relogin.code).toBe(1);
    expect(relogin.stderr).toContain('nothing was saved');
    await cli(['logout']);
  });

  it('login without a token or with a bad URL is a usage error', async () => {
    const empty = await cli(['login', '--url', baseUrl], { input: '' });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('No token given');
    const badUrl = await cli(['login', '--url', 'ftp://example.com', '--token', secret]);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toContain('http://');
  });

  it('an unreachable server is reported (exit 1)', async () => {
    const port = await freePort();
    const r = await cli(['whoami'], { env: { CUSTODIAN_URL: `http://127.0.0.1:${port}`, CUSTODIAN_TOKEN: secret } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot reach the Custodian server');
  });

  it('never printed a token', () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const s of secrets) for (const out of outputs) expect(out).not.toContain(s);
  });
});
