// cs2-gsi on our own fixture: a short wingman game (mp_maxrounds 3, halftime after round 1) watched by a
// spectator with allplayers, plus variants built from it (no team names, player mode, missed payloads).
import { describe, expect, it } from 'vitest';
import { cs2Gsi } from '../../../src/ingest/adapters/cs2/gsi.ts';
import { isParseError } from '../../../src/ingest/adapters/errors.ts';
import { ctx, expectValidDrafts, fuzz, run } from '../harness.ts';
import { bodies, fixture, payloads, story } from './helpers.ts';

type P = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test payload surgery

const seq = fixture('cs2-gsi/wingman-short.json') as P[];
const clone = (): P[] => structuredClone(seq);
const VEX = '76561198000000011';
const LUMEN = '76561198000000012';
const ORCA = '76561198000000021';
const TIDAL = '76561198000000022';

function parseError(payload: string, state = cs2Gsi.initialState()): string {
  try {
    cs2Gsi.parse(Buffer.from(payload), state, ctx());
  } catch (err) {
    expect(isParseError(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a ParseError');
}

describe('cs2-gsi: a whole short match', () => {
  const drafts = run(cs2Gsi, bodies(seq));

  it('emits valid drafts with unique keys, all in one match named after the stream and the go-live time', () => {
    expectValidDrafts(cs2Gsi, drafts);
    expect(new Set(drafts.map((d) => d.matchId))).toEqual(new Set(['cs2gsi-test-stream-20251124160040']));
  });

  it('tells the story in order, without events for the warmup', () => {
    expect(story(drafts)).toEqual([
      'match.started', 'round.started',
      'player.killed.player', 'bomb.planted', 'player.killed.player', 'player.killed.player', 'bomb.defused', 'round.ended',
      'round.started', 'match.paused', 'match.resumed',
      'player.killed.player', 'player.killed.player', 'round.ended', 'match.ended',
    ]);
  });

  it('starts the match with both teams on their starting sides', () => {
    const [started] = payloads(drafts, 'match.started');
    expect(started).toEqual({
      teams: [{ id: 'kestrel', name: 'Kestrel', side: 'ct' }, { id: 'harbor', name: 'Harbor', side: 't' }],
      map: 'de_inferno',
      mode: 'scrimcomp2v2',
    });
    expect(drafts[0]!.occurredAt).toBe('2025-11-24T16:00:40.000Z');
  });

  it('derives kills from the counters: killer, victim, headshot, assister, positions', () => {
    const kills = payloads(drafts, 'player.killed.player');
    expect(kills.map((k) => [k.killer?.name, k.victim.name, k.headshot])).toEqual([
      ['vex', 'orca', true],
      ['tidal', 'lumen', false],
      ['vex', 'tidal', false],
      // A double kill between two payloads, one of them a headshot: which one is unknown.
      ['lumen', 'orca', undefined],
      ['lumen', 'tidal', undefined],
    ]);
    expect(kills[0]).toEqual({
      killer: { id: VEX, name: 'vex', team: 'kestrel', side: 'ct' },
      victim: { id: ORCA, name: 'orca', team: 'harbor', side: 't' },
      headshot: true,
      killerPosition: { x: -1662, y: 288, z: -8 },
      victimPosition: { x: 1914.6, y: 460.2, z: 154.4 },
      extra: { derivedFrom: 'gsi-counters', killerActiveWeapon: 'usp_silencer' },
    });
    expect(kills[2]!.assisters).toEqual([{ id: LUMEN, name: 'lumen', team: 'kestrel', side: 'ct' }]);
    // After halftime Kestrel plays T: the team id stays, the side changes.
    expect(kills[3]!.killer).toEqual({ id: LUMEN, name: 'lumen', team: 'kestrel', side: 't' });
  });

  it('names the planter (the carrier) and the defuser', () => {
    expect(payloads(drafts, 'bomb.planted')).toEqual([{ player: { id: TIDAL, name: 'tidal', team: 'harbor', side: 't' } }]);
    expect(payloads(drafts, 'bomb.defused')).toEqual([{ player: { id: VEX, name: 'vex', team: 'kestrel', side: 'ct' } }]);
  });

  it('ends rounds with winner, side, score and reason, then the match with the winner', () => {
    expect(payloads(drafts, 'round.ended')).toEqual([
      { round: 1, winner: 'kestrel', winnerSide: 'ct', score: [1, 0], reason: 'defuse', extra: { roundWin: 'ct_win_defuse' } },
      { round: 2, winner: 'kestrel', winnerSide: 't', score: [2, 0], reason: 'elimination', extra: { roundWin: 't_win_elimination' } },
    ]);
    expect(payloads(drafts, 'round.started').map((r) => r.round)).toEqual([1, 2]);
    expect(payloads(drafts, 'match.ended')).toEqual([{ winner: 'kestrel', score: [2, 0] }]);
  });

  it('snapshots players and teams at each round end, not on every payload', () => {
    const players = drafts.filter((d) => d.type === 'player.state');
    expect(players).toHaveLength(8);
    const vex = payloads(drafts, 'player.state').find((p) => p.player.id === VEX)!;
    expect(vex.stats).toEqual({ kills: 2, deaths: 0, assists: 0, mvps: 1, score: 7, health: 100, armor: 100, alive: true, money: 4650, equipmentValue: 1000 });
    const teams = payloads(drafts, 'team.state');
    expect(teams.slice(0, 2)).toEqual([
      { team: { id: 'kestrel', name: 'Kestrel', side: 'ct' }, stats: { score: 1, money: 9050, equipmentValue: 2000, alive: 1, timeoutsRemaining: 1 } },
      { team: { id: 'harbor', name: 'Harbor', side: 't' }, stats: { score: 0, money: 5700, equipmentValue: 2000, alive: 0, timeoutsRemaining: 1 } },
    ]);
  });

  it('reports a timeout with the team that called it, and its end', () => {
    expect(payloads(drafts, 'match.paused')).toEqual([{ reason: 'timeout', team: 'harbor' }]);
    expect(payloads(drafts, 'match.resumed')).toEqual([{}]);
  });

  it('gives nothing new for a payload delivered twice', () => {
    const doubled = bodies(seq).flatMap((b) => [b, b]);
    expect(run(cs2Gsi, doubled)).toEqual(drafts);
  });

  it('ignores a body re-sent late, after newer ones (provider.timestamp went back)', () => {
    const b = bodies(seq);
    const late = [...b.slice(0, 6), b[3]!, ...b.slice(6)];
    expect(run(cs2Gsi, late)).toEqual(drafts);
  });
});

describe('cs2-gsi: joining, variants, missed payloads', () => {
  it('only snapshots the first payload of a stream, even mid-round with kills already on the board', () => {
    const drafts = run(cs2Gsi, [JSON.stringify(seq[7])]);
    expectValidDrafts(cs2Gsi, drafts);
    expect(new Set(drafts.map((d) => d.type))).toEqual(new Set(['player.state', 'team.state']));
    expect(drafts.every((d) => d.key.startsWith('join:'))).toBe(true);
    expect(payloads(drafts, 'team.state').map((t) => t.stats.score)).toEqual([0, 0]);
    // Joined in progress: the match id carries the first live payload's time.
    expect(drafts[0]!.matchId).toBe('cs2gsi-test-stream-20251124160135');
  });

  it('without team names: ids from the starting sides, halftime found from the players', () => {
    const noNames = clone().map((p) => (delete p.map.team_ct.name, delete p.map.team_t.name, p));
    const drafts = run(cs2Gsi, bodies(noNames));
    expectValidDrafts(cs2Gsi, drafts);
    expect(payloads(drafts, 'match.started')[0]!.teams).toEqual([{ id: 'ct', name: 'CT', side: 'ct' }, { id: 't', name: 'T', side: 't' }]);
    expect(payloads(drafts, 'round.ended').map((r) => [r.winner, r.winnerSide, r.score])).toEqual([['ct', 'ct', [1, 0]], ['ct', 't', [2, 0]]]);
    expect(payloads(drafts, 'match.paused')).toEqual([{ reason: 'timeout', team: 't' }]);
    expect(payloads(drafts, 'player.killed.player')[3]!.killer).toEqual({ id: LUMEN, name: 'lumen', team: 'ct', side: 't' });
  });

  it('player mode (no allplayers): counters of one player prove no kill, so they come as player.state', () => {
    const solo = clone().slice(0, 4).map((p) => {
      const me = p.allplayers[VEX];
      p.player = { steamid: VEX, ...me, activity: 'playing' };
      p.provider.steamid = VEX;
      delete p.allplayers;
      return p;
    });
    const drafts = run(cs2Gsi, bodies(solo));
    expectValidDrafts(cs2Gsi, drafts);
    expect(story(drafts)).toEqual(['match.started', 'round.started']);
    const changes = drafts.filter((d) => d.key.startsWith('pc:'));
    expect(changes.map((d) => d.payload)).toEqual([
      { player: { id: VEX, name: 'vex', team: 'kestrel', side: 'ct' }, stats: { kills: 1, deaths: 0, assists: 0, mvps: 0, score: 2, health: 100, armor: 100, alive: true, money: 800, equipmentValue: 1000 }, position: { x: -1662, y: 288, z: -8 } },
    ]);
  });

  it('does not pair killers and victims it cannot tell apart, nor invent a killer for a world death', () => {
    const [p0, p1, p2] = clone();
    const two = structuredClone(p2!);
    two.allplayers[VEX].match_stats.kills = 1;
    two.allplayers[ORCA].match_stats.deaths = 1;
    two.allplayers[TIDAL].match_stats.kills = 1;
    two.allplayers[LUMEN].match_stats.deaths = 1;
    const ambiguous = run(cs2Gsi, bodies([p0, p1, p2, two]));
    expect(story(ambiguous)).toEqual(['match.started', 'round.started']);
    expect(ambiguous.filter((d) => d.key.startsWith('pc:')).map((d) => (d.payload as { player: { name: string } }).player.name)).toEqual(['vex', 'lumen', 'orca', 'tidal']);
    const fall = structuredClone(p2!);
    fall.allplayers[ORCA].match_stats.deaths = 1;
    fall.allplayers[ORCA].state.health = 0;
    const world = run(cs2Gsi, bodies([p0, p1, p2, fall]));
    expect(payloads(world, 'player.killed.player')).toEqual([]);
    expect(world.filter((d) => d.key.startsWith('pc:'))).toHaveLength(1);
  });

  it('catches up a round whose "over" payloads were missed, from round_wins or else from the score', () => {
    const missed = clone().filter((_, i) => i !== 9 && i !== 10);
    const fromWins = run(cs2Gsi, bodies(missed.slice(0, 10)));
    expect(payloads(fromWins, 'round.ended')[0]).toEqual({ round: 1, winner: 'kestrel', winnerSide: 'ct', score: [1, 0], reason: 'defuse', extra: { roundWin: 'ct_win_defuse' } });
    const noWins = structuredClone(missed).map((p) => (delete p.map.round_wins, p));
    const fromScore = run(cs2Gsi, bodies(noWins.slice(0, 10)));
    expect(payloads(fromScore, 'round.ended')[0]).toEqual({ round: 1, winner: 'kestrel', score: [1, 0] });
  });

  it('starts a new match when a new map goes live after the game ended', () => {
    const warm = structuredClone(seq[0]!);
    warm.map.name = 'de_nuke';
    warm.provider.timestamp += 400;
    const live = structuredClone(seq[1]!);
    live.map.name = 'de_nuke';
    live.provider.timestamp += 420;
    const drafts = run(cs2Gsi, bodies([...seq, warm, live]));
    expectValidDrafts(cs2Gsi, drafts);
    const started = drafts.filter((d) => d.type === 'match.started');
    expect(started.map((d) => d.matchId)).toEqual(['cs2gsi-test-stream-20251124160040', 'cs2gsi-test-stream-20251124160740']);
    expect(payloads(drafts, 'match.started')[1]!.map).toBe('de_nuke');
  });

  it('starts a new match when the game restarts (map.round goes back) without a warmup', () => {
    const restart = structuredClone(seq[1]!);
    restart.provider.timestamp = seq[9]!.provider.timestamp + 30;
    const drafts = run(cs2Gsi, bodies([...seq.slice(0, 10), restart]));
    expectValidDrafts(cs2Gsi, drafts);
    expect(drafts.filter((d) => d.type === 'match.started').map((d) => d.matchId)).toEqual(['cs2gsi-test-stream-20251124160040', 'cs2gsi-test-stream-20251124160215']);
  });

  it('accepts a payload from the menus (provider and player only) and emits nothing', () => {
    const menu = { provider: seq[0]!.provider, player: { steamid: VEX, name: 'vex', activity: 'menu' } };
    expect(run(cs2Gsi, [JSON.stringify(menu), JSON.stringify(menu)])).toEqual([]);
  });
});

describe('cs2-gsi: bad input', () => {
  it('rejects what is not a CS2 GSI body with a reason the sender can act on', () => {
    expect(parseError('{"provider": ')).toMatch(/cs2-gsi: not valid JSON/);
    expect(parseError('[1, 2]')).toMatch(/expected an object \(at \/\)/);
    expect(parseError(JSON.stringify({ provider: { appid: 570, timestamp: 1 } }))).toMatch(/provider\.appid is 570, expected 730/);
    const badRound = structuredClone(seq[1]!);
    badRound.map.round = 'eleven';
    expect(parseError(JSON.stringify(badRound))).toMatch(/expected a number \(at \/map\/round\)/);
    const badPlayers = structuredClone(seq[1]!);
    badPlayers.allplayers = [];
    expect(parseError(JSON.stringify(badPlayers))).toMatch(/at \/allplayers/);
    const crowd = structuredClone(seq[1]!);
    for (let i = 0; i < 70; i++) crowd.allplayers[`7656119800000${1000 + i}`] = { name: `p${i}` };
    expect(parseError(JSON.stringify(crowd))).toMatch(/allplayers has 74 entries \(at most 64\)/);
    const badTime = structuredClone(seq[1]!);
    badTime.provider.timestamp = -5;
    expect(parseError(JSON.stringify(badTime))).toMatch(/provider\.timestamp -5/);
  });

  it('survives fuzzing: valid drafts or ParseError, bounded state', () => {
    fuzz(cs2Gsi, bodies(seq), { runs: 150 });
  });
});
