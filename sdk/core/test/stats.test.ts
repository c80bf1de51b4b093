// Built-in stats on scripted matches: every number below is worked out by hand from the events.
import { describe, expect, it } from 'vitest';
import { applyStats, newStats, statsView, uuidv7, type Envelope, type StatsState, type Title } from '../src/index.ts';

function match(title: Title) {
  let seq = 0;
  const events: Envelope[] = [];
  const push = (type: string, payload: Record<string, unknown>, gameTime?: number) => {
    seq++;
    events.push({ id: uuidv7(), v: 1, tenant: 't', title, source: 'test', matchId: 'm', seq, type, payload, occurredAt: new Date(Date.UTC(2026, 10, 24, 10) + (gameTime ?? seq * 1000)).toISOString(), receivedAt: '2026-11-24T10:00:00.000Z', ...(gameTime !== undefined ? { gameTime } : {}) });
  };
  return { events, push };
}

const run = (title: Title, events: Envelope[]): StatsState => {
  const s = newStats(title, 'm');
  for (const e of events) applyStats(s, e);
  return s;
};

// CS2: team A (a1..a5) vs B (b1..b5)
const P = (id: string) => ({ id, name: id.toUpperCase(), team: id[0] === 'a' ? 'A' : 'B' });
const kill = (killer: string | undefined, victim: string, extra: Record<string, unknown> = {}) => ({ ...(killer ? { killer: P(killer) } : {}), victim: P(victim), weapon: 'ak47', ...extra });

function cs2Round(push: ReturnType<typeof match>['push'], n: number, t0: number, kills: Array<[string | undefined, string, number, Record<string, unknown>?]>, winner: 'A' | 'B', score: [number, number]) {
  push('round.started', { round: n }, t0);
  for (const [k, v, at, extra] of kills) push('player.killed.player', kill(k, v, extra), t0 + at);
  push('round.ended', { round: n, winner, score }, t0 + 100_000);
}

