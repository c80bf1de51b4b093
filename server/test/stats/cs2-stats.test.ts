// Our CS2 stats, computed from kill/damage/assist events only, against the server's own cumulative
// round_stats blocks at every round boundary: on our fixture (always) and on the real capture in
// ../shared/data (skipped when absent).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFiles } from '../../src/cli/parse.ts';
import { statsOfEvents } from '../../src/cli/stats.ts';
import { describeWithSharedData, sharedFile } from '../adapters/harness.ts';
import { compareRoundStats, roundStatsBlocks } from './round-stats.ts';

const FIXTURE = new URL('../fixtures/cs2-log/wingman.log', import.meta.url).pathname;

async function perRoundOf(file: string) {
  const { events } = await parseFiles('cs2-log', [file], { tenant: 't', streamId: 's', receivedAt: '2026-01-01T00:00:00.000Z' });
  const [m] = statsOfEvents(events, { perRound: true });
  const from = Date.parse(events[0]!.occurredAt);
  const to = Date.parse(events.at(-1)!.occurredAt);
  return { m: m!, events, from, to };
}

describe('CS2 per-round stats vs the server’s round_stats (our fixture)', () => {
  it('matches kills, deaths, assists and damage of every player at every round boundary', async () => {
    const { m, from, to } = await perRoundOf(FIXTURE);
    const c = compareRoundStats(roundStatsBlocks(readFileSync(FIXTURE, 'utf8')), m.perRound!, from, to);
    expect(c.playerRounds).toBeGreaterThan(0);
    expect(c.mismatches).toEqual([]);
  });
});

describeWithSharedData('CS2 per-round stats vs round_stats (real capture)', () => {
  const file = sharedFile('fixtures', 'cs2-server-logs', '0f870999-5f60-4259-7837-08de566fc039.log');
  it('every player-round of the live match matches the server on kills, deaths, assists and damage', async () => {
    const { m, from, to } = await perRoundOf(file);
    const c = compareRoundStats(roundStatsBlocks(readFileSync(file, 'utf8')), m.perRound!, from, to);
    process.stdout.write(`cs2 round_stats: ${c.matching}/${c.playerRounds} player-rounds match (kills, deaths, assists, dmg); also equal: ${JSON.stringify(c.reported)}\n`);
    expect(c.playerRounds).toBe(140); // 14 blocks of the live match × 10 players
    expect(c.mismatches).toEqual([]);
    // The final stats agree with the score: 15 rounds, 13–2.
    expect(m.rounds).toHaveLength(15);
    expect(m.teams.map((t) => t.score)).toEqual([13, 2]);
  });
});
