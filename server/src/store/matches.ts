// Live match summaries. Writes are idempotent by seq: a summary only replaces a stored one with a
// lower last_seq, so a redelivered or replayed event batch changes nothing.
import type { LiveSummary, MatchStatus, Title } from '@clutch/core';
import { sql } from 'kysely';
import { upsertJson, type Db } from './db.ts';

export interface MatchRow {
  tenant: string;
  id: string;
  title: Title;
  status: MatchStatus | 'scheduled' | 'cancelled';
  teams: LiveSummary['teams'];
  map: string | null;
  winner: string | null;
  tournamentId: string | null;
  seriesId: string | null;
  lastSeq: number;
  startedAt: Date;
  updatedAt: Date;
}

/** Upserts summaries; returns how many rows changed (stale ones are skipped). */
export async function upsertSummaries(db: Db, summaries: readonly LiveSummary[]): Promise<number> {
  const changed = await upsertJson(db, {
    table: 'matches',
    columns: { tenant_id: 'text', id: 'text', title: 'text', status: 'text', teams: 'jsonb', map: 'text', winner: 'text', last_seq: 'bigint', started_at: 'timestamptz', updated_at: 'timestamptz' },
    rows: summaries.map((s) => ({ tenant_id: s.tenant, id: s.matchId, title: s.title, status: s.status, teams: s.teams, map: s.map ?? null, winner: s.winner ?? null, last_seq: s.lastSeq, started_at: s.startedAt, updated_at: s.updatedAt })),
    conflict: ['tenant_id', 'id'],
    update: ['status', 'teams', 'map', 'winner', 'last_seq', 'started_at', 'updated_at'],
    guard: 't.last_seq < excluded.last_seq',
    returning: ['id'],
  });
  return changed.length;
}

function toRow(r: {
  tenant_id: string;
  id: string;
  title: string;
  status: string;
  teams: unknown;
  map: string | null;
  winner: string | null;
  tournament_id: string | null;
  series_id: string | null;
  last_seq: number;
  started_at: Date;
  updated_at: Date;
}): MatchRow {
  return {
    tenant: r.tenant_id,
    id: r.id,
    title: r.title as Title,
    status: r.status as MatchRow['status'],
    teams: r.teams as LiveSummary['teams'],
    map: r.map,
    winner: r.winner,
    tournamentId: r.tournament_id,
    seriesId: r.series_id,
    lastSeq: r.last_seq,
    startedAt: r.started_at,
    updatedAt: r.updated_at,
  };
}

export interface MatchQuery {
  status?: MatchRow['status'];
  title?: Title;
  tournament?: string;
  series?: string;
  /** Matches of any of these series. */
  seriesIn?: readonly string[];
  /** Matches this team played. */
  team?: string;
  /** Matches this player played (their roster). */
  player?: string;
  /** Started at or after / before. */
  from?: Date;
  to?: Date;
  /** Keyset: matches after this one in the order (started_at desc, id desc). */
  after?: { startedAt: Date; id: string };
  limit: number;
}

/** Matches of a tenant, newest start first (ties by id): a stable order for cursor pagination. */
export async function queryMatches(db: Db, tenant: string, q: MatchQuery): Promise<MatchRow[]> {
  let s = db.selectFrom('matches').selectAll().where('tenant_id', '=', tenant);
  if (q.status) s = s.where('status', '=', q.status);
  if (q.title) s = s.where('title', '=', q.title);
  if (q.tournament) s = s.where('tournament_id', '=', q.tournament);
  if (q.series) s = s.where('series_id', '=', q.series);
  if (q.seriesIn) s = q.seriesIn.length ? s.where('series_id', 'in', q.seriesIn) : s.where(sql<boolean>`false`);
  if (q.team) s = s.where(sql<boolean>`teams @> ${JSON.stringify([{ id: q.team }])}::jsonb`);
  if (q.player) {
    const player = q.player;
    s = s.where(({ exists, selectFrom }) =>
      exists(selectFrom('match_rosters as r').select('r.player_id').whereRef('r.tenant_id', '=', 'matches.tenant_id').whereRef('r.match_id', '=', 'matches.id').where('r.player_id', '=', player)),
    );
  }
  if (q.from) s = s.where('started_at', '>=', q.from);
  if (q.to) s = s.where('started_at', '<', q.to);
  if (q.after) {
    const { startedAt, id } = q.after;
    s = s.where((eb) => eb.or([eb('started_at', '<', startedAt), eb.and([eb('started_at', '=', startedAt), eb('id', '<', id)])]));
  }
  const rows = await s.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(toRow);
}

/** The latest matches (by start), optionally of one status and title. */
export async function listMatches(db: Db, tenant: string, opts: { status?: MatchRow['status']; title?: Title; limit: number }): Promise<MatchRow[]> {
  return queryMatches(db, tenant, opts);
}

export async function getMatch(db: Db, tenant: string, id: string): Promise<MatchRow | undefined> {
  const r = await db.selectFrom('matches').selectAll().where('tenant_id', '=', tenant).where('id', '=', id).executeTakeFirst();
  return r ? toRow(r) : undefined;
}

/** Per-match last applied seq, for resuming processing. */
export async function lastSeqs(db: Db, tenant: string, ids: readonly string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('matches').select(['id', 'last_seq']).where('tenant_id', '=', tenant).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.last_seq]));
}

/** Count of matches per status for one tenant (for the demo page and metrics). */
export async function countByStatus(db: Db, tenant: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('matches')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .where('tenant_id', '=', tenant)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
