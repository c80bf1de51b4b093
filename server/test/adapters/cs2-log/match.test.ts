// cs2-log on a hand-made wingman match: what a user sees (live start, kills, rounds, objectives,
// economy, utility, round_stats snapshots, the final score) and what must never show (warmup, knife
// round, after Game Over, cvars, rcon, chat).
import { describe, expect, it } from 'vitest';
import { cs2LogAdapter } from '../../../src/ingest/adapters/cs2-log/adapter.ts';
import { countBy, ctx, expectValidDrafts, run } from '../harness.ts';
import { ofType, WINGMAN } from './helpers.ts';

const c = ctx({ streamId: 'Wingman Server #1' });
const drafts = run(cs2LogAdapter, [WINGMAN], c);
const ids = { vex: '76561197960266729', mira: '76561197960266730', kobo: '76561197960267729', lune: '76561197960267730' };
const owls = 'night-owls';
const tigers = 'paper-tigers';

describe('cs2-log: a wingman match', () => {
  it('emits only valid drafts with unique keys, all in one match', () => {
    expectValidDrafts(cs2LogAdapter, drafts);
    expect(new Set(drafts.map((d) => d.matchId))).toEqual(new Set(['cs2-wingman-server-1-20260314200203']));
    expect(countBy(drafts, (d) => d.type)).toEqual({
      'match.started': 1,
      'player.money.changed': 3,
      'player.purchased.item': 2,
      'round.started': 5,
      'player.threw.grenade': 2,
      'player.blinded.player': 1,
      'player.damaged.player': 6,
      'player.killed.player': 10,
      'player.assisted.player': 2,
      'round.ended': 5,
      'player.state': 16,
      'match.paused': 1,
      'match.resumed': 1,
      'bomb.planted': 2,
      'bomb.exploded': 1,
      'player.switched.team': 4,
      'bomb.defused': 1,
      'match.ended': 1,
    });
  });

  it('starts the match at the Match_Start that went live, not in warmup or the knife round', () => {
    const [started] = ofType(drafts, 'match.started');
    expect(started!.occurredAt).toBe('2026-03-14T20:02:03.000Z');
    expect(started!.gameTime).toBe(0);
    expect(started!.payload).toEqual({
      teams: [
        { id: owls, name: 'Night Owls', side: 'ct' },
        { id: tigers, name: 'Paper Tigers', side: 't' },
      ],
      map: 'de_vertigo',
    });
    // the warmup kill (20:00:30) and the knife round kills (20:01:30-31) are not there
    const kills = ofType(drafts, 'player.killed.player');
    expect(kills.every((k) => k.occurredAt >= '2026-03-14T20:02:18.000Z')).toBe(true);
    expect(kills.some((k) => k.payload.weapon?.startsWith('knife'))).toBe(false);
    // the freeze-time buys before round 1 belong to the match
    expect(ofType(drafts, 'player.purchased.item').map((p) => [p.payload.player.name, p.payload.item, p.payload.cost, p.gameTime])).toEqual([
      ['vex', 'flashbang', 200, 2000],
      ['kobo', 'tec9', 500, 3000],
    ]);
  });

  it('reports kills with killer, victim, weapon, headshot, positions and flags', () => {
    const kills = ofType(drafts, 'player.killed.player').map((k) => k.payload);
    expect(kills[0]).toEqual({
      killer: { id: ids.mira, name: 'mira', team: owls, side: 'ct' },
      victim: { id: ids.kobo, name: 'kobo', team: tigers, side: 't' },
      weapon: 'usp_silencer',
      headshot: true,
      killerPosition: { x: -90, y: 210, z: 48 },
      victimPosition: { x: -300, y: 400, z: 60 },
      firstBlood: true,
    });
    expect(kills[1]).toMatchObject({ killer: { name: 'vex' }, victim: { name: 'Lune' }, headshot: false, penetrated: true, throughSmoke: true });
    expect(kills[1]!.firstBlood).toBeUndefined();
    // an exit frag on a teammate after the round ended: a team kill, not an opening kill
    expect(kills[2]).toMatchObject({ killer: { name: 'vex', team: owls }, victim: { name: 'mira', team: owls }, teamKill: true });
    expect(kills[2]!.firstBlood).toBeUndefined();
    expect(kills[3]).toMatchObject({ killer: { name: 'kobo' }, weapon: 'awp', noScope: true, firstBlood: true, extra: { flags: ['attackerinair'] } });
    // deaths without a killer: the bomb, and a fall (suicide)
    expect(kills[4]).toEqual({ victim: { id: ids.mira, name: 'mira', team: owls, side: 'ct' }, weapon: 'planted_c4', victimPosition: { x: 0, y: 0, z: 0 } });
    expect(kills[9]).toMatchObject({ victim: { name: 'Lune' }, weapon: 'world', suicide: true });
    expect(kills[9]!.killer).toBeUndefined();
    // round 4: the team kill comes first, the first blood is the first kill of an enemy
    expect(kills[6]).toMatchObject({ killer: { name: 'Lune' }, victim: { name: 'kobo' }, weapon: 'hegrenade', teamKill: true });
    expect(kills[7]).toMatchObject({ killer: { name: 'vex' }, victim: { name: 'Lune' }, headshot: true, firstBlood: true });
  });

  it('reports every round with its winner, winning side, score by team and reason', () => {
    expect(ofType(drafts, 'round.started').map((r) => r.payload.round)).toEqual([1, 2, 3, 4, 5]);
    expect(ofType(drafts, 'round.ended').map((r) => [r.payload.round, r.payload.winner, r.payload.winnerSide, r.payload.score, r.payload.reason])).toEqual([
      [1, owls, 'ct', [1, 0], 'elimination'],
      [2, tigers, 't', [1, 1], 'bomb'],
      // after halftime the first MatchStatus still names the old sides: the winner comes from the players' sides
      [3, tigers, 'ct', [1, 2], 'defuse'],
      [4, owls, 't', [2, 2], 'elimination'],
      [5, owls, 't', [3, 2], 'elimination'],
    ]);
  });

  it('ends the match from Game Over: winner, score in match.started order, duration', () => {
    const [ended] = ofType(drafts, 'match.ended');
    expect(ended!.payload).toEqual({ winner: owls, score: [3, 2], reason: 'game_over', durationMs: 246_000, extra: { mode: 'scrimcomp2v2', minutes: 6, rounds: 5 } });
    expect(ended!.occurredAt).toBe('2026-03-14T20:06:09.000Z');
  });

  it('reports the bomb: plants with site, the explosion, the defuse credited to the last player to start defusing', () => {
    expect(ofType(drafts, 'bomb.planted').map((b) => [b.payload.player?.name, b.payload.site])).toEqual([
      ['Lune', 'B'],
      ['vex', 'A'],
    ]);
    expect(ofType(drafts, 'bomb.exploded').map((b) => b.payload)).toEqual([{ site: 'B' }]);
    expect(ofType(drafts, 'bomb.defused').map((b) => [b.payload.player?.id, b.payload.site])).toEqual([[ids.kobo, 'A']]);
  });

  it('reports utility, damage, assists, money and timeouts', () => {
    expect(ofType(drafts, 'player.threw.grenade').map((g) => [g.payload.player.name, g.payload.grenade, g.payload.position])).toEqual([
      ['vex', 'flashbang', { x: -100, y: 200, z: 50 }],
      ['Lune', 'hegrenade', { x: 480, y: -10, z: 5 }],
    ]);
    expect(ofType(drafts, 'player.blinded.player')[0]!.payload).toMatchObject({ attacker: { name: 'vex' }, victim: { name: 'kobo' }, durationMs: 2500, entindex: 310 });
    expect(ofType(drafts, 'player.damaged.player')[1]!.payload).toMatchObject({ attacker: { name: 'mira' }, victim: { name: 'kobo' }, weapon: 'usp_silencer', damage: 140, armorDamage: 0, healthRemaining: 0, armorRemaining: 0, hitgroup: 'head' });
    expect(ofType(drafts, 'player.assisted.player').map((a) => [a.payload.assister.name, a.payload.victim.name, a.payload.flash ?? false])).toEqual([
      ['vex', 'kobo', true],
      ['mira', 'Lune', false],
    ]);
    expect(ofType(drafts, 'player.money.changed').map((m) => [m.payload.player.name, m.payload.money, m.payload.delta, m.payload.reason])).toEqual([
      ['vex', 600, -200, 'purchase: weapon_flashbang'],
      ['kobo', 300, -500, 'purchase: weapon_tec9'],
      ['mira', 1100, 300, undefined],
    ]);
    expect(ofType(drafts, 'match.paused').map((p) => p.payload)).toEqual([{ reason: 'timeout', team: tigers }]);
  });

  it('reports halftime side switches with the stable team', () => {
    expect(ofType(drafts, 'player.switched.team').map((s) => [s.payload.player.name, s.payload.player.team, s.payload.from, s.payload.to])).toEqual([
      ['vex', owls, 'ct', 't'],
      ['mira', owls, 'ct', 't'],
      ['kobo', tigers, 't', 'ct'],
      ['Lune', tigers, 't', 'ct'],
    ]);
  });

  it('snapshots round_stats as player.state, consistent with the kill events', () => {
    const states = ofType(drafts, 'player.state');
    const last = states.slice(-4);
    expect(last.map((s) => [s.payload.player.name, s.payload.player.side, s.payload.stats])).toEqual([
      ['vex', 't', { kills: 2, deaths: 1, assists: 1, damage: 200, money: 7900, mvps: 1, headshots: 1 }],
      ['mira', 't', { kills: 1, deaths: 3, assists: 1, damage: 100, money: 7400, mvps: 1, headshots: 1 }],
      ['kobo', 'ct', { kills: 1, deaths: 2, assists: 0, damage: 100, money: 4900, mvps: 1, headshots: 0 }],
      ['Lune', 'ct', { kills: 1, deaths: 2, assists: 0, damage: 100, money: 4400, mvps: 1, headshots: 0 }],
    ]);
    // CS counts kills of enemies only (team kills do not add) and every death (bomb, suicide, team kill)
    const before = drafts.slice(0, drafts.indexOf(last[0]!)).filter((d) => d.type === 'player.killed.player');
    const kills = ofType(before, 'player.killed.player');
    const sum = (f: 'kills' | 'deaths') => last.reduce((a, s) => a + (s.payload.stats[f] ?? 0), 0);
    expect(kills.filter((k) => k.payload.killer && !k.payload.teamKill).length).toBe(sum('kills'));
    expect(kills.length).toBe(sum('deaths'));
  });

  it('leaks nothing: no cvars, rcon, chat, addresses, GOTV, nor anything after Game Over', () => {
    const text = JSON.stringify(drafts);
    for (const secret of ['hunter2-secret', 'tv-secret-99', 's3cret-token', 'gl hf', '203.0.113.5', 'SourceTV', '"gg"']) expect(text).not.toContain(secret);
    expect(drafts.every((d) => d.occurredAt <= '2026-03-14T20:06:09.000Z')).toBe(true);
    expect(ofType(drafts, 'player.disconnected')).toEqual([]);
  });
});
