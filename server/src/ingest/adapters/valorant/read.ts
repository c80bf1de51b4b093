// Reads a Riot VAL-MATCH-V1 match document into the few shapes the adapter needs, checking what it
// relies on (ParseError naming the JSON path) and ignoring the rest.
import type { Position } from '@clutch/core';
import { ParseError } from '../errors.ts';
import { arr, isObj, num, obj, optNum, optStr, str, type Obj } from '../util.ts';
import { agentName } from './content.ts';

export const SOURCE = 'valorant-match';
const MAX_PLAYERS = 32;
const MAX_ROUNDS = 100;
const MAX_KILLS_PER_PLAYER_ROUND = 32;
/** Every time in a match document is within a day of its start. */
const DAY_MS = 86_400_000;

export type TeamId = 'red' | 'blue';

export interface VPlayer {
  puuid: string;
  name: string;
  team: TeamId;
  agent?: string;
  stats: Obj;
}

export interface VKill {
  /** ms since the game started / since the round started. */
  t: number;
  rt: number;
  killer?: string;
  victim: string;
  assistants: string[];
  victimAt?: Position;
  killerAt?: Position;
  damageType?: string;
  damageItem?: string;
  secondary?: boolean;
}

export interface VRound {
  /** 1-based. */
  n: number;
  winner: TeamId;
  result?: string;
  code?: string;
  ceremony?: string;
  planter?: string;
  defuser?: string;
  site?: string;
  /** ms since the round started. */
  plantAt?: number;
  defuseAt?: number;
  kills: VKill[];
  /** Per player (puuid): this round's score, damage dealt and economy. */
  perPlayer: Map<string, { score?: number; damage: number; economy?: Obj }>;
}

export interface VMatch {
  id: string;
  startMs: number;
  lengthMs?: number;
  completed: boolean;
  map?: string;
  queue?: string;
  extra: Record<string, unknown>;
  players: Map<string, VPlayer>;
  teams: Obj[];
  rounds: VRound[];
}

export function teamIdOf(v: unknown, at: string): TeamId {
  const t = typeof v === 'string' ? v.toLowerCase() : '';
  if (t === 'red' || t === 'blue') return t;
  throw new ParseError(SOURCE, `teamId ${JSON.stringify(v)?.slice(0, 80)} is not Red or Blue (only team modes are supported)`, at);
}

export function readMatch(root: Obj): VMatch {
  const info = obj(SOURCE, root.matchInfo, '/matchInfo');
  const id = str(SOURCE, info.matchId, '/matchInfo/matchId');
  if (!/^[A-Za-z0-9-]{1,100}$/.test(id)) throw new ParseError(SOURCE, 'matchId must be 1-100 letters, digits or dashes', '/matchInfo/matchId');
  const startMs = num(SOURCE, info.gameStartMillis, '/matchInfo/gameStartMillis');
  if (startMs < 0 || startMs > 8.6e15) throw new ParseError(SOURCE, `gameStartMillis ${startMs} is not a time`, '/matchInfo/gameStartMillis');
  const lengthMs = optNum(info.gameLengthMillis);
  if (lengthMs !== undefined && lengthMs > DAY_MS) throw new ParseError(SOURCE, `gameLengthMillis ${lengthMs} is longer than a day`, '/matchInfo/gameLengthMillis');
  const mapId = optStr(info.mapId);
  const teams = Array.isArray(root.teams) ? root.teams.filter(isObj) : [];
  const players = readPlayers(root.players);
  const rounds = root.roundResults === null || root.roundResults === undefined ? [] : arr(SOURCE, root.roundResults, '/roundResults');
  if (rounds.length > MAX_ROUNDS) throw new ParseError(SOURCE, `roundResults has ${rounds.length} entries; at most ${MAX_ROUNDS}`, '/roundResults');
  return {
    id,
    startMs,
    lengthMs: lengthMs !== undefined && lengthMs >= 0 ? lengthMs : undefined,
    completed: info.isCompleted !== false,
    map: mapId || undefined,
    queue: optStr(info.queueId) || optStr(info.customGameName) || undefined,
    extra: Object.fromEntries(Object.entries({ isRanked: info.isRanked, seasonId: optStr(info.seasonId), customGameName: optStr(info.customGameName) || undefined }).filter(([, v]) => v !== undefined)),
    players,
    teams,
    rounds: uniqueRounds(rounds.map((r, i) => readRound(r, i, players))),
  };
}

function uniqueRounds(rounds: VRound[]): VRound[] {
  const seen = new Set<number>();
  for (const [i, r] of rounds.entries()) {
    if (seen.has(r.n)) throw new ParseError(SOURCE, `roundNum ${r.n - 1} appears twice`, `/roundResults/${i}/roundNum`);
    seen.add(r.n);
  }
  return rounds;
}

