// Reads the three Faceit payloads into one vocabulary: webhooks ({ event, payload }), the Data API
// match (/matches/{id}) and its statistics (/matches/{id}/stats). Only CS matches are accepted.
import { ParseError } from '../errors.ts';
import { arr, isObj, obj, optCount, optNum, optStr, slug, str, type Obj } from '../util.ts';

export const SOURCE = 'faceit';
const MAX_MAPS = 9;
const MAX_PLAYERS = 16;

export type Faction = 'faction1' | 'faction2';
export const FACTIONS: readonly Faction[] = ['faction1', 'faction2'];

export interface FTeam {
  faction: Faction;
  /** Faceit's faction id (a team or player uuid): what statistics and winners refer to. */
  factionId?: string;
  /** Our team id: a slug of the team name, stable across webhook, match and statistics. */
  id: string;
  name: string;
}

export type Status = 'created' | 'started' | 'finished' | 'aborted' | 'cancelled' | 'other';

export interface FMatch {
  id: string;
  teams?: [FTeam, FTeam];
  bestOf?: number;
  map?: string;
  startedAt?: string;
  finishedAt?: string;
  /** When the webhook was sent. */
  eventAt?: string;
  status: Status;
  results?: { winner?: Faction; score: [number, number] };
}

export interface FPlayerLine {
  id: string;
  name: string;
  stats: Obj;
}

export interface FMapTeam {
  factionId?: string;
  name: string;
  score?: number;
  win?: boolean;
  players: FPlayerLine[];
}

export interface FMapStats {
  n: number;
  map?: string;
  mode?: string;
  rounds?: number;
  winnerId?: string;
  teams: FMapTeam[];
}

export interface FStats {
  id: string;
  bestOf?: number;
  maps: FMapStats[];
}

export function faceitId(v: unknown, at: string): string {
  const id = str(SOURCE, v, at);
  if (!/^[A-Za-z0-9-]{1,100}$/.test(id)) throw new ParseError(SOURCE, 'match id must be 1-100 letters, digits or dashes', at);
  return id;
}

/** Faceit serves CS2 (and CS:GO history) under one title; other games are not ours. */
export function checkGame(v: unknown, at: string): void {
  if (v === undefined || v === null) return;
  const game = typeof v === 'string' ? v.toLowerCase() : '';
  if (game !== 'cs2' && game !== 'csgo') throw new ParseError(SOURCE, `game ${JSON.stringify(v)?.slice(0, 40)} is not supported: only cs2 and csgo matches are ingested`, at);
}

/** ISO time from unix seconds, unix ms or an ISO string; undefined when absent or absurd. */
export function timeOf(v: unknown): string | undefined {
  const n = typeof v === 'number' ? v : undefined;
  const ms = n !== undefined ? (n > 1e12 ? n : n * 1000) : typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isFinite(ms) && ms > 0 && ms < 8.64e15 ? new Date(ms).toISOString() : undefined;
}

function readTeams(v: unknown, at: string): [FTeam, FTeam] | undefined {
  // Webhooks send an array [faction1, faction2]; the Data API an object { faction1, faction2 }.
  const list = Array.isArray(v) ? v : isObj(v) ? [v.faction1, v.faction2] : undefined;
  if (!list) return undefined;
  if (list.length !== 2 || !list.every(isObj)) throw new ParseError(SOURCE, 'expected two teams (faction1 and faction2)', at);
  const teams = list.map((t, i) => {
    const o = t as Obj;
    const faction = FACTIONS[i]!;
    const name = (optStr(o.name) ?? '').slice(0, 128);
    return { faction, factionId: optStr(o.faction_id ?? o.id), id: slug(name || faction), name: name || (i === 0 ? 'Faction 1' : 'Faction 2') };
  }) as [FTeam, FTeam];
  // Two teams with the same name (or none) keep the faction names as ids, so they stay apart.
  if (teams[0].id === teams[1].id || !teams[0].name.trim() || !teams[1].name.trim()) for (const t of teams) t.id = t.faction;
  return teams;
}

function readResults(v: unknown): FMatch['results'] {
  if (!isObj(v) || !isObj(v.score)) return undefined;
  const a = optCount(v.score.faction1);
  const b = optCount(v.score.faction2);
  if (a === undefined || b === undefined) return undefined;
  const winner = v.winner === 'faction1' || v.winner === 'faction2' ? v.winner : undefined;
  return { ...(winner ? { winner } : {}), score: [a, b] };
}

const STATUS_BY_EVENT: Record<string, Status> = {
  match_object_created: 'created',
  match_status_ready: 'started',
  match_status_configuring: 'started',
  match_status_finished: 'finished',
  match_status_aborted: 'aborted',
  match_status_cancelled: 'cancelled',
};

const STATUS_BY_STATE: Record<string, Status> = {
  READY: 'started',
  CONFIGURING: 'started',
  ONGOING: 'started',
  FINISHED: 'finished',
  ABORTED: 'aborted',
  CANCELLED: 'cancelled',
};

