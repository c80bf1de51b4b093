// Reads behind the REST catalogue: tournaments, series, teams, players, head-to-head, stat history.
// Every query is scoped to one tenant and parameterised. Series are not a table of their own yet:
// a series is the matches sharing a series id (what the sources tell us), summed up on read.
import type { Title } from '@clutch/core';
import { sql } from 'kysely';
import type { Db } from './db.ts';
import { queryMatches, type MatchRow } from './matches.ts';
import { subjectHistory } from './stats.ts';

export interface TournamentRow {
  id: string;
  name: string;
  title: string | null;
  matches: number;
  live: number;
  updatedAt: Date;
}

export async function listTournaments(db: Db, tenant: string, q: { title?: Title; afterId?: string; limit: number }): Promise<TournamentRow[]> {
  let s = db
    .selectFrom('tournaments as t')
    .select(['t.id', 't.name', 't.title', 't.updated_at'])
    .select((eb) => [
      eb.selectFrom('matches as m').select(sql<number>`count(*)::int`.as('n')).whereRef('m.tenant_id', '=', 't.tenant_id').whereRef('m.tournament_id', '=', 't.id').as('matches'),
      eb.selectFrom('matches as m').select(sql<number>`count(*)::int`.as('n')).whereRef('m.tenant_id', '=', 't.tenant_id').whereRef('m.tournament_id', '=', 't.id').where('m.status', '=', 'live').as('live'),
    ])
    .where('t.tenant_id', '=', tenant);
  if (q.title) s = s.where('t.title', '=', q.title);
  if (q.afterId) s = s.where('t.id', '>', q.afterId);
  const rows = await s.orderBy('t.id').limit(q.limit).execute();
  return rows.map((r) => ({ id: r.id, name: r.name, title: r.title, matches: Number(r.matches ?? 0), live: Number(r.live ?? 0), updatedAt: new Date(r.updated_at) }));
}

export async function getTournament(db: Db, tenant: string, id: string): Promise<TournamentRow | undefined> {
  const row = await db.selectFrom('tournaments').select(['id', 'name', 'title', 'updated_at']).where('tenant_id', '=', tenant).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const counts = await db
    .selectFrom('matches')
    .select([sql<number>`count(*)::int`.as('matches'), sql<number>`count(*) filter (where status = 'live')::int`.as('live')])
    .where('tenant_id', '=', tenant)
    .where('tournament_id', '=', id)
    .executeTakeFirst();
  return { id: row.id, name: row.name, title: row.title, matches: Number(counts?.matches ?? 0), live: Number(counts?.live ?? 0), updatedAt: new Date(row.updated_at) };
}

export interface Standing {
  team: { id: string; name: string };
  played: number;
  wins: number;
  losses: number;
}

/** Wins and losses of each team over the finished matches given, best first (wins, then fewer losses, then id). */
export function standingsOf(matches: readonly MatchRow[]): Standing[] {
  const by = new Map<string, Standing>();
  for (const m of matches) {
    if (m.status !== 'finished') continue;
    for (const t of m.teams) {
      let s = by.get(t.id);
      if (!s) by.set(t.id, (s = { team: { id: t.id, name: t.name }, played: 0, wins: 0, losses: 0 }));
      s.played++;
      if (m.winner === t.id) s.wins++;
      else if (m.winner) s.losses++;
    }
  }
  return [...by.values()].sort((a, b) => b.wins - a.wins || a.losses - b.losses || (a.team.id < b.team.id ? -1 : 1));
}

/** At most this many matches are summed up for one tournament's standings or one series. */
export const MAX_GROUP_MATCHES = 2000;

export async function tournamentMatches(db: Db, tenant: string, id: string): Promise<MatchRow[]> {
  return queryMatches(db, tenant, { tournament: id, limit: MAX_GROUP_MATCHES });
}

export interface SeriesView {
  id: string;
  title: Title;
  tournamentId: string | null;
  status: 'live' | 'finished' | 'scheduled';
  teams: Array<{ id: string; name: string; wins: number }>;
  winner: string | null;
  /** Games (matches) of the series, in start order. */
  games: Array<{ id: string; status: MatchRow['status']; map: string | null; winner: string | null; startedAt: Date }>;
  startedAt: Date;
  updatedAt: Date;
}

