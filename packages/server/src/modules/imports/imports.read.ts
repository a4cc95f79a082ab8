/**
 * Reading imported spreadsheets: CSV (any of `, ; \t |`, quoted fields with line breaks, CRLF/LF/CR,
 * UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252) and XLSX (first or chosen sheet).
 *
 * Everything streams: `inspect` reads the head of the file (plus a UTF-8 validity scan), `readRows`
 * and `countRows` go through the file once without holding it. XLSX files are zip archives: the
 * declared uncompressed sizes are checked against the limit before anything is inflated, and the
 * bytes actually inflated are counted and bounded too (zip bombs). Shared strings, which XLSX keeps
 * in a separate part, are held in one compact buffer rather than as millions of JS strings.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { posix } from 'node:path';
import iconv from 'iconv-lite';
import yauzl from 'yauzl';
import { XmlScanner, type XmlHandlers, type XmlTag } from './imports.xml.js';
import { CsvReadError, CsvRecordReader } from './imports.csv.js';
import { excelSerialToIso } from './imports.values.js';

export type SourceFormat = 'csv' | 'xlsx';
export type SourceEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export type Delimiter = ',' | ';' | '\t' | '|';

export const SOURCE_FORMATS: readonly SourceFormat[] = ['csv', 'xlsx'];
export const SOURCE_ENCODINGS: readonly SourceEncoding[] = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'];
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];

export interface SourceOptions { format?: SourceFormat; encoding?: SourceEncoding; delimiter?: Delimiter; sheet?: string }

export interface ReadLimits {
  /** Largest file accepted (bytes on disk). */
  maxFileBytes: number;
  /** XLSX: the sum of the zip entries' uncompressed sizes, declared and actual. */
  maxInflatedBytes: number;
  /** Most cells in the header or any row. */
  maxColumns: number;
  /** Longest cell, in characters (Excel's own limit is 32,767). */
  maxCellChars: number;
}

/** Sensible defaults; the server's configuration may override them. */
export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxFileBytes: 1024 * 1024 * 1024,
  maxInflatedBytes: 2 * 1024 * 1024 * 1024,
  maxColumns: 1000,
  maxCellChars: 32_767,
};

export interface SourceInfo {
  format: SourceFormat;
  /** CSV only. */
  encoding: SourceEncoding | null;
  /** CSV only. */
  delimiter: Delimiter | null;
  /** XLSX: the workbook's worksheets in tab order; CSV: []. */
  sheets: string[];
  /** XLSX: the sheet read; CSV: null. */
  sheet: string | null;
  /** The header cells as in the file, trimmed. */
  headers: string[];
  /** Unique, non-empty keys for the headers: duplicates become "Serial", "Serial (2)", …; an empty header → "Column 5". */
  headerKeys: string[];
  /** The first ≤ 20 data rows (fully blank rows skipped), cells as strings. */
  sample: string[][];
  /** Whether the encoding and delimiter were detected (true) or chosen (false). */
  detected: { encoding: boolean; delimiter: boolean };
  /** Row number (1-based) of the header; blank rows before it are skipped. Data rows come after it. */
  headerLine: number;
}

/** A problem with the file itself (as opposed to a row): the import cannot start or go on. */
export class ImportFileError extends Error {
  /**
   * `empty_file` · `header_only` · `not_a_spreadsheet` · `too_large` · `xlsx_bomb` · `bad_encoding` ·
   * `unknown_sheet` · `too_many_columns` · `cell_too_long` · `row_too_long` · `malformed_csv` ·
   * `format_mismatch` · `unreadable`
   */
  readonly code: string;
  /** A sentence for a person: what is wrong and what to do. */
  readonly detail: string;
  /** The row the problem was found on, when there is one. */
  readonly line: number | null;
  constructor(code: string, detail: string, line: number | null = null) {
    super(detail);
    this.name = 'ImportFileError';
    this.code = code;
    this.detail = detail;
    this.line = line;
  }
}

export interface SourceRow { line: number; cells: string[] }

const SAMPLE_ROWS = 20;
const HEAD_BYTES = 64 * 1024;

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
const isBlank = (cells: readonly string[]) => cells.every((c) => c.trim() === '');

// ---------------------------------------------------------------------------------------------
// Public API

/** Looks at the file: its format (from the bytes, not the name), encoding, delimiter or sheets, header and first rows. */
export async function inspect(filePath: string, opts: SourceOptions, limits: ReadLimits): Promise<SourceInfo> {
  const { size, head } = await readHead(filePath, limits);
  const format = sniffFormat(head);
  if (opts.format && opts.format !== format) {
    throw new ImportFileError('format_mismatch', format === 'xlsx'
      ? 'The file is an XLSX workbook (a zip archive), not a CSV file; choose XLSX or leave the format to detection.'
      : 'The file is not an XLSX workbook (it is not a zip archive); choose CSV or leave the format to detection.');
  }
  return format === 'xlsx' ? inspectXlsx(filePath, opts, limits) : inspectCsv(filePath, size, head, opts, limits);
}

/**
 * The data rows after the header, streamed. `line` is the row's 1-based number in the file as a
 * spreadsheet shows it (the header is usually row 1; a CSV record with quoted line breaks is one
 * row). Cells are the raw strings as in the file (XLSX values converted as described in
 * docs/imports.md). Ragged rows come as they are; fully blank rows are skipped.
 */
export function readRows(filePath: string, info: SourceInfo, limits: ReadLimits): AsyncIterable<SourceRow> {
  return info.format === 'xlsx' ? xlsxDataRows(filePath, info, limits) : csvDataRows(filePath, info, limits);
}

