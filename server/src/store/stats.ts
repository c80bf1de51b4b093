// What the processor writes, and the reads over it. Every write is an upsert that only replaces a
// row holding a lower seq, so a replayed batch changes nothing. Writes are one statement per table with the rows as one JSON parameter (upsertJson)
// (never one round trip per event) and run in the caller's transaction.
import type { MatchStatsView, Title } from '@clutch/core';
import { sql } from 'kysely';
import { chunks, rowsJson, upsertJson, type Db, type JsonColumns } from './db.ts';

export interface WindowRow {
  time: Date;
  tenant: string;
  matchId: string;
  title: Title;
  subjectKind: 'player' | 'team';
  subjectId: string;
  win: 'minute' | 'round' | 'game';
  idx: number;
  kills?: number;
  deaths?: number;
  assists?: number;
  damage?: number;
  gold?: number;
  xp?: number;
  cs?: number;
  lastSeq: number;
}

export interface MatchStatsWrite {
  tenant: string;
  matchId: string;
  title: Title;
  tournamentId?: string;
  seriesId?: string;
  /** Seq of the last event applied: the idempotency guard. */
  lastSeq: number;
  /** The processor's state to resume from, as JSON text. */
  snapshotJson: string;
  view: MatchStatsView;
  playedAt: Date;
  updatedAt: Date;
}

/** The processor's snapshot of a match (what writeMatchStats stored as `snapshot`). */
export async function loadSnapshot(db: Db, tenant: string, matchId: string): Promise<unknown> {
  const row = await db.selectFrom('match_stats').select(['state']).where('tenant_id', '=', tenant).where('match_id', '=', matchId).executeTakeFirst();
  return row?.state;
}

export async function getMatchStats(db: Db, tenant: string, matchId: string): Promise<MatchStatsView | undefined> {
  const row = await db.selectFrom('match_stats').select(['view']).where('tenant_id', '=', tenant).where('match_id', '=', matchId).executeTakeFirst();
  return row ? (row.view as unknown as MatchStatsView) : undefined;
}

/**
 * Writes match stats (snapshot + view), per-player and per-team rows, rosters, and the match's
 * tournament and series. These rows belong to the match (one writer at a time). Returns the matches actually written: one whose stored last_seq is not lower is left
 * alone (a stale writer, or a replay), and so are its rows.
 */
export async function writeMatchStats(db: Db, items: readonly MatchStatsWrite[]): Promise<Set<string>> {
  const written = new Set<string>();
  const stored = await upsertJson(db, {
    table: 'match_stats',
    columns: { tenant_id: 'text', match_id: 'text', title: 'text', last_seq: 'bigint', state: 'jsontext', view: 'jsonb', updated_at: 'timestamptz' },
    rows: items.map((m) => ({ tenant_id: m.tenant, match_id: m.matchId, title: m.title, last_seq: m.lastSeq, state: m.snapshotJson, view: m.view, updated_at: m.updatedAt })),
    conflict: ['tenant_id', 'match_id'],
    update: ['last_seq', 'state', 'view', 'updated_at'],
    guard: 't.last_seq < excluded.last_seq',
    returning: ['tenant_id', 'match_id'],
  });
  for (const r of stored) written.add(`${r.tenant_id as string}\u0000${r.match_id as string}`);
  const fresh = items.filter((m) => written.has(`${m.tenant}\u0000${m.matchId}`));
  if (!fresh.length) return written;

  await upsertJson(db, {
    table: 'match_player_stats',
    columns: { tenant_id: 'text', match_id: 'text', player_id: 'text', title: 'text', team_id: 'text', tournament_id: 'text', finished: 'boolean', kills: 'integer', deaths: 'integer', assists: 'integer', stats: 'jsonb', last_seq: 'bigint', played_at: 'timestamptz' },
    rows: fresh.flatMap((m) =>
      m.view.players.map((p) => ({
        tenant_id: m.tenant,
        match_id: m.matchId,
        player_id: p.id,
        title: m.title,
        team_id: p.team ?? null,
        tournament_id: m.tournamentId ?? null,
        finished: m.view.status === 'finished',
        kills: p.kills,
        deaths: p.deaths,
        assists: p.assists,
        stats: p,
        last_seq: m.lastSeq,
        played_at: m.playedAt,
      })),
    ),
    conflict: ['tenant_id', 'match_id', 'player_id'],
    update: ['team_id', 'tournament_id', 'finished', 'kills', 'deaths', 'assists', 'stats', 'last_seq'],
  });
  await upsertJson(db, {
    table: 'match_team_stats',
    columns: { tenant_id: 'text', match_id: 'text', team_id: 'text', title: 'text', score: 'integer', kills: 'integer', stats: 'jsonb', last_seq: 'bigint' },
    rows: fresh.flatMap((m) => m.view.teams.map((t) => ({ tenant_id: m.tenant, match_id: m.matchId, team_id: t.id, title: m.title, score: t.score, kills: t.kills, stats: t, last_seq: m.lastSeq }))),
    conflict: ['tenant_id', 'match_id', 'team_id'],
    update: ['score', 'kills', 'stats', 'last_seq'],
  });
  await upsertJson(db, {
    table: 'match_rosters',
    columns: { tenant_id: 'text', match_id: 'text', player_id: 'text', team_id: 'text', character: 'text', role: 'text' },
    rows: fresh.flatMap((m) => m.view.players.map((p) => ({ tenant_id: m.tenant, match_id: m.matchId, player_id: p.id, team_id: p.team ?? null, character: p.character ?? null, role: p.role ?? null }))),
    conflict: ['tenant_id', 'match_id', 'player_id'],
    update: ['team_id', 'character', 'role'],
  });
  for (const m of fresh) {
    if (!m.tournamentId && !m.seriesId) continue;
    await db
      .updateTable('matches')
      .set({ tournament_id: m.tournamentId ?? null, series_id: m.seriesId ?? null })
      .where('tenant_id', '=', m.tenant)
      .where('id', '=', m.matchId)
      .where((eb) => eb.or([eb('tournament_id', 'is distinct from', m.tournamentId ?? null), eb('series_id', 'is distinct from', m.seriesId ?? null)]))
      .execute();
  }
  return written;
}

