// The first-party plugins in plugins/, built bundles run through the local harness (the server's
// adapters, the real sandboxed runtime) over project fixtures. Values are checked by hand (the
// comments walk the match) and against an independent computation over the same canonical events.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Envelope, PayloadOf } from '@clutch/core';
import { readBuiltPlugin, runPlugin, testPluginOnFiles, type MatchOutput } from '../../src/cli/plugin-harness.ts';
import { envelope } from '../support/events.ts';
import { parseFiles } from '../../src/cli/parse.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const FIX = join(ROOT, 'server/test/fixtures');
const WINGMAN = join(FIX, 'cs2-log/wingman.log');
const ASCENT = join(FIX, 'valorant-match/match-ascent.json');

async function run(plugin: string, source: string, files: string[], batchSize = 500): Promise<MatchOutput> {
  const def = await readBuiltPlugin(join(ROOT, 'plugins', plugin, 'bundle.js'));
  const out = await testPluginOnFiles(def, source, files, { batchSize });
  expect(out).toHaveLength(1);
  return out[0]!;
}

async function events(source: string, files: string[]): Promise<Envelope[]> {
  return (await parseFiles(source, files, { tenant: 'cli', streamId: 't', receivedAt: '2026-01-01T00:00:00.000Z' })).events;
}

type Kill = PayloadOf<'player.killed.player'>;
const nameOf = (evs: Envelope[]) => {
  const names: Record<string, string> = {};
  for (const e of evs) if (e.type === 'player.killed.player') for (const p of [(e.payload as Kill).killer, (e.payload as Kill).victim]) if (p) names[p.name] = p.id;
  return (n: string) => names[n]!;
};

/** Trades, computed another way: for each in-round death by an enemy, is its killer killed by the victim's team within 5 s in the same round? */
function tradesIndependently(evs: Envelope[]) {
  const rounds: Array<Array<{ at: number; k: Kill }>> = [];
  let open = false;
  for (const e of evs) {
    if (e.type === 'round.started') {
      open = true;
      rounds.push([]);
    } else if (e.type === 'round.ended') open = false;
    else if (open && e.type === 'player.killed.player') rounds.at(-1)!.push({ at: Date.parse(e.occurredAt), k: e.payload as Kill });
  }
  const deaths: Record<string, number> = {};
  const traded: Record<string, number> = {};
  for (const kills of rounds)
    kills.forEach(({ at, k }, i) => {
      deaths[k.victim.id] = (deaths[k.victim.id] ?? 0) + 1;
      if (!k.killer || k.killer.team === k.victim.team) return;
      const revenge = kills.slice(i + 1).find((x) => x.k.victim.id === k.killer!.id && x.k.killer && x.k.killer.team === k.victim.team && x.at - at <= 5000);
      if (revenge) traded[k.victim.id] = (traded[k.victim.id] ?? 0) + 1;
    });
  return { deaths, traded };
}

describe('cs2-trades', () => {
  it('wingman.log: no trades; clutches by hand (Lune alone in rounds 1, 4 and 5; mira in 2; vex in 3; all lost)', async () => {
    const m = await run('cs2-trades', 'cs2-log', [WINGMAN]);
    const id = nameOf(await events('cs2-log', [WINGMAN]));
    // Deaths in rounds (the team kill after round 1 ended does not count): kobo 3, Lune 3, mira 2, vex 1.
    expect(m.players[id('kobo')]).toEqual({ deaths: 3, tradedDeaths: 0, tradeKills: 0, clutches: 0, clutchesWon: 0, tradeEfficiency: 0 });
    expect(m.players[id('Lune')]).toEqual({ deaths: 3, tradedDeaths: 0, tradeKills: 0, clutches: 3, clutchesWon: 0, tradeEfficiency: 0, clutchSuccess: 0 });
    expect(m.players[id('mira')]).toMatchObject({ deaths: 2, clutches: 1, clutchesWon: 0, clutchSuccess: 0 });
    expect(m.players[id('vex')]).toMatchObject({ deaths: 1, clutches: 1, clutchesWon: 0, clutchSuccess: 0 });
    expect(m.teams).toEqual({ 'paper-tigers': { teamTradeEfficiency: 0 }, 'night-owls': { teamTradeEfficiency: 0 } });
  });

  it('Valorant Ascent: Mistral and Tamarind traded by Saffron; Saffron wins the round-3 clutch (the ceremony says so) and loses round 2', async () => {
    const evs = await events('valorant-match', [ASCENT]);
    const id = nameOf(evs);
    for (const batchSize of [500, 3]) {
      const m = await run('cs2-trades', 'valorant-match', [ASCENT], batchSize);
      // Cobalt kills Mistral at 01:43, Saffron kills Cobalt at 01:46; Driftwood kills Tamarind at 03:58, Saffron kills Driftwood at 04:01.
      expect(m.players[id('Saffron#EUW')]).toMatchObject({ tradeKills: 2, clutches: 2, clutchesWon: 1, clutchSuccess: 50 });
      expect(m.players[id('Mistral#EUW')]).toMatchObject({ deaths: 3, tradedDeaths: 1, tradeEfficiency: 33.3 });
      expect(m.players[id('Tamarind#0042')]).toMatchObject({ deaths: 2, tradedDeaths: 1, tradeEfficiency: 50 });
      // Halcyon kills Pylon at 01:09.5 and dies to Mistral 6.5 s later: not a trade.
      expect(m.players[id('Pylon#7781')]).toMatchObject({ tradedDeaths: 0 });
      // red: 11 deaths in rounds 1–3, 2 traded.
      expect(m.teams).toEqual({ red: { teamTradeEfficiency: 18.2 }, blue: { teamTradeEfficiency: 0 } });
      const ind = tradesIndependently(evs);
      for (const [pid, v] of Object.entries(m.players)) {
        expect(v.deaths).toBe(ind.deaths[pid] ?? 0);
        expect(v.tradedDeaths).toBe(ind.traded[pid] ?? 0);
      }
      expect(Object.keys(m.players).sort()).toEqual(Object.keys(ind.deaths).sort());
    }
  });
});

