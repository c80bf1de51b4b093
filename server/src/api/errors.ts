// One mapping from errors to HTTP: validation → 400 CLUTCH_BAD_REQUEST, coded errors → their status,
// anything else → 500 without internals. Every error body is { error: { code, message } }.
import type { FastifyError, FastifyInstance } from 'fastify';
import { isClutchError } from '../errors.ts';

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      return reply.code(400).send({ error: { code: 'CLUTCH_BAD_REQUEST', message: err.message } });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ error: err }, 'request failed');
    if (isClutchError(err)) return reply.code(status).send({ error: { code: err.code, message: err.message } });
    if (status < 500) {
      // Fastify's own client errors (body too large, bad JSON, unsupported media type…).
      return reply.code(status).send({ error: { code: `CLUTCH_HTTP_${status}`, message: err.message } });
    }
    return reply.code(500).send({ error: { code: 'CLUTCH_INTERNAL', message: 'internal error; it has been logged' } });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'CLUTCH_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
}
