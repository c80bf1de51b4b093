// npm run bench -- live-latency [--rate 20000] [--clients 5000] [--matches 200] [--seconds 20]
//
// Latency from the event log to a WebSocket client, on the real services of this machine:
// - `clutch serve --roles=process,api` runs as a child process (Kafka, PostgreSQL, Redis);
// - this process appends canonical events to clutch.events.v1 at --rate events/s, interleaving
//   --matches live matches, each event's receivedAt set to the moment it is handed to Kafka;
// - --clients WebSocket clients (in this process) each subscribe to one match;
// - latency of a delta = when a client received it − the receivedAt of the newest event it carries.
// In the same run, Kafka's own EndToEndLatency tool (one record at a time, acks=all) for comparison.
// Prints JSON: p50/p99/p99.9 (ms), messages received, the achieved event rate, and the baseline.
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { pino } from 'pino';
import WebSocket from 'ws';
import { TITLES, uuidv7, type Envelope, type Title } from '@clutch/core';
import { toRecord } from '../../server/src/events/codec.ts';
import { KafkaEventLog } from '../../server/src/infra/kafka/event-log.ts';
import { script } from '../../server/src/ingest/scenarios.ts';
import { topicNames, topicSpecs } from '../../server/src/topics.ts';
import { ensureServices } from '../../scripts/services/ensure.ts';
import { ensureBroker } from '../kafka-clients/broker.ts';
import { startServe } from '../support/serve.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const quick = process.argv.includes('--quick');
const RATE = arg('rate', 20_000);
const CLIENTS = arg('clients', quick ? 500 : 5000);
const MATCHES = arg('matches', 200);
const SECONDS = arg('seconds', quick ? 8 : 20);
const log = (m: string) => process.stderr.write(`[bench:live-latency] ${m}\n`);

