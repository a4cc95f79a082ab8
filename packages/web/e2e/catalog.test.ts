/**
 * Browser tests of the catalog administration (categories with custom fields, manufacturers,
 * models with a picture, suppliers, the location tree), the organization tag pattern and member
 * profiles, against a real server. Selectors are labels and roles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchBrowser, screenshotPath, startServer, type RunningServer } from './harness';
import { apiAs, unwrap } from './apiAs';

const OWNER = { email: 'owner@example.com', name: 'Olivia Owner', password: 'correct horse battery staple' };
const TECH = { email: 'tom@example.com', name: 'Tom Technician', password: 'a long enough passphrase' };

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
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

/** Opens a Mantine select by its label and picks an option. */
async function choose(scope: Page | Locator, label: string, option: string | RegExp) {
  await scope.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option, exact: typeof option === 'string' }).click();
}

/** Closes the notifications (they sit over the page header's buttons). */
async function dismissNotifications() {
  for (const b of await page.locator('.mantine-Notification-root button').all()) await b.click().catch(() => undefined);
  await page.locator('.mantine-Notification-root').first().waitFor({ state: 'detached' }).catch(() => undefined);
}

const nav = (name: string) => page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true });

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  page = await newPage(context);
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

describe('Catalog administration', () => {
  it('sets the organization asset tag pattern with a preview', async () => {
    await nav('Organization settings').click();
    const input = page.getByRole('textbox', { name: 'Asset tag pattern' });
    await input.fill('ACME-{00000}');
    await page.getByText('ACME-00001').waitFor();
    // An invalid pattern: the preview warns, and the server's field error shows on save.
    await input.fill('ACME-{00}-{00}');
    await page.getByText('Needs exactly one counter group').waitFor();
    await page.getByRole('button', { name: 'Set pattern' }).click();
    await page.getByText('Must contain exactly one group of zeros in braces').waitFor();
    await input.fill('ACME-{00000}');
    await page.getByRole('button', { name: 'Set pattern' }).click();
    await page.getByText('New asset tags follow ACME-{00000}').waitFor();
    await page.screenshot({ path: screenshotPath('org-tag-pattern') });
  });

  it('creates a category and its custom fields, with the server errors on the fields', async () => {
    await nav('Categories').click();
    await page.getByRole('heading', { name: 'Categories' }).waitFor();
    await page.getByRole('button', { name: 'New category' }).click();
    const dialog = page.getByRole('dialog', { name: 'New category' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Laptops');
    await choose(dialog, 'Asset class', 'Laptop');
    // Laptops are data-bearing by default.
    expect(await dialog.getByRole('checkbox', { name: 'Data-bearing' }).isChecked()).toBe(true);
    await dialog.getByRole('checkbox', { name: 'Requires acceptance' }).check();
    await dialog.getByLabel('Acceptance terms').fill('I will keep the laptop safe and return it when I leave.');
    await dialog.getByLabel('Asset tag pattern').fill('LT-{0000}');
    await dialog.getByText('New tags look like LT-0001').waitFor();
    await dialog.getByRole('button', { name: 'Create category' }).click();

    // Creating opens the category page with the custom fields editor.
    await page.getByRole('heading', { name: 'Laptops', level: 1 }).waitFor();
    await page.locator('#acceptance-terms').getByText('Version 1', { exact: true }).waitFor();

    const addField = async (label: string, type: string, extra?: (d: Locator) => Promise<void>) => {
      await page.getByRole('button', { name: 'Add field' }).click();
      const d = page.getByRole('dialog', { name: 'New custom field' });
      await d.getByLabel('Label').fill(label);
      await choose(d, 'Type', type);
      if (extra) await extra(d);
      await d.getByRole('button', { name: 'Add field' }).click();
      await d.waitFor({ state: 'detached' });
    };
    await addField('RAM', 'Select (one option)', async (d) => {
      const options = d.getByLabel('Options');
      for (const o of ['8 GB', '16 GB', '32 GB']) {
        await options.fill(o);
        await options.press('Enter');
      }
      await d.getByRole('checkbox', { name: 'Required' }).check();
    });
    await addField('Cost code', 'Text matching a pattern', async (d) => {
      expect(await d.getByLabel('Key').inputValue()).toBe('cost_code');
      await d.getByLabel('Pattern (regular expression)').fill('^CC-[0-9]{4}$');
      await d.getByLabel('Help text').fill('Finance cost code, e.g. CC-1000');
    });
    await addField('Purchase reference', 'Text');

    const fields = page.getByRole('table', { name: 'Custom fields' });
    await fields.getByRole('row', { name: /RAM/ }).getByText('32 GB').waitFor();
    await fields.getByRole('row', { name: /Cost code/ }).getByText('^CC-[0-9]{4}$').waitFor();

    // A duplicate key: the server's 409 lands on the Key field.
    await page.getByRole('button', { name: 'Add field' }).click();
    const dup = page.getByRole('dialog', { name: 'New custom field' });
    await dup.getByLabel('Label').fill('Ram');
    await dup.getByRole('button', { name: 'Add field' }).click();
    await dup.getByText(/already|duplicate|taken/i).first().waitFor();
    await page.screenshot({ path: screenshotPath('custom-field-duplicate-key') });
    await dup.getByRole('button', { name: 'Cancel' }).click();

    // Reorder: move "Purchase reference" to the top.
    await fields.getByRole('button', { name: 'Move Purchase reference up' }).click();
    await expect.poll(async () => (await fields.getByRole('row').nth(2).textContent()) ?? '').toContain('Purchase reference');
    await fields.getByRole('button', { name: 'Move Purchase reference up' }).click();
    await expect.poll(async () => (await fields.getByRole('row').nth(1).textContent()) ?? '').toContain('Purchase reference');
    const order = await fields.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(order).toEqual(['Purchase reference', 'RAM', 'Cost code']);

    // Edit the category: the asset class is locked; new terms get version 2.
    await page.getByRole('button', { name: 'Edit category' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Laptops' });
    expect(await edit.getByRole('combobox', { name: 'Asset class' }).isDisabled()).toBe(true);
    await edit.getByLabel('Acceptance terms').fill('I will keep the laptop safe, report loss within 24 hours, and return it when I leave.');
    await edit.getByText('Saving creates version 2').waitFor();
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    const terms = page.locator('#acceptance-terms');
    await terms.getByText('Version 2', { exact: true }).waitFor();
    await terms.getByText('report loss within 24 hours').waitFor();
    await page.screenshot({ path: screenshotPath('category-fields'), fullPage: true });

    await nav('Categories').click();
    const row = page.getByRole('table', { name: 'Categories' }).getByRole('row', { name: /Laptops/ });
    await row.getByText('terms v2').waitFor();
    await row.getByText('LT-{0000}').waitFor();
    await page.screenshot({ path: screenshotPath('categories') });
  });

  it('deleting a field that is in use is refused with the server message', async () => {
    // Arrange through the API: a model and an asset holding a cost code.
    const api = await apiAs(server.baseUrl, OWNER.email, OWNER.password);
    const categories = unwrap(await api.GET('/api/v1/categories'));
    const laptops = categories.find((c) => c.name === 'Laptops');
    expect(laptops).toBeDefined();
    const model = unwrap(await api.POST('/api/v1/models', { body: { name: 'Fixture model', categoryId: laptops?.id ?? '' } }));
    unwrap(await api.POST('/api/v1/assets', { body: { modelId: model.id, customFields: { ram: '16 GB', cost_code: 'CC-1234' } } }));

    await page.getByRole('link', { name: 'Laptops' }).click();
    await page.getByRole('button', { name: 'Delete Cost code' }).click();
    await page.getByRole('dialog', { name: 'Delete custom field' }).getByRole('button', { name: 'Delete field' }).click();
    await page.getByText('Delete field failed').waitFor();
    await page.getByText(/cannot be deleted: 1 asset\(s\) hold a value/).waitFor();
    await page.getByText(/request id/).first().waitFor();
    await page.waitForTimeout(400); // the notification slides in
    await page.screenshot({ path: screenshotPath('custom-field-delete-refused') });
    await page.getByRole('dialog', { name: 'Delete custom field' }).getByRole('button', { name: 'Cancel' }).click();
    await dismissNotifications();
  });

  it('manages manufacturers, suppliers and models with default values and a picture', async () => {
    await nav('Manufacturers').click();
    await page.getByRole('button', { name: 'New manufacturer' }).click();
    const m = page.getByRole('dialog', { name: 'New manufacturer' });
    await m.getByRole('textbox', { name: 'Name', exact: true }).fill('Dell');
    await m.getByLabel('Support URL').fill('https://www.dell.com/support');
    await m.getByRole('button', { name: 'Create manufacturer' }).click();
    await page.getByRole('table', { name: 'Manufacturers' }).getByRole('row', { name: /Dell/ }).getByText('www.dell.com/support').waitFor();

    await nav('Suppliers').click();
    await page.getByRole('button', { name: 'New supplier' }).click();
    const s = page.getByRole('dialog', { name: 'New supplier' });
    await s.getByRole('textbox', { name: 'Name', exact: true }).fill('CDW');
    await s.getByLabel('Contact name').fill('Sam Seller');
    await s.getByLabel('Email').fill('not an email');
    await s.getByRole('button', { name: 'Create supplier' }).click();
    // The server rejects the email; the message sits on the field.
    await s.getByText('Must be an email address').waitFor();
    await s.getByLabel('Email').fill('sam@cdw.example');
    await s.getByRole('button', { name: 'Create supplier' }).click();
    await page.getByRole('table', { name: 'Suppliers' }).getByText('sam@cdw.example').waitFor();
    await page.screenshot({ path: screenshotPath('suppliers') });

    await nav('Models').click();
    await page.getByRole('button', { name: 'New model' }).click();
    const d = page.getByRole('dialog', { name: 'New model' });
    await d.getByRole('textbox', { name: 'Name', exact: true }).fill('Latitude 7450');
    await d.getByLabel('Model number').fill('LAT-7450');
    await choose(d, 'Category', 'Laptops');
    await choose(d, 'Manufacturer', 'Dell');
    await d.getByLabel('End of life (months)').fill('48');
    // The category's custom fields render as default value inputs.
    const defaults = d.getByRole('group', { name: 'Default custom field values' });
    await choose(defaults, 'RAM', '16 GB');
    await defaults.getByLabel('Cost code').fill('CC-2000');
    await d.getByRole('button', { name: 'Create model' }).click();
    const row = page.getByRole('table', { name: 'Models' }).getByRole('row', { name: /Latitude 7450/ });
    await row.getByText('4 years').waitFor();
    await row.getByText('Dell').waitFor();

    // Upload a picture (a PNG drawn by the browser) in the edit dialog.
    const png = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 160;
      c.height = 120;
      const g = c.getContext('2d');
      if (!g) return '';
      g.fillStyle = '#e7f1ff';
      g.fillRect(0, 0, 160, 120);
      g.fillStyle = '#2a68ec';
      g.fillRect(30, 25, 100, 62);
      g.fillStyle = '#0b4ed2';
      g.fillRect(18, 90, 124, 8);
      return c.toDataURL('image/png').split(',')[1] ?? '';
    });
    await page.getByRole('button', { name: 'Edit Latitude 7450' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Latitude 7450' });
    // The saved defaults come back into the form.
    expect(await edit.getByLabel('Cost code').inputValue()).toBe('CC-2000');
    await edit.locator('input[type="file"]').setInputFiles({ name: 'latitude.png', mimeType: 'image/png', buffer: Buffer.from(png, 'base64') });
    const img = edit.getByRole('img', { name: 'Picture of Latitude 7450' });
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(160);
    // A file that is not an image is refused by the server (415) and the message is shown.
    await edit.locator('input[type="file"]').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('<html>not a picture</html>') });
    await edit.getByRole('alert').waitFor();
    await page.screenshot({ path: screenshotPath('model-edit') });
    await edit.getByRole('button', { name: 'Cancel' }).click();
    const thumb = page.getByRole('table', { name: 'Models' }).getByRole('img', { name: 'Picture of Latitude 7450' });
    await expect.poll(() => thumb.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(160);
    await page.screenshot({ path: screenshotPath('models') });
  });

  it('builds a location tree: create children, collapse, move, cycle and delete refusals', async () => {
    await nav('Locations').click();
    await page.getByRole('heading', { name: 'Locations' }).waitFor();
    const create = async (name: string, parent: string | null) => {
      if (parent) {
        await page.getByRole('button', { name: `Actions for ${parent}` }).click();
        await page.getByRole('menuitem', { name: 'Add sub-location' }).click();
      } else {
        await page.getByRole('button', { name: 'New location' }).click();
      }
      const d = page.getByRole('dialog', { name: parent ? `New location in ${parent}` : 'New location' });
      await d.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
      await d.getByRole('button', { name: 'Create location' }).click();
      await d.waitFor({ state: 'detached' });
    };
    await create('HQ', null);
    await create('Floor 1', 'HQ');
    await create('Floor 2', 'HQ');
    await create('Room 201', 'Floor 2');
    await create('Warehouse', null);
    await create('Annex', null);

    const tree = page.getByRole('table', { name: 'Locations' });
    const names = () => tree.locator('tbody tr td:first-child').allTextContents();
    await expect.poll(names).toEqual(['Annex', 'HQ', 'Floor 1', 'Floor 2', 'Room 201', 'Warehouse']);

    // Collapse and expand.
    await tree.getByRole('button', { name: 'Collapse HQ' }).click();
    await expect.poll(names).toEqual(['Annex', 'HQ(2)', 'Warehouse']);
    await tree.getByRole('button', { name: 'Expand HQ' }).click();
    await expect.poll(names).toEqual(['Annex', 'HQ', 'Floor 1', 'Floor 2', 'Room 201', 'Warehouse']);

    // Move Floor 2 (with Room 201) under Warehouse; the parent select leaves out Floor 2 and Room 201.
    await page.getByRole('button', { name: 'Actions for Floor 2' }).click();
    await page.getByRole('menuitem', { name: 'Move…' }).click();
    const move = page.getByRole('dialog', { name: 'Move Floor 2' });
    await move.getByRole('combobox', { name: 'Parent location' }).click();
    const optionTexts = await page.getByRole('option').allTextContents();
    expect(optionTexts).toContain('Warehouse');
    expect(optionTexts.some((t) => t.includes('Room 201'))).toBe(false);
    expect(optionTexts.some((t) => t === 'HQ / Floor 2')).toBe(false);
    await page.getByRole('option', { name: 'Warehouse', exact: true }).click();
    await move.getByRole('button', { name: 'Move location' }).click();
    await expect.poll(names).toEqual(['Annex', 'HQ', 'Floor 1', 'Warehouse', 'Floor 2', 'Room 201']);

    // Someone else moves Annex under Warehouse meanwhile; moving Warehouse under Annex in this
    // (stale) view would create a cycle: the server refuses and the message shows on the field.
    const api = await apiAs(server.baseUrl, OWNER.email, OWNER.password);
    const all = unwrap(await api.GET('/api/v1/locations'));
    const id = (n: string) => all.find((l) => l.name === n)?.id ?? '';
    unwrap(await api.PATCH('/api/v1/locations/{id}', { params: { path: { id: id('Annex') } }, body: { parentId: id('Warehouse') } }));
    await page.getByRole('button', { name: 'Actions for Warehouse' }).click();
    await page.getByRole('menuitem', { name: 'Move…' }).click();
    const cyc = page.getByRole('dialog', { name: 'Move Warehouse' });
    await choose(cyc, 'Parent location', 'Annex');
    await cyc.getByRole('button', { name: 'Move location' }).click();
    await cyc.getByText('Would create a cycle').waitFor();
    await page.screenshot({ path: screenshotPath('location-cycle') });
    await cyc.getByRole('button', { name: 'Cancel' }).click();

    // Deleting a location that still has sub-locations is refused with the server's reason.
    await page.getByRole('button', { name: 'Actions for HQ' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete location' }).getByRole('button', { name: 'Delete location' }).click();
    await page.getByText('Delete location failed').waitFor();
    await page.getByText(/Location "HQ" cannot be deleted/).waitFor();
    await page.getByRole('dialog', { name: 'Delete location' }).getByRole('button', { name: 'Cancel' }).click();
    await dismissNotifications();
    // A leaf can go.
    await page.getByRole('button', { name: 'Actions for Floor 1' }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete location' }).getByRole('button', { name: 'Delete location' }).click();
    await expect.poll(names).not.toContain('Floor 1');
    await page.screenshot({ path: screenshotPath('locations') });
  });

  it('makes a member profile on the user page and shows it on the timeline', async () => {
    await nav('Users & roles').click();
    await page.getByRole('button', { name: 'Add user' }).click();
    const add = page.getByRole('dialog', { name: 'Add user' });
    await add.getByLabel('Email').fill(TECH.email);
    await add.getByLabel('Display name').fill(TECH.name);
    await choose(add, 'Role', 'Technician');
    await add.getByLabel('Password (optional)').fill(TECH.password);
    await add.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('table', { name: 'Members' }).getByRole('link', { name: TECH.name }).click();

    await page.getByRole('heading', { name: TECH.name, level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Holdings' }).getByText('Holds nothing right now.').waitFor();
    await page.getByRole('button', { name: 'Edit profile' }).click();
    const form = page.getByRole('form', { name: `Profile of ${TECH.name}` });
    await form.getByLabel('Employee number').fill('E-1001');
    await form.getByLabel('Title').fill('Field technician');
    await form.getByLabel('Phone').fill('+1 555 0100');
    await choose(form, 'Location', 'Warehouse / Floor 2 / Room 201');
    await choose(form, 'Manager', /Olivia Owner/);
    await form.getByRole('button', { name: 'Save profile' }).click();
    const profile = page.locator('#profile');
    await profile.getByText('E-1001').waitFor();
    await profile.getByText('Warehouse / Floor 2 / Room 201').waitFor();
    await profile.getByRole('link', { name: 'Olivia Owner' }).waitFor();

    // The timeline shows the field-level change.
    const timeline = page.locator('#timeline').getByRole('table', { name: 'Events' });
    await timeline.getByText('member.profile_updated').waitFor();
    await timeline.getByRole('button', { name: /^Show details of member\.profile_updated/ }).click();
    await page.getByRole('table', { name: /^Changes of event/ }).getByText('Field technician').waitFor();
    await page.screenshot({ path: screenshotPath('person-page'), fullPage: true });

    // The owner's own profile cannot reuse the employee number: the 409 lands on the field.
    await page.getByRole('link', { name: 'Olivia Owner' }).first().click();
    await page.getByRole('heading', { name: OWNER.name, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Edit profile' }).click();
    const own = page.getByRole('form', { name: `Profile of ${OWNER.name}` });
    await own.getByLabel('Employee number').fill('E-1001');
    await own.getByRole('button', { name: 'Save profile' }).click();
    await own.getByText('Is already used by another person').waitFor();
    await own.getByRole('button', { name: 'Cancel' }).click();
  });

  it('raised no page errors or CSP violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
