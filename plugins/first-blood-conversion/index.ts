// First-blood conversion (Valorant; CS2 has the same events and works too): the share of rounds a team
// won after drawing first blood — the first kill of the round by an enemy (team kills, suicides and
// world kills do not count). Per team: first bloods, rounds won after one, conversion (%); per player:
// first bloods taken and first deaths suffered; for the match: how often first blood decided the round.
import { definePlugin } from '@clutch/plugin-sdk';

interface State {
  [key: string]: unknown;
  open: boolean;
  fbTeam: string | null;
  teams: Record<string, { firstBloods: number; won: number }>;
  players: Record<string, { firstBloods: number; firstDeaths: number }>;
  rounds: number;
  converted: number;
}

const pct = (n: number, d: number) => Math.round((n / d) * 1000) / 10;

export default definePlugin({
  manifest: {
    name: 'first-blood-conversion',
    version: '1.0.0',
    hostApi: '^1.0.0',
    description: 'Rounds won after drawing first blood, per team; first bloods and first deaths per player.',
    titles: ['valorant', 'cs2'],
    events: ['round.started', 'round.ended', 'player.killed.player'],
    outputs: [
      { stat: 'firstBloods', subject: 'team', type: 'integer', unit: 'rounds' },
      { stat: 'firstBloodRoundsWon', subject: 'team', type: 'integer', unit: 'rounds' },
      { stat: 'firstBloodConversion', subject: 'team', type: 'number', unit: '%', description: 'Rounds won after first blood / first bloods.' },
      { stat: 'playerFirstBloods', subject: 'player', type: 'integer', unit: 'kills' },
      { stat: 'playerFirstDeaths', subject: 'player', type: 'integer', unit: 'deaths' },
      { stat: 'matchFirstBloodConversion', subject: 'match', type: 'number', unit: '%', description: 'Rounds won by the team that drew first blood / rounds with a first blood.' },
    ],
    capabilities: ['state'],
  },
  plugin: {
    init(): State {
      return { open: false, fbTeam: null, teams: {}, players: {}, rounds: 0, converted: 0 };
    },
    onEvents(events, state, ctx) {
      for (const e of events) {
        if (e.type === 'round.started') {
          state.open = true;
          state.fbTeam = null;
        } else if (e.type === 'round.ended') {
          if (!state.open) continue;
          state.open = false;
          const fb = state.fbTeam;
          if (fb === null) continue;
          const t = state.teams[fb]!;
          state.rounds += 1;
          if (e.payload.winner === fb) {
            t.won += 1;
            state.converted += 1;
          }
          ctx.emit({ stat: 'firstBloods', subject: { kind: 'team', id: fb }, value: t.firstBloods });
          ctx.emit({ stat: 'firstBloodRoundsWon', subject: { kind: 'team', id: fb }, value: t.won });
          ctx.emit({ stat: 'firstBloodConversion', subject: { kind: 'team', id: fb }, value: pct(t.won, t.firstBloods) });
          ctx.emit({ stat: 'matchFirstBloodConversion', subject: { kind: 'match' }, value: pct(state.converted, state.rounds) });
        } else {
          const { killer, victim } = e.payload;
          if (!state.open || state.fbTeam !== null || !killer || killer.id === victim.id || e.payload.teamKill || killer.team === undefined || killer.team === victim.team) continue;
          state.fbTeam = killer.team;
          (state.teams[killer.team] ??= { firstBloods: 0, won: 0 }).firstBloods += 1;
          const k = (state.players[killer.id] ??= { firstBloods: 0, firstDeaths: 0 });
          const v = (state.players[victim.id] ??= { firstBloods: 0, firstDeaths: 0 });
          k.firstBloods += 1;
          v.firstDeaths += 1;
          for (const [id, p] of [[killer.id, k], [victim.id, v]] as const) {
            ctx.emit({ stat: 'playerFirstBloods', subject: { kind: 'player', id }, value: p.firstBloods });
            ctx.emit({ stat: 'playerFirstDeaths', subject: { kind: 'player', id }, value: p.firstDeaths });
          }
        }
      }
      return state;
    },
  },
});