/** A series from its matches: score by games won; finished once every game is over and one team leads. */
export function seriesOf(id: string, matches: readonly MatchRow[]): SeriesView | undefined {
  if (!matches.length) return undefined;
  const games = [...matches].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || (a.id < b.id ? -1 : 1));
  const teams = new Map<string, { id: string; name: string; wins: number }>();
  for (const g of games) for (const t of g.teams) if (!teams.has(t.id)) teams.set(t.id, { id: t.id, name: t.name, wins: 0 });
  for (const g of games) if (g.status === 'finished' && g.winner && teams.has(g.winner)) teams.get(g.winner)!.wins++;
  const anyLive = games.some((g) => g.status === 'live');
  const allOver = games.every((g) => g.status === 'finished' || g.status === 'cancelled');
  const ranked = [...teams.values()].sort((a, b) => b.wins - a.wins);
  const leader = ranked.length > 1 && ranked[0]!.wins > ranked[1]!.wins ? ranked[0]!.id : null;
  const status = anyLive ? 'live' : allOver && games.some((g) => g.status === 'finished') ? 'finished' : anyLive ? 'live' : 'scheduled';
  return {
    id,
    title: games[0]!.title,
    tournamentId: games.find((g) => g.tournamentId)?.tournamentId ?? null,
    status,
    teams: [...teams.values()],
    winner: status === 'finished' ? leader : null,
    games: games.map((g) => ({ id: g.id, status: g.status, map: g.map, winner: g.winner, startedAt: g.startedAt })),
    startedAt: games[0]!.startedAt,
    updatedAt: new Date(Math.max(...games.map((g) => g.updatedAt.getTime()))),
  };
}

export async function getSeries(db: Db, tenant: string, id: string): Promise<SeriesView | undefined> {
  return seriesOf(id, await queryMatches(db, tenant, { series: id, limit: MAX_GROUP_MATCHES }));
}

/** Series ids of a tenant in id order (keyset), optionally of one tournament or title. */
export async function listSeriesIds(db: Db, tenant: string, q: { tournament?: string; title?: Title; afterId?: string; limit: number }): Promise<string[]> {
  let s = db.selectFrom('matches').select('series_id').distinct().where('tenant_id', '=', tenant).where('series_id', 'is not', null);
  if (q.tournament) s = s.where('tournament_id', '=', q.tournament);
  if (q.title) s = s.where('title', '=', q.title);
  if (q.afterId) s = s.where('series_id', '>', q.afterId);
  const rows = await s.orderBy('series_id').limit(q.limit).execute();
  return rows.map((r) => r.series_id!);
}

export interface PlayerRow {
  id: string;
  name: string;
  title: string;
  teamId: string | null;
  updatedAt: Date;
}

