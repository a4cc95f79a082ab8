/**
 * Cell value formats of imported spreadsheets, per column: dates (ISO, M/D/YY, D.M.YYYY, Excel
 * serial numbers…), numbers (`1,234.56` vs `1.234,56`, currency around them) and booleans. Pure
 * functions: the import engine detects a column's format from its values, shows it, lets the user
 * override it, then parses every cell with it.
 */

/**
 * - `iso`: `YYYY-MM-DD`, optionally followed by a time (`T` or a space, `HH:MM[:SS[.fff]]`, zone)
 * - `mdy`: `M/D/YY` or `M/D/YYYY` (US), optionally followed by a time
 * - `dmy`: `D.M.YYYY`, `D/M/YYYY`, `D-M-YYYY` (and two-digit years), optionally followed by a time
 * - `ymd-slash`: `YYYY/M/D` (also `YYYY.M.D`)
 * - `excel-serial`: a day number 1…2958465 in Excel's 1900 date system (1 = 1900-01-01; Excel counts
 *   the nonexistent 1900-02-29 as day 60, so 61 = 1900-03-01); a fraction (time of day) is dropped.
 *
 * Two-digit years follow Excel's rule: 00–29 → 2000–2029, 30–99 → 1930–1999.
 */
export type DateFormat = 'iso' | 'mdy' | 'dmy' | 'ymd-slash' | 'excel-serial';

/** `dot`: `1,234.56` / `1234.56` / `1 234.56`; `comma`: `1.234,56` / `1234,56` / `1 234,56`. */
export type NumberFormat = 'dot' | 'comma';

export const DATE_FORMATS: readonly DateFormat[] = ['iso', 'mdy', 'dmy', 'ymd-slash', 'excel-serial'];
export const NUMBER_FORMATS: readonly NumberFormat[] = ['dot', 'comma'];

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

// ---------------------------------------------------------------------------------------------
// Dates

/** Largest serial Excel accepts: 9999-12-31. */
export const MAX_EXCEL_SERIAL = 2958465;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function isoDay(y: number, m: number, d: number): Parsed<string> {
  if (y < 1000 || y > 9999) return { ok: false, message: `year ${y} is out of range` };
  if (m < 1 || m > 12) return { ok: false, message: `month ${m} does not exist` };
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d < 1 || d > days) return { ok: false, message: `day ${d} does not exist in ${y}-${pad(m)}` };
  return { ok: true, value: `${y}-${pad(m)}-${pad(d)}` };
}

const twoDigitYear = (yy: string) => (yy.length === 2 ? (Number(yy) < 30 ? 2000 + Number(yy) : 1900 + Number(yy)) : Number(yy));