export interface Entities {
  players: Array<{ tenant: string; id: string; name: string; title: string; teamId?: string }>;
  teams: Array<{ tenant: string; id: string; name: string; title: string }>;
  tournaments: Array<{ tenant: string; id: string; title: string }>;
}

/** The players, teams and tournaments of the given match stats (their latest names and teams). */
export function entitiesOf(items: readonly MatchStatsWrite[]): Entities {
  const players = new Map<string, Entities['players'][number]>();
  const teams = new Map<string, Entities['teams'][number]>();
  const tournaments = new Map<string, Entities['tournaments'][number]>();
  for (const m of items) {
    for (const p of m.view.players) if (p.name) players.set(`${m.tenant}\u0000${p.id}`, { tenant: m.tenant, id: p.id, name: p.name, title: m.title, ...(p.team ? { teamId: p.team } : {}) });
    for (const t of m.view.teams) teams.set(`${m.tenant}\u0000${t.id}`, { tenant: m.tenant, id: t.id, name: t.name, title: m.title });
    if (m.tournamentId) tournaments.set(`${m.tenant}\u0000${m.tournamentId}`, { tenant: m.tenant, id: m.tournamentId, title: m.title });
  }
  return { players: [...players.values()], teams: [...teams.values()], tournaments: [...tournaments.values()] };
}

/**
 * Upserts players, teams and tournaments. These rows are shared between matches on different
 * partitions (and processes), so rows go in key order, table by table: concurrent writers then lock
 * them in the same order and cannot deadlock. Unchanged rows are left alone.
 */
export async function upsertEntities(db: Db, e: Entities): Promise<void> {
  const byKey = <T extends { tenant: string; id: string }>(rows: T[]) => [...rows].sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const now = new Date();
  for (const part of chunks(byKey(e.tournaments), 500)) {
    await db.insertInto('tournaments').values(part.map((t) => ({ tenant_id: t.tenant, id: t.id, name: t.id, title: t.title }))).onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing()).execute();
  }
  for (const part of chunks(byKey(e.teams), 500)) {
    await db
      .insertInto('teams')
      .values(part.map((t) => ({ tenant_id: t.tenant, id: t.id, name: t.name, title: t.title, updated_at: now })))
      .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), updated_at: eb.ref('excluded.updated_at') })).where('teams.name', 'is distinct from', (eb) => eb.ref('excluded.name')))
      .execute();
  }
  for (const part of chunks(byKey(e.players), 500)) {
    await db
      .insertInto('players')
      .values(part.map((p) => ({ tenant_id: p.tenant, id: p.id, name: p.name, title: p.title, team_id: p.teamId ?? null, updated_at: now })))
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'id'])
          .doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), team_id: eb.ref('excluded.team_id'), updated_at: eb.ref('excluded.updated_at') }))
          .where((eb) => eb.or([eb('players.name', 'is distinct from', eb.ref('excluded.name')), eb('players.team_id', 'is distinct from', eb.ref('excluded.team_id'))])),
      )
      .execute();
  }
}

