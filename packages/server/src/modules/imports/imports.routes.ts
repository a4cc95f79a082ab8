import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import multipart from '@fastify/multipart';
import { IdParams, Ok } from '../../lib/schemas.js';
import {
  CommitBody, CreatePresetBody, ErrorPage, ErrorQuery, ExportParams, ImportJob, JobListQuery, JobPage, Preset, PresetQuery, Target, UpdateJobBody,
} from './imports.schemas.js';
import * as imports from './imports.service.js';

const tags = ['imports'];
const FileResponse = (type: string, description: string) => ({ description, content: { [type]: { schema: Type.String() } } });

export const importRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Multipart only for POST /imports; the size limit comes from MAX_IMPORT_BYTES per request.
  await app.register(multipart, { limits: { files: 1 } });

  app.get('/imports/targets', { config: { access: 'import.run' }, schema: { operationId: 'listImportTargets', tags, summary: 'What can be imported: each target\'s columns (canonical headers, types, synonyms) and match keys', response: { 200: Type.Array(Target) } } },
    (req) => imports.targets(req.ctx));
  app.post('/imports', {
    config: { access: 'import.run' },
    schema: {
      operationId: 'uploadImport', tags, summary: 'Upload a CSV or XLSX file: inspected, rows counted, columns auto-mapped, formats detected',
      description: 'multipart/form-data: the file in `file`; fields `target` (assets, models, users, locations, departments, suppliers), optional `format`, `encoding`, `delimiter`, `sheet`, `presetId`, `options` (JSON). 413 above MAX_IMPORT_BYTES; 415 for a file that is not a spreadsheet; 422 for an empty file, a header without rows, an XLSX bomb …',
      response: { 201: ImportJob },
    },
  }, async (req, reply) => reply.code(201).send(await imports.upload(req.ctx, req)));
  app.get('/imports', { config: { access: 'import.run' }, schema: { operationId: 'listImports', tags, summary: 'Import jobs, newest first', querystring: JobListQuery, response: { 200: JobPage } } },
    (req) => imports.list(req.ctx, req.query));
  app.get('/imports/:id', { config: { access: 'import.run' }, schema: { operationId: 'getImport', tags, summary: 'An import job: file, mapping, formats, options, progress, counts, report', params: IdParams, response: { 200: ImportJob } } },
    (req) => imports.get(req.ctx, req.params.id));
  app.patch('/imports/:id', { config: { access: 'import.run' }, schema: { operationId: 'updateImport', tags, summary: 'Change the mapping, formats, options or file options (a previous dry run is discarded)', params: IdParams, body: UpdateJobBody, response: { 200: ImportJob } } },
    (req) => imports.update(req.ctx, req.params.id, req.body));
  app.delete('/imports/:id', { config: { access: 'import.run' }, schema: { operationId: 'deleteImport', tags, summary: 'Delete a job that is not running, with its file and errors (imported records stay)', params: IdParams, response: { 200: Ok } } },
    async (req) => { await imports.remove(req.ctx, req.params.id); return { ok: true as const }; });
  app.post('/imports/:id/validate', { config: { access: 'import.run' }, schema: { operationId: 'validateImport', tags, summary: 'Dry run in the background: every row checked, nothing written (202)', params: IdParams, response: { 202: ImportJob } } },
    async (req, reply) => reply.code(202).send(await imports.startValidate(req.ctx, req.params.id)));
  app.post('/imports/:id/commit', { config: { access: 'import.run' }, schema: { operationId: 'commitImport', tags, summary: 'Import the rows in the background (202); options may be changed here (mode, createMissing …)', params: IdParams, body: Type.Optional(CommitBody), response: { 202: ImportJob } } },
    async (req, reply) => reply.code(202).send(await imports.startCommit(req.ctx, req.params.id, req.body ?? {})));
  app.post('/imports/:id/cancel', { config: { access: 'import.run' }, schema: { operationId: 'cancelImport', tags, summary: 'Stop a running job (all-or-nothing: nothing stays; valid-only: committed batches stay)', params: IdParams, response: { 202: ImportJob } } },
    async (req, reply) => reply.code(202).send(await imports.cancel(req.ctx, req.params.id)));
  app.get('/imports/:id/progress', {
    config: { access: 'import.run' },
    schema: { operationId: 'importProgress', tags, summary: 'Server-sent events: `progress` events with the job while it runs, then `done`', params: IdParams, response: { 200: FileResponse('text/event-stream', 'event: progress|done, data: the ImportJob as JSON') } },
  }, async (req, reply) => {
    const w = await imports.watch(req.ctx, req.params.id);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-request-id': String(req.id) });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('progress', w.job);
    if (!w.running) {
      send('done', w.job);
      res.end();
      return;
    }
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    let unsubscribe = () => {};
    const close = () => { clearInterval(keepAlive); unsubscribe(); if (!res.writableEnded) res.end(); };
    unsubscribe = w.subscribe((job) => {
      const final = job.status !== 'validating' && job.status !== 'committing';
      send(final ? 'done' : 'progress', job);
      if (final) close();
    });
    req.raw.on('close', close);
  });
  app.get('/imports/:id/errors', { config: { access: 'import.run' }, schema: { operationId: 'listImportErrors', tags, summary: 'Problems found per row and cell, in file order (keyset on seq)', params: IdParams, querystring: ErrorQuery, response: { 200: ErrorPage } } },
    (req) => imports.errors(req.ctx, req.params.id, req.query));
  app.get('/imports/:id/errors.csv', { config: { access: 'import.run' }, schema: { operationId: 'downloadImportErrors', tags, summary: 'The rows with problems as in the file, plus an Errors column (fix and import again)', params: IdParams, response: { 200: FileResponse('text/csv', 'CSV (UTF-8 with BOM)') } } },
    async (req, reply) => {
      const out = await imports.errorsCsv(req.ctx, req.params.id);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${out.fileName.replace(/[^\w.-]/g, '_')}"`).header('cache-control', 'no-store')
        .send(out.stream as unknown as string);
    });

  app.get('/import-presets', { config: { access: 'import.run' }, schema: { operationId: 'listImportPresets', tags, summary: 'Saved column mappings', querystring: PresetQuery, response: { 200: Type.Array(Preset) } } },
    (req) => imports.listPresets(req.ctx, req.query));
  app.post('/import-presets', { config: { access: 'import.run' }, schema: { operationId: 'saveImportPreset', tags, summary: 'Save a mapping (given, or a job\'s current one with fromJobId) under a name; the same name replaces it', body: CreatePresetBody, response: { 201: Preset } } },
    async (req, reply) => reply.code(201).send(await imports.savePreset(req.ctx, req.body)));
  app.delete('/import-presets/:id', { config: { access: 'import.run' }, schema: { operationId: 'deleteImportPreset', tags, params: IdParams, response: { 200: Ok } } },
    async (req) => { await imports.deletePreset(req.ctx, req.params.id); return { ok: true as const }; });

  app.get('/exports/:file', {
    config: { access: 'authenticated' },
    schema: {
      operationId: 'exportTarget', tags: ['exports'], summary: 'Full export of a target (assets.csv, users.xlsx …) with the import\'s canonical headers; needs the target\'s read permission',
      params: ExportParams, response: { 200: FileResponse('application/octet-stream', 'CSV (UTF-8 with BOM) or XLSX') },
    },
  }, async (req, reply) => {
    const out = await imports.exportFile(req.ctx, req.params.file);
    return reply.type(out.contentType).header('content-disposition', `attachment; filename="${out.fileName}"`).header('cache-control', 'no-store')
      .send(out.stream as unknown as string);
  });
};
