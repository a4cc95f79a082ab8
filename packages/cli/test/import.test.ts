/**
 * `custodian import` and `custodian export` end to end: the real built server and the real built
 * CLI as child processes, no mocks. Needs the server, api-client and CLI built (see cli.test.ts).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const serverMain = join(repo, 'packages/server/dist/main.js');
const cliMain = join(repo, 'packages/cli/dist/index.js');

const OWNER = { email: 'ivy.importer@example.com', displayName: 'Ivy Importer', password: 'correct-horse-battery', organizationName: 'Import Source Org' };
const SCOPES = ['imports:write', 'assets:write', 'catalog:write', 'locations:write', 'custody:write', 'people:write', 'members:read'];

interface RunResult { code: number | null; stdout: string; stderr: string }

let server: ChildProcess | undefined;
let baseUrl = '';
let tmp = '';
let cookie = '';
let csrf = '';
/** Tokens of the first and the second organization. */
let tokenA = '';
let tokenB = '';

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

function startServer(port: number, dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverMain], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
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

async function json<T>(res: Response, status: number): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
}

async function createToken(name: string): Promise<string> {
  return (await json<{ secret: string }>(await api('POST', '/api/v1/tokens', { name, scopes: SCOPES }), 201)).secret;
}

/** The built CLI with `token` of one organization in the environment. */
function cli(args: string[], token: string, cwd = tmp): Promise<RunResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('CUSTODIAN_')) env[k] = v;
  Object.assign(env, { CUSTODIAN_URL: baseUrl, CUSTODIAN_TOKEN: token, CUSTODIAN_CONFIG: join(tmp, 'none.json') });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliMain, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr }));
  });
}

const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n') + '\r\n';
const HEADERS = ['Asset Tag', 'Name', 'Serial', 'Model', 'Category', 'Manufacturer', 'Location', 'Purchase Date', 'Purchase Cost', 'Status', 'Company'];
const GOOD = [
  ['CLI-0001', 'Build server', 'SRV-1', 'PowerEdge R640', 'Servers', 'Dell', 'HQ / Rack room', '03/15/2024', '$4,999.00', 'Ready to Deploy', 'Acme'],
  ['CLI-0002', 'Laptop', 'LT-2', 'Latitude 7440', 'Laptops', 'Dell', 'HQ', '03/16/2024', '1,299.50', 'Ready to Deploy', 'Acme'],
  ['CLI-0003', 'Old printer', 'PR-3', 'LaserJet 400', 'Printers', 'HP', 'HQ', '12/31/2023', '399.5', 'Archived', ''],
];

async function assetTags(token: string): Promise<string[]> {
  const res = await fetch(`${baseUrl}/api/v1/assets?limit=100&sort=assetTag`, { headers: { authorization: `Bearer ${token}` } });
  const page = await json<{ items: { assetTag: string }[] }>(res, 200);
  return page.items.map((a) => a.assetTag);
}

