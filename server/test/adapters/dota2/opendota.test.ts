// OpenDota match documents: a hand-made one (the same 2v2 as the GSI fixture) and the real parsed
// public match 1781962623 from ../shared/data.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dota2Gsi } from '../../../src/ingest/adapters/dota2/gsi.ts';
import { openDota } from '../../../src/ingest/adapters/dota2/opendota.ts';
import { isParseError } from '../../../src/ingest/adapters/errors.ts';
import { countBy, ctx, describeWithSharedData, expectValidDrafts, fuzz, run, sharedFile } from '../harness.ts';
import { draftsOf, payloads } from './helpers.ts';

const own = readFileSync(new URL('../../fixtures/opendota/match-7412005566.json', import.meta.url), 'utf8');

function parseErrorOf(doc: unknown): string {
  try {
    openDota.parse(Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)), openDota.initialState(), ctx());
  } catch (err) {
    expect(isParseError(err), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a ParseError');
}

describe('opendota: hand-made match', () => {
  const drafts = run(openDota, [own]);

  it('emits valid drafts in game order', () => {
    expectValidDrafts(openDota, drafts);
    expect(countBy(drafts, (d) => d.type)).toEqual({
      'match.started': 1,
      'draft.banned': 2,
      'draft.picked': 4,
      'player.killed.player': 3,
      'objective.taken': 5,
      'player.state': 4 * 28 + 4,
      'team.state': 2 * 28 + 2,
      'match.ended': 1,
    });
    const times = drafts.map((d) => d.gameTime ?? 0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('starts with team names, mode and the draft in order', () => {
    expect(drafts[0]!.payload).toEqual({ teams: [{ id: 'radiant', name: 'Harbor Lights' }, { id: 'dire', name: 'Night Owls' }], mode: 'Captains Mode', extra: { lobbyType: 1, gameModeId: 2, patch: 58, region: 3 } });
    expect(drafts[0]!.occurredAt).toBe('2025-11-24T16:02:00.000Z');
    expect(drafts.slice(1, 7).map((d) => [d.type, (d.payload as { character: string }).character, (d.payload as { order: number }).order])).toEqual([
      ['draft.banned', 'Dawnbreaker', 0],
      ['draft.banned', 'Skywrath Mage', 1],
      ['draft.picked', 'Juggernaut', 2],
      ['draft.picked', 'Invoker', 3],
      ['draft.picked', 'Axe', 4],
      ['draft.picked', 'Lion', 5],
    ]);
  });

  it('reads kills from kills_log, finding the victim by hero on the other side', () => {
    const kills = draftsOf(drafts, 'player.killed.player');
    expect(kills.map((k) => [k.gameTime, k.payload.killer?.name, k.payload.victim.name, k.payload.victim.character, k.payload.firstBlood ?? false])).toEqual([
      [95_000, 'Kestrel', 'Vantablack', 'Invoker', true],
      [1_500_000, 'Morrow', 'Oddjob', 'Axe', false],
      [1_500_000, 'Oddjob', 'Kestrel', 'Juggernaut', false],
    ]);
  });

  it('credits buildings (a creep kill has no player) and Roshan; the aegis is not an objective', () => {
    expect(draftsOf(drafts, 'objective.taken').map((d) => [d.gameTime, d.payload.objective, d.payload.subtype, d.payload.team, d.payload.player?.name, d.key])).toEqual([
      [130_000, 'tower', 'tower1_mid', 'radiant', 'Kestrel', 'building:dire:tower1_mid'],
      [1_495_000, 'roshan', undefined, 'radiant', undefined, 'roshan:1495'],
      [1_580_000, 'tower', 'tower4', 'radiant', undefined, 'building:dire:tower4'],
      [1_600_000, 'tower', 'tower4', 'radiant', 'Morrow', 'building:dire:tower4:2'],
      [1_619_000, 'ancient', 'ancient', 'radiant', 'Kestrel', 'building:dire:ancient'],
    ]);
  });

  it('snapshots players and teams each minute: team gold difference = radiant_gold_adv', () => {
    const doc = JSON.parse(own) as { radiant_gold_adv: number[]; radiant_xp_adv: number[] };
    const teams = payloads(drafts, 'team.state').slice(0, -2);
    for (let m = 0; m < 28; m++) {
      const [r, d] = [teams[2 * m]!.stats, teams[2 * m + 1]!.stats];
      expect([r.gold! - d.gold!, r.xp! - d.xp!]).toEqual([doc.radiant_gold_adv[m], doc.radiant_xp_adv[m]]);
    }
    const kestrel = payloads(drafts, 'player.state').filter((p) => p.player.name === 'Kestrel');
    expect(kestrel[2]!.stats).toEqual({ totalGold: 1670, xp: 1040, lastHits: 14, denies: 2, kills: 1 });
    expect(kestrel.at(-1)!.stats).toEqual({ kills: 1, deaths: 1, assists: 0, lastHits: 196, denies: 12, gold: 1900, totalGold: 13045, level: 16, damage: 9800 });
  });

  it('ends with the winner and radiant_score/dire_score', () => {
    expect(drafts.at(-1)).toMatchObject({ type: 'match.ended', payload: { winner: 'radiant', score: [2, 1], durationMs: 1_620_000 }, occurredAt: '2025-11-24T16:29:00.000Z' });
  });

  it('names the draft, buildings and the result like GSI does, so the same facts from both sources share keys', () => {
    const gsi = run(dota2Gsi, (JSON.parse(readFileSync(new URL('../../fixtures/dota2-gsi/spectating-match.json', import.meta.url), 'utf8')) as unknown[]).map((p) => JSON.stringify(p)));
    const keys = (ds: typeof drafts, pred: (t: string) => boolean) => new Set(ds.filter((d) => pred(d.type)).map((d) => d.key));
    const shared = (t: string) => t.startsWith('draft.') || t.startsWith('match.');
    expect(keys(drafts, shared)).toEqual(keys(gsi, shared));
    expect(keys(gsi, (t) => t === 'objective.taken')).toContain('building:dire:tower1_mid');
    expect(keys(drafts, (t) => t === 'objective.taken')).toContain('building:dire:tower1_mid');
  });

  it('rejects documents that are not a match, naming the field', () => {
    expect(parseErrorOf('nope')).toMatch(/opendota: not valid JSON/);
    expect(parseErrorOf({ start_time: 1, duration: 1, players: [] })).toMatch(/numeric Dota match id.*\/match_id/);
    expect(parseErrorOf({ match_id: 5, duration: 1, players: [] })).toMatch(/expected a number.*\/start_time/);
    expect(parseErrorOf({ match_id: 5, start_time: 1, duration: 1, players: {} })).toMatch(/expected an array.*\/players/);
    expect(parseErrorOf({ match_id: 5, start_time: 1, duration: 1, players: [{ hero_id: 1 }] })).toMatch(/player_slot.*\/players\/0\/player_slot/);
    expect(parseErrorOf({ match_id: 5, start_time: 1, duration: 1, players: [], picks_bans: [{ is_pick: true }] })).toMatch(/\/picks_bans\/0\/hero_id/);
    expect(parseErrorOf({ match_id: 5, start_time: 1, duration: 1, players: [{ player_slot: 0 }, { player_slot: 0 }] })).toMatch(/player_slot 0 appears twice.*\/players\/1\/player_slot/);
  });

  it('fuzz: valid drafts or a ParseError', () => {
    fuzz(openDota, [own], { runs: 100 });
  });
});

describeWithSharedData('opendota on the real match 1781962623', () => {
  const raw = readFileSync(sharedFile('fixtures', 'dota2-opendota', '1781962623_output.json'), 'utf8');
  const doc = JSON.parse(raw) as { radiant_win: boolean; radiant_gold_adv: number[]; radiant_xp_adv: number[]; players: { kills: number; isRadiant: boolean }[] };
  const drafts = run(openDota, [raw]);

  it('emits valid drafts', () => {
    expectValidDrafts(openDota, drafts);
    expect(countBy(drafts, (d) => d.type)).toEqual({ 'match.started': 1, 'player.killed.player': 73, 'objective.taken': 15, 'player.state': 390, 'team.state': 78, 'match.ended': 1 });
  });

  it("kill events = the players' kills (51 + 22), per side, and the final score", () => {
    const kills = draftsOf(drafts, 'player.killed.player');
    const bySide = (radiant: boolean) => doc.players.filter((p) => p.isRadiant === radiant).reduce((a, p) => a + p.kills, 0);
    expect([kills.filter((k) => k.payload.killer?.team === 'radiant').length, kills.filter((k) => k.payload.killer?.team === 'dire').length]).toEqual([bySide(true), bySide(false)]);
    expect([bySide(true), bySide(false)]).toEqual([51, 22]);
    expect(payloads(drafts, 'match.ended')[0]).toEqual({ winner: doc.radiant_win ? 'radiant' : 'dire', score: [51, 22], durationMs: 2_220_000 });
  });

  it("the last minute's team gold and xp differences equal radiant_gold_adv / radiant_xp_adv", () => {
    const teams = payloads(drafts, 'team.state').slice(0, -2);
    const [r, d] = teams.slice(-2).map((t) => t.stats);
    expect([r!.gold! - d!.gold!, doc.radiant_gold_adv.at(-1)]).toEqual([47817, 47817]);
    expect([r!.xp! - d!.xp!, doc.radiant_xp_adv.at(-1)]).toEqual([37680, 37680]);
  });

  it('buildings: 14 kills, all by Radiant, the second tier-4 tower keyed apart', () => {
    const buildings = draftsOf(drafts, 'objective.taken').filter((d) => d.payload.objective !== 'roshan');
    expect(buildings.length).toBe(14);
    expect(new Set(buildings.map((d) => d.payload.team))).toEqual(new Set(['radiant']));
    expect(buildings.filter((d) => d.payload.subtype === 'tower4').map((d) => d.key)).toEqual(['building:dire:tower4', 'building:dire:tower4:2']);
  });
});
