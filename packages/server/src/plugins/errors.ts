import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { AppError, type FieldError } from '../errors.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/dialect.js';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * Nullable fields are `anyOf [T, null]`, for which Ajv reports every failed branch plus the
 * umbrella `anyOf`. Keep only the informative branch error for such a path.
 */
function dropUnionNoise(errors: FieldError[]): FieldError[] {
  const byPath = new Map<string, FieldError[]>();
  for (const e of errors) byPath.set(e.path, [...(byPath.get(e.path) ?? []), e]);
  return errors.filter((e) => {
    const group = byPath.get(e.path) ?? [];
    if (group.length < 2) return true;
    const noise = e.code === 'anyOf' || (e.code === 'type' && e.message === 'must be null');
    return !noise || group.every((g) => g.code === 'anyOf' || (g.code === 'type' && g.message === 'must be null'));
  });
}

/**
 * A union of literals (an enum written as anyOf const…) fails with one `const` error per option
 * plus the umbrella `anyOf`; report it once as "must be one of …".
 */
function collapseLiteralUnions(errors: AjvError[]): AjvError[] {
  const out: AjvError[] = [];
  const consts = new Map<string, unknown[]>();
  for (const e of errors) if (e.keyword === 'const') consts.set(e.instancePath, [...(consts.get(e.instancePath) ?? []), e.params.allowedValue]);
  for (const e of errors) {
    const options = consts.get(e.instancePath);
    if (options && e.keyword === 'const') continue;
    if (options && e.keyword === 'anyOf') {
      out.push({ instancePath: e.instancePath, keyword: 'enum', params: {}, message: `must be one of: ${options.map(String).join(', ')}` });
      continue;
    }
    out.push(e);
  }
  return out;
}

function fieldErrors(context: string | undefined, errors: AjvError[]): FieldError[] {
  return dropUnionNoise(collapseLiteralUnions(errors).map((e) => {
    let path = `/${context ?? 'body'}${e.instancePath}`;
    if (e.keyword === 'required' && typeof e.params.missingProperty === 'string') path += `/${e.params.missingProperty}`;
    if (e.keyword === 'additionalProperties' && typeof e.params.additionalProperty === 'string') {
      return { path: `${path}/${e.params.additionalProperty}`, message: 'is not a known field', code: 'unknown_field' };
    }
    return { path, message: e.message ?? 'is invalid', code: e.keyword };
  }));
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, err: AppError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) void reply.header(k, v);
  return reply
    .status(err.status)
    .type('application/problem+json')
    .send({
      // Extra members first: they may add to the standard members, never replace them.
      ...err.extra,
      type: `urn:custodian:problem:${err.code}`,
      title: STATUS_CODES[err.status] ?? 'Error',
      status: err.status,
      detail: err.message,
      instance: request.url.split('?')[0],
      code: err.code,
      errors: err.errors,
      requestId: String(request.id),
    });
}

/** Maps anything thrown to an AppError; unknown errors become an opaque 500. */
export function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe?.validation) {
    return new AppError(400, 'validation_failed', 'The request is not valid; see errors for each field.', fieldErrors(fe.validationContext, fe.validation));
  }
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(413, 'payload_too_large', 'The request body is larger than this server accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'unsupported_media_type', 'This content type is not accepted here; send application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(400, 'invalid_json', 'The request body is empty but JSON was declared.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError(400, 'invalid_json', 'The request body is not valid JSON.');
    default:
  }
  if (err instanceof SyntaxError && fe.statusCode === 400) return new AppError(400, 'invalid_json', 'The request body is not valid JSON.');
  if (isUniqueViolation(err)) return new AppError(409, 'conflict', 'This would duplicate an existing record.');
  if (isForeignKeyViolation(err)) return new AppError(422, 'invalid_reference', 'A referenced record does not exist in this organization.');
  if (fe?.statusCode === 429) return new AppError(429, 'rate_limited', 'Too many requests; slow down and try again shortly.');
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError(fe.statusCode, 'bad_request', fe.message);
  }
  return null;
}

export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((err, request, reply) => {
    const mapped = toAppError(err);
    if (mapped) {
      if (mapped.status >= 500) request.log.error({ err }, 'request failed');
      return sendProblem(request, reply, mapped);
    }
    request.log.error({ err }, 'unhandled error');
    return sendProblem(request, reply, new AppError(500, 'internal_error', 'Something went wrong on our side. Quote the request id when reporting it.'));
  });
});
