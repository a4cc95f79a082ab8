/**
 * The spreadsheet reading layer: CSV dialects and encodings, XLSX sheets and cell types, zip bombs,
 * bad files, streaming with bounded memory. Fixtures are generated into a temp dir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import iconv from 'iconv-lite';
import {
  countRows, DEFAULT_READ_LIMITS, headerKeysOf, ImportFileError, inspect, readRows, sniffDelimiter,
  type ReadLimits, type SourceInfo, type SourceOptions, type SourceRow,
} from '../src/modules/imports/imports.read.js';
import { writeCsv, writeXlsx } from '../src/modules/imports/imports.write.js';
import { XmlScanner, XmlSyntaxError } from '../src/modules/imports/imports.xml.js';
import { collectGarbage } from '../src/lib/memory.js';

let dir: string;
let n = 0;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'custodian-imports-read-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const limits: ReadLimits = { ...DEFAULT_READ_LIMITS, maxFileBytes: 64 * 1024 * 1024, maxInflatedBytes: 64 * 1024 * 1024 };

function file(content: string | Buffer, ext = 'csv'): string {
  const p = join(dir, `f${++n}.${ext}`);
  writeFileSync(p, content);
  return p;
}

async function all(path: string, info: SourceInfo, l = limits): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const r of readRows(path, info, l)) rows.push(r);
  return rows;
}

async function read(content: string | Buffer, opts: SourceOptions = {}, ext = 'csv') {
  const path = file(content, ext);
  const info = await inspect(path, opts, limits);
  return { path, info, rows: await all(path, info), count: await countRows(path, info, limits) };
}

async function fileError(p: Promise<unknown>): Promise<ImportFileError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ImportFileError);
    return err as ImportFileError;
  }
  throw new Error('expected an ImportFileError');
}

// -------------------------------------------------------------------------------------------
// A tiny zip writer for crafted workbooks: real deflate, any declared sizes.

interface ZipEntry { name: string; data: Buffer | string; declaredSize?: number }

function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
    const compressed = deflateRawSync(data);
    const name = Buffer.from(e.name, 'utf8');
    const size = e.declaredSize ?? data.length;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(0x0800, 6); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(compressed.length, 18); local.writeUInt32LE(size, 22); local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(0x0800, 8); central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(compressed.length, 20); central.writeUInt32LE(size, 24); central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A workbook as Excel writes one: shared strings, styles, several sheets. */
