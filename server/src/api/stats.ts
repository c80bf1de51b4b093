// Read side of processing (the full REST v1 with OpenAPI schemas per field is issue #5):
//   GET /v1/matches/:id/stats            the match's built-in stats (docs/stats.md), live or final
//   GET /v1/matches/:id/windows?win=…    per-minute, per-round or per-game windows (cumulative), or
//                                        sliding ones (&size=N minutes: what happened in them)
//   GET /v1/leaderboards/:title/:stat    players ranked by the stat summed over matches (?tournament=)
import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TITLES } from '@clutch/core';
import type { CacheBackend } from '../ports/cache.ts';
import type { Store } from '../ports/store.ts';
import { BOARD_STATS, boardKey, statsKey } from '../processing/processor.ts';
import { slidingWindows } from '../processing/windows.ts';
import { getMatchStats, matchWindows } from '../store/stats.ts';
import { ErrorBody } from './matches.ts';

const Id = Type.String({ minLength: 1, maxLength: 128 });

export interface StatsApiOptions {
  store: Store;
  cache: CacheBackend;
  tenant: (req: unknown) => string;
}

const stats: FastifyPluginAsyncTypebox<StatsApiOptions> = async (app, opts) => {
  app.get(
    '/v1/matches/:id/stats',
    { schema: { params: Type.Object({ id: Id }), response: { 200: Type.Record(Type.String(), Type.Unknown()), 404: ErrorBody } } },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      // Redis holds the live view; the store holds every match's (and answers when Redis is cold).
      const cached = await opts.cache.cache.get(statsKey(tenant, req.params.id)).catch(() => undefined);
      const view = cached ? (JSON.parse(cached) as Record<string, unknown>) : await getMatchStats(opts.store.db, tenant, req.params.id);
      if (!view) return reply.code(404).send({ error: { code: 'CLUTCH_MATCH_NOT_FOUND', message: `no stats for match ${req.params.id}` } });
      return view as unknown as Record<string, unknown>;
    },
  );

  app.get(
    '/v1/matches/:id/windows',
    {
      schema: {
        params: Type.Object({ id: Id }),
        querystring: Type.Object(
          {
            win: Type.Union([Type.Literal('minute'), Type.Literal('sliding'), Type.Literal('round'), Type.Literal('game')], { default: 'minute' }),
            /** sliding: window length in minutes (slides by one minute). */
            size: Type.Integer({ minimum: 1, maximum: 60, default: 5 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            data: Type.Array(Type.Object({ idx: Type.Integer(), time: Type.String(), subjectKind: Type.String(), subjectId: Type.String(), values: Type.Record(Type.String(), Type.Number()) })),
          }),
          400: ErrorBody,
        },
      },
    },
    async (req) => {
      const { win, size } = req.query;
      const rows = await matchWindows(opts.store.db, opts.tenant(req), req.params.id, win === 'sliding' ? 'minute' : win);
      const out = win === 'sliding' ? slidingWindows(rows, size) : rows;
      return { data: out.map((r) => ({ ...r, time: r.time.toISOString() })) };
    },
  );

  app.get(
    '/v1/leaderboards/:title/:stat',
    {
      schema: {
        params: Type.Object({ title: Type.Enum(TITLES), stat: Type.Enum(BOARD_STATS) }),
        querystring: Type.Object({ tournament: Type.Optional(Id), limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(Type.Object({ rank: Type.Integer(), player: Type.String(), value: Type.Number() })) }), 400: ErrorBody },
      },
    },
    async (req) => {
      const top = await opts.cache.leaderboards.top(boardKey(opts.tenant(req), req.params.title, req.params.stat, req.query.tournament), req.query.limit);
      return { data: top.map((t, i) => ({ rank: i + 1, player: t.member, value: t.score })) };
    },
  );
};

export default stats;
