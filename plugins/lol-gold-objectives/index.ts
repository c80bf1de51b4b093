// Gold-lead volatility and objective control share (League of Legends).
// - The gold lead is the first team's total gold minus the second's (match.started order: blue − red),
//   at each moment both teams have a team.state snapshot with the same game time (timelines: every
//   minute). Volatility is the standard deviation (population) of the lead's change per minute between
//   consecutive snapshots: a steady game is near 0, a game of big swings is high. Lead changes count the
//   times the sign of the lead flips (a tie does not flip it).
// - Objective control share: each team's objective.taken events (dragons, barons, heralds, void grubs,
//   towers, plates, inhibitors…) as a share of all objectives credited to a team.
import { definePlugin } from '@clutch/plugin-sdk';

interface State {
  [key: string]: unknown;
  teams: string[];
  last: Record<string, { t: number; gold: number }>;
  lead: { t: number; value: number } | null;
  n: number;
  mean: number;
  m2: number;
  sign: number;
  changes: number;
  maxLead: Record<string, number>;
  objectives: Record<string, number>;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export default definePlugin({
  manifest: {
    name: 'lol-gold-objectives',
    version: '1.0.0',
    hostApi: '^1.0.0',
    description: 'Gold-lead volatility (std. dev. of the per-minute lead change), lead changes, biggest lead per team and objective control share.',
    titles: ['lol'],
    events: ['match.started', 'team.state', 'objective.taken'],
    outputs: [
      { stat: 'goldLead', subject: 'match', type: 'integer', unit: 'gold', description: 'First team (blue) minus second team (red), latest snapshot.' },
      { stat: 'goldLeadVolatility', subject: 'match', type: 'number', unit: 'gold/min', description: 'Standard deviation of the per-minute change of the gold lead.' },
      { stat: 'goldLeadChanges', subject: 'match', type: 'integer', unit: 'flips' },
      { stat: 'maxGoldLead', subject: 'team', type: 'integer', unit: 'gold', description: 'The biggest gold lead the team held.' },
      { stat: 'objectives', subject: 'team', type: 'integer', unit: 'objectives' },
      { stat: 'objectiveControlShare', subject: 'team', type: 'number', unit: '%', description: 'Objectives taken by the team / objectives taken by both teams.' },
    ],
    capabilities: ['state'],
  },
  plugin: {
    init(): State {
      return { teams: [], last: {}, lead: null, n: 0, mean: 0, m2: 0, sign: 0, changes: 0, maxLead: {}, objectives: {} };
    },
    onEvents(events, state, ctx) {
      let leadMoved = false;
      let objectivesMoved = false;
      for (const e of events) {
        if (e.type === 'match.started') {
          state.teams = e.payload.teams.map((t) => t.id);
        } else if (e.type === 'team.state') {
          const gold = e.payload.stats.gold;
          if (gold === undefined || e.gameTime === undefined) continue;
          state.last[e.payload.team.id] = { t: e.gameTime, gold };
          const [a, b] = state.teams;
          const la = a === undefined ? undefined : state.last[a];
          const lb = b === undefined ? undefined : state.last[b];
          if (!la || !lb || la.t !== lb.t || (state.lead && la.t <= state.lead.t)) continue;
          const value = la.gold - lb.gold;
          if (state.lead && la.t > state.lead.t) {
            // Welford's running variance of the per-minute change.
            const perMin = (value - state.lead.value) / ((la.t - state.lead.t) / 60_000);
            state.n += 1;
            const d = perMin - state.mean;
            state.mean += d / state.n;
            state.m2 += d * (perMin - state.mean);
          }
          const sign = Math.sign(value);
          if (sign !== 0) {
            if (state.sign !== 0 && sign !== state.sign) state.changes += 1;
            state.sign = sign;
          }
          state.lead = { t: la.t, value };
          const leader = value > 0 ? a! : b!;
          if (value !== 0 && Math.abs(value) > (state.maxLead[leader] ?? 0)) state.maxLead[leader] = Math.abs(value);
          leadMoved = true;
        } else {
          const team = e.payload.team;
          if (team === undefined) continue;
          state.objectives[team] = (state.objectives[team] ?? 0) + 1;
          objectivesMoved = true;
        }
      }
      if (leadMoved && state.lead) {
        ctx.emit({ stat: 'goldLead', subject: { kind: 'match' }, value: Math.round(state.lead.value) });
        if (state.n > 0) ctx.emit({ stat: 'goldLeadVolatility', subject: { kind: 'match' }, value: round1(Math.sqrt(state.m2 / state.n)) });
        ctx.emit({ stat: 'goldLeadChanges', subject: { kind: 'match' }, value: state.changes });
        for (const id of state.teams) ctx.emit({ stat: 'maxGoldLead', subject: { kind: 'team', id }, value: Math.round(state.maxLead[id] ?? 0) });
      }
      if (objectivesMoved) {
        const total = Object.values(state.objectives).reduce((s, n) => s + n, 0);
        const ids = new Set([...state.teams, ...Object.keys(state.objectives)]);
        for (const id of ids) {
          const n = state.objectives[id] ?? 0;
          ctx.emit({ stat: 'objectives', subject: { kind: 'team', id }, value: n });
          ctx.emit({ stat: 'objectiveControlShare', subject: { kind: 'team', id }, value: round1((n / total) * 100) });
        }
      }
      return state;
    },
  },
});
