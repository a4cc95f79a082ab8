/**
 * The endpoints inventory agents POST to. They speak the agents' protocol, not the JSON API:
 * raw bodies (no JSON parser in this scope), the protocol's replies and error replies (never
 * problem+json), agent authentication by HTTP Basic challenge with an enrolment secret. Hidden
 * from the OpenAPI document.
 *
 *   POST /inventory/<path>          <path> = the organization's inventory path (default: its slug)
 *   POST /inventory                 \
 *   POST /ocsinventory              |  the organization comes from ?org=<path>, or else from the
 *   POST /front/inventory.php       |  enrolment secret sent as the HTTP Basic password
 *   POST /plugins/fusioninventory/  /
 */
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import * as ingest from './discovery.ingest.js';
import { ProtocolError } from './discovery.protocol.js';

/** Where agents send by default (protocol doc §1, §6), besides `/inventory/<path>`. */
export const AGENT_PATHS = [
  '/inventory', '/ocsinventory', '/ocsinventory/', '/front/inventory.php', '/plugins/fusioninventory/', '/plugins/fusioninventory',
] as const;

function send(reply: FastifyReply, r: ingest.AgentReply): FastifyReply {
  return reply.code(r.status).headers(r.headers).send(r.body);
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export const agentProtocolRoutes: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  // Agents send zlib/gzip/XML/JSON under many content types (`application/x-compress`,
  // `Application/x-compress`, `application/x-compress-zlib`, …, or none): take every body raw and
  // decide by its magic bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.maxInventoryBytes }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const tooLarge = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    const status = tooLarge ? 413 : typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    const message = tooLarge
      ? `The message is larger than the ${config.maxInventoryBytes} bytes this server accepts.`
      : status < 500 ? err.message : 'Something went wrong on the server; the agent should try again later.';
    if (status >= 500) req.log.error({ err }, 'agent request failed');
    else req.log.warn({ code: err.code, status, ip: req.ip, userAgent: req.headers['user-agent'] }, `agent request refused: ${message}`);
    return send(reply, ingest.errorReply(new ProtocolError(status, message, tooLarge ? 'too_large' : 'bad_request'), ingest.hintFor(req.headers['content-type'])));
  });

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const params = (req.params ?? {}) as { path?: string };
    const query = (req.query ?? {}) as Record<string, unknown>;
    return send(reply, await ingest.handle(req.ctx, {
      path: params.path ?? null,
      orgQuery: typeof query.org === 'string' && query.org ? query.org : null,
      authorization: header(req, 'authorization'),
      agentUuid: header(req, 'glpi-agent-id'),
      userAgent: header(req, 'user-agent'),
      contentType: header(req, 'content-type'),
      ip: req.ip,
      body: Buffer.isBuffer(req.body) ? req.body : undefined,
    }, req.log));
  };

  const opts = { config: { access: 'public' as const }, bodyLimit: config.maxInventoryBytes, schema: { hide: true } };
  app.post('/inventory/:path', opts, handler);
  for (const url of AGENT_PATHS) app.post(url, opts, handler);
};
