/**
 * Browser tests of self-service ("My items": accept with a typed signature, decline), the custody
 * due/overdue lists and offboarding from the user page. Assets are created and checked out through
 * the API (fetch with a token) before the browser looks at them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { CustodianClient } from '@custodian/api-client';
import { launchBrowser, screenshotPath, startServer, type RunningServer } from './harness';
import { apiAs, unwrap } from './apiAs';

const OWNER = { email: 'owner@example.com', name: 'Olivia Owner', password: 'correct horse battery staple' };
const EMPLOYEE = { email: 'eve@example.com', name: 'Eve Employee', password: 'eve has a long passphrase' };
const TERMS = 'I received this phone in working order. I will keep it safe, report a loss within 24 hours and return it when I leave.';

let server: RunningServer;
let browser: Browser;
let owner: CustodianClient;
let ownerPage: Page;
let employeeUserId = '';
/** Tags of the arranged assets, by role in the story. */
const tags: Record<'accept' | 'decline' | 'due' | 'overdue' | 'monitor', string> = { accept: '', decline: '', due: '', overdue: '', monitor: '' };
const pageErrors: string[] = [];

async function newPage(ctx: BrowserContext): Promise<Page> {
  const p = await ctx.newPage();
  p.setDefaultTimeout(10_000);
  p.on('pageerror', (e) => pageErrors.push(e.message));
  p.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
  });
  return p;
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function signIn(p: Page, email: string, password: string) {
  await p.goto(`${server.baseUrl}/login`);
  await p.getByLabel('Email').fill(email);
  await p.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  ownerPage = await newPage(ctx);
  await ownerPage.goto(server.setupUrl);
  await ownerPage.getByLabel('Your email').fill(OWNER.email);
  await ownerPage.getByLabel('Display name').fill(OWNER.name);
  await ownerPage.getByRole('textbox', { name: 'Password', exact: true }).fill(OWNER.password);
  await ownerPage.getByLabel('Organization name').fill('Acme Corp');
  await ownerPage.getByRole('button', { name: 'Create owner account' }).click();
  await ownerPage.getByRole('heading', { name: 'Dashboard' }).waitFor();

  // Arrange through the API: catalog, a location, the employee, five assets checked out to her.
  owner = await apiAs(server.baseUrl, OWNER.email, OWNER.password);
  const phones = unwrap(await owner.POST('/api/v1/categories', { body: { name: 'Phones', assetClass: 'phone_tablet', requiresAcceptance: true, acceptanceTerms: TERMS } }));
  const monitors = unwrap(await owner.POST('/api/v1/categories', { body: { name: 'Monitors', assetClass: 'monitor' } }));
  const pixel = unwrap(await owner.POST('/api/v1/models', { body: { name: 'Pixel 9', categoryId: phones.id } }));
  const screen = unwrap(await owner.POST('/api/v1/models', { body: { name: 'UltraSharp 27', categoryId: monitors.id } }));
  const hq = unwrap(await owner.POST('/api/v1/locations', { body: { name: 'HQ' } }));
  const eve = unwrap(await owner.POST('/api/v1/members', { body: { email: EMPLOYEE.email, displayName: EMPLOYEE.name, role: 'employee', password: EMPLOYEE.password } }));
  employeeUserId = eve.member.userId;
  unwrap(await owner.PATCH('/api/v1/members/{userId}/profile', { params: { path: { userId: employeeUserId } }, body: { employeeNumber: 'E-2001', locationId: hq.id } }));

  const checkout = async (modelId: string, extra: { expectedReturnAt?: string; checkedOutAt?: string; note?: string } = {}) => {
    const asset = unwrap(await owner.POST('/api/v1/assets', { body: { modelId, name: 'Test device', serial: `SN-${Math.random().toString(36).slice(2, 10)}` } }));
    unwrap(await owner.POST('/api/v1/assets/{id}/checkout', { params: { path: { id: asset.id } }, body: { targetType: 'user', targetId: employeeUserId, ...extra } }));
    return asset.assetTag;
  };
  tags.accept = await checkout(pixel.id, { note: 'New starter kit' });
  tags.decline = await checkout(pixel.id);
  tags.due = await checkout(pixel.id, { expectedReturnAt: day(2), note: 'Loaner for the trade fair' });
  tags.overdue = await checkout(pixel.id, { checkedOutAt: new Date(Date.now() - 10 * 86_400_000).toISOString(), expectedReturnAt: day(-3) });
  tags.monitor = await checkout(screen.id);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('Self-service and custody lists', () => {
  it('an employee accepts an item with a typed signature and declines another', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await newPage(ctx);
    await signIn(page, EMPLOYEE.email, EMPLOYEE.password);

    // Employees see "My items" in the navigation.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'My items' }).click();
    await page.getByRole('heading', { name: 'My items' }).waitFor();
    const pending = page.getByRole('table', { name: 'Pending acceptances' });
    await expect.poll(() => pending.locator('tbody tr').count()).toBe(4);
    const mine = page.getByRole('table', { name: 'My items' });
    await mine.getByRole('row', { name: new RegExp(tags.monitor) }).getByText('Not required').waitFor();
    await mine.getByRole('row', { name: new RegExp(tags.overdue) }).getByText('3 days overdue').waitFor();
    await page.screenshot({ path: screenshotPath('my-items-pending') });

    // Accept: the dialog shows the terms and their version; the signature must be the full name.
    await pending.getByRole('button', { name: `Accept ${tags.accept}` }).click();
    const dialog = page.getByRole('dialog', { name: `Accept ${tags.accept}` });
    expect(await dialog.getByTestId('acceptance-terms').textContent()).toBe(TERMS);
    await dialog.getByText('Version 1', { exact: true }).waitFor();
    const signature = dialog.getByRole('textbox', { name: 'Typed signature' });
    // The signature field has focus: keyboard only from here.
    await expect.poll(() => signature.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('Eve');
    await page.keyboard.press('Enter');
    await dialog.getByText(`Type your full name exactly as “${EMPLOYEE.name}”`).waitFor();
    await signature.fill('');
    await page.keyboard.type(EMPLOYEE.name);
    await page.screenshot({ path: screenshotPath('my-items-accept-dialog') });
    await dialog.getByRole('button', { name: 'Accept', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await mine.getByRole('row', { name: new RegExp(tags.accept) }).getByText('Accepted').waitFor();
    await expect.poll(() => pending.locator('tbody tr').count()).toBe(3);

    // Decline with a note.
    await pending.getByRole('button', { name: `Decline ${tags.decline}` }).click();
    const decline = page.getByRole('dialog', { name: `Decline ${tags.decline}` });
    await decline.getByLabel('Reason (optional)').fill('I never received this phone.');
    await decline.getByRole('button', { name: 'Decline', exact: true }).click();
    await decline.waitFor({ state: 'detached' });
    await mine.getByRole('row', { name: new RegExp(tags.decline) }).getByText('Declined').waitFor();
    await expect.poll(() => pending.locator('tbody tr').count()).toBe(2);
    await page.screenshot({ path: screenshotPath('my-items-answered') });

    // The employee cannot open the custody lists or the user pages.
    expect(await page.getByRole('link', { name: 'Custody' }).count()).toBe(0);
    await page.goto(`${server.baseUrl}/custody`);
    await page.getByText('No access').waitFor();
    await ctx.close();

    // The server recorded the typed signature with the acceptance.
    const events = unwrap(await owner.GET('/api/v1/events', { params: { query: { action: 'acceptance.*' } } }));
    const accepted = events.items.find((e) => e.action === 'acceptance.accepted');
    expect(JSON.stringify(accepted)).toContain(EMPLOYEE.name);
    expect(events.items.some((e) => e.action === 'acceptance.declined')).toBe(true);
  });

  it('lists check-outs due soon and overdue, linking to the assets', async () => {
    const page = ownerPage;
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Custody' }).click();
    await page.getByRole('heading', { name: 'Custody' }).waitFor();
    const due = page.getByRole('table', { name: 'Due soon' });
    const dueRow = due.getByRole('row', { name: new RegExp(tags.due) });
    await dueRow.getByText('in 2 days').waitFor();
    await dueRow.getByRole('link', { name: EMPLOYEE.name }).waitFor();
    expect(await dueRow.getByRole('link', { name: tags.due }).getAttribute('href')).toMatch(/^\/assets\/[0-9a-f-]{36}$/);
    expect(await due.getByText(tags.accept).count()).toBe(0);
    await page.screenshot({ path: screenshotPath('custody-due') });

    // A shorter window leaves it out.
    await page.getByRole('combobox', { name: 'Expected back within' }).click();
    await page.getByRole('option', { name: '1 day', exact: true }).click();
    await due.getByText('Nothing is due back within 1 day.').waitFor();
    expect(new URL(page.url()).searchParams.get('days')).toBe('1');

    await page.getByRole('tab', { name: /Overdue/ }).click();
    const overdue = page.getByRole('table', { name: 'Overdue' });
    const row = overdue.getByRole('row', { name: new RegExp(tags.overdue) });
    await row.getByText('3 days overdue').waitFor();
    await row.getByText('Awaiting acceptance').waitFor();
    expect(await overdue.locator('tbody tr').count()).toBe(1);
    await page.screenshot({ path: screenshotPath('custody-overdue') });
  });

  it('offboards the employee from the user page and shows what was checked in', async () => {
    const page = ownerPage;
    await page.goto(`${server.baseUrl}/people/${employeeUserId}`);
    await page.getByRole('heading', { name: EMPLOYEE.name, level: 1 }).waitFor();
    await page.locator('#profile').getByText('E-2001').waitFor();
    const holdings = page.getByRole('table', { name: 'Holdings' });
    await expect.poll(() => holdings.locator('tbody tr').count()).toBe(5);
    await holdings.getByRole('row', { name: new RegExp(tags.accept) }).getByText('Accepted').waitFor();
    await holdings.getByRole('row', { name: new RegExp(tags.overdue) }).getByText('3 days overdue').waitFor();
    await page.screenshot({ path: screenshotPath('person-holdings'), fullPage: true });

    await page.getByRole('button', { name: 'Offboard' }).click();
    const dialog = page.getByRole('dialog', { name: `Offboard ${EMPLOYEE.name}` });
    await dialog.getByText('Checks in all 5 items').waitFor();
    await dialog.getByLabel('Note').fill('Leaver: returned at the exit interview');
    await dialog.getByRole('button', { name: 'Check in everything' }).click();
    const result = page.getByRole('dialog', { name: 'Offboarding complete' });
    await result.getByText(`5 items were checked in from ${EMPLOYEE.name}.`).waitFor();
    for (const tag of Object.values(tags)) await result.getByRole('list', { name: 'Checked-in items' }).getByText(tag).waitFor();
    await page.screenshot({ path: screenshotPath('person-offboarded') });
    await result.getByRole('button', { name: 'Done' }).click();
    await holdings.getByText('Holds nothing right now.').waitFor();

    // The timeline has the returns, with their field-level details.
    const timeline = page.locator('#timeline').getByRole('table', { name: 'Events' });
    await timeline.getByText('custody.returned').first().waitFor();
    const open = unwrap(await owner.GET('/api/v1/members/{userId}/holdings', { params: { path: { userId: employeeUserId } } }));
    expect(open.items).toEqual([]);
  });

  it('raised no page errors or CSP violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
