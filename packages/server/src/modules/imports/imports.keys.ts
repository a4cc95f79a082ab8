/**
 * In-file duplicate detection for large imports: which line first used a key (an asset tag, a
 * serial, an external id…). A `Map<string, number>` costs some 100–150 bytes a key (the string,
 * the entry, the table's slack), and V8 lets the heap grow to a multiple of what is live before it
 * collects the old generation: at a million rows the maps alone put the server several hundred
 * megabytes over its budget. This table keeps a 64-bit hash of each key and its line in typed
 * arrays: 12 bytes a slot, at most half the slots used (~24 MB a million keys).
 *
 * Two different keys with the same 64-bit hash would be reported as a duplicate: at a million
 * keys in one table the odds are about 3 in 100 million per import.
 */
export class KeyLines {
  private hi: Uint32Array;
  private lo: Uint32Array;
  /** 0: empty slot (lines start at 1). */
  private lines: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.lines = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number { return this.count; }

  /** The line that first used `key`, if any. */
  get(key: string): number | undefined {
    hash(key);
    const i = this.find(h1, h2);
    const line = this.lines[i]!;
    return line === 0 ? undefined : line;
  }

  has(key: string): boolean { return this.get(key) !== undefined; }

  /** Records (or moves) `key` to `line` (≥ 1). */
  set(key: string, line: number): void {
    if (!(line >= 1)) throw new RangeError('KeyLines: lines start at 1');
    hash(key);
    const i = this.find(h1, h2);
    if (this.lines[i] === 0) {
      this.hi[i] = h1;
      this.lo[i] = h2;
      this.count++;
    }
    this.lines[i] = line;
    if (this.count * 2 > this.mask) this.grow();
  }

  /** The slot holding the hash, or the empty slot where it would go (linear probing). */
  private find(a: number, b: number): number {
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & this.mask;
    while (this.lines[i] !== 0 && (this.hi[i] !== a || this.lo[i] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  private grow(): void {
    const { hi, lo, lines } = this;
    const size = lines.length * 2;
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.lines = new Int32Array(size);
    this.mask = size - 1;
    for (let j = 0; j < lines.length; j++) {
      if (lines[j] === 0) continue;
      const i = this.find(hi[j]!, lo[j]!);
      this.hi[i] = hi[j]!;
      this.lo[i] = lo[j]!;
      this.lines[i] = lines[j]!;
    }
  }
}

// The two halves of the last hash (module state: no allocation per call).
let h1 = 0;
let h2 = 0;

/** Two independent 32-bit FNV-1a-style hashes of the UTF-16 code units, with a final avalanche. */
function hash(s: string): void {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  h1 = fmix(a) >>> 0;
  h2 = fmix(b ^ Math.imul(a, 0x27d4eb2d)) >>> 0;
}

/** MurmurHash3's 32-bit finalizer. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
