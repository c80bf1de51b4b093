// lol-match on the real Match-V5 captures in ../shared/data/fixtures/lol-riot-api (2021 patch 11.10
// and 2024 patch 14.7 shapes). Totals from the replayed timeline are checked against the match JSON
// of the same game, and against other parts of the timeline itself.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lolMatch } from '../../../src/ingest/adapters/lol/match-v5/adapter.ts';
import type { Draft } from '../../../src/ingest/adapters/types.ts';
import { countBy, describeWithSharedData, expectValidDrafts, run, sharedFile } from '../harness.ts';
import { ofType } from './fixtures.ts';

type Raw = Record<string, unknown> & { type: string };
interface Timeline { info: { frames: { events: Raw[]; participantFrames: Record<string, { level: number }> }[] } }
interface Match {
  info: {
    participants: { participantId: number; teamId: number; kills: number; championName: string }[];
    teams: { teamId: number; win: boolean; objectives: Record<string, { kills: number }> }[];
  };
}

const dir = (name: string) => sharedFile('fixtures', 'lol-riot-api', name);
const load = <T,>(name: string): T => JSON.parse(readFileSync(dir(name), 'utf8')) as T;
const events = (t: Timeline) => t.info.frames.flatMap((f) => f.events);
const side = (teamId: number) => (teamId === 100 ? 'blue' : 'red');

function objectives(drafts: Draft[], team: string, ...kinds: string[]): number {
  return ofType(drafts, 'objective.taken').filter((d) => d.payload.team === team && kinds.includes(d.payload.objective)).length;
}

const PAIRS = [
  ['match.json', 'match.timeline.json', 49],
  ['match_KR_5207698410.json', 'matchTimeline_KR_5207698410.json', 32],
  ['match_NA1_3923487226.json', 'matchTimeline_NA1_3923487226.json', 31],
] as const;

const TIMELINES = [
  'matchTimeline_KR_5207900239.json',
  'matchTimeline_NA1_3923257498.json',
  'matchTimeline_NA1_3923326200.json',
  'matchTimeline_NA1_3923330655.json',
  'matchTimeline_NA1_3924866010.json',
  'matchTimeline_NA1_3925576023.json',
];

describeWithSharedData('lol-match on real Match-V5 captures', () => {
  describe.each(PAIRS)('%s + %s', (matchFile, timelineFile, totalKills) => {
    const match = load<Match>(matchFile);
    const timeline = load<Timeline>(timelineFile);
    const drafts = run(lolMatch, [readFileSync(dir(matchFile)), readFileSync(dir(timelineFile))]);

    it('emits only valid drafts with unique keys', () => {
      expectValidDrafts(lolMatch, drafts);
      expect(countBy(drafts, (d) => d.type)['match.ended']).toBe(1);
    });

    it(`kills: timeline CHAMPION_KILL = kill drafts = Σ participants' kills = ${totalKills}`, () => {
      const raw = events(timeline).filter((e) => e.type === 'CHAMPION_KILL').length;
      const sum = match.info.participants.reduce((n, p) => n + p.kills, 0);
      const kills = ofType(drafts, 'player.killed.player');
      expect([raw, kills.length, sum]).toEqual([totalKills, totalKills, totalKills]);
      for (const p of match.info.participants) {
        const byPlayer = kills.filter((k) => k.payload.killer?.character === p.championName && k.payload.killer.team === side(p.teamId)).length;
        expect(byPlayer, `kills of participant ${p.participantId}`).toBe(p.kills);
      }
    });

    it('kills and objectives per team = info.teams[].objectives; winner and score from the teams', () => {
      const end = ofType(drafts, 'match.ended')[0]!.payload;
      for (const team of match.info.teams) {
        const s = side(team.teamId);
        const o = team.objectives;
        expect(ofType(drafts, 'player.killed.player').filter((k) => k.payload.killer?.team === s).length, `${s} kills`).toBe(o.champion!.kills);
        expect(objectives(drafts, s, 'dragon', 'elder_dragon'), `${s} dragons`).toBe(o.dragon!.kills);
        expect(objectives(drafts, s, 'baron_nashor'), `${s} barons`).toBe(o.baron!.kills);
        expect(objectives(drafts, s, 'tower'), `${s} towers`).toBe(o.tower!.kills);
        expect(objectives(drafts, s, 'inhibitor'), `${s} inhibitors`).toBe(o.inhibitor!.kills);
        expect(objectives(drafts, s, 'rift_herald'), `${s} heralds`).toBe(o.riftHerald!.kills);
        if (o.horde) expect(objectives(drafts, s, 'void_grub'), `${s} void grubs`).toBe(o.horde.kills);
        expect(end.score[s === 'blue' ? 0 : 1]).toBe(o.champion!.kills);
        if (team.win) expect(end.winner).toBe(s);
      }
    });

    it('the timeline alone names the same champions as the match JSON (from its damage entries)', () => {
      const alone = run(lolMatch, [readFileSync(dir(timelineFile))]);
      const learned = new Map<string, string | undefined>();
      for (const d of ofType(alone, 'player.state')) learned.set(d.payload.player.id, d.payload.player.character);
      const fromMatch = ofType(drafts, 'draft.picked').map((d) => [d.payload.player!.id, d.payload.character]);
      expect(fromMatch.map(([id]) => [id, learned.get(id!)])).toEqual(fromMatch);
    });
  });

  describe.each(TIMELINES)('%s (no match JSON)', (file) => {
    const timeline = load<Timeline>(file);
    const drafts = run(lolMatch, [readFileSync(dir(file))]);

    it('emits only valid drafts with unique keys', () => {
      expectValidDrafts(lolMatch, drafts);
    });

    it('kill drafts = CHAMPION_KILL events; the score counts those with a champion killer; winner = GAME_END', () => {
      const raw = events(timeline).filter((e) => e.type === 'CHAMPION_KILL');
      expect(ofType(drafts, 'player.killed.player').length).toBe(raw.length);
      const end = ofType(drafts, 'match.ended')[0]!.payload;
      expect(end.score[0] + end.score[1]).toBe(raw.filter((e) => (e.killerId as number) > 0).length);
      const gameEnd = events(timeline).find((e) => e.type === 'GAME_END')!;
      expect(end.winner).toBe(side(gameEnd.winningTeam as number));
    });

    it('the highest level-up per player = the level in the last frame', () => {
      const last = timeline.info.frames.at(-1)!.participantFrames;
      const lastFrame = ofType(drafts, 'player.state').filter((d) => d.gameTime === ofType(drafts, 'player.state').at(-1)!.gameTime);
      for (const d of lastFrame) {
        const top = Math.max(1, ...ofType(drafts, 'player.leveled.up').filter((l) => l.payload.player.id === d.payload.player.id).map((l) => l.payload.level));
        expect(top).toBe(d.payload.stats.level);
      }
      expect(lastFrame.map((d) => d.payload.stats.level).sort()).toEqual(Object.values(last).map((p) => p.level).sort());
    });
  });
});
