/**
 * Browser tests of the web app against a real server (built server + built web app).
 * Selectors are labels and roles, so they also prove the accessibility labels exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshotPath, startServer, type RunningServer } from './harness';

const OWNER = { email: 'owner@example.com', name: 'Olivia Owner', password: 'correct horse battery staple' };
const FIRST_ORG = 'Acme Corp';
const SECOND_ORG = 'Globex Labs';
const SECOND_ORG_RENAMED = 'Globex Laboratories';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

async function newPage(ctx: BrowserContext): Promise<Page> {
  const p = await ctx.newPage();
  p.setDefaultTimeout(10_000);
  p.on('pageerror', (e) => pageErrors.push(e.message));
  // The server's Content-Security-Policy forbids inline scripts and foreign origins; any violation is a bug.
  p.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
  });
  return p;
}

const passwordField = (p: Page, name = 'Password') => p.getByRole('textbox', { name, exact: true });
const orgSwitcher = (p: Page) => p.getByRole('combobox', { name: 'Organization' });

async function signIn(p: Page, email: string, password: string) {
  await p.getByLabel('Email').fill(email);
  await passwordField(p).fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

async function switchOrganization(p: Page, name: string) {
  await orgSwitcher(p).click();
  await p.getByRole('option', { name }).click();
  await expect.poll(() => orgSwitcher(p).inputValue()).toBe(name);
  await p.getByText(`Overview of ${name}`).waitFor();
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  page = await newPage(context);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('Custodian web app', () => {
  it('sets up the server from the printed link, lands on the dashboard, signs out and in again', async () => {
    await page.goto(server.setupUrl);
    await page.getByLabel('Your email').fill(OWNER.email);
    await page.getByLabel('Display name').fill(OWNER.name);
    await passwordField(page).fill(OWNER.password);
    await page.getByLabel('Organization name').fill(FIRST_ORG);
    await page.getByRole('button', { name: 'Create owner account' }).click();

    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await expect.poll(() => page.getByRole('group', { name: /^Members: / }).getAttribute('aria-label')).toBe('Members: 1');
    await expect.poll(() => page.getByRole('group', { name: /^Departments: / }).getAttribute('aria-label')).toBe('Departments: 0');
    // Setup recorded the organization and its first member; the recent-events table lists them.
    await page.getByRole('table', { name: 'Events' }).getByText('organization.created').waitFor();
    expect(await orgSwitcher(page).inputValue()).toBe(FIRST_ORG);
    await page.screenshot({ path: screenshotPath('dashboard') });

    await page.getByRole('button', { name: `User menu for ${OWNER.name}` }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect((await page.request.get(`${server.baseUrl}/api/v1/auth/session`)).status()).toBe(401);

    await signIn(page, OWNER.email, OWNER.password);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByText(`Overview of ${FIRST_ORG}`).waitFor();
  });

  it('creates a second organization and switches to it and back with the switcher', async () => {
    await page.getByRole('button', { name: 'New organization' }).click();
    const dialog = page.getByRole('dialog', { name: 'New organization' });
    await dialog.getByLabel('Organization name').fill(SECOND_ORG);
    await dialog.getByRole('button', { name: 'Create organization' }).click();
    const created = page.getByRole('dialog', { name: 'Organization created' });
    await created.getByText(`${SECOND_ORG} was created`).waitFor();
    await created.getByRole('button', { name: 'Stay here' }).click();
    await created.waitFor({ state: 'hidden' });

    await switchOrganization(page, SECOND_ORG);
    await expect.poll(() => page.getByRole('group', { name: /^Members: / }).getAttribute('aria-label')).toBe('Members: 1');
    await page.getByRole('table', { name: 'Events' }).getByText('organization.created').waitFor();
    // The session agrees with the header.
    const session = (await (await page.request.get(`${server.baseUrl}/api/v1/auth/session`)).json()) as { currentOrganization: { name: string } };
    expect(session.currentOrganization.name).toBe(SECOND_ORG);
    await page.screenshot({ path: screenshotPath('second-organization') });

    // Rename it in the organization settings; the switcher follows.
    await page.getByRole('link', { name: 'Organization settings' }).click();
    const nameInput = page.getByRole('textbox', { name: 'Organization name' });
    await expect.poll(() => nameInput.inputValue()).toBe(SECOND_ORG);
    await nameInput.fill(SECOND_ORG_RENAMED);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => orgSwitcher(page).inputValue()).toBe(SECOND_ORG_RENAMED);

    await switchOrganization(page, FIRST_ORG);
  });

  it('creates an API token, shows its secret once, and the secret works against the API', async () => {
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    await page.getByRole('button', { name: 'Create token' }).click();

    const dialog = page.getByRole('dialog', { name: 'Create API token' });
    await dialog.getByLabel('Name').fill('CI script');
    await dialog.getByLabel('Scopes').click();
    await page.getByRole('option', { name: 'events:read' }).click();
    await page.getByRole('option', { name: 'dashboard:read' }).click();
    await dialog.getByRole('heading', { name: 'Create API token' }).click(); // closes the dropdown
    await dialog.getByRole('button', { name: 'Create token' }).click();

    const shown = page.getByRole('dialog', { name: 'Token created' });
    await shown.getByText('shown only once').waitFor();
    const secret = ((await shown.getByLabel('Secret of CI script', { exact: true }).textContent()) ?? '').trim();
    expect(secret).toMatch(/^cus_\S{20,}$/);
    await page.screenshot({ path: screenshotPath('token-created') });
    await shown.getByRole('button', { name: 'I have copied it' }).click();
    const row = page.getByRole('table', { name: 'API tokens' }).getByRole('row', { name: /CI script/ });
    await row.getByText('active').waitFor();

    const res = await fetch(`${server.baseUrl}/api/v1/events?limit=50`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { action: string; changes: Record<string, { after: unknown }> }[] };
    const created = body.items.find((e) => e.action === 'token.created');
    expect(created?.changes.name?.after).toBe('CI script');
    expect((await fetch(`${server.baseUrl}/api/v1/events`, { headers: { Authorization: 'Bearer cus_not_a_real_token' } })).status).toBe(401);

    await page.getByRole('link', { name: 'Event log' }).click();
    const events = page.getByRole('table', { name: 'Events' });
    await events.getByText('token.created').waitFor();
    await events.getByText('organization.created').waitFor();
    await page.getByRole('button', { name: /^Show details of token\.created/ }).click();
    const changes = page.getByRole('table', { name: /^Changes of event/ });
    await changes.getByText('CI script').waitFor();
    await changes.getByText('events:read', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Verify integrity' }).click();
    await page.getByText('Event log intact').waitFor();
    await page.screenshot({ path: screenshotPath('event-log') });

    await page.getByLabel('Action').fill('organization.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => events.getByText('token.created').count()).toBe(0);
    await events.getByText('organization.created').waitFor();

    // Revoking (after confirming) stops the secret from working at once.
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByRole('button', { name: 'Revoke CI script' }).click();
    await page.getByRole('dialog', { name: 'Revoke API token' }).getByRole('button', { name: 'Revoke token' }).click();
    await page.getByRole('table', { name: 'API tokens' }).getByRole('row', { name: /CI script/ }).getByText('revoked').waitFor();
    expect((await fetch(`${server.baseUrl}/api/v1/events`, { headers: { Authorization: `Bearer ${secret}` } })).status).toBe(401);
  });

  it('adds a user who must change the temporary password, and manages departments', async () => {
    await page.getByRole('link', { name: 'Users & roles' }).click();
    await page.getByRole('button', { name: 'Add user' }).click();
    const add = page.getByRole('dialog', { name: 'Add user' });
    await add.getByLabel('Email').fill('tina@example.com');
    await add.getByLabel('Display name').fill('Tina Technician');
    await add.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'Technician' }).click();
    await add.getByRole('button', { name: 'Add user' }).click();
    const temp = page.getByRole('dialog', { name: 'Temporary password' });
    const tempPassword = ((await temp.getByLabel('Temporary password for Tina Technician', { exact: true }).textContent()) ?? '').trim();
    expect(tempPassword.length).toBeGreaterThanOrEqual(10);
    await temp.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('table', { name: 'Members' }).getByText('tina@example.com').waitFor();
    await page.getByRole('tab', { name: 'Roles' }).click();
    await page.getByRole('table', { name: 'Permissions by role' }).getByText('member.manage').waitFor();
    await page.screenshot({ path: screenshotPath('roles') });
    await page.getByRole('tab', { name: 'Members' }).click();
    await page.screenshot({ path: screenshotPath('users') });

    await page.getByRole('link', { name: 'Departments' }).click();
    await page.getByRole('button', { name: 'New department' }).click();
    const dep = page.getByRole('dialog', { name: 'New department' });
    await dep.getByLabel('Name').fill('Finance');
    await dep.getByLabel('Code').fill('FIN');
    await dep.getByLabel('Cost centre').fill('CC-1000');
    await dep.getByRole('combobox', { name: 'Manager' }).click();
    await page.getByRole('option', { name: /Tina Technician/ }).click();
    await dep.getByRole('button', { name: 'Create department' }).click();
    const finance = page.getByRole('table', { name: 'Departments' }).getByRole('row', { name: /Finance/ });
    await finance.getByText('Tina Technician').waitFor();
    await finance.getByText('CC-1000').waitFor();
    await page.screenshot({ path: screenshotPath('departments') });

    // The new user signs in with the temporary password and is sent to change it first.
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const tina = await newPage(ctx);
    await tina.goto(`${server.baseUrl}/login`);
    await signIn(tina, 'tina@example.com', tempPassword);
    await tina.getByText('Choose a new password').waitFor();
    expect(new URL(tina.url()).pathname).toBe('/profile');
    await tina.getByRole('link', { name: 'Departments' }).click();
    await tina.getByText('Choose a new password').waitFor();
    await expect.poll(() => new URL(tina.url()).pathname).toBe('/profile');
    await passwordField(tina, 'Current password').fill(tempPassword);
    await passwordField(tina, 'New password').fill('short');
    await passwordField(tina, 'Confirm new password').fill('short');
    await tina.getByRole('button', { name: 'Change password' }).click();
    // The server's field error appears next to the field.
    await tina.getByText('Must be at least 10 characters').waitFor();
    await passwordField(tina, 'New password').fill('a much longer passphrase');
    await passwordField(tina, 'Confirm new password').fill('a much longer passphrase');
    await tina.getByRole('button', { name: 'Change password' }).click();
    await tina.getByText('Choose a new password').waitFor({ state: 'hidden' });
    await tina.getByRole('link', { name: 'Departments' }).click();
    await tina.getByRole('table', { name: 'Departments' }).getByText('Finance').waitFor();
    // A technician may read departments but not edit them.
    expect(await tina.getByRole('button', { name: 'New department' }).count()).toBe(0);
    await ctx.close();

    // Remove her again (row menu → confirm).
    await page.getByRole('link', { name: 'Users & roles' }).click();
    await page.getByRole('button', { name: 'Actions for Tina Technician' }).click();
    await page.getByRole('menuitem', { name: 'Remove from organization' }).click();
    await page.getByRole('dialog', { name: 'Remove from organization' }).getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('table', { name: 'Members' }).getByText('tina@example.com').waitFor({ state: 'detached' });
  });

  it('can be used with the keyboard only to sign in, and shows the server errors', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await newPage(ctx);
    await p.goto(`${server.baseUrl}/login`);
    await p.getByRole('heading', { name: 'Sign in' }).waitFor();

    const email = p.getByLabel('Email');
    const isFocused = (l: typeof email) => l.evaluate((el) => el === document.activeElement);
    const typeCredentials = async (user: string, password: string) => {
      await p.keyboard.press('Tab');
      expect(await isFocused(email)).toBe(true);
      await p.keyboard.type(user);
      await p.keyboard.press('Tab');
      expect(await isFocused(passwordField(p))).toBe(true);
      await p.keyboard.type(password);
      await p.keyboard.press('Enter');
    };

    // A wrong password: the generic message (it does not say whether the account exists).
    await typeCredentials(OWNER.email, 'wrong password here');
    await p.getByRole('alert').getByText('Email or password is incorrect.').waitFor();

    // Start over from the top of the page, as a keyboard user would after reloading.
    await p.reload();
    await p.getByRole('heading', { name: 'Sign in' }).waitFor();
    await typeCredentials(OWNER.email, OWNER.password);
    await p.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await p.screenshot({ path: screenshotPath('keyboard-signed-in') });
    await ctx.close();

    // Lockout after repeated failures is shown too (keyed by the email typed).
    const ctx2 = await browser.newContext();
    const q = await newPage(ctx2);
    await q.goto(`${server.baseUrl}/login`);
    for (let i = 0; i < 5; i++) {
      await signIn(q, 'nobody@example.com', `wrong-${i}`);
      await q.getByRole('alert').waitFor();
      await expect.poll(() => q.getByRole('button', { name: 'Sign in' }).isEnabled()).toBe(true);
    }
    await q.getByRole('alert').getByText(/Too many failed sign-in attempts/).waitFor();
    await expect.poll(() => q.getByRole('button', { name: 'Sign in' }).isEnabled()).toBe(true);
    await q.screenshot({ path: screenshotPath('login-locked') });
    await ctx2.close();
  });

  it('shows a 404 page for unknown routes, and no page raised errors or CSP violations', async () => {
    await page.goto(`${server.baseUrl}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('link', { name: 'Back to the dashboard' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
