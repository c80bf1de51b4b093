// Reads one CS2 Game State Integration body into a small normalised snapshot: only the fields the
// diffing needs, validated, with a ParseError naming the path when a section has the wrong shape.
import type { Position } from '@clutch/core';
import { ParseError } from '../errors.ts';
import { isObj, num, obj, optCount, optNum, optStr, parseJson, type Obj } from '../util.ts';
import { name, playerId, position, side, type Side } from './common.ts';

export const GSI = 'cs2-gsi';
/** More than any real server (allplayers has 10 in competitive, ≤ 20 in casual). */
export const MAX_PLAYERS = 64;
/** map.round beyond this is not a CS match (MR12 + many overtimes stays far below). */
const MAX_ROUND = 1000;

export interface GsiPlayer {
  id: string;
  name: string;
  side?: Side;
  kills?: number;
  deaths?: number;
  assists?: number;
  mvps?: number;
  score?: number;
  health?: number;
  armor?: number;
  money?: number;
  equip?: number;
  roundKills?: number;
  roundKillHs?: number;
  /** Weapon in hand (weapon_ prefix dropped). */
  weapon?: string;
  pos?: Position;
}

export interface GsiTeam {
  name?: string;
  score: number;
  timeouts?: number;
}

export interface GsiSnap {
  /** provider.timestamp, epoch seconds. */
  ts?: number;
  mapName?: string;
  mode?: string;
  mapPhase?: string;
  mapRound?: number;
  ct?: GsiTeam;
  t?: GsiTeam;
  /** map.round_wins: round number → "ct_win_elimination"… */
  roundWins?: Record<string, string>;
  roundPhase?: string;
  winTeam?: Side;
  roundBomb?: string;
  bombState?: string;
  bombPlayer?: string;
  countdownPhase?: string;
  players: GsiPlayer[];
}

export function readGsi(payload: Buffer): GsiSnap {
  const root = obj(GSI, parseJson(GSI, payload), '/');
  const snap: GsiSnap = { players: [] };
  readProvider(root.provider, snap);
  if (root.map !== undefined) readMap(obj(GSI, root.map, '/map'), snap);
  if (root.round !== undefined) {
    const round = obj(GSI, root.round, '/round');
    snap.roundPhase = optStr(round.phase);
    snap.winTeam = side(round.win_team);
    snap.roundBomb = optStr(round.bomb);
  }
  if (isObj(root.bomb)) {
    snap.bombState = optStr(root.bomb.state);
    const carrier = optStr(root.bomb.player);
    if (carrier) snap.bombPlayer = playerId(carrier, carrier);
  }
  if (isObj(root.phase_countdowns)) snap.countdownPhase = optStr(root.phase_countdowns.phase);
  snap.players = readPlayers(root);
  return snap;
}

function readProvider(v: unknown, snap: GsiSnap): void {
  if (v === undefined) return;
  const provider = obj(GSI, v, '/provider');
  if (provider.appid !== undefined && num(GSI, provider.appid, '/provider/appid') !== 730) {
    throw new ParseError(GSI, `provider.appid is ${String(provider.appid)}, expected 730 (Counter-Strike): is this another game's GSI?`, '/provider/appid');
  }
  if (provider.timestamp !== undefined) {
    const ts = num(GSI, provider.timestamp, '/provider/timestamp');
    if (ts < 0 || ts > 8.64e12) throw new ParseError(GSI, `provider.timestamp ${ts} is not epoch seconds`, '/provider/timestamp');
    snap.ts = ts;
  }
}

function readMap(map: Obj, snap: GsiSnap): void {
  snap.mapName = optStr(map.name)?.slice(0, 128);
  snap.mode = optStr(map.mode)?.slice(0, 128);
  snap.mapPhase = optStr(map.phase);
  if (map.round !== undefined) {
    const r = num(GSI, map.round, '/map/round');
    if (!Number.isInteger(r) || r < 0 || r > MAX_ROUND) throw new ParseError(GSI, `map.round ${r} is not a round count`, '/map/round');
    snap.mapRound = r;
  }
  if (map.team_ct !== undefined) snap.ct = readTeam(map.team_ct, '/map/team_ct');
  if (map.team_t !== undefined) snap.t = readTeam(map.team_t, '/map/team_t');
  if (isObj(map.round_wins)) {
    const wins: Record<string, string> = {};
    for (const [r, v] of Object.entries(map.round_wins).slice(0, MAX_ROUND)) if (typeof v === 'string') wins[r] = v.slice(0, 64);
    snap.roundWins = wins;
  }
}

function readTeam(v: unknown, at: string): GsiTeam {
  const team = obj(GSI, v, at);
  const score = team.score === undefined ? 0 : num(GSI, team.score, `${at}/score`);
  if (!Number.isInteger(score) || score < 0 || score > MAX_ROUND) throw new ParseError(GSI, `score ${score} is not a round count`, `${at}/score`);
  const t: GsiTeam = { score };
  const n = optStr(team.name)?.trim();
  if (n) t.name = n.slice(0, 128);
  const timeouts = optCount(team.timeouts_remaining);
  if (timeouts !== undefined) t.timeouts = timeouts;
  return t;
}

/** allplayers when spectating (keyed by SteamID64), else the one `player` section. */
function readPlayers(root: Obj): GsiPlayer[] {
  if (root.allplayers !== undefined) {
    const all = obj(GSI, root.allplayers, '/allplayers');
    const entries = Object.entries(all);
    if (entries.length > MAX_PLAYERS) throw new ParseError(GSI, `allplayers has ${entries.length} entries (at most ${MAX_PLAYERS})`, '/allplayers');
    return entries.map(([steamid, p]) => readPlayer(steamid, obj(GSI, p, `/allplayers/${steamid}`)));
  }
  if (isObj(root.player) && optStr(root.player.steamid)) return [readPlayer(optStr(root.player.steamid)!, root.player)];
  return [];
}

function readPlayer(steamid: string, p: Obj): GsiPlayer {
  const playerName = name(p.name, steamid);
  const out: GsiPlayer = { id: playerId(steamid, playerName), name: playerName };
  const s = side(p.team);
  if (s) out.side = s;
  const st = isObj(p.state) ? p.state : {};
  const ms = isObj(p.match_stats) ? p.match_stats : {};
  const fields: [keyof GsiPlayer, unknown][] = [
    ['kills', ms.kills], ['deaths', ms.deaths], ['assists', ms.assists], ['mvps', ms.mvps],
    ['roundKills', st.round_kills], ['roundKillHs', st.round_killhs],
  ];
  for (const [k, v] of fields) {
    const n = optCount(v);
    if (n !== undefined) (out as unknown as Record<string, number>)[k] = n;
  }
  const nums: [keyof GsiPlayer, unknown][] = [['score', ms.score], ['health', st.health], ['armor', st.armor], ['money', st.money], ['equip', st.equip_value]];
  for (const [k, v] of nums) {
    const n = optNum(v);
    if (n !== undefined) (out as unknown as Record<string, number>)[k] = n;
  }
  const weapon = activeWeapon(p.weapons);
  if (weapon) out.weapon = weapon;
  const pos = position(p.position);
  if (pos) out.pos = pos;
  return out;
}

function activeWeapon(weapons: unknown): string | undefined {
  if (!isObj(weapons)) return undefined;
  for (const w of Object.values(weapons).slice(0, 32)) {
    if (isObj(w) && w.state === 'active' && typeof w.name === 'string') return w.name.replace(/^weapon_/, '').slice(0, 64);
  }
  return undefined;
}