describe('first-blood-conversion', () => {
  it('Valorant Ascent: red draws first blood in rounds 1, 3 and 4 and wins them; blue in round 2 and wins it', async () => {
    const evs = await events('valorant-match', [ASCENT]);
    const id = nameOf(evs);
    const m = await run('first-blood-conversion', 'valorant-match', [ASCENT]);
    expect(m.teams).toEqual({
      red: { firstBloods: 3, firstBloodRoundsWon: 3, firstBloodConversion: 100 },
      blue: { firstBloods: 1, firstBloodRoundsWon: 1, firstBloodConversion: 100 },
    });
    expect(m.match).toEqual({ matchFirstBloodConversion: 100 });
    expect(m.players[id('Saffron#EUW')]).toEqual({ playerFirstBloods: 3, playerFirstDeaths: 0 });
    expect(m.players[id('Driftwood#NA1')]).toEqual({ playerFirstBloods: 0, playerFirstDeaths: 2 });
    // The source flags first blood itself: the plugin's choice agrees with it on every round.
    const flagged = evs.filter((e) => e.type === 'player.killed.player' && (e.payload as Kill).firstBlood).map((e) => (e.payload as Kill).killer!.id);
    const byPlayer: Record<string, number> = {};
    for (const k of flagged) byPlayer[k] = (byPlayer[k] ?? 0) + 1;
    for (const [pid, n] of Object.entries(byPlayer)) expect(m.players[pid]!.playerFirstBloods).toBe(n);
  });

  it('wingman.log: first blood won 3 of 5 rounds; the round-4 team kill is not first blood', async () => {
    const m = await run('first-blood-conversion', 'cs2-log', [WINGMAN]);
    // R1 mira (night-owls, won), R2 kobo (paper-tigers, won), R3 Lune (paper-tigers, won), R4 vex (night-owls after Lune's team kill, won), R5 mira (night-owls, won).
    expect(m.teams).toEqual({
      'night-owls': { firstBloods: 3, firstBloodRoundsWon: 3, firstBloodConversion: 100 },
      'paper-tigers': { firstBloods: 2, firstBloodRoundsWon: 2, firstBloodConversion: 100 },
    });
    expect(m.match).toEqual({ matchFirstBloodConversion: 100 });
  });
});

/** (gameTime, first − second) per snapshot time at which both teams reported, computed apart from the plugins. */
function leads(evs: Envelope[], field: 'gold' | 'netWorth'): Array<[number, number]> {
  const teams = (evs.find((e) => e.type === 'match.started')!.payload as PayloadOf<'match.started'>).teams.map((t) => t.id);
  const at = new Map<number, Record<string, number>>();
  for (const e of evs) {
    if (e.type !== 'team.state') continue;
    const p = e.payload as PayloadOf<'team.state'>;
    const v = field === 'netWorth' ? (p.stats.netWorth ?? p.stats.gold) : p.stats.gold;
    if (v !== undefined) (at.get(e.gameTime!) ?? at.set(e.gameTime!, {}).get(e.gameTime!)!)[p.team.id] = v;
  }
  return [...at].filter(([, g]) => g[teams[0]!] !== undefined && g[teams[1]!] !== undefined).sort((x, y) => x[0] - y[0]).map(([t, g]) => [t, g[teams[0]!]! - g[teams[1]!]!]);
}

