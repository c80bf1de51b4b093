// What the cs2-log adapter remembers between bodies of one stream. Plain JSON (ingest serialises it
// after every body) and bounded: players, buffered drafts, stats rows and key bookkeeping are capped.
import type { PlayerRef } from '@clutch/core';
import type { Draft } from '../types.ts';

/**
 * idle: warmup, between matches, after a match ended. pending: a Match_Start was seen and the
 * MatchStatus line that says whether it is live (RoundsPlayed ≥ 0) or warmup (-1) has not arrived
 * yet — drafts are buffered. knife: a knife round (nobody has money), ignored. live: a match.
 */
export type Phase = 'idle' | 'pending' | 'knife' | 'live';

export interface PlayerInfo {
  /** Last name seen. */
  n: string;
  /** Last side seen: CT, TERRORIST, Unassigned, Spectator. */
  s?: string;
  /** Index in match.teams once the player belongs to a team of the live match. */
  t?: 0 | 1;
  /** Last purchase money change (item without weapon_/item_ prefix, cost), joined to the "purchased" line that follows. */
  buy?: [string, number];
}

export interface Team {
  id: string;
  name: string;
}

export interface Match {
  id: string;
  startMs: number;
  teams: [Team, Team];
  /** Index of the team on CT now (sides swap at halftime and in overtime). */
  ct: 0 | 1;
  /** Recompute `ct` from player sides before using it (a player changed side). */
  dirty: boolean;
  score: [number, number];
  /**
   * Current round and rounds ended. Round numbers come from the scores the server prints (CT + T
   * wins + draws), not from counting lines, so a lost or re-sent body cannot shift them.
   */
  round: number;
  ended: number;
  draws: number;
  /** Player kills in the current round (first blood). */
  kills: number;
  /** Bomb site planted this round, and who began defusing last (CS2 logs no "Defused_The_Bomb"). */
  site?: string;
  defuser?: PlayerRef;
  defused?: boolean;
}

export interface StatRow {
  /** The row's log line and its occurrence among identical lines of its body: the draft key. */
  line: string;
  occ: number;
  iso: string;
  ms: number;
  vals: number[];
}

export interface StatsBlock {
  fields: string[];
  rows: StatRow[];
}

export interface Pending {
  ms: number;
  knife: boolean;
  drafts: Draft[];
}

export interface State {
  v: 1;
  phase: Phase;
  warmup: boolean;
  /** Inside "server cvars start … end": those lines are skipped whole (some values are passwords). */
  cvars: boolean;
  map?: string;
  /** Team names by side from the latest "Team playing" lines. */
  names: Record<string, string>;
  players: Record<string, PlayerInfo>;
  /** The latest `MatchStatus: Score: ct:t … RoundsPlayed: n`, to join a match already under way. */
  status?: { ct: number; t: number; played: number };
  /** Whether the last round_stats block showed every player with $0 (knife round config). */
  zeroMoney?: boolean;
  stats?: StatsBlock;
  pending?: Pending;
  match?: Match;
  /**
   * Digest of the previous body: the same body sent again right away (a retry) changes nothing.
   * Only the last one: two identical bodies further apart are legitimate (e.g. the same purchase).
   */
  recent: string[];
  /** Occurrence counts of the lines of the last second of the previous body (keys continue across bodies). */
  tail: Record<string, number>;
}

export const LIMITS = {
  players: 64,
  pendingDrafts: 500,
  statRows: 64,
  recent: 1,
  tail: 64,
  lineChars: 4096,
};

export function initialState(): State {
  return { v: 1, phase: 'idle', warmup: false, cvars: false, names: {}, players: {}, recent: [], tail: {} };
}