function workbook(sheets: { name: string; xml: string; hidden?: boolean }[], opts: { sst?: string[]; styles?: string; date1904?: boolean; extra?: ZipEntry[] } = {}): Buffer {
  const rels = sheets.map((_s, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')
    + `<Relationship Id="rIdS" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rIdT" Type="${REL}/styles" Target="/xl/styles.xml"/>`;
  return zip([
    { name: '[Content_Types].xml', data: '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>' },
    { name: '_rels/.rels', data: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>` },
    { name: 'xl/workbook.xml', data: `<?xml version="1.0"?><workbook ${NS}>${opts.date1904 ? '<workbookPr date1904="1"/>' : ''}<sheets>${sheets.map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}"${s.hidden ? ' state="hidden"' : ''} r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>` },
    { name: 'xl/_rels/workbook.xml.rels', data: `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}</Relationships>` },
    { name: 'xl/sharedStrings.xml', data: `<?xml version="1.0"?><sst ${NS}>${(opts.sst ?? []).map((s) => (s.startsWith('<') ? `<si>${s}</si>` : `<si><t xml:space="preserve">${s}</t></si>`)).join('')}</sst>` },
    { name: 'xl/styles.xml', data: opts.styles ?? `<?xml version="1.0"?><styleSheet ${NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\\ hh:mm"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="4"/></cellXfs></styleSheet>` },
    ...sheets.map((s, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: `<?xml version="1.0"?><worksheet ${NS}><sheetData>${s.xml}</sheetData></worksheet>` })),
    ...(opts.extra ?? []),
  ]);
}

// -------------------------------------------------------------------------------------------

describe('CSV dialects', () => {
  it.each([[',', 'comma'], [';', 'semicolon'], ['\t', 'tab'], ['|', 'pipe']] as const)('detects the %j delimiter (%s), quotes respected', async (d, _name) => {
    // The quoted first field holds every other delimiter, so a naive count would be fooled.
    const csv = `Asset Tag${d}Name${d}Cost\r\n"A,1;|\t"${d}Laptop${d}10\r\nA2${d}"x${d}y"${d}20\r\n`;
    const { info, rows } = await read(csv);
    expect(info).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: d, headers: ['Asset Tag', 'Name', 'Cost'], detected: { encoding: true, delimiter: true }, headerLine: 1 });
    expect(rows).toEqual([{ line: 2, cells: ['A,1;|\t', 'Laptop', '10'] }, { line: 3, cells: ['A2', `x${d}y`, '20'] }]);
  });

  it('uses a chosen delimiter over detection', async () => {
    const { info, rows } = await read('a;b,c\n1;2,3\n', { delimiter: ';' });
    expect(info.delimiter).toBe(';');
    expect(info.detected.delimiter).toBe(false);
    expect(rows[0]!.cells).toEqual(['1', '2,3']);
  });

  it('reads quoted fields with line breaks and doubled quotes; line numbers count rows, not text lines', async () => {
    const csv = 'Tag,Notes\n"A1","first line\nsecond ""quoted"" line"\nA2,"x\r\ny"\nA3,plain\n';
    const { rows, count } = await read(csv);
    expect(rows).toEqual([
      { line: 2, cells: ['A1', 'first line\nsecond "quoted" line'] },
      { line: 3, cells: ['A2', 'x\r\ny'] },
      { line: 4, cells: ['A3', 'plain'] },
    ]);
    expect(count).toBe(3);
  });

  it.each([['CRLF', '\r\n'], ['LF', '\n'], ['CR (old Mac)', '\r']])('reads %s line endings', async (_name, eol) => {
    const { info, rows, count } = await read(['Tag,Serial', 'A1,S1', '', 'A2,S2', ''].join(eol));
    expect(info.headers).toEqual(['Tag', 'Serial']);
    // The blank row 3 is skipped but still counted in the row numbers.
    expect(rows).toEqual([{ line: 2, cells: ['A1', 'S1'] }, { line: 4, cells: ['A2', 'S2'] }]);
    expect(count).toBe(2);
  });

  it('reads mixed line endings in one file', async () => {
    const { rows } = await read('Tag\r\nA1\nA2\rA3\r\n');
    expect(rows.map((r) => r.cells[0])).toEqual(['A1', 'A2', 'A3']);
  });

  it('skips fully blank rows (also ,,,) and blank rows before the header', async () => {
    const { info, rows, count } = await read('\n,,\nTag,Name,Cost\n,,\nA1,,\n  ,\t,\n"",,""\nA2,x,1\n');
    expect(info.headerLine).toBe(3);
    expect(info.sample).toEqual([['A1', '', ''], ['A2', 'x', '1']]);
    expect(rows).toEqual([{ line: 5, cells: ['A1', '', ''] }, { line: 8, cells: ['A2', 'x', '1'] }]);
    expect(count).toBe(2);
  });

  it('a stored SourceInfo without headerLine still skips the header (first non-blank row)', async () => {
    const { path, info } = await read('\nTag,Name\nA1,x\n\nA2,y\n');
    const legacy = { ...info, headerLine: undefined } as unknown as SourceInfo;
    expect((await all(path, legacy)).map((r) => r.line)).toEqual([3, 5]);
    expect(await countRows(path, legacy, limits)).toBe(2);
    const book = file(workbook([{ name: 'S', xml: '<row r="2"><c r="A2" t="inlineStr"><is><t>Tag</t></is></c></row><row r="4"><c r="A4"><v>7</v></c></row>' }]), 'xlsx');
    const xinfo = { ...(await inspect(book, {}, limits)), headerLine: undefined } as unknown as SourceInfo;
    expect(await all(book, xinfo)).toEqual([{ line: 4, cells: ['7'] }]);
  });

  it('yields ragged rows as they are', async () => {
    const { rows } = await read('a,b,c\n1,2\n1,2,3,4\n1,2,3\n');
    expect(rows.map((r) => r.cells)).toEqual([['1', '2'], ['1', '2', '3', '4'], ['1', '2', '3']]);
  });

  it('keeps cells raw: spaces, quotes inside unquoted fields, formulas', async () => {
    const { rows } = await read('a,b,c\n  padded ,5" floppy,=1+1\n');
    expect(rows[0]!.cells).toEqual(['  padded ', '5" floppy', '=1+1']);
  });

  it('samples at most 20 data rows', async () => {
    const lines = ['Tag', ...Array.from({ length: 50 }, (_v, i) => `A${i}`)];
    const { info, count } = await read(lines.join('\n'));
    expect(info.sample).toHaveLength(20);
    expect(info.sample[19]).toEqual(['A19']);
    expect(count).toBe(50);
  });

  it('a one-column file gets the comma delimiter', async () => {
    const { info, rows } = await read('Serial\nS1\nS2\n');
    expect(info.delimiter).toBe(',');
    expect(rows.map((r) => r.cells)).toEqual([['S1'], ['S2']]);
  });

  it('sniffDelimiter prefers the delimiter that splits consistently', () => {
    expect(sniffDelimiter('a;b;c\n1,5;2,5;3\n4;5;6\n', true)).toBe(';');
    expect(sniffDelimiter('name,notes\n"Smith; John","a|b"\n', true)).toBe(',');
    expect(sniffDelimiter('a|b\n1|2\n', true)).toBe('|');
  });

  it('reports an unclosed quote with its row', async () => {
    const early = await fileError(inspect(file('Tag,Notes\nA1,ok\nA2,"never closed\nA3,x\n'), {}, limits));
    expect(early).toMatchObject({ code: 'malformed_csv', line: 3, detail: expect.stringMatching(/row 3/) });
    // Past the sample, the error surfaces while reading the rows.
    const good = Array.from({ length: 25 }, (_v, i) => `A${i},ok`).join('\n');
    const path = file(`Tag,Notes\n${good}\nB1,"never closed\nB2,x\n`);
    const info = await inspect(path, {}, limits);
    const err = await fileError(all(path, info));
    expect(err).toMatchObject({ code: 'malformed_csv', line: 27 });
  });
});

