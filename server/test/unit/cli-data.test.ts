// The data commands of the CLI as a user runs them: parse (NDJSON out, clear failure), simulate, and
// replay into the event log or to a running Clutch over HTTP.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventProblems, type Envelope } from '@clutch/core';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseFiles } from '../../src/cli/parse.ts';
import { replayToHttp, replayToLog, logSeconds } from '../../src/cli/replay.ts';
import { MemoryEventLog } from '../../src/infra/memory/event-log.ts';
import { embeddedApp } from '../support/app.ts';
import { collect } from '../contract/event-log.contract.ts';

const bin = fileURLToPath(new URL('../../bin/clutch.mjs', import.meta.url));
const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const clutch = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, timeout: 60_000 });
const lines = (out: string) => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Envelope);

describe('clutch parse', () => {
  it('prints a CS2 log as valid canonical events, seq from 1 per match', () => {
    const r = clutch(['parse', 'cs2-log', fixture('cs2-log/wingman.log')]);
    expect(r.status, r.stderr).toBe(0);
    const events = lines(r.stdout);
    expect(events.length).toBeGreaterThan(20);
    for (const e of events) expect(eventProblems(e), e.type).toEqual([]);
    for (const id of new Set(events.map((e) => e.matchId))) {
      const seqs = events.filter((e) => e.matchId === id).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    expect(events[0]!.type).toBe('match.started');
    expect(events.some((e) => e.type === 'match.ended')).toBe(true);
    expect(r.stderr).toMatch(/clutch parse: \d+ events in \d+ match/);
  });

  it('reads a LoL match and its timeline together as one match', () => {
    const r = clutch(['parse', 'lol-match', fixture('lol-match/match-2024.json'), fixture('lol-match/timeline-2024.json')]);
    expect(r.status, r.stderr).toBe(0);
    const events = lines(r.stdout);
    expect(new Set(events.map((e) => e.matchId)).size).toBe(1);
    // The score counts champion kills of the other team (not executions by towers or minions).
    const kills = events.filter((e) => {
      if (e.type !== 'player.killed.player') return false;
      const p = e.payload as { killer?: { team?: string }; victim: { team?: string } };
      return p.killer !== undefined && p.killer.team !== p.victim.team;
    }).length;
    const end = events.find((e) => e.type === 'match.ended')!.payload as { score: [number, number] };
    expect(kills).toBe(end.score[0] + end.score[1]);
  });

  it('fails with a message naming the problem and exit code 1 on input it cannot parse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clutch-parse-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"event": "round_end", "matchid": ');
    const r = clutch(['parse', 'get5', bad]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/get5: not valid JSON.*\[CLUTCH_PARSE_INVALID\]/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('names the known sources when given an unknown one', () => {
    const r = clutch(['parse', 'quake', fixture('cs2-log/wingman.log')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown source "quake"; known sources: cs2-log, .*faceit/);
  });
});

describe('clutch simulate', () => {
  it('writes consistent synthetic events to stdout', () => {
    const r = clutch(['simulate', '--titles', 'cs2,lol', '--matches', '2', '--rate', '50000', '--events', '2000', '--out', 'stdout']);
    expect(r.status, r.stderr).toBe(0);
    const events = lines(r.stdout);
    expect(events).toHaveLength(2000);
    for (const e of events.slice(0, 300)) expect(eventProblems(e)).toEqual([]);
    expect(new Set(events.map((e) => e.title))).toEqual(new Set(['cs2', 'lol']));
  });
});

describe('clutch replay', () => {
  it('replays a recorded match into the event log as a fresh live match', async () => {
    const log = new MemoryEventLog();
    await log.ensureTopics([{ name: 'events', partitions: 2 }]);
    const progress: string[] = [];
    const n = await replayToLog(log, 'events', 'cs2-log', [fixture('cs2-log/wingman.log')], { speed: Infinity, tenant: 'demo', progress: (l) => progress.push(l) });
    const sub = await log.subscribe({ groupId: 'check', topics: ['events'] });
    const events = (await collect(sub, n)).map((r) => JSON.parse(r.value.toString()) as Envelope);
    await sub.close();
    expect(events.every((e) => /-replay-\d{14}$/.test(e.matchId))).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(progress.at(-1)).toMatch(new RegExp(`${n}/${n} events`));
  });

  it('paces a replay by the recorded time: 10× plays the recorded span in a tenth of it, in order', async () => {
    const log = new MemoryEventLog();
    await log.ensureTopics([{ name: 'events', partitions: 1 }]);
    let clock = Date.parse('2026-11-24T18:00:00Z');
    const waits: number[] = [];
    const o = { speed: 10, tenant: 'demo', progress: () => {}, now: () => clock, sleep: async (ms: number) => void (waits.push(ms), (clock += ms)) };
    const n = await replayToLog(log, 'events', 'cs2-log', [fixture('cs2-log/wingman.log')], o);
    const sub = await log.subscribe({ groupId: 'paced', topics: ['events'] });
    const events = (await collect(sub, n)).map((r) => JSON.parse(r.value.toString()) as Envelope);
    await sub.close();
    // The recorded span of the log, from its own timestamps (read as UTC).
    const seconds = logSeconds(readFileSync(fixture('cs2-log/wingman.log'), 'utf8')).map((b) => b.at!);
    const replayed = Date.parse(events.at(-1)!.occurredAt) - Date.parse(events[0]!.occurredAt);
    const original = (await parseFiles('cs2-log', [fixture('cs2-log/wingman.log')], { tenant: 'x', streamId: 'x', receivedAt: new Date(0).toISOString() })).events;
    const recordedSpan = Date.parse(original.at(-1)!.occurredAt) - Date.parse(original[0]!.occurredAt);
    expect(recordedSpan).toBeGreaterThan(10_000);
    expect(recordedSpan).toBeLessThanOrEqual(seconds.at(-1)! - seconds[0]!);
    expect(replayed).toBe(recordedSpan / 10);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(recordedSpan / 10);
    expect(events.map((e) => Date.parse(e.occurredAt))).toEqual([...events.map((e) => Date.parse(e.occurredAt))].sort((a, b) => a - b));
  });

  it('posts a recorded CS2 log to a running Clutch, which turns it into a finished match', async () => {
    const t = await embeddedApp();
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
      const progress: string[] = [];
      const sent = await replayToHttp('cs2-log', [fixture('cs2-log/wingman.log')], { url, token: 'demo-cs2-log', speed: Infinity, tenant: 'demo', progress: (l) => progress.push(l) });
      expect(sent).toBeGreaterThan(5);
      await expect
        .poll(async () => ((await (await fetch(`${url}/v1/matches?title=cs2&limit=10`)).json()) as { data: { status: string }[] }).data.map((m) => m.status), { timeout: 15_000 })
        .toContain('finished');
    } finally {
      await t.dispose();
    }
  });
});
