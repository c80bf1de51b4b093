// What the three Dota 2 sources share: match and team ids, player ids, building names, game modes.
// Teams are always 'radiant' and 'dire' (ids stable across GSI, OpenDota and Steam, whatever the
// team names), so a match fed by several sources lines up.
import type { Objective, PlayerRef, TeamRef } from '@clutch/core';
import { ParseError } from '../errors.ts';
import { compact, slug } from '../util.ts';

export type Side = 'radiant' | 'dire';
export const SIDES: readonly Side[] = ['radiant', 'dire'];

/** Steam's "anonymous" account id (players who hide their match data). */
const ANONYMOUS_ACCOUNT = 4294967295;
const STEAM64_BASE = 76561197960265728n;

export function matchIdOf(matchNumber: string): string {
  return `dota2-${matchNumber}`;
}

/** A Dota match id: digits only (Steam's 64-bit match ids fit in 20 digits). */
export function matchNumber(source: string, v: unknown, at: string): string {
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  if (s === undefined || !/^\d{1,20}$/.test(s)) throw new ParseError(source, `expected a numeric Dota match id, got ${JSON.stringify(v)?.slice(0, 40)}`, at);
  return s.replace(/^0+(?=\d)/, '');
}

export function teamRef(side: Side, name?: string): TeamRef {
  return { id: side, name: name && name.trim() ? name.trim().slice(0, 128) : side === 'radiant' ? 'Radiant' : 'Dire' };
}

export function otherSide(side: Side): Side {
  return side === 'radiant' ? 'dire' : 'radiant';
}

/** player_slot < 128 is Radiant (Steam and OpenDota). */
export function sideOfSlot(playerSlot: number): Side {
  return playerSlot < 128 ? 'radiant' : 'dire';
}

/**
 * A player's stable id: the 32-bit account id (what OpenDota and Steam use); a SteamID64 is turned
 * into it. Anonymous or missing accounts fall back to the name, then to the slot.
 */
export function dotaPlayerId(account: unknown, name: string | undefined, slot: number | string): string {
  const digits = typeof account === 'number' && Number.isSafeInteger(account) ? String(account) : typeof account === 'string' ? account.trim() : '';
  if (/^\d{1,20}$/.test(digits)) {
    const n = BigInt(digits);
    const id = n >= STEAM64_BASE ? n - STEAM64_BASE : n;
    if (id > 0n && id !== BigInt(ANONYMOUS_ACCOUNT)) return id.toString();
  }
  if (name && slug(name) !== 'unnamed') return `name-${slug(name, 100)}`;
  return `slot-${slot}`;
}

export function playerRef(id: string, name: string, side: Side | undefined, character?: string): PlayerRef {
  return compact({ id, name: name.slice(0, 128), team: side, side, character });
}

// ---- buildings --------------------------------------------------------------------------------

export interface Building {
  owner: Side;
  objective: Objective;
  /** Lane and tier: "tower1_mid", "tower4", "melee_rax_bot", "ancient"… */
  subtype: string;
}

/**
 * Reads a building name in either spelling: GSI ("dota_goodguys_tower1_top", "good_rax_melee_top",
 * "dota_badguys_fort") or OpenDota ("npc_dota_badguys_tower4", "npc_dota_goodguys_melee_rax_bot").
 */
export function parseBuilding(name: string): Building | undefined {
  const n = name.toLowerCase();
  const owner: Side | undefined = /goodguys|(^|_)good_/.test(n) ? 'radiant' : /badguys|(^|_)bad_/.test(n) ? 'dire' : undefined;
  if (!owner) return undefined;
  const tower = /tower(\d)(?:_(top|mid|bot))?/.exec(n);
  if (tower) return { owner, objective: 'tower', subtype: `tower${tower[1]}${tower[2] ? `_${tower[2]}` : ''}` };
  const rax = /(melee|range)_rax_(top|mid|bot)|rax_(melee|range)_(top|mid|bot)/.exec(n);
  if (rax) return { owner, objective: 'barracks', subtype: `${rax[1] ?? rax[3]}_rax_${rax[2] ?? rax[4]}` };
  if (n.endsWith('_fort')) return { owner, objective: 'ancient', subtype: 'ancient' };
  const rest = n.replace(/^(npc_)?dota_(good|bad)guys_/, '').slice(0, 64);
  return { owner, objective: rest.includes('healers') ? 'shrine' : 'other', subtype: rest };
}

// ---- game modes (Steam's game_mode ids) -------------------------------------------------------

const GAME_MODES: Record<number, string> = {
  1: 'All Pick',
  2: 'Captains Mode',
  3: 'Random Draft',
  4: 'Single Draft',
  5: 'All Random',
  12: 'Least Played',
  16: 'Captains Draft',
  18: 'Ability Draft',
  20: 'All Random Deathmatch',
  21: '1v1 Mid',
  22: 'All Draft',
  23: 'Turbo',
};

export function gameModeName(id: number | undefined): string | undefined {
  if (id === undefined || id <= 0) return undefined;
  return GAME_MODES[id] ?? `mode_${id}`;
}

/** Steam series_type: 0 none (best of 1), 1 best of 3, 2 best of 5. */
export function bestOfSeries(seriesType: number | undefined): number | undefined {
  return seriesType === 1 ? 3 : seriesType === 2 ? 5 : seriesType === 0 ? 1 : undefined;
}

/** Count of set bits: Steam's tower_status / barracks_status are bit masks of buildings still standing. */
export function bitCount(mask: number): number {
  let n = 0;
  for (let m = Math.max(0, Math.floor(mask)) & 0xffff; m; m >>= 1) n += m & 1;
  return n;
}
