// GET /v1/matches and /v1/matches/:id — match summaries of the caller's tenant (until API keys land
// in issue #7, anonymous callers read CLUTCH_DEFAULT_TENANT).
import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TITLES, type LiveSummary } from '@clutch/core';
import type { CacheBackend } from '../ports/cache.ts';
import { ErrorBody, sendError } from './errors.ts';
import { summaryKey } from '../processing/processor.ts';
import type { Store } from '../ports/store.ts';
import { getMatch, listMatches, type MatchRow } from '../store/matches.ts';

const STATUSES = ['scheduled', 'live', 'finished', 'cancelled'] as const;
const Team = Type.Object({ id: Type.String(), name: Type.String(), score: Type.Integer() });
export const MatchSchema = Type.Object({
  id: Type.String(),
  title: Type.Enum(TITLES),
  status: Type.Enum(STATUSES),
  teams: Type.Array(Team),
  map: Type.Union([Type.String(), Type.Null()]),
  winner: Type.Union([Type.String(), Type.Null()]),
  lastSeq: Type.Integer(),
  startedAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

const present = (m: MatchRow) => ({
  id: m.id,
  title: m.title,
  status: m.status,
  teams: m.teams,
  map: m.map,
  winner: m.winner,
  lastSeq: m.lastSeq,
  startedAt: m.startedAt.toISOString(),
  updatedAt: m.updatedAt.toISOString(),
});

export interface MatchesOptions {
  store: Store;
  /** When given, a match is served from the summary the processor keeps in the cache (write-through on every change), and from the store when the cache has none. */
  cache?: CacheBackend;
  tenant: (req: unknown) => string;
}

/** A cached live summary in the REST shape (same fields as a stored match). */
const fromSummary = (s: LiveSummary) => ({
  id: s.matchId,
  title: s.title,
  status: s.status,
  teams: s.teams,
  map: s.map ?? null,
  winner: s.winner ?? null,
  lastSeq: s.lastSeq,
  startedAt: new Date(s.startedAt).toISOString(),
  updatedAt: new Date(s.updatedAt).toISOString(),
});

const matches: FastifyPluginAsyncTypebox<MatchesOptions> = async (app, opts) => {
  app.get(
    '/v1/matches',
    {
      schema: {
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Enum(STATUSES)),
            title: Type.Optional(Type.Enum(TITLES)),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(MatchSchema) }), 400: ErrorBody },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await listMatches(opts.store.db, opts.tenant(req), {
        limit: q.limit,
        ...(q.status ? { status: q.status } : {}),
        ...(q.title ? { title: q.title } : {}),
      });
      return { data: rows.map(present) };
    },
  );

  app.get(
    '/v1/matches/:id',
    {
      schema: {
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: MatchSchema, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      const cached = opts.cache ? await opts.cache.cache.get(summaryKey(tenant, req.params.id)).catch(() => undefined) : undefined;
      if (cached) return fromSummary(JSON.parse(cached) as LiveSummary);
      const m = await getMatch(opts.store.db, tenant, req.params.id);
      if (!m) return sendError(reply, 404, 'CLUTCH_MATCH_NOT_FOUND', `no match ${req.params.id}`);
      return present(m);
    },
  );
};

export default matches;
