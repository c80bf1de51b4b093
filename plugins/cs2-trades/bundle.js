/* eslint-disable */
// cs2-trades@1.0.0: built by `clutch plugin build` from index.ts. A classic script defining the global `plugin`.
var plugin = (function () {
  var SDK = { definePlugin: function definePlugin(def) { return def; }, HOST_API: '^1.0.0' };
  var module = { exports: {} };
  var require = function (name) { if (name === "@clutch/plugin-sdk") return SDK; throw new Error('a plugin bundle cannot require ' + name); };
  (function (exports, module, require) {
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const plugin_sdk_1 = require("@clutch/plugin-sdk");
const TRADE_WINDOW_MS = 5_000;
const pct = (n, d) => Math.round((n / d) * 1000) / 10;
exports.default = (0, plugin_sdk_1.definePlugin)({
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
        init() {
            return { open: false, roster: {}, dead: [], recent: [], players: {}, teams: {} };
        },
        onEvents(events, state, ctx) {
            const touched = new Set();
            const touchedTeams = new Set();
            const line = (id) => (state.players[id] ??= { deaths: 0, traded: 0, tradeKills: 0, clutches: 0, clutchesWon: 0 });
            const join = (id, team) => {
                if (team === undefined)
                    return;
                const r = (state.roster[team] ??= []);
                if (!r.includes(id))
                    r.push(id);
            };
            for (const e of events) {
                if (e.type === 'round.started') {
                    state.open = true;
                    state.dead = [];
                    state.recent = [];
                    continue;
                }
                if (e.type === 'round.ended') {
                    if (!state.open)
                        continue;
                    state.open = false;
                    const teams = Object.keys(state.roster);
                    const alive = (team, dead) => state.roster[team].filter((id) => !dead.includes(id));
                    const clutch = {};
                    for (let i = 1; i <= state.dead.length; i++) {
                        const dead = state.dead.slice(0, i);
                        for (const team of teams) {
                            if (clutch[team] !== undefined)
                                continue;
                            const left = alive(team, dead);
                            const enemies = teams.filter((t) => t !== team).reduce((n, t) => n + alive(t, dead).length, 0);
                            if (left.length === 1 && enemies >= 1)
                                clutch[team] = left[0];
                        }
                    }
                    for (const [team, id] of Object.entries(clutch)) {
                        const p = line(id);
                        p.clutches += 1;
                        if (e.payload.winner === team)
                            p.clutchesWon += 1;
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
                if (killer)
                    join(killer.id, killer.team);
                if (!state.open)
                    continue;
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
                    for (const d of state.recent) {
                        if (d.traded || d.killer !== victim.id || d.victimTeam !== killer.team || at - d.at > TRADE_WINDOW_MS)
                            continue;
                        d.traded = true;
                        line(d.victim).traded += 1;
                        line(killer.id).tradeKills += 1;
                        state.teams[d.victimTeam].traded += 1;
                        touched.add(d.victim);
                        touched.add(killer.id);
                        touchedTeams.add(d.victimTeam);
                    }
                    if (victim.team !== undefined)
                        state.recent.push({ victim: victim.id, victimTeam: victim.team, killer: killer.id, at, traded: false });
                }
                state.recent = state.recent.filter((d) => at - d.at <= TRADE_WINDOW_MS);
            }
            for (const id of touched) {
                const p = state.players[id];
                const subject = { kind: 'player', id };
                ctx.emit({ stat: 'deaths', subject, value: p.deaths });
                ctx.emit({ stat: 'tradedDeaths', subject, value: p.traded });
                ctx.emit({ stat: 'tradeKills', subject, value: p.tradeKills });
                ctx.emit({ stat: 'clutches', subject, value: p.clutches });
                ctx.emit({ stat: 'clutchesWon', subject, value: p.clutchesWon });
                if (p.deaths > 0)
                    ctx.emit({ stat: 'tradeEfficiency', subject, value: pct(p.traded, p.deaths) });
                if (p.clutches > 0)
                    ctx.emit({ stat: 'clutchSuccess', subject, value: pct(p.clutchesWon, p.clutches) });
            }
            for (const id of touchedTeams) {
                const t = state.teams[id];
                if (t.deaths > 0)
                    ctx.emit({ stat: 'teamTradeEfficiency', subject: { kind: 'team', id }, value: pct(t.traded, t.deaths) });
            }
            return state;
        },
    },
});
  })(module.exports, module, require);
  var def = module.exports.default;
  if (def === null || typeof def !== 'object' || def.plugin === null || typeof def.plugin !== 'object') throw new Error('the default export must be definePlugin({ manifest, plugin })');
  return def;
})().plugin;