describe('lol-gold-objectives', () => {
  const files = [join(FIX, 'lol-match/timeline-2024.json'), join(FIX, 'lol-match/match-2024.json')];

  it('match-2024: red leads all game (−2357 at the end, no flip); blue took 7 of the 8 objectives (3 grubs, herald, 2 towers, a plate), red the dragon', async () => {
    const evs = await events('lol-match', files);
    for (const batchSize of [500, 5]) {
      const m = await run('lol-gold-objectives', 'lol-match', files, batchSize);
      expect(m.teams).toEqual({
        blue: { maxGoldLead: 0, objectives: 7, objectiveControlShare: 87.5 },
        red: { maxGoldLead: 2357, objectives: 1, objectiveControlShare: 12.5 },
      });
      const l = leads(evs, 'gold');
      expect(l.at(-1)![1]).toBe(-2357);
      const perMin = l.slice(1).map(([t, v], i) => (v - l[i]![1]) / ((t - l[i]![0]) / 60_000));
      const mean = perMin.reduce((s, x) => s + x, 0) / perMin.length;
      const sd = Math.sqrt(perMin.reduce((s, x) => s + (x - mean) ** 2, 0) / perMin.length);
      expect(m.match).toEqual({ goldLead: -2357, goldLeadVolatility: Math.round(sd * 10) / 10, goldLeadChanges: 0 });
      // The red lead grows by about 150 gold a minute, steadily: low volatility.
      expect(m.match.goldLeadVolatility).toBeGreaterThan(0);
      expect(m.match.goldLeadVolatility).toBeLessThan(5);
    }
  });
});

describe('dota2-networth-swing', () => {
  it('OpenDota 7412005566: radiant leads from minute 1 up to 565; the biggest one-minute swing is minute 1→2 (+175)', async () => {
    const file = join(FIX, 'opendota/match-7412005566.json');
    const evs = await events('opendota', [file]);
    const l = leads(evs, 'netWorth');
    const values = l.map(([, v]) => v);
    const swing = Math.max(...values) - Math.min(...values);
    const minute = Math.max(...l.slice(1).map(([t, v], i) => Math.abs(v - l[i]![1]) / ((t - l[i]![0]) / 60_000)));
    for (const batchSize of [500, 4]) {
      const m = await run('dota2-networth-swing', 'opendota', [file], batchSize);
      expect(m.match).toEqual({ netWorthLead: 565, netWorthSwing: 565, maxMinuteSwing: 175, netWorthLeadChanges: 0 });
      expect(m.match.netWorthSwing).toBe(swing);
      expect(m.match.maxMinuteSwing).toBe(Math.round(minute));
      expect(m.teams).toEqual({ radiant: { maxNetWorthLead: 565 }, dire: { maxNetWorthLead: 0 } });
    }
  });
});

describe('dota2-networth-swing on a comeback', () => {
  it('counts the flip and the full swing (+1000 to −500: 1500), gameTime-aligned snapshots only', async () => {
    const def = await readBuiltPlugin(join(ROOT, 'plugins/dota2-networth-swing/bundle.js'));
    const base = { tenant: 't1', title: 'dota2' as const, matchId: 'm1' };
    const teams: PayloadOf<'match.started'>['teams'] = [{ id: 'radiant', name: 'R' }, { id: 'dire', name: 'D' }];
    const evs: Envelope[] = [envelope(base, 1, 'match.started', { teams })];
    // envelope() sets gameTime = seq s: pairs at seq (2,3) would not align, so override gameTime per minute.
    const snap = (seq: number, minute: number, team: string, netWorth: number) => ({ ...envelope(base, seq, 'team.state', { team: { id: team, name: team }, stats: { netWorth } }), gameTime: minute * 60_000 });
    evs.push(snap(2, 0, 'radiant', 0), snap(3, 0, 'dire', 0));
    evs.push(snap(4, 1, 'radiant', 3000), snap(5, 1, 'dire', 2000)); // +1000
    evs.push(snap(6, 2, 'radiant', 3500), snap(7, 2, 'dire', 4000)); // −500: a flip, 1500 in a minute
    evs.push(snap(8, 3, 'radiant', 5000)); // dire has not reported minute 3: no new lead
    const [m] = await runPlugin(def, evs, { batchSize: 3 });
    expect(m!.match).toEqual({ netWorthLead: -500, netWorthSwing: 1500, maxMinuteSwing: 1500, netWorthLeadChanges: 1 });
    expect(m!.teams).toEqual({ radiant: { maxNetWorthLead: 1000 }, dire: { maxNetWorthLead: 500 } });
  });
});
