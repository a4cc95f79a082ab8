import { describe, expect, it } from 'vitest';
import { KeyLines } from '../src/modules/imports/imports.keys.js';

describe('KeyLines (compact in-file duplicate detection)', () => {
  it('remembers the line of each key and nothing else', () => {
    const k = new KeyLines();
    expect(k.get('AST-1')).toBeUndefined();
    k.set('AST-1', 2);
    k.set('ast-1', 3);
    k.set('', 4);
    expect(k.get('AST-1')).toBe(2);
    expect(k.get('ast-1')).toBe(3);
    expect(k.get('')).toBe(4);
    expect(k.has('AST-2')).toBe(false);
    expect(k.size).toBe(3);
    k.set('AST-1', 9);
    expect(k.get('AST-1')).toBe(9);
    expect(k.size).toBe(3);
  });

  it('keeps every key through growth and reports no false duplicates among similar keys', () => {
    const k = new KeyLines(4);
    const keys = (i: number) => [`BENCH-${String(i).padStart(7, '0')}`, `${i % 7}:SN${(i * 7919).toString(36)}`, `${i}`];
    let falseHits = 0;
    for (let i = 1; i <= 200_000; i++) for (const key of keys(i)) { if (k.has(key)) falseHits++; k.set(key, i); }
    expect(falseHits).toBe(0);
    expect(k.size).toBe(600_000);
    for (const i of [1, 2, 777, 65_536, 199_999, 200_000]) for (const key of keys(i)) expect(k.get(key)).toBe(i);
  });

  it('refuses line 0 (the empty-slot marker)', () => {
    expect(() => new KeyLines().set('x', 0)).toThrow(RangeError);
  });
});
