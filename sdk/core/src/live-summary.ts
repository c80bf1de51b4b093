// The live summary of a match (what a match list shows): teams, score, status, last applied seq.
// A pure reducer over canonical events, so processing, plugins and the dashboard agree on it.
import type { Envelope } from './events.ts';
import { isType } from './events.ts';
import { SCORE_UNIT, type Title } from './titles.ts';

export type MatchStatus = 'live' | 'finished';

export interface LiveSummary {
  tenant: string;
  matchId: string;
  title: Title;
  status: MatchStatus;
  teams: [{ id: string; name: string; score: number }, { id: string; name: string; score: number }];
  map?: string;
  winner?: string;
  /** The tournament and series (best-of) the match belongs to, when the source says. */
  tournamentId?: string;
  seriesId?: string;
  /** Seq of the last event applied: events at or below it are ignored (redelivery is harmless). */
  lastSeq: number;
  startedAt: string;
  updatedAt: string;
}

function blank(e: Envelope): LiveSummary {
  return {
    tenant: e.tenant,
    matchId: e.matchId,
    title: e.title,
    status: 'live',
    teams: [
      { id: 'team-1', name: 'Team 1', score: 0 },
      { id: 'team-2', name: 'Team 2', score: 0 },
    ],
    lastSeq: 0,
    startedAt: e.occurredAt,
    updatedAt: e.occurredAt,
  };
}

function withIds(s: LiveSummary, e: Envelope): void {
  if (e.tournamentId !== undefined) s.tournamentId = e.tournamentId;
  if (e.seriesId !== undefined) s.seriesId = e.seriesId;
}

/**
 * Applies one event. Returns the same object when the event changes nothing (already applied,
 * or a type the summary does not track), so callers can tell whether to write.
 */
export function applyToSummary(current: LiveSummary | undefined, e: Envelope): LiveSummary {
  const s = current ?? blank(e);
  if (e.seq <= s.lastSeq) return s;
  const next: LiveSummary = { ...s, teams: [{ ...s.teams[0] }, { ...s.teams[1] }], lastSeq: e.seq, updatedAt: e.occurredAt };
  const teamIndex = (id: string) => next.teams.findIndex((t) => t.id === id);
  withIds(next, e);
  if (isType(e, 'match.started')) {
    next.teams = [
      { ...e.payload.teams[0], score: 0 },
      { ...e.payload.teams[1], score: 0 },
    ];
    next.startedAt = e.occurredAt;
    if (e.payload.map !== undefined) next.map = e.payload.map;
  } else if (isType(e, 'match.ended') && e.payload.scoreUnit === 'maps') {
    // A series summary (maps won) is not the live score of this map: only the result counts.
    next.status = 'finished';
    if (e.payload.winner !== undefined) next.winner = e.payload.winner;
  } else if (isType(e, 'round.ended') || isType(e, 'match.ended') || isType(e, 'score.changed')) {
    next.teams[0].score = e.payload.score[0];
    next.teams[1].score = e.payload.score[1];
    if (isType(e, 'match.ended')) {
      next.status = 'finished';
      if (e.payload.winner !== undefined) next.winner = e.payload.winner;
    }
  } else if (isType(e, 'player.killed.player') && SCORE_UNIT[e.title] === 'kills' && s.status !== 'finished') {
    // After match.ended the final score stands: a timeline posted after its match document replays
    // kills that match.ended already counted.
    // Scores count kills by a player of the other team: not world kills, denies or suicides.
    const team = e.payload.killer?.team;
    const i = team === undefined ? -1 : teamIndex(team);
    if (i >= 0 && team !== e.payload.victim.team) next.teams[i]!.score += 1;
  }
  return next;
}