export async function listPlayers(db: Db, tenant: string, q: { title?: Title; team?: string; name?: string; afterId?: string; limit: number }): Promise<PlayerRow[]> {
  let s = db.selectFrom('players').select(['id', 'name', 'title', 'team_id', 'updated_at']).where('tenant_id', '=', tenant);
  if (q.title) s = s.where('title', '=', q.title);
  if (q.team) s = s.where('team_id', '=', q.team);
  // A name prefix, case-insensitive; LIKE's wildcards in the input are taken literally.
  if (q.name) s = s.where(sql<boolean>`lower(name) like ${`${q.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  if (q.afterId) s = s.where('id', '>', q.afterId);
  const rows = await s.orderBy('id').limit(q.limit).execute();
  return rows.map((r) => ({ id: r.id, name: r.name, title: r.title, teamId: r.team_id, updatedAt: new Date(r.updated_at) }));
}

export async function getPlayer(db: Db, tenant: string, id: string): Promise<PlayerRow | undefined> {
  const r = await db.selectFrom('players').select(['id', 'name', 'title', 'team_id', 'updated_at']).where('tenant_id', '=', tenant).where('id', '=', id).executeTakeFirst();
  return r ? { id: r.id, name: r.name, title: r.title, teamId: r.team_id, updatedAt: new Date(r.updated_at) } : undefined;
}

export interface TeamRow {
  id: string;
  name: string;
  title: string;
  updatedAt: Date;
}

export async function listTeams(db: Db, tenant: string, q: { title?: Title; name?: string; afterId?: string; limit: number }): Promise<TeamRow[]> {
  let s = db.selectFrom('teams').select(['id', 'name', 'title', 'updated_at']).where('tenant_id', '=', tenant);
  if (q.title) s = s.where('title', '=', q.title);
  if (q.name) s = s.where(sql<boolean>`lower(name) like ${`${q.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  if (q.afterId) s = s.where('id', '>', q.afterId);
  const rows = await s.orderBy('id').limit(q.limit).execute();
  return rows.map((r) => ({ id: r.id, name: r.name, title: r.title, updatedAt: new Date(r.updated_at) }));
}

export async function getTeam(db: Db, tenant: string, id: string): Promise<TeamRow | undefined> {
  const r = await db.selectFrom('teams').select(['id', 'name', 'title', 'updated_at']).where('tenant_id', '=', tenant).where('id', '=', id).executeTakeFirst();
  return r ? { id: r.id, name: r.name, title: r.title, updatedAt: new Date(r.updated_at) } : undefined;
}

export interface HeadToHead {
  teams: [string, string];
  played: number;
  wins: Record<string, number>;
  draws: number;
  matches: MatchRow[];
}

/** Finished matches between two teams (newest first, at most `limit` listed) and the tally over all of them. */
export async function headToHead(db: Db, tenant: string, a: string, b: string, limit: number): Promise<HeadToHead> {
  const both = db
    .selectFrom('matches')
    .where('tenant_id', '=', tenant)
    .where('status', '=', 'finished')
    .where(sql<boolean>`teams @> ${JSON.stringify([{ id: a }])}::jsonb`)
    .where(sql<boolean>`teams @> ${JSON.stringify([{ id: b }])}::jsonb`);
  const tally = await both
    .select([sql<number>`count(*)::int`.as('played'), sql<number>`count(*) filter (where winner = ${a})::int`.as('a'), sql<number>`count(*) filter (where winner = ${b})::int`.as('b')])
    .executeTakeFirst();
  const played = Number(tally?.played ?? 0);
  const wa = Number(tally?.a ?? 0);
  const wb = Number(tally?.b ?? 0);
  const listed = await queryMatches(db, tenant, { team: a, status: 'finished', limit: Math.max(limit * 4, 50) });
  return { teams: [a, b], played, wins: { [a]: wa, [b]: wb }, draws: played - wa - wb, matches: listed.filter((m) => m.teams.some((t) => t.id === b)).slice(0, limit) };
}

export type Bucket = 'day' | 'week' | 'month';

export interface HistoryPoint {
  /** Start of the bucket (UTC). */
  time: Date;
  games: number;
  kills: number;
  deaths: number;
  assists: number;
  damage: number | null;
}

/** Start of the bucket holding `d` (UTC; weeks start on Monday). */
export function bucketStart(d: Date, bucket: Bucket): Date {
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (bucket === 'day') return new Date(day);
  if (bucket === 'month') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  const dow = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  return new Date(day - dow * 86_400_000);
}

/** A player's or team's totals per bucket between `from` (inclusive) and `to` (exclusive), from the daily rollup. */
export async function statHistory(db: Db, tenant: string, q: { kind: 'player' | 'team'; id: string; from: Date; to: Date; bucket: Bucket }): Promise<HistoryPoint[]> {
  const days = await subjectHistory(db, tenant, { kind: q.kind, id: q.id, from: q.from, to: q.to });
  const out = new Map<number, HistoryPoint>();
  for (const d of days) {
    const t = bucketStart(d.day, q.bucket).getTime();
    let p = out.get(t);
    if (!p) out.set(t, (p = { time: new Date(t), games: 0, kills: 0, deaths: 0, assists: 0, damage: null }));
    p.games += d.games;
    p.kills += d.kills;
    p.deaths += d.deaths;
    p.assists += d.assists;
    if (d.damage !== null) p.damage = (p.damage ?? 0) + d.damage;
  }
  return [...out.values()].sort((x, y) => x.time.getTime() - y.time.getTime());
}
