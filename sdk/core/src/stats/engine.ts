// Built-in stats as a pure state machine over canonical events: `newStats` → `applyStats` (in place,
// in seq order; an event at or below `lastSeq` is ignored, so redelivery changes nothing) →
// `statsView`. No I/O, no clock: the same events give the same numbers in the processor, the CLI,
// plugins and tests. Formulas: docs/stats.md.
import type { Envelope, TypedEvent } from '../events.ts';
import type { Title } from '../titles.ts';
import { isShooter, team } from './common.ts';
import { STATS_VERSION, type StatsState } from './model.ts';
import { applyMoba } from './moba.ts';
import { applyShooter } from './shooter.ts';

export { eventMs, isShooter, player, team, teamIndex } from './common.ts';

export function newStats(title: Title, matchId: string): StatsState {
  return { v: STATS_VERSION, title, matchId, lastSeq: 0, status: 'live', teams: [], players: {}, order: [], gameTimeMs: 0, rounds: [], history: [], seen: {} };
}

/** Applies one event in place. Returns false when it was already applied (seq at or below lastSeq). */
export function applyStats(s: StatsState, e: Envelope): boolean {
  if (e.seq <= s.lastSeq) return false;
  s.lastSeq = e.seq;
  if (e.gameTime !== undefined && e.gameTime > s.gameTimeMs) s.gameTimeMs = e.gameTime;
  const ev = e as TypedEvent;
  switch (ev.type) {
    case 'match.started': {
      const p = ev.payload;
      p.teams.forEach((t, i) => {
        const acc = team(s, t.id, t.name);
        acc.name = t.name;
        if (t.side !== undefined) acc.side = t.side;
        // Keep the source's team order (scores are [team 0, team 1]).
        if (s.teams[i] !== acc) {
          s.teams.splice(s.teams.indexOf(acc), 1);
          s.teams.splice(i, 0, acc);
        }
      });
      if (p.map !== undefined) s.map = p.map;
      s.startedAtMs ??= Date.parse(e.occurredAt);
      const roles = (p.extra as { roles?: Record<string, string> } | undefined)?.roles;
      if (roles && typeof roles === 'object') {
        for (const [id, role] of Object.entries(roles)) if (s.players[id] && typeof role === 'string') s.players[id].role = role;
        s.roles = roles;
      }
      break;
    }
    case 'match.ended':
      if (ev.payload.scoreUnit !== 'maps') setScore(s, ev.payload.score);
      s.status = 'finished';
      if (ev.payload.winner !== undefined) s.winner = ev.payload.winner;
      if (ev.payload.durationMs !== undefined && ev.payload.durationMs > s.gameTimeMs) s.gameTimeMs = ev.payload.durationMs;
      break;
    case 'score.changed':
      setScore(s, ev.payload.score);
      break;
  }
  if (isShooter(s.title)) applyShooter(s, ev);
  else applyMoba(s, ev);
  return true;
}

export function setScore(s: StatsState, score: readonly [number, number]): void {
  if (s.teams[0]) s.teams[0].score = score[0];
  if (s.teams[1]) s.teams[1].score = score[1];
}
