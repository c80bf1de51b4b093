// Steam GetMatchDetails: a hand-made summary, and the real public matches from ../shared/data.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { steamMatch } from '../../../src/ingest/adapters/dota2/steam.ts';
import { isParseError } from '../../../src/ingest/adapters/errors.ts';
import { countBy, ctx, describeWithSharedData, expectValidDrafts, fuzz, run, sharedFile } from '../harness.ts';
import { draftsOf, payloads } from './helpers.ts';

const own = readFileSync(new URL('../../fixtures/steam-match/details-7412100001.json', import.meta.url), 'utf8');

function parseErrorOf(doc: unknown): string {
  try {
    steamMatch.parse(Buffer.from(JSON.stringify(doc)), steamMatch.initialState(), ctx());
  } catch (err) {
    expect(isParseError(err), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a ParseError');
}

describe('steam-match: hand-made summary', () => {
  const drafts = run(steamMatch, [own]);

  it('emits start, draft, final lines and the result', () => {
    expectValidDrafts(steamMatch, drafts);
    expect(drafts.map((d) => d.type)).toEqual([
      'match.started',
      ...['draft.banned', 'draft.banned', 'draft.picked', 'draft.picked', 'draft.picked', 'draft.picked'],
      ...Array(4).fill('player.state'),
      'team.state',
      'team.state',
      'match.ended',
    ]);
    expect(drafts[0]).toMatchObject({ matchId: 'dota2-7412100001', tournamentId: 'dota2-league-17001', occurredAt: '2025-11-25T17:00:00.000Z' });
    expect(drafts[0]!.payload).toEqual({ teams: [{ id: 'radiant', name: 'Copper Tide' }, { id: 'dire', name: 'Salt & Pepper' }], mode: 'Captains Mode', extra: { leagueId: 17001, lobbyType: 1, gameModeId: 2, cluster: 133 } });
    expect(payloads(drafts, 'match.ended')).toEqual([{ winner: 'dire', score: [8, 6], durationMs: 2_410_000 }]);
  });

  it('puts player_slot < 128 on Radiant, keeps account ids, names anonymous players by slot and unknown heroes by id', () => {
    expect(payloads(drafts, 'player.state').map((p) => [p.player.id, p.player.team, p.player.character])).toEqual([
      ['88120001', 'radiant', 'Anti-Mage'],
      ['slot-1', 'radiant', 'Crystal Maiden'],
      ['88120003', 'dire', 'Pudge'],
      ['88120004', 'dire', 'hero_146'],
    ]);
    expect(payloads(drafts, 'player.state')[0]!.stats).toEqual({ kills: 7, deaths: 2, assists: 5, lastHits: 402, denies: 14, gold: 4100, netWorth: 31200, level: 25, damage: 28800 });
  });

  it('counts towers and barracks taken from the status bit masks', () => {
    expect(payloads(drafts, 'team.state').map((t) => [t.team.id, t.stats])).toEqual([
      ['radiant', { score: 8, kills: 8, towers: 5, barracks: 0 }],
      ['dire', { score: 6, kills: 6, towers: 11, barracks: 6 }],
    ]);
  });

  it('rejects Steam errors and non-matches, saying why', () => {
    expect(parseErrorOf({ result: { error: 'Match ID not found' } })).toMatch(/Steam returned an error.*Match ID not found/);
    expect(parseErrorOf({ result: { match_id: 'abc' } })).toMatch(/\/match_id/);
    expect(parseErrorOf({ result: { match_id: 1, start_time: 1, duration: -5, players: [] } })).toMatch(/duration -5/);
  });

  it('fuzz: valid drafts or a ParseError', () => {
    fuzz(steamMatch, [own], { runs: 100 });
  });
});

describeWithSharedData('steam-match on real GetMatchDetails captures', () => {
  const load = (name: string) => readFileSync(sharedFile('fixtures', 'dota2-opendota', name), 'utf8');

  it('7490235544 (bare result, pro match): kills per side = radiant_score / dire_score (30 / 7), 24 draft entries', () => {
    const raw = load('7490235544_api.json');
    const doc = JSON.parse(raw) as { radiant_score: number; dire_score: number; picks_bans: unknown[]; players: { kills: number; player_slot: number }[] };
    const drafts = run(steamMatch, [raw]);
    expectValidDrafts(steamMatch, drafts);
    expect(countBy(drafts, (d) => d.type)).toEqual({ 'match.started': 1, 'draft.banned': 14, 'draft.picked': 10, 'player.state': 10, 'team.state': 2, 'match.ended': 1 });
    const kills = (radiant: boolean) => payloads(drafts, 'player.state').filter((p) => (p.player.team === 'radiant') === radiant).reduce((a, p) => a + (p.stats.kills ?? 0), 0);
    expect([kills(true), kills(false)]).toEqual([doc.radiant_score, doc.dire_score]);
    expect([kills(true), kills(false)]).toEqual([30, 7]);
    expect(draftsOf(drafts, 'draft.picked').length + draftsOf(drafts, 'draft.banned').length).toBe(doc.picks_bans.length);
    expect(payloads(drafts, 'match.ended')).toEqual([{ winner: 'radiant', score: [30, 7], durationMs: 2_846_000 }]);
  });

  it('details_api.json (match 1781962623): kills per side = the OpenDota document of the same match (51 / 22)', () => {
    const drafts = run(steamMatch, [load('details_api.json')]);
    expectValidDrafts(steamMatch, drafts);
    expect(countBy(drafts, (d) => d.type)).toEqual({ 'match.started': 1, 'player.state': 10, 'team.state': 2, 'match.ended': 1 });
    const od = JSON.parse(load('1781962623_output.json')) as { players: { kills: number; isRadiant: boolean }[] };
    const odKills = [true, false].map((r) => od.players.filter((p) => p.isRadiant === r).reduce((a, p) => a + p.kills, 0));
    expect(payloads(drafts, 'match.ended')[0]!.score).toEqual(odKills);
    expect(odKills).toEqual([51, 22]);
    // Three players are anonymous in Steam's answer (account 4294967295): ids fall back to their slot.
    expect(payloads(drafts, 'player.state').filter((p) => p.player.id.startsWith('slot-')).length).toBe(3);
  });
});
