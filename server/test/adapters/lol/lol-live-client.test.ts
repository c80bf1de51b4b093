// lol-live-client on our own polls of a game (server/test/fixtures/lol-live-client): /allgamedata,
// /eventdata and /playerlist bodies as a desk client would send them, each poll re-sending every event.
import { describe, expect, it } from 'vitest';
import { isParseError } from '../../../src/ingest/adapters/errors.ts';
import { lolLiveClient } from '../../../src/ingest/adapters/lol/live-client/adapter.ts';
import type { LcState } from '../../../src/ingest/adapters/lol/live-client/state.ts';
import type { Draft } from '../../../src/ingest/adapters/types.ts';
import { countBy, ctx, expectValidDrafts, fuzz } from '../harness.ts';
import { fixture, ofType } from './fixtures.ts';

const START = Date.parse('2026-11-24T18:00:00.000Z');
// When each poll was received: the client polls a few seconds behind the game clock.
const POLLS: [string, number][] = [
  ['poll-01-allgamedata.json', 62_417],
  ['poll-02-allgamedata.json', 305_770],
  ['poll-03-eventdata.json', 720_000],
  ['poll-04-playerlist.json', 723_000],
  ['poll-05-allgamedata.json', 942_921],
];

function feed(polls: [string, number][], state: LcState = lolLiveClient.initialState(), streamId = 'Desk 7') {
  const drafts: Draft[] = [];
  for (const [file, at] of polls) {
    const out = lolLiveClient.parse(fixture('lol-live-client', file), state, ctx({ receivedAt: new Date(START + at).toISOString(), streamId }));
    state = out.state;
    drafts.push(...out.drafts);
  }
  return { state, drafts };
}

