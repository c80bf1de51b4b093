// Net-worth swing (Dota 2): the net-worth lead is the first team's net worth minus the second's
// (match.started order: radiant − dire), from team.state snapshots (netWorth, else gold: OpenDota's
// per-minute team gold is its net-worth graph) taken at the same game time. The swing is the range the
// lead covered (highest minus lowest, from radiant's side): a one-sided stomp has a small swing, a
// comeback a large one. The biggest swing in one minute and the biggest lead each team held come with it.
import { definePlugin } from '@clutch/plugin-sdk';

interface State {
  [key: string]: unknown;
  teams: string[];
  last: Record<string, { t: number; worth: number }>;
  lead: { t: number; value: number } | null;
  high: number;
  low: number;
  minuteSwing: number;
  changes: number;
  sign: number;
}

export default definePlugin({
  manifest: {
    name: 'dota2-networth-swing',
    version: '1.0.0',
    hostApi: '^1.0.0',
    description: 'Net-worth lead, its swing over the match (max lead − min lead), the biggest one-minute swing, lead changes and the biggest lead per team.',
    titles: ['dota2'],
    events: ['match.started', 'team.state'],
    outputs: [
      { stat: 'netWorthLead', subject: 'match', type: 'integer', unit: 'gold', description: 'First team (radiant) minus second team (dire), latest snapshot.' },
      { stat: 'netWorthSwing', subject: 'match', type: 'integer', unit: 'gold', description: 'Highest lead minus lowest lead, radiant side.' },
      { stat: 'maxMinuteSwing', subject: 'match', type: 'integer', unit: 'gold/min', description: 'The biggest change of the lead per minute between two snapshots.' },
      { stat: 'netWorthLeadChanges', subject: 'match', type: 'integer', unit: 'flips' },
      { stat: 'maxNetWorthLead', subject: 'team', type: 'integer', unit: 'gold', description: 'The biggest net-worth lead the team held.' },
    ],
    capabilities: ['state'],
  },
  plugin: {
    init(): State {
      return { teams: [], last: {}, lead: null, high: 0, low: 0, minuteSwing: 0, changes: 0, sign: 0 };
    },
    onEvents(events, state, ctx) {
      let moved = false;
      for (const e of events) {
        if (e.type === 'match.started') {
          state.teams = e.payload.teams.map((t) => t.id);
          continue;
        }
        const worth = e.payload.stats.netWorth ?? e.payload.stats.gold;
        if (worth === undefined || e.gameTime === undefined) continue;
        state.last[e.payload.team.id] = { t: e.gameTime, worth };
        const [a, b] = state.teams;
        const la = a === undefined ? undefined : state.last[a];
        const lb = b === undefined ? undefined : state.last[b];
        if (!la || !lb || la.t !== lb.t || (state.lead && la.t <= state.lead.t)) continue;
        const value = la.worth - lb.worth;
        if (state.lead) {
          const perMin = Math.abs(value - state.lead.value) / ((la.t - state.lead.t) / 60_000);
          if (perMin > state.minuteSwing) state.minuteSwing = perMin;
        } else {
          state.high = value;
          state.low = value;
        }
        state.high = Math.max(state.high, value);
        state.low = Math.min(state.low, value);
        const sign = Math.sign(value);
        if (sign !== 0) {
          if (state.sign !== 0 && sign !== state.sign) state.changes += 1;
          state.sign = sign;
        }
        state.lead = { t: la.t, value };
        moved = true;
      }
      if (moved && state.lead) {
        ctx.emit({ stat: 'netWorthLead', subject: { kind: 'match' }, value: Math.round(state.lead.value) });
        ctx.emit({ stat: 'netWorthSwing', subject: { kind: 'match' }, value: Math.round(state.high - state.low) });
        ctx.emit({ stat: 'maxMinuteSwing', subject: { kind: 'match' }, value: Math.round(state.minuteSwing) });
        ctx.emit({ stat: 'netWorthLeadChanges', subject: { kind: 'match' }, value: state.changes });
        const [a, b] = state.teams;
        if (a !== undefined) ctx.emit({ stat: 'maxNetWorthLead', subject: { kind: 'team', id: a }, value: Math.round(Math.max(0, state.high)) });
        if (b !== undefined) ctx.emit({ stat: 'maxNetWorthLead', subject: { kind: 'team', id: b }, value: Math.round(Math.max(0, -state.low)) });
      }
      return state;
    },
  },
});