/** Counts the data rows (not blank, after the header) with one streamed pass. */
export async function countRows(filePath: string, info: SourceInfo, limits: ReadLimits): Promise<number> {
  if (info.format === 'csv') return countCsvRows(filePath, info);
  return countXlsxRows(filePath, info, limits);
}

/** Unique keys for header cells: "Serial", "Serial (2)"…; empty → "Column N" (1-based). Case-insensitive. */
export function headerKeysOf(headers: readonly string[]): string[] {
  const taken = new Set<string>();
  const base = headers.map((h, i) => h.trim() || `Column ${i + 1}`);
  // Keys that appear as-is win over generated suffixes.
  for (const b of base) taken.add(b.toLowerCase());
  const seen = new Set<string>();
  return base.map((b) => {
    const lower = b.toLowerCase();
    if (!seen.has(lower)) { seen.add(lower); return b; }
    let n = 2;
    while (taken.has(`${lower} (${n})`) || seen.has(`${lower} (${n})`)) n++;
    const key = `${b} (${n})`;
    seen.add(key.toLowerCase());
    taken.add(key.toLowerCase());
    return key;
  });
}

// ---------------------------------------------------------------------------------------------
// Format sniffing

async function readHead(filePath: string, limits: ReadLimits): Promise<{ size: number; head: Buffer }> {
  let size: number;
  try {
    const st = await stat(filePath);
    if (!st.isFile()) throw new ImportFileError('unreadable', 'The upload is not a file.');
    size = st.size;
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    throw new ImportFileError('unreadable', 'The uploaded file cannot be read.');
  }
  if (size === 0) throw new ImportFileError('empty_file', 'The file is empty.');
  if (size > limits.maxFileBytes) throw new ImportFileError('too_large', `The file is ${mib(size)}; the limit is ${mib(limits.maxFileBytes)}.`);
  const fh = await open(filePath, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, HEAD_BYTES));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return { size, head: buf.subarray(0, bytesRead) };
  } finally {
    await fh.close();
  }
}

const MAGIC: { bytes: number[]; what: string }[] = [
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: 'a legacy Excel 97–2003 (.xls) or other Office binary file; save it as .xlsx or CSV' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive' },
  { bytes: [0x52, 0x61, 0x72, 0x21], what: 'a RAR archive' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], what: 'a 7-Zip archive' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'a program (ELF)' },
  { bytes: [0x4d, 0x5a], what: 'a Windows program' },
];

function sniffFormat(head: Buffer): SourceFormat {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5 || head[2] === 7)) return 'xlsx';
  for (const m of MAGIC) {
    if (head.length >= m.bytes.length && m.bytes.every((b, i) => head[i] === b)) {
      throw new ImportFileError('not_a_spreadsheet', `The file is ${m.what}, not a spreadsheet (CSV or XLSX).`);
    }
  }
  return 'csv';
}

// ---------------------------------------------------------------------------------------------
// CSV

function bomOf(head: Buffer): SourceEncoding | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}

/** UTF-16 without a BOM: text in Latin script has a zero in every other byte. */
function utf16WithoutBom(head: Buffer): SourceEncoding | null {
  const n = Math.min(head.length, 4096) & ~1;
  if (n < 4) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenZero++;
    if (head[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero / pairs > 0.3 && evenZero / pairs < 0.02) return 'utf-16le';
  if (evenZero / pairs > 0.3 && oddZero / pairs < 0.02) return 'utf-16be';
  return null;
}

/** Scans the whole file for UTF-8 validity; returns the byte offset of the first invalid sequence, or -1. */
async function firstInvalidUtf8(filePath: string): Promise<number> {
  let carry = Buffer.alloc(0);
  let offset = 0;
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    // Hold back an incomplete multi-byte sequence at the end of the chunk.
    let end = buf.length;
    let back = 0;
    while (back < 3 && end - back - 1 >= 0 && (buf[end - back - 1]! & 0xc0) === 0x80) back++;
    const lead = end - back - 1;
    if (lead >= 0) {
      const b = buf[lead]!;
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (need > back + 1) end = lead;
    }
    const part = buf.subarray(0, end);
    if (!isUtf8(part)) return offset + invalidAt(part);
    carry = Buffer.from(buf.subarray(end));
    offset += end;
  }
  if (carry.length && !isUtf8(carry)) return offset;
  return -1;
}

/** Offset of the first invalid UTF-8 sequence in a buffer known to hold one (the error path only). */
function invalidAt(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) { i++; continue; }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (!need || i + need >= b.length) return i;
    let cp = c & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k]!;
      if ((cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    const min = need === 1 ? 0x80 : need === 2 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return b.length;
}

/** Lines up to a byte offset (for error messages): 1-based. */
async function lineAtOffset(filePath: string, offset: number): Promise<number> {
  if (offset === 0) return 1;
  let line = 1;
  for await (const chunk of createReadStream(filePath, { end: offset - 1 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) line++;
  }
  return line;
}

/** Binary content: NUL characters, or many control characters, in the first KB of text. */
function looksBinary(text: string): boolean {
  const sample = text.slice(0, 1024);
  if (!sample.length) return false;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f || c === 0xfffd) control++;
  }
  return control / sample.length > 0.1;
}

/**
 * Picks the delimiter that splits the first records (quotes respected) into the same number of
 * fields, more than one; ties go to the order `, ; \t |`. A file with one column gets `,`.
 */
