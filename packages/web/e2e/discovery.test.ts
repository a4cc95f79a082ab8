/**
 * Browser test of the discovery screens against a real server: the owner lets agents in without a
 * secret from the setup page (after a field error), a GLPI Agent JSON inventory of a physical Dell
 * R640 arrives, the asset it created shows its Discovered tab (host name, disk, software); then a
 * device whose host name matches two assets waits in the review queue and is linked from there.
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

interface Machine {
  deviceid: string;
  hostname: string;
  serial: string;
  uuid: string;
  keepNetworks: boolean;
  disks: { serial: string; model: string; sizeMb: number }[];
}

/** The captured GLPI Agent inventory, made physical and given the machine's identity and disks. */
function inventory(m: Machine): string {
  const doc = JSON.parse(readFileSync(R640, 'utf8')) as { deviceid: string; content: Record<string, unknown> & { bios: object; hardware: object; networks: object[] } };
  doc.deviceid = m.deviceid;
  const c = doc.content;
  c.bios = { ...c.bios, ssn: m.serial };
  c.hardware = { ...c.hardware, name: m.hostname, uuid: m.uuid, vmsystem: 'Physical' };
  if (!m.keepNetworks) c.networks = [];
  c.storages = m.disks.map((d, i) => ({ name: `sd${String.fromCharCode(97 + i)}`, serial: d.serial, model: d.model, disksize: d.sizeMb, type: 'disk', description: 'SCSI disk', interface: 'SAS' }));
  return JSON.stringify(doc);
}

