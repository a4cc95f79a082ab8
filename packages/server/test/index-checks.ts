/**
 * Checks that the trigger-maintained (or, after a bulk import, set-based) asset indexes hold what
 * their views compute: sort keys (asset_sort_source) and search documents (asset_search_source).
 */
import { expect } from 'vitest';
import { sql } from 'kysely';
import type { TestApp } from './harness.js';
import { SORT_KEYS } from '../src/db/migrations/2026-11-25T1510_sort_keys.js';

/** Every asset_sort_keys row equals what asset_sort_source computes for it now. */
export async function expectSortKeysCurrent(t: TestApp): Promise<void> {
  const db = t.database.db;
  const keys = await db.selectFrom('asset_sort_keys').selectAll().orderBy('asset_id').execute();
  const source = (await sql<Record<string, string | null>>`select asset_id, org_id, ${sql.raw(SORT_KEYS.join(', '))} from asset_sort_source order by asset_id`.execute(db)).rows;
  expect(keys.length).toBeGreaterThan(0);
  expect(keys).toEqual(source);
}

/** Assets whose search document holds `word`, from the index and from the view (source of truth). */
export async function expectSearchCurrent(t: TestApp, words: string[]): Promise<void> {
  const db = t.database.db;
  if (t.engine === 'postgres') {
    const stale = await sql<{ asset_id: string }>`select s.asset_id from asset_search s join asset_search_source v on v.asset_id = s.asset_id where s.document <> v.document`.execute(db);
    expect(stale.rows).toEqual([]);
    return;
  }
  const rows = (await sql<Record<string, string | null>>`select asset_id, tag, serial, name, model, manufacturer, assignee, notes from asset_search_source`.execute(db)).rows;
  for (const word of words) {
    const holds = (v: string | null) => v !== null && (v.toLowerCase().match(/[a-z0-9]+/g) ?? ([] as string[])).includes(word);
    const want = rows.filter((r) => Object.entries(r).some(([k, v]) => k !== 'asset_id' && holds(v))).map((r) => r.asset_id).sort();
    const got = (await sql<{ asset_id: string }>`select s.asset_id from asset_search s where s.id in (select rowid from assets_fts(${`"${word}"`}))`.execute(db)).rows.map((r) => r.asset_id).sort();
    expect(got, word).toEqual(want);
  }
}
