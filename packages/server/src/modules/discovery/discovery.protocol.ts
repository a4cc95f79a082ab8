/**
 * The agents' wire protocol (shared/reference/inventory-agent-protocol.md): compression sniffed by
 * magic bytes (§1.2), bounded decompression (§2, decompression bombs), the exact replies each agent
 * accepts (§1.5, §3.3, §3.5, §4.2, §4.3) compressed like the request with the Content-Types GLPI
 * Agent decodes by (§2), the error replies, and HTTP Basic challenge parsing (§3.6).
 */
import { createGunzip, createInflate, deflateSync, gzipSync } from 'node:zlib';

export type Compression = 'zlib' | 'gzip' | 'none';
export type WireFormat = 'xml' | 'json';

/** The realm of the HTTP Basic challenge; the OCS agent needs `--realm=Custodian` (§3.6). */
export const REALM = 'Custodian';

/** A refusal answered with the protocol's error reply (never problem+json: agents cannot read it). */
export class ProtocolError extends Error {
  constructor(
    public readonly status: number,
    message: string,
    /** Stable reason for logs and tests. */
    public readonly reason: string,
    public readonly challenge = false,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * zlib (RFC 1950: `78 01|5E|9C|DA`, any valid CMF/FLG pair), gzip (`1F 8B 08`), or none — the
 * Content-Type is not trusted (OCS sends `application/x-compress`, the injector `Application/x-compress`).
 */
export function detectCompression(buf: Buffer): Compression {
  if (buf.length >= 2 && buf[0] === 0x78 && ((buf[0] << 8) | buf[1]!) % 31 === 0) return 'zlib';
  if (buf.length >= 3 && buf[0] === 0x1f && buf[1] === 0x8b && buf[2] === 0x08) return 'gzip';
  return 'none';
}

/**
 * Streams the body through inflate/gunzip counting the output, and stops as soon as it passes
 * `limit` bytes: a decompression bomb costs at most `limit` bytes of memory and the time to
 * produce them. A truncated or corrupt stream is refused.
 */
export function inflateBounded(buf: Buffer, compression: Exclude<Compression, 'none'>, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = compression === 'zlib' ? createInflate({ chunkSize: 64 * 1024 }) : createGunzip({ chunkSize: 64 * 1024 });
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const fail = (err: ProtocolError) => {
      if (settled) return;
      settled = true;
      z.destroy();
      reject(err);
    };
    z.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > limit) {
        fail(new ProtocolError(413, `The decompressed message is larger than the ${limit} bytes this server accepts.`, 'inflated_too_large'));
        return;
      }
      chunks.push(chunk);
    });
    z.on('error', (err: Error) => fail(new ProtocolError(400, `The ${compression} data is corrupt or truncated (${err.message}).`, 'corrupt_compression')));
    z.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, total));
    });
    z.end(buf);
  });
}

/** UTF-8 (BOM stripped); bytes that are not valid UTF-8 are read as Latin-1, as GLPI does (§2). */
export function decodeText(bytes: Buffer): string {
  const body = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return body.toString('latin1');
  }
}

/** `<` → XML, `{` → JSON (after leading whitespace), else not an agent message. */
export function sniffFormat(text: string): WireFormat | null {
  const m = /^\s*([<{])/.exec(text);
  if (!m) return null;
  return m[1] === '<' ? 'xml' : 'json';
}

// ---------------------------------------------------------------------------------------------
// Replies (before compression). Byte-for-byte what the protocol doc says each agent accepts.
// ---------------------------------------------------------------------------------------------

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';

/** Element text: only `&`, `<` and `>` need escaping. */
const escapeXml = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);

/** §3.3: XML PROLOG (no GLPI-Agent-ID header) → run the inventory; PROLOG_FREQ = hours between contacts. */
export const xmlPrologReply = (freqHours: number) =>
  `${XML_DECL}<REPLY><RESPONSE>SEND</RESPONSE><PROLOG_FREQ>${freqHours}</PROLOG_FREQ></REPLY>`;

/** §3.5: XML INVENTORY accepted (the OCS server's answer). */
export const xmlInventoryReply = () => `${XML_DECL}<REPLY><RESPONSE>NO_ACCOUNT_UPDATE</RESPONSE></REPLY>`;

/** §4.1: XML PROLOG with a GLPI-Agent-ID header → switch GLPI Agent to the JSON protocol (GLPI 10 does this); also §4.3 JSON inventory accepted. */
export const jsonOkReply = (freqHours: number) => JSON.stringify({ status: 'ok', expiration: freqHours });

/** §4.2: JSON CONTACT → run the native inventory task. */
export const jsonContactReply = (freqHours: number) =>
  JSON.stringify({ status: 'ok', expiration: freqHours, tasks: { inventory: { server: 'glpi', version: '10.0.0' } } });

/** §1.5 error replies. */
export const xmlErrorReply = (message: string) => `${XML_DECL}<REPLY><ERROR>${escapeXml(message)}</ERROR></REPLY>`;
export const jsonErrorReply = (message: string, freqHours: number) => JSON.stringify({ status: 'error', message, expiration: freqHours });

const CONTENT_TYPES: Record<Compression, string | null> = {
  zlib: 'application/x-compress-zlib',
  gzip: 'application/x-compress-gzip',
  none: null,
};

/**
 * Compresses the reply like the request: zlib at the DEFAULT level (header `78 9C`; level 9's
 * `78 DA` breaks FusionInventory 2.6, §2), gzip, or plain — with the Content-Type GLPI Agent
 * decodes by. No charset parameter: GLPI Agent compares the type exactly.
 */
export function encodeReply(text: string, format: WireFormat, compression: Compression): { contentType: string; body: Buffer } {
  const raw = Buffer.from(text, 'utf8');
  if (compression === 'zlib') return { contentType: CONTENT_TYPES.zlib!, body: deflateSync(raw) };
  if (compression === 'gzip') return { contentType: CONTENT_TYPES.gzip!, body: gzipSync(raw) };
  return { contentType: format === 'json' ? 'application/json' : 'application/xml', body: raw };
}

/** Before the body is read (oversize refusals), the request's Content-Type is the only hint. */
export function hintFromContentType(contentType: string | undefined): { compression: Compression; format: WireFormat } {
  const ct = (contentType ?? '').toLowerCase();
  const compression: Compression = ct.includes('x-compress-gzip') ? 'gzip' : ct.includes('x-compress') ? 'zlib' : 'none';
  return { compression, format: ct.includes('json') ? 'json' : 'xml' };
}

/** `Authorization: Basic base64(user:password)` → the parts; null when absent, 'malformed' otherwise. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | null | 'malformed' {
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header);
  if (!m) return 'malformed';
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return 'malformed';
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** `FusionInventory-Agent_v2.6-3`, `OCS-NG_unified_unix_agent_v2.10.0`, `GLPI-Agent_v1.12-dev` → name + version. */
export function parseUserAgent(ua: string | undefined): { name: string | null; version: string | null } {
  const s = (ua ?? '').trim().slice(0, 200);
  if (!s) return { name: null, version: null };
  const m = /^(.+?)_v(\d[\w.+~-]*)$/.exec(s) ?? /^(.+?)\/(\d[\w.+~-]*)/.exec(s);
  return m ? { name: m[1]!, version: m[2]! } : { name: s, version: null };
}
