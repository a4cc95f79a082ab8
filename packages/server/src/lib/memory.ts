/**
 * A full garbage collection when the JavaScript heap has grown well past what was live, for long
 * batch jobs (imports) that must stay under a memory budget.
 *
 * Why: V8 lets its old generation grow to a multiple of what was live after its last full
 * collection before it collects again. An import keeps each 500-row chunk alive across many
 * awaits, so the chunk's rows, plans and event texts survive two scavenges, are promoted, and
 * become old garbage once the chunk is written. At a million rows the heap swung between ~70 and
 * ~245 MB and the server peaked at 515–525 MB RSS (issue 4's budget: 500). `collectIfGrown`,
 * called once per chunk, collects when the heap holds more than `minBytes` and half again what
 * the last collection left; one collection costs tens of milliseconds.
 *
 * `gc` is V8's own function, made reachable with `--expose-gc` set at run time, the way Node's own
 * tests do (`v8.setFlagsFromString`, then a new context, where the flag is read). Where that is
 * not possible it does nothing.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;
/** Heap in use right after the last collection this module ran. */
let liveAfter = 0;

function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    collect = typeof fn === 'function' ? (fn as () => void) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/** Runs a full collection if the heap in use exceeds `minBytes` and 1.5× what the last one left; returns whether it did. */
export function collectIfGrown(minBytes = 160 * 2 ** 20): boolean {
  const used = v8.getHeapStatistics().used_heap_size;
  if (used < Math.max(minBytes, liveAfter * 1.5)) return false;
  return collectGarbage();
}

/**
 * Runs a full collection now; returns whether it could. For the moment before a long stretch of
 * native work that needs memory of its own (an import's index rebuild: SQLite's sorter takes up to
 * the page cache's size again), so that the heap's garbage is given back first.
 */
export function collectGarbage(): boolean {
  const fn = collector();
  if (!fn) return false;
  fn();
  liveAfter = v8.getHeapStatistics().used_heap_size;
  return true;
}