function parseError(payload: string): string {
  try {
    lolLiveClient.parse(Buffer.from(payload), lolLiveClient.initialState(), ctx());
  } catch (err) {
    expect(isParseError(err), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a ParseError');
}

describe('lol-live-client: a game polled from start to end', () => {
  const { state, drafts } = feed(POLLS);

  it('emits valid drafts with unique keys, one match id derived from the stream and the start minute', () => {
    expectValidDrafts(lolLiveClient, drafts);
    expect(new Set(drafts.map((d) => d.matchId))).toEqual(new Set(['lolclient-desk-7-20261124180000']));
    expect(countBy(drafts.filter((d) => !d.type.endsWith('.state')), (d) => d.type)).toEqual({
      'match.started': 1, 'player.killed.player': 5, 'objective.taken': 6, 'match.ended': 1,
    });
  });

  it('starts the match at receivedAt − gameTime with map and mode', () => {
    const [start] = ofType(drafts, 'match.started');
    expect(start!.occurredAt).toBe('2026-11-24T18:00:00.000Z');
    expect(start!.payload).toEqual({ teams: [{ id: 'blue', name: 'Blue', side: 'blue' }, { id: 'red', name: 'Red', side: 'red' }], map: "Summoner's Rift", mode: 'CLASSIC' });
  });

  it('maps kills by player name to roster players, with first blood, multikills and executions', () => {
    const kills = ofType(drafts, 'player.killed.player');
    expect(kills[0]!.gameTime).toBe(185_432);
    expect(kills[0]!.occurredAt).toBe(new Date(START + 185_432).toISOString());
    expect(kills[0]!.payload).toEqual({
      killer: { id: 'vexlo-0001', name: 'Vexlo#0001', team: 'blue', side: 'blue', character: 'Lee Sin' },
      victim: { id: 'lantern-euw', name: 'Lantern#EUW', team: 'red', side: 'red', character: 'Syndra' },
      assisters: [{ id: 'quill-euw', name: 'Quill#EUW', team: 'blue', side: 'blue', character: 'Ahri' }],
      firstBlood: true,
    });
    expect(kills[2]!.payload).toMatchObject({ killer: { name: 'Ossify#EUW' }, victim: { name: 'Pebble#EUW' }, extra: { multiKill: 2 } });
    expect(kills[3]!.payload).toEqual({ victim: { id: 'korrigan-euw', name: 'Korrigan#EUW', team: 'red', side: 'red', character: 'Gnar' }, extra: { killerName: 'Turret_T1_L_03_A' } });
  });

  it('credits structures to the side that did not own them, monsters to the killer’s side', () => {
    const objectives = ofType(drafts, 'objective.taken').map((d) => [d.payload.team, d.payload.objective, d.payload.subtype ?? null, d.payload.player?.name ?? null]);
    expect(objectives).toEqual([
      ['red', 'dragon', 'infernal', 'Mistfall#EUW'],
      ['blue', 'void_grub', null, 'Vexlo#0001'],
      ['blue', 'tower', 'mid_outer', 'Quill#EUW'],
      ['blue', 'rift_herald', null, 'Vexlo#0001'],
      ['blue', 'tower', 'bot_outer', null], // a blue minion took it
      ['red', 'inhibitor', 'top', 'Mistfall#EUW'],
    ]);
  });

  it('ends with the local player’s result as the winner and the scoreboard kills as the score', () => {
    const [end] = ofType(drafts, 'match.ended');
    expect(end!.payload).toEqual({ winner: 'blue', score: [2, 2], durationMs: 942_310, extra: { result: 'Win' } });
    expect(drafts.at(-1)!.type).toBe('team.state');
  });

  it('cross-check: kills by champions in the events = Σ scores.kills on the final scoreboard', () => {
    const byChampion = ofType(drafts, 'player.killed.player').filter((d) => d.payload.killer).length;
    const scoreboard = state.scoreKills![0] + state.scoreKills![1];
    expect([byChampion, scoreboard, state.eventKills[0] + state.eventKills[1]]).toEqual([4, 4, 4]);
  });

  it('snapshots the scoreboard only when a line changed, with gold and health for the local player', () => {
    const states = ofType(drafts, 'player.state');
    expect(states.filter((d) => d.gameTime === 62_417)).toHaveLength(10);
    const quill = states.filter((d) => d.payload.player.id === 'quill-euw').at(-1)!;
    expect(quill.payload.stats).toMatchObject({ kills: 0, assists: 2, gold: 356, health: 1322, level: 11, alive: true });
    expect(quill.payload.items).toEqual(['1056', '3157', '3340']);
    // /playerlist has no clock: its game time is receivedAt − start.
    expect(states.some((d) => d.gameTime === 723_000)).toBe(true);
  });

  it('re-sent polls are duplicates: no new drafts, state unchanged in size', () => {
    const again = lolLiveClient.parse(fixture('lol-live-client', 'poll-05-allgamedata.json'), state, ctx({ receivedAt: new Date(START + 945_000).toISOString(), streamId: 'Desk 7' }));
    expect(again.drafts).toEqual([]);
    expect(again.state.seen).toHaveLength(state.seen.length);
  });

  it('is pure: the same input and state give the same drafts, and the input state is not changed', () => {
    const before = structuredClone(state);
    const a = feed(POLLS.slice(0, 2), structuredClone(state));
    const b = feed(POLLS.slice(0, 2), structuredClone(state));
    expect(a).toEqual(b);
    expect(state).toEqual(before);
    expect(feed(POLLS).drafts).toEqual(drafts);
  });

  it('a start estimate much later than the first one is another game; an earlier one is not', () => {
    const later = lolLiveClient.parse(fixture('lol-live-client', 'poll-05-allgamedata.json'), state, ctx({ receivedAt: '2026-11-24T19:30:00.000Z', streamId: 'Desk 7' }));
    expect(later.drafts[0]).toMatchObject({ type: 'match.started', matchId: 'lolclient-desk-7-20261124191400' });
    // A recorded file parsed at once: one receivedAt for polls whose game time grows.
    const { drafts: replayed } = feed(POLLS.map(([f]) => [f, 0] as [string, number]));
    expect(new Set(replayed.map((d) => d.matchId)).size).toBe(1);
  });

  it('a game clock going back starts a new match', () => {
    const next = lolLiveClient.parse(fixture('lol-live-client', 'poll-01-allgamedata.json'), state, ctx({ receivedAt: '2026-11-24T19:00:02.417Z', streamId: 'Desk 7' }));
    expect(next.drafts[0]!.type).toBe('match.started');
    expect(next.drafts[0]!.matchId).toBe('lolclient-desk-7-20261124185900');
  });
});

describe('lol-live-client: spectators and odd event lists', () => {
  it('a spectator has no local player: no winner, and no gold or health', () => {
    const out = lolLiveClient.parse(fixture('lol-live-client', 'spectator-allgamedata.json'), lolLiveClient.initialState(), ctx());
    expectValidDrafts(lolLiveClient, out.drafts);
    expect(ofType(out.drafts, 'match.ended')[0]!.payload).toEqual({ score: [2, 2], durationMs: 942_310, extra: { result: 'Win' } });
    expect(ofType(out.drafts, 'player.state').every((d) => d.payload.stats.gold === undefined)).toBe(true);
  });

  it('identical events in one payload (the client’s sample events all have EventID 0) get distinct keys', () => {
    const sample = { EventID: 0, EventName: 'Multikill', EventTime: 0.5, KillerName: 'Riot Tuxedo', KillStreak: 2 };
    const kill = { EventID: 0, EventName: 'ChampionKill', EventTime: 0.5, KillerName: 'Riot Tuxedo', VictimName: 'Riot Gene', Assisters: [] };
    const body = JSON.stringify({ Events: [kill, sample, kill, sample] });
    const out = lolLiveClient.parse(Buffer.from(body), lolLiveClient.initialState(), ctx());
    expectValidDrafts(lolLiveClient, out.drafts);
    // Unknown names are players without a team: kept, but not scored.
    expect(ofType(out.drafts, 'player.killed.player').map((d) => [d.key, d.payload.killer?.id])).toEqual([
      ['ev:0:ChampionKill:500:0', 'riot-tuxedo'],
      ['ev:0:ChampionKill:500:1', 'riot-tuxedo'],
    ]);
    expect(lolLiveClient.parse(Buffer.from(body), out.state, ctx()).drafts).toEqual([]);
  });

  it('accepts /playerlist lines one by one (clutch parse splits a file holding a JSON array)', () => {
    const lines = JSON.parse(fixture('lol-live-client', 'poll-04-playerlist.json').toString()) as unknown[];
    let state = lolLiveClient.initialState();
    const drafts: Draft[] = [];
    for (const line of lines) {
      const out = lolLiveClient.parse(Buffer.from(JSON.stringify(line)), state, ctx());
      state = out.state;
      drafts.push(...out.drafts);
    }
    expectValidDrafts(lolLiveClient, drafts);
    expect(state.roster).toHaveLength(10);
    expect(state.scoreKills).toEqual([1, 2]);
    expect(ofType(drafts, 'player.state')).toHaveLength(10);
  });

  it('remembers a bounded number of events', () => {
    const events = Array.from({ length: 2500 }, (_, i) => ({ EventID: i, EventName: 'MinionsSpawning', EventTime: i / 10 }));
    const out = lolLiveClient.parse(Buffer.from(JSON.stringify({ Events: events })), lolLiveClient.initialState(), ctx());
    expect(out.state.seen.length).toBeLessThanOrEqual(2000);
  });
});

describe('lol-live-client: bad input', () => {
  it.each([
    ['not JSON', '{"Events": [', /not valid JSON/],
    ['a number', '42', /expected \/liveclientdata\/allgamedata/],
    ['an unknown object', '{"data": {}}', /expected \/liveclientdata\/allgamedata/],
    ['an event without a name', '{"Events": [{"EventID": 1, "EventTime": 3}]}', /expected a string \(at \/Events\/0\/EventName\)/],
    ['an event time that is not a number', '{"Events": [{"EventID": 1, "EventName": "GameStart", "EventTime": "soon"}]}', /\/Events\/0\/EventTime/],
    ['a negative event time', '{"Events": [{"EventID": 1, "EventName": "GameStart", "EventTime": -4}]}', /not a game time/],
    ['gameData without gameTime', '{"allPlayers": [], "gameData": {"gameMode": "CLASSIC"}}', /\/gameData\/gameTime/],
    ['allPlayers not a list', '{"allPlayers": {"a": 1}, "gameData": {"gameTime": 3}}', /expected an array \(at \/allPlayers\)/],
    ['a kill without victim', '{"Events": [{"EventID": 2, "EventName": "ChampionKill", "EventTime": 90, "KillerName": "a"}]}', /VictimName/],
    ['too many players', JSON.stringify(Array.from({ length: 21 }, () => ({ summonerName: 'x' }))), /more than 20 players/],
  ])('%s', (_name, payload, message) => {
    expect(parseError(payload)).toMatch(message);
  });
});

describe('lol-live-client: fuzz', () => {
  it('returns valid drafts or a ParseError on mutated polls', () => {
    fuzz(lolLiveClient, [fixture('lol-live-client', 'poll-03-eventdata.json'), fixture('lol-live-client', 'poll-02-allgamedata.json')], { runs: 200 });
  });
});