function readPlayers(v: unknown): Map<string, VPlayer> {
  const list = arr(SOURCE, v, '/players');
  if (list.length > MAX_PLAYERS) throw new ParseError(SOURCE, `players has ${list.length} entries; at most ${MAX_PLAYERS}`, '/players');
  const out = new Map<string, VPlayer>();
  for (const [i, p] of list.entries()) {
    const o = obj(SOURCE, p, `/players/${i}`);
    const puuid = str(SOURCE, o.puuid ?? o.subject, `/players/${i}/puuid`);
    if (!puuid || puuid.length > 128) throw new ParseError(SOURCE, 'puuid must be 1-128 characters', `/players/${i}/puuid`);
    const game = optStr(o.gameName);
    const tag = optStr(o.tagLine);
    const character = optStr(o.characterId);
    out.set(puuid, {
      puuid,
      name: (game ? (tag ? `${game}#${tag}` : game) : puuid).slice(0, 128),
      team: teamIdOf(o.teamId, `/players/${i}/teamId`),
      agent: character ? agentName(character) : undefined,
      stats: isObj(o.stats) ? o.stats : {},
    });
  }
  return out;
}

const position = (v: unknown): Position | undefined => {
  if (!isObj(v)) return undefined;
  const x = optNum(v.x);
  const y = optNum(v.y);
  return x !== undefined && y !== undefined ? { x, y } : undefined;
};

function readRound(v: unknown, i: number, players: Map<string, VPlayer>): VRound {
  const at = `/roundResults/${i}`;
  const r = obj(SOURCE, v, at);
  const n = (optNum(r.roundNum) ?? i) + 1;
  if (!Number.isInteger(n) || n < 1 || n > MAX_ROUNDS) throw new ParseError(SOURCE, 'roundNum must be 0-99', `${at}/roundNum`);
  const kills: VKill[] = [];
  const perPlayer: VRound['perPlayer'] = new Map();
  const stats = Array.isArray(r.playerStats) ? r.playerStats : [];
  for (const [j, s] of stats.slice(0, MAX_PLAYERS).entries()) {
    if (!isObj(s)) continue;
    const puuid = optStr(s.puuid ?? s.subject);
    if (!puuid) continue;
    const damage = (Array.isArray(s.damage) ? s.damage : []).reduce<number>((a, d) => a + (isObj(d) ? (optNum(d.damage) ?? 0) : 0), 0);
    perPlayer.set(puuid, { score: optNum(s.score), damage, economy: isObj(s.economy) ? s.economy : undefined });
    const list = Array.isArray(s.kills) ? s.kills.slice(0, MAX_KILLS_PER_PLAYER_ROUND) : [];
    for (const [k, kill] of list.entries()) kills.push(readKill(kill, `${at}/playerStats/${j}/kills/${k}`, players));
  }
  kills.sort((a, b) => a.t - b.t);
  // The same kill listed twice (same time, killer, victim) is one fact.
  const seen = new Set<string>();
  const unique = kills.filter((k) => {
    const id = `${k.t}|${k.killer ?? ''}|${k.victim}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return {
    n,
    winner: teamIdOf(r.winningTeam, `${at}/winningTeam`),
    result: optStr(r.roundResult) || undefined,
    code: optStr(r.roundResultCode) || undefined,
    ceremony: optStr(r.roundCeremony) || undefined,
    planter: optStr(r.bombPlanter) || undefined,
    defuser: optStr(r.bombDefuser) || undefined,
    site: optStr(r.plantSite)?.slice(0, 16) || undefined,
    plantAt: positive(r.plantRoundTime),
    defuseAt: positive(r.defuseRoundTime),
    kills: unique,
    perPlayer,
  };
}

/** A time within the round (ms after its start); 0, absent or absurd mean "did not happen". */
const positive = (v: unknown): number | undefined => {
  const n = optNum(v);
  return n !== undefined && n > 0 && n <= DAY_MS ? n : undefined;
};

function readKill(v: unknown, at: string, players: Map<string, VPlayer>): VKill {
  const k = obj(SOURCE, v, at);
  const t = num(SOURCE, k.timeSinceGameStartMillis ?? k.gameTime, `${at}/timeSinceGameStartMillis`);
  const rt = num(SOURCE, k.timeSinceRoundStartMillis ?? k.roundTime, `${at}/timeSinceRoundStartMillis`);
  if (t < 0 || rt < 0 || t > DAY_MS || rt > DAY_MS) throw new ParseError(SOURCE, 'kill times must be 0 or more ms, within a day', at);
  const victim = str(SOURCE, k.victim, `${at}/victim`);
  if (!players.has(victim)) throw new ParseError(SOURCE, 'victim is not one of the players', `${at}/victim`);
  const killer = optStr(k.killer);
  const finishing = isObj(k.finishingDamage) ? k.finishingDamage : {};
  const locations = Array.isArray(k.playerLocations) ? k.playerLocations : [];
  const mine = locations.find((l) => isObj(l) && (l.puuid ?? l.subject) === killer);
  return {
    t,
    rt,
    killer: killer && players.has(killer) ? killer : undefined,
    victim,
    assistants: (Array.isArray(k.assistants) ? k.assistants : []).filter((a): a is string => typeof a === 'string' && players.has(a)).slice(0, 9),
    victimAt: position(k.victimLocation),
    killerAt: isObj(mine) ? position(mine.location) : undefined,
    damageType: optStr(finishing.damageType) || undefined,
    damageItem: optStr(finishing.damageItem) || undefined,
    secondary: typeof finishing.isSecondaryFireMode === 'boolean' ? finishing.isSecondaryFireMode : undefined,
  };
}
