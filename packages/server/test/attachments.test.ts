import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { addMember, call, createTestApp, engines, eventCount, login, newOrganization, setupOwner, switchTo, type Session, type TestApp } from './harness.js';

interface Problem { status: number; code: string; errors: { path: string; code?: string }[] }
interface Attachment { id: string; kind: string; fileName: string; contentType: string; sizeBytes: number; sha256: string; uploadedBy: { id: string; displayName: string } | null }

/** A real 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
/** A small but well-formed PDF. */
const PDF = Buffer.from([
  '%PDF-1.4', '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj', '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
  '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >> endobj', 'trailer << /Root 1 0 R >>', '%%EOF', '',
].join('\n'));
const HTML = Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>');
const XML_SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
const CSV = Buffer.from('tag,serial\nLAP-1,SN-1\n');
const EXE = Buffer.concat([Buffer.from('MZ'), randomBytes(200)]);

interface Part { name: string; filename?: string; contentType?: string; data: Buffer | string }

function multipart(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = `----custodian${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename !== undefined ? `Content-Type: ${p.contentType ?? 'application/octet-stream'}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

const MAX = 64 * 1024;

describe.each(engines)('attachments and model images (%s)', (engine) => {
  let t: TestApp;
  let owner: Session;
  let ownerB: Session;
  let tech: Session;
  let auditor: Session;
  let assetId: string;
  let modelId: string;
  let assetB: string;

  const created = async <T>(as: Session, url: string, body: unknown): Promise<T> => {
    const res = await call(t, as, 'POST', url, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<T>();
  };

  beforeAll(async () => {
    t = await createTestApp(engine, { MAX_UPLOAD_BYTES: String(MAX) });
    owner = await setupOwner(t, 'Org A');
    ownerB = await switchTo(t, await login(t, owner.email), await newOrganization(t, owner, 'Org B'));
    tech = await addMember(t, owner, 'technician');
    auditor = await addMember(t, owner, 'auditor');
    const cat = await created<{ id: string }>(owner, '/api/v1/categories', { name: 'Laptops', assetClass: 'laptop' });
    modelId = (await created<{ id: string }>(owner, '/api/v1/models', { name: 'Model 1', categoryId: cat.id })).id;
    assetId = (await created<{ id: string }>(owner, '/api/v1/assets', { modelId })).id;
    const catB = await created<{ id: string }>(ownerB, '/api/v1/categories', { name: 'B', assetClass: 'laptop' });
    const modelB = await created<{ id: string }>(ownerB, '/api/v1/models', { name: 'B model', categoryId: catB.id });
    assetB = (await created<{ id: string }>(ownerB, '/api/v1/assets', { modelId: modelB.id })).id;
  });
  afterAll(() => t.close());

  const upload = (as: Session, url: string, parts: Part[], method: 'POST' | 'PUT' = 'POST') => {
    const { payload, contentType } = multipart(parts);
    return t.app.inject({ method, url, payload, headers: { cookie: as.cookie, 'x-csrf-token': as.csrf, 'content-type': contentType } });
  };
  const attach = (as: Session, filename: string, data: Buffer, extra: Part[] = [], id = assetId) =>
    upload(as, `/api/v1/assets/${id}/attachments`, [...extra, { name: 'file', filename, data, contentType: 'application/octet-stream' }]);
  const rows = async () => Number((await t.database.db.selectFrom('attachments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const storedFiles = (orgId: string) => {
    const dir = join(t.config.dataDir, 'attachments', orgId);
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  /** Status and code, and that no row, no event and no file (not even a temporary one) was left behind. */
  async function refused(send: () => Promise<{ statusCode: number; json: <T>() => T; body: string }>, status: number, code: string): Promise<Problem> {
    const [events, count, files] = [await eventCount(t), await rows(), storedFiles(owner.orgId).length];
    const res = await send();
    expect(res.statusCode, res.body).toBe(status);
    const p = res.json<Problem>();
    expect(p.code).toBe(code);
    expect(await eventCount(t)).toBe(events);
    expect(await rows()).toBe(count);
    expect(storedFiles(owner.orgId)).toHaveLength(files);
    return p;
  }

  it('accepts a real PNG and serves it back byte-identical, inline, with nosniff and a sandbox CSP', async () => {
    const res = await attach(tech, 'photo of label.png', PNG, [{ name: 'kind', data: 'photo' }]);
    expect(res.statusCode, res.body).toBe(201);
    const a = res.json<Attachment>();
    expect(a).toMatchObject({ kind: 'photo', fileName: 'photo of label.png', contentType: 'image/png', sizeBytes: PNG.length, sha256: createHash('sha256').update(PNG).digest('hex'), uploadedBy: { id: tech.userId } });
    expect(existsSync(join(t.config.dataDir, 'attachments', owner.orgId, a.id))).toBe(true);
    const dl = await call(t, auditor, 'GET', `/api/v1/attachments/${a.id}/content`);
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.equals(PNG)).toBe(true);
    expect(dl.headers['content-type']).toBe('image/png');
    expect(dl.headers['content-disposition']).toMatch(/^inline; filename="photo of label.png"/);
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(dl.headers['content-security-policy']).toBe('sandbox');
    const list = await call(t, auditor, 'GET', `/api/v1/assets/${assetId}/attachments`);
    expect(list.json<Attachment[]>().map((x) => x.id)).toContain(a.id);
    const ev = await t.database.db.selectFrom('events').select(['action', 'meta']).where('entity_id', '=', assetId).where('action', '=', 'asset.attachment_added').execute();
    expect(ev.some((e) => (JSON.parse(e.meta) as { attachmentId: string }).attachmentId === a.id)).toBe(true);
    expect((await call(t, owner, 'GET', `/api/v1/assets/${assetId}`)).json<{ attachmentCount: number }>().attachmentCount).toBeGreaterThan(0);
  });

  it('accepts a PDF (inline) and a CSV (download as attachment), typed by their content', async () => {
    const pdf = (await attach(owner, 'invoice.pdf', PDF, [{ name: 'kind', data: 'invoice' }])).json<Attachment>();
    expect(pdf).toMatchObject({ kind: 'invoice', contentType: 'application/pdf' });
    const dl = await call(t, owner, 'GET', `/api/v1/attachments/${pdf.id}/content`);
    expect(dl.rawPayload.equals(PDF)).toBe(true);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['content-disposition']).toMatch(/^inline;/);
    const csv = (await attach(owner, 'inventory.csv', CSV)).json<Attachment>();
    expect(csv).toMatchObject({ kind: 'other', contentType: 'text/csv' });
    const c = await call(t, owner, 'GET', `/api/v1/attachments/${csv.id}/content`);
    expect(c.body).toBe(CSV.toString());
    expect(c.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(c.headers['content-disposition']).toMatch(/^attachment; filename="inventory.csv"/);
    expect(c.headers['content-security-policy']).toBe('sandbox');
    // Non-ASCII names are kept (RFC 5987 in the header).
    const named = (await attach(owner, 'Rechnung März.pdf', PDF)).json<Attachment>();
    const d = await call(t, owner, 'GET', `/api/v1/attachments/${named.id}/content`);
    expect(d.headers['content-disposition']).toContain("filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf");
  });

  it('refuses HTML renamed .pdf, SVG, XML, executables and type/name mismatches with 415, storing nothing', async () => {
    const p = await refused(() => attach(owner, 'invoice.pdf', HTML), 415, 'upload.unsupported_type');
    expect(p.errors[0]?.path).toBe('/body/file');
    await refused(() => attach(owner, 'page.html', HTML), 415, 'upload.unsupported_type');
    await refused(() => attach(owner, 'notes.txt', HTML), 415, 'upload.unsupported_type');
    await refused(() => attach(owner, 'logo.svg', SVG), 415, 'upload.unsupported_type');
    await refused(() => attach(owner, 'logo.png', XML_SVG), 415, 'upload.unsupported_type');
    await refused(() => attach(owner, 'setup.exe', EXE), 415, 'upload.unsupported_type');
    await refused(() => attach(owner, 'photo.jpg', PNG), 415, 'upload.unsupported_type');
    await refused(() => attach(owner, 'readme.pdf', Buffer.from('just text')), 415, 'upload.unsupported_type');
  });

  it('refuses a file over MAX_UPLOAD_BYTES with 413, and other malformed uploads with 4xx', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(MAX + 1)]);
    const p = await refused(() => attach(owner, 'big.png', big), 413, 'upload.too_large');
    expect(p.errors[0]?.path).toBe('/body/file');
    await refused(() => upload(owner, `/api/v1/assets/${assetId}/attachments`, [{ name: 'kind', data: 'photo' }]), 400, 'upload.file_required');
    await refused(() => attach(owner, 'x.png', PNG, [{ name: 'kind', data: 'selfie' }]), 422, 'asset.invalid');
    await refused(() => attach(owner, 'empty.txt', Buffer.alloc(0)), 422, 'upload.empty');
    await refused(() => upload(owner, `/api/v1/assets/${assetId}/attachments`, [{ name: 'other', filename: 'a.png', data: PNG }]), 400, 'upload.unexpected_file');
    await refused(() => call(t, owner, 'POST', `/api/v1/assets/${assetId}/attachments`, { file: 'x' }), 415, 'upload.not_multipart');
    await refused(() => attach(auditor, 'x.png', PNG), 403, 'auth.forbidden');
  });

  it('the upload limit is MAX_UPLOAD_BYTES, not the JSON body limit', async () => {
    const small = await createTestApp(engine, { MAX_UPLOAD_BYTES: String(MAX), BODY_LIMIT_BYTES: '2048' });
    try {
      const s = await setupOwner(small, 'Small');
      const cat = (await call(small, s, 'POST', '/api/v1/categories', { name: 'C', assetClass: 'other' })).json<{ id: string }>();
      const mdl = (await call(small, s, 'POST', '/api/v1/models', { name: 'M', categoryId: cat.id })).json<{ id: string }>();
      const asset = (await call(small, s, 'POST', '/api/v1/assets', { modelId: mdl.id })).json<{ id: string }>();
      const text = Buffer.from('x,y\n'.repeat(5000)); // 20 000 bytes: over the body limit, under the upload limit
      const { payload, contentType } = multipart([{ name: 'file', filename: 'big.csv', data: text }]);
      const res = await small.app.inject({ method: 'POST', url: `/api/v1/assets/${asset.id}/attachments`, payload, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': contentType } });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json<Attachment>().sizeBytes).toBe(text.length);
    } finally {
      await small.close();
    }
  });

  it('keeps organizations apart: another organization\'s attachment or asset is 404', async () => {
    const b = await upload(ownerB, `/api/v1/assets/${assetB}/attachments`, [{ name: 'file', filename: 'b.png', data: PNG }]);
    expect(b.statusCode, b.body).toBe(201);
    const idB = b.json<Attachment>().id;
    expect((await call(t, owner, 'GET', `/api/v1/attachments/${idB}/content`)).statusCode).toBe(404);
    await refused(() => call(t, owner, 'DELETE', `/api/v1/attachments/${idB}`), 404, 'attachment.not_found');
    await refused(() => attach(owner, 'x.png', PNG, [], assetB), 404, 'asset.not_found');
    expect((await call(t, owner, 'GET', `/api/v1/assets/${assetB}/attachments`)).statusCode).toBe(404);
    expect((await call(t, ownerB, 'GET', `/api/v1/attachments/${idB}/content`)).rawPayload.equals(PNG)).toBe(true);
  });

  it('deletes an attachment: row, file and an asset.attachment_removed event', async () => {
    const a = (await attach(owner, 'old.png', PNG)).json<Attachment>();
    const file = join(t.config.dataDir, 'attachments', owner.orgId, a.id);
    expect(existsSync(file)).toBe(true);
    await refused(() => call(t, auditor, 'DELETE', `/api/v1/attachments/${a.id}`), 403, 'auth.forbidden');
    expect((await call(t, tech, 'DELETE', `/api/v1/attachments/${a.id}`)).statusCode).toBe(200);
    expect(existsSync(file)).toBe(false);
    expect((await call(t, owner, 'GET', `/api/v1/attachments/${a.id}/content`)).statusCode).toBe(404);
    const ev = await t.database.db.selectFrom('events').select(['changes']).where('entity_id', '=', assetId).where('action', '=', 'asset.attachment_removed').execute();
    expect(ev.map((e) => JSON.parse(e.changes) as Record<string, unknown>)).toContainEqual({ attachments: { before: 'old.png', after: null } });
  });

  it('model image: PUT replaces it (images only, same limits), GET serves it', async () => {
    expect((await call(t, owner, 'GET', `/api/v1/models/${modelId}/image`)).json<Problem>().code).toBe('model.no_image');
    const first = await upload(owner, `/api/v1/models/${modelId}/image`, [{ name: 'file', filename: 'm.png', data: PNG }], 'PUT');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json<{ contentType: string; sizeBytes: number }>()).toMatchObject({ contentType: 'image/png', sizeBytes: PNG.length });
    const got = await call(t, auditor, 'GET', `/api/v1/models/${modelId}/image`);
    expect(got.rawPayload.equals(PNG)).toBe(true);
    expect(got.headers['x-content-type-options']).toBe('nosniff');
    expect((await call(t, owner, 'GET', `/api/v1/models/${modelId}`)).json<{ hasImage: boolean }>().hasImage).toBe(true);
    const before = storedFiles(owner.orgId).length;
    const second = await upload(owner, `/api/v1/models/${modelId}/image`, [{ name: 'file', filename: 'm2.png', data: PNG }], 'PUT');
    expect(second.statusCode).toBe(200);
    expect(storedFiles(owner.orgId)).toHaveLength(before); // the previous image file is gone
    await refused(() => upload(owner, `/api/v1/models/${modelId}/image`, [{ name: 'file', filename: 'm.pdf', data: PDF }], 'PUT'), 415, 'upload.unsupported_type');
    await refused(() => upload(owner, `/api/v1/models/${modelId}/image`, [{ name: 'file', filename: 'm.svg', data: SVG }], 'PUT'), 415, 'upload.unsupported_type');
    await refused(() => upload(tech, `/api/v1/models/${modelId}/image`, [{ name: 'file', filename: 'm.png', data: PNG }], 'PUT'), 403, 'auth.forbidden');
    await refused(() => upload(ownerB, `/api/v1/models/${modelId}/image`, [{ name: 'file', filename: 'm.png', data: PNG }], 'PUT'), 404, 'model.not_found');
    const ev = await t.database.db.selectFrom('events').select('action').where('entity_id', '=', modelId).where('action', '=', 'model.image_updated').execute();
    expect(ev).toHaveLength(2);
  });
});

describe('MAX_UPLOAD_BYTES configuration', () => {
  it('defaults to 25 MiB and is validated like the other numbers', async () => {
    const { loadConfig } = await import('../src/config.js');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'custodian-upload-'));
    expect(loadConfig({ DATA_DIR: dir }).maxUploadBytes).toBe(25 * 1024 * 1024);
    expect(loadConfig({ DATA_DIR: dir, MAX_UPLOAD_BYTES: '1048576' }).maxUploadBytes).toBe(1048576);
    expect(() => loadConfig({ DATA_DIR: dir, MAX_UPLOAD_BYTES: 'lots' })).toThrow(/MAX_UPLOAD_BYTES must be a whole number/);
    expect(() => loadConfig({ DATA_DIR: dir, MAX_UPLOAD_BYTES: '10' })).toThrow(/MAX_UPLOAD_BYTES must be between/);
  });
});
