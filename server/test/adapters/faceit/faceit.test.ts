// Faceit: hand-made webhooks, a Data API match and its statistics (bo1 and bo3), written from
// Faceit's published shapes (no real capture exists); bad input; fuzzing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isParseError } from '../../../src/ingest/adapters/errors.ts';
import { faceit, type FaceitState } from '../../../src/ingest/adapters/faceit/faceit.ts';
import { countBy, ctx, expectValidDrafts, fuzz, run } from '../harness.ts';
import { draftsOf, payloads } from './helpers.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/faceit/${name}`, import.meta.url), 'utf8');
const [ready, finished, cancelled, match, bo1, bo3] = ['webhook-ready.json', 'webhook-finished.json', 'webhook-cancelled.json', 'match.json', 'stats-bo1.json', 'stats-bo3.json'].map(fixture) as [string, string, string, string, string, string];
const ID = '1-7c1e2a4b-5d3f-4e6a-9b8c-0d1e2f3a4b5c';
const TEAMS = [
  { id: 'copperline', name: 'Copperline' },
  { id: 'hollow-point', name: 'Hollow Point' },
];

function parseErrorOf(doc: unknown): string {
  try {
    faceit.parse(Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)), faceit.initialState(), ctx());
  } catch (err) {
    expect(isParseError(err), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a ParseError');
}

describe('faceit: webhooks', () => {
  it('starts the match when it is ready and ends it with winner and score when finished', () => {
    const drafts = run(faceit, [ready, finished]);
    expectValidDrafts(faceit, drafts);
    expect(drafts.map((d) => [d.type, d.matchId, d.occurredAt, d.key])).toEqual([
      ['match.started', `faceit-${ID}`, '2025-11-24T19:45:10.000Z', 'match.started'],
      ['match.ended', `faceit-${ID}`, '2025-11-24T20:31:40.000Z', 'match.ended'],
    ]);
    expect(drafts[0]!.payload).toEqual({ teams: TEAMS });
    expect(drafts[1]!.payload).toEqual({ winner: 'copperline', score: [1, 0], scoreUnit: 'maps' });
    // A finished webhook alone (the ready one lost) still starts the match, at started_at.
    expect(run(faceit, [finished]).map((d) => [d.type, d.occurredAt])).toEqual([
      ['match.started', '2025-11-24T19:47:30.000Z'],
      ['match.ended', '2025-11-24T20:31:40.000Z'],
    ]);
  });

  it('ends a cancelled match with the reason and no winner; ignores match_object_created', () => {
    expect(payloads(run(faceit, [cancelled]), 'match.ended')).toEqual([{ score: [0, 0], reason: 'cancelled' }]);
    const created = JSON.parse(ready);
    created.event = 'match_object_created';
    expect(run(faceit, [JSON.stringify(created)])).toEqual([]);
    const aborted = JSON.parse(ready);
    aborted.event = 'match_status_aborted';
    expect(payloads(run(faceit, [JSON.stringify(aborted)]), 'match.ended')).toEqual([{ score: [0, 0], reason: 'aborted' }]);
  });
});

describe('faceit: Data API documents', () => {
  it('a finished match document: start (map, best of) and result', () => {
    const drafts = run(faceit, [match]);
    expectValidDrafts(faceit, drafts);
    expect(drafts.map((d) => [d.type, d.occurredAt])).toEqual([
      ['match.started', '2025-11-24T19:47:30.000Z'],
      ['match.ended', '2025-11-24T20:31:40.000Z'],
    ]);
    expect(drafts[0]!.payload).toEqual({ teams: TEAMS, map: 'de_ancient', bestOf: 1 });
    // The finished webhook after the document says nothing new.
    expect(run(faceit, [match, ready, finished]).length).toBe(2);
  });

  it('best of 1 statistics: final lines, teams in faction order, the result refined to rounds', () => {
    const drafts = run(faceit, [match, bo1]);
    expectValidDrafts(faceit, drafts);
    expect(countBy(drafts, (d) => d.type)).toEqual({ 'match.started': 1, 'match.ended': 2, 'player.state': 10, 'team.state': 2 });
    expect(new Set(drafts.map((d) => d.matchId))).toEqual(new Set([`faceit-${ID}`]));
    // Statistics alone (no document seen) start the match themselves, under the same key.
    expect(draftsOf(run(faceit, [bo1]), 'match.started').map((d) => [d.key, d.payload])).toEqual([['match.started', { teams: TEAMS.slice().reverse(), map: 'de_ancient', mode: '5v5' }]]);
    const ended = draftsOf(drafts, 'match.ended').at(-1)!;
    expect([ended.key, ended.payload, ended.occurredAt]).toEqual(['match.ended.rounds', { winner: 'copperline', score: [16, 13] }, '2025-11-24T20:31:40.000Z']);
    expect(payloads(drafts, 'team.state')).toEqual([
      { team: TEAMS[0], stats: { score: 16, kills: 83 } },
      { team: TEAMS[1], stats: { score: 13, kills: 76 } },
    ]);
    const brisk = payloads(drafts, 'player.state').find((p) => p.player.name === 'brisk')!;
    expect(brisk).toEqual({ player: { id: 'a0e4c2f1-7d3a-4b8e-9c6f-100000000000', name: 'brisk', team: 'copperline' }, stats: { kills: 24, deaths: 14, assists: 5, headshots: 13, mvps: 4, damage: 2790 } });
  });

  it("cross-check: each team's kills = the other team's deaths; Final Scores = the map's Score", () => {
    const doc = JSON.parse(bo1) as { rounds: { round_stats: { Score: string }; teams: { players: { player_stats: Record<string, string> }[] }[] }[] };
    const states = payloads(run(faceit, [bo1]), 'player.state');
    const sum = (team: string, k: string) => states.filter((p) => p.player.team === team).reduce((a, p) => a + ((p.stats as Record<string, number>)[k] ?? 0), 0);
    expect([sum('copperline', 'kills'), sum('hollow-point', 'deaths')]).toEqual([83, 83]);
    expect([sum('hollow-point', 'kills'), sum('copperline', 'deaths')]).toEqual([76, 76]);
    const score = payloads(run(faceit, [bo1]), 'match.ended')[0]!.score;
    expect(doc.rounds[0]!.round_stats.Score.split(' / ').map(Number).sort()).toEqual([...score].sort());
  });

  it('best of 3 statistics: one match per map, faceit-<id>-<n>, grouped by seriesId', () => {
    const drafts = run(faceit, [bo3]);
    expectValidDrafts(faceit, drafts);
    expect([...new Set(drafts.map((d) => `${d.matchId} ${d.seriesId}`))]).toEqual([`faceit-${ID}-1 faceit-${ID}`, `faceit-${ID}-2 faceit-${ID}`]);
    expect(draftsOf(drafts, 'match.started').map((d) => d.payload.map)).toEqual(['de_nuke', 'de_inferno']);
    expect(draftsOf(drafts, 'match.ended').map((d) => [d.key, d.payload])).toEqual([
      ['match.ended', { winner: 'copperline', score: [13, 9] }],
      ['match.ended', { winner: 'copperline', score: [13, 11] }],
    ]);
  });

  it('keeps state small and serialisable, remembering at most 64 matches', () => {
    let state: FaceitState = faceit.initialState();
    for (let i = 0; i < 70; i++) state = faceit.parse(Buffer.from(ready.replaceAll(ID, `1-${i}`)), state, ctx()).state;
    expect(Object.keys(state.matches).length).toBe(64);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});

describe('faceit: bad input', () => {
  it('rejects other games and unknown documents, saying why', () => {
    const valorant = JSON.parse(match);
    valorant.game = 'valorant';
    expect(parseErrorOf(valorant)).toMatch(/game "valorant" is not supported.*\/game/);
    const hook = JSON.parse(ready);
    hook.payload.game = 'dota2';
    expect(parseErrorOf(hook)).toMatch(/game "dota2" is not supported.*\/payload\/game/);
    expect(parseErrorOf({ hello: 'world' })).toMatch(/not a Faceit webhook/);
    expect(parseErrorOf('[]')).toMatch(/expected a JSON object/);
    expect(parseErrorOf({ event: 'match_status_ready', payload: { id: 'has space', game: 'cs2' } })).toMatch(/match id must be.*\/payload\/id/);
    expect(parseErrorOf({ rounds: [] })).toMatch(/no statistics yet/);
    expect(parseErrorOf({ rounds: [{ match_id: ID, game_id: 'cs2', teams: [{}] }] })).toMatch(/expected two teams.*\/rounds\/0\/teams/);
    expect(parseErrorOf({ event: 'match_status_ready', payload: { id: ID, teams: [{ name: 'solo' }] } })).toMatch(/expected two teams.*\/payload\/teams/);
  });

  it('fuzz: valid drafts or a ParseError', () => {
    fuzz(faceit, [ready, finished, match, bo1, bo3], { runs: 100 });
  });
});
