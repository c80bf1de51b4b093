// The processor on embedded adapters, fed recorded matches (our fixtures) as canonical events:
// - what it stores and serves equals `clutch stats` on the same files;
// - windows, leaderboards and stat deltas follow;
// - a replay changes nothing;
// - a late event corrects the windows it falls in;
// - a restart resumes from the snapshot and the committed offset with the same result.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { parseFiles } from '../../src/cli/parse.ts';
import { statsOfEvents } from '../../src/cli/stats.ts';
import { toRecord } from '../../src/events/codec.ts';
import type { EventLog, LogRecord } from '../../src/ports/event-log.ts';
import { readCacheKey, seqKey, startProcessor, statsKey, summaryKey, type StatsDelta } from '../../src/processing/processor.ts';
import type { LogBatch, Subscription } from '../../src/ports/event-log.ts';
import { topicNames } from '../../src/topics.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';
import { uuidv7, type Envelope } from '@clutch/core';

const topics = topicNames('');
const fixture = (p: string) => new URL(`../fixtures/${p}`, import.meta.url).pathname;
const eventsOf = async (source: string, files: string[]) => (await parseFiles(source, files.map(fixture), { tenant: 'demo', streamId: 's', receivedAt: '2026-03-14T20:00:00.000Z' })).events;

async function readAll(log: EventLog, topic: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for (const o of await log.offsets(topic)) for await (const batch of log.readPartition(topic, o.partition)) out.push(...batch);
  return out;
}

