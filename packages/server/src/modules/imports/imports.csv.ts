/**
 * A streaming CSV record reader for imports: UTF-8 bytes in, records of cell strings out.
 *
 * It reads exactly what csv-parse read here before with the options imports used (`relax_quotes`,
 * `relax_column_count`, record delimiters CRLF, LF and CR mixed in one file, blank records kept,
 * a bound on a record's size); `imports-csv.test.ts` compares the two on generated files. csv-parse
 * took 0.8–1.0 s of JavaScript per pass over a 100,000-row file (once in the dry run, once in the
 * commit): a quarter of a dry run. This reader jumps through quoted text with `indexOf`, copies a
 * cell out of the chunk once (`toString` of its bytes: no string keeps a whole chunk alive) and
 * keeps only the unfinished record between chunks: `readRows` over that file 0.93 → 0.30 s.
 *
 * The rules:
 * - A field that starts with `"` is quoted: delimiters and line breaks inside are text, `""` is a
 *   quote, and the field ends at a quote followed by the delimiter, a line break or the end.
 * - A quote closing a field but followed by anything else makes the field plain text after all:
 *   `"ab"c` is the cell `"ab"c` (with `""` inside already read as one quote), and it goes on to
 *   the next delimiter or line break like an unquoted field (csv-parse's `relax_quotes`).
 * - A quote inside an unquoted field is text.
 * - CRLF, LF and CR each end a record. A record holding nothing (an empty line) is one empty
 *   cell. Text after the last line break is a record; nothing after it is not.
 * - A quoted field still open at the end is an error, and so is a record longer than the bound.
 */

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const QUOTE_BYTES = Buffer.from('"');

export type CsvErrorCode = 'quote_not_closed' | 'record_too_long';

/** Why the file cannot be read; `record` is the 1-based number of the record it is in. */
export class CsvReadError extends Error {
  constructor(readonly code: CsvErrorCode, readonly record: number) {
    super(code === 'quote_not_closed' ? `a quoted field opened in record ${record} is never closed` : `record ${record} is longer than the limit`);
    this.name = 'CsvReadError';
  }
}

const enum State {
  /** At the start of a field (nothing of it read yet). */
  FieldStart,
  Unquoted,
  Quoted,
  /** Inside a quoted field, just after a quote: closing it, or the first of `""`. */
  QuoteSeen,
}

export class CsvRecordReader {
  private state = State.FieldStart;
  private cells: string[] = [];
  /** Bytes of the current field from earlier chunks or before a `""` (joined when it ends). */
  private parts: Buffer[] = [];
  /** A CR ended the last record: an LF right after it belongs to it. */
  private crPending = false;
  /** Bytes of the current record read so far, in earlier chunks. */
  private recordBytes = 0;
  /** Whether anything of the current record has been read. */
  private started = false;
  /** Records completed. */
  private records = 0;

  private readonly delimiter: number;

  /**
   * @param delimiter one ASCII character
   * @param maxRecordBytes the longest record allowed (an unclosed quote would otherwise make the rest of the file one cell)
   */
  constructor(delimiter: string, private readonly maxRecordBytes: number) {
    const d = delimiter.charCodeAt(0);
    if (delimiter.length !== 1 || d > 0x7f || d === QUOTE || d === CR || d === LF) throw new Error(`unsupported delimiter ${JSON.stringify(delimiter)}`);
    this.delimiter = d;
  }

