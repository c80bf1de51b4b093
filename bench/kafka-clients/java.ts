// Baseline: Kafka's own perf tools (org.apache.kafka.tools.ProducerPerformance / ConsumerPerformance)
// run with the jars that scripts/services/kafka.ts resolved into <dir>/tools-libs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Measurement, Settings } from './settings.ts';

export interface JavaTools {
  java: string;
  classpath: string;
  log4jConfig: string;
}

function run(tools: JavaTools, mainClass: string, args: string[]): string {
  const jvm = ['-Xms256m', '-Xmx512m', `-Dlog4j2.configurationFile=${tools.log4jConfig}`, '-cp', tools.classpath];
  const r = spawnSync(tools.java, [...jvm, mainClass, ...args], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    throw new Error(`${mainClass} failed (exit ${r.status}, ${r.signal ?? 'no signal'}):\n${r.stderr}\n${r.stdout}`.slice(-4000));
  }
  return r.stdout;
}

/** ProducerPerformance cannot send keys: RoundRobinPartitioner spreads its records over all partitions
 *  the way 64 keys do, instead of the sticky partitioner filling one partition at a time. */
export function javaProduce(tools: JavaTools, s: Settings, topic: string, records: number, recordBytes: number): Measurement {
  const p = s.producer;
  const props = [
    `bootstrap.servers=${s.brokers.join(',')}`,
    `acks=${p.acks}`,
    `enable.idempotence=${p.idempotent}`,
    `compression.type=${p.compression}`,
    `linger.ms=${p.lingerMs}`,
    `batch.size=${p.batchBytes}`,
    `max.in.flight.requests.per.connection=${p.maxInFlight}`,
    'partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner',
  ];
  const out = run(tools, 'org.apache.kafka.tools.ProducerPerformance', [
    '--topic', topic, '--num-records', String(records), '--record-size', String(recordBytes),
    '--throughput', '-1', '--producer-props', ...props,
  ]);
  // Final line: "N records sent, R records/sec (M MB/sec), ..."
  const m = /(\d+) records sent, ([\d.]+) records\/sec/.exec(out.trim().split('\n').at(-1) ?? '');
  if (!m) throw new Error(`cannot parse ProducerPerformance output:\n${out.slice(-2000)}`);
  const sent = Number(m[1]);
  return { records: sent, elapsedMs: (sent / Number(m[2])) * 1000 };
}

export function javaConsume(tools: JavaTools, s: Settings, topic: string, group: string, records: number): Measurement {
  const c = s.consumer;
  const props = [
    `fetch.max.bytes=${c.fetchMaxBytes}`,
    `max.partition.fetch.bytes=${c.partitionFetchMaxBytes}`,
    `fetch.min.bytes=${c.fetchMinBytes}`,
    `fetch.max.wait.ms=${c.fetchMaxWaitMs}`,
    `isolation.level=${c.isolation}`,
    `auto.commit.interval.ms=${c.autoCommitIntervalMs}`,
  ].flatMap((kv) => ['--command-property', kv]);
  const out = run(tools, 'org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server', s.brokers.join(','), '--topic', topic, '--group', group,
    '--num-records', String(records), '--timeout', '60000', ...props,
  ]);
  return parseConsumerCsv(out);
}

/** "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, …" */
function parseConsumerCsv(out: string): Measurement {
  const lines = out.trim().split('\n').filter((l) => l.includes(','));
  const header = lines.findIndex((l) => l.startsWith('start.time'));
  const names = (lines[header] ?? '').split(',').map((x) => x.trim());
  const values = (lines[header + 1] ?? '').split(',').map((x) => x.trim());
  const get = (name: string) => Number(values[names.indexOf(name)]);
  const consumed = get('data.consumed.in.nMsg');
  const rate = get('nMsg.sec');
  if (!Number.isFinite(consumed) || !Number.isFinite(rate) || rate <= 0) {
    throw new Error(`cannot parse ConsumerPerformance output:\n${out.slice(-2000)}`);
  }
  return { records: consumed, elapsedMs: (consumed / rate) * 1000, startupMs: get('rebalance.time.ms') };
}

export function javaTools(java: string, toolsLibs: string, repoRoot: string): JavaTools {
  return {
    java,
    classpath: join(toolsLibs, '*'),
    log4jConfig: join(repoRoot, 'scripts', 'services', 'kafka', 'log4j2-tools.properties'),
  };
}
