/**
 * A small streaming XML scanner for the parts of an XLSX workbook. Worksheets are large and very
 * regular (rows of cells), and a general SAX parser spent most of an import's read time checking
 * well-formedness that a workbook written by a spreadsheet program already has. This scanner finds
 * tags and the text inside them, decodes entities and attributes, and keeps only an unfinished tag
 * or text between chunks. It rejects what a workbook never contains (DOCTYPE, so no entity
 * expansion) and notices a document cut short.
 */

/**
 * The tag being reported. One object is reused for every tag (worksheets have millions): read what
 * you need inside the handler, don't keep it.
 */
export interface XmlTag {
  /** The local name (prefix dropped): `row`, `c`, `v`, `t`… */
  readonly name: string;
  readonly selfClosing: boolean;
  /** One attribute's decoded value, by full name (`r:id`) or local name (`id`); undefined when absent. */
  attr(name: string): string | undefined;
  /** All attributes, by full name and, when prefixed, also by local name. */
  attrs(): Record<string, string>;
}

export interface XmlHandlers {
  open?: (tag: XmlTag) => void;
  /** Also called right after `open` for a self-closing tag. */
  close?: (name: string) => void;
  /** Text (entities decoded, line ends normalised) — only while `scanner.captureText` is true. */
  text?: (text: string) => void;
}

export class XmlSyntaxError extends Error {}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const ENTITY_RE = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/g;

export function decodeXmlText(s: string): string {
  let v = s.indexOf('&') >= 0
    ? s.replace(ENTITY_RE, (_m, hex: string | undefined, dec: string | undefined, named: string | undefined) => {
      if (named) return NAMED[named]!;
      const cp = hex ? parseInt(hex, 16) : Number(dec);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
    })
    : s;
  if (v.indexOf('\r') >= 0) v = v.replace(/\r\n?/g, '\n');
  return v;
}

const localName = (name: string) => {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
};

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * Attributes are read on demand from the tag's text, without building an object: most tags have
 * none that matter, and a cell's `r`, `t` and `s` are three short scans.
 */
class TagView implements XmlTag {
  name = '';
  selfClosing = false;
  private s = '';
  private from = 0;
  private to = 0;

  set(name: string, selfClosing: boolean, s: string, from: number, to: number): this {
    this.name = name;
    this.selfClosing = selfClosing;
    this.s = s;
    this.from = from;
    this.to = to;
    return this;
  }

  /** Calls `visit(nameStart, nameEnd, valueStart, valueEnd)` per attribute; stops when it returns true. */
  private each(visit: (ns: number, ne: number, vs: number, ve: number) => boolean): void {
    const { s, to } = this;
    let i = this.from;
    while (i < to) {
      let c = s.charCodeAt(i);
      if (isSpace(c) || c === 47) { i++; continue; }
      const ns = i;
      while (i < to && (c = s.charCodeAt(i)) !== 61 && !isSpace(c)) i++;
      const ne = i;
      while (i < to && s.charCodeAt(i) !== 61) i++;
      i++;
      while (i < to && isSpace(s.charCodeAt(i))) i++;
      const q = s.charCodeAt(i);
      if (q !== 34 && q !== 39) throw new XmlSyntaxError(`attribute ${s.slice(ns, ne)} has no quoted value`);
      const end = s.indexOf(q === 34 ? '"' : "'", i + 1);
      if (end < 0 || end > to) throw new XmlSyntaxError(`attribute ${s.slice(ns, ne)} is not closed`);
      if (visit(ns, ne, i + 1, end)) return;
      i = end + 1;
    }
  }

  private value(vs: number, ve: number): string {
    const raw = this.s.slice(vs, ve);
    return raw.indexOf('&') >= 0 ? decodeXmlText(raw) : raw;
  }

  attr(name: string): string | undefined {
    const s = this.s;
    const len = name.length;
    let found: string | undefined;
    this.each((ns, ne, vs, ve) => {
      const n = ne - ns;
      if ((n === len && s.startsWith(name, ns)) || (n > len && s.charCodeAt(ne - len - 1) === 58 && s.startsWith(name, ne - len))) {
        found = this.value(vs, ve);
        return true;
      }
      return false;
    });
    return found;
  }

