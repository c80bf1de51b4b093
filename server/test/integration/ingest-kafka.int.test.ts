// Ingest on a real Kafka broker that goes down mid-stream: a sender must never get 2xx for a payload
// Kafka does not have. While the broker is down the sender gets 503 + Retry-After; once it is back,
// 202 again — and every payload that got 202 is in the raw topic, and its events come out.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Envelope } from '@clutch/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { KafkaEventLog } from '../../src/infra/kafka/event-log.ts';
import { createInfra } from '../../src/infra/wiring.ts';
import type { EventLog, LogRecord } from '../../src/ports/event-log.ts';
import { createIngestToken } from '../../src/store/ingest-tokens.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { topicNames } from '../../src/topics.ts';
import { runId } from '../support/isolation.ts';
import { ownKafka, type OwnKafka } from '../support/own-kafka.ts';

const roundStart = (JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/get5/wingman-bo1.json', import.meta.url)), 'utf8')) as { event: string }[]).find((e) => e.event === 'round_start')!;
/** A distinct, valid get5 webhook per number: the round_start of match `load-<n>`. */
const body = (n: number) => JSON.stringify({ ...roundStart, matchid: `load-${n}` });

async function readAll(log: EventLog, topic: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for (const o of await log.offsets(topic)) for await (const batch of log.readPartition(topic, o.partition)) out.push(...batch);
  return out;
}

describe('ingest into Kafka while the broker goes down and comes back', () => {
  let kafka: OwnKafka;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let base = '';
  let token = '';
  const prefix = `t${runId()}.`;
  const topics = topicNames(prefix);

  beforeAll(async () => {
    kafka = await ownKafka(59292);
    const config = loadConfig({
      KAFKA_BROKERS: kafka.brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      CLUTCH_STORE: 'pglite',
      CLUTCH_CACHE: 'memory',
      CLUTCH_ROLES: 'ingest',
      INGEST_APPEND_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'silent',
    });
    const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });
    const infra = await createInfra(config, logger);
    app = await buildApp({ config, infra, logger });
    await ensureTenant(infra.store.db, 'acme', 'Acme');
    token = (await createIngestToken(infra.store.db, { tenant: 'acme', source: 'get5', streamId: 'server-1' })).token;
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await kafka?.destroy();
  });

  it('never answers 2xx for a payload the broker does not have, and recovers when it is back', { timeout: 240_000 }, async () => {
    const acked = new Map<string, number>(); // ingestId → payload number
    const statuses: number[] = [];
    const send = async (n: number) => {
      try {
        const res = await fetch(`${base}/v1/ingest/get5`, { method: 'POST', body: body(n), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
        statuses.push(res.status);
        if (res.status === 202) acked.set(((await res.json()) as { ingestId: string }).ingestId, n);
        else if (res.status === 503) expect(res.headers.get('retry-after')).toBeTruthy();
        else throw new Error(`unexpected ${res.status}: ${await res.text()}`);
      } catch (err) {
        if ((err as Error).message.startsWith('unexpected')) throw err;
        statuses.push(0); // the connection failed: not acknowledged, fine
      }
    };
    let n = 0;
    for (; n < 40; n++) await send(n);
    const stopping = kafka.stop(); // mid-stream: the sender keeps sending while the broker goes away
    for (; n < 60; n++) await send(n);
    await stopping;
    const downFrom = statuses.length;
    for (; n < 70; n++) await send(n);
    expect(statuses.slice(downFrom)).not.toContain(202); // broker down: nothing may be acknowledged
    const t0 = Date.now();
    await kafka.start();
    // Back: the sender retries until acknowledged again.
    for (let tries = 0; tries < 60 && !statuses.slice(70).includes(202); tries++) await send(n++);
    for (let i = 0; i < 20; i++) await send(n++);
    process.stderr.write(`[ingest-kafka] statuses: ${statuses.join(",")} (acknowledged again ${Date.now() - t0} ms after the restart began)\n`);

    const reader = new KafkaEventLog({ brokers: [kafka.brokers], clientId: 'ingest-check', log: pino({ level: 'silent' }) });
    try {
      const raw = await readAll(reader, topics.raw);
      const inKafka = new Set(raw.map((r) => r.headers['clutch-ingest-id']));
      const missing = [...acked.keys()].filter((id) => !inKafka.has(id));
      expect(missing, 'acknowledged but not in Kafka').toEqual([]);
      expect(acked.size).toBeGreaterThanOrEqual(60);
      expect(statuses.filter((s) => s === 503 || s === 0).length).toBeGreaterThan(0);
      // And the pipeline turned every acknowledged payload into its event (round.started of load-<n>).
      const numbers = new Set(acked.values());
      await expect
        .poll(
          async () => {
            const events = (await readAll(reader, topics.events)).map((r) => JSON.parse(r.value.toString()) as Envelope);
            return [...numbers].filter((x) => !events.some((e) => e.matchId === `get5-load-${x}-0`)).length;
          },
          { timeout: 60_000, interval: 1000 },
        )
        .toBe(0);
    } finally {
      await reader.close();
    }
  });
});
