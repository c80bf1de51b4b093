// Helpers shared by the CS2 JSON adapters (GSI, get5, MatchZy): player ids, sides, positions, round
// end reasons, draft construction and bounded keys. All pure.
import type { EventType, PayloadOf, PlayerRef, Position } from '@clutch/core';
import type { Draft } from '../types.ts';
import { slug, stableKey } from '../util.ts';

export type Side = 'ct' | 't';

/** SteamID64 of account 0: SteamID64 = this + the N of [U:1:N]. */
const STEAM64_BASE = 76561197960265728n;

/**
 * The stable player id: SteamID64 when the source gives any SteamID form, a bot/name slug otherwise.
 * Bots ("BOT-4", user ids change on every reconnect) and console/GOTV (empty) fall back to the name.
 */
export function playerId(steamid: string | undefined, name: string): string {
  const s = (steamid ?? '').trim();
  if (/^7656119\d{10}$/.test(s)) return s;
  const u = /^\[?U:1:(\d{1,10})\]?$/.exec(s);
  if (u) return (STEAM64_BASE + BigInt(u[1]!)).toString();
  const legacy = /^STEAM_[0-5]:([01]):(\d{1,10})$/.exec(s);
  if (legacy) return (STEAM64_BASE + BigInt(legacy[2]!) * 2n + BigInt(legacy[1]!)).toString();
  if (/^BOT/i.test(s)) return `bot-${slug(name)}`;
  return slug(name || s);
}

/** 'ct' / 't' from the many spellings the sources use ("CT", "TERRORIST", 3, "2"…); undefined otherwise. */
export function side(v: unknown): Side | undefined {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (s === 'ct' || s === '3' || s === 'counter-terrorist' || s === 'counterterrorist') return 'ct';
  if (s === 't' || s === '2' || s === 'terrorist') return 't';
  return undefined;
}

export function otherSide(s: Side): Side {
  return s === 'ct' ? 't' : 'ct';
}

/** "x, y, z" (GSI) into a Position; undefined when it is not three finite numbers. */
export function position(v: unknown): Position | undefined {
  if (typeof v !== 'string' || v.length > 128) return undefined;
  const parts = v.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) return undefined;
  return { x: parts[0]!, y: parts[1]!, z: parts[2]! };
}

/** Names are free text from the game: bounded to the schema's 128 characters. */
export function name(v: unknown, fallback: string): string {
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
  return (s || fallback).slice(0, 128);
}

export function ref(id: string, playerName: string, team?: string, s?: Side): PlayerRef {
  const r: PlayerRef = { id, name: playerName };
  if (team !== undefined) r.team = team;
  if (s !== undefined) r.side = s;
  return r;
}

/**
 * Round end reasons by the game's engine value (CS2 / CounterStrikeSharp `RoundEndReason`, 1-based).
 * SourceMod's `CSRoundEndReason`, which get5 sends, is the same list 0-based (get5 subtracts one).
 */
const ENGINE_REASONS: Record<number, string> = {
  1: 'bomb',
  4: 'escaped',
  5: 'escape_prevented',
  6: 'escapees_neutralized',
  7: 'defuse',
  8: 'elimination',
  9: 'elimination',
  10: 'draw',
  11: 'hostages_rescued',
  12: 'time',
  13: 'hostages_not_rescued',
  14: 'not_escaped',
  16: 'game_start',
  17: 'surrender',
  18: 'surrender',
};

export function roundEndReason(engineValue: number | undefined): string | undefined {
  return engineValue === undefined ? undefined : (ENGINE_REASONS[engineValue] ?? 'other');
}

/** Draft.key: readable parts joined, hashed when too long (keys are at most 200 characters). */
export function key(...parts: (string | number)[]): string {
  const k = parts.join(':');
  return k.length <= 200 ? k : `h:${stableKey(...parts)}`;
}

export interface DraftBase {
  matchId: string;
  seriesId?: string;
  occurredAt: string;
  gameTime?: number;
}

export function draft<T extends EventType>(base: DraftBase, type: T, payload: PayloadOf<T>, k: string): Draft {
  const d: Record<string, unknown> = { type, payload, title: 'cs2', matchId: base.matchId, occurredAt: base.occurredAt, key: k };
  if (base.seriesId !== undefined) d.seriesId = base.seriesId;
  if (base.gameTime !== undefined) d.gameTime = base.gameTime;
  return d as unknown as Draft;
}

/** yyyymmddhhmmss (UTC) of an ISO time, for match ids of sources without one. */
export function compactTime(iso: string): string {
  return iso.replace(/[-:T]/g, '').slice(0, 14);
}