  attrs(): Record<string, string> {
    const out: Record<string, string> = {};
    this.each((ns, ne, vs, ve) => {
      const name = this.s.slice(ns, ne);
      const value = this.value(vs, ve);
      out[name] = value;
      const local = localName(name);
      if (local !== name && out[local] === undefined) out[local] = value;
      return false;
    });
    return out;
  }
}

export class XmlScanner {
  /** Set by handlers: whether text between tags is wanted now. */
  captureText = false;
  private buf = '';
  private depth = 0;
  private rootClosed = false;
  private readonly tag = new TagView();

  constructor(private readonly h: XmlHandlers) {}

  write(chunk: string): void {
    const s = this.buf.length ? this.buf + chunk : chunk;
    let i = 0;
    const n = s.length;
    for (;;) {
      const lt = s.indexOf('<', i);
      if (lt < 0) break;
      if (lt > i && this.captureText) this.h.text?.(decodeXmlText(s.slice(i, lt)));
      const next = s.charCodeAt(lt + 1);
      if (Number.isNaN(next)) { i = lt; break; }
      if (next === 47) { // </name>
        const gt = s.indexOf('>', lt + 2);
        if (gt < 0) { i = lt; break; }
        const name = s.slice(lt + 2, gt).trim();
        this.depth--;
        if (this.depth < 0) throw new XmlSyntaxError(`unexpected </${name}>`);
        if (this.depth === 0) this.rootClosed = true;
        this.h.close?.(localName(name));
        i = gt + 1;
        continue;
      }
      if (next === 33) { // <!-- -->, <![CDATA[ ]]>, <!DOCTYPE
        if (s.startsWith('<!--', lt)) {
          const end = s.indexOf('-->', lt + 4);
          if (end < 0) { i = lt; break; }
          i = end + 3;
          continue;
        }
        if (s.startsWith('<![CDATA[', lt)) {
          const end = s.indexOf(']]>', lt + 9);
          if (end < 0) { i = lt; break; }
          if (this.captureText) this.h.text?.(s.slice(lt + 9, end));
          i = end + 3;
          continue;
        }
        if (n - lt < 9) { i = lt; break; }
        throw new XmlSyntaxError('a DOCTYPE declaration is not allowed');
      }
      if (next === 63) { // <?xml … ?>
        const end = s.indexOf('?>', lt + 2);
        if (end < 0) { i = lt; break; }
        i = end + 2;
        continue;
      }
      // An opening tag: find its '>' outside quoted attribute values.
      let j = lt + 1;
      let quote = 0;
      for (; j < n; j++) {
        const c = s.charCodeAt(j);
        if (quote) { if (c === quote) quote = 0; } else if (c === 34 || c === 39) quote = c; else if (c === 62) break;
      }
      if (j >= n) { i = lt; break; }
      const selfClosing = s.charCodeAt(j - 1) === 47;
      let k = lt + 1;
      while (k < j) {
        const c = s.charCodeAt(k);
        if (isSpace(c) || c === 47) break;
        k++;
      }
      if (this.rootClosed) throw new XmlSyntaxError('content after the root element');
      const name = localName(s.slice(lt + 1, k));
      this.h.open?.(this.tag.set(name, selfClosing, s, k, selfClosing ? j - 1 : j));
      if (selfClosing) {
        if (this.depth === 0) this.rootClosed = true;
        this.h.close?.(name);
      } else this.depth++;
      i = j + 1;
    }
    this.buf = i === 0 ? s : s.slice(i);
    if (lengthGuard(this.buf)) throw new XmlSyntaxError('a tag or text run is implausibly long');
  }

  /** After the last chunk: the document must be complete. */
  close(): void {
    if (this.buf.trim() || this.depth !== 0 || !this.rootClosed) throw new XmlSyntaxError('the document ends too early');
  }
}

/** Text between tags is kept until its tag arrives; a cell is ≤ 32,767 characters, so anything far longer is damage. */
const lengthGuard = (buf: string) => buf.length > 16 * 1024 * 1024;
