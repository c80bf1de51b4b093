// The simulator's matches are consistent: every event is schema-valid, scores follow rounds and
// kills, economies add up, and every match ends with a winner.
import { payloadProblems, type PayloadOf, TITLES } from '@clutch/core';
import { describe, expect, it } from 'vitest';
import { script, type ScriptedEvent } from '../../src/ingest/scenarios.ts';

const play = (title: (typeof TITLES)[number], seed: number) => [...(script(title, seed) as Iterable<ScriptedEvent>)];
const of = <T extends ScriptedEvent['type']>(events: ScriptedEvent[], type: T) => events.filter((e) => e.type === type).map((e) => e.payload as PayloadOf<T>);

describe('simulated matches', () => {
  for (const title of TITLES) {
    it(`${title}: valid events in game-time order, ending with a winner`, () => {
      for (const seed of [1, 2, 3, 42, 1234]) {
        const events = play(title, seed);
        for (const e of events) expect(payloadProblems(e.type, e.payload), `${title}/${seed} ${e.type}`).toEqual([]);
        expect(events.map((e) => e.gameTime)).toEqual([...events.map((e) => e.gameTime)].sort((a, b) => a - b));
        expect(events[0]!.type).toBe('match.started');
        const end = events.at(-1)!;
        expect(end.type).toBe('match.ended');
        const { winner, score } = end.payload as PayloadOf<'match.ended'>;
        const teams = (events[0]!.payload as PayloadOf<'match.started'>).teams.map((t) => t.id);
        expect(winner).toBe(teams[score[0] > score[1] ? 0 : 1]);
      }
    });
  }

  for (const title of ['cs2', 'valorant'] as const) {
    it(`${title}: the score follows rounds and every player's money adds up`, () => {
      const events = play(title, 7);
      const rounds = of(events, 'round.ended');
      const teams = (events[0]!.payload as PayloadOf<'match.started'>).teams.map((t) => t.id);
      const won = [0, 0];
      for (const r of rounds) {
        won[teams.indexOf(r.winner!)]! += 1;
        expect(r.score).toEqual(won);
      }
      expect(Math.max(...won)).toBeGreaterThanOrEqual(13);
      const money = new Map<string, number>();
      for (const m of of(events, 'player.money.changed')) {
        const before = money.get(m.player.id) ?? 800;
        expect(m.money, `${m.player.id} ${m.reason}`).toBe(before + m.delta!);
        expect(m.money).toBeGreaterThanOrEqual(0);
        money.set(m.player.id, m.money);
      }
      const purchases = of(events, 'player.purchased.item');
      expect(purchases.length).toBeGreaterThan(50);
      for (const s of of(events, 'player.state')) expect(s.stats.money).toBe(money.has(s.player.id) ? s.stats.money : undefined);
      const last = new Map(of(events, 'player.state').map((s) => [s.player.id, s.stats.money]));
      for (const [id, m] of money) expect(last.get(id)).toBe(m);
    });
  }

  for (const title of ['lol', 'dota2'] as const) {
    it(`${title}: the score is kills, and team gold is the sum of its players' gold every minute`, () => {
      const events = play(title, 9);
      const teams = (events[0]!.payload as PayloadOf<'match.started'>).teams.map((t) => t.id);
      const kills = [0, 0];
      for (const k of of(events, 'player.killed.player')) kills[teams.indexOf(k.killer!.team!)]! += 1;
      expect((events.at(-1)!.payload as PayloadOf<'match.ended'>).score).toEqual(kills);
      const minutes = new Map<number, Map<string, number>>();
      for (const e of events) {
        if (e.type !== 'player.state') continue;
        const p = e.payload as PayloadOf<'player.state'>;
        const m = minutes.get(e.gameTime) ?? new Map<string, number>();
        m.set(p.player.team!, (m.get(p.player.team!) ?? 0) + p.stats.gold!);
        minutes.set(e.gameTime, m);
      }
      const teamStates = events.filter((e) => e.type === 'team.state');
      expect(teamStates.length).toBeGreaterThan(40);
      for (const e of teamStates) {
        const p = e.payload as PayloadOf<'team.state'>;
        expect(p.stats.gold).toBe(minutes.get(e.gameTime)!.get(p.team.id));
      }
    });
  }
});
