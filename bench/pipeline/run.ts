// Processing throughput against the real broker, PostgreSQL and Redis.
//
//   npm run bench -- pipeline [--events N] [--quick]
//
// Setup: the simulator preloads N canonical events (default 2,000,000, mixed titles, as many matches
// as that takes) into a fresh topic of 6 partitions.
//
// Three consumers read that same topic, one after another:
// - processor: the processor role with every built-in stat, windows, batched writes to PostgreSQL,
//   Redis state and leaderboards, and stat deltas back to Kafka. Timed until it has committed the
//   end of every partition. Its CPU time is this process's (Kafka client, decoding, stats, SQL
//   building); PostgreSQL and Redis run in processes of their own.
// - kafkajs: a bare kafkajs consumer that only counts (the baseline the target is set against).
// - java: Kafka's own ConsumerPerformance.
//
// Prints one JSON document on stdout; progress on stderr.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { pino } from 'pino';
import { newStats, statsView, uuidv7 } from '@clutch/core';
import { fromCanonicalRecord, toRecord } from '../../server/src/events/codec.ts';
import type { LogRecord } from '../../server/src/ports/event-log.ts';
import { newWindows } from '../../server/src/processing/windows.ts';
import { createMemoryCacheBackend } from '../../server/src/infra/memory/cache.ts';
import { KafkaEventLog } from '../../server/src/infra/kafka/event-log.ts';
import { createPostgresStore } from '../../server/src/infra/postgres/store.ts';
import { createRedisCacheBackend } from '../../server/src/infra/redis/cache.ts';
import { applyEvent, startProcessor } from '../../server/src/processing/processor.ts';
import { MatchShard } from '../../server/src/processing/shard.ts';
import { ensureTenant } from '../../server/src/store/tenants.ts';
import { ensureServices } from '../../scripts/services/ensure.ts';
import { machineInfo, runBench } from '../support/main.ts';
import { simulated } from '../support/simulated.ts';
import { Registry } from 'prom-client';
import { ensureBroker } from '../kafka-clients/broker.ts';
import { javaConsume } from '../kafka-clients/java.ts';
import type { Settings } from '../kafka-clients/settings.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const quick = process.argv.includes('--quick');
const EVENTS = Number(arg('events') ?? (quick ? 200_000 : 2_000_000));
const PARTITIONS = 6;
/** Processor worker threads (--workers, default 1 as in clutch serve; 0 = all on the main thread). */
const WORKERS = Number(arg('workers') ?? 1);
/** Live win-probability predictions in the processor (CLUTCH_PREDICTIONS=on|off, default on as in clutch serve). */
const PREDICTIONS = (process.env.CLUTCH_PREDICTIONS ?? 'on') !== 'off';
const log = (m: string) => process.stderr.write(`[bench:pipeline] ${m}\n`);

const consumerSettings: Settings['consumer'] = {
  fetchMaxBytes: 50 * 1024 * 1024,
  partitionFetchMaxBytes: 4 * 1024 * 1024,
  fetchMinBytes: 1,
  fetchMaxWaitMs: 100,
  isolation: 'read_committed',
  autoCommitIntervalMs: 5000,
};

async function preload(eventLog: KafkaEventLog, topic: string): Promise<{ events: number; matches: number; bytes: number; ms: number }> {
  const t0 = performance.now();
  let batch = [];
  let bytes = 0;
  let events = 0;
  const matches = new Set<string>();
  for (const e of simulated(EVENTS, 'bench')) {
    const r = toRecord(topic, e);
    bytes += r.value.length;
    matches.add(e.matchId);
    batch.push(r);
    events++;
    if (batch.length === 1000) {
      await eventLog.append(batch);
      batch = [];
      if (events % 200_000 === 0) log(`preloaded ${events}`);
    }
  }
  if (batch.length) await eventLog.append(batch);
  return { events, matches: matches.size, bytes, ms: performance.now() - t0 };
}

