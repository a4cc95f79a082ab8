import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { canonicalCreation, canonicalJson, eventHash, type ChainedEvent } from '../src/modules/events/events.chain.js';

const canonicalize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string | undefined;

/** A small deterministic generator of JSON-ish values, with the odd cases canonicalize has rules for. */
function gen(seed: number): () => unknown {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const strs = ['', 'a', 'é', '\u2028', '"q"', '\\', '\n\t', '😀', '\ud800', 'B', 'b', '_', '10', '1', 'z\u0000'];
  const leaf = (): unknown => {
    const k = Math.floor(r() * 14);
    switch (k) {
      case 0: return null;
      case 1: return r() < 0.5;
      case 2: return Math.floor(r() * 2000) - 1000;
      case 3: return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
      case 4: return -0;
      case 5: return undefined;
      case 6: return new Date(Math.floor(r() * 2e12));
      case 7: return Number.MAX_SAFE_INTEGER;
      case 8: return 1e21;
      default: return strs[Math.floor(r() * strs.length)]! + strs[Math.floor(r() * strs.length)]!;
    }
  };
  const value = (depth: number): unknown => {
    const k = r();
    if (depth > 3 || k < 0.5) return leaf();
    if (k < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(r() * 5); i > 0; i--) o[strs[Math.floor(r() * strs.length)]! + (r() < 0.3 ? String(Math.floor(r() * 3)) : '')] = value(depth + 1);
    return o;
  };
  return () => value(0);
}

describe('canonical JSON of events', () => {
  it('writes exactly what canonicalize writes', () => {
    const next = gen(42);
    for (let i = 0; i < 5000; i++) {
      const v = next();
      const expected = canonicalize(v);
      if (expected === undefined) expect(() => canonicalJson(v)).toThrow();
      else expect(canonicalJson(v)).toBe(expected);
    }
    // Short key lists are sorted by insertion, long ones by Array.prototype.sort: both orders are canonicalize's.
    for (const n of [2, 3, 20, 32, 33, 60]) {
      const wide = Object.fromEntries(Array.from({ length: n }, (_v, i) => [`${['é', 'B', 'b', '😀', '_', '\ud800'][i % 6]}${(i * 7919) % 101}`, i]));
      expect(canonicalJson(wide)).toBe(canonicalize(wide));
    }
    for (const bad of [NaN, Infinity, { a: NaN }, [Infinity]]) expect(() => canonicalJson(bad)).toThrow();
    expect(canonicalJson({ b: 1, a: [undefined, 'x'], c: undefined })).toBe('{"a":[null,"x"],"b":1}');
  });

  it('writes a creation\'s change set as canonicalJson of { field: { after, before: null } } for the fields with a value', () => {
    const next = gen(7);
    const viaObjects = (fields: Record<string, unknown>) => {
      try {
        return canonicalJson(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, { after: v, before: null }])));
      } catch {
        return 'throws';
      }
    };
    const direct = (fields: Record<string, unknown>) => {
      try {
        return canonicalCreation(fields);
      } catch {
        return 'throws';
      }
    };
    for (let i = 0; i < 3000; i++) {
      const fields: Record<string, unknown> = {};
      for (let k = 0; k < 1 + (i % 25); k++) fields[`${['assetTag', 'é', 'B', 'b', '😀', '_', '\ud800', 'customFields.x'][k % 8]}${k}`] = next();
      if (i % 7 === 0) fields.bad = NaN;
      expect(direct(fields)).toBe(viaObjects(fields));
    }
    expect(canonicalCreation({})).toBe('{}');
    expect(canonicalCreation({ b: 'x', a: null, c: 2, d: undefined })).toBe('{"b":{"after":"x","before":null},"c":{"after":2,"before":null}}');
  });

  it('hashes an event as the canonical JSON of its fields', () => {
    const base: ChainedEvent = {
      id: 'e1', chainId: 'org', seq: 7, orgId: 'org', occurredAt: '2026-11-25T18:00:00.000Z', actorType: 'user', actorId: 'u1',
      actorLabel: 'Ann "A" Ö', action: 'asset.created', entityType: 'asset', entityId: 'a1', changes: '{"x":{"after":1,"before":null}}',
      meta: '{"importJobId":"j"}', requestId: null, prevHash: '0'.repeat(64),
    };
    const reference = (e: ChainedEvent) => createHash('sha256').update(canonicalize({
      v: 1, id: e.id, chainId: e.chainId, seq: e.seq, orgId: e.orgId, occurredAt: e.occurredAt, actorType: e.actorType, actorId: e.actorId,
      actorLabel: e.actorLabel, action: e.action, entityType: e.entityType, entityId: e.entityId, changes: e.changes, meta: e.meta,
      requestId: e.requestId, prevHash: e.prevHash,
    })!).digest('hex');
    const variants: ChainedEvent[] = [
      base, { ...base, actorId: null, orgId: null, requestId: 'req-1' }, { ...base, seq: 2 ** 40 },
      // not what the types allow, but what the generic path does with it: left out, or written as text
      { ...base, requestId: undefined as unknown as null }, { ...base, seq: '7' as unknown as number },
    ];
    for (const e of variants) expect(eventHash(e)).toBe(reference(e));
  });
});
