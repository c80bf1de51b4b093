// Kafka client benchmark: produce and consume throughput of kafkajs and @platformatic/kafka against
// Kafka's own Java perf tools, on the same broker, topic layout and batching settings, in one run.
// Usage: node bench/kafka-clients/run.ts [--quick] [--repetitions=N] [--records-200=N] [--records-1k=N]
// Prints one JSON document on stdout; progress goes to stderr.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kafka } from '../../scripts/services/kafka.ts';
import { ensureBroker, machine, type Broker } from './broker.ts';
import { javaConsume, javaProduce } from './java.ts';
import { CLIENTS, buildSettings, parseArgs, recordsPerSend, type ClientName, type Job, type Measurement, type Settings } from './settings.ts';
import { summarize, type Summary } from './stats.ts';
import { Topics } from './topics.ts';

const execFileAsync = promisify(execFile);
const WORKER = join(import.meta.dirname, 'worker.ts');
const log = (m: string) => console.error(`[bench] ${m}`);

type Op = 'produce' | 'consume';
/** runs[recordBytes][client][op] = measurements */
type Runs = Map<number, Map<ClientName, Record<Op, Measurement[]>>>;

async function nodeJob(job: Job): Promise<Measurement> {
  const { stdout } = await execFileAsync(process.execPath, [WORKER, JSON.stringify(job)], {
    timeout: 600_000,
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Measurement;
}

function record(runs: Runs, bytes: number, client: ClientName, op: Op, m: Measurement): void {
  const bySize = runs.get(bytes) ?? new Map();
  runs.set(bytes, bySize);
  const entry = bySize.get(client) ?? { produce: [], consume: [] };
  bySize.set(client, entry);
  entry[op].push(m);
  const rate = Math.round(m.records / (m.elapsedMs / 1000));
  log(`${client} ${op} ${bytes} B: ${m.records} records in ${m.elapsedMs.toFixed(0)} ms = ${rate} rec/s`);
}

async function produceOnce(b: Broker, s: Settings, topics: Topics, client: ClientName, bytes: number, records: number): Promise<Measurement> {
  const topic = `bench-produce-${client}-${bytes}-${randomUUID().slice(0, 8)}`;
  await topics.create(topic, s.partitions);
  try {
    const m = client === 'java'
      ? javaProduce(b.tools, s, topic, records, bytes)
      : await nodeJob({ client, op: 'produce', topic, groupId: '', recordBytes: bytes, records, settings: s });
    const written = await topics.count(topic, s.partitions);
    if (written !== records) throw new Error(`${client} produced ${written} records to ${topic}, expected ${records}`);
    return m;
  } finally {
    await topics.delete(topic);
  }
}

function consumeOnce(b: Broker, s: Settings, client: ClientName, topic: string, bytes: number, records: number): Promise<Measurement> | Measurement {
  const groupId = `bench-${client}-${randomUUID().slice(0, 8)}`; // fresh group: reads from the earliest offset
  if (client === 'java') return javaConsume(b.tools, s, topic, groupId, records);
  return nodeJob({ client, op: 'consume', topic, groupId, recordBytes: bytes, records, settings: s });
}

/** The consume tests all read one topic per record size, written once (keyed) by @platformatic/kafka. */
async function fillConsumeTopic(s: Settings, topics: Topics, bytes: number, records: number): Promise<string> {
  const topic = `bench-consume-${bytes}-${randomUUID().slice(0, 8)}`;
  await topics.create(topic, s.partitions);
  await nodeJob({ client: 'platformatic', op: 'produce', topic, groupId: '', recordBytes: bytes, records, settings: s });
  const written = await topics.count(topic, s.partitions);
  if (written !== records) throw new Error(`consume topic ${topic} holds ${written} records, expected ${records}`);
  return topic;
}

async function measure(b: Broker, s: Settings): Promise<Runs> {
  const runs: Runs = new Map();
  const topics = new Topics(s.brokers);
  try {
    for (const { recordBytes, records } of s.sizes) {
      const consumeTopic = await fillConsumeTopic(s, topics, recordBytes, records);
      // Clients take turns within each repetition, so slow drift on the box hits them all alike.
      for (let rep = 1; rep <= s.repetitions; rep++) {
        log(`--- ${recordBytes} B, repetition ${rep}/${s.repetitions}`);
        for (const client of CLIENTS) {
          record(runs, recordBytes, client, 'produce', await produceOnce(b, s, topics, client, recordBytes, records));
          record(runs, recordBytes, client, 'consume', await consumeOnce(b, s, client, consumeTopic, recordBytes, records));
        }
      }
      await topics.delete(consumeTopic);
    }
  } finally {
    await topics.close();
  }
  return runs;
}

interface OpReport {
  recordsPerSec: Summary;
  mibPerSec: Summary;
  /** Median records/s divided by the Java tool's median records/s in this run. */
  ratioToJava: number;
  startupMs?: Summary;
}

function opReport(ms: Measurement[], bytes: number, javaMedian: number | undefined): OpReport {
  const rates = ms.map((m) => m.records / (m.elapsedMs / 1000));
  const recordsPerSec = summarize(rates, 0);
  const startups = ms.flatMap((m) => (m.startupMs === undefined ? [] : [m.startupMs]));
  return {
    recordsPerSec,
    mibPerSec: summarize(rates.map((r) => (r * bytes) / 2 ** 20), 2),
    ratioToJava: javaMedian ? Number((recordsPerSec.median / javaMedian).toFixed(3)) : 1,
    ...(startups.length ? { startupMs: summarize(startups, 0) } : {}),
  };
}

function report(runs: Runs): Record<string, Record<string, Record<Op, OpReport>>> {
  const out: Record<string, Record<string, Record<Op, OpReport>>> = {};
  for (const [bytes, byClient] of runs) {
    const java = byClient.get('java');
    const javaMedian = (op: Op) => (java ? summarize(java[op].map((m) => m.records / (m.elapsedMs / 1000))).median : undefined);
    const sizeOut: Record<string, Record<Op, OpReport>> = {};
    for (const [client, ops] of byClient) {
      sizeOut[client] = {
        produce: opReport(ops.produce, bytes, javaMedian('produce')),
        consume: opReport(ops.consume, bytes, javaMedian('consume')),
      };
    }
    out[`${bytes}B`] = sizeOut;
  }
  return out;
}

function describeSettings(s: Settings) {
  const { brokers: _brokers, ...rest } = s;
  return {
    ...rest,
    nodeRecordsPerSend: Object.fromEntries(s.sizes.map(({ recordBytes }) => [`${recordBytes}B`, recordsPerSend(s, recordBytes)])),
    notes: [
      'Record size = value bytes; Node clients also send a 9-byte key (match-000..match-063). MiB/s counts value bytes only.',
      'ProducerPerformance cannot send keys: it runs with RoundRobinPartitioner so its records spread over all partitions like keyed ones.',
      'Every measurement is a fresh process (JVM or Node), so all clients start with a cold JIT.',
      'Produce: fresh topic per run, timed from client creation to the last ack; the written count is checked afterwards.',
      'Consume: one topic per size written once by @platformatic/kafka, read by a fresh consumer group per run, timed from client creation to the last expected record (includes connect and group join; Java: ConsumerPerformance nMsg.sec, which includes its rebalance time).',
      '@platformatic/kafka forces one in-flight request per connection for idempotent producers; the benchmark still keeps maxInFlight send() calls pending.',
    ],
  };
}

async function main(): Promise<void> {
  const mode = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const broker = await ensureBroker();
  const settings = buildSettings(broker.brokers, mode);
  log(`brokers ${broker.brokers.join(',')}; sizes ${JSON.stringify(settings.sizes)}; ${settings.repetitions} repetition(s)`);
  try {
    const runs = await measure(broker, settings);
    const doc = {
      benchmark: 'kafka-clients',
      date: new Date().toISOString(),
      mode: mode.quick ? 'quick' : 'full',
      durationSec: Math.round((Date.now() - started) / 1000),
      machine: machine(broker),
      settings: describeSettings(settings),
      results: report(runs),
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } finally {
    if (broker.startedHere) await kafka.stop(broker.ctx);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