  /**
   * Reads a chunk; completed records are appended to `out`. Throws CsvReadError. Nothing of
   * `chunk` is kept once it returns (cells are strings, unfinished fields copies): the caller may
   * refill the same buffer for the next chunk.
   */
  push(chunk: Buffer, out: string[][]): void {
    const d = this.delimiter;
    const n = chunk.length;
    let i = 0;
    // Start of the current field's bytes in this chunk (for the unquoted and quoted states).
    let from = 0;
    // Start of the current record in this chunk (its length so far is recordBytes + i - recordFrom).
    let recordFrom = 0;
    // Where the quote of QuoteSeen is in this chunk (-1: in an earlier one, its text already in parts).
    let quoteAt = -1;
    if (this.crPending && n > 0) {
      this.crPending = false;
      if (chunk[0] === LF) {
        i = 1;
        recordFrom = 1;
      }
    }
    const endField = (end: number) => {
      this.cells.push(this.text(chunk, from, end));
    };
    // Keeps (copied) the quoted text read in this chunk up to the quote of QuoteSeen.
    const keepBeforeQuote = () => {
      if (quoteAt >= 0) this.parts.push(Buffer.from(chunk.subarray(from, quoteAt)));
    };
    // Ends the record at the line break chunk[at] (CR or LF) and moves past it; an LF right after
    // a CR (here, or first in the next chunk) belongs to the same line break.
    const endRecord = (at: number) => {
      out.push(this.cells);
      this.cells = [];
      this.records++;
      this.recordBytes = 0;
      this.started = false;
      i = at + 1;
      if (chunk[at] === CR) {
        if (i === n) this.crPending = true;
        else if (chunk[i] === LF) i++;
      }
      recordFrom = i;
    };
    const checkSize = (at: number) => {
      if (this.recordBytes + at - recordFrom > this.maxRecordBytes) throw new CsvReadError('record_too_long', this.records + 1);
    };
    while (i < n) {
      switch (this.state) {
        case State.FieldStart: {
          const c = chunk[i]!;
          this.started = true;
          if (c === QUOTE) {
            this.state = State.Quoted;
            from = i + 1;
            i++;
          } else if (c === d) {
            this.cells.push('');
            i++;
          } else if (c === LF || c === CR) {
            this.cells.push('');
            endRecord(i);
          } else {
            this.state = State.Unquoted;
            from = i;
          }
          break;
        }
        case State.Unquoted: {
          let j = i;
          while (j < n) {
            const c = chunk[j]!;
            if (c === d || c === LF || c === CR) break;
            j++;
          }
          if (j === n) {
            i = n;
            break;
          }
          checkSize(j);
          endField(j);
          this.state = State.FieldStart;
          if (chunk[j] === d) i = j + 1;
          else endRecord(j);
          break;
        }
        case State.Quoted: {
          const q = chunk.indexOf(QUOTE, i);
          if (q < 0) {
            i = n;
            break;
          }
          quoteAt = q;
          this.state = State.QuoteSeen;
          i = q + 1;
          break;
        }
        case State.QuoteSeen: {
          const c = chunk[i]!;
          if (c === QUOTE) {
            // `""`: the text so far, then the second quote starts the next stretch.
            keepBeforeQuote();
            from = i;
            quoteAt = -1;
            this.state = State.Quoted;
            i++;
          } else if (c === d || c === LF || c === CR) {
            checkSize(i);
            endField(quoteAt >= 0 ? quoteAt : from);
            this.state = State.FieldStart;
            if (c === d) i++;
            else endRecord(i);
          } else {
            // Not a closing quote after all: the field is plain text from its opening quote on.
            keepBeforeQuote();
            this.parts.unshift(QUOTE_BYTES);
            this.parts.push(QUOTE_BYTES);
            from = i;
            this.state = State.Unquoted;
          }
          break;
        }
      }
    }
    // Keep the unfinished field's bytes of this chunk (copied: the chunk is not kept).
    if (this.state === State.Unquoted || this.state === State.Quoted) {
      if (from < n) this.parts.push(Buffer.from(chunk.subarray(from, n)));
    } else if (this.state === State.QuoteSeen) {
      keepBeforeQuote();
    }
    checkSize(n);
    if (this.started) this.recordBytes += n - recordFrom;
  }

  /** The end of the input: the last record, if it has begun. Throws CsvReadError on an open quote. */
  end(out: string[][]): void {
    if (this.state === State.Quoted) throw new CsvReadError('quote_not_closed', this.records + 1);
    if (!this.started) return;
    this.cells.push(this.text(Buffer.alloc(0), 0, 0));
    out.push(this.cells);
    this.cells = [];
    this.records++;
    this.started = false;
    this.state = State.FieldStart;
  }

  /** The field's text: earlier parts, then chunk[from, end). */
  private text(chunk: Buffer, from: number, end: number): string {
    if (!this.parts.length) return chunk.toString('utf8', from, end);
    if (end > from) this.parts.push(chunk.subarray(from, end));
    const s = Buffer.concat(this.parts).toString('utf8');
    this.parts = [];
    return s;
  }
}
