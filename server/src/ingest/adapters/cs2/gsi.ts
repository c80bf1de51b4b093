// CS2 Game State Integration: the game (a player's client, or a spectator/GOTV observer) POSTs its whole
// state on every change. Events are derived by diffing each state against the previous one kept in
// adapter state; the first state of a stream, or of a match joined in progress, only establishes state
// (one snapshot), never a burst of events.
import type { TeamRef } from '@clutch/core';
import type { Adapter, AdapterContext, Draft, ParseOutput } from '../types.ts';
import { compact, isoFromMs, slug } from '../util.ts';
import { compactTime, draft, key, type DraftBase, type Side } from './common.ts';
import { GSI, readGsi, type GsiSnap } from './gsi-read.ts';
import { bombPhase, deriveBomb, deriveKills, snapshot } from './gsi-events.ts';
import {
  assignTeams,
  initialGsiState,
  newTeams,
  rememberPlayers,
  reportedScore,
  teamIndexOfSide,
  teamRef,
  updateSides,
  type GsiState,
  type MatchMem,
  type PlayerMem,
} from './gsi-state.ts';

export type { GsiState } from './gsi-state.ts';

/** Map phases during which a match is in progress. */
const IN_MATCH = new Set(['live', 'intermission', 'gameover']);
/**
 * A body older than the newest one seen by up to this many seconds is a late redelivery (the game
 * re-sends after a timeout) and is ignored; a bigger step back is another clock (a new observer).
 */
const LATE_SECONDS = 120;
/** More rounds than this missed in one step are not replayed one by one: a score.changed says it. */
const MAX_ROUND_CATCH_UP = 30;

/** The round being played, or just finished while round.phase is "over" (map.round counts rounds completed). */
function currentRound(snap: GsiSnap): number {
  const done = snap.mapRound ?? 0;
  return snap.roundPhase === 'over' || snap.mapPhase === 'gameover' ? Math.max(1, done) : done + 1;
}

function newMatch(snap: GsiSnap, ctx: AdapterContext, at: string): MatchMem {
  return {
    id: `cs2gsi-${slug(ctx.streamId)}-${compactTime(at)}`,
    teams: newTeams(snap),
    ctIndex: 0,
    score: [0, 0],
    lastStarted: 0,
    lastEnded: 0,
    pauses: 0,
    paused: false,
    ended: false,
  };
}

interface RoundWin {
  team: 0 | 1;
  side?: Side;
  reason?: string;
  raw?: string;
}

/**
 * Winner of round r: map.round_wins when enabled, else round.win_team for the round just over, else
 * (one round missed) the team whose score moved by one. Sides map to teams with the sides of the
 * payload that showed the round ending, or those of the previous payload (before any halftime swap).
 */
function roundWinner(m: MatchMem, snap: GsiSnap, r: number, prevCtIndex: 0 | 1, reported: [number, number]): RoundWin | undefined {
  const showsEnd = r === snap.mapRound && (snap.roundPhase === 'over' || snap.mapPhase === 'gameover');
  const teamOf = (side: Side): 0 | 1 => teamIndexOfSide(showsEnd ? m : { ...m, ctIndex: prevCtIndex }, side);
  const raw = snap.roundWins?.[String(r)];
  const rw = raw ? /^(ct|t)_win_([a-z_]+)$/.exec(raw) : null;
  if (rw) return { team: teamOf(rw[1] as Side), side: rw[1] as Side, reason: rw[2]!, raw };
  if (showsEnd && snap.winTeam) {
    const reason = snap.roundBomb === 'defused' ? 'defuse' : snap.roundBomb === 'exploded' ? 'bomb' : undefined;
    return compact({ team: teamOf(snap.winTeam), side: snap.winTeam, reason });
  }
  if (r !== snap.mapRound || m.lastEnded !== r - 1) return undefined;
  const d0 = reported[0] - m.score[0];
  const d1 = reported[1] - m.score[1];
  return d0 + d1 === 1 && Math.min(d0, d1) === 0 ? { team: d0 === 1 ? 0 : 1 } : undefined;
}

