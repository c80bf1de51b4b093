// Trade efficiency and clutch success, per player (CS2; Valorant has the same events and works too).
// - A death is traded when, within 5 s, a teammate of the victim kills the victim's killer in the same
//   round. tradeEfficiency = traded deaths / deaths (%). tradeKills counts the kills that traded a death.
// - A clutch is a round where a kill left a team with one player alive against at least one enemy; it
//   is won when that team wins the round. Clutches are worked out at the round's end, over its deaths
//   in order, with the roster of each team as known then (every player seen in it so far: killers,
//   victims, player.state snapshots), so a player first seen late in the first round still counts.
// Kills after the round ended (warm-down) do not count.
import { definePlugin } from '@clutch/plugin-sdk';

const TRADE_WINDOW_MS = 5_000;

interface PlayerLine {
  deaths: number;
  traded: number;
  tradeKills: number;
  clutches: number;
  clutchesWon: number;
}
interface Death {
  victim: string;
  victimTeam: string;
  killer: string;
  at: number;
  traded: boolean;
}
interface State {
  [key: string]: unknown;
  open: boolean;
  roster: Record<string, string[]>;
  dead: string[];
  recent: Death[];
  players: Record<string, PlayerLine>;
  teams: Record<string, { deaths: number; traded: number }>;
}

const pct = (n: number, d: number) => Math.round((n / d) * 1000) / 10;

export default definePlugin({
  manifest: {
    name: 'cs2-trades',
    version: '1.0.0',
    hostApi: '^1.0.0',
    description: 'Trade efficiency (deaths traded within 5 s / deaths) and clutch success per player.',
    titles: ['cs2', 'valorant'],
    events: ['round.started', 'round.ended', 'player.killed.player', 'player.state'],
    outputs: [
      { stat: 'deaths', subject: 'player', type: 'integer', unit: 'deaths', description: 'Deaths during rounds.' },
      { stat: 'tradedDeaths', subject: 'player', type: 'integer', unit: 'deaths', description: 'Deaths avenged by a teammate within 5 s.' },
      { stat: 'tradeEfficiency', subject: 'player', type: 'number', unit: '%', description: 'Traded deaths / deaths.' },
      { stat: 'tradeKills', subject: 'player', type: 'integer', unit: 'kills', description: 'Kills that traded a teammate within 5 s.' },
      { stat: 'clutches', subject: 'player', type: 'integer', unit: 'rounds', description: 'Rounds the player was last alive against at least one enemy.' },
      { stat: 'clutchesWon', subject: 'player', type: 'integer', unit: 'rounds' },
      { stat: 'clutchSuccess', subject: 'player', type: 'number', unit: '%', description: 'Clutches won / clutches.' },
      { stat: 'teamTradeEfficiency', subject: 'team', type: 'number', unit: '%', description: 'Traded deaths / deaths of the team.' },
    ],
    capabilities: ['state'],
  },
  plugin: {
    init(): State {
      return { open: false, roster: {}, dead: [], recent: [], players: {}, teams: {} };
    },
    onEvents(events, state, ctx) {
      const touched = new Set<string>();
      const touchedTeams = new Set<string>();
      const line = (id: string) => (state.players[id] ??= { deaths: 0, traded: 0, tradeKills: 0, clutches: 0, clutchesWon: 0 });
      const join = (id: string, team: string | undefined) => {
        if (team === undefined) return;
        const r = (state.roster[team] ??= []);
        if (!r.includes(id)) r.push(id);
      };
      for (const e of events) {
        if (e.type === 'round.started') {
          state.open = true;
          state.dead = [];
          state.recent = [];
          continue;
        }
        if (e.type === 'round.ended') {
          if (!state.open) continue;
          state.open = false;
          const teams = Object.keys(state.roster);
          const alive = (team: string, dead: string[]) => state.roster[team]!.filter((id) => !dead.includes(id));
          const clutch: Record<string, string> = {};
          for (let i = 1; i <= state.dead.length; i++) {
            const dead = state.dead.slice(0, i);
            for (const team of teams) {
              if (clutch[team] !== undefined) continue;
              const left = alive(team, dead);
              const enemies = teams.filter((t) => t !== team).reduce((n, t) => n + alive(t, dead).length, 0);
              if (left.length === 1 && enemies >= 1) clutch[team] = left[0]!;
            }
          }
          for (const [team, id] of Object.entries(clutch)) {
            const p = line(id);
            p.clutches += 1;
            if (e.payload.winner === team) p.clutchesWon += 1;
            touched.add(id);
          }
          continue;
        }
        if (e.type === 'player.state') {
          join(e.payload.player.id, e.payload.player.team);
          continue;
        }
        const { killer, victim } = e.payload;
        join(victim.id, victim.team);
        if (killer) join(killer.id, killer.team);
        // A second death in a round (a Valorant revive) counts as a death too.
        if (!state.open) continue;
        const at = Date.parse(e.occurredAt);
        state.dead.push(victim.id);
        line(victim.id).deaths += 1;
        touched.add(victim.id);
        if (victim.team !== undefined) {
          const t = (state.teams[victim.team] ??= { deaths: 0, traded: 0 });
          t.deaths += 1;
          touchedTeams.add(victim.team);
        }
        const enemyKill = killer !== undefined && killer.id !== victim.id && killer.team !== undefined && killer.team !== victim.team;
        if (enemyKill) {
          // This victim killed someone of the killer's team in the last 5 s: those deaths are traded.
          for (const d of state.recent) {
            if (d.traded || d.killer !== victim.id || d.victimTeam !== killer.team || at - d.at > TRADE_WINDOW_MS) continue;
            d.traded = true;
            line(d.victim).traded += 1;
            line(killer.id).tradeKills += 1;
            state.teams[d.victimTeam]!.traded += 1;
            touched.add(d.victim);
            touched.add(killer.id);
            touchedTeams.add(d.victimTeam);
          }
          if (victim.team !== undefined) state.recent.push({ victim: victim.id, victimTeam: victim.team, killer: killer.id, at, traded: false });
        }
        state.recent = state.recent.filter((d) => at - d.at <= TRADE_WINDOW_MS);
      }
      for (const id of touched) {
        const p = state.players[id]!;
        const subject = { kind: 'player', id } as const;
        ctx.emit({ stat: 'deaths', subject, value: p.deaths });
        ctx.emit({ stat: 'tradedDeaths', subject, value: p.traded });
        ctx.emit({ stat: 'tradeKills', subject, value: p.tradeKills });
        ctx.emit({ stat: 'clutches', subject, value: p.clutches });
        ctx.emit({ stat: 'clutchesWon', subject, value: p.clutchesWon });
        if (p.deaths > 0) ctx.emit({ stat: 'tradeEfficiency', subject, value: pct(p.traded, p.deaths) });
        if (p.clutches > 0) ctx.emit({ stat: 'clutchSuccess', subject, value: pct(p.clutchesWon, p.clutches) });
      }
      for (const id of touchedTeams) {
        const t = state.teams[id]!;
        if (t.deaths > 0) ctx.emit({ stat: 'teamTradeEfficiency', subject: { kind: 'team', id }, value: pct(t.traded, t.deaths) });
      }
      return state;
    },
  },
});
