// Dota 2 GSI: a hand-made spectated 2v2 from hero selection to the ancient, a player's own view, a
// game without a match id, bad input, fuzzing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dota2Gsi, type GsiState } from '../../../src/ingest/adapters/dota2/gsi.ts';
import { isParseError } from '../../../src/ingest/adapters/errors.ts';
import { countBy, ctx, expectValidDrafts, fuzz, run } from '../harness.ts';
import { draftsOf, payloads } from './helpers.ts';

const fixture = (name: string) => new URL(`../../fixtures/dota2-gsi/${name}`, import.meta.url);
const sequence = (name: string): string[] => (JSON.parse(readFileSync(fixture(name), 'utf8')) as unknown[]).map((p) => JSON.stringify(p));
const spectating = sequence('spectating-match.json');

function parseErrorOf(payload: string | object): string {
  try {
    dota2Gsi.parse(Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), dota2Gsi.initialState(), ctx());
  } catch (err) {
    expect(isParseError(err), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a ParseError');
}

describe('dota2-gsi: spectated match', () => {
  const drafts = run(dota2Gsi, spectating);

  it('emits valid drafts with unique keys, all in match dota2-<matchid>', () => {
    expectValidDrafts(dota2Gsi, drafts);
    expect(new Set(drafts.map((d) => d.matchId))).toEqual(new Set(['dota2-7412005566']));
    expect(countBy(drafts, (d) => d.type)).toEqual({
      'draft.banned': 2,
      'draft.picked': 4,
      'match.started': 1,
      'player.killed.player': 3,
      'objective.taken': 3,
      'score.changed': 2,
      'player.state': 16,
      'team.state': 8,
      'match.ended': 1,
    });
  });

  it('derives the draft from new pick and ban slots', () => {
    expect(payloads(drafts, 'draft.banned')).toEqual([
      { team: 'radiant', character: 'Dawnbreaker', characterId: '135' },
      { team: 'dire', character: 'Skywrath Mage', characterId: '101' },
    ]);
    expect(payloads(drafts, 'draft.picked').map((p) => `${p.team}:${p.character}`)).toEqual(['radiant:Juggernaut', 'radiant:Lion', 'dire:Invoker', 'dire:Axe']);
  });

  it('starts the match at PRE_GAME once the players are known', () => {
    const started = drafts.find((d) => d.type === 'match.started')!;
    expect(started.payload).toEqual({ teams: [{ id: 'radiant', name: 'Radiant' }, { id: 'dire', name: 'Dire' }] });
    expect(started.occurredAt).toBe('2025-11-24T16:01:00.000Z');
  });

  it('turns kill-list increments into kills with killer, victim and heroes', () => {
    const kills = draftsOf(drafts, 'player.killed.player');
    expect(kills.map((d) => [d.gameTime, d.payload.killer?.name, d.payload.killer?.character, d.payload.victim.name, d.payload.victim.character])).toEqual([
      [95_000, 'Kestrel', 'Juggernaut', 'Vantablack', 'Invoker'],
      [1_500_000, 'Morrow', 'Lion', 'Oddjob', 'Axe'],
      [1_500_000, 'Oddjob', 'Axe', 'Kestrel', 'Juggernaut'],
    ]);
    expect(kills[0]!.payload.killer).toEqual({ id: '39734373', name: 'Kestrel', team: 'radiant', side: 'radiant', character: 'Juggernaut' });
    expect(kills.map((k) => k.payload.firstBlood ?? false)).toEqual([true, false, false]);
  });

  it('credits buildings that disappear or drop to 0 health, and Roshan from events', () => {
    expect(drafts.filter((d) => d.type === 'objective.taken').map((d) => [d.gameTime, d.payload])).toEqual([
      [130_000, { team: 'radiant', objective: 'tower', subtype: 'tower1_mid' }],
      [1_495_000, { team: 'radiant', objective: 'roshan', player: { id: '39734373', name: 'Kestrel', team: 'radiant', side: 'radiant', character: 'Juggernaut' } }],
      [1_620_000, { team: 'radiant', objective: 'ancient', subtype: 'ancient' }],
    ]);
  });

  it('reports score changes and the result', () => {
    expect(payloads(drafts, 'score.changed')).toEqual([{ score: [1, 0] }, { score: [2, 1] }]);
    const ended = drafts.at(-1)!;
    expect(ended.type).toBe('match.ended');
    expect(ended.payload).toEqual({ winner: 'radiant', score: [2, 1], durationMs: 1_620_000 });
  });

  it('snapshots players when their K/D/A or level changes, each minute and at the end — not every payload', () => {
    const last = payloads(drafts, 'player.state')
      .filter((p) => p.player.name === 'Kestrel')
      .at(-1)!;
    expect(last.stats).toMatchObject({ kills: 1, deaths: 1, lastHits: 196, netWorth: 13100, level: 16 });
    expect(last.items).toEqual(['quelling_blade', 'tango', 'phase_boots']);
    const teams = payloads(drafts, 'team.state').slice(-2);
    expect(teams).toEqual([
      { team: { id: 'radiant', name: 'Radiant' }, stats: { kills: 2, gold: 19500 } },
      { team: { id: 'dire', name: 'Dire' }, stats: { kills: 1, gold: 19000 } },
    ]);
  });

  it('emits nothing for a re-sent identical state, and the same keys when a payload is replayed on the same state', () => {
    let state: GsiState = dota2Gsi.initialState();
    for (const p of spectating.slice(0, 4)) state = dota2Gsi.parse(Buffer.from(p), state, ctx()).state;
    expect(dota2Gsi.parse(Buffer.from(spectating[4]!), state, ctx()).drafts).toEqual([]);
    const a = dota2Gsi.parse(Buffer.from(spectating[5]!), state, ctx()).drafts.map((d) => d.key);
    const b = dota2Gsi.parse(Buffer.from(spectating[5]!), state, ctx()).drafts.map((d) => d.key);
    expect(a).toEqual(b);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('reports only state for the first payload seen (joined mid-game)', () => {
    const mid = run(dota2Gsi, [spectating[6]!]);
    expect(countBy(mid, (d) => d.type)).toEqual({ 'match.started': 1, 'objective.taken': 1, 'score.changed': 1, 'player.state': 4, 'team.state': 2 });
    // Roshan comes from the payload's events list, not from a difference: it is reported.
    expect(mid.find((d) => d.type === 'objective.taken')!.payload).toMatchObject({ objective: 'roshan' });
    expect(mid.find((d) => d.type === 'match.started')).toMatchObject({ occurredAt: '2025-11-24T16:02:00.000Z', gameTime: 0 });
  });

  it('starts over when the stream moves to another match', () => {
    const other = JSON.parse(spectating[6]!);
    other.map.matchid = '7412005599';
    const drafts2 = run(dota2Gsi, [spectating[3]!, JSON.stringify(other)]);
    expect(drafts2.filter((d) => d.type === 'match.started').map((d) => d.matchId)).toEqual(['dota2-7412005566', 'dota2-7412005599']);
    expect(drafts2.filter((d) => d.matchId === 'dota2-7412005599' && d.type === 'player.killed.player')).toEqual([]);
  });
});

describe('dota2-gsi: playing and games without a match id', () => {
  it("reports the local player's state and the score; ignores menu heartbeats", () => {
    const drafts = run(dota2Gsi, sequence('playing-match.json'));
    expectValidDrafts(dota2Gsi, drafts);
    expect(drafts.map((d) => d.type)).toEqual(['match.started', 'score.changed', 'player.state', 'score.changed', 'player.state']);
    const last = payloads(drafts, 'player.state').at(-1)!;
    expect(last.player).toEqual({ id: '39734777', name: 'Quillon', team: 'dire', side: 'dire', character: 'Storm Spirit' });
    expect(last.stats).toMatchObject({ kills: 1, assists: 1, lastHits: 25, gold: 800, level: 5 });
  });

  it('names a game without a match id after the stream and its start time, and keeps that name', () => {
    const demo = JSON.parse(readFileSync(fixture('demo-no-matchid.json'), 'utf8'));
    const later = { ...demo, provider: { ...demo.provider, timestamp: demo.provider.timestamp + 60 }, map: { ...demo.map, game_time: 90, clock_time: 90 } };
    const drafts = run(dota2Gsi, [JSON.stringify(demo), JSON.stringify(later)], ctx({ streamId: 'Lan Booth 3' }));
    expect(new Set(drafts.map((d) => d.matchId))).toEqual(new Set(['dota2-lan-booth-3-20251124182930']));
  });
});

describe('dota2-gsi: bad input', () => {
  it('rejects what is not a GSI state, saying why', () => {
    expect(parseErrorOf('{"map": ')).toMatch(/dota2-gsi: not valid JSON/);
    expect(parseErrorOf('[1,2]')).toMatch(/expected a JSON object/);
    expect(parseErrorOf({ map: { matchid: 'string', game_state: 'DOTA_GAMERULES_STATE_GAME_IN_PROGRESS' } })).toMatch(/numeric Dota match id.*\/map\/matchid/);
    expect(parseErrorOf({ provider: { appid: 730 }, map: { matchid: '1' } })).toMatch(/appid is 730, not Dota 2/);
    expect(parseErrorOf({ map: { matchid: '0', game_time: 10 } })).toMatch(/provider.timestamp is absent/);
  });

  it('says nothing, without error, outside a game (no map section)', () => {
    expect(dota2Gsi.parse(Buffer.from('{"provider":{"appid":570},"player":{"activity":"menu"}}'), dota2Gsi.initialState(), ctx()).drafts).toEqual([]);
  });

  it('tolerates placeholder values (e.g. "string" where a number belongs) by ignoring them', () => {
    const p = JSON.parse(spectating[6]!);
    p.map.radiant_score = 'string';
    p.player.team2.player0.kills = 'string';
    p.hero.team2.player0.level = 'string';
    const drafts = run(dota2Gsi, [spectating[5]!, JSON.stringify(p)]);
    expectValidDrafts(dota2Gsi, drafts);
  });
});

describe('dota2-gsi: fuzz', () => {
  it('returns valid drafts or a ParseError, with bounded state, on mutated payloads', () => {
    fuzz(dota2Gsi, [...spectating.slice(2, 8), ...sequence('playing-match.json')], { runs: 150 });
  });
});