/** An optional time after a date: ` 10:30`, `T10:30:00.000Z`, ` 3:04 PM`, `+02:00`… (ignored for date fields). */
const TIME = String.raw`(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?[AaPp][Mm])?(?:\s?(?:Z|[+-]\d{2}:?\d{2}))?)?`;
const ISO_RE = new RegExp(String.raw`^(\d{4})-(\d{2})-(\d{2})${TIME}$`);
const MDY_RE = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})${TIME}$`);
const DMY_RE = new RegExp(String.raw`^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})${TIME}$`);
const YMD_SLASH_RE = new RegExp(String.raw`^(\d{4})([/.])(\d{1,2})\2(\d{1,2})${TIME}$`);
const SERIAL_RE = /^\d+(?:\.\d+)?$/;

/** Day number → ISO date in Excel's 1900 date system, with its 1900-02-29 bug. */
export function excelSerialToIso(serial: number): Parsed<string> {
  const day = Math.floor(serial);
  if (day < 1 || day > MAX_EXCEL_SERIAL) return { ok: false, message: `${serial} is not an Excel date serial number (1–${MAX_EXCEL_SERIAL})` };
  if (day === 60) return { ok: false, message: 'Excel serial 60 is 1900-02-29, a day that does not exist' };
  // From 61 on, Excel is one day ahead of the real calendar (it counts 1900-02-29).
  const epoch = day < 60 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  return { ok: true, value: new Date(epoch + day * 86_400_000).toISOString().slice(0, 10) };
}

/** ISO date → Excel day number (the inverse of excelSerialToIso), for writing XLSX. */
export function isoToExcelSerial(iso: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(iso);
  if (!m) return null;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(day)) return null;
  let ms = day;
  if (m[4] !== undefined) {
    // A timestamp with a zone is written as UTC wall time (exports use UTC everywhere).
    const t = Date.parse(m[8] ? iso : `${iso}Z`);
    if (Number.isNaN(t)) return null;
    ms = t;
  }
  const real = (ms - Date.UTC(1899, 11, 30)) / 86_400_000;
  // Before 1900-03-01 Excel is one day behind this count (it has no phantom 1900-02-29 yet).
  const serial = real < 61 ? real - 1 : real;
  return serial >= 1 && serial < MAX_EXCEL_SERIAL + 1 ? serial : null;
}

export function parseDate(value: string, format: DateFormat): Parsed<string> {
  const v = value.trim();
  if (!v) return { ok: false, message: 'is empty' };
  let m: RegExpExecArray | null;
  switch (format) {
    case 'iso':
      if ((m = ISO_RE.exec(v))) return isoDay(Number(m[1]), Number(m[2]), Number(m[3]));
      return { ok: false, message: `"${v}" is not a date in the format YYYY-MM-DD` };
    case 'mdy':
      if ((m = MDY_RE.exec(v))) return isoDay(twoDigitYear(m[3]!), Number(m[1]), Number(m[2]));
      return { ok: false, message: `"${v}" is not a date in the format M/D/YYYY` };
    case 'dmy':
      if ((m = DMY_RE.exec(v))) return isoDay(twoDigitYear(m[4]!), Number(m[3]), Number(m[1]));
      return { ok: false, message: `"${v}" is not a date in the format D.M.YYYY (or D/M/YYYY, D-M-YYYY)` };
    case 'ymd-slash':
      if ((m = YMD_SLASH_RE.exec(v))) return isoDay(Number(m[1]), Number(m[3]), Number(m[4]));
      return { ok: false, message: `"${v}" is not a date in the format YYYY/M/D` };
    case 'excel-serial':
      if (SERIAL_RE.test(v)) return excelSerialToIso(Number(v));
      return { ok: false, message: `"${v}" is not an Excel date serial number` };
  }
}

/** For mdy/dmy disambiguation: which of the first two parts of `a/b/yyyy` can only be a day. */
function dayMonthEvidence(v: string): 'mdy' | 'dmy' | null {
  const m = /^(\d{1,2})[./-](\d{1,2})[./-]/.exec(v);
  if (!m) return null;
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (a > 12 && b <= 12) return 'dmy';
  if (b > 12 && a <= 12) return 'mdy';
  return null;
}

/**
 * The format that parses the most of the (non-empty) sample values. `M/D` and `D/M` are told apart
 * by any value with a part over 12; when no value decides (every value ≤ 12/12) the result is
 * `ambiguous` and `mdy` is proposed for slashes (`dmy` for dots and dashes, which only dmy uses).
 * `null` when no format parses any value.
 */
export function detectDateFormat(samples: string[]): { format: DateFormat | null; ambiguous: boolean } {
  const values = samples.map((s) => s.trim()).filter(Boolean);
  if (!values.length) return { format: null, ambiguous: false };
  const counts = new Map<DateFormat, number>();
  for (const f of DATE_FORMATS) counts.set(f, values.filter((v) => parseDate(v, f).ok).length);
  let evidenceMdy = 0;
  let evidenceDmy = 0;
  for (const v of values) {
    const e = dayMonthEvidence(v);
    if (e === 'mdy') evidenceMdy++;
    else if (e === 'dmy') evidenceDmy++;
  }
  const best = Math.max(...counts.values());
  if (best === 0) return { format: null, ambiguous: false };
  const top = DATE_FORMATS.filter((f) => counts.get(f) === best);
  if (top.length === 1) {
    const format = top[0]!;
    // Values that contradict each other (13/1/2024 and 1/13/2024) leave the day/month question open.
    return { format, ambiguous: (format === 'mdy' || format === 'dmy') && evidenceMdy > 0 && evidenceDmy > 0 };
  }
  if (top.includes('mdy') && top.includes('dmy')) {
    if (evidenceMdy > evidenceDmy) return { format: 'mdy', ambiguous: evidenceDmy > 0 };
    if (evidenceDmy > evidenceMdy) return { format: 'dmy', ambiguous: evidenceMdy > 0 };
    return { format: values.some((v) => v.includes('/')) ? 'mdy' : 'dmy', ambiguous: true };
  }
  return { format: top[0]!, ambiguous: true };
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** Currency symbols and codes allowed around a number: `$1,234.56`, `1.234,56 €`, `EUR 10`, `10 CHF`. */
const CURRENCY = String.raw`(?:[$€£¥₹₩₽₺₪₫฿₴₦₱]|[A-Z]{3}|[A-Z]{1,3}\$|kr\.?|zł|Fr\.?)`;
const AROUND_RE = new RegExp(String.raw`^(?:${CURRENCY}\s*)?(.*?)(?:\s*${CURRENCY})?$`);
const SPACES_RE = /[\s\u00a0\u202f]+/g;

const PATTERNS: Record<NumberFormat, RegExp[]> = {
  dot: [
    /^\d+(?:\.\d*)?(?:[eE][+-]?\d+)?$/,
    /^\.\d+$/,
    /^\d{1,3}(?:,\d{3})+(?:\.\d*)?$/,
    /^\d{1,3}(?:[ '’]\d{3})+(?:\.\d*)?$/,
  ],
  comma: [
    /^\d+(?:,\d*)?$/,
    /^,\d+$/,
    /^\d{1,3}(?:\.\d{3})+(?:,\d*)?$/,
    /^\d{1,3}(?:[ '’]\d{3})+(?:,\d*)?$/,
  ],
};

/** Splits off currency and sign: `-$1,234.56` → { negative: true, body: '1,234.56' }. */
function numberBody(value: string): { negative: boolean; body: string } | null {
  let v = value.trim().replace(/\u2212/g, '-');
  if (!v) return null;
  let negative = false;
  if (/^\(.*\)$/.test(v)) { negative = true; v = v.slice(1, -1).trim(); } // accounting (1,234.56)
  const sign = (s: string) => {
    if (s.startsWith('-') || s.startsWith('+')) { if (s[0] === '-') negative = !negative; return s.slice(1).trim(); }
    if (s.endsWith('-')) { negative = !negative; return s.slice(0, -1).trim(); }
    return s;
  };
  v = sign(v);
  const m = AROUND_RE.exec(v);
  v = m ? m[1]!.trim() : v;
  v = sign(v);
  // `1 234,56` with non-breaking or narrow spaces as thousands separators.
  v = v.replace(SPACES_RE, ' ');
  if (!/^[\d.,'’ eE+-]+$/.test(v) || !/\d/.test(v)) return null;
  return { negative, body: v };
}

export function parseNumber(value: string, format: NumberFormat): Parsed<number> {
  const raw = value.trim();
  if (!raw) return { ok: false, message: 'is empty' };
  const parts = numberBody(raw);
  const hint = format === 'dot' ? '1,234.56 or 1234.56' : '1.234,56 or 1234,56';
  if (!parts || !PATTERNS[format].some((re) => re.test(parts.body))) return { ok: false, message: `"${raw}" is not a number in the format ${hint}` };
  const normalized = format === 'dot'
    ? parts.body.replace(/[,' ’]/g, '')
    : parts.body.replace(/[.' ’]/g, '').replace(',', '.');
  const n = Number(normalized);
  if (!Number.isFinite(n)) return { ok: false, message: `"${raw}" is not a finite number` };
  return { ok: true, value: parts.negative && n !== 0 ? -n : n };
}

/**
 * Decimal comma or decimal point, from the values that only one of them can read (`1.234,56`,
 * `12,5` → comma; `1,234.56`, `1.5` → dot). `ambiguous` when a value reads differently in both
 * (`1,234`, `1.500`) and nothing decides, or when values contradict each other. Defaults to `dot`.
 */
export function detectNumberFormat(samples: string[]): { format: NumberFormat; ambiguous: boolean } {
  let dot = 0;
  let comma = 0;
  let undecided = false;
  for (const s of samples) {
    if (!s.trim()) continue;
    const d = parseNumber(s, 'dot');
    const c = parseNumber(s, 'comma');
    if (d.ok && !c.ok) dot++;
    else if (c.ok && !d.ok) comma++;
    else if (d.ok && c.ok && d.value !== c.value) undecided = true;
  }
  if (comma > dot) return { format: 'comma', ambiguous: dot > 0 };
  if (dot > comma) return { format: 'dot', ambiguous: comma > 0 };
  return { format: 'dot', ambiguous: dot > 0 || undecided };
}

// ---------------------------------------------------------------------------------------------
// Booleans

const TRUE_WORDS = new Set(['yes', 'y', 'true', '1', 'x']);
const FALSE_WORDS = new Set(['no', 'n', 'false', '0']);

/** yes/no, y/n, true/false (also Excel's TRUE/FALSE), 1/0, x (a ticked box); case-insensitive. `null` = not a boolean (or empty). */
export function parseBoolean(value: string): boolean | null {
  const v = value.trim().toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  return null;
}
