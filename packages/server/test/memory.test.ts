import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { collectGarbage, collectIfGrown } from '../src/lib/memory.js';

// Long imports call collectIfGrown once per chunk to keep the server's heap bounded (issue 4:
// a million-row import under 500 MB RSS). It must collect only when the heap has grown past
// both the floor and half again what the previous collection left, and the collection must free
// what is no longer referenced.
describe('lib/memory: collectIfGrown', () => {
  const used = () => v8.getHeapStatistics().used_heap_size;

  it('collects when the heap has grown past the floor and 1.5× what was live, and frees unreferenced objects', () => {
    expect(collectIfGrown(Number.MAX_SAFE_INTEGER)).toBe(false);
    // A floor of one byte: the first call collects (nothing was live before), the next one right
    // after does not (the heap has not grown since).
    expect(collectIfGrown(1)).toBe(true);
    const live = used();
    expect(collectIfGrown(1)).toBe(false);
    // ~100 MB of garbage that survives long enough to reach the old generation.
    let junk: string[][] | null = Array.from({ length: 200 }, (_, i) => Array.from({ length: 1000 }, (_, j) => `${i}:${j}:${'x'.repeat(500)}`));
    expect(junk.length).toBe(200);
    expect(used()).toBeGreaterThan(live * 1.5);
    junk = null;
    expect(collectIfGrown(1)).toBe(true);
    expect(used()).toBeLessThan(live * 1.5);
  });

  it('collectGarbage collects whatever the heap holds, and collectIfGrown measures from there', () => {
    let junk: string[][] | null = Array.from({ length: 100 }, (_, i) => Array.from({ length: 1000 }, (_, j) => `${i}:${j}:${'y'.repeat(500)}`));
    expect(junk.length).toBe(100);
    const full = used();
    junk = null;
    expect(collectGarbage()).toBe(true);
    expect(used()).toBeLessThan(full - 40 * 2 ** 20);
    // Right after a collection the heap has not grown: nothing to do.
    expect(collectIfGrown(1)).toBe(false);
  });
});
