/* eslint-disable */
// first-blood-conversion@1.0.0: built by `clutch plugin build` from index.ts. A classic script defining the global `plugin`.
var plugin = (function () {
  var SDK = { definePlugin: function definePlugin(def) { return def; }, HOST_API: '^1.0.0' };
  var module = { exports: {} };
  var require = function (name) { if (name === "@clutch/plugin-sdk") return SDK; throw new Error('a plugin bundle cannot require ' + name); };
  (function (exports, module, require) {
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const plugin_sdk_1 = require("@clutch/plugin-sdk");
const pct = (n, d) => Math.round((n / d) * 1000) / 10;
exports.default = (0, plugin_sdk_1.definePlugin)({
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
        init() {
            return { open: false, fbTeam: null, teams: {}, players: {}, rounds: 0, converted: 0 };
        },
        onEvents(events, state, ctx) {
            for (const e of events) {
                if (e.type === 'round.started') {
                    state.open = true;
                    state.fbTeam = null;
                }
                else if (e.type === 'round.ended') {
                    if (!state.open)
                        continue;
                    state.open = false;
                    const fb = state.fbTeam;
                    if (fb === null)
                        continue;
                    const t = state.teams[fb];
                    state.rounds += 1;
                    if (e.payload.winner === fb) {
                        t.won += 1;
                        state.converted += 1;
                    }
                    ctx.emit({ stat: 'firstBloods', subject: { kind: 'team', id: fb }, value: t.firstBloods });
                    ctx.emit({ stat: 'firstBloodRoundsWon', subject: { kind: 'team', id: fb }, value: t.won });
                    ctx.emit({ stat: 'firstBloodConversion', subject: { kind: 'team', id: fb }, value: pct(t.won, t.firstBloods) });
                    ctx.emit({ stat: 'matchFirstBloodConversion', subject: { kind: 'match' }, value: pct(state.converted, state.rounds) });
                }
                else {
                    const { killer, victim } = e.payload;
                    if (!state.open || state.fbTeam !== null || !killer || killer.id === victim.id || e.payload.teamKill || killer.team === undefined || killer.team === victim.team)
                        continue;
                    state.fbTeam = killer.team;
                    (state.teams[killer.team] ??= { firstBloods: 0, won: 0 }).firstBloods += 1;
                    const k = (state.players[killer.id] ??= { firstBloods: 0, firstDeaths: 0 });
                    const v = (state.players[victim.id] ??= { firstBloods: 0, firstDeaths: 0 });
                    k.firstBloods += 1;
                    v.firstDeaths += 1;
                    for (const [id, p] of [[killer.id, k], [victim.id, v]]) {
                        ctx.emit({ stat: 'playerFirstBloods', subject: { kind: 'player', id }, value: p.firstBloods });
                        ctx.emit({ stat: 'playerFirstDeaths', subject: { kind: 'player', id }, value: p.firstDeaths });
                    }
                }
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
