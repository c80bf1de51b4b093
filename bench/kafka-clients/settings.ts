// Workload and client settings shared by the orchestrator (run.ts), the Node workers (worker.ts) and
// the Java baseline (java.ts). One place, so every client gets the same batching/ack/fetch settings.

export type ClientName = 'java' | 'kafkajs' | 'platformatic';
export const CLIENTS: readonly ClientName[] = ['java', 'kafkajs', 'platformatic'];

export interface Settings {
  brokers: string[];
  partitions: number;
  /** Distinct keys (match ids) spread over the records. */
  keys: number;
  /** Value sizes in bytes, and how many records each size gets. */
  sizes: Array<{ recordBytes: number; records: number }>;
  repetitions: number;
  producer: {
    acks: 'all';
    idempotent: true;
    compression: 'none';
    /** Java batch.size (bytes per partition batch). Node clients send this many bytes per partition per request. */
    batchBytes: number;
    /** Java linger.ms. The Node clients are fed by a loop that never waits, so they have nothing to linger for. */
    lingerMs: number;
    /** Java max.in.flight.requests.per.connection; the Node loops keep this many send() calls pending. */
    maxInFlight: number;
  };
  consumer: {
    fetchMaxBytes: number;
    partitionFetchMaxBytes: number;
    fetchMinBytes: number;
    fetchMaxWaitMs: number;
    isolation: 'read_committed';
    autoCommitIntervalMs: number;
  };
}

export interface Job {
  client: Exclude<ClientName, 'java'>;
  op: 'produce' | 'consume';
  topic: string;
  groupId: string;
  recordBytes: number;
  records: number;
  settings: Settings;
}

export interface Measurement {
  records: number;
  elapsedMs: number;
  /** Consumers only: time before records flow. Node: start until the first record arrived (connect,
   *  group join, first fetch). Java: rebalance.time.ms as ConsumerPerformance reports it. */
  startupMs?: number;
}

/** Records per Node send() call: one full Java-sized batch for every partition. */
export function recordsPerSend(s: Settings, recordBytes: number): number {
  return s.partitions * Math.max(1, Math.floor(s.producer.batchBytes / recordBytes));
}

export function keyFor(i: number, keys: number): string {
  return `match-${String(i % keys).padStart(3, '0')}`;
}

interface Mode {
  quick: boolean;
  records200?: number;
  records1k?: number;
  repetitions?: number;
}

function envInt(name: string): number | undefined {
  const v = process.env[name];
  return v ? Number.parseInt(v, 10) : undefined;
}

export function parseArgs(argv: string[]): Mode {
  const flag = (name: string) => {
    const hit = argv.find((a) => a.startsWith(`--${name}=`));
    return hit ? Number.parseInt(hit.split('=')[1] ?? '', 10) : undefined;
  };
  return {
    quick: argv.includes('--quick'),
    records200: flag('records-200') ?? envInt('BENCH_RECORDS_200'),
    records1k: flag('records-1k') ?? envInt('BENCH_RECORDS_1K'),
    repetitions: flag('repetitions') ?? envInt('BENCH_REPETITIONS'),
  };
}

export function buildSettings(brokers: string[], mode: Mode): Settings {
  return {
    brokers,
    partitions: envInt('BENCH_PARTITIONS') ?? 6,
    keys: 64,
    sizes: [
      { recordBytes: 200, records: mode.records200 ?? (mode.quick ? 100_000 : 2_000_000) },
      { recordBytes: 1024, records: mode.records1k ?? (mode.quick ? 30_000 : 600_000) },
    ],
    repetitions: mode.repetitions ?? (mode.quick ? 1 : 3),
    producer: { acks: 'all', idempotent: true, compression: 'none', batchBytes: 65_536, lingerMs: 5, maxInFlight: 5 },
    consumer: {
      fetchMaxBytes: 52_428_800,
      partitionFetchMaxBytes: 1_048_576,
      fetchMinBytes: 1,
      fetchMaxWaitMs: 500,
      isolation: 'read_committed',
      autoCommitIntervalMs: 5000,
    },
  };
}
