/**
 * Writing exports: CSV (UTF-8 with BOM, CRLF, csv-stringify) and XLSX (a minimal, valid workbook
 * streamed row by row into a zip: inline strings, so nothing is buffered per file). Both escape
 * formula injection the same way, with `escapeFormula`.
 */
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import yazl from 'yazl';
import { isoToExcelSerial } from './imports.values.js';

export type OutCell = string | number | null;
export type OutRows = AsyncIterable<OutCell[]> | Iterable<OutCell[]>;

/**
 * A cell a spreadsheet would evaluate (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading
 * apostrophe, which spreadsheets show as text and which tells a reader the cell was escaped.
 */
export function escapeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const csvCell = (v: OutCell): string | number => (v === null ? '' : typeof v === 'number' ? v : escapeFormula(v));

async function* csvRecords(headers: string[], rows: OutRows): AsyncGenerator<(string | number)[]> {
  yield headers.map(escapeFormula);
  for await (const row of rows) yield row.map(csvCell);
}

/** Streams a CSV (UTF-8 with BOM, CRLF line ends, RFC 4180 quoting) into `out` and ends it. */
export async function writeCsv(out: NodeJS.WritableStream, headers: string[], rows: OutRows): Promise<void> {
  await pipeline(Readable.from(csvRecords(headers, rows)), stringify({ bom: true, record_delimiter: 'windows' }), out as Writable);
}

// ---------------------------------------------------------------------------------------------
// XLSX

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

/** Style indexes in styles.xml below. */
const STYLE_HEADER = 1;
const STYLE_DATE = 2;
const STYLE_DATETIME = 3;

/** Excel's limits: rows per sheet and characters per cell. */
export const XLSX_MAX_ROWS = 1_048_576;
export const XLSX_MAX_CELL_CHARS = 32_767;

const escapeXml = (s: string) => s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));

/**
 * Text for a `<t>` element: XML-escaped; characters XML 1.0 cannot carry (control characters, lone
 * surrogates) and CR become OOXML `_xHHHH_` escapes, and a literal `_xHHHH_` is protected as `_x005F_xHHHH_`.
 */
