// get5 and MatchZy on our own fixtures: a get5 wingman Bo1 (veto, flashes, HE, kills with every flag,
// bomb, pause, suicide, three rounds, map and series result) and a MatchZy Bo3 (map 1 result, map 2
// played with MatchZy's own quirks: integer matchid, side "2"/"3", winner.team naming the leading team).
import { describe, expect, it } from 'vitest';
import { get5, matchzy, MAPPED_EVENTS, REMEMBERED_EVENTS, UNMAPPED_EVENTS } from '../../../src/ingest/adapters/cs2/webhook.ts';
import { isParseError } from '../../../src/ingest/adapters/errors.ts';
import type { Adapter } from '../../../src/ingest/adapters/types.ts';
import { ctx, expectValidDrafts, fuzz, run } from '../harness.ts';
import { bodies, fixture, payloads, story } from './helpers.ts';

type P = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test payload surgery

const g5 = fixture('get5/wingman-bo1.json') as P[];
const mz = fixture('matchzy/bo3-map2.json') as P[];
const KAITO = '76561198100000001';
const MIRELA = '76561198100000011';

function parseError(adapter: Adapter, body: unknown): string {
  try {
    adapter.parse(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), adapter.initialState(), ctx());
  } catch (err) {
    expect(isParseError(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a ParseError');
}

describe('get5: a wingman Bo1', () => {
  const drafts = run(get5, bodies(g5));

  it('emits valid drafts with unique keys, in match get5-<matchid>-<map_number> of series get5-<matchid>', () => {
    expectValidDrafts(get5, drafts);
    expect(new Set(drafts.map((d) => `${d.matchId} ${d.seriesId}`))).toEqual(new Set(['get5-cup-2611-0 get5-cup-2611']));
    expect(drafts.every((d) => d.occurredAt === ctx().receivedAt && d.gameTime === undefined)).toBe(true);
  });

  it('tells the story in order; veto, stats signals, MVP, series end and demo events emit nothing', () => {
    expect(story(drafts)).toEqual([
      'player.connected', 'match.started', 'round.started',
      'player.threw.grenade', 'player.blinded.player', 'player.blinded.player', 'player.killed.player', 'bomb.planted',
      'player.damaged.player', 'player.damaged.player', 'player.killed.player', 'player.killed.player', 'bomb.defused', 'round.ended',
      'match.paused', 'match.resumed', 'round.started',
      'player.killed.player', 'player.killed.player', 'player.killed.player', 'round.ended',
      'round.started', 'player.killed.player', 'player.killed.player', 'round.ended', 'match.ended',
    ]);
  });

  it('starts the map with the teams of series_start, the side picked and the map picked', () => {
    expect(payloads(drafts, 'match.started')).toEqual([
      { teams: [{ id: 'northwind', name: 'Northwind', side: 'ct' }, { id: 'ember-fox', name: 'Ember Fox', side: 't' }], map: 'de_nuke', bestOf: 1, extra: { mapNumber: 0 } },
    ]);
  });

  it('maps player_death with every flag, the assist and the teams', () => {
    const kills = payloads(drafts, 'player.killed.player');
    expect(kills[0]).toEqual({
      killer: { id: KAITO, name: 'kaito', team: 'northwind', side: 'ct' },
      victim: { id: MIRELA, name: 'mirela', team: 'ember-fox', side: 't' },
      assisters: [{ id: '76561198100000002', name: 'rusk', team: 'northwind', side: 'ct' }],
      weapon: 'm4a1_silencer',
      headshot: true,
      penetrated: false,
      throughSmoke: false,
      noScope: false,
      attackerBlind: false,
      teamKill: false,
      suicide: false,
      extra: { flashAssist: true, assistFriendlyFire: false, bomb: false, roundTimeMs: 11250, weaponId: 60 },
    });
    expect(kills.map((k) => [k.killer?.name, k.victim.name, k.weapon])).toEqual([
      ['kaito', 'mirela', 'm4a1_silencer'], ['bran', 'rusk', 'ak47'], ['kaito', 'bran', 'm4a1_silencer'],
      [undefined, 'mirela', 'hegrenade'], ['bran', 'kaito', 'awp'], ['bran', 'rusk', 'awp'],
      ['kaito', 'bran', 'ak47'], ['rusk', 'mirela', 'galilar'],
    ]);
    expect(kills[3]).toMatchObject({ suicide: true, victim: { name: 'mirela' } });
    expect(kills[3]!.killer).toBeUndefined();
    expect(kills[1]!.throughSmoke).toBe(true);
    expect(kills[2]).toMatchObject({ penetrated: true, attackerBlind: true });
    expect(kills[4]!.noScope).toBe(true);
  });

  it('maps flashes, HE damage and the bomb', () => {
    expect(payloads(drafts, 'player.blinded.player').map((b) => [b.attacker.name, b.victim.name, b.durationMs])).toEqual([['rusk', 'mirela', 2350], ['rusk', 'kaito', 800]]);
    expect(payloads(drafts, 'player.damaged.player').map((d) => [d.attacker?.name, d.victim.name, d.weapon, d.damage])).toEqual([['bran', 'rusk', 'hegrenade', 57], ['bran', 'kaito', 'hegrenade', 12]]);
    expect(payloads(drafts, 'bomb.planted')).toEqual([{ player: { id: '76561198100000012', name: 'bran', team: 'ember-fox', side: 't' }, site: 'b' }]);
    expect(payloads(drafts, 'bomb.defused')).toEqual([{ player: { id: KAITO, name: 'kaito', team: 'northwind', side: 'ct' }, site: 'b' }]);
  });

  it('ends rounds with winner, side, score and reason (SourceMod reason codes), then the map', () => {
    expect(payloads(drafts, 'round.ended').map((r) => [r.round, r.winner, r.winnerSide, r.score, r.reason])).toEqual([
      [1, 'northwind', 'ct', [1, 0], 'defuse'],
      [2, 'ember-fox', 'ct', [1, 1], 'elimination'],
      [3, 'northwind', 't', [2, 1], 'elimination'],
    ]);
    expect(payloads(drafts, 'match.ended')).toEqual([{ winner: 'northwind', score: [2, 1], extra: { seriesScore: [1, 0], mapNumber: 0 } }]);
    expect(payloads(drafts, 'match.paused')).toEqual([{ reason: 'tactical', team: 'ember-fox' }]);
  });

  it('cross-checks its own fixture: kill events add up to the final scoreboard', () => {
    const kills = payloads(drafts, 'player.killed.player');
    const final = drafts.filter((d) => d.key.startsWith('state:final:') && d.type === 'player.state').map((d) => d.payload as { stats: { kills: number; deaths: number } });
    expect(kills.filter((k) => k.killer).length).toBe(7);
    expect(final.reduce((n, p) => n + p.stats.kills, 0)).toBe(7);
    expect(final.reduce((n, p) => n + p.stats.deaths, 0)).toBe(kills.length);
  });

  it('makes a re-sent identical body a duplicate (same key, same payload)', () => {
    const twice = run(get5, bodies(g5).flatMap((b) => [b, b]));
    const firstByKey = new Map<string, unknown>();
    for (const d of twice) if (!firstByKey.has(d.key)) firstByKey.set(d.key, d.payload);
    expect([...firstByKey.keys()]).toEqual(drafts.map((d) => d.key));
    expect([...firstByKey.values()]).toEqual(drafts.map((d) => d.payload));
  });

  it('keeps team ids stable for the match when series_start was missed', () => {
    const d = run(get5, bodies(g5.slice(1)));
    expectValidDrafts(get5, d);
    expect(payloads(d, 'match.started')[0]!.teams.map((t) => t.id)).toEqual(['team1', 'team2']);
    expect(payloads(d, 'round.ended').map((r) => r.winner)).toEqual(['team1', 'team2', 'team1']);
    expect(payloads(d, 'team.state')[0]!.team).toEqual({ id: 'team1', name: 'Northwind', side: 'ct' });
  });

  it('gives replayed rounds after a backup restore new keys', () => {
    const roundEnd2 = g5.findIndex((b) => b.event === 'round_end' && b.round_number === 1);
    const replay = g5.slice(20, roundEnd2 + 1); // round_start 1 … round_end 1
    const restore = { event: 'backup_loaded', matchid: 'cup-2611', map_number: 0, round_number: 1, filename: 'get5_backup_match_cup-2611_map0_round1.cfg' };
    const d = run(get5, bodies([...g5.slice(0, roundEnd2 + 1), restore, restore, ...replay]));
    expectValidDrafts(get5, d);
    const ends = d.filter((x) => x.type === 'round.ended');
    expect(ends.map((x) => x.key)).toEqual(['round.ended:1', 'round.ended:2', 'e1:round.ended:2']);
  });

  it('reads the get5 ≤ 0.12 shape: team names in series_start, scores as team1_score', () => {
    const old = [
      { event: 'series_start', matchid: '88', team1_name: 'Northwind', team2_name: 'Ember Fox' },
      { event: 'going_live', matchid: '88', map_number: 0 },
      { event: 'round_end', matchid: '88', map_number: 0, round_number: 0, round_time: 52000, reason: 8, winner: { side: 't', team: 'team2' }, team1_score: 0, team2_score: 1 },
      { event: 'map_result', matchid: '88', map_number: 0, team1_score: 13, team2_score: 16, winner: { side: 'ct', team: 'team2' } },
    ];
    const d = run(get5, bodies(old));
    expectValidDrafts(get5, d);
    expect(payloads(d, 'round.ended')).toEqual([{ round: 1, winner: 'ember-fox', winnerSide: 't', score: [0, 1], reason: 'elimination', extra: { reasonCode: 8, roundTimeMs: 52000 } }]);
    expect(payloads(d, 'match.ended')).toEqual([{ winner: 'ember-fox', score: [13, 16], extra: { mapNumber: 0 } }]);
  });

  it('rejects malformed bodies with the field at fault, and ignores events it does not map', () => {
    expect(parseError(get5, '{"event": "round_end",')).toMatch(/get5: not valid JSON/);
    expect(parseError(get5, { matchid: '1' })).toMatch(/missing "event".*\(at \/event\)/);
    expect(parseError(get5, { ...g5[15], matchid: undefined })).toMatch(/round_end without matchid/);
    expect(parseError(get5, { ...g5[15], team1: 'Northwind' })).toMatch(/expected an object \(at \/team1\)/);
    expect(parseError(get5, { ...g5[9], player: undefined })).toMatch(/\(at \/player\)/);
    expect(parseError(get5, { ...g5[6], round_number: -1 })).toMatch(/non-negative integer.*\(at \/round_number\)/);
    expect(parseError(get5, { ...g5[5], map_number: 99 })).toMatch(/beyond a Bo9/);
    expect(parseError(get5, { ...g5[5], matchid: { id: 1 } })).toMatch(/matchid must be a string or a number/);
    expect(parseError(get5, { ...g5[15], team1: { ...g5[15]!.team1, score: 'one' } })).toMatch(/\(at \/team1\/score\)/);
    expect(run(get5, bodies([{ event: 'player_connect', player: { steamid: KAITO, name: 'kaito' } }, { event: 'some_future_event', matchid: '1' }]))).toEqual([]);
  });

  it('survives fuzzing', () => {
    fuzz(get5, bodies(g5), { runs: 150 });
  });
});

describe('matchzy: a Bo3, map 2 played', () => {
  const drafts = run(matchzy, bodies(mz));

  it('emits valid drafts with unique keys, one match per map, one series', () => {
    expectValidDrafts(matchzy, drafts);
    expect([...new Set(drafts.map((d) => d.matchId))]).toEqual(['matchzy-3107-0', 'matchzy-3107-1']);
    expect(new Set(drafts.map((d) => d.seriesId))).toEqual(new Set(['matchzy-3107']));
  });

  it('ends map 1 from its map_result with the series score', () => {
    const first = drafts.filter((d) => d.matchId === 'matchzy-3107-0');
    expect(story(first)).toEqual(['match.ended']);
    expect(payloads(first, 'match.ended')).toEqual([{ winner: 'saltmarsh', score: [9, 13], extra: { seriesScore: [0, 1], mapNumber: 0 } }]);
  });

  it('starts map 2 with the veto sides and map, Bo3', () => {
    expect(payloads(drafts, 'match.started')).toEqual([
      { teams: [{ id: 'copper-lynx', name: 'Copper Lynx', side: 'ct' }, { id: 'saltmarsh', name: 'Saltmarsh', side: 't' }], map: 'de_anubis', bestOf: 3, extra: { mapNumber: 1 } },
    ]);
  });

  it('names each round winner by the score that moved (MatchZy winner.team names the leading team), engine reason codes', () => {
    expect(payloads(drafts, 'round.ended').map((r) => [r.round, r.winner, r.winnerSide, r.score, r.reason])).toEqual([
      [1, 'copper-lynx', 'ct', [1, 0], 'elimination'],
      [2, 'saltmarsh', 't', [1, 1], 'bomb'],
      [3, 'saltmarsh', 'ct', [1, 2], 'elimination'],
      [4, 'copper-lynx', 't', [2, 2], 'elimination'], // the body says winner.team "team2"
      [5, 'copper-lynx', 't', [3, 2], 'bomb'],
    ]);
    const last = drafts.filter((d) => d.matchId === 'matchzy-3107-1' && d.type === 'match.ended');
    expect(last.map((d) => d.payload)).toEqual([{ winner: 'copper-lynx', score: [3, 2], extra: { seriesScore: [1, 1], mapNumber: 1 } }]);
  });

  it('reads MatchZy player_death: numeric penetrated, teams from the veto sides in round 1', () => {
    expect(payloads(drafts, 'player.killed.player')).toEqual([
      {
        killer: { id: '76561198200000001', name: 'quill', team: 'copper-lynx', side: 'ct' },
        victim: { id: '76561198200000012', name: 'dunlin', team: 'saltmarsh', side: 't' },
        weapon: 'm4a1', headshot: true, penetrated: true, throughSmoke: false, noScope: false, attackerBlind: false, teamKill: false, suicide: false,
        extra: { bomb: false, roundTimeMs: 14200, weaponId: 16 },
      },
    ]);
  });

  it('emits per-player and per-team state at each round end, on the players listed', () => {
    expect(drafts.filter((d) => d.matchId === 'matchzy-3107-1' && d.type === 'player.state')).toHaveLength(4 * 6);
    expect(drafts.filter((d) => d.matchId === 'matchzy-3107-1' && d.type === 'team.state')).toHaveLength(2 * 6);
  });

  it('keeps two teams with the same name apart', () => {
    const same = [{ event: 'series_start', matchid: 5, num_maps: 1, team1: { name: 'Mix' }, team2: { name: 'mix' } }, { event: 'going_live', matchid: 5, map_number: 0 }];
    expect(payloads(run(matchzy, bodies(same)), 'match.started')[0]!.teams.map((t) => t.id)).toEqual(['mix-team1', 'mix-team2']);
  });

  it('survives fuzzing', () => {
    fuzz(matchzy, bodies(mz), { runs: 150 });
  });
});

describe('get5 / MatchZy event lists', () => {
  it('splits every known event into mapped, remembered and deliberately unmapped, without overlap', () => {
    const all = [...MAPPED_EVENTS, ...REMEMBERED_EVENTS, ...UNMAPPED_EVENTS];
    expect(new Set(all).size).toBe(all.length);
    expect([...REMEMBERED_EVENTS].sort()).toEqual(['backup_loaded', 'knife_won', 'map_picked', 'series_start', 'side_picked']);
  });
});
