// What the get5 / MatchZy adapter remembers per series (JSON-serialisable, bounded): team ids fixed at
// first sight, map names and starting sides from the veto, the roster (player → team), the last score
// (to name round winners), pause and backup counters that keep keys unique.
import type { TeamRef } from '@clutch/core';
import { slug } from '../util.ts';
import { otherSide, type Side } from './common.ts';
import type { WTeam } from './webhook-read.ts';

export interface MapMem {
  name?: string;
  /** team1's starting side, from side_picked / knife_won. */
  team1Side?: Side;
  /** Backups restored on this map: replayed rounds are new facts and need new keys. */
  epoch?: number;
  lastRestore?: string;
  /** Score after the last round_end seen (team1, team2). */
  score?: [number, number];
  pauses?: number;
  paused?: boolean;
}

export interface SeriesMem {
  teams: [{ id: string; name: string }, { id: string; name: string }];
  numMaps?: number;
  /** Map being played: for events that carry no map_number (player_connect…). */
  map: number;
  maps: Record<string, MapMem>;
  /** Player id → team index, from the player lists of round_end / map_result. */
  roster: Record<string, 0 | 1>;
  /** Set once a draft has named the teams: from then on their ids never change. */
  frozen?: boolean;
}

export interface WebhookState {
  series: Record<string, SeriesMem>;
  /** Series ids, oldest first, for eviction. */
  order: string[];
}

export const MAX_SERIES = 8;
const MAX_MAPS = 16;
const MAX_ROSTER = 64;

export const initialWebhookState = (): WebhookState => ({ series: {}, order: [] });

/** The series for a matchid, created (and the oldest evicted past MAX_SERIES) on first sight. */
export function seriesFor(state: WebhookState, matchid: string): SeriesMem {
  const existing = state.series[matchid];
  if (existing) return existing;
  const s: SeriesMem = { teams: [{ id: 'team1', name: 'Team 1' }, { id: 'team2', name: 'Team 2' }], map: 0, maps: {}, roster: {} };
  state.series[matchid] = s;
  state.order.push(matchid);
  while (state.order.length > MAX_SERIES) delete state.series[state.order.shift()!];
  return s;
}

/**
 * Team ids come from the team names; once a draft has used them they never change (a later rename
 * changes the name only). Until names are known: "team1" / "team2".
 */
export function learnTeams(s: SeriesMem, t1: WTeam | undefined, t2: WTeam | undefined): void {
  const names = [t1?.name, t2?.name];
  if (!s.frozen && names[0] && names[1]) {
    let ids = [slug(names[0]), slug(names[1])];
    if (ids[0] === ids[1]) ids = [`${ids[0]}-team1`, `${ids[1]}-team2`];
    s.teams = [{ id: ids[0]!, name: names[0] }, { id: ids[1]!, name: names[1] }];
    return;
  }
  if (names[0]) s.teams[0].name = names[0];
  if (names[1]) s.teams[1].name = names[1];
}

export function mapMem(s: SeriesMem, map: number): MapMem {
  const k = String(map);
  let m = s.maps[k];
  if (!m) {
    m = {};
    s.maps[k] = m;
    const keys = Object.keys(s.maps);
    if (keys.length > MAX_MAPS) delete s.maps[keys.find((x) => x !== k)!];
  }
  return m;
}

export function setStartingSide(s: SeriesMem, map: number, team: 0 | 1 | undefined, chosen: Side | undefined): void {
  if (team === undefined || !chosen) return;
  mapMem(s, map).team1Side = team === 0 ? chosen : otherSide(chosen);
}

export function learnRoster(s: SeriesMem, teams: WTeam[]): void {
  teams.forEach((t, i) => {
    for (const p of t.players) s.roster[p.player.id] = i as 0 | 1;
  });
  const ids = Object.keys(s.roster);
  for (const id of ids.slice(0, Math.max(0, ids.length - MAX_ROSTER))) delete s.roster[id];
}

export function teamRefOf(s: SeriesMem, i: 0 | 1, side?: Side): TeamRef {
  const t = s.teams[i];
  return side ? { id: t.id, name: t.name, side } : { id: t.id, name: t.name };
}
