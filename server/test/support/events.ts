// Hand-written canonical events for tests (small, readable, deterministic).
import { uuidv7, type Envelope, type EventType, type PayloadOf, type Title } from '@clutch/core';

export function envelope<T extends EventType>(
  base: { tenant: string; title: Title; matchId: string },
  seq: number,
  type: T,
  payload: PayloadOf<T>,
): Envelope {
  const at = new Date(Date.parse('2026-11-24T18:00:00.000Z') + seq * 1000).toISOString();
  return { id: uuidv7(), v: 1, ...base, source: 'test', seq, type, gameTime: seq * 1000, occurredAt: at, receivedAt: at, payload: payload as Record<string, unknown> };
}

const navi = { id: 'navi', name: 'Natus Vincere' };
const vit = { id: 'vit', name: 'Vitality' };
const p = (id: string, team: string) => ({ id, name: id, team });

/** A short CS2 match: 3 rounds, navi wins 2–1 (then ends early for the test). */
export function cs2Match(tenant: string, matchId: string): Envelope[] {
  const b = { tenant, title: 'cs2' as const, matchId };
  return [
    envelope(b, 1, 'match.started', { teams: [navi, vit], map: 'de_nuke' }),
    envelope(b, 2, 'player.killed.player', { killer: p('s1mple', 'navi'), victim: p('zywoo', 'vit'), weapon: 'awp', headshot: true }),
    envelope(b, 3, 'round.ended', { round: 1, winner: 'navi', score: [1, 0] }),
    envelope(b, 4, 'round.ended', { round: 2, winner: 'vit', score: [1, 1] }),
    envelope(b, 5, 'round.ended', { round: 3, winner: 'navi', score: [2, 1] }),
    envelope(b, 6, 'match.ended', { winner: 'navi', score: [2, 1] }),
  ];
}