function deriveRoundEnds(base: DraftBase, m: MatchMem, snap: GsiSnap, mem: Record<string, PlayerMem>, prevCtIndex: 0 | 1): Draft[] {
  const done = snap.mapRound;
  if (done === undefined || done <= m.lastEnded) return [];
  const reported = reportedScore(m, snap);
  const out: Draft[] = [];
  let unknown = done - m.lastEnded > MAX_ROUND_CATCH_UP;
  for (let r = m.lastEnded + 1; !unknown && r <= done; r++) {
    const w = roundWinner(m, snap, r, prevCtIndex, reported);
    if (!w) {
      unknown = true;
      break;
    }
    m.score[w.team] += 1;
    if (r === done) m.score = [Math.max(m.score[0], reported[0]), Math.max(m.score[1], reported[1])];
    const payload = compact({ round: r, winner: m.teams[w.team].id, winnerSide: w.side, score: [...m.score] as [number, number], reason: w.reason, extra: w.raw ? { roundWin: w.raw } : undefined });
    out.push(draft(base, 'round.ended', payload, key('round.ended', r)));
  }
  if (unknown) {
    // Rounds passed that this stream cannot attribute: say the score, not who won what.
    m.score = [Math.max(m.score[0], reported[0]), Math.max(m.score[1], reported[1])];
    out.push(draft(base, 'score.changed', { score: [...m.score] as [number, number] }, key('score', done, m.score[0], m.score[1])));
  }
  m.lastEnded = done;
  out.push(...snapshot(base, m, snap, mem, key('round', done), m.score));
  return out;
}

function deriveMatchEnd(base: DraftBase, m: MatchMem, snap: GsiSnap): Draft[] {
  if (snap.mapPhase !== 'gameover' || m.ended) return [];
  m.ended = true;
  const reported = reportedScore(m, snap);
  const score: [number, number] = [Math.max(m.score[0], reported[0]), Math.max(m.score[1], reported[1])];
  m.score = score;
  const winner = score[0] > score[1] ? m.teams[0].id : score[1] > score[0] ? m.teams[1].id : undefined;
  return [draft(base, 'match.ended', compact({ winner, score }), 'match.ended')];
}

function deriveRoundStart(base: DraftBase, m: MatchMem, snap: GsiSnap): Draft[] {
  if (snap.mapPhase !== 'live' || (snap.roundPhase !== 'freezetime' && snap.roundPhase !== 'live')) return [];
  const r = (snap.mapRound ?? 0) + 1;
  if (r <= m.lastStarted) return [];
  m.lastStarted = r;
  return [draft(base, 'round.started', { round: r }, key('round.started', r))];
}

function derivePause(base: DraftBase, m: MatchMem, snap: GsiSnap): Draft[] {
  const cp = snap.countdownPhase;
  if (cp === undefined) return [];
  const paused = cp === 'paused' || cp === 'timeout_ct' || cp === 'timeout_t';
  if (paused && !m.paused) {
    m.paused = true;
    m.pauses += 1;
    const team = cp === 'timeout_ct' ? m.teams[teamIndexOfSide(m, 'ct')].id : cp === 'timeout_t' ? m.teams[teamIndexOfSide(m, 't')].id : undefined;
    return [draft(base, 'match.paused', compact({ reason: cp === 'paused' ? 'pause' : 'timeout', team }), key('pause', m.pauses))];
  }
  if (!paused && m.paused) {
    m.paused = false;
    return [draft(base, 'match.resumed', {}, key('resume', m.pauses))];
  }
  return [];
}

