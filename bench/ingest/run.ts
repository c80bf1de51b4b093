// Ingest throughput into a real Kafka broker, through the whole path a game server uses:
// HTTP POST /v1/ingest/{source} → raw topic (acknowledged) → parser → drafts → sequencer → events.
// Baseline measured in the same run: the same payloads appended straight to the raw topic through
// the EventLog (no HTTP, no auth, no validation) with the same concurrency.
//
//   node bench/ingest/run.ts [--quick]      (KAFKA_BROKERS, else the project's local broker)
//
// Prints one JSON document on stdout; progress on stderr.
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { buildApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { KafkaEventLog } from '../../server/src/infra/kafka/event-log.ts';
import { createInfra } from '../../server/src/infra/wiring.ts';
import { rawRecord } from '../../server/src/ingest/records.ts';
import { createIngestToken } from '../../server/src/store/ingest-tokens.ts';
import { ensureTenant } from '../../server/src/store/tenants.ts';
import { topicNames, topicSpecs } from '../../server/src/topics.ts';
import { ensureServices } from '../../scripts/services/ensure.ts';

const quick = process.argv.includes('--quick');
const log = (m: string) => process.stderr.write(`[bench:ingest] ${m}\n`);
const CONCURRENCY = 16;
const SECONDS = quick ? 4 : 15;

/** One workload: a source, and a stream of distinct bodies per sender. */
interface Workload {
  source: 'get5' | 'cs2-log';
  contentType: string;
  bodies: (sender: number, i: number) => string;
}

const fixture = (p: string) => readFileSync(fileURLToPath(new URL(`../../server/test/fixtures/${p}`, import.meta.url)), 'utf8');

function get5Workload(): Workload {
  const events = JSON.parse(fixture('get5/wingman-bo1.json')) as Record<string, unknown>[];
  return {
    source: 'get5',
    contentType: 'application/json',
    // Each sender replays the fixture match over and over as new matches: every body is a distinct webhook.
    bodies: (sender, i) => JSON.stringify({ ...events[i % events.length], matchid: `bench-${sender}-${Math.floor(i / events.length)}` }),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

async function main(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS ?? (await ensureServices(['kafka'])).kafka.url;
  const prefix = `bench${Date.now().toString(36)}.`;
  const topics = topicNames(prefix);
  const config = loadConfig({ KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, CLUTCH_STORE: 'pglite', CLUTCH_CACHE: 'memory', CLUTCH_ROLES: 'ingest', LOG_LEVEL: process.env.BENCH_LOG ?? 'silent' });
  const logger = pino({ level: process.env.BENCH_LOG ?? 'silent' });
  const infra = await createInfra(config, logger);
  const app = await buildApp({ config, infra, logger });
  await ensureTenant(infra.store.db, 'bench', 'bench');
  const workload = get5Workload();
  const tokens = await Promise.all(Array.from({ length: CONCURRENCY }, (_, s) => createIngestToken(infra.store.db, { tenant: 'bench', source: workload.source, streamId: `sender-${s}` })));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/ingest/${workload.source}`;

  // ---- HTTP ingest: CONCURRENCY senders, each waiting for its 202 before the next body --------------
  log(`HTTP ingest: ${CONCURRENCY} senders for ${SECONDS} s`);
  const latencies: number[] = [];
  let acked = 0;
  let failed = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    tokens.map(async ({ token }, s) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        const res = await fetch(url, { method: 'POST', body: workload.bodies(s, i), headers: { 'content-type': workload.contentType, authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
        if (res.status === 202) {
          acked++;
          latencies.push(performance.now() - t0);
        } else failed++;
      }
    }),
  );
  const httpSeconds = (performance.now() - started) / 1000;

  // ---- pipeline: how long until the sequencer has turned every acknowledged payload into events -----
  // Offsets count transaction markers too: count records (read_committed), by reading the topic.
  const count = async (topic: string) => {
    let n = 0;
    for (const o of await infra.eventLog.offsets(topic)) for await (const batch of infra.eventLog.readPartition(topic, o.partition)) n += batch.length;
    return n;
  };
  // Progress by high watermarks (cheap); caught up = 3 s without growth; then count records once.
  const high = async () => (await infra.eventLog.offsets(topics.events)).reduce((n, o) => n + Number(o.high), 0);
  let last = -1;
  let caughtUpAt = performance.now();
  for (let stable = 0; stable < 6 && performance.now() - started < 300_000; ) {
    const now = await high();
    if (now > last) caughtUpAt = performance.now();
    stable = now > 0 && now === last ? stable + 1 : 0;
    last = now;
    await new Promise((r) => setTimeout(r, 500));
  }
  const events = await count(topics.events);
  const pipelineSeconds = (caughtUpAt - started) / 1000;
  await app.close();

  // ---- baseline: the same bodies appended straight to the raw topic ---------------------------------
  log(`baseline: EventLog.append with ${CONCURRENCY} concurrent appenders for ${SECONDS} s`);
  const base = new KafkaEventLog({ brokers: brokers.split(','), clientId: 'bench-baseline', log: logger });
  const baseTopics = topicNames(`${prefix}base.`);
  await base.ensureTopics(topicSpecs(baseTopics));
  let appended = 0;
  const bDeadline = performance.now() + SECONDS * 1000;
  const bStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, s) => {
      for (let i = 0; performance.now() < bDeadline; i++) {
        const meta = { tenant: 'bench', source: workload.source, streamId: `sender-${s}`, receivedAt: new Date().toISOString(), ingestId: `${s}-${i}`, contentType: workload.contentType };
        await base.append([rawRecord(baseTopics.raw, meta, Buffer.from(workload.bodies(s, i)))]);
        appended++;
      }
    }),
  );
  const baseSeconds = (performance.now() - bStarted) / 1000;
  await base.close();

  latencies.sort((a, b) => a - b);
  const ingestRate = acked / httpSeconds;
  const baseRate = appended / baseSeconds;
  const result = {
    benchmark: 'ingest',
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim(), memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version },
    settings: { source: workload.source, senders: CONCURRENCY, seconds: SECONDS, bodyBytes: Buffer.byteLength(workload.bodies(0, 9)), brokers, appendAcks: 'all, idempotent', oneBodyPerRequest: true },
    results: {
      httpIngest: {
        acknowledgedPayloads: acked,
        failed,
        payloadsPerSec: Math.round(ingestRate),
        ackLatencyMs: { p50: Math.round(percentile(latencies, 50) * 10) / 10, p99: Math.round(percentile(latencies, 99) * 10) / 10 },
      },
      pipeline: { canonicalEvents: events, eventsPerSec: Math.round(events / pipelineSeconds), note: 'events written by the sequencer from the acknowledged payloads, from the first POST until caught up' },
      baseline: { appendedPayloads: appended, payloadsPerSec: Math.round(baseRate), note: 'same bodies, EventLog.append straight to the raw topic, same concurrency' },
      ratioIngestToBaseline: Math.round((ingestRate / baseRate) * 100) / 100,
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench:ingest] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
