// One mapping from errors to HTTP, and one error body for every route:
//   { "code": "CLUTCH_…", "message": "what went wrong and what to do", "details"?: [...] }
// Validation → 400 CLUTCH_BAD_REQUEST with one detail per problem ({ in, path, message }); coded
// errors → their status; Fastify's own client errors → CLUTCH_HTTP_<status>; anything else → 500
// without internals. docs/api.md lists the codes.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import Type, { type TSchema } from 'typebox';
import { isClutchError } from '../errors.ts';

export const ErrorDetail = Type.Object(
  {
    /** Where the problem is: querystring, params, body, headers, or a domain word (e.g. "payload"). */
    in: Type.String(),
    /** JSON pointer into that part ("/limit"), empty for the part as a whole. */
    path: Type.String(),
    message: Type.String(),
  },
  { additionalProperties: true },
);
export type ErrorDetail = { in: string; path: string; message: string } & Record<string, unknown>;

/** The error body of every route. */
export const ErrorBody = Type.Object({ code: Type.String({ pattern: '^CLUTCH_' }), message: Type.String(), details: Type.Optional(Type.Array(ErrorDetail)) }, { description: 'Every 4xx/5xx answer: a stable code, a message, and details when there are several problems.' });

/** An error body with extra top-level fields a route documents (e.g. the rejected payloads of an ingest). */
export const errorBodyWith = <T extends Record<string, TSchema>>(extra: T) => Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Array(ErrorDetail)), ...extra });

export function sendError(reply: FastifyReply, status: number, code: string, message: string, details?: ErrorDetail[], extra: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).send({ code, message, ...(details?.length ? { details } : {}), ...extra });
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      const part = err.validationContext ?? 'request';
      const details = err.validation.map((v) => {
        const params = v.params as { additionalProperty?: string; missingProperty?: string };
        const path = params.additionalProperty ? `${v.instancePath}/${params.additionalProperty}` : params.missingProperty ? `${v.instancePath}/${params.missingProperty}` : v.instancePath;
        const what = params.additionalProperty ? `unknown ${part === 'querystring' ? 'parameter' : 'property'} "${params.additionalProperty}"` : (v.message ?? 'invalid');
        return { in: part, path, message: what };
      });
      return sendError(reply, 400, 'CLUTCH_BAD_REQUEST', err.message, details);
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ error: err }, 'request failed');
    if (isClutchError(err)) return sendError(reply, status, err.code, err.message);
    // Fastify's own client errors (body too large, bad JSON, unsupported media type…).
    if (status < 500) return sendError(reply, status, `CLUTCH_HTTP_${status}`, err.message);
    return sendError(reply, 500, 'CLUTCH_INTERNAL', 'internal error; it has been logged');
  });
  app.setNotFoundHandler((req, reply) => {
    sendError(reply, 404, 'CLUTCH_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
  });
}