function inMemory(records: Array<{ value: Buffer }>): { cpuMs: number } {
  const cpu0 = process.cpuUsage();
  // The processor's own per-event step (applyEvent), without its I/O.
  const states = new Map<string, Parameters<typeof applyEvent>[0]>();
  for (const r of records) {
    const e = fromCanonicalRecord(r as LogRecord);
    let m = states.get(e.matchId);
    if (!m) states.set(e.matchId, (m = { stats: newStats(e.title, e.matchId), win: newWindows(Date.parse(e.occurredAt) - (e.gameTime ?? 0)) }));
    if (e.seq > m.stats.lastSeq) applyEvent(m, e, 60_000, { minutes: [], corrections: [] });
  }
  for (const m of states.values()) statsView(m.stats);
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * What the processor's worker threads do, on one thread and without I/O: MatchShard decode + apply
 * in batches of 10,000 records of one partition (matches spread over PARTITIONS as by the log),
 * including each touched match's view, snapshot (JSON) and window rows per batch.
 */
function inShards(records: Array<{ value: Buffer }>): { cpuMs: number } {
  const byPartition: Buffer[][] = Array.from({ length: PARTITIONS }, () => []);
  const partitionOf = new Map<string, number>();
  for (const r of records) {
    const id = (JSON.parse(r.value.toString()) as { matchId: string }).matchId;
    let p = partitionOf.get(id);
    if (p === undefined) partitionOf.set(id, (p = partitionOf.size % PARTITIONS));
    byPartition[p]!.push(r.value);
  }
  const shard = new MatchShard({ maxCachedMatches: 100_000, predictions: PREDICTIONS });
  const cpu0 = process.cpuUsage();
  let id = 0;
  // Partitions take turns, a batch at a time, as the processor receives them.
  for (let at = 0; byPartition.some((b) => at < b.length); at += 10_000) {
    for (const values of byPartition) {
      if (at >= values.length) continue;
      const batchId = id++;
      const { missing } = shard.decode(batchId, values.slice(at, at + 10_000));
      shard.apply(batchId, missing);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function kafkajsBare(brokers: string[], topic: string, records: number): Promise<{ ms: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const kafka = new Kafka({ clientId: 'bench-pipeline-bare', brokers, logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: `bare-${uuidv7()}`, maxBytes: consumerSettings.fetchMaxBytes, maxBytesPerPartition: consumerSettings.partitionFetchMaxBytes, minBytes: 1, maxWaitTimeInMs: 100, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          count += batch.messages.length;
          if (count >= records) resolve();
        },
      })
      .catch(reject);
  });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await consumer.disconnect();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function main(): Promise<unknown> {
  const broker = await ensureBroker();
  const endpoints = await ensureServices(['postgres', 'redis']);
  const prefix = `benchpipe${Date.now().toString(36)}`;
  const topic = `${prefix}.clutch.events.v1`;
  const statsTopic = `${prefix}.clutch.stats.v1`;
  const eventLog = new KafkaEventLog({ brokers: broker.brokers, clientId: 'bench-pipeline', log: pino({ level: 'warn' }, pino.destination(2)) });
  await eventLog.ensureTopics([
    { name: topic, partitions: PARTITIONS },
    { name: statsTopic, partitions: PARTITIONS },
  ]);
  log(`preloading ${EVENTS} events into ${topic}`);
  const loaded = await preload(eventLog, topic);
  log(`preloaded ${loaded.events} events (${loaded.matches} matches, ${(loaded.bytes / 2 ** 20).toFixed(0)} MiB) in ${(loaded.ms / 1000).toFixed(1)} s`);

  // ---- processor -----------------------------------------------------------------------------
  const schema = `bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: endpoints.postgres.url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const store = createPostgresStore({ url: endpoints.postgres.url, poolMax: 4, searchPath: schema });
  await store.migrate();
  await ensureTenant(store.db, 'bench', 'bench');
  const cache = process.env.BENCH_CACHE === 'memory' ? createMemoryCacheBackend() : createRedisCacheBackend({ url: endpoints.redis.url, keyPrefix: `${prefix}:` });
  const metrics = new Registry();
  log('processor: consuming');
  // --profile <file>: a CPU profile of the processor phase only (open it in Chrome DevTools).
  const profileFile = arg('profile');
  const session = profileFile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const processor = await startProcessor({ eventLog, store, cache, topic, statsTopic, groupId: `${prefix}.processor`, log: pino({ level: 'warn' }, pino.destination(2)), metrics, maxBatchRecords: 10_000, concurrency: 4, workers: WORKERS, predictions: PREDICTIONS });
  // Done when every match's stored last_seq is its last event: seqs run 1..n per match, so the sum of
  // the stored last_seq equals the number of events exactly when everything is written.
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const r = await store.db.selectFrom('match_stats').select((eb) => eb.fn.sum<string>('last_seq').as('s')).executeTakeFirst();
    if (Number(r?.s ?? 0) >= loaded.events) break;
  }
  const procMs = performance.now() - t0;
  const retried = (await metrics.getSingleMetric('clutch_processor_retries_total')?.get())?.values[0]?.value ?? 0;
  const cpu = process.cpuUsage(cpu0);
  const procCpuMs = (cpu.user + cpu.system) / 1000;
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile!, JSON.stringify(profile));
    session.disconnect();
    log(`profile written to ${profileFile}`);
  }
  await processor.stop();
  const rows = await store.db.selectFrom('match_stats').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const windows = await store.db.selectFrom('stat_windows').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  log(`processor: ${loaded.events} events in ${(procMs / 1000).toFixed(1)} s, ${(procCpuMs / 1000).toFixed(1)} CPU s; ${rows?.n} matches, ${windows?.n} window rows`);
  await store.close();
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
  await cache.close();

  // ---- where the limit is: the processing itself, in memory, on the same events ----------------
  // JSON decode + the light envelope check + summary + windows + all built-in stats, no I/O.
  log('in-memory processing of the same events (no Kafka, no store)');
  const encoded = [...simulated(loaded.events, 'bench')].map((e) => ({ value: Buffer.from(JSON.stringify(e)) }));
  const mem = inMemory(encoded);
  const shards = inShards(encoded);

  // ---- baselines on the same topic -----------------------------------------------------------
  log('kafkajs bare consumer');
  const bare = await kafkajsBare(broker.brokers, topic, loaded.events);
  log('Kafka ConsumerPerformance');
  const java = javaConsume(broker.tools, { brokers: broker.brokers, consumer: consumerSettings } as Settings, topic, `${prefix}.java`, loaded.events);
  // The bench's topics go (a broker keeping every run's topics grows by GBs and starts slowly).
  await eventLog.deleteTopicsWithPrefix(`${prefix}.`);
  await eventLog.close();

  const eps = (n: number, ms: number) => Math.round(n / (ms / 1000));
  const result = {
    benchmark: 'pipeline',
    date: new Date().toISOString(),
    machine: machineInfo(),
    settings: { events: loaded.events, matches: loaded.matches, partitions: PARTITIONS, meanEventBytes: Math.round(loaded.bytes / loaded.events), maxBatchRecords: 10_000, concurrency: 4, workers: WORKERS, predictions: PREDICTIONS, cache: cache.kind, store: 'postgres' },
    results: {
      processor: { eventsPerSec: eps(loaded.events, procMs), cpuSeconds: Number((procCpuMs / 1000).toFixed(2)), eventsPerCpuSecond: eps(loaded.events, procCpuMs), elapsedSec: Number((procMs / 1000).toFixed(1)), matchesStored: Number(rows?.n ?? 0), windowRows: Number(windows?.n ?? 0), batchesRetried: retried },
      inMemoryProcessing: { eventsPerCpuSecond: eps(loaded.events, mem.cpuMs), note: 'decode + summary + windows + built-in stats on the same events, no Kafka and no store: the processing itself' },
      inShards: { eventsPerCpuSecond: eps(loaded.events, shards.cpuMs), note: 'what the worker threads do, without I/O: decode + stats + windows per event, and per batch of 10,000 each touched match\'s view, snapshot and window rows' },
      kafkajsBare: { eventsPerSec: eps(loaded.events, bare.ms), eventsPerCpuSecond: eps(loaded.events, bare.cpuMs) },
      javaConsumerPerformance: { eventsPerSec: eps(java.records, java.elapsedMs) },
      ratioProcessorToKafkajs: Number((bare.ms / procMs).toFixed(2)),
      targets: { eventsPerCpuSecond: 220_000, ratioToKafkajs: 1.0 },
    },
  };
  return result;
}

runBench(main);