export function sniffDelimiter(text: string, complete: boolean): Delimiter {
  let best: { d: Delimiter; score: number; fields: number } | null = null;
  for (const d of DELIMITERS) {
    const counts = fieldCounts(text, d, complete, 50);
    const nonBlank = counts.filter((c) => c > 0);
    if (!nonBlank.length) continue;
    const header = nonBlank[0]!;
    if (header < 2) continue;
    const consistent = nonBlank.filter((c) => c === header).length / nonBlank.length;
    const score = consistent * 1000 + Math.min(header, 999);
    if (!best || score > best.score) best = { d, score, fields: header };
  }
  return best?.d ?? ',';
}

/** Fields per record for a delimiter (0 for a blank record), quote-aware; the last record is dropped when the text is cut. */
function fieldCounts(text: string, d: Delimiter, complete: boolean, maxRecords: number): number[] {
  const counts: number[] = [];
  let fields = 1;
  let content = false;
  let inQuotes = false;
  let atFieldStart = true;
  let i = 0;
  const n = text.length;
  for (; i < n && counts.length < maxRecords; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else inQuotes = false;
      }
      continue;
    }
    if (ch === '"' && atFieldStart) { inQuotes = true; content = true; atFieldStart = false; continue; }
    if (ch === d) { fields++; atFieldStart = true; continue; }
    if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      counts.push(content || fields > 1 ? fields : 0);
      fields = 1; content = false; atFieldStart = true;
      continue;
    }
    atFieldStart = false;
    if (ch !== ' ' && ch !== '\t') content = true;
  }
  if (i >= n && complete && (content || fields > 1)) counts.push(fields);
  return counts;
}

function decodeHead(head: Buffer, encoding: SourceEncoding): string {
  return iconv.decode(head, encoding, { stripBOM: true });
}

async function inspectCsv(filePath: string, size: number, head: Buffer, opts: SourceOptions, limits: ReadLimits): Promise<SourceInfo> {
  const bom = bomOf(head);
  let encoding = opts.encoding ?? bom ?? utf16WithoutBom(head);
  if (!encoding || encoding === 'utf-8') {
    const bad = await firstInvalidUtf8(filePath);
    if (bad < 0) encoding = 'utf-8';
    else if (encoding === 'utf-8') {
      // Chosen, or declared by a UTF-8 byte order mark: the bytes contradict it.
      const line = await lineAtOffset(filePath, bad);
      throw new ImportFileError('bad_encoding', `The file is not valid UTF-8 (line ${line}, byte ${bad + 1}). Choose Windows-1252 or let the encoding be detected.`, line);
    } else encoding = 'windows-1252';
  }
  const text = decodeHead(head, encoding);
  if (looksBinary(text)) throw new ImportFileError('not_a_spreadsheet', 'The file is not a spreadsheet: it contains binary data. Upload a CSV or XLSX file.');
  if (!text.trim() && size <= head.length) throw new ImportFileError('empty_file', 'The file is empty.');
  const delimiter = opts.delimiter ?? sniffDelimiter(text, size <= head.length);

  let header: SourceRow | null = null;
  const sample: string[][] = [];
  for await (const row of csvRecords(filePath, encoding, delimiter, limits)) {
    if (isBlank(row.cells)) continue;
    if (!header) { header = row; continue; }
    sample.push(row.cells);
    if (sample.length >= SAMPLE_ROWS) break;
  }
  if (!header) throw new ImportFileError('empty_file', 'The file has no rows.');
  if (!sample.length) throw new ImportFileError('header_only', 'The file has a header row but no data rows.');
  const headers = header.cells.map((h) => h.trim());
  return {
    format: 'csv', encoding, delimiter, sheets: [], sheet: null,
    headers, headerKeys: headerKeysOf(headers), sample,
    detected: { encoding: !opts.encoding, delimiter: !opts.delimiter },
    headerLine: header.line,
  };
}

function checkRow(row: SourceRow, limits: ReadLimits): void {
  if (row.cells.length > limits.maxColumns) {
    throw new ImportFileError('too_many_columns', `Row ${row.line} has ${row.cells.length} cells; at most ${limits.maxColumns} columns can be imported.`, row.line);
  }
  for (let i = 0; i < row.cells.length; i++) {
    if (row.cells[i]!.length > limits.maxCellChars) {
      throw new ImportFileError('cell_too_long', `Row ${row.line}, column ${i + 1} has ${row.cells[i]!.length} characters; the limit is ${limits.maxCellChars}.`, row.line);
    }
  }
}

/**
 * The file's text as UTF-8 chunks: UTF-8 files as they are (without a BOM), others decoded and
 * re-encoded. A UTF-8 file is read into one buffer, refilled for every chunk: each chunk is only
 * valid until the next one is asked for (CsvRecordReader.push keeps nothing of it). A new 256 KB
 * buffer per chunk lived through several young-generation collections while its rows were
 * processed, so the old generation held ~50 MB of them between full collections (a million-row
 * import's RSS).
 */
async function* utf8Chunks(filePath: string, encoding: SourceEncoding): AsyncGenerator<Buffer> {
  const highWaterMark = 256 * 1024;
  if (encoding === 'utf-8') {
    const file = await open(filePath, 'r');
    try {
      const buf = Buffer.allocUnsafe(highWaterMark);
      for (let first = true; ; first = false) {
        const { bytesRead } = await file.read(buf, 0, buf.length, null);
        if (!bytesRead) return;
        const chunk = buf.subarray(0, bytesRead);
        yield first && bytesRead >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? chunk.subarray(3) : chunk;
      }
    } finally {
      await file.close();
    }
  }
  const decoded = iconv.decodeStream(encoding, { stripBOM: true });
  pipeline(createReadStream(filePath, { highWaterMark }), decoded, () => { /* errors surface through the iteration below */ });
  for await (const s of decoded as AsyncIterable<string | Buffer>) yield typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
}

