/**
 * Browser test of the software catalogue against a real server: two agents send inventories
 * (the captured GLPI Agent JSON of a Dell R640, and a variant with Windows-style packages), then
 * the products list, a product page with where it is installed, and a rule created in the editor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, repoRoot, screenshotPath, startServer, type RunningServer } from './harness';

const OWNER = { email: 'owner@example.com', name: 'Olivia Owner', password: 'correct horse battery staple' };
const R640 = join(repoRoot, 'packages', 'server', 'test', 'fixtures', 'agents', 'glpi-agent-1.12dev_local_fake-dmidecode-dell-r640_full.json');

let server: RunningServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** Signs in with fetch and returns the cookie and CSRF token (for the discovery admin API). */
async function session(): Promise<{ cookie: string; csrf: string }> {
  const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }) });
  if (!login.ok) throw new Error(`sign-in failed: ${login.status}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const s = (await (await fetch(`${server.baseUrl}/api/v1/auth/session`, { headers: { cookie } })).json()) as { csrfToken: string };
  return { cookie, csrf: s.csrfToken };
}

/** One GLPI Agent JSON inventory as another device: new device id, serial, host name, and extra packages. */
function variant(n: number, extra: object[]): string {
  const doc = JSON.parse(readFileSync(R640, 'utf8')) as { deviceid: string; content: { bios?: { ssn?: string }; hardware?: { name?: string; uuid?: string }; networks?: object[]; softwares: object[] } };
  doc.deviceid = `ws-${n}-2026-11-25-10-00-00`;
  if (doc.content.bios) doc.content.bios.ssn = `SN-E2E-${n}`;
  if (doc.content.hardware) Object.assign(doc.content.hardware, { name: `ws-${n}`, uuid: `4c4c4544-0000-1000-8000-00000000000${n}` });
  doc.content.networks = [];
  doc.content.softwares = [...doc.content.softwares.slice(0, 20), ...extra];
  return JSON.stringify(doc);
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(server.setupUrl);
  await page.getByLabel('Your email').fill(OWNER.email);
  await page.getByLabel('Display name').fill(OWNER.name);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(OWNER.password);
  await page.getByLabel('Organization name').fill('Acme Corp');
  await page.getByRole('button', { name: 'Create owner account' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

  // Two agents send inventories with an enrolment secret.
  const s = await session();
  const headers = { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' };
  const enrol = (await (await fetch(`${server.baseUrl}/api/v1/discovery/enrollments`, { method: 'POST', headers, body: JSON.stringify({ name: 'e2e' }) })).json()) as { secret: string };
  const settings = (await (await fetch(`${server.baseUrl}/api/v1/discovery/settings`, { headers })).json()) as { inventoryPath: string };
  const windows = (firefox: string) => [
    { name: 'Mozilla Firefox (x64 en-US)', version: firefox, publisher: 'Mozilla', arch: 'x86_64', from: 'registry' },
    { name: '7-Zip 19.00 (x64)', version: '19.00', publisher: 'Igor Pavlov', from: 'registry' },
  ];
  for (const [n, body] of [[1, variant(1, windows('118.0'))], [2, variant(2, windows('119.0'))]] as const) {
    const res = await fetch(`${server.baseUrl}/inventory/${settings.inventoryPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'GLPI-Agent_v1.12', authorization: `Basic ${Buffer.from(`agent:${enrol.secret}`).toString('base64')}` },
      body,
    });
    if (!res.ok) throw new Error(`inventory ${n} refused: ${res.status} ${await res.text()}`);
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('software catalogue', () => {
  it('lists products, shows where one is installed, and applies a rule from the editor', async () => {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Software', exact: true }).click();
    await page.getByRole('heading', { name: 'Software' }).waitFor();
    const table = page.getByRole('table', { name: 'Software products' });
    // Sorted by installations: the 20 shared Debian packages and the two Windows products are on 2 devices.
    await table.getByRole('link', { name: 'Mozilla Firefox' }).waitFor();
    await page.getByLabel('Search products or publishers').fill('firefox');
    await expect.poll(async () => table.getByRole('row').count()).toBe(2); // header + Firefox
    const row = table.getByRole('row', { name: /Mozilla Firefox/ });
    await expect.poll(async () => row.textContent()).toMatch(/Mozilla.*119\.0, 118\.0|Mozilla.*118\.0, 119\.0/);
    await page.screenshot({ path: screenshotPath('software-list') });

    await row.getByRole('link', { name: 'Mozilla Firefox' }).click();
    await page.getByRole('heading', { name: 'Mozilla Firefox' }).waitFor();
    const installs = page.getByRole('table', { name: 'Installations' });
    await installs.getByRole('cell', { name: 'ws-1', exact: true }).waitFor();
    await installs.getByRole('cell', { name: 'ws-2', exact: true }).waitFor();
    // Each device was reconciled into its own asset; the installation links to it.
    await expect.poll(async () => installs.getByRole('link', { name: /^AST-/ }).count()).toBe(2);
    expect(await page.getByRole('table', { name: 'Versions' }).textContent()).toMatch(/118\.0.*11.*|119\.0/);
    await page.getByText('Mozilla Firefox (x64 en-US)').first().waitFor(); // reported as
    await page.screenshot({ path: screenshotPath('software-product') });

    // An ignore rule created in the editor, previewed first.
    await page.getByRole('link', { name: '← Software' }).click();
    await page.getByRole('link', { name: 'Normalisation rules' }).click();
    await page.getByRole('heading', { name: 'Software rules' }).waitFor();
    await page.getByRole('button', { name: 'New rule' }).click();
    const dialog = page.getByRole('dialog', { name: 'New rule' });
    await dialog.getByText('Ignore', { exact: true }).click();
    await dialog.getByRole('textbox', { name: 'Product name' }).fill('7-zip');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByRole('status').filter({ hasText: '1 product, 2 installations on 2 devices' }).waitFor();
    await dialog.getByRole('button', { name: 'Create and apply' }).click();
    await page.getByText(/2 installations removed, 1 product ignored/).waitFor();
    await page.getByRole('table', { name: 'Software rules' }).getByText('name is exactly “7-zip”').waitFor();
    await page.screenshot({ path: screenshotPath('software-rules') });

    await page.getByRole('link', { name: '← Software' }).click();
    await page.locator('label', { hasText: /^Ignored$/ }).click();
    await expect.poll(async () => page.getByRole('radio', { name: 'Ignored' }).isChecked()).toBe(true);
    await page.getByRole('table', { name: 'Software products' }).getByRole('link', { name: '7-Zip' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