describe('CSV encodings', () => {
  const text = 'Name,City,Price\nMüller,Köln,€ 12\nŁukasz,Kraków,"10,5"\n';

  it('reads UTF-8 with a BOM (the BOM does not reach the first header)', async () => {
    const { info, rows } = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    expect(info.encoding).toBe('utf-8');
    expect(info.headers[0]).toBe('Name');
    expect(rows[0]!.cells).toEqual(['Müller', 'Köln', '€ 12']);
  });

  it('reads UTF-8 without a BOM', async () => {
    const { info, rows } = await read(Buffer.from(text));
    expect(info.encoding).toBe('utf-8');
    expect(rows[1]!.cells).toEqual(['Łukasz', 'Kraków', '10,5']);
  });

  it.each([['utf-16le', [0xff, 0xfe]], ['utf-16be', [0xfe, 0xff]]] as const)('reads %s with a BOM', async (enc, bom) => {
    const body = iconv.encode(text, enc);
    const { info, rows, count } = await read(Buffer.concat([Buffer.from(bom), body]));
    expect(info.encoding).toBe(enc);
    expect(info.detected.encoding).toBe(true);
    expect(info.headers).toEqual(['Name', 'City', 'Price']);
    expect(rows.map((r) => r.cells)).toEqual([['Müller', 'Köln', '€ 12'], ['Łukasz', 'Kraków', '10,5']]);
    expect(count).toBe(2);
  });

  it('reads UTF-16LE without a BOM (Latin text has a zero in every other byte)', async () => {
    const { info, rows } = await read(iconv.encode('Tag;Name\nA1;Müller\n', 'utf-16le'));
    expect(info).toMatchObject({ encoding: 'utf-16le', delimiter: ';' });
    expect(rows[0]!.cells).toEqual(['A1', 'Müller']);
  });

  it('detects Windows-1252 from invalid UTF-8 (Müller, € as 0x80)', async () => {
    const bytes = Buffer.from([...Buffer.from('Name;Price\n'), 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x3b, 0x80, 0x20, 0x35, 0x0a]);
    const { info, rows } = await read(bytes);
    expect(info).toMatchObject({ encoding: 'windows-1252', delimiter: ';', detected: { encoding: true } });
    expect(rows[0]!.cells).toEqual(['Müller', '€ 5']);
  });

  it('detects Windows-1252 even when the first invalid byte is far into the file', async () => {
    const head = `Tag,Name\n${Array.from({ length: 5000 }, (_v, i) => `A${i},plain ascii`).join('\n')}\n`;
    const { info, rows } = await read(Buffer.concat([Buffer.from(head), iconv.encode('Z1,Müller\n', 'windows-1252')]));
    expect(info.encoding).toBe('windows-1252');
    expect(rows.at(-1)!.cells).toEqual(['Z1', 'Müller']);
  });

  it('uses a chosen encoding, and refuses a chosen UTF-8 the bytes contradict', async () => {
    const bytes = iconv.encode('Name\nMüller\n', 'windows-1252');
    const chosen = await read(bytes, { encoding: 'windows-1252' });
    expect(chosen.info).toMatchObject({ encoding: 'windows-1252', detected: { encoding: false } });
    expect(chosen.rows[0]!.cells).toEqual(['Müller']);
    const err = await fileError(inspect(file(bytes), { encoding: 'utf-8' }, limits));
    expect(err.code).toBe('bad_encoding');
    expect(err.line).toBe(2);
    expect(err.detail).toMatch(/not valid UTF-8 \(line 2/);
  });
});

describe('headers', () => {
  it('trims headers and makes unique keys for duplicates and empty ones', async () => {
    const { info } = await read(' Serial ,Name,,serial,Serial,Serial (2)\n1,2,3,4,5,6\n');
    expect(info.headers).toEqual(['Serial', 'Name', '', 'serial', 'Serial', 'Serial (2)']);
    expect(info.headerKeys).toEqual(['Serial', 'Name', 'Column 3', 'serial (3)', 'Serial (4)', 'Serial (2)']);
    expect(new Set(info.headerKeys.map((k) => k.toLowerCase())).size).toBe(6);
  });

  it('headerKeysOf numbers duplicates in order', () => {
    expect(headerKeysOf(['Serial', 'Serial', 'Serial', ''])).toEqual(['Serial', 'Serial (2)', 'Serial (3)', 'Column 4']);
  });
});

describe('bad files', () => {
  it('empty file', async () => {
    expect((await fileError(inspect(file(''), {}, limits))).code).toBe('empty_file');
    expect((await fileError(inspect(file('\n\r\n  \n'), {}, limits))).code).toBe('empty_file');
    expect((await fileError(inspect(file(Buffer.from([0xef, 0xbb, 0xbf])), {}, limits))).code).toBe('empty_file');
  });

  it('header only', async () => {
    const err = await fileError(inspect(file('Asset Tag,Serial\r\n\r\n,\r\n'), {}, limits));
    expect(err.code).toBe('header_only');
  });

  it('binary renamed .csv', async () => {
    const bin = Buffer.alloc(4096);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) % 256;
    expect((await fileError(inspect(file(bin), {}, limits))).code).toBe('not_a_spreadsheet');
    // Control characters without NULs.
    const ctl = Buffer.from(Array.from({ length: 2000 }, (_v, i) => (i % 3 === 0 ? 0x01 + (i % 8) : 0x41)));
    expect((await fileError(inspect(file(ctl), {}, limits))).code).toBe('not_a_spreadsheet');
    // Known binary formats get named.
    const png = await fileError(inspect(file(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])), {}, limits));
    expect(png).toMatchObject({ code: 'not_a_spreadsheet', detail: expect.stringMatching(/PNG image/) });
    const xls = await fileError(inspect(file(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])), {}, limits));
    expect(xls.detail).toMatch(/\.xls/);
  });

  it('over the size limit', async () => {
    const err = await fileError(inspect(file('Tag\nA1\nA2\n'), {}, { ...limits, maxFileBytes: 5 }));
    expect(err.code).toBe('too_large');
  });

  it('too many columns, too long cells', async () => {
    const path = file(`${Array.from({ length: 12 }, (_v, i) => `h${i}`).join(',')}\n1\n`);
    expect((await fileError(inspect(path, {}, { ...limits, maxColumns: 10 }))).code).toBe('too_many_columns');
    const long = file(`a,b\n1,${'x'.repeat(200)}\n`);
    const err = await fileError(inspect(long, {}, { ...limits, maxCellChars: 100 }));
    expect(err).toMatchObject({ code: 'cell_too_long', line: 2 });
    // Long cells that fit the limit, many of them in one row, are fine.
    const wide = await read(`a,b,c,d\n${Array.from({ length: 4 }, () => 'y'.repeat(20_000)).join(',')}\n`);
    expect(wide.rows[0]!.cells.map((c) => c.length)).toEqual([20_000, 20_000, 20_000, 20_000]);
    // A quote never closed stops at the longest possible row instead of filling memory.
    const runaway = file(`a,b\n1,"${'z'.repeat(5000)}`);
    const small = { ...limits, maxCellChars: 100, maxColumns: 10 };
    expect(await fileError(inspect(runaway, {}, small))).toMatchObject({ code: 'row_too_long', line: 2 });
  });

  it('a zip that is not a workbook, and a chosen format the bytes contradict', async () => {
    const notXlsx = file(zip([{ name: 'readme.txt', data: 'hello' }]), 'xlsx');
    expect((await fileError(inspect(notXlsx, {}, limits))).code).toBe('not_a_spreadsheet');
    const csv = file('a\n1\n');
    expect((await fileError(inspect(csv, { format: 'xlsx' }, limits))).code).toBe('format_mismatch');
    const broken = file(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 1)]), 'xlsx');
    expect((await fileError(inspect(broken, {}, limits))).code).toBe('not_a_spreadsheet');
  });
});