/** Signs in with fetch: cookie and CSRF token for arranging data through the API. */
async function session(): Promise<{ cookie: string; csrf: string }> {
  const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }) });
  if (!login.ok) throw new Error(`sign-in failed: ${login.status}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const s = (await (await fetch(`${server.baseUrl}/api/v1/auth/session`, { headers: { cookie } })).json()) as { csrfToken: string };
  return { cookie, csrf: s.csrfToken };
}

async function apiJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const s = await session();
  const res = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function send(inventoryUrl: string, m: Machine): Promise<void> {
  const res = await fetch(inventoryUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'GLPI-Agent_v1.12' }, body: inventory(m) });
  if (!res.ok) throw new Error(`inventory of ${m.hostname} refused: ${res.status} ${await res.text()}`);
}

const nav = () => page.getByRole('navigation', { name: 'Discovery' });

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
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
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('discovery', () => {
  let inventoryUrl = '';

  it('sets agents up from the setup page: field errors, then no enrolment required', async () => {
    await nav().getByRole('link', { name: 'Discovery setup' }).click();
    await page.getByRole('heading', { name: 'Discovery setup' }).waitFor();
    inventoryUrl = (await page.getByLabel('Inventory URL', { exact: true }).textContent()) ?? '';
    expect(inventoryUrl).toMatch(/\/inventory\/[a-z0-9_-]+$/);

    const form = page.getByRole('form', { name: 'Agent connection' });
    await form.getByLabel('Custom path').fill('Not A Path');
    await form.getByRole('switch', { name: 'Enrolment required' }).uncheck({ force: true });
    await form.getByRole('button', { name: 'Save agent settings' }).click();
    await form.getByText(/Must match/).waitFor();
    // Nothing was written: enrolment is still required.
    expect((await apiJson<{ requireEnrollment: boolean }>('GET', '/api/v1/discovery/settings')).requireEnrollment).toBe(true);

    await form.getByLabel('Custom path').fill('');
    await form.getByRole('button', { name: 'Save agent settings' }).click();
    await page.getByText('The agent settings were saved.').waitFor();
    expect((await apiJson<{ requireEnrollment: boolean }>('GET', '/api/v1/discovery/settings')).requireEnrollment).toBe(false);

    // Match rules: all off is refused under the list; moved and saved, the order sticks.
    const rec = page.getByRole('form', { name: 'Reconciliation' });
    for (const rule of ['System serial + manufacturer', 'SMBIOS UUID', 'MAC addresses', 'Host name']) await rec.getByRole('checkbox', { name: rule }).uncheck();
    await rec.getByRole('button', { name: 'Save reconciliation settings' }).click();
    await rec.getByRole('alert').filter({ hasText: 'Must not be empty' }).waitFor();
    for (const rule of ['System serial + manufacturer', 'SMBIOS UUID', 'MAC addresses', 'Host name']) await rec.getByRole('checkbox', { name: rule }).check();
    await rec.getByRole('button', { name: 'Move Host name up' }).click();
    await rec.getByRole('button', { name: 'Save reconciliation settings' }).click();
    await page.getByText('The reconciliation settings were saved.').waitFor();
    expect((await apiJson<{ reconciliation: { matchRules: string[] } }>('GET', '/api/v1/discovery/settings')).reconciliation.matchRules).toEqual(['serial', 'uuid', 'hostname', 'mac']);
    await rec.getByRole('button', { name: 'Move Host name down' }).click();
    await rec.getByRole('button', { name: 'Save reconciliation settings' }).click();
    await expect.poll(async () => (await apiJson<{ reconciliation: { matchRules: string[] } }>('GET', '/api/v1/discovery/settings')).reconciliation.matchRules).toEqual(['serial', 'uuid', 'mac', 'hostname']);

    // A secret is shown once, with the agent's command line.
    await page.getByRole('button', { name: 'Create secret' }).click();
    const create = page.getByRole('dialog', { name: 'Create enrolment secret' });
    await create.getByLabel('Name').fill('Linux servers');
    await create.getByRole('button', { name: 'Create secret' }).click();
    const shown = page.getByRole('dialog', { name: 'Enrolment secret created' });
    const secret = (await shown.getByTestId('secret-value').textContent()) ?? '';
    expect(secret).toMatch(/^cae_/);
    expect(await shown.getByLabel('Agent command line', { exact: true }).textContent()).toBe(`fusioninventory-agent --server '${inventoryUrl}' --user agent --password '${secret}'`);
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    const secrets = page.getByRole('table', { name: 'Enrolment secrets' });
    await secrets.getByRole('cell', { name: 'Linux servers', exact: true }).waitFor();
    await secrets.getByRole('button', { name: 'Revoke Linux servers' }).click();
    await page.getByRole('dialog', { name: 'Revoke enrolment secret' }).getByRole('button', { name: 'Revoke secret' }).click();
    await secrets.getByText('revoked').waitFor();
    await page.screenshot({ path: screenshotPath('discovery-setup') });
  });

  it('shows what the agent reported on the asset page', async () => {
    await send(inventoryUrl, { deviceid: 'e2e-r640-2026-11-25-10-00-00', hostname: 'e2e-r640', serial: 'E2E0001', uuid: '4C4C4544-0052-4A10-8046-B2C04F313533', keepNetworks: true, disks: [{ serial: 'WCC4NE2E0001', model: 'WDC WD40EFRX', sizeMb: 4000787 }] });

    await nav().getByRole('link', { name: 'Agents' }).click();
    const agents = page.getByRole('table', { name: 'Agents' });
    await agents.getByRole('cell', { name: 'e2e-r640-2026-11-25-10-00-00' }).waitFor();
    await agents.getByText('Approved').waitFor();
    await page.screenshot({ path: screenshotPath('discovery-agents') });

    await page.getByRole('navigation', { name: 'Inventory' }).getByRole('link', { name: 'Assets', exact: true }).click();
    await page.getByText('e2e-r640').first().click();
    await page.getByRole('tab', { name: 'Discovered' }).click();
    await page.getByText(/Last seen by an agent/).first().waitFor();
    const identity = page.getByRole('region', { name: 'Identity' });
    await identity.getByText('e2e-r640', { exact: true }).waitFor();
    const storage = page.getByRole('table', { name: 'Storage devices' });
    await storage.getByRole('cell', { name: 'WCC4NE2E0001' }).waitFor();
    await storage.getByRole('cell', { name: '4 TB' }).waitFor();
    await page.getByRole('table', { name: 'Linked devices' }).getByRole('link', { name: 'e2e-r640' }).waitFor();
    await page.getByRole('table', { name: 'Field sources' }).getByRole('cell', { name: 'Name', exact: true }).waitFor();
    await page.getByLabel('Filter software').fill('adduser');
    await page.getByRole('table', { name: 'Installed software' }).getByRole('link', { name: 'adduser' }).waitFor();
    await page.getByLabel('Filter software').fill('');
    const download = page.getByRole('link', { name: 'Download the latest raw inventory' });
    expect(await download.getAttribute('href')).toMatch(/^\/api\/v1\/discovery\/payloads\/[0-9a-f-]+\/content$/);
    await page.getByRole('tab', { name: 'Discovered' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('discovery-asset-tab') });

    // The device page shows the full record and the raw message.
    await page.getByRole('table', { name: 'Linked devices' }).getByRole('link', { name: 'e2e-r640' }).click();
    await page.getByRole('heading', { name: 'e2e-r640' }).waitFor();
    await page.getByRole('table', { name: 'Memory modules' }).waitFor();
    const dl = page.waitForEvent('download');
    await page.getByRole('table', { name: 'Inventory messages' }).getByRole('link', { name: 'Raw' }).first().click();
    const file = await dl;
    expect(file.suggestedFilename()).toMatch(/\.json$/);
    await page.screenshot({ path: screenshotPath('discovery-device') });
  });

  it('links a device with an ambiguous host name from the review queue', async () => {
    const [first] = (await apiJson<{ items: { id: string }[] }>('GET', '/api/v1/assets?q=e2e-r640')).items;
    const asset = await apiJson<{ model: { id: string } }>('GET', `/api/v1/assets/${first!.id}`);
    for (const tag of ['WEB-E2E-1', 'WEB-E2E-2']) await apiJson('POST', '/api/v1/assets', { modelId: asset.model.id, name: 'web01', assetTag: tag });
    await send(inventoryUrl, { deviceid: 'web01-2026-11-25-11-00-00', hostname: 'web01', serial: '', uuid: '', keepNetworks: false, disks: [] });

    await nav().getByRole('link', { name: 'Review queue' }).click();
    await page.getByRole('heading', { name: 'Review queue' }).waitFor();
    const card = page.getByRole('listitem', { name: 'web01' });
    await card.getByText('2 assets match by hostname').waitFor();
    await card.getByRole('link', { name: 'WEB-E2E-1' }).waitFor();
    await page.screenshot({ path: screenshotPath('discovery-review') });
    await card.getByRole('button', { name: 'Link web01 to WEB-E2E-2' }).click();
    await page.getByText('web01 is now linked to WEB-E2E-2.').waitFor();
    await card.waitFor({ state: 'detached' });
    await page.getByText('Nothing to review').waitFor();

    // The linked asset's timeline says so in words.
    await nav().getByRole('link', { name: 'Discovered devices' }).click();
    const devices = page.getByRole('table', { name: 'Discovered devices' });
    await devices.getByRole('row', { name: /web01/ }).getByRole('link', { name: 'Open asset' }).click();
    await page.getByRole('heading', { name: 'WEB-E2E-2' }).waitFor();
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByRole('table', { name: 'Timeline' }).getByText('Device linked').waitFor();

    // Everything was seen just now: nothing is stale, whatever the number of days.
    await nav().getByRole('link', { name: 'Stale assets' }).click();
    await expect.poll(async () => page.getByLabel('Not seen for (days)').inputValue()).toBe('30');
    await page.getByText('Every asset agents report was seen in the last 30 days.').waitFor();
    await page.getByLabel('Not seen for (days)').fill('1');
    await page.getByText('Every asset agents report was seen in the last 1 days.').waitFor();
  });

  it('approves an agent that waited for approval', async () => {
    await apiJson('PATCH', '/api/v1/discovery/settings', { unknownAgentPolicy: 'queue' });
    await send(inventoryUrl, { deviceid: 'lab-7-2026-11-25-12-00-00', hostname: 'lab-7', serial: 'LAB0007', uuid: '', keepNetworks: false, disks: [] });
    await nav().getByRole('link', { name: 'Agents' }).click();
    await page.locator('label', { hasText: /^Pending$/ }).click();
    await expect.poll(async () => page.getByRole('radio', { name: 'Pending' }).isChecked()).toBe(true);
    const agents = page.getByRole('table', { name: 'Agents' });
    const row = agents.getByRole('row', { name: /lab-7-2026-11-25-12-00-00/ });
    await row.getByText('Waiting for approval').waitFor();
    await expect.poll(async () => agents.getByRole('row').count()).toBe(2); // header + the pending agent
    await row.getByRole('button', { name: /^Approve / }).click();
    await page.getByText(/is approved; its waiting inventories were processed/).waitFor();
    await agents.getByText('No agent with this status.').waitFor();
    // Its inventory was processed on approval: the device has an asset of its own.
    await nav().getByRole('link', { name: 'Discovered devices' }).click();
    await page.getByRole('table', { name: 'Discovered devices' }).getByRole('row', { name: /lab-7/ }).getByText('Asset created').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