/** Opens, closes or keeps the match this payload belongs to; says whether it just started (live after warmup). */
function lifecycle(s: GsiState, snap: GsiSnap, ctx: AdapterContext, at: string): { m?: MatchMem; started: boolean } {
  let m = s.match;
  const restarted = m !== undefined && snap.mapRound !== undefined && snap.mapRound < m.lastEnded;
  if (m && (snap.mapName !== s.mapName || snap.mapPhase === 'warmup' || restarted)) m = undefined;
  if (m || !IN_MATCH.has(snap.mapPhase ?? '')) return { m, started: false };
  m = newMatch(snap, ctx, at);
  const started = s.seen && snap.mapName === s.mapName && (s.mapPhase === 'warmup' || restarted) && snap.mapPhase === 'live';
  if (!started) {
    // Joined in progress: take the game's word for what already happened.
    m.lastEnded = snap.mapRound ?? 0;
    m.lastStarted = snap.roundPhase === 'freezetime' || snap.roundPhase === 'live' ? m.lastEnded + 1 : m.lastEnded;
    m.score = [snap.ct?.score ?? 0, snap.t?.score ?? 0];
    m.ended = snap.mapPhase === 'gameover';
  }
  return { m, started };
}

function parse(payload: Buffer, state: GsiState, ctx: AdapterContext): ParseOutput<GsiState> {
  const snap = readGsi(payload);
  if (snap.ts !== undefined && state.lastTs !== undefined && snap.ts < state.lastTs && state.lastTs - snap.ts <= LATE_SECONDS) return { state, drafts: [] };
  const s = structuredClone(state);
  s.lastTs = snap.ts ?? s.lastTs;
  if (snap.mapPhase === undefined) return { state: { ...s, seen: true }, drafts: [] }; // menus: nothing to diff
  const at = snap.ts !== undefined ? isoFromMs(GSI, snap.ts * 1000, '/provider/timestamp') : ctx.receivedAt;
  const prevPlayers = s.players;
  const mem = rememberPlayers(prevPlayers, snap);
  const { m, started } = lifecycle(s, snap, ctx, at);
  const drafts: Draft[] = [];
  if (m) {
    const base: DraftBase = { matchId: m.id, occurredAt: at };
    const fresh = m !== s.match;
    const prevCtIndex = m.ctIndex;
    if (fresh) assignTeams(m, snap, mem);
    else updateSides(m, snap, mem);
    if (started) {
      const teams: [TeamRef, TeamRef] = [teamRef(m, 0), teamRef(m, 1)];
      drafts.push(draft(base, 'match.started', compact({ teams, map: snap.mapName, mode: snap.mode }), 'match.started'));
    } else if (fresh) {
      drafts.push(...snapshot(base, m, snap, mem, key('join', snap.ts ?? at)));
    }
    if (!fresh) {
      const round = currentRound(snap);
      drafts.push(...deriveKills(base, m, snap, prevPlayers, mem, round));
      drafts.push(...deriveBomb(base, m, snap, s, mem, round));
      drafts.push(...deriveRoundEnds(base, m, snap, mem, prevCtIndex));
      drafts.push(...deriveMatchEnd(base, m, snap));
    }
    if (!fresh || started) drafts.push(...deriveRoundStart(base, m, snap));
    if (!fresh) drafts.push(...derivePause(base, m, snap));
    else m.paused = ['paused', 'timeout_ct', 'timeout_t'].includes(snap.countdownPhase ?? '');
  }
  const next: GsiState = compact({
    seen: true,
    lastTs: s.lastTs,
    mapName: snap.mapName,
    mapPhase: snap.mapPhase,
    bombPhase: bombPhase(snap),
    bombState: snap.bombState,
    bombPlayer: snap.bombPlayer,
    players: mem,
    match: m,
  });
  return { state: next, drafts };
}

export const cs2Gsi: Adapter<GsiState> = {
  source: 'cs2-gsi',
  title: 'cs2',
  kind: 'stream',
  format: 'json',
  description:
    'CS2 Game State Integration: the JSON state a client or GOTV/spectator observer POSTs on every change (gamestate_integration_*.cfg uri). Events are derived by diffing consecutive states.',
  initialState: initialGsiState,
  parse,
};
