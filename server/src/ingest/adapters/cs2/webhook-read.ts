// Readers for the get5 / MatchZy webhook bodies (one family: MatchZy copies get5's event format):
// players, teams with scores and per-player stats, winners. Bad shapes are ParseErrors naming the field.
import { ParseError } from '../errors.ts';
import { arr, isObj, num, obj, optCount, optNum, optStr, slug, type Obj } from '../util.ts';
import { name, playerId, side, type Side } from './common.ts';

export type WebhookSource = 'get5' | 'matchzy';

export interface WPlayer {
  id: string;
  name: string;
  side?: Side;
  userId?: number;
}

export interface WStats {
  kills?: number;
  deaths?: number;
  assists?: number;
  damage?: number;
  headshots?: number;
  mvps?: number;
  score?: number;
}

export interface WTeam {
  name?: string;
  userId?: string;
  score?: number;
  seriesScore?: number;
  side?: Side;
  players: { player: WPlayer; stats: WStats }[];
}

/** 10 per team is a full roster; coaches and substitutes stay well under this. */
const MAX_TEAM_PLAYERS = 32;

export function readPlayer(src: WebhookSource, v: unknown, at: string): WPlayer {
  const p = obj(src, v, at);
  const playerName = name(p.name, '');
  const steamid = optStr(p.steamid) ?? optStr(p.SteamID) ?? optStr(p.steam_id);
  if (!playerName && !steamid) throw new ParseError(src, 'player has neither steamid nor name', at);
  const out: WPlayer = { id: playerId(steamid, playerName || steamid!), name: playerName || steamid!.slice(0, 128) };
  const s = side(p.side);
  if (s) out.side = s;
  const uid = optCount(p.user_id);
  if (uid !== undefined) out.userId = uid;
  return out;
}

export function optPlayer(src: WebhookSource, v: unknown, at: string): WPlayer | undefined {
  return v === undefined || v === null ? undefined : readPlayer(src, v, at);
}

function readStats(v: unknown): WStats {
  const s = isObj(v) ? v : {};
  const out: WStats = {};
  const map: [keyof WStats, unknown][] = [
    ['kills', s.kills], ['deaths', s.deaths], ['assists', s.assists], ['damage', s.damage],
    ['headshots', s.headshot_kills], ['mvps', s.mvp], ['score', s.score],
  ];
  for (const [k, val] of map) {
    const n = optCount(val);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

/** team1 / team2: a Get5StatsTeam object, or (get5 ≤ 0.12) just `team1_score` and `team1_name`. */
export function readTeam(src: WebhookSource, body: Obj, which: 'team1' | 'team2'): WTeam {
  const t = body[which];
  const out: WTeam = { players: [] };
  const oldName = optStr(body[`${which}_name`]);
  if (oldName) out.name = oldName.slice(0, 128);
  const oldScore = body[`${which}_score`];
  if (oldScore !== undefined) out.score = count(src, oldScore, `/${which}_score`);
  if (t === undefined || t === null) return out;
  const team = obj(src, t, `/${which}`);
  const teamName = optStr(team.name)?.trim();
  if (teamName) out.name = teamName.slice(0, 128);
  const userId = optStr(team.id)?.trim();
  if (userId) out.userId = userId.slice(0, 64);
  if (team.score !== undefined) out.score = count(src, team.score, `/${which}/score`);
  const series = optCount(team.series_score);
  if (series !== undefined) out.seriesScore = series;
  const s = side(team.side);
  if (s) out.side = s;
  if (team.players !== undefined) {
    const players = arr(src, team.players, `/${which}/players`);
    if (players.length > MAX_TEAM_PLAYERS) throw new ParseError(src, `${players.length} players (at most ${MAX_TEAM_PLAYERS})`, `/${which}/players`);
    out.players = players.map((p, i) => ({ player: readPlayer(src, p, `/${which}/players/${i}`), stats: readStats(isObj(p) ? p.stats : undefined) }));
  }
  return out;
}

/** A count field: a non-negative integer or a ParseError naming it. */
export function count(src: WebhookSource, v: unknown, at: string): number {
  const n = num(src, v, at);
  if (!Number.isInteger(n) || n < 0 || n > 1e9) throw new ParseError(src, `expected a non-negative integer, got ${n}`, at);
  return n;
}

export function optCountField(src: WebhookSource, body: Obj, field: string): number | undefined {
  const v = body[field];
  return v === undefined || v === null ? undefined : count(src, v, `/${field}`);
}

/** `matchid`: get5 sends a string, MatchZy an integer; undefined when absent or empty. */
export function readMatchId(src: WebhookSource, body: Obj): string | undefined {
  const v = body.matchid;
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && (typeof v !== 'number' || !Number.isFinite(v))) throw new ParseError(src, 'matchid must be a string or a number', '/matchid');
  return slug(String(v), 96);
}

/** "team1" / "team2" (also 1 / 2) as an index; undefined for spec, null, anything else. */
export function teamIndex(v: unknown): 0 | 1 | undefined {
  const s = typeof v === 'number' ? `team${v}` : typeof v === 'string' ? v.toLowerCase() : '';
  return s === 'team1' ? 0 : s === 'team2' ? 1 : undefined;
}

export function readWinner(body: Obj): { team?: 0 | 1; side?: Side } {
  const w = isObj(body.winner) ? body.winner : {};
  const out: { team?: 0 | 1; side?: Side } = {};
  const t = teamIndex(w.team);
  if (t !== undefined) out.team = t;
  const s = side(w.side);
  if (s) out.side = s;
  return out;
}

export function optBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  // MatchZy sends `penetrated` as the number of objects the bullet went through; get5 a boolean.
  const n = optNum(v);
  return n === undefined ? undefined : n > 0;
}

export function weaponName(v: unknown): string | undefined {
  const w = isObj(v) ? optStr(v.name) : optStr(v);
  return w ? w.replace(/^weapon_/, '').slice(0, 64) : undefined;
}