/** Every record of the file (blank ones included) with its 1-based row number (imports.csv.ts reads them). */
async function* csvRecords(filePath: string, encoding: SourceEncoding, delimiter: Delimiter, limits: ReadLimits): AsyncGenerator<SourceRow> {
  // A bound on a whole record (the cells' lengths added up): the longest legitimate row, which also
  // bounds the memory a runaway quoted field (a quote never closed) can take.
  const reader = new CsvRecordReader(delimiter, Math.min(limits.maxCellChars * limits.maxColumns, 64 * 1024 * 1024));
  const records: string[][] = [];
  let line = 0;
  // The records the reader completed, numbered and checked; then it starts a new list.
  function* completed(): Generator<SourceRow> {
    for (const cells of records) {
      const row = { line: ++line, cells };
      checkRow(row, limits);
      yield row;
    }
    records.length = 0;
  }
  try {
    for await (const chunk of utf8Chunks(filePath, encoding)) {
      reader.push(chunk, records);
      yield* completed();
    }
    reader.end(records);
    yield* completed();
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    if (err instanceof CsvReadError) {
      // The reader's own count is the truth: records it completed in the failing chunk were not yielded.
      if (err.code === 'record_too_long') throw new ImportFileError('row_too_long', `Row ${err.record} is longer than any row can be (${limits.maxColumns} columns of ${limits.maxCellChars} characters); a quoted field may never be closed.`, err.record);
      throw new ImportFileError('malformed_csv', `A quoted field opened in row ${err.record} is never closed.`, err.record);
    }
    throw new ImportFileError('unreadable', `The file cannot be read: ${(err as Error).message}`);
  }
}

async function* csvDataRows(filePath: string, info: SourceInfo, limits: ReadLimits): AsyncGenerator<SourceRow> {
  if (!info.encoding || !info.delimiter) throw new ImportFileError('unreadable', 'CSV source info lacks the encoding or delimiter.');
  let headerLine = headerLineOf(info);
  for await (const row of csvRecords(filePath, info.encoding, info.delimiter, limits)) {
    if (isBlank(row.cells)) continue;
    if (headerLine === null) { headerLine = row.line; continue; }
    if (row.line <= headerLine) continue;
    yield row;
  }
}

/** The header's row; a SourceInfo kept from before `headerLine` existed has the header as its first non-blank row. */
const headerLineOf = (info: SourceInfo): number | null => (typeof info.headerLine === 'number' ? info.headerLine : null);

/**
 * Counts non-blank records after the header with a quote-aware character scan: the same rules as
 * the parser (quotes open a field only at its start, `""` inside quotes is a quote), several times
 * faster because no cell is built.
 */
async function countCsvRows(filePath: string, info: SourceInfo): Promise<number> {
  if (!info.encoding || !info.delimiter) throw new ImportFileError('unreadable', 'CSV source info lacks the encoding or delimiter.');
  const d = info.delimiter.charCodeAt(0);
  let line = 0;
  let count = 0;
  let content = false;
  let inQuotes = false;
  let quotePending = false; // saw `"` inside quotes at a chunk end: closing or first of `""`
  let atFieldStart = true;
  let crPending = false;
  let headerLine = headerLineOf(info);
  const endRecord = () => {
    line++;
    if (content && headerLine === null) headerLine = line;
    else if (content && line > headerLine!) count++;
    content = false;
    atFieldStart = true;
  };
  const decoder = iconv.getDecoder(info.encoding, { stripBOM: true });
  const scan = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (crPending) { crPending = false; if (c === 0x0a) continue; }
      if (quotePending) {
        quotePending = false;
        if (c === 0x22) { content = true; continue; } // `""` → a literal quote
        inQuotes = false; // the quote closed the field; fall through to handle c unquoted
        atFieldStart = false;
      }
      if (inQuotes) {
        if (c === 0x22) quotePending = true;
        else if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) content = true;
        continue;
      }
      if (c === 0x22 && atFieldStart) { inQuotes = true; atFieldStart = false; continue; }
      if (c === d) { atFieldStart = true; continue; }
      if (c === 0x0d || c === 0x0a) { endRecord(); if (c === 0x0d) crPending = true; continue; }
      atFieldStart = false;
      if (c !== 0x20 && c !== 0x09) content = true;
    }
  };
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) scan(decoder.write(chunk));
  const rest = decoder.end();
  if (rest) scan(rest);
  if (content || !atFieldStart || inQuotes) endRecord();
  return count;
}

// ---------------------------------------------------------------------------------------------
// XLSX

interface Zip {
  file: yauzl.ZipFile;
  entries: Map<string, yauzl.Entry>;
  /** Bytes that may still be inflated by this read. */
  budget: { left: number; limit: number };
}

interface SheetRef { name: string; path: string; hidden: boolean }

type CellKind = 'date' | 'time' | null;

interface Workbook {
  sheets: SheetRef[];
  date1904: boolean;
  sharedStringsPath: string | null;
  stylesPath: string | null;
}

const MAX_ENTRIES = 10_000;

