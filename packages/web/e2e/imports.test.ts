/**
 * Browser test of the import wizard against a real server: a Snipe-IT-style CSV with one bad row is
 * uploaded, auto-mapped, dry-run (the bad row shows with its line and column), then imported with
 * "valid rows only"; the report links to the asset list, which has the imported assets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshotPath, startServer, type RunningServer } from './harness';

const OWNER = { email: 'owner@example.com', name: 'Olivia Owner', password: 'correct horse battery staple' };

const CSV = [
  'Asset Tag,Name,Serial,Model,Model Number,Category,Manufacturer,Location,Purchase Date,Purchase Cost,Status,Company',
  'SN-0001,Alice laptop,C02X1,MacBook Pro 14,A2442,Laptops,Apple,HQ / Floor 2,03/15/2024,"$2,499.00",Ready to Deploy,Acme',
  'SN-0002,Bob laptop,C02X2,MacBook Pro 14,A2442,Laptops,Apple,HQ / Floor 2,03/16/2024,2499,Ready to Deploy,Acme',
  'SN-0003,Broken row,C02X3,MacBook Pro 14,A2442,Laptops,Apple,HQ,13/45/2024,10,Ready to Deploy,Acme',
  'SN-0004,Printer,PR-9,LaserJet 400,,Printers,HP,HQ,12/31/2023,399.5,Archived,',
].join('\r\n');

let server: RunningServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** Status and content type of every progress stream the page opened. */
const streams: string[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('response', (r) => {
    if (/\/api\/v1\/imports\/[\w-]+\/progress$/.test(r.url())) streams.push(`${r.status()} ${r.headers()['content-type'] ?? ''}`);
  });
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

describe('import wizard', () => {
  it('uploads a Snipe-IT CSV, maps it, dry-runs it, imports the valid rows and shows the report', async () => {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Import', exact: true }).click();
    await page.getByRole('heading', { name: 'Import', exact: true }).waitFor();

    // A file that is not a spreadsheet: the server's explanation is shown.
    await page.locator('input[type=file]').setInputFiles({ name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.from('Asset Tag,Name\r\n') });
    await page.getByRole('button', { name: 'Upload and map columns' }).click();
    await page.getByRole('alert').filter({ hasText: 'The file could not be read' }).filter({ hasText: /header/i }).waitFor();

    await page.locator('input[type=file]').setInputFiles({ name: 'snipeit-export.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('button', { name: 'Upload and map columns' }).click();
    await page.getByRole('heading', { name: 'Import snipeit-export.csv' }).waitFor();

    // Auto-mapping: Snipe-IT headers → fields; Company ignored; the date column's format detected.
    const mapping = page.getByRole('table', { name: 'Column mapping' });
    await expect.poll(() => mapping.getByLabel('Field for column Serial').inputValue()).toBe('serial');
    expect(await mapping.getByLabel('Field for column Asset Tag').inputValue()).toBe('assetTag');
    expect(await mapping.getByLabel('Field for column Purchase Cost').inputValue()).toBe('purchaseCost');
    expect(await mapping.getByLabel('Field for column Company').inputValue()).toBe('');
    expect(await mapping.getByLabel('Date format of column Purchase Date').inputValue()).toBe('mdy');
    await mapping.getByText('C02X1 · C02X2 · C02X3').waitFor(); // sample values

    // Create the models, categories, locations the file names.
    await page.getByRole('switch', { name: /Create missing references/ }).click();
    await expect.poll(() => page.getByRole('switch', { name: /Create missing references/ }).isChecked()).toBe(true);
    await page.screenshot({ path: screenshotPath('import-mapping'), fullPage: true });

    // Dry run: the counts, the new records and the bad row with its line and column.
    await page.getByRole('button', { name: 'Run dry run' }).click();
    await page.getByLabel('To create: 3').waitFor({ timeout: 30_000 });
    await page.getByLabel('Failing rows: 1').waitFor();
    await page.getByText(/New records to be created: .*2 models/).waitFor();
    const problems = page.getByRole('table', { name: 'Problems' });
    const row = problems.getByRole('row', { name: /Purchase Date/ });
    await expect.poll(() => row.textContent()).toMatch(/^4Purchase Date.*month 13 does not exist/);
    expect(await page.getByRole('link', { name: 'Download error file' }).getAttribute('href')).toMatch(/\/api\/v1\/imports\/[\w-]+\/errors\.csv$/);
    // All or nothing with a bad row: the import button is disabled until the mode is switched.
    const importAll = page.getByRole('button', { name: 'Import 4 rows' });
    expect(await importAll.isDisabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('import-dry-run'), fullPage: true });

    await page.locator('label', { hasText: /^Valid rows only \(skip 1\)$/ }).click();
    const importValid = page.getByRole('button', { name: 'Import 3 valid rows' });
    await expect.poll(() => importValid.isDisabled()).toBe(false);
    await importValid.click();

    // The report (the progress panel shows while it runs, the state is the server's).
    await page.getByText('Import finished').waitFor({ timeout: 30_000 });
    await page.getByLabel('Created: 3').waitFor();
    await page.getByLabel('Failed rows: 1').waitFor();
    await page.getByText('1 failing row was skipped.').waitFor();
    // A reload resumes the same state from the server.
    await page.reload();
    await page.getByText('Import finished').waitFor();
    await page.screenshot({ path: screenshotPath('import-report'), fullPage: true });

    await page.getByRole('link', { name: 'Open the assets list' }).click();
    await page.getByRole('heading', { name: 'Assets' }).waitFor();
    for (const tag of ['SN-0001', 'SN-0002', 'SN-0004']) await page.getByText(tag, { exact: true }).first().waitFor();
    expect(await page.getByText('SN-0003', { exact: true }).count()).toBe(0);

    // The jobs list shows it with its counts; export links for every target.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Import', exact: true }).click();
    const jobs = page.getByRole('table', { name: 'Imports' });
    const jobRow = jobs.getByRole('row', { name: /snipeit-export\.csv/ });
    await expect.poll(() => jobRow.textContent()).toMatch(/snipeit-export\.csvAssetsImported4301/);
    const exportCsv = page.getByRole('link', { name: 'Export assets as CSV' });
    expect(await exportCsv.getAttribute('href')).toBe('/api/v1/exports/assets.csv');
    const res = await page.request.get(`${server.baseUrl}/api/v1/exports/assets.csv`);
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain('SN-0004');
    await page.screenshot({ path: screenshotPath('import-jobs'), fullPage: true });
    // The running phases were followed over the event stream, signed in by the session cookie.
    expect(streams.length).toBeGreaterThanOrEqual(1);
    for (const s of streams) expect(s).toMatch(/^200 text\/event-stream/);
    expect(pageErrors).toEqual([]);
  });
});