describe('XLSX', () => {
  // Excel-style: shared strings, a date style (14), a custom date-time style, booleans, formulas, errors, inline strings.
  const sst = ['Asset Tag', 'Purchase Date', 'Cost', 'In use', 'Notes', 'LAP-1', 'Müller &amp; Söhne', '<r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r><rPh><t>ignored</t></rPh>', 'line_x000D_break'];
  const main = [
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="inlineStr"><is><t>When</t></is></c></row>',
    '<row r="2"><c r="A2" t="s"><v>5</v></c><c r="B2" s="1"><v>45292</v></c><c r="C2" s="3"><v>1234.5</v></c><c r="D2" t="b"><v>1</v></c><c r="E2" t="s"><v>6</v></c><c r="F2" s="2"><v>45292.5</v></c></row>',
    '<row r="3"><c r="A3" t="inlineStr"><is><t>LAP-2</t></is></c><c r="B3" t="str"><f>TEXT(1,"0")</f><v>2024-02-29</v></c><c r="C3"><f>0.1+0.2</f><v>0.30000000000000004</v></c><c r="D3" t="b"><v>0</v></c><c r="E3" t="s"><v>7</v></c></row>',
    '<row r="5" spans="1:6"><c r="A5"><v>12345678901</v></c><c r="C5" t="e"><v>#N/A</v></c><c r="E5" t="s"><v>8</v></c><c r="F5" t="d"><v>2024-03-01T00:00:00</v></c></row>',
    '<row r="6"><c r="A6" s="1"/><c r="B6" t="s"><v>9999</v></c></row>',
    '<row r="7"><c r="B7" t="inlineStr"><is><t>   </t></is></c></row>',
    '<row r="8"><c r="A8"><v>-1.5E-3</v></c><c r="H8" t="inlineStr"><is><t>beyond</t></is></c></row>',
  ].join('');
  const second = '<row r="1"><c r="A1" t="inlineStr"><is><t>Serial</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>SN-9</t></is></c></row>';

  it('reads the first visible sheet: shared and inline strings, dates, numbers, booleans, formulas', async () => {
    const book = workbook([{ name: 'Hidden', xml: second, hidden: true }, { name: 'Assets', xml: main }, { name: 'Other', xml: second }], { sst });
    const { info, rows, count } = await read(book, {}, 'xlsx');
    expect(info).toMatchObject({
      format: 'xlsx', encoding: null, delimiter: null, sheets: ['Hidden', 'Assets', 'Other'], sheet: 'Assets', headerLine: 1,
      headers: ['Asset Tag', 'Purchase Date', 'Cost', 'In use', 'Notes', 'When'],
    });
    expect(rows).toEqual([
      { line: 2, cells: ['LAP-1', '2024-01-01', '1234.5', 'TRUE', 'Müller & Söhne', '2024-01-01T12:00:00'] },
      { line: 3, cells: ['LAP-2', '2024-02-29', '0.3', 'FALSE', 'rich text', ''] },
      // Row 4 is missing, row 6 has only an empty styled cell and an out-of-range string index, row 7 only spaces.
      { line: 5, cells: ['12345678901', '', '#N/A', '', 'line\rbreak', '2024-03-01'] },
      // A value beyond the header comes through (the engine reports the ragged row).
      { line: 8, cells: ['-0.0015', '', '', '', '', '', '', 'beyond'] },
    ]);
    expect(count).toBe(4);
    expect(info.sample).toEqual(rows.map((r) => r.cells));
  });

  it('reads a chosen sheet (exact or case-insensitive name) and refuses an unknown one', async () => {
    const path = file(workbook([{ name: 'Assets', xml: main }, { name: 'Other', xml: second }], { sst }), 'xlsx');
    const info = await inspect(path, { sheet: 'other' }, limits);
    expect(info).toMatchObject({ sheet: 'Other', headers: ['Serial'] });
    expect(await all(path, info)).toEqual([{ line: 2, cells: ['SN-9'] }]);
    const err = await fileError(inspect(path, { sheet: 'Nope' }, limits));
    expect(err.code).toBe('unknown_sheet');
    expect(err.detail).toContain('"Assets", "Other"');
  });

  it('honours the 1904 date system and custom date formats', async () => {
    const styles = `<styleSheet ${NS}><numFmts><numFmt numFmtId="170" formatCode="[$-409]d\\-mmm\\-yy;@"/><numFmt numFmtId="171" formatCode="#,##0.00 &quot;kr&quot;"/><numFmt numFmtId="172" formatCode="[h]:mm"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="170"/><xf numFmtId="171"/><xf numFmtId="172"/></cellXfs></styleSheet>`;
    const xml = '<row r="1"><c r="A1" t="inlineStr"><is><t>d</t></is></c><c r="B1" t="inlineStr"><is><t>n</t></is></c><c r="C1" t="inlineStr"><is><t>t</t></is></c></row>'
      + '<row r="2"><c r="A2" s="1"><v>43830</v></c><c r="B2" s="2"><v>1500</v></c><c r="C2" s="3"><v>0.75</v></c></row>';
    const { rows } = await read(workbook([{ name: 'S', xml }], { styles, date1904: true }), {}, 'xlsx');
    // 43830 in the 1904 system = 2024-01-01.
    expect(rows[0]!.cells).toEqual(['2024-01-01', '1500', '18:00:00']);
  });

  it('handles namespace prefixes and absent cell references', async () => {
    const xml = '<x:row><x:c t="inlineStr"><x:is><x:t>A</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>B</x:t></x:is></x:c></x:row><x:row><x:c><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row>';
    const book = zip([
      { name: '_rels/.rels', data: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r" Type="${REL}/officeDocument" Target="/xl/workbook.xml"/></Relationships>` },
      { name: 'xl/workbook.xml', data: `<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${REL}"><x:sheets><x:sheet name="P" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>` },
      { name: 'xl/_rels/workbook.xml.rels', data: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/s.xml"/></Relationships>` },
      { name: 'xl/worksheets/s.xml', data: `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>${xml}</x:sheetData></x:worksheet>` },
    ]);
    const { info, rows } = await read(book, {}, 'xlsx');
    expect(info.headers).toEqual(['A', 'B']);
    expect(rows).toEqual([{ line: 2, cells: ['1', '2'] }]);
  });

  it('empty sheet and header-only sheet', async () => {
    const empty = file(workbook([{ name: 'S', xml: '' }]), 'xlsx');
    expect((await fileError(inspect(empty, {}, limits))).code).toBe('empty_file');
    const headerOnly = file(workbook([{ name: 'S', xml: '<row r="1"><c r="A1" t="inlineStr"><is><t>Tag</t></is></c></row><row r="2"><c r="A2" s="1"/></row>' }]), 'xlsx');
    expect((await fileError(inspect(headerOnly, {}, limits))).code).toBe('header_only');
  });

  it('refuses a bomb by its declared sizes, before inflating anything', async () => {
    // One real byte of payload, declared as 3 GB uncompressed.
    const book = workbook([{ name: 'S', xml: second }], { extra: [{ name: 'xl/media/huge.bin', data: 'x', declaredSize: 3_000_000_000 }] });
    const err = await fileError(inspect(file(book, 'xlsx'), {}, limits));
    expect(err.code).toBe('xlsx_bomb');
    expect(err.detail).toMatch(/would unpack to 2861 MiB; the limit is 64 MiB/);
  });

  it('refuses a bomb that really inflates more than it declares', async () => {
    // 50 MB of repeated rows deflate to ~100 KB; the entry claims 2 KB.
    const rowsXml = '<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>'.repeat(500_000);
    const sheetXml = `<worksheet ${NS}><sheetData>${rowsXml}</sheetData></worksheet>`;
    const book = zip([
      { name: '_rels/.rels', data: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>` },
      { name: 'xl/workbook.xml', data: `<workbook ${NS}><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>` },
      { name: 'xl/_rels/workbook.xml.rels', data: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>` },
      { name: 'xl/worksheets/sheet1.xml', data: sheetXml, declaredSize: 2048 },
    ]);
    const before = process.memoryUsage().heapUsed;
    const err = await fileError(inspect(file(book, 'xlsx'), {}, limits));
    expect(err.code).toBe('xlsx_bomb');
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(40 * 1024 * 1024);
    // And with honest sizes over the limit, the declared check catches it.
    const honest = zip([{ name: 'xl/worksheets/sheet1.xml', data: sheetXml }]);
    expect((await fileError(inspect(file(honest, 'xlsx'), {}, { ...limits, maxInflatedBytes: 10 * 1024 * 1024 }))).code).toBe('xlsx_bomb');
  });

  it('reads back a workbook written by writeXlsx', async () => {
    const path = join(dir, 'written.xlsx');
    await writeXlsx(createWriteStream(path), 'Assets', ['Tag', 'Cost', 'Bought', 'At', 'Notes'], [
      ['A1', 1234.56, '2024-01-01', '2024-05-06T07:08:09.000Z', '=cmd|calc'],
      ['A2', null, 'not a date', null, 'tab\there & <there>\r\nCRLF'],
      ['A3', -0.5, '1900-01-01', null, 'ctl\u0001_x0041_'],
    ], { dateColumns: [2, 3] });
    const info = await inspect(path, {}, limits);
    expect(info).toMatchObject({ format: 'xlsx', sheets: ['Assets'], headers: ['Tag', 'Cost', 'Bought', 'At', 'Notes'] });
    expect((await all(path, info)).map((r) => r.cells)).toEqual([
      ['A1', '1234.56', '2024-01-01', '2024-05-06T07:08:09', "'=cmd|calc"],
      ['A2', '', 'not a date', '', 'tab\there & <there>\r\nCRLF'],
      ['A3', '-0.5', '1900-01-01', '', 'ctl\u0001_x0041_'],
    ]);
  });
});

describe('XML scanner', () => {
  function scan(chunks: string[]): string[] {
    const events: string[] = [];
    const scanner = new XmlScanner({
      open: (tag) => { events.push(`<${tag.name}${tag.name === 'c' ? ` r=${tag.attr('r')} t=${tag.attr('t')} id=${tag.attr('id')}` : ''}${tag.selfClosing ? '/' : ''}>`); scanner.captureText = tag.name === 't' || tag.name === 'v'; },
      close: (name) => { events.push(`</${name}>`); scanner.captureText = false; },
      text: (t) => events.push(JSON.stringify(t)),
    });
    for (const c of chunks) scanner.write(c);
    scanner.close();
    return events;
  }

  it('reads tags, attributes and text split anywhere across chunks', () => {
    const xml = `<?xml version="1.0"?><!-- a comment with <tags> --><x:ws xmlns:x="ns"><x:c r='B2' t="a&gt;b" r:id="R7"><x:t>A &amp; B &lt;&#233;&#x20AC;&gt;
next</x:t><v><![CDATA[<raw & text>]]></v></x:c><c r="C3" attr="has > inside"/></x:ws>`;
    const expected = [
      '<ws>', '<c r=B2 t=a>b id=R7>', '<t>', '"A & B <é€>\\nnext"', '</t>', '<v>', '"<raw & text>"', '</v>', '</c>',
      '<c r=C3 t=undefined id=undefined/>', '</c>', '</ws>',
    ];
    expect(scan([xml])).toEqual(expected);
    for (const size of [1, 2, 3, 7, 13]) {
      const chunks: string[] = [];
      for (let i = 0; i < xml.length; i += size) chunks.push(xml.slice(i, i + size));
      // Text may arrive in pieces when it spans chunks; joined it is the same.
      const events = scan(chunks).join('').replace(/""/g, '');
      expect(events.replace(/"(.*?)"/gs, (_m, t: string) => t)).toBe(expected.join('').replace(/"(.*?)"/gs, (_m, t: string) => t));
    }
  });

  it('refuses a DOCTYPE (no entity expansion) and a document cut short', () => {
    expect(() => scan(['<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'])).toThrow(XmlSyntaxError);
    expect(() => scan(['<ws><c r="A1"><v>1</v></c>'])).toThrow(/ends too early/);
    expect(() => scan(['<ws/><more/>'])).toThrow(/after the root/);
  });

  it('a damaged worksheet is not_a_spreadsheet, not a crash', async () => {
    const book = workbook([{ name: 'S', xml: '<row r="1"><c r="A1" t="inlineStr"><is><t>Tag</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>' }]);
    // Cut the sheet's XML short by rewriting the part.
    const cut = zip([
      { name: '_rels/.rels', data: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>` },
      { name: 'xl/workbook.xml', data: `<workbook ${NS}><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>` },
      { name: 'xl/_rels/workbook.xml.rels', data: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>` },
      { name: 'xl/worksheets/sheet1.xml', data: `<worksheet ${NS}><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Tag</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row><row r="3"><c r="A3"><v>2` },
    ]);
    expect((await read(book, {}, 'xlsx')).count).toBe(1);
    const err = await fileError(inspect(file(cut, 'xlsx'), {}, limits));
    expect(err).toMatchObject({ code: 'not_a_spreadsheet', detail: expect.stringMatching(/damaged.*ends too early/) });
  });
});

/**
 * The heap still in use after a full collection: what a reader keeps, whatever garbage it has made
 * that V8 has not collected yet (that depends on when V8 collects, and made these tests flaky).
 */
function liveHeap(): number {
  expect(collectGarbage()).toBe(true);
  return process.memoryUsage().heapUsed;
}

describe('streaming', () => {
  it('reads and counts a 200,000-row CSV with bounded memory', async () => {
    const path = join(dir, 'big.csv');
    const out = createWriteStream(path);
    const ROWS = 200_000;
    await writeCsv(out, ['Asset Tag', 'Serial', 'Model', 'Location', 'Purchase Date', 'Cost', 'Notes'], (function* () {
      for (let i = 1; i <= ROWS; i++) yield [`LAP-${i}`, `SN${i * 7}`, 'Latitude 5440', 'HQ / Floor 2', '2024-01-02', 1234.56, i % 100 === 0 ? 'two\nlines, "quoted"' : 'plain'];
    })());
    const info = await inspect(path, {}, limits);
    expect(info.headers[0]).toBe('Asset Tag');
    const before = liveHeap();
    let peak = 0;
    let rows = 0;
    let last: SourceRow | null = null;
    for await (const row of readRows(path, info, limits)) {
      rows++;
      last = row;
      if (rows % 50_000 === 0) peak = Math.max(peak, liveHeap() - before);
    }
    expect(rows).toBe(ROWS);
    expect(last).toEqual({ line: ROWS + 1, cells: [`LAP-${ROWS}`, `SN${ROWS * 7}`, 'Latitude 5440', 'HQ / Floor 2', '2024-01-02', '1234.56', 'two\nlines, "quoted"'] });
    // A reader that kept its rows would hold ~87 MB by the end.
    expect(peak).toBeLessThan(16 * 1024 * 1024);
    expect(await countRows(path, info, limits)).toBe(ROWS);
  });

  it('reads a 100,000-row XLSX with bounded memory', async () => {
    const path = join(dir, 'big.xlsx');
    const ROWS = 100_000;
    await writeXlsx(createWriteStream(path), 'Big', ['Tag', 'Cost', 'Date'], (function* () {
      for (let i = 1; i <= ROWS; i++) yield [`LAP-${i}`, i / 4, '2024-01-02'];
    })(), { dateColumns: [2] });
    const info = await inspect(path, {}, limits);
    const before = liveHeap();
    let peak = 0;
    let rows = 0;
    for await (const row of readRows(path, info, limits)) {
      rows++;
      if (rows === ROWS) expect(row.cells).toEqual([`LAP-${ROWS}`, String(ROWS / 4), '2024-01-02']);
      if (rows % 25_000 === 0) peak = Math.max(peak, liveHeap() - before);
    }
    expect(rows).toBe(ROWS);
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  });
});
