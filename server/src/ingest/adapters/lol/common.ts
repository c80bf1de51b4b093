// What the three LoL adapters share: team ids, the names of dragons, turrets and inhibitors in one
// vocabulary across sources, player ids from names, and time formatting. All pure.
import type { Objective, PlayerRef, TeamRef } from '@clutch/core';
import { slug, stableKey } from '../util.ts';

export type Side = 'blue' | 'red';

/** Team ids are the fixed side names: in LoL a team keeps its side for the whole game. */
export const TEAMS: [TeamRef, TeamRef] = [
  { id: 'blue', name: 'Blue', side: 'blue' },
  { id: 'red', name: 'Red', side: 'red' },
];

/** Riot's numeric team ids (100/200) and the client's ORDER/CHAOS to our side names. */
export function sideOf(team: unknown): Side | undefined {
  if (team === 100 || team === '100' || team === 'ORDER' || team === 'blue') return 'blue';
  if (team === 200 || team === '200' || team === 'CHAOS' || team === 'red') return 'red';
  return undefined;
}

export function otherSide(side: Side): Side {
  return side === 'blue' ? 'red' : 'blue';
}

export function sideIndex(side: Side): 0 | 1 {
  return side === 'blue' ? 0 : 1;
}

const MAPS: Record<number, string> = { 11: "Summoner's Rift", 12: 'Howling Abyss', 21: 'Nexus Blitz', 30: 'Rings of Wrath' };

export function mapName(mapId: number | undefined, fallback?: string): string | undefined {
  return (mapId !== undefined ? MAPS[mapId] : undefined) ?? fallback;
}

/**
 * Dragon element → the in-game name, one vocabulary for every source (Match-V5 FIRE_DRAGON, the
 * client's "Fire", livestats "infernal" all become "infernal"). Elder is its own objective.
 */
const DRAGONS: Record<string, string> = {
  fire: 'infernal', infernal: 'infernal',
  earth: 'mountain', mountain: 'mountain',
  water: 'ocean', ocean: 'ocean',
  air: 'cloud', cloud: 'cloud',
  hextech: 'hextech', chemtech: 'chemtech',
};

export function dragonObjective(raw: string | undefined): { objective: Objective; subtype?: string } {
  const k = (raw ?? '').toLowerCase().replace(/_dragon$/, '');
  if (k === 'elder') return { objective: 'elder_dragon' };
  const subtype = DRAGONS[k] ?? (k ? k.slice(0, 64) : undefined);
  return subtype === undefined ? { objective: 'dragon' } : { objective: 'dragon', subtype };
}

const LANES: Record<string, string> = { TOP_LANE: 'top', MID_LANE: 'mid', BOT_LANE: 'bot', L: 'top', C: 'mid', R: 'bot' };
const TIERS: Record<string, string> = { OUTER_TURRET: 'outer', INNER_TURRET: 'inner', BASE_TURRET: 'base', NEXUS_TURRET: 'nexus' };

export function laneName(raw: string | undefined): string | undefined {
  return raw === undefined ? undefined : (LANES[raw] ?? (raw.toLowerCase().slice(0, 32) || undefined));
}

/** "top_outer", "mid_nexus"…: the subtype of a tower objective, from Match-V5 laneType/towerType. */
export function towerSubtype(lane: string | undefined, tower: string | undefined): string | undefined {
  const l = laneName(lane);
  const t = tower === undefined ? undefined : (TIERS[tower] ?? tower.toLowerCase().slice(0, 32));
  if (t === 'nexus') return 'mid_nexus';
  return l && t ? `${l}_${t}` : (l ?? t);
}

/**
 * Live Client structure names. Turret_T<team>_<L|C|R>_<nn>_A: L is the top lane and R the bottom lane
 * for both teams; the base (inhibitor) turrets are named asymmetrically (blue's top and bottom ones are
 * C_06 and C_07, red's are L_01 and R_01); C_01/C_02 guard the nexus. Barracks_T<team>_<L|C|R>1 are
 * the inhibitors. `owner` is the side that lost the structure.
 */
const TURRETS: Record<string, string> = {
  L_03: 'top_outer', L_02: 'top_inner', L_01: 'top_base', C_06: 'top_base',
  C_05: 'mid_outer', C_04: 'mid_inner', C_03: 'mid_base', C_02: 'mid_nexus', C_01: 'mid_nexus',
  R_03: 'bot_outer', R_02: 'bot_inner', R_01: 'bot_base', C_07: 'bot_base',
};

export function structureFromName(name: string): { objective: 'tower' | 'inhibitor'; owner?: Side; subtype: string } | undefined {
  const turret = /^Turret_T([12])_([LCR])_(\d\d)_[A-Z]$/.exec(name);
  if (turret) {
    const owner = turret[1] === '1' ? 'blue' : 'red';
    return { objective: 'tower', owner, subtype: TURRETS[`${turret[2]}_${turret[3]}`] ?? name.slice(0, 64) };
  }
  const inhib = /^Barracks_T([12])_([LCR])\d$/.exec(name);
  if (inhib) return { objective: 'inhibitor', owner: inhib[1] === '1' ? 'blue' : 'red', subtype: laneName(inhib[2]) ?? 'mid' };
  if (/^Turret_/.test(name)) return { objective: 'tower', subtype: name.slice(0, 64) };
  if (/^Barracks_/.test(name)) return { objective: 'inhibitor', subtype: name.slice(0, 64) };
  return undefined;
}

/**
 * A player id from a display name when the source has no stable id. Names that are not plain ASCII
 * (Korean, Greek, decorated) would slug to little or nothing, so a short hash of the exact name keeps
 * them apart.
 */
export function nameId(name: string): string {
  const s = slug(name, 48);
  // eslint-disable-next-line no-control-regex
  return s === 'unnamed' || /[^\x00-\x7f]/.test(name) ? `${s}-${stableKey(name).slice(0, 8)}` : s;
}

export function player(id: string, name: string, side: Side | undefined, character: string | undefined): PlayerRef {
  const p: PlayerRef = { id: id.slice(0, 128), name: name.slice(0, 128) };
  if (side) {
    p.team = side;
    p.side = side;
  }
  if (character) p.character = character.slice(0, 128);
  return p;
}

/** yyyymmddhhmmss (UTC) for match ids built from a start time. */
export function compactTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Keeps the last `max` entries: bounded memory for ever-growing per-match lists. */
export function capTail<T>(list: T[], max: number): T[] {
  return list.length > max ? list.slice(list.length - max) : list;
}