async function openZip(filePath: string, limits: ReadLimits): Promise<Zip> {
  let file: yauzl.ZipFile;
  try {
    file = await yauzl.openPromise(filePath, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false, decodeStrings: true });
  } catch (err) {
    throw new ImportFileError('not_a_spreadsheet', `The file looks like a zip archive but cannot be opened (${(err as Error).message}); it is not a valid XLSX workbook.`);
  }
  const entries = new Map<string, yauzl.Entry>();
  let declared = 0;
  try {
    for await (const entry of file.eachEntry()) {
      if (entries.size >= MAX_ENTRIES) throw new ImportFileError('xlsx_bomb', `The workbook has more than ${MAX_ENTRIES} parts; it is not read.`);
      entries.set(entry.fileName.replace(/\\/g, '/').replace(/^\/+/, '').toLowerCase(), entry);
      declared += entry.uncompressedSize;
    }
  } catch (err) {
    file.close();
    if (err instanceof ImportFileError) throw err;
    throw new ImportFileError('not_a_spreadsheet', `The zip archive is damaged (${(err as Error).message}); it is not a valid XLSX workbook.`);
  }
  // Checked before anything is inflated.
  if (declared > limits.maxInflatedBytes) {
    file.close();
    throw new ImportFileError('xlsx_bomb', `The workbook would unpack to ${mib(declared)}; the limit is ${mib(limits.maxInflatedBytes)}. It is refused as a possible zip bomb.`);
  }
  return { file, entries, budget: { left: limits.maxInflatedBytes, limit: limits.maxInflatedBytes } };
}

/** Opens one part as a stream of inflated bytes, counted against the budget. */
async function openPart(zip: Zip, path: string): Promise<Readable> {
  const entry = zip.entries.get(path.toLowerCase());
  if (!entry) throw new ImportFileError('not_a_spreadsheet', `The workbook lacks the part ${path}.`);
  if (entry.isEncrypted()) throw new ImportFileError('not_a_spreadsheet', 'The workbook is encrypted (password-protected); save it without a password.');
  let stream: Readable;
  try {
    stream = await zip.file.openReadStreamPromise(entry);
  } catch (err) {
    throw new ImportFileError('not_a_spreadsheet', `The workbook part ${path} cannot be read (${(err as Error).message}).`);
  }
  return stream;
}

/** Streams a part through the XML scanner with the handlers `setup` makes; after each chunk, yields what `drain` collected. */
async function* xmlPart(zip: Zip, path: string, setup: (scanner: XmlScanner) => XmlHandlers, drain: () => Iterable<SourceRow> | null): AsyncGenerator<SourceRow> {
  // A deep buffer lets zlib (in the thread pool) inflate ahead while this thread scans the XML.
  const source = await openPart(zip, path);
  const stream = source.pipe(new PassThrough({ highWaterMark: 1024 * 1024 }));
  source.on('error', (err) => stream.destroy(err));
  const handlers: XmlHandlers = {};
  const parser = new XmlScanner(handlers);
  Object.assign(handlers, setup(parser));
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // The actual inflated bytes, whatever the entries declared.
      zip.budget.left -= chunk.length;
      if (zip.budget.left < 0) throw new ImportFileError('xlsx_bomb', `The workbook unpacks to more than ${mib(zip.budget.limit)}; it is refused as a possible zip bomb.`);
      parser.write(decoder.write(chunk));
      const rows = drain();
      if (rows) yield* rows;
    }
    parser.write(decoder.end());
    parser.close();
    const rows = drain();
    if (rows) yield* rows;
  } catch (err) {
    throw xlsxError(err, path);
  } finally {
    source.destroy();
    stream.destroy();
  }
}

function xlsxError(err: unknown, path: string): ImportFileError {
  if (err instanceof ImportFileError) return err;
  const msg = (err as Error).message ?? String(err);
  if (/too many bytes|unexpected number of bytes|file data stream has/i.test(msg)) {
    return new ImportFileError('xlsx_bomb', `The workbook part ${path} unpacks to more bytes than it declares; it is refused as a possible zip bomb.`);
  }
  return new ImportFileError('not_a_spreadsheet', `The workbook is damaged: ${path}: ${msg}`);
}

/** Reads a small XML part completely, calling `onOpen` for each element. */
async function walkPart(zip: Zip, path: string, onOpen: (name: string, attrs: Record<string, string>, stack: string[]) => void): Promise<void> {
  const stack: string[] = [];
  const gen = xmlPart(zip, path, () => ({
    open: (tag: XmlTag) => { onOpen(tag.name, tag.attrs(), stack); stack.push(tag.name); },
    close: () => { stack.pop(); },
  }), () => null);
  for await (const _ of gen) { /* events only */ }
}

/** A prefixed attribute by its local name (`r:id` → `id`); the scanner indexes both. */
const attr = (attrs: Record<string, string>, local: string): string | undefined => attrs[local];

function resolvePart(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  return posix.normalize(posix.join(posix.dirname(base), target)).replace(/^\/+/, '');
}

