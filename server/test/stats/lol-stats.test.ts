// LoL: K/D/A computed from the timeline's kill events must equal Riot's own per-participant numbers
// in the match JSON; on our fixture (always) and on every match + timeline pair in ../shared/data.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFiles } from '../../src/cli/parse.ts';
import { statsOfEvents } from '../../src/cli/stats.ts';
import { describeWithSharedData, sharedFile } from '../adapters/harness.ts';

interface Participant { puuid: string; kills: number; deaths: number; assists: number; totalMinionsKilled: number; neutralMinionsKilled: number; goldEarned: number; totalDamageDealtToChampions: number; teamId: number }

async function compare(match: string, timeline: string) {
  // The timeline alone: the match JSON's final numbers must not be what we count.
  const { events } = await parseFiles('lol-match', [timeline], { tenant: 't', streamId: 's', receivedAt: '2026-01-01T00:00:00.000Z' });
  const [stats] = statsOfEvents(events);
  const riot = (JSON.parse(readFileSync(match, 'utf8')) as { info: { participants: Participant[] } }).info.participants;
  const mismatches = riot.flatMap((p) => {
    const ours = stats!.players.find((q) => q.id === p.puuid);
    const a = [p.kills, p.deaths, p.assists];
    const b = [ours?.kills, ours?.deaths, ours?.assists];
    return a.every((x, i) => x === b[i]) ? [] : [`${p.puuid.slice(0, 8)}: riot ${a.join('/')} vs ours ${b.join('/')}`];
  });
  return { stats: stats!, riot, mismatches };
}

const FIX = (f: string) => new URL(`../fixtures/lol-match/${f}`, import.meta.url).pathname;

describe('LoL stats from a Match-V5 timeline (our fixtures)', () => {
  it('K/D/A per participant equal the match JSON; team kills, KP and lane pairs follow', async () => {
    const { stats, riot, mismatches } = await compare(FIX('match-2024.json'), FIX('timeline-2024.json'));
    expect(mismatches).toEqual([]);
    expect(stats.players).toHaveLength(riot.length);
    for (const t of stats.teams) expect(t.kills).toBe(stats.players.filter((p) => p.team === t.id).reduce((a, p) => a + p.kills, 0));
    for (const p of stats.players) if (p.killParticipation !== undefined) expect(p.killParticipation).toBeLessThanOrEqual(1);
  });

  it('with the match JSON too: roles pair lane opponents, and gold diff at 10 is symmetric', async () => {
    const { events } = await parseFiles('lol-match', [FIX('match-2024.json'), FIX('timeline-2024.json')], { tenant: 't', streamId: 's', receivedAt: '2026-01-01T00:00:00.000Z' });
    const [s] = statsOfEvents(events);
    const top = s!.players.filter((p) => p.role === 'TOP');
    expect(top).toHaveLength(2);
    expect(top[0]!.laneOpponent).toBe(top[1]!.id);
    if (top[0]!.goldDiffAt10 !== undefined) expect(top[0]!.goldDiffAt10).toBe(-top[1]!.goldDiffAt10!);
    expect(s!.teams[0]!.goldDiff).toBe(-s!.teams[1]!.goldDiff!);
  });
});

describeWithSharedData('LoL stats on real Match-V5 pairs', () => {
  const pairs = [
    ['match.json', 'match.timeline.json'],
    ['match_KR_5207698410.json', 'matchTimeline_KR_5207698410.json'],
    ['match_NA1_3923487226.json', 'matchTimeline_NA1_3923487226.json'],
  ].map(([m, t]) => [sharedFile('fixtures', 'lol-riot-api', m!), sharedFile('fixtures', 'lol-riot-api', t!)] as const);
  for (const [m, t] of pairs) {
    it(`${m.split('/').at(-1)}: all 10 participants' K/D/A from the timeline equal Riot's`, async () => {
      expect(existsSync(t)).toBe(true);
      const { mismatches, stats } = await compare(m, t);
      process.stdout.write(`lol ${m.split('/').at(-1)}: ${10 - mismatches.length}/10 participants match Riot's K/D/A\n`);
      expect(mismatches).toEqual([]);
      expect(stats.players).toHaveLength(10);
    });
  }
});
