// Who is posting: the ingest token, from whichever place the source can put it — an
// `Authorization: Bearer` header (get5/MatchZy can set a header), `X-Clutch-Ingest-Token`, the `token`
// query parameter (CS2's logaddress_add_http can only set a URL), or the body's `auth.token` (GSI
// config files send it that way). Verified tokens are cached briefly; a revoked token stops working
// within the cache TTL.
import type { FastifyRequest } from 'fastify';
import { createError } from '../errors.ts';
import type { Store } from '../ports/store.ts';
import { findIngestToken, hashToken, type IngestTokenInfo } from '../store/ingest-tokens.ts';

export const IngestUnauthorized = createError(
  'CLUTCH_INGEST_UNAUTHORIZED',
  'missing or unknown ingest token: send it as "Authorization: Bearer <token>", "X-Clutch-Ingest-Token: <token>", "?token=<token>", or (GSI) auth.token in the body',
  401,
);
export const IngestWrongSource = createError('CLUTCH_INGEST_WRONG_SOURCE', 'this ingest token is for source "%s", not "%s"', 403);

export function tokenFrom(req: FastifyRequest, gsiToken?: string): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const header = req.headers['x-clutch-ingest-token'];
  if (typeof header === 'string' && header) return header;
  const q = (req.query as { token?: unknown }).token;
  if (typeof q === 'string' && q) return q;
  return gsiToken;
}

export interface TokenVerifier {
  verify(token: string | undefined): Promise<IngestTokenInfo>;
}

export function tokenVerifier(store: Store, opts: { ttlMs?: number; max?: number; now?: () => number } = {}): TokenVerifier {
  const ttl = opts.ttlMs ?? 30_000;
  const max = opts.max ?? 10_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { info: IngestTokenInfo | undefined; until: number }>();
  return {
    async verify(token) {
      if (!token || token.length > 256) throw new IngestUnauthorized();
      const h = hashToken(token);
      const hit = cache.get(h);
      let info = hit && hit.until > now() ? hit.info : undefined;
      if (!hit || hit.until <= now()) {
        info = await findIngestToken(store.db, token);
        cache.delete(h);
        cache.set(h, { info, until: now() + ttl }); // unknown tokens are cached too: no DB hit per bad request
        while (cache.size > max) cache.delete(cache.keys().next().value!);
      }
      if (!info) throw new IngestUnauthorized();
      return info;
    },
  };
}
