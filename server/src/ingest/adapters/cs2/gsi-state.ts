// What the GSI adapter remembers between payloads (JSON-serialisable, bounded): the previous values
// of every field it diffs, per-player counters, and the match in progress.
import type { PlayerRef, TeamRef } from '@clutch/core';
import { slug } from '../util.ts';
import { ref, type Side } from './common.ts';
import { MAX_PLAYERS, type GsiPlayer, type GsiSnap } from './gsi-read.ts';

export interface PlayerMem {
  name: string;
  side?: Side;
  /** Index into MatchMem.teams: a player's team is stable across side swaps. */
  team?: 0 | 1;
  k?: number;
  d?: number;
  a?: number;
  rk?: number;
  rh?: number;
}

export interface MatchMem {
  id: string;
  teams: [{ id: string; name: string }, { id: string; name: string }];
  /** Which of `teams` plays CT now. */
  ctIndex: 0 | 1;
  /** Score in `teams` order, as of the last round.ended we emitted (or the join). */
  score: [number, number];
  lastStarted: number;
  lastEnded: number;
  pauses: number;
  paused: boolean;
  ended: boolean;
}

export interface GsiState {
  /** False until the first payload of the stream: that one only establishes state. */
  seen: boolean;
  /** Newest provider.timestamp seen: an older body arriving late is a redelivery, not a new state. */
  lastTs?: number;
  mapName?: string;
  mapPhase?: string;
  bombPhase?: string;
  bombState?: string;
  bombPlayer?: string;
  players: Record<string, PlayerMem>;
  match?: MatchMem;
}

export const initialGsiState = (): GsiState => ({ seen: false, players: {} });

/** Team ids: a slug of the team name when the observer set one, else the starting side. */
export function newTeams(snap: GsiSnap): MatchMem['teams'] {
  const ct = { id: snap.ct?.name ? slug(snap.ct.name) : 'ct', name: snap.ct?.name ?? 'CT' };
  const t = { id: snap.t?.name ? slug(snap.t.name) : 't', name: snap.t?.name ?? 'T' };
  // Two teams called the same would share an id: keep them apart by their starting side.
  if (ct.id === t.id) return [{ ...ct, id: `${ct.id}-ct` }, { ...t, id: `${t.id}-t` }];
  return [ct, t];
}

export function teamIndexOfSide(m: MatchMem, s: Side): 0 | 1 {
  return s === 'ct' ? m.ctIndex : m.ctIndex === 0 ? 1 : 0;
}

export function sideOfTeam(m: MatchMem, i: 0 | 1): Side {
  return m.ctIndex === i ? 'ct' : 't';
}

export function teamRef(m: MatchMem, i: 0 | 1): TeamRef {
  return { id: m.teams[i].id, name: m.teams[i].name, side: sideOfTeam(m, i) };
}

/** The reported score in `teams` order. */
export function reportedScore(m: MatchMem, snap: GsiSnap): [number, number] {
  const ct = snap.ct?.score ?? 0;
  const t = snap.t?.score ?? 0;
  return m.ctIndex === 0 ? [ct, t] : [t, ct];
}

/**
 * Which team plays CT now. Team names, when they match, say it directly; otherwise the players vote:
 * if most players we already placed in a team now stand on the other side, the teams swapped (halftime).
 */
export function updateSides(m: MatchMem, snap: GsiSnap, players: Record<string, PlayerMem>): void {
  const byName = (n: string | undefined) => (n ? m.teams.findIndex((t) => slug(t.name) === slug(n)) : -1);
  const ctByName = byName(snap.ct?.name);
  const tByName = byName(snap.t?.name);
  if (ctByName >= 0 && tByName >= 0 && ctByName !== tByName) {
    m.ctIndex = ctByName as 0 | 1;
  } else {
    let keep = 0;
    let swap = 0;
    for (const p of snap.players) {
      const team = players[p.id]?.team;
      if (team === undefined || !p.side) continue;
      if (teamIndexOfSide(m, p.side) === team) keep++;
      else swap++;
    }
    if (swap > keep) m.ctIndex = m.ctIndex === 0 ? 1 : 0;
  }
  for (const p of snap.players) {
    const mem = players[p.id];
    if (mem && mem.team === undefined && p.side) mem.team = teamIndexOfSide(m, p.side);
  }
}

/** Places every player present in a team by the side they stand on (a new match, a join). */
export function assignTeams(m: MatchMem, snap: GsiSnap, players: Record<string, PlayerMem>): void {
  for (const p of snap.players) {
    const mem = players[p.id];
    if (mem) {
      if (p.side) mem.team = teamIndexOfSide(m, p.side);
      else delete mem.team;
    }
  }
}

export function playerRef(m: MatchMem | undefined, p: { id: string; name: string; side?: Side }, mem: PlayerMem | undefined): PlayerRef {
  const team = m && mem?.team !== undefined ? m.teams[mem.team].id : undefined;
  return ref(p.id, p.name, team, p.side);
}

/** Remembers this payload's counters; forgets absent players once more than MAX_PLAYERS are known. */
export function rememberPlayers(players: Record<string, PlayerMem>, snap: GsiSnap): Record<string, PlayerMem> {
  const next: Record<string, PlayerMem> = { ...players };
  for (const p of snap.players) next[p.id] = memOf(p, players[p.id]);
  if (Object.keys(next).length <= MAX_PLAYERS) return next;
  const present = new Set(snap.players.map((p) => p.id));
  return Object.fromEntries(Object.entries(next).filter(([id]) => present.has(id)));
}

function memOf(p: GsiPlayer, old: PlayerMem | undefined): PlayerMem {
  const mem: PlayerMem = { name: p.name };
  if (p.side) mem.side = p.side;
  if (old?.team !== undefined) mem.team = old.team;
  if (p.kills !== undefined) mem.k = p.kills;
  if (p.deaths !== undefined) mem.d = p.deaths;
  if (p.assists !== undefined) mem.a = p.assists;
  if (p.roundKills !== undefined) mem.rk = p.roundKills;
  if (p.roundKillHs !== undefined) mem.rh = p.roundKillHs;
  return mem;
}
