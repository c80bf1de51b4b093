// Valorant VAL-MATCH-V1: a hand-made four-round custom game on Ascent (no real capture exists), with
// the totals cross-checked against the document's own scoreboard, bad input and fuzzing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isParseError } from '../../../src/ingest/adapters/errors.ts';
import { attackers, valorantMatch } from '../../../src/ingest/adapters/valorant/match.ts';
import { countBy, ctx, expectValidDrafts, fuzz, run } from '../harness.ts';
import { draftsOf, payloads } from './helpers.ts';

const raw = readFileSync(new URL('../../fixtures/valorant-match/match-ascent.json', import.meta.url), 'utf8');
type Doc = {
  matchInfo: Record<string, unknown>;
  players: { puuid: string; gameName: string; teamId: string; stats: { kills: number; deaths: number; assists: number; score: number } }[];
  teams: { teamId: string; roundsWon: number; won: boolean }[];
  roundResults: Record<string, unknown>[];
};
const doc = (): Doc => JSON.parse(raw) as Doc;
const puuidOf = (name: string) => doc().players.find((p) => p.gameName === name)!.puuid;

function parseErrorOf(d: unknown): string {
  try {
    valorantMatch.parse(Buffer.from(typeof d === 'string' ? d : JSON.stringify(d)), valorantMatch.initialState(), ctx());
  } catch (err) {
    expect(isParseError(err), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a ParseError');
}

describe('valorant-match: hand-made match', () => {
  const drafts = run(valorantMatch, [raw]);

  it('replays the match round by round as valid drafts in time order', () => {
    expectValidDrafts(valorantMatch, drafts);
    expect(new Set(drafts.map((d) => d.matchId))).toEqual(new Set(['val-5f2c7e3a-90b1-4c8e-a6f2-3d1e9b7c4a10']));
    expect(countBy(drafts, (d) => d.type)).toEqual({
      'match.started': 1,
      'round.started': 4,
      'player.killed.player': 26,
      'bomb.planted': 3,
      'bomb.defused': 1,
      'bomb.exploded': 1,
      'round.ended': 4,
      'player.state': 40,
      'team.state': 8,
      'match.ended': 1,
    });
    const times = drafts.map((d) => d.gameTime!);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('starts with Red attacking, the map by name and the custom game', () => {
    expect(drafts[0]).toMatchObject({ type: 'match.started', occurredAt: '2025-11-24T17:00:00.000Z', gameTime: 0 });
    expect(drafts[0]!.payload).toEqual({
      teams: [
        { id: 'red', name: 'Red', side: 'attack' },
        { id: 'blue', name: 'Blue', side: 'defense' },
      ],
      map: 'Ascent',
      mode: 'scrim-bo4',
      extra: { isRanked: false, seasonId: '0df5adb9-4dcb-6899-1306-3e9860661dd3', customGameName: 'scrim-bo4' },
    });
  });

  it('ends rounds with winner, side, running score and reason', () => {
    expect(payloads(drafts, 'round.ended')).toEqual([
      { round: 1, winner: 'red', winnerSide: 'attack', score: [1, 0], reason: 'elimination', extra: { result: 'Eliminated', ceremony: 'CeremonyDefault' } },
      { round: 2, winner: 'blue', winnerSide: 'defense', score: [1, 1], reason: 'spike_defused', extra: { result: 'Bomb defused', ceremony: 'CeremonyDefault' } },
      { round: 3, winner: 'red', winnerSide: 'attack', score: [2, 1], reason: 'spike_detonated', extra: { result: 'Bomb detonated', ceremony: 'CeremonyClutch' } },
      { round: 4, winner: 'red', winnerSide: 'attack', score: [3, 1], reason: 'elimination', extra: { result: 'Eliminated', ceremony: 'CeremonyAce' } },
    ]);
    expect(draftsOf(drafts, 'round.started').map((d) => d.gameTime)).toEqual([45_000, 175_000, 305_000, 435_000]);
  });

  it('reports kills with killer, victim, agents, weapon (gun, ability), assisters, positions and first blood — never headshot', () => {
    const kills = draftsOf(drafts, 'player.killed.player');
    const first = kills[0]!;
    expect(first.gameTime).toBe(66_000);
    expect(first.payload).toMatchObject({
      killer: { id: puuidOf('Saffron'), name: 'Saffron#EUW', team: 'red', side: 'attack', character: 'Jett' },
      victim: { id: puuidOf('Driftwood'), name: 'Driftwood#NA1', team: 'blue', side: 'defense', character: 'Raze' },
      weapon: 'Ghost',
      firstBlood: true,
      extra: { damageType: 'Weapon', secondaryFire: false },
    });
    expect(first.payload.killerPosition).toEqual(expect.objectContaining({ x: expect.any(Number), y: expect.any(Number) }));
    expect(kills.some((k) => 'headshot' in k.payload)).toBe(false);
    const ult = kills.find((k) => k.payload.weapon === 'Viper Ultimate')!;
    expect([ult.payload.killer?.name, ult.payload.victim.name, ult.payload.assisters?.map((a) => a.name)]).toEqual(['Cobalt#NA1', 'Pylon#7781', ['Halcyon#5150']]);
    expect(kills.filter((k) => k.payload.firstBlood).length).toBe(4);
  });

  it('reports the spike: planter and site, defuser, detonation 45 s after the plant', () => {
    expect(draftsOf(drafts, 'bomb.planted').map((d) => [d.gameTime, d.payload.player?.name, d.payload.site])).toEqual([
      [97_000, 'Tamarind#0042', 'A'],
      [236_000, 'Pylon#7781', 'B'],
      [353_000, 'Saffron#EUW', 'A'],
    ]);
    expect(draftsOf(drafts, 'bomb.defused').map((d) => [d.gameTime, d.payload.player?.name, d.payload.site])).toEqual([[263_000, 'Lumen#2048', 'B']]);
    expect(draftsOf(drafts, 'bomb.exploded').map((d) => [d.gameTime, d.payload.site])).toEqual([[398_000, 'A']]);
  });

  it('snapshots economy and running stats per round', () => {
    const saffron = payloads(drafts, 'player.state').filter((p) => p.player.name === 'Saffron#EUW');
    expect(saffron.map((p) => [p.stats.kills, p.stats.deaths, p.stats.money, p.stats.equipmentValue, p.items])).toEqual([
      [3, 0, 300, 500, ['Ghost']],
      [4, 1, 2450, 1600, ['Sheriff', 'Light Shields']],
      [7, 1, 600, 3900, ['Vandal', 'Heavy Shields']],
      [12, 1, 1100, 5700, ['Operator', 'Heavy Shields']],
    ]);
    expect(payloads(drafts, 'team.state').slice(-2)).toEqual([
      { team: { id: 'red', name: 'Red', side: 'attack' }, stats: { score: 3, kills: 15, money: 5500, equipmentValue: 28500, alive: 5 } },
      { team: { id: 'blue', name: 'Blue', side: 'defense' }, stats: { score: 1, kills: 11, money: 750, equipmentValue: 6750, alive: 0 } },
    ]);
  });

  it("cross-check: kill events = players' stats.kills (26), per player too; rounds won = teams[].roundsWon (3–1)", () => {
    const d = doc();
    const kills = payloads(drafts, 'player.killed.player');
    expect([kills.length, d.players.reduce((a, p) => a + p.stats.kills, 0)]).toEqual([26, 26]);
    for (const p of d.players) expect([p.gameName, kills.filter((k) => k.killer?.id === p.puuid).length]).toEqual([p.gameName, p.stats.kills]);
    const last = payloads(drafts, 'player.state').slice(-10);
    for (const p of d.players) expect(last.find((s) => s.player.id === p.puuid)!.stats).toMatchObject({ deaths: p.stats.deaths, assists: p.stats.assists, score: p.stats.score });
    const ended = payloads(drafts, 'match.ended')[0]!;
    expect([ended.score, d.teams.map((t) => t.roundsWon)]).toEqual([[3, 1], [3, 1]]);
    expect(ended).toEqual({ winner: 'red', score: [3, 1], durationMs: 565_000 });
  });

  it('swaps sides at the half and every overtime round', () => {
    expect([1, 12, 13, 24, 25, 26, 27].map(attackers)).toEqual(['red', 'red', 'blue', 'blue', 'red', 'blue', 'red']);
  });

  it('says nothing about the result of an unfinished match, and gives a surrender as the reason', () => {
    const unfinished = doc();
    unfinished.matchInfo.isCompleted = false;
    expect(run(valorantMatch, [JSON.stringify(unfinished)]).some((x) => x.type === 'match.ended')).toBe(false);
    const surrendered = doc();
    surrendered.roundResults.at(-1)!.roundResultCode = 'Surrendered';
    expect(payloads(run(valorantMatch, [JSON.stringify(surrendered)]), 'match.ended')[0]).toMatchObject({ reason: 'surrender', winner: 'red' });
  });

  it('rejects documents it cannot replay, naming the field', () => {
    expect(parseErrorOf('{')).toMatch(/valorant-match: not valid JSON/);
    expect(parseErrorOf({ players: [] })).toMatch(/expected an object.*\/matchInfo/);
    expect(parseErrorOf({ metadata: {}, rounds: [] })).toMatch(/third-party/);
    expect(parseErrorOf({ matchInfo: { matchId: 'a b', gameStartMillis: 1 }, players: [] })).toMatch(/matchId must be/);
    const dm = doc();
    dm.players[0]!.teamId = dm.players[0]!.puuid; // deathmatch: every player is a team
    expect(parseErrorOf(dm)).toMatch(/only team modes.*\/players\/0\/teamId/);
    const badKill = doc();
    const stats = badKill.roundResults[0]!.playerStats as { kills: { victim: string }[] }[];
    stats[0]!.kills[0]!.victim = 'nobody';
    expect(parseErrorOf(badKill)).toMatch(/victim is not one of the players.*\/roundResults\/0\/playerStats\/0\/kills\/0\/victim/);
    const twice = doc();
    twice.roundResults[1]!.roundNum = 0;
    expect(parseErrorOf(twice)).toMatch(/roundNum 0 appears twice.*\/roundResults\/1\/roundNum/);
    const long = doc();
    long.matchInfo.gameLengthMillis = 1e300;
    expect(parseErrorOf(long)).toMatch(/longer than a day.*gameLengthMillis/);
  });

  it('counts a kill listed twice once', () => {
    const d = doc();
    const stats = d.roundResults[0]!.playerStats as { kills: unknown[] }[];
    stats[0]!.kills.push(stats[0]!.kills[0]);
    const drafts = run(valorantMatch, [JSON.stringify(d)]);
    expectValidDrafts(valorantMatch, drafts);
    expect(payloads(drafts, 'player.killed.player').length).toBe(26);
  });

  it('fuzz: valid drafts or a ParseError', () => {
    fuzz(valorantMatch, [raw], { runs: 100 });
  });
});
