import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, engines, setupOwner, type Session, type TestApp } from './harness.js';
import { commit, csv, upload } from './imports-helpers.js';

interface Hit { assetTag: string; name: string | null }

// All-or-nothing commits of ≥ 5,000 rows load the full-text index in bulk (SQLite: merges paused
// until the end of the transaction, then one merge); what search finds must not change.
describe.each(engines)('imports: bulk all-or-nothing commits and search (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;

  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await setupOwner(t, 'Org Bulk');
  });
  afterAll(() => t.close());

  const rows = (n: number, prefix: string, bad: number | null = null) => csv([
    ['Asset Tag', 'Name', 'Model', 'Category', 'Purchase Date'],
    ...Array.from({ length: n }, (_, i) => [`${prefix}-${String(i).padStart(5, '0')}`, `Zephyr ${prefix.toLowerCase()} unit ${i}`, 'Bulk Model', 'Bulk Category', i === bad ? 'not a date' : '2024-01-15']),
  ]);
  const search = async (q: string) => {
    const res = await call(t, owner, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ assets: Hit[] }>().assets;
  };

  it('a 6,000-row commit is searchable by tag and by name, first row to last; a failed one leaves search as it was', async () => {
    const job = await upload(t, owner, 'assets', rows(6000, 'BULK'), { fields: { options: JSON.stringify({ createMissing: true }) } });
    const done = await commit(t, owner, job.id);
    expect(done.status, done.failureReason ?? '').toBe('committed');
    expect(done.counts.created).toBe(6000);
    for (const i of [0, 2999, 5999]) {
      const tag = `BULK-${String(i).padStart(5, '0')}`;
      expect((await search(tag)).map((h) => h.assetTag)).toEqual([tag]);
    }
    expect((await search('zephyr bulk unit 4321')).map((h) => h.assetTag)).toContain('BULK-04321');

    // One bad row at the end: nothing of the 5,500 rows is written, search finds none of them.
    const failing = await upload(t, owner, 'assets', rows(5500, 'GONE', 5499), { fields: { options: JSON.stringify({ createMissing: true }) } });
    const failed = await commit(t, owner, failing.id);
    expect(failed.status).toBe('failed');
    expect(await search('GONE-00001')).toEqual([]);
    expect((await search('BULK-05998')).map((h) => h.assetTag)).toEqual(['BULK-05998']);

    // Later single writes still update the index.
    const created = await call(t, owner, 'GET', '/api/v1/search?q=BULK-00007');
    const id = created.json<{ assets: { id: string }[] }>().assets[0]!.id;
    const patched = await call(t, owner, 'PATCH', `/api/v1/assets/${id}`, { name: 'Quokka renamed' });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await search('quokka')).map((h) => h.assetTag)).toEqual(['BULK-00007']);
  }, 120_000);
});
