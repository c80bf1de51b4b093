// HTTP caching for the read API: every successful GET/HEAD answer of /v1 carries an ETag (a hash of
// the body) and a Cache-Control; a client sending If-None-Match with the same tag gets 304 and no
// body. Routes say how long their answer may be reused (`config.maxAge`, seconds): history that
// cannot change any more (a finished match's events, stats, state at a seq) for long, live data not
// at all without revalidating. Answers are `private`: they belong to the caller's tenant.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Seconds a client may reuse the answer without asking again (0: revalidate every time). */
    maxAge?: number;
  }
}

/** Longest body hashed for an ETag (bigger answers go without one). */
const MAX_HASHED = 8 * 2 ** 20;

const httpCache: FastifyPluginAsync = async (app) => {
  app.addHook('onSend', async (req, reply, payload) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || reply.statusCode !== 200 || !req.url.startsWith('/v1/')) return payload;
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload; // streams (SSE) are not cached
    if (payload.length > MAX_HASHED) return payload;
    if (!reply.hasHeader('cache-control')) {
      const maxAge = reply.routeOptions.config.maxAge ?? 0;
      reply.header('cache-control', maxAge > 0 ? `private, max-age=${maxAge}` : 'private, no-cache');
    }
    const etag = `"${createHash('sha1').update(payload).digest('base64url')}"`;
    reply.header('etag', etag);
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) {
      reply.code(304);
      reply.removeHeader('content-length');
      return '';
    }
    return payload;
  });
};

export default fp(httpCache, { name: 'clutch-http-cache' });
