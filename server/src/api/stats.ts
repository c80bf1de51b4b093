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
import { BOARD_STATS, boardKey, readCacheKey, seqKey, statsKey } from '../processing/processor.ts';
import { slidingWindows } from '../processing/windows.ts';
import { getMatchStats, matchWindows, type WindowPoint } from '../store/stats.ts';
import { ErrorBody, sendError } from './errors.ts';

const Id = Type.String({ minLength: 1, maxLength: 128 });

export interface StatsApiOptions {
  store: Store;
  cache: CacheBackend;
  tenant: (req: unknown) => string;
}

const DAY_MS = 24 * 3600_000;
/** A cached read is keyed by the match's version: it only needs to outlive a burst of readers. */
const READ_TTL_MS = 60_000;

/**
 * A match's windows, cached per version (the seq whose effect is in the store, which the processor
 * sets after each write): readers of a live match share one query per batch, and a new batch means a
 * new key, so nothing is ever served stale and nothing needs deleting. The store is read after the
 * version, so what is cached under a version is at least that version. Without a version (Redis
 * cold, or down) it reads the store.
 */
async function cachedWindows(opts: StatsApiOptions, tenant: string, matchId: string, win: 'minute' | 'round' | 'game'): Promise<WindowPoint[]> {
  const seq = await opts.cache.cache.get(seqKey(tenant, matchId)).catch(() => undefined);
  const key = seq ? readCacheKey(tenant, matchId, `windows:${win}`, seq) : undefined;
  const hit = key ? await opts.cache.cache.get(key).catch(() => undefined) : undefined;
  if (hit) return (JSON.parse(hit) as Array<Omit<WindowPoint, 'time'> & { time: string }>).map((r) => ({ ...r, time: new Date(r.time) }));
  const rows = await matchWindows(opts.store.db, tenant, matchId, win);
  if (key) void opts.cache.cache.setIfAbsent(key, JSON.stringify(rows), READ_TTL_MS).catch(() => {});
  return rows;
}

const stats: FastifyPluginAsyncTypebox<StatsApiOptions> = async (app, opts) => {
  app.get(
    '/v1/matches/:id/stats',
    { schema: { params: Type.Object({ id: Id }), response: { 200: Type.Record(Type.String(), Type.Unknown()), 404: ErrorBody } } },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      // Redis holds the live view; the store holds every match's (and answers when Redis is cold).
      const cached = await opts.cache.cache.get(statsKey(tenant, req.params.id)).catch(() => undefined);
      // The cached view is already the response body: sent as is, not parsed and serialised again.
      if (cached) return reply.type('application/json; charset=utf-8').send(cached as unknown as Record<string, unknown>);
      const view = await getMatchStats(opts.store.db, tenant, req.params.id);
      if (!view) return sendError(reply, 404, 'CLUTCH_MATCH_NOT_FOUND', `no stats for match ${req.params.id}`);
      // Read-through: fill the miss, never over a newer view the processor wrote meanwhile.
      void opts.cache.cache.setIfAbsent(statsKey(tenant, req.params.id), JSON.stringify(view), DAY_MS).catch(() => {});
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
      const rows = await cachedWindows(opts, opts.tenant(req), req.params.id, win === 'sliding' ? 'minute' : win);
      const out = win === 'sliding' ? slidingWindows(rows, size) : rows;
      return { data: out.map((r) => ({ ...r, time: r.time.toISOString() })) };
    },
  );

  app.get(
    '/v1/leaderboards/:title/:stat',
    {
      schema: {
        summary: 'Players ranked by a stat',
        description: 'Each match\'s value per player, summed over matches (of the tournament with `tournament`). `wpa`: win probability added — the sum of the win probability the player\'s events (kills, plants, defuses, objectives) added to their team, per match from the live predictions (a fraction of a win; docs/predictions.md).',
        params: Type.Object({ title: Type.Enum(TITLES), stat: Type.Enum(BOARD_STATS) }),
        querystring: Type.Object({ tournament: Type.Optional(Id), limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(Type.Object({ rank: Type.Integer(), player: Type.String(), value: Type.Number() })) }), 400: ErrorBody },
      },
    },
    async (req) => {
      const top = await opts.cache.leaderboards.top(boardKey(opts.tenant(req), req.params.title, req.params.stat, req.query.tournament), req.query.limit);
      // Sums of per-match values; wpa's are fractions, whose float sums are rounded to the 4 decimals they are kept at.
      return { data: top.map((t, i) => ({ rank: i + 1, player: t.member, value: Math.round(t.score * 10_000) / 10_000 })) };
    },
  );
};

export default stats;