async function relationships(zip: Zip, partPath: string): Promise<{ id: string; type: string; target: string }[]> {
  const relsPath = posix.join(posix.dirname(partPath), '_rels', `${posix.basename(partPath)}.rels`).replace(/^\.\//, '');
  if (!zip.entries.has(relsPath.toLowerCase())) return [];
  const rels: { id: string; type: string; target: string }[] = [];
  await walkPart(zip, relsPath, (name, a) => {
    if (name === 'Relationship' && a.Id && a.Target && a.TargetMode !== 'External') rels.push({ id: a.Id, type: a.Type ?? '', target: resolvePart(partPath, a.Target) });
  });
  return rels;
}

async function readWorkbook(zip: Zip): Promise<Workbook> {
  if (zip.entries.get('mimetype') && [...zip.entries.keys()].some((k) => k === 'content.xml')) {
    throw new ImportFileError('not_a_spreadsheet', 'OpenDocument spreadsheets (.ods) are not supported; save the file as XLSX or CSV.');
  }
  const root = await relationships(zip, '');
  const office = root.find((r) => r.type.endsWith('/officeDocument'));
  const workbookPath = office?.target ?? 'xl/workbook.xml';
  if (!zip.entries.has(workbookPath.toLowerCase())) {
    if (workbookPath.toLowerCase().endsWith('.bin') || zip.entries.has('xl/workbook.bin')) {
      throw new ImportFileError('not_a_spreadsheet', 'Binary Excel workbooks (.xlsb) are not supported; save the file as XLSX or CSV.');
    }
    throw new ImportFileError('not_a_spreadsheet', 'The file is a zip archive but not an XLSX workbook.');
  }
  const rels = await relationships(zip, workbookPath);
  const byId = new Map(rels.map((r) => [r.id, r]));
  const sheets: SheetRef[] = [];
  let date1904 = false;
  await walkPart(zip, workbookPath, (name, a, stack) => {
    if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
    if (name === 'sheet' && stack[stack.length - 1] === 'sheets') {
      const rel = byId.get(attr(a, 'id') ?? '');
      if (rel && rel.type.endsWith('/worksheet')) sheets.push({ name: a.name ?? `Sheet${sheets.length + 1}`, path: rel.target, hidden: a.state === 'hidden' || a.state === 'veryHidden' });
    }
  });
  if (!sheets.length) throw new ImportFileError('empty_file', 'The workbook has no worksheets.');
  return {
    sheets, date1904,
    sharedStringsPath: rels.find((r) => r.type.endsWith('/sharedStrings'))?.target ?? null,
    stylesPath: rels.find((r) => r.type.endsWith('/styles'))?.target ?? null,
  };
}

/** Built-in number formats that show dates or times (ECMA-376 §18.8.30 and the East Asian ones). */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58]);
const BUILTIN_TIME_FORMATS = new Set([18, 19, 20, 21, 45, 46, 47, 32, 33, 55, 56]);

/** Date, time or neither, from a custom format code such as `yyyy-mm-dd`, `[$-409]m/d/yy h:mm AM/PM`, `#,##0.00 "kr"`. */
export function formatCodeKind(code: string): CellKind {
  const section = code.split(';')[0] ?? '';
  const bare = section
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[(?:h+|m+|s+)\]/gi, 'h')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/AM\/PM|A\/P/gi, 'h')
    .replace(/General/gi, '');
  const hasDate = /[yd]/i.test(bare) || (/m/i.test(bare) && !/[hs]/i.test(bare));
  const hasTime = /[hs]/i.test(bare);
  return hasDate ? 'date' : hasTime ? 'time' : null;
}

async function readStyles(zip: Zip, path: string | null): Promise<CellKind[]> {
  if (!path || !zip.entries.has(path.toLowerCase())) return [];
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  await walkPart(zip, path, (name, a, stack) => {
    if (name === 'numFmt' && a.numFmtId && a.formatCode !== undefined) custom.set(Number(a.numFmtId), a.formatCode);
    if (name === 'xf' && stack[stack.length - 1] === 'cellXfs') xfFormats.push(Number(a.numFmtId ?? 0));
  });
  return xfFormats.map((id) => {
    const code = custom.get(id);
    if (code !== undefined) return formatCodeKind(code);
    return BUILTIN_DATE_FORMATS.has(id) ? 'date' : BUILTIN_TIME_FORMATS.has(id) ? 'time' : null;
  });
}

/** Shared strings in one growable UTF-8 buffer with offsets: a few bytes per string instead of a JS string object each. */
class StringTable {
  private buf = Buffer.alloc(64 * 1024);
  private offsets = new Uint32Array(1024);
  private used = 0;
  count = 0;
  push(s: string): void {
    const len = Buffer.byteLength(s);
    if (this.used + len > this.buf.length) {
      let size = this.buf.length * 2;
      while (this.used + len > size) size *= 2;
      if (size > 0xffffffff) throw new ImportFileError('too_large', 'The workbook\'s shared strings are too large.');
      const next = Buffer.alloc(size);
      this.buf.copy(next, 0, 0, this.used);
      this.buf = next;
    }
    if (this.count + 2 > this.offsets.length) {
      const next = new Uint32Array(this.offsets.length * 2);
      next.set(this.offsets);
      this.offsets = next;
    }
    this.buf.write(s, this.used);
    this.used += len;
    this.count++;
    this.offsets[this.count] = this.used;
  }
  get(i: number): string {
    if (!(i >= 0 && i < this.count)) return '';
    return this.buf.toString('utf8', this.offsets[i], this.offsets[i + 1]);
  }
}

