// One consumer-group membership on Kafka. Manual commits only (the client's autocommit commits a
// fetch before the application has processed it). Batches are records of one partition taken from
// what the client has already fetched, so a batch never waits for more data. Assignment changes are
// seen on group joins and reported through onRevoked/onAssigned. Seek recreates the stream at the
// wanted positions (the client has no seek on a live stream).
import { Consumer, MessagesStreamFallbackModes, MessagesStreamModes, type Message, type MessagesStream } from '@platformatic/kafka';
import { once } from 'node:events';
import type { Logger } from 'pino';
import type { CommitPosition, LogBatch, LogRecord, SubscribeOptions, Subscription, TopicPartition } from '../../ports/event-log.ts';
import { NotAssigned, SubscriptionClosed } from '../errors.ts';
import { withDeadline } from './event-log.ts';

type Msg = Message<Buffer, Buffer, Buffer, Buffer>;
type Stream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export interface KafkaSubscriptionOptions {
  brokers: string[];
  clientId: string;
  options: SubscribeOptions;
  log: Logger;
  fetchMaxBytesPerPartition?: number;
  onClosed: (s: KafkaSubscription) => void;
}

function toRecord(m: Msg): LogRecord {
  const headers: Record<string, string> = {};
  for (const [k, v] of m.headers) headers[k.toString()] = v.toString();
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    key: m.key?.toString('utf8') ?? '',
    value: m.value ?? Buffer.alloc(0),
    headers,
    timestamp: Number(m.timestamp),
  };
}

