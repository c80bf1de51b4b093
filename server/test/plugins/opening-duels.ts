// A well-behaved plugin and a hand-written CS2 match for the runtime tests: "opening duels" per
// player — the first enemy kill of each round is an opening duel, won by the killer and lost by the
// victim (team kills, suicides and world kills do not open a round, as in docs/stats.md).
import type { Envelope } from '@clutch/core';
import { envelope } from '../support/events.ts';

export const openingDuelsManifest = {
  name: 'opening-duels',
  version: '1.0.0',
  hostApi: '^1.0.0',
  description: 'Opening duels per player: taken, won, win rate.',
  titles: ['cs2', 'valorant'],
  events: ['round.started', 'player.killed.player'],
  outputs: [
    { stat: 'openingDuels', subject: 'player', type: 'integer', unit: 'duels' },
    { stat: 'openingWins', subject: 'player', type: 'integer', unit: 'duels' },
    { stat: 'openingWinRate', subject: 'player', type: 'number', unit: '%' },
  ],
  capabilities: ['state'],
};

export const openingDuelsBundle = String.raw`
var plugin = {
  init() {
    return { open: false, players: {} };
  },
  onEvents(events, state, ctx) {
    const touched = new Set();
    for (const e of events) {
      if (e.type === 'round.started') { state.open = false; continue; }
      const p = e.payload;
      const k = p.killer, v = p.victim;
      if (state.open || !k || k.id === v.id || p.teamKill || (k.team !== undefined && k.team === v.team)) continue;
      state.open = true;
      for (const [id, won] of [[k.id, 1], [v.id, 0]]) {
        const s = state.players[id] || (state.players[id] = { duels: 0, wins: 0 });
        s.duels += 1;
        s.wins += won;
        touched.add(id);
      }
    }
    for (const id of touched) {
      const s = state.players[id];
      ctx.emit({ stat: 'openingDuels', subject: { kind: 'player', id }, value: s.duels });
      ctx.emit({ stat: 'openingWins', subject: { kind: 'player', id }, value: s.wins });
      ctx.emit({ stat: 'openingWinRate', subject: { kind: 'player', id }, value: Math.round((s.wins / s.duels) * 1000) / 10 });
    }
    return state;
  },
};
`;

const navi = { id: 'navi', name: 'Natus Vincere' };
const vit = { id: 'vit', name: 'Vitality' };
const p = (id: string, team: string) => ({ id, name: id, team });
const s1mple = p('s1mple', 'navi');
const b1t = p('b1t', 'navi');
const zywoo = p('zywoo', 'vit');
const apex = p('apex', 'vit');

/**
 * Four rounds. Openings: r1 s1mple beats zywoo; r2 a team kill (apex→zywoo) does not count, b1t beats
 * apex; r3 a world kill of b1t (no killer) does not count, zywoo beats s1mple; r4 s1mple beats apex.
 * Later kills in a round are not openings.
 */
export function openingMatch(tenant: string, matchId: string): Envelope[] {
  const b = { tenant, title: 'cs2' as const, matchId };
  let seq = 0;
  const e = (type: Parameters<typeof envelope>[2], payload: Parameters<typeof envelope>[3]) => envelope(b, ++seq, type, payload as never);
  return [
    e('match.started', { teams: [navi, vit], map: 'de_inferno' }),
    e('round.started', { round: 1 }),
    e('player.killed.player', { killer: s1mple, victim: zywoo, weapon: 'awp' }),
    e('player.killed.player', { killer: apex, victim: b1t, weapon: 'ak47' }),
    e('player.killed.player', { killer: s1mple, victim: apex, weapon: 'awp' }),
    e('round.ended', { round: 1, winner: 'navi', score: [1, 0] }),
    e('round.started', { round: 2 }),
    e('player.killed.player', { killer: apex, victim: zywoo, weapon: 'ak47', teamKill: true }),
    e('player.killed.player', { killer: b1t, victim: apex, weapon: 'm4a1' }),
    e('round.ended', { round: 2, winner: 'navi', score: [2, 0] }),
    e('round.started', { round: 3 }),
    e('player.killed.player', { victim: b1t, weapon: 'world' }),
    e('player.killed.player', { killer: zywoo, victim: s1mple, weapon: 'awp' }),
    e('round.ended', { round: 3, winner: 'vit', score: [2, 1] }),
    e('round.started', { round: 4 }),
    e('player.killed.player', { killer: s1mple, victim: apex, weapon: 'deagle', headshot: true }),
    e('player.killed.player', { killer: zywoo, victim: s1mple, weapon: 'awp' }),
    e('round.ended', { round: 4, winner: 'navi', score: [3, 1] }),
    e('match.ended', { winner: 'navi', score: [3, 1] }),
  ];
}

/** The final values for openingMatch, by player: [duels, wins, win rate %]. */
export const openingExpected: Record<string, [number, number, number]> = {
  s1mple: [3, 2, 66.7],
  zywoo: [2, 1, 50],
  b1t: [1, 1, 100],
  apex: [2, 0, 0],
};