/** OOXML escapes characters XML can't carry as `_xHHHH_` (and a literal `_x` as `_x005F_x`). */
export function decodeOoxmlEscapes(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function readSharedStrings(zip: Zip, path: string | null): Promise<StringTable> {
  const table = new StringTable();
  if (!path || !zip.entries.has(path.toLowerCase())) return table;
  let inSi = false;
  let inT = false;
  let phonetic = 0;
  let text = '';
  const gen = xmlPart(zip, path, (scanner) => ({
    open: (tag: XmlTag) => {
      if (tag.name === 'si') { inSi = true; text = ''; } else if (tag.name === 'rPh') phonetic++;
      else if (tag.name === 't' && inSi && !phonetic) scanner.captureText = inT = true;
    },
    text: (t: string) => { if (inT) text += t; },
    close: (name: string) => {
      if (name === 't') scanner.captureText = inT = false;
      else if (name === 'rPh') phonetic--;
      else if (name === 'si' && inSi) { table.push(decodeOoxmlEscapes(text)); inSi = false; }
    },
  }), () => null);
  for await (const _ of gen) { /* events only */ }
  return table;
}

function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) n = n * 26 + (c - 64);
    else if (c >= 97 && c <= 122) n = n * 26 + (c - 96);
    else break;
  }
  return n - 1;
}

/** A number as JS prints it, rounded to Excel's 15 significant digits (0.1+0.2 → "0.3"). */
export function formatExcelNumber(v: string): string {
  // Up to 15 digits the shortest JS form is already right (and far cheaper than toPrecision).
  if (v.length <= 16 && /^-?\d+(?:\.\d+)?$/.test(v)) return String(Number(v));
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) return v;
  return String(Number(n.toPrecision(15)));
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A date/time serial (1900 system, or 1904) → `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS`, or `HH:MM:SS` for a time alone. */
export function excelSerialToText(serial: number, kind: 'date' | 'time', date1904 = false): string {
  const s = date1904 ? serial + 1462 : serial;
  let day = Math.floor(s);
  let seconds = Math.round((s - day) * 86400);
  if (seconds >= 86400) { day++; seconds -= 86400; }
  const time = `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor((seconds % 3600) / 60))}:${pad2(seconds % 60)}`;
  if (day === 0 || (kind === 'time' && serial < 1)) return time;
  if (day === 60 && !date1904) return seconds ? `1900-02-29T${time}` : '1900-02-29';
  const iso = excelSerialToIso(day);
  if (!iso.ok) return formatExcelNumber(String(serial));
  return seconds ? `${iso.value}T${time}` : iso.value;
}

function normalizeIsoCell(v: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?Z?)?$/.exec(v.trim());
  if (!m) return v;
  if (!m[2] || /^00:00(?::00)?$/.test(m[2])) return m[1]!;
  return `${m[1]}T${m[2].length === 5 ? `${m[2]}:00` : m[2]}`;
}

interface XlsxContext { zip: Zip; workbook: Workbook; sheet: SheetRef; styles: CellKind[]; strings: StringTable }

async function openWorkbook(filePath: string, sheetName: string | undefined | null, limits: ReadLimits): Promise<XlsxContext> {
  const zip = await openZip(filePath, limits);
  try {
    const workbook = await readWorkbook(zip);
    let sheet: SheetRef | undefined;
    if (sheetName) {
      sheet = workbook.sheets.find((s) => s.name === sheetName) ?? workbook.sheets.find((s) => s.name.toLowerCase() === sheetName.trim().toLowerCase());
      if (!sheet) throw new ImportFileError('unknown_sheet', `The workbook has no sheet named "${sheetName}"; it has ${workbook.sheets.map((s) => `"${s.name}"`).join(', ')}.`);
    } else {
      sheet = workbook.sheets.find((s) => !s.hidden) ?? workbook.sheets[0]!;
    }
    if (!zip.entries.has(sheet.path.toLowerCase())) throw new ImportFileError('not_a_spreadsheet', `The workbook lacks the sheet part ${sheet.path}.`);
    const styles = await readStyles(zip, workbook.stylesPath);
    const strings = await readSharedStrings(zip, workbook.sharedStringsPath);
    return { zip, workbook, sheet, styles, strings };
  } catch (err) {
    zip.file.close();
    throw err;
  }
}