/** Live matches played side by side: each call gives the next event of the next match in turn. */
function* interleaved(tenant: string, onNewMatch: (slot: number, matchId: string) => void): Generator<Envelope> {
  const running = Array.from({ length: MATCHES }, (_, i) => start(i));
  let next = MATCHES;
  function start(m: number) {
    const title: Title = TITLES[m % TITLES.length]!;
    return { matchId: `live-${title}-${m}`, title, seq: 0, events: script(title, 5000 + m) };
  }
  for (let i = 0; ; i = (i + 1) % MATCHES) {
    let r = running[i]!;
    let ev = r.events.next();
    if (ev.done) {
      r = running[i] = start(next++); // a new match takes the slot; the slot's clients move to it
      onNewMatch(i, r.matchId);
      ev = r.events.next();
    }
    const now = Date.now();
    yield {
      id: uuidv7(now),
      v: 1,
      tenant,
      title: r.title,
      source: 'simulator',
      matchId: r.matchId,
      seq: ++r.seq,
      type: ev.value!.type,
      gameTime: ev.value!.gameTime,
      occurredAt: new Date(now).toISOString(),
      receivedAt: new Date(now).toISOString(),
      payload: ev.value!.payload as Record<string, unknown>,
    };
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function kafkaEndToEnd(tools: { java: string; classpath: string; log4jConfig: string }, brokers: string[], topic: string): { p50: number; p99: number; p999: number; avg: number } {
  const r = spawnSync(tools.java, ['-Xmx256m', `-Dlog4j2.configurationFile=${tools.log4jConfig}`, '-cp', tools.classpath, 'org.apache.kafka.tools.EndToEndLatency', '--bootstrap-server', brokers.join(','), '--topic', topic, '--num-records', '5000', '--producer-acks', 'all', '--record-size', '500'], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`EndToEndLatency failed: ${r.stderr}\n${r.stdout}`.slice(-3000));
  const avg = /Avg latency: ([\d.]+) ms/.exec(r.stdout);
  const pct = /Percentiles: 50th = ([\d.]+), 99th = ([\d.]+), 99.9th = ([\d.]+)/.exec(r.stdout);
  if (!avg || !pct) throw new Error(`cannot parse EndToEndLatency output:\n${r.stdout.slice(-2000)}`);
  return { avg: Number(avg[1]), p50: Number(pct[1]), p99: Number(pct[2]), p999: Number(pct[3]) };
}

async function main(): Promise<void> {
  const broker = await ensureBroker();
  const endpoints = await ensureServices(['postgres', 'redis']);
  const id = Date.now().toString(36);
  const prefix = `benchlive${id}.`;
  const topics = topicNames(prefix);
  // A database of its own, dropped at the end.
  const admin = new pg.Client({ connectionString: endpoints.postgres.url });
  await admin.connect();
  await admin.query(`create database benchlive_${id}`);
  const dbUrl = new URL(endpoints.postgres.url);
  dbUrl.pathname = `/benchlive_${id}`;

  const eventLog = new KafkaEventLog({ brokers: broker.brokers, clientId: 'bench-live', log: pino({ level: 'warn' }, pino.destination(2)) });
  await eventLog.ensureTopics(topicSpecs(topics));

  log('starting clutch serve --roles=process,api');
  const serve = await startServe({ DATABASE_URL: dbUrl.toString(), REDIS_URL: endpoints.redis.url, KAFKA_BROKERS: broker.brokers.join(','), KAFKA_TOPIC_PREFIX: prefix, REDIS_KEY_PREFIX: `benchlive:${id}:`, CLUTCH_ROLES: 'process,api', CLUTCH_SIMULATOR_MATCHES: '0', // thousands of connections from one key in seconds: no plan limit on opening streams here
    CLUTCH_RATE_LIMITS: 'off' });
  const base = serve.base;

  // Clients: each follows one match (the slot's match, and the next one in that slot after it ends).
  log(`connecting ${CLIENTS} WebSocket clients`);
  const samples = new Float64Array(50_000_000 / 8);
  let n = 0;
  let received = 0;
  let measuring = false;
  const sockets: WebSocket[] = [];
  const bySlot = Array.from({ length: MATCHES }, () => [] as WebSocket[]);
  for (let c = 0; c < CLIENTS; c++) {
    const ws = new WebSocket(`ws://${base}/v1/live`, { perMessageDeflate: false, headers: serve.headers });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const slot = c % MATCHES;
    const title = TITLES[slot % TITLES.length]!;
    ws.send(JSON.stringify({ op: 'subscribe', matches: [{ id: `live-${title}-${slot}` }] }));
    ws.on('message', (data: Buffer) => {
      const now = Date.now();
      // The newest event's receivedAt is near the start; no need to parse the whole message.
      const text = data.toString('latin1', 0, 400);
      const at = /"receivedAt":"([^"]+)"/.exec(text)?.[1];
      if (!at) return;
      received++;
      if (measuring && n < samples.length) samples[n++] = now - Date.parse(at);
    });
    sockets.push(ws);
    bySlot[slot]!.push(ws);
  }

  log(`producing ${RATE} events/s for ${SECONDS} s over ${MATCHES} live matches`);
  let moves = 0;
  const gen = interleaved('demo', (slot, matchId) => {
    moves++;
    for (const ws of bySlot[slot]!) ws.send(JSON.stringify({ op: 'subscribe', matches: [{ id: matchId }] }));
  });
  const t0 = performance.now();
  let produced = 0;
  const cpu0 = process.cpuUsage();
  // Warm-up: until the processor has joined its group and clients hear deltas, then 3 s more.
  const warmupMs = 3000;
  let liveSince: number | undefined;
  for (;;) {
    const elapsed = performance.now() - t0;
    if (elapsed > SECONDS * 1000) break;
    if (liveSince === undefined && received > 0) liveSince = elapsed;
    measuring = liveSince !== undefined && elapsed > liveSince + warmupMs;
    const due = Math.floor((elapsed / 1000) * RATE) - produced;
    if (due > 0) {
      const batch = [];
      for (let i = 0; i < due; i++) batch.push(toRecord(topics.events, gen.next().value!));
      await eventLog.append(batch);
      produced += due;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const benchCpu = process.cpuUsage(cpu0);
  await new Promise((r) => setTimeout(r, 2000));
  measuring = false;
  const achieved = produced / ((performance.now() - t0 - 2000) / 1000);
  for (const ws of sockets) ws.terminate();
  // The server's own view: processor batches (count, seconds) and events.
  const metrics = await (await fetch(`http://${base}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const batches = { count: metric('clutch_processor_batch_seconds_count'), seconds: metric('clutch_processor_batch_seconds_sum') };
  const phase = (p: string) => {
    const sum = Number(new RegExp(`^clutch_processor_phase_seconds_sum\\{phase="${p}"\\} ([\\d.e+]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    const count = Number(new RegExp(`^clutch_processor_phase_seconds_count\\{phase="${p}"\\} ([\\d.e+]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    return Number(((sum / count) * 1000).toFixed(1));
  };
  const phasesMeanMs = Object.fromEntries(['apply', 'store', 'publish', 'commit'].map((p) => [p, phase(p)]));

  log('Kafka EndToEndLatency');
  const e2eTopic = `${prefix}e2e`;
  await eventLog.ensureTopics([{ name: e2eTopic, partitions: 1 }]);
  const kafka = kafkaEndToEnd(broker.tools, broker.brokers, e2eTopic);

  await serve.stop();
  await eventLog.close();
  await admin.query(`drop database if exists benchlive_${id} with (force)`);
  await admin.end();

  const sorted = samples.slice(0, n).sort();
  const result = {
    benchmark: 'live-latency',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version },
    settings: { targetEventsPerSec: RATE, clients: CLIENTS, matches: MATCHES, seconds: SECONDS, firstDeltaAfterSeconds: Number(((liveSince ?? NaN) / 1000).toFixed(1)), warmupSeconds: warmupMs / 1000, note: 'clients and producer in one process, clutch serve (process+api) in another; Kafka, PostgreSQL, Redis on the same 2 cores' },
    results: {
      achievedEventsPerSec: Math.round(achieved),
      messagesReceived: received,
      matchesStartedDuringRun: moves,
      samples: n,
      logToWebSocketMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9), max: sorted.at(-1) ?? NaN },
      kafkaEndToEndMs: kafka,
      processorBatches: { ...batches, meanMs: Number(((batches.seconds / batches.count) * 1000).toFixed(1)), eventsPerBatch: Math.round(produced / batches.count), phasesMeanMs },
      benchProcessCpuSeconds: Number(((benchCpu.user + benchCpu.system) / 1e6).toFixed(1)),
      target: { p99Ms: 50 },
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (broker.startedHere) log('the managed broker keeps running (npm run services:down stops it)');
}

await main();
process.exit(0);
