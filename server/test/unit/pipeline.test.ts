// The live path on embedded adapters: canonical events appended to the log come out of the API as
// match summaries; a redelivered batch changes nothing; bad records do not stop the pipeline.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toRecord } from '../../src/events/codec.ts';
import { liveChannel } from '../../src/processing/processor.ts';
import { topicNames } from '../../src/topics.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';
import { cs2Match } from '../support/events.ts';

describe('live summary pipeline (embedded)', () => {
  let t: TestApp;
  const topic = topicNames('').events;
  beforeEach(async () => {
    t = await embeddedApp();
    await t.app.ready();
  });
  afterEach(async () => {
    await t.dispose();
  });

  const summary = async (id: string) => (await t.app.inject({ url: `/v1/matches/${id}` })).json();

  it('turns appended events into a match summary served over REST and pushed on pub/sub', async () => {
    const pushed: string[] = [];
    await t.infra.cache.pubsub.subscribe(liveChannel('demo'), (m) => pushed.push(m));
    const events = cs2Match('demo', 'm1');
    await t.infra.eventLog.append(events.slice(0, 3).map((e) => toRecord(topic, e)));
    await expect.poll(async () => (await summary('m1')).lastSeq, { timeout: 5000 }).toBe(3);
    expect(await summary('m1')).toMatchObject({
      id: 'm1',
      title: 'cs2',
      status: 'live',
      map: 'de_nuke',
      teams: [
        { id: 'navi', name: 'Natus Vincere', score: 1 },
        { id: 'vit', name: 'Vitality', score: 0 },
      ],
    });
    await t.infra.eventLog.append(events.slice(3).map((e) => toRecord(topic, e)));
    await expect.poll(async () => (await summary('m1')).status, { timeout: 5000 }).toBe('finished');
    expect(await summary('m1')).toMatchObject({ winner: 'navi', lastSeq: 6, teams: [{ score: 2 }, { score: 1 }] });
    await expect.poll(() => pushed.length > 0).toBe(true);
    expect(JSON.parse(pushed.at(-1)!)).toMatchObject({ matchId: 'm1', lastSeq: 6, status: 'finished' });
    const live = (await t.app.inject({ url: '/v1/matches?status=live' })).json();
    expect(live.data.map((m: { id: string }) => m.id)).not.toContain('m1');
  });

  it('ignores a redelivered or replayed batch: the summary stays at the latest seq', async () => {
    const events = cs2Match('demo', 'm2');
    await t.infra.eventLog.append(events.map((e) => toRecord(topic, e)));
    await expect.poll(async () => (await summary('m2')).lastSeq, { timeout: 5000 }).toBe(6);
    // The same events again (a producer retry, a replay after a crash): nothing moves backwards.
    await t.infra.eventLog.append(events.slice(0, 4).map((e) => toRecord(topic, e)));
    await t.infra.eventLog.append(events.slice(0, 1).map((e) => toRecord(topic, { ...e, id: e.id })));
    const marker = cs2Match('demo', 'm2-marker');
    await t.infra.eventLog.append([toRecord(topic, marker[0]!)]);
    await expect.poll(async () => (await t.app.inject({ url: '/v1/matches/m2-marker' })).statusCode, { timeout: 5000 }).toBe(200);
    expect(await summary('m2')).toMatchObject({ lastSeq: 6, status: 'finished', teams: [{ score: 2 }, { score: 1 }] });
  });

  it('skips a malformed record and keeps processing the ones after it', async () => {
    await t.infra.eventLog.append([{ topic, key: 'bad', value: Buffer.from('{not json') }]);
    await t.infra.eventLog.append([{ topic, key: 'bad', value: Buffer.from(JSON.stringify({ v: 1, seq: -1 })) }]);
    await t.infra.eventLog.append(cs2Match('demo', 'm3').slice(0, 1).map((e) => toRecord(topic, e)));
    await expect.poll(async () => (await t.app.inject({ url: '/v1/matches/m3' })).statusCode, { timeout: 5000 }).toBe(200);
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/clutch_processor_events_total\{outcome="invalid"\} 2/);
  });
});
