import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from '@custodian/server/dist/db/database.js';
import { verify } from '@custodian/server/dist/modules/events/events.service.js';
import { seed } from '../src/seed.js';
import { serialFor } from '../src/data.js';

// Smoke test of the seeder (not a timed test): a small SQLite organization, then counts and the
// uniqueness rules the schema enforces, and the event chain the seeder extends.
describe('bench seeder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custodian-bench-test-'));
  const url = `sqlite:${join(dir, 'custodian.db')}`;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('seeds 500 assets with unique tags and serials and a valid event chain', async () => {
    const result = await seed({ databaseUrl: url, dataDir: dir, assets: 500, users: 200 });
    expect(result.counts).toMatchObject({ assets: 500, assetEvents: 500, categories: 14, manufacturers: 30, models: 50, locations: 200, users: 201, departments: 20 });

    const database = createDatabase(url);
    try {
      const { db } = database;
      const count = async (table: 'assets' | 'categories' | 'manufacturers' | 'models' | 'locations' | 'memberships' | 'departments') =>
        Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      expect(await count('assets')).toBe(500);
      expect(await count('categories')).toBe(14);
      expect(await count('manufacturers')).toBe(30);
      expect(await count('models')).toBe(50);
      expect(await count('locations')).toBe(200);
      expect(await count('memberships')).toBe(201);
      expect(await count('departments')).toBe(20);

      const assets = await db.selectFrom('assets').select(['asset_tag', 'serial', 'manufacturer_id', 'category_id', 'model_id']).execute();
      expect(new Set(assets.map((a) => a.asset_tag)).size).toBe(500);
      const serials = assets.filter((a) => a.serial !== null).map((a) => `${a.manufacturer_id}/${a.serial}`);
      expect(serials.length).toBeGreaterThan(400);
      expect(new Set(serials).size).toBe(serials.length);
      expect(assets.every((a) => /^[A-Z]{3}-\d{6}$/.test(a.asset_tag))).toBe(true);

      // Denormalised category/manufacturer match the model's.
      const models = new Map((await db.selectFrom('models').select(['id', 'category_id', 'manufacturer_id']).execute()).map((m) => [m.id, m]));
      expect(assets.every((a) => models.get(a.model_id)?.category_id === a.category_id && models.get(a.model_id)?.manufacturer_id === a.manufacturer_id)).toBe(true);

      // Location paths: root ids first, ending with the location itself.
      const locations = await db.selectFrom('locations').select(['id', 'parent_id', 'path']).execute();
      const byId = new Map(locations.map((l) => [l.id, l]));
      for (const l of locations) {
        expect(l.path.endsWith(`/${l.id}/`)).toBe(true);
        expect(l.path).toBe(l.parent_id ? `${byId.get(l.parent_id)?.path}${l.id}/` : `/${l.id}/`);
      }
      expect(locations.filter((l) => l.path.split('/').length === 5)).toHaveLength(160);

      const [chain] = await verify(db, result.orgId);
      expect(chain).toMatchObject({ ok: true, events: 502 });
    } finally {
      await database.close();
    }
  });

  it('serial formats stay unique per manufacturer', () => {
    for (const m of ['Dell', 'HP', 'Lenovo', 'Apple', 'Cisco', 'Vodafone', 'Logitech']) {
      const set = new Set(Array.from({ length: 20_000 }, (_, i) => serialFor(m, i)));
      expect(set.size).toBe(20_000);
    }
    expect(serialFor('Dell', 0)).toMatch(/^[0-9A-Z]{7}$/);
    expect(serialFor('Cisco', 1)).toMatch(/^FOC\d{4}[0-9A-Z]{4}$/);
    expect(serialFor('Vodafone', 2)).toMatch(/^894902\d{13}$/);
  });
});
