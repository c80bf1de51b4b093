// The catalogue of a tenant: tournaments (with standings), series, teams (with rosters), players,
// their stat history as time series, and head-to-head between teams. Lists are cursor-paginated
// in id order ({ data, next }); every query is scoped to the caller's tenant.
import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TITLES, type Title } from '@clutch/core';
import type { Store } from '../ports/store.ts';
import { getPlayer, getSeries, getTeam, getTournament, headToHead, listPlayers, listSeriesIds, listTeams, listTournaments, MAX_GROUP_MATCHES, seriesOf, standingsOf, statHistory, tournamentMatches, type SeriesView } from '../store/catalog.ts';
import { queryMatches } from '../store/matches.ts';
import { ErrorBody, sendError } from './errors.ts';
import { Id, MatchSchema, presentMatch, timeRange } from './matches.ts';
import { CursorParam, decodeCursor, LimitParam, Page, page } from './paging.ts';

export interface CatalogOptions {
  store: Store;
  tenant: (req: unknown) => string;
}

const Title_ = Type.Optional(Type.Enum(TITLES));
const NamePrefix = Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Name prefix, case-insensitive.' }));
const Tournament = Type.Object({ id: Type.String(), name: Type.String(), title: Type.Union([Type.String(), Type.Null()]), matches: Type.Integer(), live: Type.Integer(), updatedAt: Type.String({ format: 'date-time' }) });
const Standing = Type.Object({ team: Type.Object({ id: Type.String(), name: Type.String() }), played: Type.Integer(), wins: Type.Integer(), losses: Type.Integer() });
const Series = Type.Object({
  id: Type.String(),
  title: Type.Enum(TITLES),
  tournamentId: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('live'), Type.Literal('finished'), Type.Literal('scheduled')]),
  teams: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), wins: Type.Integer() })),
  winner: Type.Union([Type.String(), Type.Null()]),
  games: Type.Array(Type.Object({ id: Type.String(), status: Type.String(), map: Type.Union([Type.String(), Type.Null()]), winner: Type.Union([Type.String(), Type.Null()]), startedAt: Type.String({ format: 'date-time' }) })),
  startedAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const Player = Type.Object({ id: Type.String(), name: Type.String(), title: Type.String(), teamId: Type.Union([Type.String(), Type.Null()]), updatedAt: Type.String({ format: 'date-time' }) });
const TeamS = Type.Object({ id: Type.String(), name: Type.String(), title: Type.String(), updatedAt: Type.String({ format: 'date-time' }) });
const Point = Type.Object({ time: Type.String({ format: 'date-time' }), games: Type.Integer(), kills: Type.Number(), deaths: Type.Number(), assists: Type.Number(), damage: Type.Union([Type.Number(), Type.Null()]) });
const HistoryQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Default: 30 days before `to`.' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now.' })),
    bucket: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], { default: 'day' }),
  },
  { additionalProperties: false },
);
const History = Type.Object({ subject: Type.Object({ kind: Type.String(), id: Type.String() }), bucket: Type.String(), from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }), data: Type.Array(Point) });

const iso = (d: Date) => d.toISOString();
const presentSeries = (s: SeriesView) => ({ ...s, games: s.games.map((g) => ({ ...g, startedAt: iso(g.startedAt) })), startedAt: iso(s.startedAt), updatedAt: iso(s.updatedAt) });
const byId = (cursor: string | undefined) => decodeCursor(cursor, { id: 'string' })?.id as string | undefined;
const withTitle = (t: string | undefined) => (t ? { title: t as Title } : {});

