// Dota 2 GSI on the real captures in ../shared/data/fixtures/dota2-gsi: per-section fragments of a
// playing and a spectating client (match 6671869265), a few values replaced by placeholders
// ("roshan_state": "string"). Fragments without a map are joined to the capture's map section.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { dota2Gsi } from '../../../src/ingest/adapters/dota2/gsi.ts';
import { countBy, describeWithSharedData, expectValidDrafts, run, sharedFile } from '../harness.ts';
import { draftsOf } from './helpers.ts';

type Json = Record<string, unknown>;
const load = (name: string): Json => JSON.parse(readFileSync(sharedFile('fixtures', 'dota2-gsi', name), 'utf8')) as Json;
const merge = (...names: string[]): Json => Object.assign({}, ...names.map(load)) as Json;

describeWithSharedData('dota2-gsi on real captures', () => {
  const spectating = () => merge('provider.json', 'map_spectating.json', 'player_spectating.json', 'hero_spectating.json', 'items_spectating.json', 'abilities_spectating.json', 'wearables_spectating.json', 'buildings_spectating.json', 'draft_spectator.json', 'events.json');
  const playing = () => merge('provider.json', 'map_playing.json', 'player_playing.json', 'hero_playing.json', 'items_playing.json', 'abilities_playing.json', 'wearables_playing.json', 'buildings_playing.json');
  const players = (p: Json) => Object.values(p.player as Record<string, Record<string, Json>>).flatMap((team) => Object.values(team));

  it('parses every fragment (joined to the map) and both whole states into valid drafts', () => {
    const names = ['abilities', 'buildings', 'hero', 'items', 'player', 'wearables'].flatMap((s) => [`${s}_playing.json`, `${s}_spectating.json`]);
    for (const name of [...names, 'hero_playing_incomplete.json', 'hero_spectating_incomplete.json', 'draft_spectator.json', 'events.json']) {
      const map = name.includes('playing') ? 'map_playing.json' : 'map_spectating.json';
      expectValidDrafts(dota2Gsi, run(dota2Gsi, [JSON.stringify(merge('provider.json', map, name))]));
    }
    const s = run(dota2Gsi, [JSON.stringify(spectating())]);
    expectValidDrafts(dota2Gsi, s);
    expect(countBy(s, (d) => d.type)).toEqual({ 'match.started': 1, 'objective.taken': 1, 'score.changed': 1, 'player.state': 10, 'team.state': 2 });
    const p = run(dota2Gsi, [JSON.stringify(playing())]);
    expectValidDrafts(dota2Gsi, p);
    expect(countBy(p, (d) => d.type)).toEqual({ 'match.started': 1, 'score.changed': 1, 'player.state': 1 });
  });

  it('kills derived from the spectated kill lists add up to the players\' kills (from a baseline with no kills yet)', () => {
    const capture = spectating();
    const baseline = structuredClone(capture);
    for (const p of players(baseline)) {
      p.kills = 0;
      p.kill_list = {};
    }
    const kills = draftsOf(run(dota2Gsi, [JSON.stringify(baseline), JSON.stringify(capture)]), 'player.killed.player');
    const sumKills = players(capture).reduce((a, p) => a + (p.kills as number), 0);
    const sumKillLists = players(capture).reduce((a, p) => a + Object.values(p.kill_list as Record<string, number>).reduce((x, y) => x + y, 0), 0);
    expect([kills.length, sumKills, sumKillLists]).toEqual([10, 10, 10]);
    expect(kills.filter((k) => k.payload.killer?.team === 'radiant').length).toBe(6);
    // The fragments are from different moments: the map says 12–24, the players' lines 6–4.
    const map = capture.map as Json;
    expect([map.radiant_score, map.dire_score]).toEqual([12, 24]);
  });

  it('draft events match the filled pick/ban slots; missing towers become objectives after a full baseline', () => {
    const capture = spectating();
    const empty = structuredClone(capture);
    delete empty.draft;
    const draft = run(dota2Gsi, [JSON.stringify(empty), JSON.stringify(capture)]).filter((d) => d.type.startsWith('draft.'));
    const slots = Object.values((capture.draft as Record<string, Json>) ?? {})
      .filter((v) => typeof v === 'object' && v !== null)
      .flatMap((team) => Object.entries(team).filter(([k, v]) => /_id$/.test(k) && v !== 0));
    expect([draft.length, slots.length]).toEqual([7, 7]);
    expect(countBy(draft, (d) => d.type)).toEqual({ 'draft.picked': 3, 'draft.banned': 4 });

    const full = structuredClone(capture);
    const buildings = full.buildings as Record<string, Record<string, Json>>;
    buildings.radiant!.dota_goodguys_tower1_bot = { health: 1800, max_health: 1800 };
    buildings.dire!.dota_badguys_tower1_top = { health: 1800, max_health: 1800 };
    const taken = draftsOf(run(dota2Gsi, [JSON.stringify(full), JSON.stringify(capture)]), 'objective.taken').filter((d) => d.payload.objective === 'tower');
    const standing = Object.values(capture.buildings as Record<string, Json>).flatMap((b) => Object.keys(b)).filter((n) => n.includes('tower')).length;
    expect([taken.length, 22 - standing]).toEqual([2, 2]);
    expect(taken.map((d) => `${d.payload.team}:${d.payload.subtype}`).sort()).toEqual(['dire:tower1_bot', 'radiant:tower1_top']);
  });
});