export function readWebhook(root: Obj): FMatch {
  const event = str(SOURCE, root.event, '/event');
  const p = obj(SOURCE, root.payload, '/payload');
  checkGame(p.game, '/payload/game');
  return {
    id: faceitId(p.id, '/payload/id'),
    teams: readTeams(p.teams, '/payload/teams'),
    startedAt: timeOf(p.started_at),
    finishedAt: timeOf(p.finished_at),
    eventAt: timeOf(root.timestamp),
    status: STATUS_BY_EVENT[event] ?? 'other',
    results: readResults(p.results),
  };
}

export function readMatchDoc(root: Obj): FMatch {
  checkGame(root.game, '/game');
  const voting = isObj(root.voting) && isObj(root.voting.map) && Array.isArray(root.voting.map.pick) ? root.voting.map.pick : [];
  return {
    id: faceitId(root.match_id, '/match_id'),
    teams: readTeams(root.teams, '/teams'),
    bestOf: optCount(root.best_of) || undefined,
    map: voting.length === 1 ? optStr(voting[0]) : undefined,
    startedAt: timeOf(root.started_at),
    finishedAt: timeOf(root.finished_at),
    status: STATUS_BY_STATE[(optStr(root.status) ?? '').toUpperCase()] ?? 'other',
    results: readResults(root.results),
  };
}

export function readStats(root: Obj): FStats {
  const rounds = arr(SOURCE, root.rounds, '/rounds');
  if (rounds.length === 0) throw new ParseError(SOURCE, 'rounds is empty: no statistics yet', '/rounds');
  if (rounds.length > MAX_MAPS) throw new ParseError(SOURCE, `rounds has ${rounds.length} maps; at most ${MAX_MAPS}`, '/rounds');
  const first = obj(SOURCE, rounds[0], '/rounds/0');
  const id = faceitId(first.match_id, '/rounds/0/match_id');
  const maps = rounds.map((r, i) => readMap(r, i, id));
  const numbers = new Set<number>();
  for (const [i, m] of maps.entries()) {
    if (numbers.has(m.n)) throw new ParseError(SOURCE, `match_round ${m.n} appears twice`, `/rounds/${i}/match_round`);
    numbers.add(m.n);
  }
  return { id, bestOf: optCount(first.best_of) || undefined, maps };
}

function readMap(v: unknown, i: number, id: string): FMapStats {
  const at = `/rounds/${i}`;
  const r = obj(SOURCE, v, at);
  checkGame(r.game_id, `${at}/game_id`);
  if (r.match_id !== undefined && r.match_id !== id) throw new ParseError(SOURCE, `every map must belong to match ${id}`, `${at}/match_id`);
  const rs = isObj(r.round_stats) ? r.round_stats : {};
  const teams = arr(SOURCE, r.teams, `${at}/teams`);
  if (teams.length !== 2) throw new ParseError(SOURCE, `expected two teams, got ${teams.length}`, `${at}/teams`);
  const n = optCount(r.match_round) ?? i + 1;
  const [a, b] = teams.map((t, j) => readMapTeam(t, `${at}/teams/${j}`)) as [FMapTeam, FMapTeam];
  const both = b.players.find((p) => a.players.some((q) => q.id === p.id));
  if (both) throw new ParseError(SOURCE, `player ${both.id} is in both teams`, `${at}/teams`);
  return {
    n: n >= 1 && n <= MAX_MAPS ? n : i + 1,
    map: optStr(rs.Map)?.slice(0, 128),
    mode: optStr(r.game_mode)?.slice(0, 128),
    rounds: optCount(rs.Rounds),
    winnerId: optStr(rs.Winner),
    teams: [a, b],
  };
}

function readMapTeam(v: unknown, at: string): FMapTeam {
  const t = obj(SOURCE, v, at);
  const ts = isObj(t.team_stats) ? t.team_stats : {};
  const players = arr(SOURCE, t.players, `${at}/players`);
  if (players.length > MAX_PLAYERS) throw new ParseError(SOURCE, `players has ${players.length} entries; at most ${MAX_PLAYERS}`, `${at}/players`);
  const win = optNum(ts['Team Win']);
  const ids = new Set<string>();
  return {
    factionId: optStr(t.team_id),
    name: (optStr(ts.Team) ?? '').slice(0, 128),
    score: optCount(ts['Final Score']),
    win: win === undefined ? undefined : win === 1,
    players: players.map((p, k) => {
      const o = obj(SOURCE, p, `${at}/players/${k}`);
      const id = str(SOURCE, o.player_id, `${at}/players/${k}/player_id`);
      if (!id || id.length > 128) throw new ParseError(SOURCE, 'player_id must be 1-128 characters', `${at}/players/${k}/player_id`);
      if (ids.has(id)) throw new ParseError(SOURCE, `player ${id} appears twice`, `${at}/players/${k}/player_id`);
      ids.add(id);
      return { id, name: (optStr(o.nickname) ?? id).slice(0, 128), stats: isObj(o.player_stats) ? o.player_stats : {} };
    }),
  };
}
