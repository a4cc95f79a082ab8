/**
 * File uploads, shared by every module that stores files (attachments, model images, later
 * certificates and evidence): multipart streaming to a temporary file with size limit and SHA-256,
 * content type sniffed from the bytes (never trusted from the client), storage under
 * `DATA_DIR/attachments/<orgId>/<id>`, and the download headers that keep stored files inert.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart'; // request.parts() / isMultipart() types
import { fileTypeFromFile } from 'file-type';
import { AppError } from '../errors.js';
import { UUID_RE } from './ids.js';

/** Allowed content types, each with the file name extensions that may carry it. */
const DOCUMENT_TYPES: Record<string, readonly string[]> = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg', 'jpe', 'jfif'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'image/heic': ['heic', 'heif'],
  'image/heif': ['heic', 'heif'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'text/plain': ['txt', 'text', 'log'],
  'text/csv': ['csv'],
};

const IMAGE_TYPES: Record<string, readonly string[]> = {
  'image/png': DOCUMENT_TYPES['image/png']!,
  'image/jpeg': DOCUMENT_TYPES['image/jpeg']!,
  'image/gif': DOCUMENT_TYPES['image/gif']!,
  'image/webp': DOCUMENT_TYPES['image/webp']!,
};

export type UploadPolicy = 'document' | 'image';

const POLICIES: Record<UploadPolicy, { types: Record<string, readonly string[]>; described: string }> = {
  document: { types: DOCUMENT_TYPES, described: 'PDF, PNG, JPEG, GIF, WebP, HEIC, plain text, CSV, Word (.docx) or Excel (.xlsx)' },
  image: { types: IMAGE_TYPES, described: 'PNG, JPEG, GIF or WebP' },
};

/** Content types a browser may show in place (PDF and raster images); everything else downloads. */
const INLINE_TYPES = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/heic', 'image/heif']);

export interface ReceivedUpload {
  /** Temporary file next to its final place (same directory, so storing it is an atomic rename). */
  tempPath: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  /** The other (text) form fields, by name. */
  fields: Record<string, string>;
}

/** What a service needs from the request: the multipart stream. */
export type MultipartSource = Pick<FastifyRequest, 'isMultipart' | 'parts'>;

const unsupported = (message: string) => new AppError(415, 'upload.unsupported_type', message, [{ path: '/body/file', message, code: 'unsupported_type' }]);
const tooLarge = (max: number) => new AppError(413, 'upload.too_large', `The file is larger than the ${formatBytes(max)} this server accepts.`, [{ path: '/body/file', message: `must be at most ${max} bytes`, code: 'maxSize' }], { maxBytes: max });

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  return `${n} bytes`;
}

/** `DATA_DIR/attachments/<orgId>/<id>`; both parts must be UUIDs (they come from our database). */
export function storagePath(dataDir: string, orgId: string, id: string): string {
  if (!UUID_RE.test(orgId) || !UUID_RE.test(id)) throw new Error('storage keys are UUIDs');
  return join(dataDir, 'attachments', orgId, id);
}

/** A file name safe to store and show: no directories, no control characters, at most 200 characters. */
export function cleanFileName(name: string | undefined): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const base = basename((name ?? '').replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (base || 'file').slice(-200);
}

/**
 * Reads the multipart request: exactly one file in the form field `file` (streamed to a temporary
 * file while its size and SHA-256 are computed) and any text fields. Then sniffs the type from
 * the bytes. 413 above `maxBytes`, 415 for a type the policy does not allow or a name whose
 * extension claims another type. The caller must `store()` or `discard()` the temporary file.
 */
