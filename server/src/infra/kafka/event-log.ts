// EventLog on Apache Kafka through @platformatic/kafka (chosen by measurement: docs/decisions/0001).
// Only this folder imports the client. Pitfalls of the client handled here (found when choosing it):
// - keyed records are routed with Java's partitioner (our partitionForKey), so every Kafka client
//   and the in-memory log agree on where a match lives;
// - an idempotent producer sending to a missing topic never settles: topics are checked first;
// - every send has a deadline;
// - read_committed filtering of aborted transactions is patched (patches/README.md).
import { Admin, FetchIsolationLevels, ProduceAcks, Producer } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { AppendRecord, AppendResult, EventLog, LogRecord, LogTransaction, SubscribeOptions, Subscription, TopicSpec, TransactionOptions } from '../../ports/event-log.ts';
import { createError } from '../../errors.ts';
import { RecordTooLarge, SubscriptionClosed, UnknownTopic } from '../errors.ts';
import { partitionForKey } from '../partitioner.ts';
import { KafkaSubscription } from './subscription.ts';

export const KafkaTimeout = createError('CLUTCH_EVENTLOG_TIMEOUT', 'Kafka did not answer %s within %s ms', 503);

export interface KafkaEventLogOptions {
  brokers: string[];
  clientId: string;
  log: Logger;
  /** Deadline of one append or transaction, ms. Default 30 s. */
  requestTimeoutMs?: number;
  /** Largest record value accepted before compression, bytes. Default 16 MiB; each topic's own limit (after compression) is the broker's to enforce. */
  maxRecordBytes?: number;
  /** Upper bound of one fetch response per partition, bytes (tests shrink it). */
  fetchMaxBytesPerPartition?: number;
}

type Bytes = Producer<Buffer, Buffer, Buffer, Buffer>;

export function withDeadline<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KafkaTimeout(what, ms)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Large records (post-game documents) go gzip-compressed: JSON shrinks ~10×, under the topic's limit. */
function compressionFor(records: AppendRecord[]): { compression?: 'gzip' } {
  return records.some((r) => r.value.length > 256 * 1024) ? { compression: 'gzip' } : {};
}

/** The broker's "too large" answers (nested in the client's error tree) become our coded error: a 413 for a sender, never a retry. */
function tooLarge(err: unknown): never {
  const seen = new Set<unknown>();
  const find = (e: unknown, depth: number): boolean => {
    if (!e || typeof e !== 'object' || depth > 6 || seen.has(e)) return false;
    seen.add(e);
    const x = e as { apiId?: unknown; errors?: unknown[]; cause?: unknown };
    if (x.apiId === 'MESSAGE_TOO_LARGE' || x.apiId === 'RECORD_LIST_TOO_LARGE') return true;
    return (x.errors ?? []).some((c) => find(c, depth + 1)) || find(x.cause, depth + 1);
  };
  if (find(err, 0)) throw new RecordTooLarge('a batch of records', "the topic's max.message.bytes (after compression)");
  throw err;
}

export class KafkaEventLog implements EventLog {
  readonly kind = 'kafka' as const;
  readonly #o: Required<Omit<KafkaEventLogOptions, 'fetchMaxBytesPerPartition'>> & Pick<KafkaEventLogOptions, 'fetchMaxBytesPerPartition'>;
  readonly #admin: Admin;
  readonly #producer: Bytes;
  #txProducer: Bytes | undefined;
  /** One transactional id per EventLog instance: instances never fence each other; a reset fences itself. */
  readonly #transactionalId = `clutch-tx-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  /** Serialises transactions: a transactional producer has one open transaction at a time. */
  #txQueue: Promise<unknown> = Promise.resolve();
  readonly #partitions = new Map<string, number>();
  readonly #subscriptions = new Set<KafkaSubscription>();
  #closed = false;

  constructor(o: KafkaEventLogOptions) {
    this.#o = { requestTimeoutMs: 30_000, maxRecordBytes: 16 * 1024 * 1024, ...o };
    const base = { clientId: o.clientId, bootstrapBrokers: o.brokers, timeout: 10_000, retries: 3, retryDelay: 250 };
    this.#admin = new Admin(base);
    this.#producer = new Producer({ ...base, idempotent: true, acks: ProduceAcks.ALL, autocreateTopics: false });
  }

