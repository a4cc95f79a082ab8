import { describe, expect, it } from 'vitest';
import { parse as csvParseSync } from 'csv-parse/sync';
import { CsvReadError, CsvRecordReader } from '../src/modules/imports/imports.csv.js';

// The import's CSV reader must read exactly what csv-parse read with the options imports used
// before (imports.csv.ts says why it replaced it): compared here on fixed and generated files,
// fed in chunks cut anywhere (inside a quote pair, a CRLF, a multi-byte character).

type Outcome = { records: string[][] } | { error: string; record: number };

function oracle(text: string, delimiter: string): Outcome {
  try {
    return {
      records: csvParseSync(text, {
        delimiter, quote: '"', escape: '"', relax_quotes: true, relax_column_count: true, skip_empty_lines: false,
        record_delimiter: ['\r\n', '\n', '\r'], bom: true,
      }) as string[][],
    };
  } catch (err) {
    const e = err as { code?: string; records?: number };
    if (e.code === 'CSV_QUOTE_NOT_CLOSED') return { error: 'quote_not_closed', record: (e.records ?? 0) + 1 };
    throw err;
  }
}

function read(bytes: Buffer, delimiter: string, cuts: number[], maxRecordBytes = 1 << 20): Outcome {
  const reader = new CsvRecordReader(delimiter, maxRecordBytes);
  const records: string[][] = [];
  try {
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      if (cut < at) continue;
      reader.push(bytes.subarray(at, cut), records);
      at = cut;
    }
    reader.end(records);
    return { records };
  } catch (err) {
    if (err instanceof CsvReadError) return { error: err.code, record: err.record };
    throw err;
  }
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['a', 'b', 'é', '€', '😀', ',', ';', '"', '"', '"', '\r', '\n', '\r\n', ' ', 'x'];

describe('imports: the CSV record reader reads what csv-parse read', () => {
  it.each([
    'a"b,c', '"ab"c,d', '"a""b",x', '"",x', '"a\r\nb",c', '"abc', 'a,b\r', '\n\na', 'a,', 'x\ny', '"ab" ,c', 'a\r\r\nb', ' "a",b',
    'a,"b"\n', '"a"', '"a""', 'a\n\n', 'a,"b', '"a"b"c', 'ab"', '""""', '"x"\r', '\r', '', '\n', 'a\rb\nc\r\nd', '"a""b"x,y', '"a,b"c,d',
    '"a\nb"c,d', '"a"b,c"d,e', '"a" "b",c', 'x,"a"b\ny', '"a"\r\nb', '"a"""', '"a"x"', '"a"x""y', '"a"x"b,c",d', '"a""x', '"ab"c\r\n"',
    'Tag,Notes\n"A1","first line\nsecond ""quoted"" line"\nA2,"x\r\ny"\nA3,plain\n', 'Müller,Köln,"€ 12"\r\nŁukasz,"Kraków",10,5\r\n',
  ])('%j, whole and cut at every byte', (text) => {
    const expected = oracle(text, ',');
    const bytes = Buffer.from(text);
    expect(read(bytes, ',', [])).toEqual(expected);
    for (let cut = 0; cut <= bytes.length; cut++) expect(read(bytes, ',', [cut]), `cut at ${cut}`).toEqual(expected);
  });

  it('generated files, each delimiter, cut into random chunks', () => {
    const next = rng(20261207);
    for (let n = 0; n < 4000; n++) {
      const delimiter = [',', ';', '\t', '|'][n % 4]!;
      const alphabet = [...ALPHABET, delimiter, delimiter];
      const length = Math.floor(next() * 40);
      let text = '';
      for (let k = 0; k < length; k++) text += alphabet[Math.floor(next() * alphabet.length)];
      const bytes = Buffer.from(text);
      const cuts: number[] = [];
      for (let at = 0; at < bytes.length;) {
        at += 1 + Math.floor(next() * 6);
        cuts.push(Math.min(at, bytes.length));
      }
      expect(read(bytes, delimiter, cuts), JSON.stringify({ text, delimiter, cuts })).toEqual(oracle(text, delimiter));
    }
  });

  it('stops a record longer than the bound (a quote never closed) in the record it is in', () => {
    const text = `a,b\n1,"${'z'.repeat(5000)}`;
    expect(read(Buffer.from(text), ',', [], 1000)).toEqual({ error: 'record_too_long', record: 2 });
    expect(read(Buffer.from(text), ',', [10, 600, 1200, 3000], 1000)).toEqual({ error: 'record_too_long', record: 2 });
    // Long records under the bound, in many chunks, are read whole.
    const wide = `${Array.from({ length: 4 }, () => 'y'.repeat(20_000)).join(',')}\n`;
    const cuts = Array.from({ length: 100 }, (_v, i) => i * 811);
    expect(read(Buffer.from(wide), ',', cuts, 100_000)).toEqual({ records: [Array.from({ length: 4 }, () => 'y'.repeat(20_000))] });
    expect(read(Buffer.from(wide), ',', cuts, 50_000)).toEqual({ error: 'record_too_long', record: 1 });
  });

  it('keeps nothing of a chunk once it has read it: the caller may refill the buffer', () => {
    const text = Buffer.from('id,note\n1,"a ""quoted"" word, then more\r\nand a line"\n2,"x""y"\n3,plain text here\n');
    const expected = oracle(text.toString(), ',');
    for (const size of [1, 2, 3, 5, 8, 13, 64]) {
      const reader = new CsvRecordReader(',', 1000);
      const records: string[][] = [];
      const buf = Buffer.alloc(size);
      for (let at = 0; at < text.length; at += size) {
        const n = text.copy(buf, 0, at, Math.min(at + size, text.length));
        reader.push(buf.subarray(0, n), records);
        buf.fill(0x21);
      }
      reader.end(records);
      expect({ records }, `chunks of ${size}`).toEqual(expected);
    }
  });

  it('no cell keeps the chunk it came from: cells are copies', () => {
    const chunk = Buffer.from('abcdefghijklmnopqrstuvwxyz,"quoted cell of some length"\n');
    const records: string[][] = [];
    const reader = new CsvRecordReader(',', 1000);
    reader.push(chunk, records);
    chunk.fill(0x21);
    expect(records).toEqual([['abcdefghijklmnopqrstuvwxyz', 'quoted cell of some length']]);
  });
});
