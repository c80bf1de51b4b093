// State of the lol-livestats stream: the last totals seen per team and per player, so consecutive
// frames can be diffed into events, and when each snapshot was last emitted (throttling).
import type { EventType, PayloadOf } from '@clutch/core';
import type { Draft } from '../../types.ts';
import type { Side } from '../common.ts';

export const SOURCE = 'lol-livestats';
/** Window frames come every ~10 s: a snapshot is emitted on a change that matters, else at most once a minute. */
export const SNAPSHOT_EVERY_MS = 60_000;

export interface TeamCounts {
  kills: number;
  towers: number;
  inhibitors: number;
  barons: number;
  dragons: string[];
  gold: number;
}

export interface LsPlayer {
  pid: number;
  id: string;
  name: string;
  side: Side;
  character?: string;
}

export interface LsState {
  gameId?: string;
  matchId?: string;
  seriesId?: string;
  players: LsPlayer[];
  started: boolean;
  ended: boolean;
  paused: boolean;
  /** Timestamp (epoch ms) of the last window / details frame applied: older or equal frames are repeats. */
  windowTs?: number;
  detailsTs?: number;
  teams: Record<Side, TeamCounts>;
  /** Per snapshot stream ("w:3", "d:3", "team:blue"): signature and time of the last one emitted. */
  snaps: Record<string, { sig: string; at: number }>;
}

export function emptyTeam(): TeamCounts {
  return { kills: 0, towers: 0, inhibitors: 0, barons: 0, dragons: [], gold: 0 };
}

export function initialState(): LsState {
  return { players: [], started: false, ended: false, paused: false, teams: { blue: emptyTeam(), red: emptyTeam() }, snaps: {} };
}

/** Emit a snapshot when its significant part changed or a minute passed; remembers the emission. */
export function snapshotDue(s: LsState, stream: string, sig: string, at: number): boolean {
  const last = s.snaps[stream];
  if (last && last.sig === sig && at - last.at < SNAPSHOT_EVERY_MS) return false;
  s.snaps[stream] = { sig, at };
  return true;
}

export function makeDraft<T extends EventType>(s: LsState, type: T, payload: PayloadOf<T>, at: number, key: string): Draft {
  const d = { type, payload, title: 'lol', matchId: s.matchId!, occurredAt: new Date(at).toISOString(), key: key.slice(0, 200) } as Draft;
  if (s.seriesId) d.seriesId = s.seriesId;
  return d;
}