export function xlsxText(s: string): string {
  let v = s.replace(/_(x[0-9A-Fa-f]{4}_)/g, '_x005F_$1');
  // XML cannot carry these; CR it would turn into LF (line-end normalization), so Excel writes it as _x000D_ too.
  // eslint-disable-next-line no-control-regex -- control characters are the point here
  v = v.replace(/[\x00-\x08\x0B-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
  return escapeXml(v);
}

/** 0 → A, 25 → Z, 26 → AA… */
export function columnLetters(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** Sheet names: ≤ 31 characters, none of `[]:*?/\`, not empty. */
export function safeSheetName(name: string): string {
  const clean = name.replace(/[[\]:*?/\\]/g, ' ').replace(/\s+/g, ' ').replace(/^'+|'+$/g, '').trim().slice(0, 31).trim();
  return clean || 'Sheet1';
}

function stringCell(ref: string, value: string, style = 0): string {
  const text = escapeFormula(value).slice(0, XLSX_MAX_CELL_CHARS);
  // xml:space="preserve" only where whitespace at the ends or line breaks would otherwise be dropped.
  const preserve = /^\s|\s$|[\n\r\t]/.test(text) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}" t="inlineStr"${style ? ` s="${style}"` : ''}><is><t${preserve}>${xlsxText(text)}</t></is></c>`;
}

function cellXml(ref: string, value: OutCell, isDate: boolean): string {
  if (value === null || value === '') return '';
  if (typeof value === 'number') return Number.isFinite(value) ? `<c r="${ref}"><v>${value}</v></c>` : '';
  if (isDate) {
    const serial = isoToExcelSerial(value.trim());
    if (serial !== null) return `<c r="${ref}" s="${value.trim().length > 10 ? STYLE_DATETIME : STYLE_DATE}"><v>${serial}</v></c>`;
  }
  return stringCell(ref, value);
}

function contentTypes(): string {
  return `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
    + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    + '<Default Extension="xml" ContentType="application/xml"/>'
    + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    + '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    + '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    + '</Types>';
}

const rootRels = () => `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">`
  + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
  + '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
  + '</Relationships>';

const appProps = () => `${XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Custodian</Application></Properties>`;

const workbookXml = (sheetName: string) => `${XML_HEAD}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">`
  + `<bookViews><workbookView/></bookViews><sheets><sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`;

const workbookRels = () => `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">`
  + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
  + '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
  + '</Relationships>';

/** Styles: 0 default, 1 bold (header), 2 date `yyyy-mm-dd`, 3 date and time `yyyy-mm-dd hh:mm:ss`. */
const stylesXml = () => `${XML_HEAD}<styleSheet xmlns="${NS_MAIN}">`
  + '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
  + '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
  + '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
  + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
  + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
  + '<cellXfs count="4">'
  + '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
  + '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
  + '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
  + '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
  + '</cellXfs>'
  + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
  + '</styleSheet>';

async function* sheetXml(headers: string[], rows: OutRows, dateColumns: Set<number>): AsyncGenerator<Buffer> {
  const letters = headers.map((_h, i) => columnLetters(i));
  const letter = (i: number) => letters[i] ?? (letters[i] = columnLetters(i));
  const cols = headers.map((h, i) => {
    const width = Math.min(60, Math.max(10, h.length + 2, dateColumns.has(i) ? 12 : 0));
    return `<col min="${i + 1}" max="${i + 1}" width="${width}" customWidth="1"/>`;
  }).join('');
  let buf = `${XML_HEAD}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">`
    + '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    + '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
    + '<sheetFormatPr defaultRowHeight="15"/>'
    + (cols ? `<cols>${cols}</cols>` : '')
    + '<sheetData>'
    + `<row r="1">${headers.map((h, i) => stringCell(`${letter(i)}1`, h, STYLE_HEADER)).join('')}</row>`;
  let r = 1;
  for await (const row of rows) {
    r++;
    let cells = '';
    for (let i = 0; i < row.length; i++) cells += cellXml(`${letter(i)}${r}`, row[i] ?? null, dateColumns.has(i));
    buf += `<row r="${r}">${cells}</row>`;
    if (buf.length >= 64 * 1024) {
      yield Buffer.from(buf, 'utf8');
      buf = '';
    }
  }
  buf += '</sheetData></worksheet>';
  yield Buffer.from(buf, 'utf8');
}

/**
 * Streams an XLSX workbook with one sheet into `out` and ends it: a bold, frozen header row; numbers
 * as numbers; strings as strings (escaped against formulas like the CSV); in `dateColumns` (0-based),
 * ISO dates (`YYYY-MM-DD`) and timestamps become real date cells. Excel shows at most 1,048,576 rows
 * per sheet and 32,767 characters per cell (longer cells are cut).
 */
export async function writeXlsx(out: NodeJS.WritableStream, sheetName: string, headers: string[], rows: OutRows, opts: { dateColumns?: number[] } = {}): Promise<void> {
  const zip = new yazl.ZipFile();
  const sheet = Readable.from(sheetXml(headers, rows, new Set(opts.dateColumns ?? [])), { objectMode: false });
  // yazl does not listen for errors on the streams it is given: a failing row source must reject here.
  const failed = new Promise<never>((_resolve, reject) => { zip.on('error', reject); sheet.on('error', reject); });
  failed.catch(() => { /* observed through the race below */ });
  const mtime = new Date();
  const add = (name: string, xml: string) => zip.addBuffer(Buffer.from(xml, 'utf8'), name, { mtime });
  add('[Content_Types].xml', contentTypes());
  add('_rels/.rels', rootRels());
  add('docProps/app.xml', appProps());
  add('xl/workbook.xml', workbookXml(safeSheetName(sheetName)));
  add('xl/_rels/workbook.xml.rels', workbookRels());
  add('xl/styles.xml', stylesXml());
  zip.addReadStream(sheet, 'xl/worksheets/sheet1.xml', { mtime });
  zip.end();
  try {
    await Promise.race([pipeline(zip.outputStream, out as Writable), failed]);
  } catch (err) {
    sheet.destroy();
    (zip.outputStream as Readable).destroy?.();
    (out as Writable).destroy?.(err as Error);
    throw err;
  }
}