  /** Deletes every topic whose name starts with `prefix` (benchmarks clean up the topics they made). */
  async deleteTopicsWithPrefix(prefix: string): Promise<void> {
    this.#assertOpen();
    if (!prefix) throw new Error('deleteTopicsWithPrefix: an empty prefix would delete every topic');
    const topics = (await this.#admin.listTopics({ includeInternals: false })).filter((n) => n.startsWith(prefix));
    if (topics.length) await this.#admin.deleteTopics({ topics });
    for (const n of topics) this.#partitions.delete(n);
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    this.#assertOpen();
    const existing = new Set(await this.#admin.listTopics({ includeInternals: false }));
    for (const t of topics) {
      if (existing.has(t.name)) continue;
      try {
        await this.#admin.createTopics({
          topics: [t.name],
          partitions: t.partitions,
          replicas: 1,
          configs: [
            ...(t.retentionMs !== undefined ? [{ name: 'retention.ms', value: String(t.retentionMs) }] : []),
            ...(t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : []),
            ...(t.maxRecordBytes !== undefined ? [{ name: 'max.message.bytes', value: String(t.maxRecordBytes) }] : []),
          ],
        });
      } catch (err) {
        // Another process created it between our list and create: that is fine.
        if (!/already exists/i.test(JSON.stringify((err as { errors?: unknown }).errors ?? (err as Error).message))) throw err;
      }
    }
    // Usable = every partition has a leader.
    const names = topics.map((t) => t.name);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const md = await this.#admin.metadata({ topics: names, forceUpdate: true });
      const ready = names.every((n) => {
        const t = md.topics.get(n);
        return t && t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0);
      });
      if (ready) {
        for (const n of names) this.#partitions.set(n, md.topics.get(n)!.partitions.length);
        return;
      }
      if (Date.now() > deadline) throw new KafkaTimeout(`topic creation of ${names.join(', ')}`, 30_000);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async append(records: AppendRecord[]): Promise<AppendResult[]> {
    this.#assertOpen();
    if (!records.length) return [];
    const routed = await this.#route(records);
    const result = await withDeadline('an append', this.#o.requestTimeoutMs, this.#producer.send({ messages: routed.map((r) => r.message), ...compressionFor(records) })).catch(tooLarge);
    return this.#results(routed, result.offsets ?? []);
  }

  async transaction<T>(fn: (tx: LogTransaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    this.#assertOpen();
    const consumed = options.consumed;
    if (consumed && !(consumed.subscription instanceof KafkaSubscription)) throw new Error('the subscription of a transaction must come from the same event log');
    // Fail before doing any work when the member already lost a partition (checked again at commit).
    (consumed?.subscription as KafkaSubscription | undefined)?.assertOwns(consumed!.positions);
    const run = async () => {
      const producer = (this.#txProducer ??= this.#transactionalProducer());
      const tx = await withDeadline('begin transaction', this.#o.requestTimeoutMs, producer.beginTransaction()).catch(async (err: unknown) => {
        await this.#resetTransactionalProducer();
        throw err;
      });
      let inFn = true;
      try {
        const value = await fn({
          append: async (records) => {
            if (!records.length) return;
            const routed = await this.#route(records);
            inFn = false;
            await withDeadline('a transactional append', this.#o.requestTimeoutMs, tx.send({ messages: routed.map((r) => r.message), ...compressionFor(records) })).catch(tooLarge);
            inFn = true;
          },
        });
        inFn = false;
        if (consumed) {
          const sub = consumed.subscription as KafkaSubscription;
          sub.assertOwns(consumed.positions);
          await withDeadline('adding the consumer group to the transaction', this.#o.requestTimeoutMs, tx.addConsumer(sub.consumer));
          for (const p of consumed.positions) await withDeadline('a transactional offset commit', this.#o.requestTimeoutMs, tx.addOffset(sub.offsetMessage(p)));
        }
        await withDeadline('commit transaction', this.#o.requestTimeoutMs, tx.commit());
        return value;
      } catch (err) {
        const aborted = await withDeadline('abort transaction', this.#o.requestTimeoutMs, tx.abort()).then(
          () => true,
          () => false,
        );
        // A Kafka-side failure (or an abort that did not go through) can leave a transaction open on
        // the broker, holding every reader of its partitions at the last stable offset. A new producer
        // with the same transactional id makes the coordinator abort it at once (KIP-98 fencing).
        if (!inFn || !aborted) await this.#resetTransactionalProducer();
        throw err;
      }
    };
    const next = this.#txQueue.then(run, run);
    this.#txQueue = next.catch(() => {});
    return next;
  }

  #transactionalProducer(): Bytes {
    return new Producer({
      clientId: this.#o.clientId,
      bootstrapBrokers: this.#o.brokers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
      transactionalId: this.#transactionalId,
      // InitProducerId must say "no producer yet" (-1/-1): the client's default 0/0 asks the
      // coordinator to bump the epoch of producer 0, which it refuses with PRODUCER_FENCED once the
      // transactional id belongs to another producer id — so a producer re-created after a failure
      // (a broker restart, a refused append) could never start a transaction again.
      producerId: -1n,
      producerEpoch: -1,
      // The client sends `timeout` as the transaction timeout too: a transaction left open by a crash
      // is aborted by the coordinator after 15 s instead of Kafka's usual minute.
      timeout: 15_000,
      // A transaction started right after the previous commit is refused with
      // CONCURRENT_TRANSACTIONS until the coordinator has written the markers (milliseconds). The
      // client's default 1 s retry delay made every such batch wait a second; back off from 10 ms.
      retries: 40,
      retryDelay: (_client: unknown, _operation: unknown, attempt: number) => Math.min(500, 10 * 2 ** Math.min(attempt, 6)),
    });
  }

  async #resetTransactionalProducer(): Promise<void> {
    const old = this.#txProducer;
    this.#txProducer = undefined;
    await old?.close(true).catch(() => {});
    try {
      // Fence the old epoch now (aborting its open transaction), not at the next batch.
      this.#txProducer = this.#transactionalProducer();
      // Beginning a transaction registers the transactional id (InitProducerId), which bumps the epoch
      // and aborts the old one's open transaction; nothing is sent, so the local one is just dropped.
      const tx = await withDeadline('re-initialising the transactional producer', this.#o.requestTimeoutMs, this.#txProducer.beginTransaction());
      await tx.cancel();
    } catch (err) {
      // A producer whose InitProducerId failed keeps a local "transaction active" state and refuses
      // every later beginTransaction ("There is already an active transaction"): drop it, so the next
      // transaction starts from a fresh producer instead of failing forever (seen after a broker restart).
      const failed = this.#txProducer;
      this.#txProducer = undefined;
      await failed?.close(true).catch(() => {});
      this.#o.log.warn({ error: err }, 'could not re-initialise the transactional producer yet; the next transaction retries');
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    for (const t of options.topics) await this.#partitionCount(t);
    const sub = new KafkaSubscription({
      brokers: this.#o.brokers,
      clientId: this.#o.clientId,
      options,
      log: this.#o.log,
      ...(this.#o.fetchMaxBytesPerPartition ? { fetchMaxBytesPerPartition: this.#o.fetchMaxBytesPerPartition } : {}),
      onClosed: (s) => this.#subscriptions.delete(s),
    });
    this.#subscriptions.add(sub);
    try {
      await sub.start();
    } catch (err) {
      await sub.close().catch(() => {});
      throw err;
    }
    return sub;
  }

  async *readPartition(topic: string, partition: number): AsyncIterable<LogRecord[]> {
    const range = await this.#stableRange(topic, partition);
    if (range.high <= range.low) return;
    // A throwaway group that never commits: it reads the partition from its start and leaves.
    const sub = new KafkaSubscription({
      brokers: this.#o.brokers,
      clientId: this.#o.clientId,
      options: { groupId: `${this.#o.clientId}.restore.${process.pid}.${Math.random().toString(36).slice(2, 10)}`, topics: [topic], maxBatchRecords: 1000, start: 'latest' },
      log: this.#o.log,
      onClosed: () => {},
    });
    try {
      await sub.startAt([{ topic, partition, offset: range.low }]);
      const it = sub[Symbol.asyncIterator]();
      for (;;) {
        // Transaction markers take offsets too, so the last record may sit below `high`: a quiet
        // second after the last batch means the partition has been read to where it stood.
        let timer: NodeJS.Timeout | undefined;
        const idle = new Promise<'idle'>((resolve) => (timer = setTimeout(() => resolve('idle'), 1500)));
        const r = await Promise.race([it.next(), idle]).finally(() => clearTimeout(timer));
        if (r === 'idle' || r.done) return;
        if (r.value.partition !== partition) continue;
        const records = r.value.records.filter((rec) => rec.offset < range.high);
        if (records.length) yield records;
        if (r.value.records[r.value.records.length - 1]!.offset + 1n >= range.high) return;
      }
    } finally {
      await sub.close();
    }
  }

  /**
   * Offsets to read a partition up to, once no transaction on it is still pending: right after a
   * commit the markers are written asynchronously, and a crashed writer's open transaction holds the
   * last stable offset back until the coordinator aborts it. Waits for the last stable offset to reach
   * the high watermark, up to a deadline, then settles for what is stable.
   */
  async #stableRange(topic: string, partition: number): Promise<{ low: bigint; high: bigint }> {
    const deadline = Date.now() + 2 * this.#o.requestTimeoutMs;
    for (;;) {
      const [stable, all] = await Promise.all([this.offsets(topic, true), this.offsets(topic)]);
      const s = stable.find((o) => o.partition === partition);
      const a = all.find((o) => o.partition === partition);
      if (!s || !a) throw new UnknownTopic(`${topic}[${partition}]`);
      if (s.high >= a.high) return s;
      if (Date.now() > deadline) {
        this.#o.log.warn({ topic, partition, stable: String(s.high), high: String(a.high) }, 'a transaction is still open on the partition; reading what is stable');
        return s;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async offsets(topic: string, committedOnly = false): Promise<{ partition: number; low: bigint; high: bigint }[]> {
    const count = await this.#partitionCount(topic);
    const partitions = Array.from({ length: count }, (_, i) => i);
    const [low, high] = await Promise.all(
      [-2n, -1n].map((timestamp) =>
        this.#admin.listOffsets({
          topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
          ...(committedOnly ? { isolationLevel: FetchIsolationLevels.READ_COMMITTED } : {}),
        }),
      ),
    );
    const pick = (r: Awaited<ReturnType<Admin['listOffsets']>>, p: number) => r.find((t) => t.name === topic)?.partitions.find((x) => x.partitionIndex === p)?.offset ?? 0n;
    return partitions.map((p) => ({ partition: p, low: pick(low!, p), high: pick(high!, p) }));
  }

  async ping(): Promise<void> {
    this.#assertOpen();
    await withDeadline('a metadata request', 2000, this.#admin.metadata({ topics: [], forceUpdate: true }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#subscriptions].map((s) => s.close()));
    await Promise.allSettled([this.#producer.close(), this.#txProducer?.close(), this.#admin.close()]);
  }

  // ---- internals ------------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closed) throw new SubscriptionClosed();
  }

  async #partitionCount(topic: string): Promise<number> {
    const known = this.#partitions.get(topic);
    if (known) return known;
    const md = await this.#admin.metadata({ topics: [topic], forceUpdate: true }).catch(() => undefined);
    const count = md?.topics.get(topic)?.partitions.length ?? 0;
    if (!count) throw new UnknownTopic(topic);
    this.#partitions.set(topic, count);
    return count;
  }

  async #route(records: AppendRecord[]) {
    const routed = [];
    for (const r of records) {
      if (r.value.length > this.#o.maxRecordBytes) throw new RecordTooLarge(`a record of ${r.value.length} bytes`, `the limit of ${this.#o.maxRecordBytes} bytes`);
      const partition = partitionForKey(r.key, await this.#partitionCount(r.topic));
      routed.push({
        topic: r.topic,
        partition,
        message: {
          topic: r.topic,
          partition,
          key: Buffer.from(r.key),
          value: r.value,
          headers: new Map(Object.entries(r.headers ?? {}).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
        },
      });
    }
    return routed;
  }

  /** The producer reports the base offset per partition; records of one partition follow it in order. */
  #results(routed: { topic: string; partition: number }[], offsets: { topic: string; partition: number; offset: bigint }[]): AppendResult[] {
    const next = new Map(offsets.map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]));
    return routed.map((r) => {
      const k = `${r.topic}\u0000${r.partition}`;
      const offset = next.get(k) ?? -1n;
      if (offset >= 0n) next.set(k, offset + 1n);
      return { topic: r.topic, partition: r.partition, offset };
    });
  }
}