beforeAll(async () => {
  for (const f of [serverMain, cliMain]) {
    if (!existsSync(f)) throw new Error(`${f} is missing; run: npm run build -w @custodian/api-client && npm run build -w @custodian/server && npm run build -w @custodian/cli`);
  }
  tmp = mkdtempSync(join(tmpdir(), 'custodian-cli-import-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const setupToken = await startServer(port, join(tmp, 'data'));
  const setup = await fetch(`${baseUrl}/api/v1/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: setupToken, ...OWNER }) });
  expect(setup.status, await setup.clone().text()).toBe(200);
  cookie = setup.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('custodian_session=')) ?? '';
  csrf = (await json<{ csrfToken: string }>(await api('GET', '/api/v1/auth/session'), 200)).csrfToken;
  tokenA = await createToken('import A');
  // A second organization (the same owner), with its own token: the target of the round trip.
  const orgB = await json<{ id: string }>(await api('POST', '/api/v1/organizations', { name: 'Import Target Org' }), 201);
  await json(await api('POST', '/api/v1/auth/organization', { organizationId: orgB.id }), 200);
  csrf = (await json<{ csrfToken: string }>(await api('GET', '/api/v1/auth/session'), 200)).csrfToken;
  tokenB = await createToken('import B');
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

describe('custodian import / export', () => {
  it('a dry run with a bad row lists the problem with its line and column, saves the error file, writes nothing and exits 1', async () => {
    const file = join(tmp, 'bad.csv');
    writeFileSync(file, csv([HEADERS, ...GOOD, ['CLI-0004', 'Broken date', 'BD-4', 'Latitude 7440', 'Laptops', 'Dell', 'HQ', '13/45/2024', '10', 'Ready to Deploy', '']]));
    const r = await cli(['import', file, '--target', 'assets', '--dry-run', '--create-missing', '--errors-out', 'fix-me.csv'], tokenA);
    expect(r.code, r.stderr).toBe(1);
    // The auto-mapping and the upload go to stderr, the report to stdout.
    expect(r.stderr).toContain('Asset Tag → assetTag');
    expect(r.stderr).toContain('Company → (ignored)');
    expect(r.stderr).toMatch(/Purchase Date → purchaseDate \[mdy/);
    expect(r.stdout).toContain('Dry run of bad.csv into assets: 4 rows checked');
    expect(r.stdout).toMatch(/to create\s+3\n/);
    expect(r.stdout).toMatch(/failed\s+1 \(1 problem\)/);
    expect(r.stdout).toMatch(/new records\s+.*3 models.*to be created by name/);
    expect(r.stdout).toMatch(/line 5, Purchase Date: .+\[date\]/);
    expect(r.stdout).toContain('saved to fix-me.csv');
    const errorsCsv = readFileSync(join(tmp, 'fix-me.csv'), 'utf8');
    expect(errorsCsv).toContain('CLI-0004');
    expect(errorsCsv).not.toContain('CLI-0001');
    expect(errorsCsv.split(/\r?\n/)[0]).toMatch(/Asset Tag.*Errors/);
    expect(await assetTags(tokenA)).toEqual([]);

    // All-or-nothing without --dry-run: validation stops it, nothing is imported, exit 1.
    const all = await cli(['import', file, '--target', 'assets', '--create-missing'], tokenA);
    expect(all.code).toBe(1);
    expect(all.stdout).toContain('Nothing was imported');
    expect(all.stdout).toContain(`custodian get imports/`);
    expect(await assetTags(tokenA)).toEqual([]);

    // --json: the job and its problems.
    const j = await cli(['import', file, '--target', 'assets', '--dry-run', '--create-missing', '--json'], tokenA);
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.stdout) as { job: { status: string; counts: { failed: number } }; problems: { line: number; column: string; code: string }[] };
    expect(doc.job).toMatchObject({ status: 'validated', counts: { failed: 1 } });
    expect(doc.problems).toEqual([expect.objectContaining({ line: 5, column: 'Purchase Date', code: 'date' })]);
  });

  it('valid-only imports the good rows, reports the skipped one and exits 0', async () => {
    const file = join(tmp, 'bad.csv');
    const r = await cli(['import', file, '--target', 'assets', '--create-missing', '--mode', 'valid-only'], tokenA);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Imported bad.csv into assets: 4 rows');
    expect(r.stdout).toMatch(/created\s+3\n/);
    expect(r.stdout).toMatch(/failed\s+1 \(1 problem; these rows were skipped\)/);
    expect(await assetTags(tokenA)).toEqual(['CLI-0001', 'CLI-0002', 'CLI-0003']);
  });

  it('a good file is validated and committed (progress on stderr); the same file again changes nothing', async () => {
    const file = join(tmp, 'good.csv');
    writeFileSync(file, csv([HEADERS, ...GOOD, ['CLI-0005', 'Spare', 'SP-5', 'Latitude 7440', 'Laptops', 'Dell', 'HQ', '04/01/2024', '999', 'Ready to Deploy', '']]));
    const r = await cli(['import', file, '-t', 'assets', '--create-missing'], tokenA);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain('Uploading');
    expect(r.stdout).toContain('Imported good.csv into assets: 4 rows');
    expect(r.stdout).toMatch(/created\s+1\n/);
    expect(r.stdout).toMatch(/unchanged\s+3\n/);
    expect(r.stdout).toMatch(/failed\s+0\n/);
    expect(await assetTags(tokenA)).toEqual(['CLI-0001', 'CLI-0002', 'CLI-0003', 'CLI-0005']);
    const again = await cli(['import', file, '-t', 'assets', '--create-missing'], tokenA);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/unchanged\s+4\n/);
  });

  it('refuses bad usage and reports file problems from the server', async () => {
    const file = join(tmp, 'good.csv');
    expect((await cli(['import', file, '--target', 'spaceships'], tokenA))).toMatchObject({ code: 1, stderr: expect.stringContaining('--target must be one of') });
    expect((await cli(['import', join(tmp, 'missing.csv'), '--target', 'assets'], tokenA))).toMatchObject({ code: 1, stderr: expect.stringContaining('no such file') });
    expect((await cli(['import', file, '--target', 'assets', '--mapping', 'Nope'], tokenA))).toMatchObject({ code: 1, stderr: expect.stringContaining('No assets mapping preset is called "Nope"') });
    const empty = join(tmp, 'header-only.csv');
    writeFileSync(empty, 'Asset Tag,Name\r\n');
    const r = await cli(['import', empty, '--target', 'assets'], tokenA);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Error 422 import\.header_only: /);
  });

  it('applies a saved preset by name', async () => {
    const file = join(tmp, 'odd-headers.csv');
    writeFileSync(file, csv([['Inv', 'Kind of thing', 'What'], ['CLI-0001', 'Build server (renamed)', 'PowerEdge R640']]));
    // Without a preset the odd headers map to nothing useful for the name.
    const preset = await fetch(`${baseUrl}/api/v1/import-presets`, {
      method: 'POST', headers: { authorization: `Bearer ${tokenA}`, 'content-type': 'application/json' },
      body: JSON.stringify({ target: 'assets', name: 'Odd sheet', mapping: { Inv: 'assetTag', 'Kind of thing': 'name', What: 'model' } }),
    });
    expect(preset.status, await preset.clone().text()).toBe(201);
    const r = await cli(['import', file, '--target', 'assets', '--mapping', 'odd sheet'], tokenA);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain('Kind of thing → name');
    expect(r.stdout).toMatch(/updated\s+1\n/);
  });

  it('export → import into another organization gives the same export', async () => {
    const exported = await cli(['export', '--target', 'assets'], tokenA);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.charCodeAt(0)).toBe(0xfeff); // UTF-8 BOM
    const lines = exported.stdout.slice(1).split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^Asset Tag,/);
    expect(exported.stdout).toContain('Build server (renamed)');
    const file = join(tmp, 'assets-export.csv');
    writeFileSync(file, exported.stdout);

    // The other organization is empty; --create-missing brings the catalog and locations along.
    expect(await assetTags(tokenB)).toEqual([]);
    const imported = await cli(['import', file, '--target', 'assets', '--create-missing'], tokenB);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/created\s+4\n/);
    expect(await assetTags(tokenB)).toEqual(['CLI-0001', 'CLI-0002', 'CLI-0003', 'CLI-0005']);
    const back = await cli(['export', '--target', 'assets'], tokenB);
    expect(back.code).toBe(0);
    expect(back.stdout).toBe(exported.stdout);

    // XLSX to a file; binary to a terminal is refused (stdout here is a pipe, so it streams).
    const x = await cli(['export', '-t', 'assets', '-f', 'xlsx', '-o', 'assets.xlsx'], tokenB);
    expect(x.code, x.stderr).toBe(0);
    expect(readFileSync(join(tmp, 'assets.xlsx')).subarray(0, 2).toString('latin1')).toBe('PK');
    const xi = await cli(['import', join(tmp, 'assets.xlsx'), '--target', 'assets', '--dry-run'], tokenB);
    expect(xi.code, xi.stdout + xi.stderr).toBe(0);
    expect(xi.stdout).toMatch(/unchanged\s+4\n/);
    expect((await cli(['export', '--target', 'planets'], tokenB)).code).toBe(1);
  });
});