/** All non-blank rows of the sheet with their row numbers. */
function sheetRows(x: XlsxContext, limits: ReadLimits): AsyncGenerator<SourceRow> {
  const ready: SourceRow[] = [];
  let rowNum = 0;
  let cells: string[] = [];
  let col = -1;
  let type = 'n';
  let style = 0;
  let capture: 'v' | 't' | null = null;
  let value = '';
  let inline = '';
  let inIs = false;
  let phonetic = 0;

  // Date columns repeat the same few days: remember the last conversions.
  const dates = new Map<string, string>();
  const dateText = (v: string, n: number, kind: 'date' | 'time'): string => {
    const key = kind === 'date' ? v : `t${v}`;
    let text = dates.get(key);
    if (text === undefined) {
      text = excelSerialToText(n, kind, x.workbook.date1904);
      if (dates.size >= 4096) dates.clear();
      dates.set(key, text);
    }
    return text;
  };

  const cellText = (): string => {
    switch (type) {
      case 's': return x.strings.get(Number(value));
      case 'inlineStr': return decodeOoxmlEscapes(inline);
      case 'str': return decodeOoxmlEscapes(value);
      case 'b': return value.trim() === '1' || value.trim().toLowerCase() === 'true' ? 'TRUE' : value.trim() === '' ? '' : 'FALSE';
      case 'e': return value;
      case 'd': return normalizeIsoCell(value);
      default: {
        if (value.trim() === '') return '';
        const kind = x.styles[style] ?? null;
        const n = Number(value);
        if (kind && Number.isFinite(n) && n >= 0) return dateText(value, n, kind);
        return formatExcelNumber(value);
      }
    }
  };

  return xmlPart(x.zip, x.sheet.path, (scanner) => ({
    open: (tag: XmlTag) => {
      switch (tag.name) {
        case 'row': {
          const r = Number(tag.attr('r'));
          rowNum = Number.isInteger(r) && r > rowNum ? r : rowNum + 1;
          cells = [];
          col = -1;
          break;
        }
        case 'c': {
          const ref = tag.attr('r');
          const idx = ref ? columnIndex(ref) : -1;
          col = idx >= 0 && idx > col ? idx : col + 1;
          type = tag.attr('t') ?? 'n';
          style = Number(tag.attr('s') ?? 0) || 0;
          value = '';
          inline = '';
          break;
        }
        case 'v': capture = 'v'; scanner.captureText = true; break;
        case 'is': inIs = true; break;
        case 'rPh': phonetic++; break;
        case 't': if (inIs && !phonetic) { capture = 't'; scanner.captureText = true; } break;
      }
    },
    text: (t: string) => {
      if (capture === 'v') value += t;
      else if (capture === 't') inline += t;
    },
    close: (name: string) => {
      switch (name) {
        case 'v': case 't': capture = null; scanner.captureText = false; break;
        case 'is': inIs = false; break;
        case 'rPh': phonetic--; break;
        case 'c': {
          const text = cellText();
          if (text !== '') {
            if (col >= limits.maxColumns) throw new ImportFileError('too_many_columns', `Row ${rowNum} has a value in column ${col + 1}; at most ${limits.maxColumns} columns can be imported.`, rowNum);
            if (text.length > limits.maxCellChars) throw new ImportFileError('cell_too_long', `Row ${rowNum}, column ${col + 1} has ${text.length} characters; the limit is ${limits.maxCellChars}.`, rowNum);
            while (cells.length < col) cells.push('');
            cells[col] = text;
          }
          break;
        }
        case 'row': {
          if (cells.length && !isBlank(cells)) ready.push({ line: rowNum, cells });
          cells = [];
          break;
        }
      }
    },
  }), () => (ready.length ? ready.splice(0, ready.length) : null));
}

/**
 * Counts non-blank rows without converting cells: only a cell's type is read (a shared string may
 * be blank), and the header is the first non-blank row, so data rows = non-blank rows − 1.
 */
async function countXlsxRows(filePath: string, info: SourceInfo, limits: ReadLimits): Promise<number> {
  const x = await openWorkbook(filePath, info.sheet, limits);
  try {
    let rows = 0;
    let nonBlank = false;
    let type = 'n';
    let text = '';
    let inIs = false;
    let phonetic = 0;
    const gen = xmlPart(x.zip, x.sheet.path, (scanner) => ({
      open: (tag: XmlTag) => {
        switch (tag.name) {
          case 'row': nonBlank = false; break;
          case 'c': type = tag.attr('t') ?? 'n'; break;
          case 'v': text = ''; scanner.captureText = true; break;
          case 'is': inIs = true; break;
          case 'rPh': phonetic++; break;
          case 't': if (inIs && !phonetic) { text = ''; scanner.captureText = true; } break;
        }
      },
      text: (t: string) => { text += t; },
      close: (name: string) => {
        switch (name) {
          case 'v':
            scanner.captureText = false;
            if (!nonBlank) nonBlank = (type === 's' ? x.strings.get(Number(text)) : type === 'inlineStr' ? '' : text).trim() !== '';
            break;
          case 't':
            scanner.captureText = false;
            if (!nonBlank && inIs) nonBlank = text.trim() !== '';
            break;
          case 'is': inIs = false; break;
          case 'rPh': phonetic--; break;
          case 'row': if (nonBlank) rows++; break;
        }
      },
    }), () => null);
    for await (const _ of gen) { /* events only */ }
    return Math.max(0, rows - 1);
  } finally {
    x.zip.file.close();
  }
}

async function inspectXlsx(filePath: string, opts: SourceOptions, limits: ReadLimits): Promise<SourceInfo> {
  const x = await openWorkbook(filePath, opts.sheet, limits);
  try {
    let header: SourceRow | null = null;
    const sample: string[][] = [];
    for await (const row of sheetRows(x, limits)) {
      if (!header) { header = row; continue; }
      sample.push(row.cells);
      if (sample.length >= SAMPLE_ROWS) break;
    }
    if (!header) throw new ImportFileError('empty_file', `The sheet "${x.sheet.name}" is empty.`);
    if (!sample.length) throw new ImportFileError('header_only', `The sheet "${x.sheet.name}" has a header row but no data rows.`);
    const headers = header.cells.map((h) => h.trim());
    // Trailing empty cells are simply not stored in XLSX: pad the sample rows to the header.
    for (const row of sample) while (row.length < headers.length) row.push('');
    return {
      format: 'xlsx', encoding: null, delimiter: null,
      sheets: x.workbook.sheets.map((s) => s.name), sheet: x.sheet.name,
      headers, headerKeys: headerKeysOf(headers), sample,
      detected: { encoding: false, delimiter: false },
      headerLine: header.line,
    };
  } finally {
    x.zip.file.close();
  }
}

async function* xlsxDataRows(filePath: string, info: SourceInfo, limits: ReadLimits): AsyncGenerator<SourceRow> {
  const x = await openWorkbook(filePath, info.sheet, limits);
  const width = info.headers.length;
  let headerLine = headerLineOf(info);
  try {
    for await (const row of sheetRows(x, limits)) {
      if (headerLine === null) { headerLine = row.line; continue; }
      if (row.line <= headerLine) continue;
      while (row.cells.length < width) row.cells.push('');
      yield row;
    }
  } finally {
    x.zip.file.close();
  }
}