function cs2Start(push: ReturnType<typeof match>['push']) {
  push('match.started', { teams: [{ id: 'A', name: 'Alpha' }, { id: 'B', name: 'Bravo' }], map: 'de_inferno' }, 0);
  // everybody buys in the freeze time: the roster is known when the round starts
  for (const id of ['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'b3', 'b4', 'b5']) push('player.purchased.item', { player: P(id), item: 'ak47', cost: 2700 }, 500);
}

describe('CS2 stats', () => {
  const { events, push } = match('cs2');
  cs2Start(push);
  // Round 1: b1 opens on a1; a2 trades b1 within 3 s (a1's death is traded); a2 kills b2 (a 2k);
  // b3 and b4 take a2, a3, a4; a5, last of A, wins a 1v3.
  cs2Round(push, 1, 1_000, [
    ['b1', 'a1', 10_000, { headshot: true }],
    ['a2', 'b1', 13_000],
    ['a2', 'b2', 20_000, { headshot: true }],
    ['b3', 'a2', 30_000],
    ['b3', 'a3', 31_000],
    ['b4', 'a4', 32_000],
    // a5 is alone against b3, b4, b5: a 1v3, and wins it
    ['a5', 'b3', 40_000],
    ['a5', 'b4', 41_000],
    ['a5', 'b5', 42_000],
  ], 'A', [1, 0]);
  push('player.damaged.player', { attacker: P('b5'), victim: P('a5'), damage: 136, healthRemaining: 0 }, 101_500); // after the round: counts for it
  push('player.damaged.player', { attacker: P('a5'), victim: P('a4'), damage: 20, healthRemaining: 80 }, 101_600); // team damage: not counted
  // Round 2: B wins; a1 kills b1 with a grenade hit first
  push('round.started', { round: 2 }, 110_000);
  push('player.damaged.player', { attacker: P('a1'), victim: P('b1'), damage: 60, healthRemaining: 40, weapon: 'hegrenade' }, 111_000);
  push('player.damaged.player', { attacker: P('a1'), victim: P('b1'), damage: 136, healthRemaining: 0, weapon: 'ak47' }, 112_000);
  push('player.killed.player', kill('a1', 'b1'), 112_000);
  push('player.assisted.player', { assister: P('a3'), victim: P('b1'), flash: true }, 112_000);
  push('round.ended', { round: 2, winner: 'B', score: [1, 1] }, 200_000);
  const s = run('cs2', events);
  const v = statsView(s);
  const p = (id: string) => v.players.find((x) => x.id === id)!;

  it('counts kills, deaths, headshots, multi-kills and opening duels', () => {
    expect([p('a5').kills, p('a5').deaths, p('a5').k3]).toEqual([3, 0, 1]);
    expect([p('a2').kills, p('a2').k2, p('a2').headshots]).toEqual([2, 1, 1]);
    expect([p('b1').openingKills, p('a1').openingDeaths]).toEqual([1, 1]);
    expect(p('a1').openingKills).toBe(1); // round 2's first kill
    expect(p('a2').hsPercent).toBe(50);
  });

  it('KAST: kill, assist, survive or traded (5 s), per round played', () => {
    // round 1: a1 died, traded by a2 within 3 s → KAST; round 2: a1 killed → KAST
    expect([p('a1').tradedDeaths, p('a2').tradeKills, p('a1').kastRounds]).toEqual([1, 1, 2]);
    // a3 died in round 1 untraded with no kill (0), flash-assisted in round 2 (1)
    expect([p('a3').kastRounds, p('a3').assists, p('a3').flashAssists]).toEqual([1, 1, 1]);
    expect(p('a3').kast).toBe(0.5);
    expect(p('b2').kast).toBe(0.5); // died in round 1, survived round 2
  });

  it('a clutch is the last one alive of the team against at least one, won if the team wins', () => {
    expect([p('a5').clutches, p('a5').clutchesWon, p('a5').clutchesWonVs]).toEqual([1, 1, [0, 0, 1, 0, 0]]);
  });

  it('damage is the health taken (capped), enemies only; utility damage is grenades and fire; ADR per round', () => {
    expect(p('b5').damage).toBe(100);
    expect(p('a5').damage ?? 0).toBe(0);
    expect([p('a1').damage, p('a1').utilityDamage, p('a1').adr]).toEqual([100, 60, 50]);
  });

  it('tracks rounds, score, buys and the per-round history', () => {
    expect(v.teams.map((t) => t.score)).toEqual([1, 1]);
    expect(v.rounds!.map((r) => r.winner)).toEqual(['A', 'B']);
    expect(v.teams[0]!.buys).toEqual(['pistol', 'eco']);
    expect(s.rounds[0]!.spend).toEqual([13_500, 13_500]);
    // b5's post-round damage belongs to round 1's snapshot
    expect(s.history[0]!['b5']!.damage).toBe(100);
    expect(p('a5').rating).toBeGreaterThan(p('a3').rating!);
  });

  it('a redelivered event changes nothing (seq guard)', () => {
    const again = run('cs2', [...events, ...events]);
    expect(statsView(again)).toEqual(v);
  });
});

describe('CS2 backup restore: round 13 followed by round 12 again', () => {
  it('rolls back to the end of round 11 and ends equal to a match that never restored', () => {
    const restored = match('cs2');
    const clean = match('cs2');
    for (const m of [restored, clean]) cs2Start(m.push);
    const play = (m: ReturnType<typeof match>, n: number, t0: number) =>
      cs2Round(m.push, n, t0, [['a1', 'b1', 5_000], ['b2', 'a2', 6_000]], 'A', [n, 0]);
    for (let n = 1; n <= 13; n++) play(restored, n, n * 200_000);
    // the admin restores the backup of round 12: round 12 is played again, differently
    restored.push('round.started', { round: 12 }, 14 * 200_000);
    restored.push('player.killed.player', kill('a3', 'b3'), 14 * 200_000 + 1_000);
    restored.push('round.ended', { round: 12, winner: 'A', score: [12, 0] }, 14 * 200_000 + 90_000);
    for (let n = 1; n <= 11; n++) play(clean, n, n * 200_000);
    clean.push('round.started', { round: 12 }, 14 * 200_000);
    clean.push('player.killed.player', kill('a3', 'b3'), 14 * 200_000 + 1_000);
    clean.push('round.ended', { round: 12, winner: 'A', score: [12, 0] }, 14 * 200_000 + 90_000);
    const a = statsView(run('cs2', restored.events));
    const b = statsView(run('cs2', clean.events));
    expect(a.rounds).toHaveLength(12);
    expect(a.players.find((x) => x.id === 'a1')!.kills).toBe(11);
    expect(a.players.map(({ id, kills, deaths, roundsPlayed }) => ({ id, kills, deaths, roundsPlayed }))).toEqual(b.players.map(({ id, kills, deaths, roundsPlayed }) => ({ id, kills, deaths, roundsPlayed })));
    expect(a.teams.map((t) => t.score)).toEqual([12, 0]);
  });
});

describe('MOBA stats', () => {
  it('LoL: K/D/A, KDA, KP, CS/min, GPM, DPM, damage share, gold diff at 10 vs lane opponent, objectives', () => {
    const { events, push } = match('lol');
    const L = (id: string, team: string) => ({ id, name: id, team });
    push('match.started', { teams: [{ id: 'blue', name: 'Blue' }, { id: 'red', name: 'Red' }], extra: { roles: { b1: 'TOP', b2: 'MIDDLE', r1: 'MIDDLE', r2: 'TOP' } } }, 0);
    push('player.killed.player', { killer: L('b1', 'blue'), victim: L('r1', 'red'), assisters: [L('b2', 'blue')] }, 300_000);
    push('player.killed.player', { killer: L('r2', 'red'), victim: L('b1', 'blue') }, 400_000);
    push('player.killed.player', { victim: L('b2', 'blue') }, 450_000); // executed by a tower
    for (const [id, team, gold, cs, dmg] of [['b1', 'blue', 4_000, 80, 3_000], ['b2', 'blue', 3_500, 70, 1_000], ['r1', 'red', 3_000, 75, 2_000], ['r2', 'red', 3_800, 60, 2_000]] as const)
      push('player.state', { player: L(id, team), stats: { totalGold: gold, creepScore: cs, xp: 5_000, damageToChampions: dmg } }, 600_021);
    push('objective.taken', { team: 'blue', objective: 'dragon', subtype: 'FIRE' }, 610_000);
    push('team.state', { team: { id: 'red', name: 'Red' }, stats: { towers: 2 } }, 610_000);
    push('match.ended', { winner: 'blue', score: [1, 1], durationMs: 1_200_000 }, 1_200_000);
    const v = statsView(run('lol', events));
    const p = (id: string) => v.players.find((x) => x.id === id)!;
    expect([p('b1').kills, p('b1').deaths, p('b1').assists, p('b1').kda]).toEqual([1, 1, 0, 1]);
    expect([p('b2').assists, p('b2').deaths, p('b2').kda, p('b2').killParticipation]).toEqual([1, 1, 1, 1]);
    // 20 minutes: 80 cs → 4/min; 4000 gold → 200 GPM; 3000 dmg → 150 DPM; share 3000/4000
    expect([p('b1').csPerMin, p('b1').gpm, p('b1').dpm, p('b1').damageShare]).toEqual([4, 200, 150, 0.75]);
    // lane opponents by role: b1 (TOP) vs r2 (TOP): 4000 − 3800
    expect([p('b1').laneOpponent, p('b1').goldDiffAt10, p('r2').goldDiffAt10]).toEqual(['r2', 200, -200]);
    const [blue, red] = v.teams;
    expect([blue!.kills, red!.kills, blue!.goldDiffAt10, red!.goldDiffAt10]).toEqual([1, 1, 700, -700]);
    expect([blue!.objectives, red!.objectives]).toEqual([{ dragon: 1 }, { tower: 2 }]);
    expect(v.winner).toBe('blue');
  });

  it('Dota 2: a deny is a death, not a kill; LH/DN, GPM/XPM, net worth and XP advantage', () => {
    const { events, push } = match('dota2');
    const D = (id: string, team: string) => ({ id, name: id, team });
    push('match.started', { teams: [{ id: 'radiant', name: 'Radiant' }, { id: 'dire', name: 'Dire' }] }, 0);
    push('player.killed.player', { killer: D('r1', 'radiant'), victim: D('r2', 'radiant') }, 100_000);
    push('player.killed.player', { killer: D('d1', 'dire'), victim: D('r1', 'radiant') }, 200_000);
    push('player.state', { player: D('r1', 'radiant'), stats: { lastHits: 50, denies: 5, totalGold: 6_000, netWorth: 5_500, xp: 7_000 } }, 600_000);
    push('player.state', { player: D('d1', 'dire'), stats: { lastHits: 40, denies: 2, totalGold: 5_000, netWorth: 4_500, xp: 6_000 } }, 600_000);
    push('objective.taken', { team: 'dire', objective: 'roshan' }, 600_000);
    const v = statsView(run('dota2', events));
    const p = (id: string) => v.players.find((x) => x.id === id)!;
    expect([p('r1').kills, p('r1').deaths, p('r2').deaths, p('d1').kills]).toEqual([0, 1, 1, 1]);
    expect([p('r1').lastHits, p('r1').denies, p('r1').gpm, p('r1').xpm]).toEqual([50, 5, 600, 700]);
    expect([v.teams[0]!.netWorth, v.teams[0]!.goldDiff, v.teams[0]!.xpDiff]).toEqual([5_500, 1_000, 1_000]);
    expect(v.teams[1]!.objectives).toEqual({ roshan: 1 });
  });
});

describe('Valorant stats', () => {
  it('ACS from the source combat score, first bloods, plants', () => {
    const { events, push } = match('valorant');
    push('match.started', { teams: [{ id: 'A', name: 'A' }, { id: 'B', name: 'B' }] }, 0);
    push('player.purchased.item', { player: P('a1'), item: 'Vandal', cost: 2900 }, 500);
    push('player.purchased.item', { player: P('b1'), item: 'Ghost', cost: 500 }, 500);
    push('round.started', { round: 1 }, 1_000);
    push('player.killed.player', kill('a1', 'b1'), 5_000);
    push('bomb.planted', { player: P('a1'), site: 'A' }, 6_000);
    push('player.state', { player: P('a1'), stats: { score: 300, kills: 1 } }, 9_000);
    push('round.ended', { round: 1, winner: 'A', score: [1, 0] }, 10_000);
    const v = statsView(run('valorant', events));
    const a1 = v.players.find((x) => x.id === 'a1')!;
    expect([a1.acs, a1.openingKills, a1.plants, a1.kills]).toEqual([300, 1, 1, 1]);
    // without a source score, our combat points: 150 for a kill with 1 enemy alive… here b1 was alone: 70
    expect(v.players.find((x) => x.id === 'a1')!.combatPoints).toBe(70);
  });
});