export class KafkaSubscription implements Subscription {
  readonly #o: KafkaSubscriptionOptions;
  readonly #consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  #stream: Stream | undefined;
  #iterator: AsyncIterator<Msg> | undefined;
  #pending: Promise<IteratorResult<Msg>> | undefined;
  /**
   * Records taken from the stream, per partition, not yet delivered. The stream interleaves
   * partitions fetch response by fetch response; a batch takes everything queued for one partition,
   * so a member that falls behind gets larger batches (its per-batch costs amortise and it catches
   * up) instead of one small fetch response at a time.
   */
  readonly #queues = new Map<string, Msg[]>();
  #queued = 0;
  /** Partition queues in turn (fairness between partitions). */
  #turn = 0;
  #assignment = new Map<string, TopicPartition>();
  /** Next offset to deliver per partition (for seek, which rebuilds the stream). */
  readonly #positions = new Map<string, bigint>();
  readonly #epochs = new Map<string, number>();
  /** Group metadata (generation, member) of the last message delivered per partition: fences transactional commits. */
  readonly #lastMeta = new Map<string, Msg['metadata']>();
  readonly #seeks = new Map<string, bigint>();
  #assignmentChange: Promise<void> = Promise.resolve();
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(o: KafkaSubscriptionOptions) {
    this.#o = o;
    const maxBatch = o.options.maxBatchRecords ?? 500;
    this.#consumer = new Consumer({
      clientId: o.clientId,
      groupId: o.options.groupId,
      bootstrapBrokers: o.brokers,
      autocommit: false,
      maxWaitTime: o.options.maxWaitMs ?? 500,
      minBytes: o.options.minBytes ?? 1,
      // Bounded read-ahead: at most a few batches are buffered per member.
      highWaterMark: maxBatch * 2,
      ...(o.fetchMaxBytesPerPartition ? { maxBytesPerPartition: o.fetchMaxBytesPerPartition, maxBytes: o.fetchMaxBytesPerPartition * 4 } : {}),
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      timeout: 10_000,
      retries: 3,
    });
    this.#consumer.on('consumer:group:join', (e: { assignments?: { topic: string; partitions: number[] }[] }) => {
      const next = new Map<string, TopicPartition>();
      for (const a of e.assignments ?? []) for (const partition of a.partitions) next.set(tpKey(a.topic, partition), { topic: a.topic, partition });
      this.#assignmentChange = this.#assignmentChange.then(() => this.#applyAssignment(next)).catch((err: unknown) => o.log.error({ error: err }, 'assignment callback failed'));
    });
  }

  /** Starts at explicit offsets (partitions not listed start at the subscription's `start`). */
  async startAt(offsets: CommitPosition[]): Promise<void> {
    await this.#open({ mode: MessagesStreamModes.MANUAL, fallbackMode: this.#o.options.start === 'latest' ? MessagesStreamFallbackModes.LATEST : MessagesStreamFallbackModes.EARLIEST, offsets });
  }

  async start(): Promise<void> {
    await this.#open({
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: this.#o.options.start === 'latest' ? MessagesStreamFallbackModes.LATEST : MessagesStreamFallbackModes.EARLIEST,
    });
  }

  assignment(): TopicPartition[] {
    return [...this.#assignment.values()].map((tp) => ({ ...tp }));
  }

  assertOwns(positions: CommitPosition[]): void {
    if (this.#closed) throw new SubscriptionClosed();
    for (const p of positions) if (!this.#assignment.has(tpKey(p.topic, p.partition))) throw new NotAssigned(p.topic, p.partition);
  }

  /** For a transactional commit of `p`: the group identity as of the last fetch of that partition.
   *  A rebalance since then makes the broker refuse the commit (the transaction aborts: fencing). */
  get consumer(): Consumer<Buffer, Buffer, Buffer, Buffer> {
    return this.#consumer;
  }

  offsetMessage(p: CommitPosition): Msg {
    const meta = this.#lastMeta.get(tpKey(p.topic, p.partition));
    if (!meta) throw new NotAssigned(p.topic, p.partition);
    // The client commits `offset + 1`: hand it the last consumed offset.
    return { topic: p.topic, partition: p.partition, offset: p.offset - 1n, leaderEpoch: this.#epochs.get(tpKey(p.topic, p.partition)) ?? -1, metadata: meta } as Msg;
  }

  async commit(positions: CommitPosition[]): Promise<void> {
    this.assertOwns(positions);
    if (!positions.length) return;
    await withDeadline(
      'a commit',
      10_000,
      this.#consumer.commit({
        offsets: positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset, leaderEpoch: this.#epochs.get(tpKey(p.topic, p.partition)) ?? -1 })),
      }),
    );
  }

  seek(position: CommitPosition): void {
    const k = tpKey(position.topic, position.partition);
    if (!this.#assignment.has(k)) throw new NotAssigned(position.topic, position.partition);
    this.#seeks.set(k, position.offset);
    this.#wake?.();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    try {
      await this.#assignmentChange;
      await this.#applyAssignment(new Map());
      await this.#stream?.close().catch(() => {});
      await this.#consumer.close(true).catch((err: unknown) => this.#o.log.warn({ error: err }, 'closing a Kafka consumer failed'));
    } finally {
      this.#o.onClosed(this);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<LogBatch> {
    return { next: () => this.#next() };
  }

  // ---- internals ------------------------------------------------------------------------------

  async #open(opts: { mode: (typeof MessagesStreamModes)[keyof typeof MessagesStreamModes]; fallbackMode: (typeof MessagesStreamFallbackModes)[keyof typeof MessagesStreamFallbackModes]; offsets?: { topic: string; partition: number; offset: bigint }[] }): Promise<void> {
    const stream = await this.#consumer.consume({ topics: this.#o.options.topics, ...opts });
    this.#stream = stream;
    stream.on('error', (err: unknown) => this.#o.log.warn({ error: err }, 'Kafka consumer stream error'));
    // The stream resolves its starting offsets (committed, or the fallback) after consume() returns.
    // Wait for them: with start=latest, a record appended once subscribe() resolved must be delivered.
    if (stream.offsetsToFetch.size === 0) {
      await withDeadline('the starting offsets', 15_000, once(stream, 'offsets')).catch((err: unknown) => this.#o.log.warn({ error: err }, 'starting offsets not known yet'));
    }
    this.#iterator = this.#stream[Symbol.asyncIterator]();
    this.#pending = undefined;
    // Queued records are beyond the delivered positions the new stream starts from: fetched again.
    this.#queues.clear();
    this.#queued = 0;
    if (this.#consumer.assignments) {
      const now = new Map<string, TopicPartition>();
      for (const a of this.#consumer.assignments) for (const partition of a.partitions) now.set(tpKey(a.topic, partition), { topic: a.topic, partition });
      this.#assignmentChange = this.#assignmentChange.then(() => this.#applyAssignment(now));
      await this.#assignmentChange;
    }
  }

  async #applyAssignment(next: Map<string, TopicPartition>): Promise<void> {
    const revoked = [...this.#assignment.entries()].filter(([k]) => !next.has(k)).map(([, tp]) => tp);
    const added = [...next.entries()].filter(([k]) => !this.#assignment.has(k)).map(([, tp]) => tp);
    if (revoked.length) await this.#o.options.onRevoked?.(revoked);
    this.#assignment = next;
    for (const tp of revoked) {
      const k = tpKey(tp.topic, tp.partition);
      this.#positions.delete(k);
      this.#seeks.delete(k);
    }
    if (added.length) await this.#o.options.onAssigned?.(added);
  }

  /** Rebuilds the stream so pending seeks take effect; other partitions continue where they were. */
  async #applySeeks(): Promise<void> {
    const offsets = [...this.#assignment.entries()].flatMap(([k, tp]) => {
      const offset = this.#seeks.get(k) ?? this.#positions.get(k);
      return offset === undefined ? [] : [{ ...tp, offset }];
    });
    this.#seeks.clear();
    await this.#stream?.close().catch(() => {});
    await this.#open({ mode: MessagesStreamModes.MANUAL, fallbackMode: MessagesStreamFallbackModes.EARLIEST, offsets });
  }

  /** The next message, or undefined if close() or seek() interrupted the wait. */
  async #pull(): Promise<Msg | undefined> {
    this.#pending ??= this.#iterator!.next();
    const interrupted = new Promise<'interrupted'>((resolve) => (this.#wake = () => resolve('interrupted')));
    const r = await Promise.race([this.#pending, interrupted]);
    this.#wake = undefined;
    if (r === 'interrupted') return undefined;
    this.#pending = undefined;
    return r.done ? undefined : r.value;
  }

  #enqueue(m: Msg): void {
    const k = tpKey(m.topic, m.partition);
    let q = this.#queues.get(k);
    if (!q) this.#queues.set(k, (q = []));
    q.push(m);
    this.#queued++;
  }

  /** Moves what the stream already holds into the queues, up to a bound (the rest waits in the stream: backpressure). */
  async #drain(max: number): Promise<void> {
    while (this.#queued < max * 4 && (this.#stream?.readableLength ?? 0) > 0) {
      // A read the async iterator started goes first. Otherwise take what the stream holds with
      // read(): synchronous, no promise per message (the iterator calls read() itself when resumed,
      // so the two never see the same message). Profiled: a promise and a race per message were
      // most of this class's main-thread time in bench/pipeline.
      const m = this.#pending ? await this.#pull() : ((this.#stream!.read() as Msg | null) ?? undefined);
      if (!m) return;
      this.#enqueue(m);
    }
  }

  async #next(): Promise<IteratorResult<LogBatch>> {
    const max = this.#o.options.maxBatchRecords ?? 500;
    for (;;) {
      if (this.#closed) return { done: true, value: undefined };
      if (this.#seeks.size) await this.#applySeeks();
      await this.#drain(max);
      if (this.#queued === 0) {
        const first = await this.#pull();
        if (first) this.#enqueue(first);
        continue;
      }
      const keys = [...this.#queues.keys()];
      const k = keys[this.#turn++ % keys.length]!;
      const q = this.#queues.get(k)!;
      // Records of partitions this member does not own at delivery time belong to their owner (as the
      // stream's own buffer was: a partition revoked and given back keeps what was fetched for it).
      if (!this.#assignment.has(k)) {
        this.#queues.delete(k);
        this.#queued -= q.length;
        continue;
      }
      const records = q.length <= max ? q : q.slice(0, max);
      if (q.length <= max) this.#queues.delete(k);
      else this.#queues.set(k, q.slice(max));
      this.#queued -= records.length;
      const first = records[0]!;
      const last = records[records.length - 1]!;
      this.#positions.set(k, last.offset + 1n);
      this.#epochs.set(k, last.leaderEpoch);
      this.#lastMeta.set(k, last.metadata);
      return { done: false, value: { topic: first.topic, partition: first.partition, records: records.map(toRecord) } };
    }
  }
}