export async function receiveUpload(
  src: MultipartSource,
  opts: { dataDir: string; orgId: string; id: string; maxBytes: number; policy: UploadPolicy },
): Promise<ReceivedUpload> {
  if (!src.isMultipart()) {
    throw new AppError(415, 'upload.not_multipart', 'Send the file as multipart/form-data in the field "file".');
  }
  const final = storagePath(opts.dataDir, opts.orgId, opts.id);
  const tempPath = join(final, '..', `.${opts.id}.part`);
  await mkdir(join(final, '..'), { recursive: true });
  const fields: Record<string, string> = {};
  let file: { fileName: string; sizeBytes: number; sha256: string } | null = null;
  try {
    try {
      for await (const part of src.parts({ limits: { fileSize: opts.maxBytes, files: 1, fields: 20, fieldSize: 10_000, parts: 25 } })) {
        if (part.type === 'field') {
          if (typeof part.value === 'string') fields[part.fieldname] = part.value;
          continue;
        }
        if (part.fieldname !== 'file' || file) {
          part.file.resume();
          throw new AppError(400, 'upload.unexpected_file', `Only one file, in the form field "file", is accepted (got "${part.fieldname}").`, [
            { path: `/body/${part.fieldname}`, message: 'is not expected', code: 'unexpected_file' },
          ]);
        }
        const hash = createHash('sha256');
        let size = 0;
        await pipeline(part.file, new Transform({
          transform(chunk: Buffer, _enc, cb) {
            hash.update(chunk);
            size += chunk.length;
            cb(null, chunk);
          },
        }), createWriteStream(tempPath, { mode: 0o600 }));
        if (part.file.truncated) throw tooLarge(opts.maxBytes);
        file = { fileName: cleanFileName(part.filename), sizeBytes: size, sha256: hash.digest('hex') };
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      const code = (err as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(opts.maxBytes);
      if (code === 'FST_FILES_LIMIT') throw new AppError(400, 'upload.too_many_files', 'Send one file per request.');
      if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new AppError(400, 'upload.too_many_parts', 'The form has too many fields.');
      if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') throw new AppError(415, 'upload.not_multipart', 'Send the file as multipart/form-data in the field "file".');
      throw new AppError(400, 'upload.malformed', `The multipart body could not be read: ${(err as Error).message}`);
    }
    if (!file) {
      throw new AppError(400, 'upload.file_required', 'No file was sent; put it in the form field "file".', [{ path: '/body/file', message: 'is required', code: 'required' }]);
    }
    if (file.sizeBytes === 0) throw new AppError(422, 'upload.empty', 'The file is empty.', [{ path: '/body/file', message: 'must not be empty', code: 'minSize' }]);
    const contentType = await sniff(tempPath, file.fileName, opts.policy);
    return { tempPath, fields, contentType, ...file };
  } catch (err) {
    await rm(tempPath, { force: true });
    throw err;
  }
}

/** Moves a received upload to its final place (call inside the transaction, as its last step). */
export async function store(upload: ReceivedUpload, dataDir: string, orgId: string, id: string): Promise<void> {
  await rename(upload.tempPath, storagePath(dataDir, orgId, id));
}

/** Removes a temporary or stored file; missing files are fine. */
export async function discard(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** The type of the stored bytes, decided by their content, checked against the policy and the name. */
export async function sniff(path: string, fileName: string, policy: UploadPolicy): Promise<string> {
  const { types, described } = POLICIES[policy];
  const detected = await fileTypeFromFile(path);
  let mime: string;
  if (detected) {
    mime = detected.mime;
  } else {
    const text = await readTextHead(path);
    if (text === null) throw unsupported(`This kind of file is not accepted; upload ${described}.`);
    if (looksLikeMarkup(text)) throw unsupported(`HTML, SVG and XML files are not accepted; upload ${described}.`);
    mime = extname(fileName).toLowerCase() === '.csv' ? 'text/csv' : 'text/plain';
  }
  const extensions = types[mime];
  if (!extensions) throw unsupported(`Files of type ${mime} are not accepted; upload ${described}.`);
  const ext = extname(fileName).slice(1).toLowerCase();
  if (ext && !extensions.includes(ext)) {
    throw unsupported(`"${fileName}" is named .${ext} but its content is ${mime}; rename it or upload the right file.`);
  }
  return mime;
}

const TEXT_HEAD_BYTES = 64 * 1024;

/** The start of the file as text, or null if it is not UTF-8 text (NUL or other control bytes). */
async function readTextHead(path: string): Promise<string | null> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(TEXT_HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, TEXT_HEAD_BYTES, 0);
    const bytes = buf.subarray(0, bytesRead);
    // eslint-disable-next-line no-control-regex -- control bytes mark binary content
    if (/[\u0000-\u0008\u000b\u000e-\u001a\u001c-\u001f\u007f]/.test(bytes.toString('latin1'))) return null;
    try {
      // stream: true tolerates a multi-byte character cut at the end of the sample.
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    } catch {
      return null;
    }
  } finally {
    await fh.close();
  }
}

/** HTML, SVG and XML announce themselves at the start; a few tags are dangerous anywhere. */
function looksLikeMarkup(text: string): boolean {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (/^<[!?a-z/]/i.test(head)) return true;
  return /<\s*(script|svg|html|iframe|object|embed|body|head|meta|link|style)\b/i.test(text) || /<!doctype/i.test(text);
}

const asciiFallback = (name: string) => name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');

/**
 * Sends a stored file with headers that keep it inert: `Content-Disposition: attachment` (inline
 * only for PDF and raster images), `X-Content-Type-Options: nosniff`, `Content-Security-Policy: sandbox`.
 */
export async function sendStored(
  reply: FastifyReply,
  file: { path: string; contentType: string; fileName: string; sizeBytes: number; sha256: string },
): Promise<FastifyReply> {
  let body: ReadStream;
  try {
    await stat(file.path);
    body = createReadStream(file.path);
  } catch {
    throw new AppError(404, 'attachment.content_missing', 'The stored file is missing; upload it again.');
  }
  const disposition = INLINE_TYPES.has(file.contentType) ? 'inline' : 'attachment';
  const type = file.contentType.startsWith('text/') ? `${file.contentType}; charset=utf-8` : file.contentType;
  return reply
    .header('content-type', type)
    .header('content-length', String(file.sizeBytes))
    .header('content-disposition', `${disposition}; filename="${asciiFallback(file.fileName)}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', 'sandbox')
    .header('cache-control', 'private, no-cache')
    .header('etag', `"${file.sha256}"`)
    .send(body);
}