const catalog: FastifyPluginAsyncTypebox<CatalogOptions> = async (app, opts) => {
  const db = () => opts.store.db;
  const list = { limit: LimitParam(200, 50), cursor: CursorParam };

  app.get(
    '/v1/tournaments',
    { schema: { summary: 'List tournaments', tags: ['tournaments'], querystring: Type.Object({ title: Title_, ...list }, { additionalProperties: false }), response: { 200: Page(Tournament), 400: ErrorBody } } },
    async (req) => {
      const q = req.query;
      const afterId = byId(q.cursor);
      const rows = await listTournaments(db(), opts.tenant(req), { ...withTitle(q.title), ...(afterId ? { afterId } : {}), limit: q.limit + 1 });
      return page(rows, q.limit, (t) => ({ ...t, updatedAt: iso(t.updatedAt) }), (t) => ({ id: t.id }));
    },
  );

  app.get(
    '/v1/tournaments/:id',
    {
      schema: {
        summary: 'Get a tournament with its standings',
        description: `Standings count wins and losses over the tournament's finished matches (the latest ${MAX_GROUP_MATCHES}).`,
        tags: ['tournaments'],
        params: Type.Object({ id: Id }),
        response: { 200: Type.Object({ ...Tournament.properties, standings: Type.Array(Standing) }), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      const t = await getTournament(db(), tenant, req.params.id);
      if (!t) return sendError(reply, 404, 'CLUTCH_TOURNAMENT_NOT_FOUND', `no tournament ${req.params.id}`);
      const standings = standingsOf(await tournamentMatches(db(), tenant, t.id));
      return { ...t, updatedAt: iso(t.updatedAt), standings };
    },
  );

  app.get(
    '/v1/series',
    {
      schema: {
        summary: 'List series',
        tags: ['series'],
        querystring: Type.Object({ tournament: Type.Optional(Id), title: Title_, limit: LimitParam(50, 20), cursor: CursorParam }, { additionalProperties: false }),
        response: { 200: Page(Series), 400: ErrorBody },
      },
    },
    async (req) => {
      const q = req.query;
      const tenant = opts.tenant(req);
      const afterId = byId(q.cursor);
      const ids = await listSeriesIds(db(), tenant, { ...withTitle(q.title), ...(q.tournament ? { tournament: q.tournament } : {}), ...(afterId ? { afterId } : {}), limit: q.limit + 1 });
      const shown = ids.slice(0, q.limit);
      // One query for the games of every series on the page.
      const games = shown.length ? await queryMatches(db(), tenant, { seriesIn: shown, limit: MAX_GROUP_MATCHES * 5 }) : [];
      const views = shown.flatMap((id) => seriesOf(id, games.filter((g) => g.seriesId === id)) ?? []);
      return { data: views.map(presentSeries), next: ids.length > q.limit ? page(ids, q.limit, (x) => x, (x) => ({ id: x })).next : null };
    },
  );

  app.get(
    '/v1/series/:id',
    { schema: { summary: 'Get a series (best-of) with its games and score', tags: ['series'], params: Type.Object({ id: Id }), response: { 200: Series, 400: ErrorBody, 404: ErrorBody } } },
    async (req, reply) => {
      const s = await getSeries(db(), opts.tenant(req), req.params.id);
      if (!s) return sendError(reply, 404, 'CLUTCH_SERIES_NOT_FOUND', `no series ${req.params.id}`);
      return presentSeries(s);
    },
  );

  app.get(
    '/v1/players',
    {
      schema: {
        summary: 'List players',
        tags: ['players'],
        querystring: Type.Object({ title: Title_, team: Type.Optional(Id), name: NamePrefix, ...list }, { additionalProperties: false }),
        response: { 200: Page(Player), 400: ErrorBody },
      },
    },
    async (req) => {
      const q = req.query;
      const afterId = byId(q.cursor);
      const rows = await listPlayers(db(), opts.tenant(req), { ...withTitle(q.title), ...(q.team ? { team: q.team } : {}), ...(q.name ? { name: q.name } : {}), ...(afterId ? { afterId } : {}), limit: q.limit + 1 });
      return page(rows, q.limit, (p) => ({ ...p, updatedAt: iso(p.updatedAt) }), (p) => ({ id: p.id }));
    },
  );

  app.get(
    '/v1/players/:id',
    {
      schema: {
        summary: 'Get a player with their latest matches',
        tags: ['players'],
        params: Type.Object({ id: Id }),
        response: { 200: Type.Object({ ...Player.properties, recentMatches: Type.Array(MatchSchema) }), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      const p = await getPlayer(db(), tenant, req.params.id);
      if (!p) return sendError(reply, 404, 'CLUTCH_PLAYER_NOT_FOUND', `no player ${req.params.id}`);
      const recent = await queryMatches(db(), tenant, { player: p.id, limit: 10 });
      return { ...p, updatedAt: iso(p.updatedAt), recentMatches: recent.map(presentMatch) };
    },
  );

  const history = (kind: 'player' | 'team') => async (req: { params: { id: string }; query: { from?: string; to?: string; bucket: 'day' | 'week' | 'month' } }) => {
    const range = timeRange(req.query.from, req.query.to, { days: 30 });
    const data = await statHistory(db(), opts.tenant(req), { kind, id: req.params.id, from: range.from!, to: range.to!, bucket: req.query.bucket });
    return { subject: { kind, id: req.params.id }, bucket: req.query.bucket, from: iso(range.from!), to: iso(range.to!), data: data.map((d) => ({ ...d, time: iso(d.time) })) };
  };

  app.get(
    '/v1/players/:id/stats',
    {
      schema: {
        summary: "A player's stat history",
        description: 'Totals per day, week (from Monday, UTC) or month over the games they played between `from` and `to` (at most 400 days).',
        tags: ['players'],
        params: Type.Object({ id: Id }),
        querystring: HistoryQuery,
        response: { 200: History, 400: ErrorBody },
      },
    },
    history('player'),
  );

  app.get(
    '/v1/teams',
    { schema: { summary: 'List teams', tags: ['teams'], querystring: Type.Object({ title: Title_, name: NamePrefix, ...list }, { additionalProperties: false }), response: { 200: Page(TeamS), 400: ErrorBody } } },
    async (req) => {
      const q = req.query;
      const afterId = byId(q.cursor);
      const rows = await listTeams(db(), opts.tenant(req), { ...withTitle(q.title), ...(q.name ? { name: q.name } : {}), ...(afterId ? { afterId } : {}), limit: q.limit + 1 });
      return page(rows, q.limit, (t) => ({ ...t, updatedAt: iso(t.updatedAt) }), (t) => ({ id: t.id }));
    },
  );

  app.get(
    '/v1/teams/:id',
    {
      schema: {
        summary: 'Get a team with its roster and latest matches',
        tags: ['teams'],
        params: Type.Object({ id: Id }),
        response: { 200: Type.Object({ ...TeamS.properties, roster: Type.Array(Player), recentMatches: Type.Array(MatchSchema) }), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      const t = await getTeam(db(), tenant, req.params.id);
      if (!t) return sendError(reply, 404, 'CLUTCH_TEAM_NOT_FOUND', `no team ${req.params.id}`);
      const [roster, recent] = await Promise.all([listPlayers(db(), tenant, { team: t.id, limit: 100 }), queryMatches(db(), tenant, { team: t.id, limit: 10 })]);
      return { ...t, updatedAt: iso(t.updatedAt), roster: roster.map((p) => ({ ...p, updatedAt: iso(p.updatedAt) })), recentMatches: recent.map(presentMatch) };
    },
  );

  app.get(
    '/v1/teams/:id/stats',
    { schema: { summary: "A team's stat history", tags: ['teams'], params: Type.Object({ id: Id }), querystring: HistoryQuery, response: { 200: History, 400: ErrorBody } } },
    history('team'),
  );

  app.get(
    '/v1/teams/:id/head-to-head/:other',
    {
      schema: {
        summary: 'Head-to-head between two teams',
        description: 'The tally over all their finished matches against each other, and the latest of those matches.',
        tags: ['teams'],
        params: Type.Object({ id: Id, other: Id }),
        querystring: Type.Object({ limit: LimitParam(50, 10) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ teams: Type.Array(Type.String()), played: Type.Integer(), wins: Type.Record(Type.String(), Type.Integer()), draws: Type.Integer(), matches: Type.Array(MatchSchema) }),
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      const { id, other } = req.params;
      if (id === other) return sendError(reply, 400, 'CLUTCH_BAD_REQUEST', 'head-to-head needs two different teams', [{ in: 'params', path: '/other', message: 'same as id' }]);
      for (const t of [id, other]) if (!(await getTeam(db(), tenant, t))) return sendError(reply, 404, 'CLUTCH_TEAM_NOT_FOUND', `no team ${t}`);
      const h = await headToHead(db(), tenant, id, other, req.query.limit);
      return { ...h, teams: [...h.teams], matches: h.matches.map(presentMatch) };
    },
  );
};

export default catalog;