// Both ways the CPU-heavy work can run: worker threads (the default) and the processor's own thread.
describe.each([
  { mode: 'worker threads', env: { CLUTCH_PROCESSOR_WORKERS: '2' } },
  { mode: 'main thread', env: { CLUTCH_PROCESSOR_WORKERS: '0' } },
])('processor (embedded, $mode)', ({ env }) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  const stats = async (id: string) => (await t!.app.inject({ url: `/v1/matches/${encodeURIComponent(id)}/stats` })).json();
  const waitFor = (id: string, seq: number) => expect.poll(async () => (await stats(id)).lastSeq, { timeout: 10_000 }).toBe(seq);

  it('stores and serves the same stats as `clutch stats`, with windows, leaderboards and deltas', async () => {
    t = await embeddedApp(env);
    await t.app.ready();
    const cs2 = await eventsOf('cs2-log', ['cs2-log/wingman.log']);
    const lol = await eventsOf('lol-match', ['lol-match/match-2024.json', 'lol-match/timeline-2024.json']);
    await t.infra.eventLog.append([...cs2, ...lol].map((e) => toRecord(topics.events, e)));
    for (const ev of [cs2, lol]) {
      const last = ev.at(-1)!;
      await waitFor(last.matchId, last.seq);
      const [expected] = statsOfEvents(ev);
      const served = await stats(last.matchId);
      expect(served).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(served.status).toBe('finished');
    }
    const cs2Id = cs2[0]!.matchId;
    const [cs2Stats] = statsOfEvents(cs2);
    // Rounds: one window per round; the last equals the final totals.
    const rounds = (await t.app.inject({ url: `/v1/matches/${cs2Id}/windows?win=round` })).json().data as Array<{ idx: number; subjectKind: string; subjectId: string; values: { kills: number } }>;
    expect(new Set(rounds.map((r) => r.idx)).size).toBe(cs2Stats!.rounds!.length);
    const lastRound = rounds.filter((r) => r.idx === cs2Stats!.rounds!.length && r.subjectKind === 'player');
    for (const p of cs2Stats!.players) expect(lastRound.find((r) => r.subjectId === p.id)?.values.kills).toBe(p.kills);
    // Minutes of the LoL game: kills per team at the last minute equal the final team kills.
    const lolId = lol[0]!.matchId;
    const [lolStats] = statsOfEvents(lol);
    const minutes = (await t.app.inject({ url: `/v1/matches/${lolId}/windows?win=minute` })).json().data as Array<{ idx: number; subjectKind: string; subjectId: string; values: { kills: number } }>;
    const lastMinute = Math.max(...minutes.map((m) => m.idx));
    expect(lastMinute).toBeGreaterThanOrEqual(Math.floor(lolStats!.durationMs / 60_000) - 1);
    for (const team of lolStats!.teams) expect(minutes.find((m) => m.idx === lastMinute && m.subjectId === team.id)?.values.kills).toBe(team.kills);
    // Leaderboard: cs2 kills, highest first, equal to the match's players.
    const board = (await t.app.inject({ url: '/v1/leaderboards/cs2/kills?limit=50' })).json().data as Array<{ player: string; value: number }>;
    expect(board.map((b) => b.value)).toEqual(cs2Stats!.players.map((p) => p.kills).sort((a, b) => b - a));
    // Stat deltas: the last one of each match carries its final seq and stats.
    const deltas = (await readAll(t.infra.eventLog, topics.stats)).map((r) => JSON.parse(r.value.toString()) as StatsDelta);
    const lastDelta = deltas.filter((d) => d.matchId === cs2Id).at(-1)!;
    expect(lastDelta).toMatchObject({ seq: cs2.at(-1)!.seq, tenant: 'demo', title: 'cs2' });
    expect(lastDelta.stats.players.map((p) => p.kills)).toEqual(cs2Stats!.players.map((p) => p.kills));
  });

  it('hot caches: reads are cached per match version, a new batch is never served stale, a miss fills from the store', async () => {
    t = await embeddedApp(env);
    await t.app.ready();
    const cs2 = await eventsOf('cs2-log', ['cs2-log/wingman.log']);
    const id = cs2[0]!.matchId;
    const half = Math.floor(cs2.length / 2);
    await t.infra.eventLog.append(cs2.slice(0, half).map((e) => toRecord(topics.events, e)));
    await waitFor(id, cs2[half - 1]!.seq);
    const cache = t.infra.cache.cache;
    const roundsNow = async () => (await t!.app.inject({ url: `/v1/matches/${id}/windows?win=round` })).json().data as Array<{ idx: number }>;
    const first = await roundsNow();
    const version = await cache.get(seqKey('demo', id));
    expect(version).toBe(String(cs2[half - 1]!.seq));
    await expect.poll(() => cache.get(readCacheKey('demo', id, 'windows:round', version!))).toBeDefined();
    expect(await roundsNow()).toEqual(first); // a hit gives the same answer
    // The rest of the match: a new version, so the next read has every round (not the cached half).
    await t.infra.eventLog.append(cs2.slice(half).map((e) => toRecord(topics.events, e)));
    await waitFor(id, cs2.at(-1)!.seq);
    const [final] = statsOfEvents(cs2);
    expect(new Set((await roundsNow()).map((r) => r.idx)).size).toBe(final!.rounds!.length);
    expect(new Set(first.map((r) => r.idx)).size).toBeLessThan(final!.rounds!.length);
    // Stats: a cold cache is filled from the store on the first read.
    await cache.del(statsKey('demo', id));
    const fromStore = (await t.app.inject({ url: `/v1/matches/${id}/stats` })).json();
    expect(fromStore).toEqual(JSON.parse(JSON.stringify(final)));
    await expect.poll(async () => JSON.parse((await cache.get(statsKey('demo', id))) ?? 'null')).toEqual(fromStore);
  });

  it('a redelivered or replayed stream changes nothing', async () => {
    t = await embeddedApp(env);
    await t.app.ready();
    const cs2 = await eventsOf('cs2-log', ['cs2-log/wingman.log']);
    const last = cs2.at(-1)!;
    await t.infra.eventLog.append(cs2.map((e) => toRecord(topics.events, e)));
    await waitFor(last.matchId, last.seq);
    const before = await stats(last.matchId);
    const windowsBefore = (await t.app.inject({ url: `/v1/matches/${last.matchId}/windows?win=round` })).json();
    await t.infra.eventLog.append([...cs2.slice(0, 40), ...cs2].map((e) => toRecord(topics.events, e)));
    // a marker match: once it is processed, so is the replay before it on the log
    const marker = { ...cs2[0]!, id: uuidv7(), matchId: 'marker', seq: 1 };
    await t.infra.eventLog.append([toRecord(topics.events, marker)]);
    await waitFor('marker', 1);
    expect(await stats(last.matchId)).toEqual(before);
    expect((await t.app.inject({ url: `/v1/matches/${last.matchId}/windows?win=round` })).json()).toEqual(windowsBefore);
    const board = (await t.app.inject({ url: '/v1/leaderboards/cs2/kills?limit=50' })).json().data as Array<{ value: number }>;
    expect(board.map((b) => b.value)).toEqual(before.players.map((p: { kills: number }) => p.kills).sort((a: number, b: number) => b - a));
  });

  it('when Redis fails after the store has the batch, the retry publishes it (nothing left stale)', async () => {
    t = await embeddedApp(env);
    await t.app.ready();
    const cs2 = await eventsOf('cs2-log', ['cs2-log/wingman.log']);
    const id = cs2[0]!.matchId;
    const cache = t.infra.cache.cache;
    const realSet = cache.set.bind(cache);
    const realGet = cache.get.bind(cache);
    let failures = 0;
    cache.set = async (k, v, ttl) => {
      if (failures < 2) {
        failures++;
        throw new Error('redis is down');
      }
      return realSet(k, v, ttl);
    };
    await t.infra.eventLog.append(cs2.map((e) => toRecord(topics.events, e)));
    // The store gets the batch; the cache writes after it fail twice and are retried on their own.
    const last = cs2.at(-1)!.seq;
    const cachedSeq = async (k: string) => {
      const v = await realGet(k);
      return v ? (JSON.parse(v) as { lastSeq: number }).lastSeq : 0;
    };
    await expect.poll(() => cachedSeq(summaryKey('demo', id)), { timeout: 10_000 }).toBe(last);
    await expect.poll(() => cachedSeq(statsKey('demo', id)), { timeout: 10_000 }).toBe(last);
    expect(failures).toBe(2);
    expect((await t.app.inject({ url: '/metrics' })).body).toMatch(/clutch_processor_retries_total [1-9]/);
    const [expected] = statsOfEvents(cs2);
    expect(await stats(id)).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('a late event corrects the minute windows it falls in and is reported as a correction', async () => {
    t = await embeddedApp(env);
    await t.app.ready();
    const base = { v: 1 as const, tenant: 'demo', title: 'lol' as const, source: 'test', matchId: 'late-1', receivedAt: '2026-11-24T10:00:00.000Z' };
    const at = (ms: number) => new Date(Date.parse('2026-11-24T10:00:00.000Z') + ms).toISOString();
    const P = (id: string, team: string) => ({ id, name: id, team });
    let seq = 0;
    const ev = (type: string, payload: Record<string, unknown>, gameTime: number): Envelope => ({ ...base, id: uuidv7(), seq: ++seq, type, payload, gameTime, occurredAt: at(gameTime) });
    const first = [
      ev('match.started', { teams: [{ id: 'blue', name: 'Blue' }, { id: 'red', name: 'Red' }] }, 0),
      ev('player.killed.player', { killer: P('b1', 'blue'), victim: P('r1', 'red') }, 5 * 60_000 + 10_000),
      ev('player.state', { player: P('b1', 'blue'), stats: { totalGold: 5000 } }, 10 * 60_000 + 1_000),
    ];
    await t.infra.eventLog.append(first.map((e) => toRecord(topics.events, e)));
    await waitFor('late-1', 3);
    // minute 2's kill arrives after minute 10: 8 minutes behind the newest event (lateness 60 s)
    const late = ev('player.killed.player', { killer: P('r1', 'red'), victim: P('b1', 'blue') }, 2 * 60_000 + 5_000);
    await t.infra.eventLog.append([toRecord(topics.events, late)]);
    await waitFor('late-1', 4);
    const minutes = (await t.app.inject({ url: '/v1/matches/late-1/windows?win=minute' })).json().data as Array<{ idx: number; subjectId: string; values: { kills?: number; deaths?: number } }>;
    const kills = (subject: string, idx: number) => minutes.find((m) => m.idx === idx && m.subjectId === subject)?.values.kills;
    // r1 was first seen in minute 5: minutes 2–4 gain the row, minutes 5–9 are corrected, 10 is open
    expect([kills('r1', 1), kills('r1', 2), kills('r1', 4), kills('r1', 9), kills('r1', 10)]).toEqual([undefined, 1, 1, 1, 1]);
    const deaths = (subject: string, idx: number) => minutes.find((m) => m.idx === idx && m.subjectId === subject)?.values.deaths;
    expect([kills('b1', 5), deaths('b1', 1), deaths('b1', 2), deaths('b1', 9)]).toEqual([1, undefined, 1, 1]);
    const deltas = (await readAll(t.infra.eventLog, topics.stats)).map((r) => JSON.parse(r.value.toString()) as StatsDelta).filter((d) => d.matchId === 'late-1');
    expect(deltas.at(-1)!.windows.corrections).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/clutch_processor_window_corrections_total 7/);
    // Sliding 3-minute windows, derived from the corrected minutes: r1's kill (minute 2) is in the
    // windows ending at minutes 2, 3 and 4, and not in the one ending at 5.
    const sliding = (await t.app.inject({ url: '/v1/matches/late-1/windows?win=sliding&size=3' })).json().data as typeof minutes;
    const inWindow = (idx: number) => sliding.find((m) => m.idx === idx && m.subjectId === 'r1')?.values.kills;
    expect([inWindow(2), inWindow(4), inWindow(5)]).toEqual([1, 1, 0]);
    // …and b1's kill (minute 5) in those ending at 5..7, not 8
    const b1 = (idx: number) => sliding.find((m) => m.idx === idx && m.subjectId === 'b1')?.values.kills;
    expect([b1(5), b1(7), b1(8)]).toEqual([1, 1, 0]);
    expect((await t.app.inject({ url: '/v1/matches/late-1/windows?win=sliding&size=0' })).statusCode).toBe(400);
    // Recent deltas are kept per match by seq for resuming clients; the last one is the late event's.
    const history = await t.infra.cache.liveHistory.readAfter('t:demo:match:late-1:history', 0, 10);
    expect(history.map((h) => h.seq).at(-1)).toBe(4);
  });

  it('scales out: a second processor joins the group, partitions move with their matches, results equal one clean run', async () => {
    t = await embeddedApp(env);
    await t.app.ready();
    const sets = [
      await eventsOf('lol-match', ['lol-match/match-2024.json', 'lol-match/timeline-2024.json']),
      await eventsOf('lol-match', ['lol-match/match-2021.json', 'lol-match/timeline-2021.json']),
      await eventsOf('cs2-log', ['cs2-log/wingman.log']),
      await eventsOf('valorant-match', ['valorant-match/match-ascent.json']),
    ];
    const halves = sets.map((ev) => Math.floor(ev.length / 2));
    await t.infra.eventLog.append(sets.flatMap((ev, i) => ev.slice(0, halves[i])).map((e) => toRecord(topics.events, e)));
    for (const [i, ev] of sets.entries()) await waitFor(ev[0]!.matchId, ev[halves[i]! - 1]!.seq);
    const second = await buildApp({ config: t.config, infra: t.infra, logger: pino({ level: 'silent' }) });
    await second.ready();
    try {
      await t.infra.eventLog.append(sets.flatMap((ev, i) => ev.slice(halves[i])).map((e) => toRecord(topics.events, e)));
      for (const ev of sets) await waitFor(ev[0]!.matchId, ev.at(-1)!.seq);
      for (const ev of sets) {
        const [expected] = statsOfEvents(ev);
        expect(await stats(ev[0]!.matchId)).toEqual(JSON.parse(JSON.stringify(expected)));
      }
    } finally {
      await second.close();
    }
  });

  it('after a restart, resumes from the stored snapshot and the committed offset: same stats as one clean run', async () => {
    t = await embeddedApp(env);
    await t.app.ready();
    const lol = await eventsOf('lol-match', ['lol-match/match-2024.json', 'lol-match/timeline-2024.json']);
    const id = lol[0]!.matchId;
    const half = Math.floor(lol.length / 2);
    await t.infra.eventLog.append(lol.slice(0, half).map((e) => toRecord(topics.events, e)));
    await waitFor(id, lol[half - 1]!.seq);
    await t.app.close(); // the processor commits and leaves; log, store and cache stay
    const second = await buildApp({ config: t.config, infra: t.infra, logger: pino({ level: 'silent' }) });
    t = { ...t, app: second };
    await second.ready();
    await t.infra.eventLog.append(lol.slice(half - 10).map((e) => toRecord(topics.events, e))); // with an overlap
    await waitFor(id, lol.at(-1)!.seq);
    const [expected] = statsOfEvents(lol);
    expect(await stats(id)).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('keeps at most `concurrency` batches in hand, whatever their partition, and stop() leaves the rest uncommitted', async () => {
    t = await embeddedApp({ ...env, CLUTCH_ROLES: 'api' });
    await t.app.ready();
    const lol = await eventsOf('lol-match', ['lol-match/match-2024.json', 'lol-match/timeline-2024.json']);
    await t.infra.eventLog.append(lol.map((e) => toRecord(topics.events, e))); // one match: one partition
    // Count batches taken from the subscription and not yet committed.
    let pulled = 0;
    let committed = 0;
    let maxInHand = 0;
    const log = t.infra.eventLog;
    const counted = (sub: Subscription): Subscription => ({
      commit: async (p) => {
        await sub.commit(p);
        committed++;
      },
      seek: (p) => sub.seek(p),
      assignment: () => sub.assignment(),
      close: () => sub.close(),
      [Symbol.asyncIterator]: () => {
        const it = sub[Symbol.asyncIterator]();
        return {
          next: async (): Promise<IteratorResult<LogBatch>> => {
            const r = await it.next();
            if (!r.done) maxInHand = Math.max(maxInHand, ++pulled - committed);
            return r;
          },
        };
      },
    });
    // The processor uses subscribe (and append, for stat deltas, not asked for here).
    const eventLog = { kind: log.kind, subscribe: async (opts: Parameters<EventLog['subscribe']>[0]) => counted(await log.subscribe(opts)) } as unknown as EventLog;
    const processor = await startProcessor({ eventLog, store: t.infra.store, cache: t.infra.cache, topic: topics.events, groupId: 'bounded', log: pino({ level: 'silent' }), maxBatchRecords: 5, concurrency: 3, workers: Number(env.CLUTCH_PROCESSOR_WORKERS) });
    await expect.poll(() => committed, { timeout: 10_000 }).toBeGreaterThan(2);
    await processor.stop();
    expect(maxInHand).toBeLessThanOrEqual(3);
    expect(pulled - committed).toBeLessThanOrEqual(3);
  });
});
