// lol-live-client on the real Live Client Data captures in ../shared/data/fixtures/lol-live-client-data
// (patch 11.21 practice-tool and ranked games, and 2020 captures). Kills from the events are checked
// against the scoreboard (allPlayers[].scores.kills) of the same capture.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lolLiveClient } from '../../../src/ingest/adapters/lol/live-client/adapter.ts';
import { ctx, describeWithSharedData, expectValidDrafts, sharedFile } from '../harness.ts';
import { ofType } from './fixtures.ts';

interface Capture {
  allPlayers?: { scores: { kills: number } }[];
  events?: { Events: { EventName: string; KillerName?: string }[] };
  Events?: { EventName: string; KillerName?: string }[];
}

const dir = (name: string) => sharedFile('fixtures', 'lol-live-client-data', name);
/** Event names the adapter turns into a draft (GameEnd only once per match). */
const MAPPED = new Set(['ChampionKill', 'TurretKilled', 'InhibKilled', 'DragonKill', 'HeraldKill', 'BaronKill', 'HordeKill', 'AtakhanKill']);
const WORLD = /^(Minion_|Turret_|SRU_)/;

// [file, ChampionKill events, of which by a champion, Σ scores.kills (undefined: no scoreboard)]
const CAPTURES: [string, number, number, number | undefined][] = [
  ['ranked_00.json', 57, 57, 57],
  ['practice_00.json', 0, 0, 0],
  ['practice_01.json', 10, 9, 9],
  ['practice_02.json', 0, 0, 0],
  ['practice_03.json', 1, 1, 1],
  // 2020 capture, mid-game: its event list holds the client's sample events (all EventID 0, names like
  // "Riot Tuxedo") plus EventIDs 1 and 53 only — the 51 events between were not in the capture — so
  // 2 kills in the events against 26 on the scoreboard.
  ['allGameData.json', 2, 2, 26],
  ['eventData.json', 41, 41, undefined],
  // A bare /playerlist: a scoreboard without events.
  ['playerList.json', 0, 0, 65],
];

describeWithSharedData('lol-live-client on real Live Client Data captures', () => {
  describe.each(CAPTURES)('%s', (file, championKills, byChampion, scoreboard) => {
    const raw = readFileSync(dir(file));
    const capture = JSON.parse(raw.toString('utf8')) as Capture | Capture['allPlayers'];
    const out = lolLiveClient.parse(raw, lolLiveClient.initialState(), ctx({ streamId: 'capture' }));
    const events = Array.isArray(capture) ? [] : (capture?.events?.Events ?? capture?.Events ?? []);
    const players = Array.isArray(capture) ? capture : capture?.allPlayers;

    it('emits only valid drafts with unique keys; the same capture again is all duplicates', () => {
      expectValidDrafts(lolLiveClient, out.drafts);
      expect(lolLiveClient.parse(raw, out.state, ctx({ streamId: 'capture' })).drafts).toEqual([]);
    });

    it('one draft per mapped event (kills, structures, monsters) and one match.ended per GameEnd', () => {
      const mapped = events.filter((e) => MAPPED.has(e.EventName)).length;
      expect(out.drafts.filter((d) => d.type === 'player.killed.player' || d.type === 'objective.taken').length).toBe(mapped);
      expect(ofType(out.drafts, 'match.ended').length).toBe(events.some((e) => e.EventName === 'GameEnd') ? 1 : 0);
    });

    it(`kills: ChampionKill events ${championKills}, by a champion ${byChampion}, scoreboard ${scoreboard ?? '—'}`, () => {
      const kills = ofType(out.drafts, 'player.killed.player');
      expect(events.filter((e) => e.EventName === 'ChampionKill').length).toBe(championKills);
      expect(kills.length).toBe(championKills);
      expect(kills.filter((k) => k.payload.killer).length).toBe(byChampion);
      expect(events.filter((e) => e.EventName === 'ChampionKill' && !WORLD.test(e.KillerName ?? '')).length).toBe(byChampion);
      if (players) {
        const sum = players.reduce((n, p) => n + p.scores.kills, 0);
        expect(sum).toBe(scoreboard);
        expect(ofType(out.drafts, 'player.state').length).toBe(players.length);
        const teamKills = ofType(out.drafts, 'team.state').reduce((n, d) => n + (d.payload.stats.kills ?? 0), 0);
        expect(teamKills).toBe(sum);
      }
    });
  });
});
