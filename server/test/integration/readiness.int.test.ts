// A running Clutch on real PostgreSQL, Redis and Kafka: when one of them goes away /readyz turns red
// naming it, and when it comes back /readyz turns green and the live pipeline carries on — no restart.
// PostgreSQL and Redis are cut with a TCP proxy in front of the shared services; Kafka clients talk to
// every broker directly, so Kafka is a broker of this test's own, stopped and started for real.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { toRecord } from '../../src/events/codec.ts';
import { KafkaEventLog } from '../../src/infra/kafka/event-log.ts';
import { createInfra } from '../../src/infra/wiring.ts';
import { topicNames } from '../../src/topics.ts';
import { cs2Match } from '../support/events.ts';
import { createTestDatabase, runId } from '../support/isolation.ts';
import { ownKafka, type OwnKafka } from '../support/own-kafka.ts';
import { startTcpProxy, viaProxy, type TcpProxy } from '../support/tcp-proxy.ts';

describe('readiness follows the dependencies, and recovers without a restart', () => {
  const id = runId();
  let app: Awaited<ReturnType<typeof buildApp>>;
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let kafka: OwnKafka;
  const prefix = `t${id}.`;
  let brokers = '';

  const appendMatch = async (matchId: string) => {
    const producer = new KafkaEventLog({ brokers: [brokers], clientId: 'readiness-producer', log: pino({ level: 'silent' }) });
    try {
      await producer.append(cs2Match('demo', matchId).map((e) => toRecord(topicNames(prefix).events, e)));
    } finally {
      await producer.close();
    }
  };

  const ready = async () => {
    const res = await app.inject({ url: '/readyz' });
    return { status: res.statusCode, body: res.json() as { status: string; checks: Record<string, { ok: boolean; error?: string }> } };
  };

  beforeAll(async () => {
    const e = inject('endpoints');
    kafka = await ownKafka(59192);
    brokers = kafka.brokers;

    db = await createTestDatabase(e.databaseUrl);
    const pg = new URL(db.url);
    pgProxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port) });
    const redis = new URL(e.redisUrl);
    redisProxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port) });

    const config = loadConfig({
      DATABASE_URL: viaProxy(db.url, pgProxy),
      REDIS_URL: viaProxy(e.redisUrl, redisProxy),
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_KEY_PREFIX: `t:${id}:`,
      CLUTCH_DEFAULT_TENANT: 'demo',
      // This test reads back through the API without credentials: readiness, not auth, is under test.
      CLUTCH_AUTH_ANONYMOUS_TENANT: 'demo',
      LOG_LEVEL: 'silent',
    });
    const logger = pino({ level: 'silent' });
    app = await buildApp({ config, infra: await createInfra(config, logger), logger });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await Promise.allSettled([pgProxy?.close(), redisProxy?.close()]);
    await db?.drop();
    await kafka?.destroy();
  });

  it('starts green with postgres, redis and kafka checked', async () => {
    const r = await ready();
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.checks).sort()).toEqual(['kafka', 'postgres', 'redis']);
  });

  it('names PostgreSQL when it goes away, recovers when it is back, and applies what arrived meanwhile', async () => {
    await pgProxy.cut();
    const red = await ready();
    expect(red.status).toBe(503);
    expect(red.body.checks.postgres).toMatchObject({ ok: false });
    expect(red.body.checks.redis!.ok && red.body.checks.kafka!.ok).toBe(true);
    // Events arrive while the database is away: their writes fail and are retried, not dropped.
    await appendMatch('during-db-outage');
    const retries = async () => Number(/^clutch_processor_retries_total (\d+)$/m.exec((await app.inject({ url: '/metrics' })).body)?.[1] ?? -1);
    await expect.poll(retries, { timeout: 15_000, interval: 250 }).toBeGreaterThan(0);
    await pgProxy.restore();
    await expect.poll(async () => (await ready()).status, { timeout: 15_000, interval: 250 }).toBe(200);
    await expect.poll(async () => (await app.inject({ url: '/v1/matches/during-db-outage' })).json<{ lastSeq?: number }>().lastSeq, { timeout: 30_000, interval: 250 }).toBe(6);
  });

  it('names Redis when it goes away, and recovers when it is back', async () => {
    await redisProxy.cut();
    await expect.poll(async () => (await ready()).body.checks.redis?.ok, { timeout: 10_000, interval: 250 }).toBe(false);
    expect((await ready()).status).toBe(503);
    await redisProxy.restore();
    await expect.poll(async () => (await ready()).status, { timeout: 15_000, interval: 250 }).toBe(200);
  });

  it('names Kafka when its broker stops, recovers when it restarts, and the pipeline carries on', async () => {
    await kafka.stop();
    await expect.poll(async () => (await ready()).body.checks.kafka?.ok, { timeout: 15_000, interval: 250 }).toBe(false);
    expect((await ready()).status).toBe(503);
    await kafka.start();
    await expect.poll(async () => (await ready()).status, { timeout: 60_000, interval: 500 }).toBe(200);

    // Events written after the outage still reach the API: processing resumed on its own.
    await appendMatch('after-outage');
    await expect
      .poll(async () => (await app.inject({ url: '/v1/matches/after-outage' })).json<{ lastSeq?: number }>().lastSeq, { timeout: 60_000, interval: 500 })
      .toBe(6);
  });
});
