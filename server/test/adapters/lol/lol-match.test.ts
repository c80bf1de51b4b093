// lol-match on our own Match-V5 fixtures: a 2024 (patch 14.x) and a 2021 (patch 11.x) match JSON +
// timeline pair, written for these tests (server/test/fixtures/lol-match).
import { describe, expect, it } from 'vitest';
import { isParseError } from '../../../src/ingest/adapters/errors.ts';
import { lolMatch } from '../../../src/ingest/adapters/lol/match-v5/adapter.ts';
import { countBy, ctx, expectValidDrafts, fuzz, run } from '../harness.ts';
import { fixture, fixtureJson, ofType } from './fixtures.ts';

const match24 = fixture('lol-match', 'match-2024.json');
const timeline24 = fixture('lol-match', 'timeline-2024.json');
const match21 = fixture('lol-match', 'match-2021.json');
const timeline21 = fixture('lol-match', 'timeline-2021.json');
const START_2024 = Date.parse('2024-06-20T16:13:20.000Z'); // gameStartTimestamp of match-2024.json

const m24 = fixtureJson<{ info: { participants: { participantId: number; puuid: string }[] } }>('lol-match', 'match-2024.json');
const puuid = (pid: number) => m24.info.participants.find((p) => p.participantId === pid)!.puuid;

