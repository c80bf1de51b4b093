// lol-livestats on our own feed polls (server/test/fixtures/lol-livestats), written from the
// lolesports OpenAPI contract: three /window polls (the second re-sent) and a /details poll.
import { describe, expect, it } from 'vitest';
import { isParseError } from '../../../src/ingest/adapters/errors.ts';
import { lolLivestats } from '../../../src/ingest/adapters/lol/livestats/adapter.ts';
import type { LsState } from '../../../src/ingest/adapters/lol/livestats/state.ts';
import type { Draft } from '../../../src/ingest/adapters/types.ts';
import { countBy, ctx, expectValidDrafts, fuzz } from '../harness.ts';
import { fixture, fixtureJson, ofType } from './fixtures.ts';

function feed(files: string[], state: LsState = lolLivestats.initialState()) {
  const perFile: Draft[][] = [];
  for (const f of files) {
    const out = lolLivestats.parse(fixture('lol-livestats', f), state, ctx());
    state = out.state;
    perFile.push(out.drafts);
  }
  return { state, perFile, drafts: perFile.flat() };
}

function parseError(payload: string, state = lolLivestats.initialState()): string {
  try {
    lolLivestats.parse(Buffer.from(payload), state, ctx());
  } catch (err) {
    expect(isParseError(err), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a ParseError');
}

const FILES = ['window-01.json', 'details-01.json', 'window-02.json', 'window-02.json', 'window-03.json'];

describe('lol-livestats: a game followed through window and details polls', () => {
  const { perFile, drafts } = feed(FILES);

  it('emits valid drafts with unique keys under lolesports-<esportsGameId>, in the series of the esports match', () => {
    expectValidDrafts(lolLivestats, drafts);
    expect(new Set(drafts.map((d) => d.matchId))).toEqual(new Set(['lolesports-110852960151230041']));
    expect(new Set(drafts.map((d) => d.seriesId))).toEqual(new Set(['lolesports-110852960151099917']));
    expect(drafts.every((d) => d.gameTime === undefined)).toBe(true); // the feed has no game clock
  });

  it('never invents who killed whom: kills only move scores and snapshots', () => {
    expect(countBy(drafts, (d) => d.type)).not.toHaveProperty('player.killed.player');
    expect(ofType(drafts, 'score.changed').map((d) => [d.occurredAt, d.payload.score])).toEqual([
      ['2024-06-15T15:07:25.000Z', [1, 0]],
      ['2024-06-15T15:32:50.000Z', [12, 3]],
    ]);
  });

  it('starts at the first in-game frame with the esports ids, and lists the champions', () => {
    const [start] = ofType(drafts, 'match.started');
    expect(start!.occurredAt).toBe('2024-06-15T15:04:20.000Z');
    expect(start!.payload.extra).toEqual({ esportsGameId: '110852960151230041', blueEsportsTeamId: '98767991853197861', redEsportsTeamId: '98767991877340524', patch: '14.11.589.9418' });
    const picks = ofType(drafts, 'draft.picked');
    expect(picks).toHaveLength(10);
    expect(picks[1]!.payload).toEqual({ team: 'blue', character: 'LeeSin', player: { id: '107455908483800002', name: 'NVA Vexlo', team: 'blue', side: 'blue', character: 'LeeSin' } });
    // Without an esportsPlayerId the id comes from the name.
    expect(picks[5]!.payload.player).toEqual({ id: 'krg-korrigan', name: 'KRG Korrigan', team: 'red', side: 'red', character: 'Gnar' });
  });

  it('turns rising counts into objectives for the team, with the dragon element from dragons[]', () => {
    const objectives = ofType(drafts, 'objective.taken').map((d) => [d.key, d.payload.team, d.payload.objective, d.payload.subtype ?? null]);
    expect(objectives[0]).toEqual(['obj:red:dragon:1', 'red', 'dragon', 'infernal']);
    expect(countBy(ofType(drafts, 'objective.taken'), (d) => `${d.payload.team} ${d.payload.objective}`)).toEqual({
      'red dragon': 1, 'blue tower': 7, 'blue inhibitor': 1, 'blue baron_nashor': 1, 'blue dragon': 3, 'red tower': 1,
    });
    expect(objectives.filter((o) => o[1] === 'blue' && o[2] === 'dragon').map((o) => o[3])).toEqual(['ocean', 'mountain', 'mountain']);
    expect(ofType(drafts, 'objective.taken').every((d) => d.payload.player === undefined)).toBe(true);
  });

  it('reports pauses (a gameState the live feed uses beyond the published enum)', () => {
    expect(drafts.filter((d) => d.type === 'match.paused' || d.type === 'match.resumed').map((d) => [d.type, d.occurredAt])).toEqual([
      ['match.paused', '2024-06-15T15:11:35.000Z'],
      ['match.resumed', '2024-06-15T15:11:45.000Z'],
    ]);
  });

  it('ends at the finished frame with the kill score and the winner the structures imply', () => {
    const [end] = ofType(drafts, 'match.ended');
    expect(end!.occurredAt).toBe('2024-06-15T15:33:00.000Z');
    expect(end!.payload).toEqual({ winner: 'blue', score: [12, 3], extra: { winnerInferredFrom: 'structures' } });
  });

  it('snapshots players and teams on a change that matters, else at most once a minute', () => {
    expect(countBy(perFile[0]!, (d) => d.type)).toMatchObject({ 'player.state': 10, 'team.state': 2 });
    const ahri = ofType(drafts, 'player.state').filter((d) => d.payload.player.id === '107455908483800003');
    expect(ahri[0]!.payload.stats).toEqual({ kills: 0, deaths: 0, assists: 0, level: 1, creepScore: 0, totalGold: 500, health: 732, alive: true });
    const teams = ofType(drafts, 'team.state').filter((d) => d.payload.team.id === 'blue').map((d) => d.payload.stats.kills);
    expect(teams).toEqual([0, 1, 1, 12, 12]);
  });

  it('reads /details lines with wards and items', () => {
    const details = ofType(perFile[1]!, 'player.state');
    expect(details).toHaveLength(20);
    expect(details.find((d) => d.key.startsWith('d:1:'))!.payload).toMatchObject({
      player: { name: 'NVA Brightmoor' },
      stats: { level: 2, wardsPlaced: 2, wardsKilled: 0, totalGold: 1598 },
      items: ['1054', '2003', '3340'],
    });
  });

  it('a re-sent window is all duplicates (overlapping frames are skipped)', () => {
    expect(perFile[3]).toEqual([]);
  });

  it('a window of another game starts a new match', () => {
    const w = fixtureJson<Record<string, unknown>>('lol-livestats', 'window-01.json');
    const { state } = feed(['window-01.json']);
    const out = lolLivestats.parse(Buffer.from(JSON.stringify({ ...w, esportsGameId: '110852960151230042' })), state, ctx());
    expect(out.drafts[0]).toMatchObject({ type: 'match.started', matchId: 'lolesports-110852960151230042' });
  });
});

describe('lol-livestats: bad input', () => {
  const window = fixtureJson<{ frames: Record<string, unknown>[] } & Record<string, unknown>>('lol-livestats', 'window-01.json');
  const withFrame = (patch: (f: Record<string, unknown>) => Record<string, unknown>) => JSON.stringify({ ...window, frames: [patch(structuredClone(window.frames[0]!))] });

  it.each([
    ['not JSON', '{"frames": [', /not valid JSON/],
    ['no frames', '{"esportsGameId": "1"}', /expected a livestats \/window/],
    ['a bad timestamp', withFrame((f) => ({ ...f, rfc460Timestamp: 'yesterday' })), /not an RFC 3339 time \(at \/frames\/0\/rfc460Timestamp\)/],
    ['a gameState that is not text', withFrame((f) => ({ ...f, gameState: { live: true } })), /\/frames\/0\/gameState/],
    ['a negative tower count', withFrame((f) => ({ ...f, blueTeam: { ...(f.blueTeam as object), towers: -1 } })), /towers -1 is not a plausible count \(at \/frames\/0\/blueTeam\/towers\)/],
    ['an absurd baron count', withFrame((f) => ({ ...f, redTeam: { ...(f.redTeam as object), barons: 1e9 } })), /barons 1000000000 is not a plausible count/],
    ['no team totals', withFrame((f) => ({ ...f, redTeam: undefined })), /expected an object \(at \/frames\/0\/redTeam\)/],
  ])('%s', (_name, payload, message) => {
    expect(parseError(payload)).toMatch(message);
  });

  it('a /details poll before any /window: it names no game', () => {
    expect(parseError(fixture('lol-livestats', 'details-01.json').toString())).toMatch(/send a \/window payload of the game first/);
  });

  it('a /details body may name its game itself (esportsGameId added by the poller)', () => {
    const body = { ...fixtureJson<Record<string, unknown>>('lol-livestats', 'details-01.json'), esportsGameId: '110852960151230041' };
    const out = lolLivestats.parse(Buffer.from(JSON.stringify(body)), lolLivestats.initialState(), ctx());
    expect(ofType(out.drafts, 'player.state')).toHaveLength(20);
    expect(out.drafts[0]!.matchId).toBe('lolesports-110852960151230041');
    expect(out.drafts[0]!.payload).toMatchObject({ player: { id: 'participant-1', team: 'blue' } });
  });

  it('a details participant outside 1–10', () => {
    const { state } = feed(['window-01.json']);
    const body = JSON.stringify({ frames: [{ rfc460Timestamp: '2024-06-15T15:05:00.000Z', participants: [{ participantId: 11, level: 1 }] }] });
    expect(parseError(body, state)).toMatch(/participantId 11 is not 1–10/);
  });
});

describe('lol-livestats: fuzz', () => {
  it('returns valid drafts or a ParseError on mutated polls', () => {
    fuzz(lolLivestats, [fixture('lol-livestats', 'window-03.json'), fixture('lol-livestats', 'window-01.json')], { runs: 200 });
  });
});
