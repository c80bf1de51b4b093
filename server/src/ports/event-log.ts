// EventLog port: an append-only, partitioned, replayable log with consumer groups — Kafka's model.
// Adapters: infra/kafka (production), infra/memory (demo, fast tests). One contract suite
// (server/test/contract/event-log.contract.ts) runs against both.

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Retention in ms; undefined = the adapter's default. */
  retentionMs?: number;
  /** Keep only the latest record per key (a changelog of state): cleanup.policy=compact on Kafka. */
  compacted?: boolean;
  /** Largest record the topic takes (after compression on Kafka); default the broker's (1 MiB). */
  maxRecordBytes?: number;
}

export interface AppendRecord {
  topic: string;
  /** Records with the same key go to the same partition, in append order. Clutch keys by match id. */
  key: string;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface AppendResult {
  topic: string;
  partition: number;
  offset: bigint;
}

export interface LogRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  /** Append time, ms since epoch. */
  timestamp: number;
}

/** Records of one partition, in offset order. */
export interface LogBatch {
  topic: string;
  partition: number;
  records: LogRecord[];
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A committed position: the offset of the NEXT record to read (Kafka semantics). */
export interface CommitPosition extends TopicPartition {
  offset: bigint;
}

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts. Default 'earliest'. */
  start?: 'earliest' | 'latest';
  /** Upper bound on records per batch (bounded memory). Default 500. */
  maxBatchRecords?: number;
  /** How long a fetch may wait for records before yielding nothing. Default 500 ms. */
  maxWaitMs?: number;
  /**
   * A fetch returns once this many bytes are available or maxWaitMs has passed: fewer, larger batches
   * (what a transactional stage wants: one transaction per batch). Default 1. The in-memory log
   * delivers what it has.
   */
  minBytes?: number;
  /** Called when partitions are taken from this member (rebalance, close). Flush and commit here. */
  onRevoked?: (partitions: TopicPartition[]) => Promise<void> | void;
  /** Called when partitions are given to this member. */
  onAssigned?: (partitions: TopicPartition[]) => Promise<void> | void;
}

/**
 * A consumer-group membership. Iterate it for batches; commit what has been durably applied; close
 * to leave the group. Records after the last commit are delivered again to whoever owns the
 * partition next (at-least-once; processing makes the effect exactly-once).
 */
export interface Subscription extends AsyncIterable<LogBatch> {
  commit(positions: CommitPosition[]): Promise<void>;
  /** Next batches of this partition start at `offset`. The partition must be assigned to this member. */
  seek(position: CommitPosition): void;
  assignment(): TopicPartition[];
  close(): Promise<void>;
}

export interface LogTransaction {
  append(records: AppendRecord[]): Promise<void>;
}

export interface TransactionOptions {
  /**
   * Consumed positions committed atomically with the transaction's records (exactly-once
   * read-process-write): if the transaction aborts, neither the records nor the positions take effect.
   * Fails if the subscription no longer owns a partition (a newer member of the group does).
   */
  consumed?: { subscription: Subscription; positions: CommitPosition[] };
}

export interface EventLog {
  readonly kind: 'kafka' | 'memory';
  /** Creates missing topics (existing ones are left as they are) and waits until they are usable. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** Durable append (acks from all in-sync replicas, idempotent producer): resolves once the log has it. */
  append(records: AppendRecord[]): Promise<AppendResult[]>;
  /** All records appended in `fn` become visible together when it resolves, or never if it throws. */
  transaction<T>(fn: (tx: LogTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Offsets of the first and next-to-be-written record per partition. */
  offsets(topic: string): Promise<{ partition: number; low: bigint; high: bigint }[]>;
  /**
   * Every committed record of one partition from its low offset up to its high offset at the time of
   * the call, in batches, outside any consumer group (restoring state from a changelog topic).
   */
  readPartition(topic: string, partition: number): AsyncIterable<LogRecord[]>;
  /** Throws when the log cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
