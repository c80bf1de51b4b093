// What live win-probability predictions cost the processor (issue #9 target: inference must not move
// the pipeline benchmark by more than 5 %).
//
//   npm run bench -- predictions [--events N] [--quick] [--rounds R] [--shards-only]
//
// The simulator's events (bench/support/simulated.ts: lol, cs2, valorant, dota2 in turn, as
// bench/pipeline) are measured in three modes, in rounds (order off, inference, on; reversed every
// other round), in this same process and on the same events:
// - off: no predictions;
// - inference: predictions computed (state, models, explanations) and dropped — the inference alone;
// - on: as served: also serialised, stored (match_predictions) and put in the live deltas.
// Two measures:
// - shards: what the processor's worker threads do, without I/O (MatchShard decode + apply in batches
//   of 10,000 records of one partition, each touched match's view, snapshot, window rows and, when on,
//   its predictions), on this thread. CPU time per round; the least noisy figure.
// - pipeline (unless --shards-only): the processor role on the real broker, PostgreSQL and Redis, as
//   `clutch serve` runs it (workers 1, concurrency 4, batches of 10,000), each round with a fresh
//   consumer group, PostgreSQL schema, Redis key prefix and stats topic; timed until every match's
//   stored last_seq is its last event. With predictions on it also stores them (match_predictions)
//   and puts them in the live deltas.
//
// BENCH_CPU_PROF=<dir>: a V8 CPU profile of each shards round, <dir>/shards-<on|off>-<round>.cpuprofile.
//
// Prints one JSON document on stdout; progress on stderr.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { toRecord } from '../../server/src/events/codec.ts';
import { KafkaEventLog } from '../../server/src/infra/kafka/event-log.ts';
import { createPostgresStore } from '../../server/src/infra/postgres/store.ts';
import { createRedisCacheBackend } from '../../server/src/infra/redis/cache.ts';
import { startProcessor } from '../../server/src/processing/processor.ts';
import { MatchShard } from '../../server/src/processing/shard.ts';
import { ensureTenant } from '../../server/src/store/tenants.ts';
import { ensureServices } from '../../scripts/services/ensure.ts';
import { ensureBroker } from '../kafka-clients/broker.ts';
import { machineTicks, threadTicks } from '../support/cpu.ts';
import { machineInfo, runBench } from '../support/main.ts';
import { simulated } from '../support/simulated.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const quick = process.argv.includes('--quick');
const SHARDS_ONLY = process.argv.includes('--shards-only');
const EVENTS = Number(arg('events') ?? (quick ? 100_000 : 600_000));
const ROUNDS = Number(arg('rounds') ?? 3);
const PARTITIONS = 6;
const TENANT = 'bench';
const PROCESSOR = { maxBatchRecords: 10_000, concurrency: 4, workers: 1 };
const PROF_DIR = process.env.BENCH_CPU_PROF;
const log = (m: string) => process.stderr.write(`[bench:predictions] ${m}\n`);

type Mode = 'off' | 'inference' | 'on';
const MODES: readonly Mode[] = ['off', 'inference', 'on'];
const orderOf = (round: number): readonly Mode[] => (round % 2 ? MODES : [...MODES].reverse());
const shardOption = (mode: Mode) => (mode === 'off' ? false : mode === 'on' ? true : ('inference-only' as const));

