/** Per-column value formats of imports: dates, numbers, booleans (pure functions). */
import { describe, expect, it } from 'vitest';
import {
  detectDateFormat, detectNumberFormat, excelSerialToIso, isoToExcelSerial, parseBoolean, parseDate, parseNumber,
  type DateFormat, type NumberFormat,
} from '../src/modules/imports/imports.values.js';
import { escapeFormula } from '../src/modules/imports/imports.write.js';

describe('parseDate', () => {
  const ok: [DateFormat, string, string][] = [
    ['iso', '2024-01-31', '2024-01-31'],
    ['iso', ' 2024-02-29 ', '2024-02-29'],
    ['iso', '2024-01-31T10:20:30Z', '2024-01-31'],
    ['iso', '2024-01-31 10:20', '2024-01-31'],
    ['iso', '2024-01-31T10:20:30.123+02:00', '2024-01-31'],
    ['mdy', '1/2/2024', '2024-01-02'],
    ['mdy', '12/31/99', '1999-12-31'],
    ['mdy', '01/02/29', '2029-01-02'],
    ['mdy', '1/30/30', '1930-01-30'],
    ['mdy', '3/4/2024 10:30 AM', '2024-03-04'],
    ['dmy', '31.12.2024', '2024-12-31'],
    ['dmy', '1.2.2024', '2024-02-01'],
    ['dmy', '31/12/2024', '2024-12-31'],
    ['dmy', '31-12-2024', '2024-12-31'],
    ['dmy', '15.01.24', '2024-01-15'],
    ['ymd-slash', '2024/1/2', '2024-01-02'],
    ['ymd-slash', '2024/12/31', '2024-12-31'],
    ['excel-serial', '45292', '2024-01-01'],
    ['excel-serial', '45292.75', '2024-01-01'],
    ['excel-serial', '1', '1900-01-01'],
    ['excel-serial', '59', '1900-02-28'],
    ['excel-serial', '61', '1900-03-01'],
    ['excel-serial', '2958465', '9999-12-31'],
  ];
  it.each(ok)('%s: %j → %s', (format, input, expected) => {
    expect(parseDate(input, format)).toEqual({ ok: true, value: expected });
  });

  const bad: [DateFormat, string, RegExp][] = [
    ['iso', '2023-02-29', /day 29 does not exist/],
    ['iso', '2024-13-01', /month 13/],
    ['iso', '31.12.2024', /YYYY-MM-DD/],
    ['mdy', '13/1/2024', /month 13/],
    ['mdy', '1.2.2024', /M\/D\/YYYY/],
    ['dmy', '1/13/2024', /month 13/],
    ['dmy', '31.04.2024', /day 31/],
    ['ymd-slash', '2024-01-02', /YYYY\/M\/D/],
    ['excel-serial', '60', /1900-02-29/],
    ['excel-serial', '0', /1–2958465/],
    ['excel-serial', '2958466', /not an Excel date/],
    ['excel-serial', '-5', /not an Excel date/],
    ['iso', '', /empty/],
  ];
  it.each(bad)('%s: %j is refused', (format, input, message) => {
    const r = parseDate(input, format);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('Excel serials convert both ways, including the phantom 1900-02-29', () => {
    expect(excelSerialToIso(45292)).toEqual({ ok: true, value: '2024-01-01' });
    expect(isoToExcelSerial('2024-01-01')).toBe(45292);
    expect(isoToExcelSerial('2024-01-01T12:00:00Z')).toBe(45292.5);
    expect(isoToExcelSerial('1900-02-28')).toBe(59);
    expect(isoToExcelSerial('1900-03-01')).toBe(61);
    expect(isoToExcelSerial('1900-01-01')).toBe(1);
    expect(isoToExcelSerial('1899-12-31')).toBeNull();
    expect(isoToExcelSerial('01/02/2024')).toBeNull();
    for (const serial of [1, 59, 61, 366, 45292, 2958465]) {
      const iso = excelSerialToIso(serial);
      expect(iso.ok && isoToExcelSerial(iso.value)).toBe(serial);
    }
  });
});

describe('detectDateFormat', () => {
  const cases: [string, string[], DateFormat | null, boolean][] = [
    ['ISO', ['2024-01-02', '2023-12-31', ''], 'iso', false],
    ['US with a day over 12', ['1/2/2024', '12/31/2024'], 'mdy', false],
    ['European with a day over 12', ['1/2/2024', '31/12/2024'], 'dmy', false],
    ['all parts ≤ 12 with slashes', ['1/2/2024', '3/4/2024', '12/12/2024'], 'mdy', true],
    ['all parts ≤ 12 with dots (only D.M.YYYY uses dots)', ['1.2.2024', '3.4.2024'], 'dmy', false],
    ['dashes D-M-YYYY', ['01-02-2024', '25-12-2024'], 'dmy', false],
    ['Excel serials', ['45292', '45300.5'], 'excel-serial', false],
    ['YYYY/M/D', ['2024/1/2', '2024/12/31'], 'ymd-slash', false],
    ['contradicting day and month', ['13/1/2024', '1/13/2024'], 'mdy', true],
    ['mostly dates with a typo', ['2024-01-02', '2024-01-03', 'soon'], 'iso', false],
    ['not dates', ['hello', 'LAP-1'], null, false],
    ['nothing', ['', '  '], null, false],
  ];
  it.each(cases)('%s', (_name, samples, format, ambiguous) => {
    expect(detectDateFormat(samples)).toEqual({ format, ambiguous });
  });
});

describe('parseNumber', () => {
  const ok: [NumberFormat, string, number][] = [
    ['dot', '1234.56', 1234.56],
    ['dot', '1,234.56', 1234.56],
    ['dot', '1,234,567', 1234567],
    ['dot', '-1,234.5', -1234.5],
    ['dot', '.5', 0.5],
    ['dot', '1 234.56', 1234.56],
    ['dot', "1'234.56", 1234.56],
    ['dot', '$1,234.56', 1234.56],
    ['dot', '-$12.50', -12.5],
    ['dot', '($12.50)', -12.5],
    ['dot', 'USD 10', 10],
    ['dot', '10 EUR', 10],
    ['dot', '1.5E+3', 1500],
    ['dot', '0', 0],
    ['comma', '1234,56', 1234.56],
    ['comma', '1.234,56', 1234.56],
    ['comma', '1 234,56', 1234.56],
    ['comma', '1\u00a0234,56', 1234.56],
    ['comma', '1\u202f234,56', 1234.56],
    ['comma', '1.234,56 €', 1234.56],
    ['comma', '€1.234,56', 1234.56],
    ['comma', 'EUR 10', 10],
    ['comma', '10 CHF', 10],
    ['comma', '-0,5', -0.5],
    ['comma', '\u22121.000', -1000],
    ['comma', '1.000.000', 1000000],
  ];
  it.each(ok)('%s: %j → %d', (format, input, expected) => {
    expect(parseNumber(input, format)).toEqual({ ok: true, value: expected });
  });

  const bad: [NumberFormat, string][] = [
    ['dot', '1,5'], ['dot', '1.234,56'], ['dot', 'abc'], ['dot', ''], ['dot', '12a'], ['dot', '1,23.4'], ['dot', '$'],
    ['comma', '1,234.56'], ['comma', '1.5'], ['comma', '1,2,3'], ['comma', 'EUR'],
  ];
  it.each(bad)('%s: %j is refused', (format, input) => {
    const r = parseNumber(input, format);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(input ? /is not a number/ : /empty/);
  });
});

describe('detectNumberFormat', () => {
  const cases: [string, string[], NumberFormat, boolean][] = [
    ['decimal point', ['1,234.56', '12.5', '7'], 'dot', false],
    ['decimal comma', ['1.234,56', '12,5', '7'], 'comma', false],
    ['integers only', ['1234', '7', ''], 'dot', false],
    ['thousands only: 1,234 could be 1.234', ['1,234', '5,678'], 'dot', true],
    ['1.500 could be one and a half', ['1.500', '2.000'], 'dot', true],
    ['decided by one value', ['1.500', '2,5'], 'comma', false],
    ['contradicting values', ['1,234.56', '12,5'], 'dot', true],
    ['with currency', ['€ 1.234,56', '€ 99,90'], 'comma', false],
  ];
  it.each(cases)('%s', (_name, samples, format, ambiguous) => {
    expect(detectNumberFormat(samples)).toEqual({ format, ambiguous });
  });
});

describe('parseBoolean', () => {
  it.each(['yes', 'Y', 'TRUE', 'true', '1', 'x', 'X', ' Yes '])('%j → true', (v) => expect(parseBoolean(v)).toBe(true));
  it.each(['no', 'N', 'FALSE', 'false', '0', 'No'])('%j → false', (v) => expect(parseBoolean(v)).toBe(false));
  it.each(['', 'maybe', '2', 'ja'])('%j → null', (v) => expect(parseBoolean(v)).toBeNull());
});

describe('escapeFormula', () => {
  it('prefixes what a spreadsheet would evaluate, and only that', () => {
    expect(['=1+1', '+44', '-5', '@SUM(A1)', '\tx', '\rx'].map(escapeFormula)).toEqual(["'=1+1", "'+44", "'-5", "'@SUM(A1)", "'\tx", "'\rx"]);
    expect(['LAP-1', '', ' =x', "'=x", 'a=b'].map(escapeFormula)).toEqual(['LAP-1', '', ' =x', "'=x", 'a=b']);
  });
});
