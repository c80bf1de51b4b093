// State of the lol-live-client stream and the roster: the Live Client Data API has no match id and
// no player ids, so players are known by name and the state remembers who plays which side.
import type { EventType, PayloadOf, PlayerRef } from '@clutch/core';
import type { Draft } from '../../types.ts';
import { isoFromMs, isObj, optCount, optStr, type Obj } from '../../util.ts';
import { nameId, player, sideOf, type Side } from '../common.ts';

export const SOURCE = 'lol-live-client';
/** Event identities remembered to drop repeats (every poll re-sends every event; a game has ~100–300). */
export const MAX_SEEN = 2000;
export const MAX_ROSTER = 20;

export interface LcPlayer {
  id: string;
  name: string;
  side?: Side;
  character?: string;
  /** Every name the API may use for this player in events: summonerName, riotId, riotIdGameName. */
  aliases: string[];
  /** scores.kills on the latest scoreboard line seen. */
  kills?: number;
}

export interface LcState {
  matchId?: string;
  /** Epoch ms of game time 0, estimated from the first payload (receivedAt − gameTime). */
  startMs?: number;
  /** Largest game time seen, ms: a smaller one later means a new game on this machine. */
  lastGameTime: number;
  seen: string[];
  roster: LcPlayer[];
  /** Id of the player whose client this is (absent when spectating). */
  active?: string;
  /** Signature of the last player.state emitted per player id: a state is emitted only when it changed. */
  sigs: Record<string, string>;
  /** Kills per side [blue, red] from the latest scoreboard (allPlayers[].scores), and as last sent in team.state. */
  scoreKills?: [number, number];
  sentKills?: [number, number];
  /** Kills per side counted from ChampionKill events (the score when no scoreboard was seen). */
  eventKills: [number, number];
  ended: boolean;
}

export function initialState(): LcState {
  return { lastGameTime: 0, seen: [], roster: [], sigs: {}, eventKills: [0, 0], ended: false };
}

export function readPlayer(p: Obj): LcPlayer | undefined {
  const riotId = optStr(p.riotId)?.trim();
  const summoner = optStr(p.summonerName)?.trim();
  const gameName = optStr(p.riotIdGameName)?.trim();
  const name = (riotId || summoner || gameName || '').slice(0, 128);
  if (!name) return undefined;
  const aliases = [...new Set([riotId, summoner, gameName, riotId?.split('#')[0]].filter((a): a is string => !!a).map((a) => a.slice(0, 128)))].slice(0, 4);
  const out: LcPlayer = { id: nameId(name), name, aliases };
  const side = sideOf(p.team);
  if (side) out.side = side;
  const champ = optStr(p.championName);
  if (champ) out.character = champ.slice(0, 128);
  const kills = isObj(p.scores) ? optCount(p.scores.kills) : undefined;
  if (kills !== undefined) out.kills = kills;
  return out;
}

export function findPlayer(s: LcState, name: string): LcPlayer | undefined {
  return s.roster.find((p) => p.aliases.includes(name)) ?? s.roster.find((p) => p.aliases.includes(name.split('#')[0]!));
}

/** Killers that are not champions: minions, turrets, jungle monsters ("SRU_Baron12.1.1"). */
export function isWorld(name: string): boolean {
  return /^(Minion_|Turret_|SRU_|Sru_|Barracks_|Neutral)/.test(name);
}

/** A player ref for a name in an event; players missing from the roster keep a name-derived id and no team. */
export function refOf(s: LcState, name: string): PlayerRef {
  const p = findPlayer(s, name);
  return p ? player(p.id, p.name, p.side, p.character) : player(nameId(name), name, undefined, undefined);
}

/** The side of a killer: its roster entry, or the team number in a minion's name (Minion_T100L1S27N0164). */
export function sideOfKiller(s: LcState, name: string): Side | undefined {
  const p = findPlayer(s, name);
  if (p) return p.side;
  const m = /^Minion_T(100|200)/.exec(name);
  return m ? sideOf(Number(m[1])) : undefined;
}

export function activeSideOf(s: LcState): Side | undefined {
  return s.active === undefined ? undefined : s.roster.find((p) => p.id === s.active)?.side;
}

export function activeName(active: unknown): string | undefined {
  if (!isObj(active)) return undefined;
  return optStr(active.riotId)?.trim() || optStr(active.summonerName)?.trim() || undefined;
}

export function makeDraft<T extends EventType>(s: LcState, type: T, payload: PayloadOf<T>, gameTimeMs: number, key: string): Draft {
  return {
    type,
    payload,
    title: 'lol',
    matchId: s.matchId!,
    occurredAt: isoFromMs(SOURCE, (s.startMs ?? 0) + gameTimeMs),
    gameTime: Math.max(0, Math.round(gameTimeMs)),
    key: key.slice(0, 200),
  } as Draft;
}