/** One pass of the shards over every record, predictions off or on: CPU ms and predictions made. */
async function shardsRound(values: Buffer[][], mode: Mode, round: number): Promise<{ cpuMs: number; predictions: number }> {
  const shard = new MatchShard({ maxCachedMatches: 100_000, predictions: shardOption(mode) });
  const session = PROF_DIR ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  let predictions = 0;
  let id = 0;
  const cpu0 = process.cpuUsage();
  // Partitions take turns, a batch at a time, as the processor receives them.
  for (let at = 0; values.some((b) => at < b.length); at += PROCESSOR.maxBatchRecords) {
    for (const partition of values) {
      if (at >= partition.length) continue;
      const batchId = id++;
      const { missing } = shard.decode(batchId, partition.slice(at, at + PROCESSOR.maxBatchRecords));
      const out = shard.apply(batchId, missing);
      for (const t of out.touched) predictions += t.predictions?.count ?? 0;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(PROF_DIR!, { recursive: true });
    writeFileSync(join(PROF_DIR!, `shards-${mode}-${round}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
  return { cpuMs: (cpu.user + cpu.system) / 1000, predictions };
}

interface Ctx {
  eventLog: KafkaEventLog;
  pgUrl: string;
  redisUrl: string;
  topic: string;
  prefix: string;
  events: number;
  admin: pg.Client;
}

async function pipelineRound(mode: Mode, round: number, ctx: Ctx) {
  const tag = `${mode}-${round}`;
  const schema = `${ctx.prefix}_${mode}_${round}`;
  const statsTopic = `${ctx.prefix}.${tag}.clutch.stats.v1`;
  await ctx.eventLog.ensureTopics([{ name: statsTopic, partitions: PARTITIONS }]);
  await ctx.admin.query(`create schema ${schema}`);
  const store = createPostgresStore({ url: ctx.pgUrl, poolMax: 4, searchPath: schema });
  await store.migrate();
  await ensureTenant(store.db, TENANT, TENANT);
  const cache = createRedisCacheBackend({ url: ctx.redisUrl, keyPrefix: `${ctx.prefix}:${tag}:` });
  log(`pipeline ${tag}: consuming`);
  const threads0 = threadTicks();
  const machine0 = machineTicks();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const processor = await startProcessor({ eventLog: ctx.eventLog, store, cache, topic: ctx.topic, statsTopic, groupId: `${ctx.prefix}.${tag}.processor`, log: pino({ level: 'warn' }, pino.destination(2)), metrics: new Registry(), ...PROCESSOR, predictions: shardOption(mode) });
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const r = await store.db.selectFrom('match_stats').select((eb) => eb.fn.sum<string>('last_seq').as('s')).executeTakeFirst();
    if (Number(r?.s ?? 0) >= ctx.events) break;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const machine1 = machineTicks();
  const threads1 = threadTicks();
  await processor.stop();
  const threads: Record<string, number> = {};
  for (const [name, ticks] of threads1) {
    const d = (ticks - (threads0.get(name) ?? 0)) / 100;
    if (d >= 0.05) threads[name] = Number(d.toFixed(2));
  }
  const stored = await ctx.admin.query<{ n: string }>(`select count(*) as n from ${schema}.match_predictions`);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const out = {
    seconds: Number((ms / 1000).toFixed(2)),
    eventsPerSec: Math.round(ctx.events / (ms / 1000)),
    cpuSeconds: Number(cpuSec.toFixed(2)),
    eventsPerCpuSecond: Math.round(ctx.events / cpuSec),
    cpuSecondsByThread: threads,
    machineCpuBusy: `${(((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100).toFixed(0)} % of ${cpus().length} cores`,
    predictionsStored: Number(stored.rows[0]?.n ?? 0),
  };
  log(`pipeline ${tag}: ${out.eventsPerSec} events/s, ${out.eventsPerCpuSecond} events/CPU-s, ${out.predictionsStored} predictions stored`);
  await store.close();
  await cache.close();
  await ctx.admin.query(`drop schema ${schema} cascade`);
  return out;
}

/** The change from off to on, as a fraction of off (negative: slower with predictions). */
const change = (off: number, on: number) => Number((on / off - 1).toFixed(4));

async function main(): Promise<unknown> {
  const wall0 = performance.now();
  const events = [...simulated(EVENTS, TENANT)];
  const matches = new Set(events.map((e) => e.matchId)).size;
  // Matches spread over the partitions as by the log (round robin over first appearance).
  const partitionOf = new Map<string, number>();
  const byPartition: Buffer[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const e of events) {
    let p = partitionOf.get(e.matchId);
    if (p === undefined) partitionOf.set(e.matchId, (p = partitionOf.size % PARTITIONS));
    byPartition[p]!.push(Buffer.from(JSON.stringify(e)));
  }

  const shards: Record<Mode, Array<{ cpuMs: number; predictions: number }>> = { off: [], inference: [], on: [] };
  // A warm-up pass of each, not counted (JIT).
  for (const mode of MODES) await shardsRound(byPartition, mode, 0);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of orderOf(round)) {
      const r = await shardsRound(byPartition, mode, round);
      shards[mode].push(r);
      log(`shards ${mode}-${round}: ${Math.round(EVENTS / (r.cpuMs / 1000))} events/CPU-s, ${r.predictions} predictions`);
    }
  }
  const shardEps = (rs: Array<{ cpuMs: number }>) => Math.round((EVENTS * rs.length) / (rs.reduce((a, r) => a + r.cpuMs, 0) / 1000));
  const shardsOff = shardEps(shards.off);
  const shardsInference = shardEps(shards.inference);
  const shardsOn = shardEps(shards.on);
  const predictionsMade = shards.on[0]?.predictions ?? 0;
  const costUs = (eps: number) => Number((((1e6 / eps - 1e6 / shardsOff) * EVENTS) / Math.max(1, predictionsMade)).toFixed(2));

  let pipeline: unknown;
  if (!SHARDS_ONLY) {
    const broker = await ensureBroker();
    const endpoints = await ensureServices(['postgres', 'redis']);
    const prefix = `benchpred${Date.now().toString(36)}`;
    const topic = `${prefix}.clutch.events.v1`;
    const eventLog = new KafkaEventLog({ brokers: broker.brokers, clientId: 'bench-predictions', log: pino({ level: 'warn' }, pino.destination(2)) });
    await eventLog.ensureTopics([{ name: topic, partitions: PARTITIONS }]);
    log(`preloading ${events.length} events into ${topic}`);
    for (let i = 0; i < events.length; i += 1000) await eventLog.append(events.slice(i, i + 1000).map((e) => toRecord(topic, e)));
    const admin = new pg.Client({ connectionString: endpoints.postgres.url });
    await admin.connect();
    const ctx: Ctx = { eventLog, pgUrl: endpoints.postgres.url, redisUrl: endpoints.redis.url, topic, prefix, events: events.length, admin };
    const runs: Record<Mode, Array<Awaited<ReturnType<typeof pipelineRound>>>> = { off: [], inference: [], on: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of orderOf(round)) runs[mode].push(await pipelineRound(mode, round, ctx));
    }
    await admin.end();
    // The bench's topics go (a broker keeping every run's topics grows by GBs and starts slowly).
    await eventLog.deleteTopicsWithPrefix(`${prefix}.`);
    await eventLog.close();
    const overall = (rs: Array<{ seconds: number; cpuSeconds: number }>) => ({
      eventsPerSec: Math.round((events.length * rs.length) / rs.reduce((a, r) => a + r.seconds, 0)),
      eventsPerCpuSecond: Math.round((events.length * rs.length) / rs.reduce((a, r) => a + r.cpuSeconds, 0)),
    });
    const off = overall(runs.off);
    const inference = overall(runs.inference);
    const on = overall(runs.on);
    const versus = (mode: Mode, o: { eventsPerSec: number; eventsPerCpuSecond: number }) => ({
      changeEventsPerSec: change(off.eventsPerSec, o.eventsPerSec),
      changeEventsPerCpuSecond: change(off.eventsPerCpuSecond, o.eventsPerCpuSecond),
      changePerRound: runs[mode].map((r, i) => change(runs.off[i]!.eventsPerSec, r.eventsPerSec)),
    });
    pipeline = {
      off: { ...off, runs: runs.off },
      inference: { ...inference, runs: runs.inference, ...versus('inference', inference) },
      on: { ...on, runs: runs.on, ...versus('on', on) },
      note: 'change: (mode ÷ off) − 1 over all rounds of each (events per second, and per CPU second of this process, all its threads); per round: events per second',
    };
  }

  const result = {
    benchmark: 'predictions',
    date: new Date().toISOString(),
    machine: machineInfo(),
    settings: { events: events.length, matches, partitions: PARTITIONS, rounds: ROUNDS, order: 'off, on in odd rounds; on, off in even rounds', processor: PROCESSOR },
    results: {
      shards: {
        off: { eventsPerCpuSecond: shardsOff, cpuMs: shards.off.map((r) => Math.round(r.cpuMs)) },
        inference: { eventsPerCpuSecond: shardsInference, cpuMs: shards.inference.map((r) => Math.round(r.cpuMs)), change: change(shardsOff, shardsInference) },
        on: { eventsPerCpuSecond: shardsOn, cpuMs: shards.on.map((r) => Math.round(r.cpuMs)), change: change(shardsOff, shardsOn) },
        predictionsMade,
        microsecondsPerPrediction: { inference: costUs(shardsInference), on: costUs(shardsOn) },
      },
      pipeline,
      target: -0.05,
      note: 'target: inference must not move the pipeline benchmark by more than 5 % (pipeline.inference.changeEventsPerSec ≥ −0.05); `on` adds serialising, storing and sending the time series',
    },
    benchSeconds: Math.round((performance.now() - wall0) / 1000),
  };
  return result;
}

runBench(main);