function parseError(payload: string | Buffer): string {
  try {
    run(lolMatch, [payload]);
  } catch (err) {
    expect(isParseError(err), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a ParseError');
}

describe('lol-match: 2024 match + timeline', () => {
  const drafts = run(lolMatch, [match24, timeline24]);

  it('emits only valid drafts with unique keys, in game order', () => {
    expectValidDrafts(lolMatch, drafts);
    expect(drafts[0]!.type).toBe('match.started');
    expect(drafts.at(-1)!.type).toBe('match.ended');
    const timed = drafts.filter((d) => d.gameTime !== undefined).map((d) => d.gameTime!);
    expect(timed).toEqual([...timed].sort((a, b) => a - b));
    expect(countBy(drafts, (d) => d.type)).toEqual({
      'match.started': 1, 'draft.banned': 9, 'draft.picked': 10, 'player.state': 180, 'team.state': 36,
      'player.purchased.item': 12, 'player.sold.item': 1, 'player.placed.ward': 1, 'player.killed.ward': 1, 'player.leveled.up': 2,
      'player.killed.player': 5, 'objective.taken': 8, 'match.ended': 1,
    });
  });

  it('starts the match with blue/red teams, map, mode and the Riot ids', () => {
    const [start] = ofType(drafts, 'match.started');
    expect(start!.matchId).toBe('lol-EUW1_7123456789');
    expect(start!.occurredAt).toBe('2024-06-20T16:13:20.000Z');
    expect(start!.payload).toEqual({
      teams: [{ id: 'blue', name: 'Blue', side: 'blue' }, { id: 'red', name: 'Red', side: 'red' }],
      map: "Summoner's Rift",
      mode: 'CLASSIC',
      extra: {
        riotMatchId: 'EUW1_7123456789',
        queueId: 420,
        gameVersion: '14.12.594.4901',
        platformId: 'EUW1',
        // teamPosition of each participant, for lane opponents in stats
        roles: Object.fromEntries(m24.info.participants.map((p, i) => [p.puuid, ['TOP', 'JUNGLE', 'MIDDLE', 'BOTTOM', 'UTILITY'][i % 5]])),
      },
    });
  });

  it('reports bans with pick turns (no ban, -1, is skipped) and picks without an order', () => {
    const bans = ofType(drafts, 'draft.banned').map((d) => d.payload);
    expect(bans[0]).toEqual({ team: 'blue', character: 'Zed', characterId: '238', order: 1 });
    expect(bans.map((b) => b.order)).toEqual([1, 2, 4, 5, 6, 7, 8, 9, 10]);
    const pick = ofType(drafts, 'draft.picked').find((d) => d.payload.character === 'LeeSin')!;
    expect(pick.payload).toEqual({ team: 'blue', character: 'LeeSin', characterId: '64', player: { id: puuid(2), name: 'Vexlo#0001', team: 'blue', side: 'blue', character: 'LeeSin' } });
    expect(pick.gameTime).toBeUndefined();
  });

  it('replays kills with killer, victim, assisters, position, bounty, first blood and multikills', () => {
    const kills = ofType(drafts, 'player.killed.player');
    const first = kills[0]!;
    expect(first.gameTime).toBe(185432);
    expect(first.occurredAt).toBe(new Date(START_2024 + 185432).toISOString());
    expect(first.payload).toMatchObject({
      killer: { id: puuid(2), name: 'Vexlo#0001', team: 'blue', character: 'LeeSin' },
      victim: { id: puuid(8), name: 'Lantern#EUW', team: 'red', character: 'Syndra' },
      assisters: [{ id: puuid(3), name: 'Quill#EUW' }],
      victimPosition: { x: 7380, y: 7010 },
      firstBlood: true,
      bounty: 400,
    });
    expect(kills.filter((k) => k.payload.firstBlood)).toHaveLength(1);
    expect(kills[2]!.payload.extra).toMatchObject({ multiKill: 2 });
    // A turret execution: no killer, nobody scores.
    expect(kills[3]!.payload.killer).toBeUndefined();
    expect(kills[3]!.payload.extra).toMatchObject({ executed: true });
    // A shutdown: the bounty counts both parts.
    expect(kills[4]!.payload).toMatchObject({ bounty: 450, extra: { bounty: 300, shutdownBounty: 150 } });
  });

  it('credits objectives to the team that took them, with dragon element and tower lane/tier', () => {
    const objectives = ofType(drafts, 'objective.taken').map((d) => [d.payload.team, d.payload.objective, d.payload.subtype ?? null, d.payload.player?.name ?? null]);
    expect(objectives).toEqual([
      ['blue', 'void_grub', null, 'Vexlo#0001'],
      ['blue', 'void_grub', null, 'Vexlo#0001'],
      ['blue', 'void_grub', null, 'Brightmoor#EUW'],
      ['red', 'dragon', 'infernal', 'Mistfall#EUW'],
      ['blue', 'turret_plate', 'bot', 'Tamsin Rue#EUW'],
      ['blue', 'tower', 'mid_outer', 'Quill#EUW'],
      ['blue', 'rift_herald', null, 'Vexlo#0001'],
      ['blue', 'tower', 'bot_outer', null], // minions took it: no player
    ]);
  });

  it('maps items, wards and levels; leaves out undo, destroyed items and skill level-ups', () => {
    expect(ofType(drafts, 'player.purchased.item').find((d) => d.gameTime === 545020)!.payload).toMatchObject({ player: { name: 'Quill#EUW' }, item: '3157' });
    expect(ofType(drafts, 'player.sold.item')[0]!.payload).toMatchObject({ player: { name: 'Tamsin Rue#EUW' }, item: '1055' });
    expect(ofType(drafts, 'player.placed.ward')[0]!.payload).toMatchObject({ player: { name: 'Pebble#EUW' }, ward: 'YELLOW_TRINKET' });
    expect(ofType(drafts, 'player.killed.ward')[0]!.payload).toMatchObject({ player: { name: 'Mistfall#EUW' }, ward: 'CONTROL_WARD' });
    expect(ofType(drafts, 'player.leveled.up').map((d) => [d.payload.player.name, d.payload.level])).toEqual([['Vexlo#0001', 2], ['Quill#EUW', 2]]);
  });

  it('snapshots every player and team at every minute frame', () => {
    const tl = fixtureJson<{ info: { frames: { timestamp: number; participantFrames: Record<string, { minionsKilled: number; jungleMinionsKilled: number; totalGold: number; currentGold: number }> }[] } }>('lol-match', 'timeline-2024.json');
    const frame = tl.info.frames[10]!;
    const jungler = ofType(drafts, 'player.state').find((d) => d.key === `frame:${frame.timestamp}:2`)!;
    const raw = frame.participantFrames['2']!;
    expect(jungler.payload.stats).toMatchObject({ gold: raw.currentGold, totalGold: raw.totalGold, creepScore: raw.minionsKilled + raw.jungleMinionsKilled });
    expect(jungler.payload.position).toBeDefined();
    const blue = ofType(drafts, 'team.state').find((d) => d.key === `frame:${frame.timestamp}:blue`)!;
    const gold = [1, 2, 3, 4, 5].reduce((sum, p) => sum + frame.participantFrames[String(p)]!.totalGold, 0);
    // Minute 10: first blood and three void grubs are in; the herald is not yet.
    expect(blue.payload.stats).toMatchObject({ gold, kills: 1, towers: 0, heralds: 0 });
  });

  it('ends with winner, kill score, surrender and duration, after the final scoreboard', () => {
    const [end] = ofType(drafts, 'match.ended');
    expect(end!.payload).toEqual({ winner: 'blue', score: [2, 2], reason: 'surrender', durationMs: 942310, extra: { endOfGameResult: 'GameComplete' } });
    const finals = ofType(drafts, 'player.state').filter((d) => d.key.startsWith('final:'));
    expect(finals).toHaveLength(10);
    expect(finals.find((d) => d.payload.player.name === 'Ossify#EUW')!.payload.stats).toMatchObject({ kills: 2, deaths: 0, assists: 0 });
    const redFinal = ofType(drafts, 'team.state').find((d) => d.key === 'final:red')!;
    expect(redFinal.payload.stats).toMatchObject({ kills: 2, dragons: 1, towers: 0 });
  });
});

describe('lol-match: either document alone, in any order, delivered twice', () => {
  const both = run(lolMatch, [match24, timeline24]);

  it('gives the same drafts whichever document comes first', () => {
    expect(run(lolMatch, [timeline24, match24])).toEqual(both);
  });

  it('keeps the keys of the same facts when the other document is missing', () => {
    const timelineOnly = run(lolMatch, [timeline24]);
    expectValidDrafts(lolMatch, timelineOnly);
    const keys = new Set(both.map((d) => d.key));
    expect(timelineOnly.every((d) => keys.has(d.key))).toBe(true);
    const matchOnly = run(lolMatch, [match24]);
    expectValidDrafts(lolMatch, matchOnly);
    expect(matchOnly.every((d) => keys.has(d.key))).toBe(true);
    expect(countBy(matchOnly, (d) => d.type)).toEqual({ 'match.started': 1, 'draft.banned': 9, 'draft.picked': 10, 'player.state': 10, 'team.state': 2, 'match.ended': 1 });
  });

  it('without the match JSON: puuids, sides by participant id, champions from the damage entries, winner from GAME_END', () => {
    const drafts = run(lolMatch, [timeline24]);
    const first = ofType(drafts, 'player.killed.player')[0]!;
    expect(first.payload.killer).toEqual({ id: puuid(2), name: 'Participant 2', team: 'blue', side: 'blue', character: 'LeeSin' });
    expect(first.payload.victim).toMatchObject({ id: puuid(8), team: 'red', character: 'Syndra' });
    // realTimestamp of PAUSE_END gives the clock when there is no gameStartTimestamp.
    expect(first.occurredAt).toBe(new Date(START_2024 - 91 + 185432).toISOString());
    expect(ofType(drafts, 'match.ended')[0]!.payload).toEqual({ winner: 'blue', score: [2, 2], durationMs: 942310 });
  });

  it('is deterministic and re-sends identical keys', () => {
    let state = lolMatch.initialState();
    state = lolMatch.parse(match24, state, ctx()).state;
    const once = lolMatch.finish!(state, ctx()).drafts;
    state = lolMatch.parse(timeline24, state, ctx()).state;
    state = lolMatch.parse(timeline24, state, ctx()).state;
    const twice = lolMatch.finish!(state, ctx()).drafts;
    expect(twice).toEqual(both);
    expect(once.every((d) => twice.some((t) => t.key === d.key))).toBe(true);
  });

  it('a document of another match replaces the one held', () => {
    const drafts = run(lolMatch, [match24, timeline21]);
    expect(new Set(drafts.map((d) => d.matchId))).toEqual(new Set(['lol-NA1_4012345678']));
  });
});

describe('lol-match: 2021 payload shape (patch 11.x)', () => {
  const drafts = run(lolMatch, [timeline21, match21]);

  it('reads gameDuration in ms, summoner names, and kills without shutdownBounty', () => {
    expectValidDrafts(lolMatch, drafts);
    expect(ofType(drafts, 'match.ended')[0]!.payload).toEqual({ winner: 'red', score: [1, 2], reason: 'surrender', durationMs: 968442 });
    const first = ofType(drafts, 'player.killed.player')[0]!;
    expect(first.payload).toMatchObject({ killer: { name: 'Mistfall', character: 'Viego' }, victim: { name: 'Quill' }, firstBlood: true, bounty: 400, extra: { bounty: 400, killStreak: 0 } });
    expect(first.payload.extra).not.toHaveProperty('shutdownBounty');
    expect(ofType(drafts, 'objective.taken').map((d) => [d.payload.team, d.payload.objective, d.payload.subtype])).toEqual([
      ['red', 'dragon', 'ocean'],
      ['red', 'turret_plate', 'top'],
      ['red', 'tower', 'top_outer'],
    ]);
  });
});

describe('lol-match: bad input', () => {
  it.each([
    ['not JSON', '{"metadata":', /not valid JSON/],
    ['an array', '[1,2]', /expected a JSON object/],
    ['a Match-V4 document', '{"gameId":1,"participantIdentities":[],"teams":[]}', /legacy Match-V4/],
    ['a Match-V4 dump keyed by game', '{"7bb7c407":{"gameId":1070986,"platformId":"ESPORTSTMNT06","teams":[],"participantIdentities":[]}}', /legacy Match-V4/],
    ['something else', '{"hello":"world"}', /expected a Match-V5 match JSON/],
    ['no match id', '{"metadata":{},"info":{"frames":[]}}', /expected a string \(at \/metadata\/matchId\)/],
    ['a bad match id', '{"metadata":{"matchId":"KR 1/2"},"info":{"frames":[]}}', /not a Riot match id/],
    ['a frame without timestamp', '{"metadata":{"matchId":"KR_1"},"info":{"frames":[{"events":[]}]}}', /\/info\/frames\/0\/timestamp/],
    ['a kill without victim', '{"metadata":{"matchId":"KR_1"},"info":{"frames":[{"timestamp":0,"events":[{"type":"CHAMPION_KILL","timestamp":5,"killerId":1}]}]}}', /\/info\/frames\/0\/events\/0\/victimId/],
    ['a negative event time', '{"metadata":{"matchId":"KR_1"},"info":{"frames":[{"timestamp":0,"events":[{"type":"LEVEL_UP","timestamp":-5}]}]}}', /not a game time/],
    ['participants not a list', '{"metadata":{"matchId":"KR_1"},"info":{"participants":{},"teams":[]}}', /expected an array \(at \/info\/participants\)/],
    ['a participant without id', '{"metadata":{"matchId":"KR_1"},"info":{"participants":[{"teamId":100}],"teams":[]}}', /\/info\/participants\/0\/participantId/],
  ])('%s', (_name, payload, message) => {
    expect(parseError(payload)).toMatch(message);
  });
});

describe('lol-match: fuzz', () => {
  // Small seeds (three frames of the timeline) so mutations reach every part of the document.
  const tl = fixtureJson<{ info: { frames: unknown[] } }>('lol-match', 'timeline-2024.json');
  const shortTimeline = JSON.stringify({ ...tl, info: { ...tl.info, frames: tl.info.frames.slice(2, 5) } });
  it('returns valid drafts or a ParseError on mutated documents', () => {
    fuzz(lolMatch, [match21, shortTimeline], { runs: 150 });
  });
});