/**
 * Native partitions (no TimescaleDB): the monthly partitions of stat_windows that rows at `times`
 * need. Call it outside a transaction: two processes creating the same partition at once is fine
 * then (the loser's "already exists" is success), whereas inside a transaction it would abort it.
 */
const partitionsMade = new WeakMap<object, Set<string>>();
export async function ensureWindowPartitions(db: Db, times: Iterable<Date>): Promise<void> {
  const months = new Set<number>();
  for (const t of times) months.add(monthOf(t));
  await ensureWindowMonths(db, months);
}

const monthOf = (t: Date) => t.getUTCFullYear() * 12 + t.getUTCMonth();

/** ensureWindowPartitions() for months given as year × 12 + month (0-based). */
export async function ensureWindowMonths(db: Db, months: Iterable<number>): Promise<void> {
  const made = partitionsMade.get(db) ?? new Set<string>();
  partitionsMade.set(db, made);
  for (const ym of months) {
    const y = Math.floor(ym / 12);
    const mo = ym % 12;
    const name = `stat_windows_${y}_${String(mo + 1).padStart(2, '0')}`;
    if (made.has(name)) continue;
    const from = new Date(Date.UTC(y, mo, 1)).toISOString();
    const to = new Date(Date.UTC(y, mo + 1, 1)).toISOString();
    try {
      // A name built from two integers; the bounds are literals of our own making.
      await sql`create table if not exists ${sql.id(name)} partition of stat_windows for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(db);
    } catch (err) {
      // 42P07 duplicate table, 23505 (pg_type) unique violation: another writer created it just now.
      const code = (err as { code?: string }).code;
      if (code !== '42P07' && code !== '23505') throw err;
    }
    made.add(name);
  }
}

const WINDOW_COLUMNS = {
  time: 'timestamptz',
  tenant_id: 'text',
  match_id: 'text',
  title: 'text',
  subject_kind: 'text',
  subject_id: 'text',
  win: 'text',
  idx: 'integer',
  kills: 'double precision',
  deaths: 'double precision',
  assists: 'double precision',
  damage: 'double precision',
  gold: 'double precision',
  xp: 'double precision',
  cs: 'double precision',
  last_seq: 'bigint',
} as const satisfies JsonColumns;

/** Upserts windows (a late event's correction replaces the value) and refreshes the daily rollup natively. */
/**
 * Window rows serialised for the store where they were computed (the processor's worker threads):
 * the rows as JSON in the table's columns, the months they fall in (native partitions) and the
 * (subject, day) keys of their game rows (the native player_daily rollup).
 */
export interface WindowRowsJson {
  json: string;
  count: number;
  months: number[];
  daily: DailyKey[];
}

interface DailyKey {
  tenant: string;
  kind: string;
  subject: string;
  day: string;
}

export function windowRowsJson(rows: readonly WindowRow[]): WindowRowsJson {
  const months = new Set<number>();
  const daily = new Map<string, DailyKey>();
  const columns = rows.map((r) => {
    months.add(monthOf(r.time));
    if (r.win === 'game') {
      const day = new Date(Date.UTC(r.time.getUTCFullYear(), r.time.getUTCMonth(), r.time.getUTCDate())).toISOString();
      daily.set(`${r.tenant}\u0000${r.subjectKind}\u0000${r.subjectId}\u0000${day}`, { tenant: r.tenant, kind: r.subjectKind, subject: r.subjectId, day });
    }
    return {
      time: r.time,
      tenant_id: r.tenant,
      match_id: r.matchId,
      title: r.title,
      subject_kind: r.subjectKind,
      subject_id: r.subjectId,
      win: r.win,
      idx: r.idx,
      kills: r.kills,
      deaths: r.deaths,
      assists: r.assists,
      damage: r.damage,
      gold: r.gold,
      xp: r.xp,
      cs: r.cs,
      last_seq: r.lastSeq,
    };
  });
  return { ...rowsJson(columns), months: [...months], daily: [...daily.values()] };
}

export async function upsertWindows(db: Db, rows: readonly WindowRow[], o: { timescale: boolean }): Promise<void> {
  await upsertWindowsJson(db, [windowRowsJson(rows)], o);
}

/** Writes window rows (a replayed row never replaces a newer one: last_seq guard). */
export async function upsertWindowsJson(db: Db, parts: readonly WindowRowsJson[], o: { timescale: boolean }): Promise<void> {
  if (!parts.some((p) => p.count)) return;
  if (!o.timescale) await ensureWindowMonths(db, parts.flatMap((p) => p.months));
  await upsertJson(db, {
    table: 'stat_windows',
    columns: WINDOW_COLUMNS,
    rows: { fragments: parts },
    conflict: ['tenant_id', 'match_id', 'subject_kind', 'subject_id', 'win', 'idx', 'time'],
    update: ['kills', 'deaths', 'assists', 'damage', 'gold', 'xp', 'cs', 'last_seq'],
    guard: 't.last_seq < excluded.last_seq',
  });
  if (!o.timescale) await refreshDaily(db, parts.flatMap((p) => p.daily));
}

/** Native rollup: recomputes player_daily for the (tenant, subject, day) keys the rows touched. */
async function refreshDaily(db: Db, games: readonly DailyKey[]): Promise<void> {
  const keys = new Map<string, DailyKey>();
  for (const k of games) keys.set(`${k.tenant}\u0000${k.kind}\u0000${k.subject}\u0000${k.day}`, k);
  for (const part of chunks([...keys.values()], 300)) {
    const list = sql.join(part.map((k) => sql`(${k.tenant}, ${k.kind}, ${k.subject}, ${k.day}::timestamptz)`));
    await sql`
      insert into player_daily (day, tenant_id, title, subject_kind, subject_id, games, kills, deaths, assists, damage, gold, xp, cs)
      select date_trunc('day', w.time, 'UTC') as day, w.tenant_id, w.title, w.subject_kind, w.subject_id,
             count(*), sum(w.kills), sum(w.deaths), sum(w.assists), sum(w.damage), sum(w.gold), sum(w.xp), sum(w.cs)
      from stat_windows w
      join (values ${list}) as k(tenant_id, subject_kind, subject_id, day)
        on w.tenant_id = k.tenant_id and w.subject_kind = k.subject_kind and w.subject_id = k.subject_id
       and w.time >= k.day and w.time < k.day + interval '1 day'
      where w.win = 'game'
      group by 1, 2, 3, 4, 5
      -- rows shared by writers of other partitions: lock them in one global order (no deadlocks)
      order by w.tenant_id, w.subject_kind, w.subject_id, 1, w.title
      on conflict (tenant_id, subject_kind, subject_id, day, title) do update set
        games = excluded.games, kills = excluded.kills, deaths = excluded.deaths, assists = excluded.assists,
        damage = excluded.damage, gold = excluded.gold, xp = excluded.xp, cs = excluded.cs`.execute(db);
  }
}

export interface WindowPoint {
  idx: number;
  time: Date;
  subjectKind: 'player' | 'team';
  subjectId: string;
  values: Partial<Record<'kills' | 'deaths' | 'assists' | 'damage' | 'gold' | 'xp' | 'cs', number>>;
}

/** A match's windows of one kind, in order. */
export async function matchWindows(db: Db, tenant: string, matchId: string, win: 'minute' | 'round' | 'game'): Promise<WindowPoint[]> {
  const rows = await db
    .selectFrom('stat_windows')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where('match_id', '=', matchId)
    .where('win', '=', win)
    .orderBy('idx')
    .orderBy('subject_kind')
    .orderBy('subject_id')
    .execute();
  return rows.map((r) => ({
    idx: r.idx,
    time: new Date(r.time),
    subjectKind: r.subject_kind as 'player' | 'team',
    subjectId: r.subject_id,
    values: Object.fromEntries((['kills', 'deaths', 'assists', 'damage', 'gold', 'xp', 'cs'] as const).flatMap((k) => (r[k] === null ? [] : [[k, Number(r[k])]]))),
  }));
}

export interface DailyPoint {
  day: Date;
  games: number;
  kills: number;
  deaths: number;
  assists: number;
  damage: number | null;
}

/** A player's (or team's) per-day totals over finished and live games: the continuous aggregate or the rollup. */
export async function subjectHistory(db: Db, tenant: string, q: { kind: 'player' | 'team'; id: string; from: Date; to: Date }): Promise<DailyPoint[]> {
  const rows = await db
    .selectFrom('player_daily')
    .select(['day', 'games', 'kills', 'deaths', 'assists', 'damage'])
    .where('tenant_id', '=', tenant)
    .where('subject_kind', '=', q.kind)
    .where('subject_id', '=', q.id)
    .where('day', '>=', q.from)
    .where('day', '<', q.to)
    .orderBy('day')
    .execute();
  return rows.map((r) => ({ day: new Date(r.day), games: Number(r.games), kills: Number(r.kills ?? 0), deaths: Number(r.deaths ?? 0), assists: Number(r.assists ?? 0), damage: r.damage === null ? null : Number(r.damage) }));
}
