// Matches of the caller's tenant (until API keys land in issue #7, anonymous callers read
// CLUTCH_DEFAULT_TENANT):
//   GET /v1/matches                 filter by title, status, tournament, series, team, player, start time; cursor pages
//   GET /v1/matches/{id}            the match (live summary from the cache, or the store)
//   GET /v1/matches/{id}/events     its canonical events in seq order (backfill), cursor = afterSeq
//   GET /v1/matches/{id}/state      the match and its stats as they were at a time (?at=) or seq (?seq=)
import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { applyStats, applyToSummary, newStats, statsView, TITLES, type Envelope, type LiveSummary, type Title } from '@clutch/core';
import { createError } from '../errors.ts';
import type { CacheBackend } from '../ports/cache.ts';
import { summaryKey } from '../processing/processor.ts';
import type { Store } from '../ports/store.ts';
import { archivedSeq, matchEvents, seqAt } from '../store/events.ts';
import { getMatch, queryMatches, type MatchRow } from '../store/matches.ts';
import { ErrorBody, sendError } from './errors.ts';
import { BadCursor, CursorParam, decodeCursor, LimitParam, Page, page } from './paging.ts';

const STATUSES = ['scheduled', 'live', 'finished', 'cancelled'] as const;
export const Id = Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\w.:@-]+$' });
const Team = Type.Object({ id: Type.String(), name: Type.String(), score: Type.Integer() });
export const MatchSchema = Type.Object({
  id: Type.String(),
  title: Type.Enum(TITLES),
  status: Type.Enum(STATUSES),
  teams: Type.Array(Team),
  map: Type.Union([Type.String(), Type.Null()]),
  winner: Type.Union([Type.String(), Type.Null()]),
  tournamentId: Type.Union([Type.String(), Type.Null()]),
  seriesId: Type.Union([Type.String(), Type.Null()]),
  lastSeq: Type.Integer(),
  startedAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const presentMatch = (m: MatchRow) => ({
  id: m.id,
  title: m.title,
  status: m.status,
  teams: m.teams,
  map: m.map,
  winner: m.winner,
  tournamentId: m.tournamentId,
  seriesId: m.seriesId,
  lastSeq: m.lastSeq,
  startedAt: m.startedAt.toISOString(),
  updatedAt: m.updatedAt.toISOString(),
});

/** A cached live summary in the REST shape (same fields as a stored match). */
const fromSummary = (s: LiveSummary) => ({
  id: s.matchId,
  title: s.title,
  status: s.status,
  teams: s.teams,
  map: s.map ?? null,
  winner: s.winner ?? null,
  tournamentId: s.tournamentId ?? null,
  seriesId: s.seriesId ?? null,
  lastSeq: s.lastSeq,
  startedAt: new Date(s.startedAt).toISOString(),
  updatedAt: new Date(s.updatedAt).toISOString(),
});

export interface MatchesOptions {
  store: Store;
  /** When given, a match is served from the summary the processor keeps in the cache (write-through on every change), and from the store when the cache has none. */
  cache?: CacheBackend;
  tenant: (req: unknown) => string;
}

/** Longest time range one list may ask for. */
export const MAX_RANGE_DAYS = 400;
/** Most events folded to answer one state request. */
const MAX_STATE_EVENTS = 200_000;
const STATE_PAGE = 5000;

export const RangeTooLong = createError('CLUTCH_RANGE_TOO_LONG', 'the time range %s; ask for at most %d days', 400);
export const StateNotFound = createError('CLUTCH_STATE_NOT_FOUND', '%s', 404);
export const StateNotArchived = createError('CLUTCH_STATE_NOT_ARCHIVED', 'the archive of match %s holds seq 1–%d so far; ask for a seq up to it, or retry shortly', 409);
export const StateTooLarge = createError('CLUTCH_STATE_TOO_LARGE', 'rebuilding the state at seq %d would replay more than %d events', 422);

/** Checks `from` < `to` and the span; returns them as dates. */
export function timeRange(from: string | undefined, to: string | undefined, dflt?: { days: number }): { from?: Date; to?: Date } {
  const t = to ? new Date(to) : dflt ? new Date() : undefined;
  const f = from ? new Date(from) : dflt && t ? new Date(t.getTime() - dflt.days * 86_400_000) : undefined;
  if (f && t) {
    if (f.getTime() >= t.getTime()) throw new RangeTooLong('ends before it starts (`from` must be before `to`)', MAX_RANGE_DAYS);
    if (t.getTime() - f.getTime() > MAX_RANGE_DAYS * 86_400_000) throw new RangeTooLong(`spans ${Math.ceil((t.getTime() - f.getTime()) / 86_400_000)} days`, MAX_RANGE_DAYS);
  }
  return { ...(f ? { from: f } : {}), ...(t ? { to: t } : {}) };
}

const Envelope = Type.Record(Type.String(), Type.Unknown(), { description: 'A canonical event (docs/events.md).' });
const StatsView = Type.Record(Type.String(), Type.Unknown(), { description: 'The match stats view (docs/stats.md), as GET /v1/matches/{id}/stats.' });

const matches: FastifyPluginAsyncTypebox<MatchesOptions> = async (app, opts) => {
  app.get(
    '/v1/matches',
    {
      schema: {
        summary: 'List matches',
        description: 'Newest start first (ties by id, descending): a stable order for cursor pagination. Filters combine with AND.',
        tags: ['matches'],
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Enum(STATUSES)),
            title: Type.Optional(Type.Enum(TITLES)),
            tournament: Type.Optional(Id),
            series: Type.Optional(Id),
            team: Type.Optional(Id),
            player: Type.Optional(Id),
            from: Type.Optional(Type.String({ format: 'date-time', description: 'Started at or after.' })),
            to: Type.Optional(Type.String({ format: 'date-time', description: 'Started before.' })),
            limit: LimitParam(200, 50),
            cursor: CursorParam,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(MatchSchema), 400: ErrorBody },
      },
    },
    async (req) => {
      const q = req.query;
      const range = timeRange(q.from, q.to);
      const after = decodeCursor(q.cursor, { s: 'string', id: 'string' });
      const afterStart = after ? new Date(after.s as string) : undefined;
      if (afterStart && Number.isNaN(afterStart.getTime())) throw new BadCursor('bad time');
      const rows = await queryMatches(opts.store.db, opts.tenant(req), {
        limit: q.limit + 1,
        ...(q.status ? { status: q.status } : {}),
        ...(q.title ? { title: q.title as Title } : {}),
        ...(q.tournament ? { tournament: q.tournament } : {}),
        ...(q.series ? { series: q.series } : {}),
        ...(q.team ? { team: q.team } : {}),
        ...(q.player ? { player: q.player } : {}),
        ...range,
        ...(after && afterStart ? { after: { startedAt: afterStart, id: after.id as string } } : {}),
      });
      return page(rows, q.limit, presentMatch, (m) => ({ s: m.startedAt.toISOString(), id: m.id }));
    },
  );

  app.get(
    '/v1/matches/:id',
    {
      schema: { summary: 'Get a match', tags: ['matches'], params: Type.Object({ id: Id }), response: { 200: MatchSchema, 400: ErrorBody, 404: ErrorBody } },
    },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      const cached = opts.cache ? await opts.cache.cache.get(summaryKey(tenant, req.params.id)).catch(() => undefined) : undefined;
      if (cached) return fromSummary(JSON.parse(cached) as LiveSummary);
      const m = await getMatch(opts.store.db, tenant, req.params.id);
      if (!m) return sendError(reply, 404, 'CLUTCH_MATCH_NOT_FOUND', `no match ${req.params.id}`);
      if (m.status === 'finished') reply.header('cache-control', 'private, max-age=60');
      return presentMatch(m);
    },
  );

  app.get(
    '/v1/matches/:id/events',
    {
      schema: {
        summary: "A match's canonical events (backfill)",
        description: 'In seq order, from the archive. Page with `afterSeq` (the `next` of the answer is the last seq of the page; null at the end of what is archived). Live matches keep growing: ask again with the last seq, or follow the live stream.',
        tags: ['matches'],
        params: Type.Object({ id: Id }),
        querystring: Type.Object(
          {
            afterSeq: Type.Integer({ minimum: 0, default: 0, description: 'Events after this seq.' }),
            limit: LimitParam(5000, 1000),
            types: Type.Optional(Type.String({ maxLength: 1024, pattern: '^[a-z0-9_.]+(,[a-z0-9_.]+)*$', description: 'Comma-separated event types to keep (e.g. kill,round.ended).' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(Envelope), next: Type.Union([Type.Integer(), Type.Null()]) }), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      const q = req.query;
      const types = q.types ? q.types.split(',').slice(0, 50) : undefined;
      const rows = await matchEvents(opts.store.db, tenant, req.params.id, { afterSeq: q.afterSeq, limit: q.limit + 1, ...(types ? { types } : {}) });
      if (!rows.length && q.afterSeq === 0 && !(await getMatch(opts.store.db, tenant, req.params.id))) return sendError(reply, 404, 'CLUTCH_MATCH_NOT_FOUND', `no match ${req.params.id}`);
      const shown = rows.slice(0, q.limit);
      // Envelopes are stored as the JSON text they travelled as: the page is assembled, not re-serialised.
      const next = rows.length > q.limit ? shown[shown.length - 1]!.seq : null;
      if (next !== null) reply.header('cache-control', 'private, max-age=3600'); // a full page never changes
      return reply.type('application/json; charset=utf-8').send(`{"data":[${shown.map((r) => r.envelope).join(',')}],"next":${next}}` as never);
    },
  );

  app.get(
    '/v1/matches/:id/state',
    {
      schema: {
        summary: 'The match as it was at a time or seq',
        description: 'Replays the archived events up to the seq (or the last event that occurred at or before `at`) through the same stat functions as the live pipeline. Give exactly one of `at` and `seq`.',
        tags: ['matches'],
        params: Type.Object({ id: Id }),
        querystring: Type.Object(
          { at: Type.Optional(Type.String({ format: 'date-time' })), seq: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ matchId: Type.String(), seq: Type.Integer(), occurredAt: Type.String({ format: 'date-time' }), match: MatchSchema, stats: StatsView }),
          400: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
          422: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      const { at, seq } = req.query;
      if ((at === undefined) === (seq === undefined)) return sendError(reply, 400, 'CLUTCH_BAD_REQUEST', 'give exactly one of `at` and `seq`', [{ in: 'querystring', path: at === undefined ? '' : '/seq', message: 'one of at, seq' }]);
      const id = req.params.id;
      const archived = await archivedSeq(opts.store.db, tenant, id);
      if (archived === 0) {
        const m = await getMatch(opts.store.db, tenant, id);
        throw m ? new StateNotArchived(id, 0) : new StateNotFound(`no match ${id}`);
      }
      const target = seq ?? (await seqAt(opts.store.db, tenant, id, new Date(at!)));
      if (target === 0) throw new StateNotFound(`match ${id} has no event at or before ${at}`);
      if (target > archived) throw new StateNotArchived(id, archived);
      if (target > MAX_STATE_EVENTS) throw new StateTooLarge(target, MAX_STATE_EVENTS);
      let stats: ReturnType<typeof newStats> | undefined;
      let summary: LiveSummary | undefined;
      let last: Envelope | undefined;
      for (let after = 0; after < target; ) {
        const rows = await matchEvents(opts.store.db, tenant, id, { afterSeq: after, upToSeq: target, limit: STATE_PAGE });
        if (!rows.length) break;
        for (const r of rows) {
          const e = JSON.parse(r.envelope) as Envelope;
          stats ??= newStats(e.title, e.matchId);
          applyStats(stats, e);
          summary = applyToSummary(summary, e);
          last = e;
        }
        after = rows[rows.length - 1]!.seq;
      }
      if (!stats || !summary || !last) throw new StateNotFound(`match ${id} has no event up to seq ${target}`);
      reply.header('cache-control', 'private, max-age=86400'); // the past does not change
      return { matchId: id, seq: last.seq, occurredAt: new Date(last.occurredAt).toISOString(), match: fromSummary(summary), stats: statsView(stats) as unknown as Record<string, unknown> };
    },
  );
};

export default matches;
