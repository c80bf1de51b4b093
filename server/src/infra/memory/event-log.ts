// In-process EventLog: topics of partitions of offset-addressed records, consumer groups with
// committed offsets and rebalancing, transactions. Same semantics as the Kafka adapter (the
// contract suite checks both); bounded by a per-partition record limit (oldest records go first).
import type {
  AppendRecord,
  AppendResult,
  CommitPosition,
  EventLog,
  LogBatch,
  LogRecord,
  LogTransaction,
  SubscribeOptions,
  Subscription,
  TopicPartition,
  TopicSpec,
  TransactionOptions,
} from '../../ports/event-log.ts';
import { NotAssigned, RecordTooLarge, SubscriptionClosed, UnknownTopic } from '../errors.ts';
import { partitionForKey } from '../partitioner.ts';

interface Partition {
  /** Offset of records[0]. */
  low: bigint;
  records: LogRecord[];
}

interface Topic {
  spec: TopicSpec;
  partitions: Partition[];
}

interface Group {
  members: MemoryMember[];
  committed: Map<string, bigint>;
}

export interface MemoryEventLogOptions {
  /** Records kept per partition before the oldest are dropped. Default 100 000. */
  maxRecordsPerPartition?: number;
  /** Largest record value accepted, bytes. Default 16 MiB (a topic's maxRecordBytes lowers or raises it). */
  maxRecordBytes?: number;
  now?: () => number;
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class MemoryEventLog implements EventLog {
  readonly kind = 'memory' as const;
  readonly #topics = new Map<string, Topic>();
  readonly #groups = new Map<string, Group>();
  readonly #waiters = new Set<() => void>();
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  #closed = false;
  /** Serialises rebalances so callbacks of one finish before the next starts. */
  #rebalancing: Promise<void> = Promise.resolve();

  constructor(opts: MemoryEventLogOptions = {}) {
    this.#maxRecords = opts.maxRecordsPerPartition ?? 100_000;
    this.#maxBytes = opts.maxRecordBytes ?? 16 * 1024 * 1024;
    this.#now = opts.now ?? Date.now;
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    this.#assertOpen();
    let added = false;
    for (const spec of topics) {
      if (this.#topics.has(spec.name)) continue;
      const partitions = Array.from({ length: spec.partitions }, () => ({ low: 0n, records: [] as LogRecord[] }));
      this.#topics.set(spec.name, { spec, partitions });
      added = true;
    }
    if (added) await this.#rebalanceAll();
  }

  async append(records: AppendRecord[]): Promise<AppendResult[]> {
    this.#assertOpen();
    this.#validate(records);
    return this.#write(records);
  }

  async transaction<T>(fn: (tx: LogTransaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    this.#assertOpen();
    const pending: AppendRecord[] = [];
    const result = await fn({
      append: async (records) => {
        this.#validate(records);
        pending.push(...records);
      },
    });
    this.#assertOpen();
    const consumed = options.consumed;
    if (consumed && !(consumed.subscription instanceof MemoryMember)) throw new Error('the subscription of a transaction must come from the same event log');
    // Check ownership first, then write and commit in the same tick: all of it happens, or none.
    (consumed?.subscription as MemoryMember | undefined)?.assertOwns(consumed!.positions);
    this.#write(pending);
    (consumed?.subscription as MemoryMember | undefined)?.commitNow(consumed!.positions);
    return result;
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    for (const t of options.topics) if (!this.#topics.has(t)) throw new UnknownTopic(t);
    let group = this.#groups.get(options.groupId);
    if (!group) {
      group = { members: [], committed: new Map() };
      this.#groups.set(options.groupId, group);
    }
    const member = new MemoryMember(this, group, options);
    group.members.push(member);
    await this.#rebalance(group);
    return member;
  }

  async *readPartition(topic: string, partition: number): AsyncIterable<LogRecord[]> {
    const p = this.#topics.get(topic)?.partitions[partition];
    if (!p) throw new UnknownTopic(`${topic}[${partition}]`);
    const until = p.low + BigInt(p.records.length);
    for (let offset = p.low; offset < until; ) {
      const batch = this.read(topic, partition, offset, Math.min(1000, Number(until - offset)));
      if (!batch.length) return;
      yield batch;
      offset = batch[batch.length - 1]!.offset + 1n;
    }
  }

  async offsets(topic: string): Promise<{ partition: number; low: bigint; high: bigint }[]> {
    const t = this.#topics.get(topic);
    if (!t) throw new UnknownTopic(topic);
    return t.partitions.map((p, partition) => ({ partition, low: p.low, high: p.low + BigInt(p.records.length) }));
  }

  async ping(): Promise<void> {
    this.#assertOpen();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    for (const g of this.#groups.values()) for (const m of [...g.members]) await m.close();
    this.#closed = true;
    this.#wake();
  }

  // ---- used by members ------------------------------------------------------------------------

  /** Up to `max` records of a partition from `offset` (clamped to the retained range). */
  read(topic: string, partition: number, offset: bigint, max: number): LogRecord[] {
    const p = this.#topics.get(topic)?.partitions[partition];
    if (!p) return [];
    const from = offset < p.low ? 0 : Number(offset - p.low);
    return p.records.slice(from, from + max);
  }

  high(topic: string, partition: number): bigint {
    const p = this.#topics.get(topic)?.partitions[partition];
    return p ? p.low + BigInt(p.records.length) : 0n;
  }

  low(topic: string, partition: number): bigint {
    return this.#topics.get(topic)?.partitions[partition]?.low ?? 0n;
  }

  /** Resolves on the next append or after ms, whichever first. */
  waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  wakeAll(): void {
    this.#wake();
  }

  /** The member gives up its partitions (its onRevoked runs first), then the rest rebalance. */
  leave(group: Group, member: MemoryMember): Promise<void> {
    return this.#rebalance(group, member);
  }

  get closed(): boolean {
    return this.#closed;
  }

  // ---- internals ------------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closed) throw new SubscriptionClosed();
  }

  #validate(records: AppendRecord[]): void {
    for (const r of records) {
      if (!this.#topics.has(r.topic)) throw new UnknownTopic(r.topic);
      const limit = this.#topics.get(r.topic)!.spec.maxRecordBytes ?? Math.min(this.#maxBytes, 1024 * 1024);
      if (r.value.length > limit) throw new RecordTooLarge(`a record of ${r.value.length} bytes`, `the limit of ${r.topic} (${limit} bytes)`);
    }
  }

  #write(records: AppendRecord[]): AppendResult[] {
    const timestamp = this.#now();
    const results = records.map((r) => {
      const topic = this.#topics.get(r.topic)!;
      const partition = partitionForKey(r.key, topic.partitions.length);
      const p = topic.partitions[partition]!;
      const offset = p.low + BigInt(p.records.length);
      p.records.push({ topic: r.topic, partition, offset, key: r.key, value: Buffer.from(r.value), headers: { ...r.headers }, timestamp });
      if (p.records.length > this.#maxRecords) {
        const drop = p.records.length - this.#maxRecords;
        p.records.splice(0, drop);
        p.low += BigInt(drop);
      }
      return { topic: r.topic, partition, offset };
    });
    if (results.length) this.#wake();
    return results;
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  #rebalanceAll(): Promise<void> {
    return Promise.all([...this.#groups.values()].map((g) => this.#rebalance(g))).then(() => {});
  }

  /**
   * Round-robin assignment of every partition of the group's topics over its members (in join
   * order). Revocations complete (callbacks awaited) before the partitions are handed on, so a
   * member can commit what it applied before someone else starts from that offset.
   */
  #rebalance(group: Group, leaving?: MemoryMember): Promise<void> {
    const run = async () => {
      if (leaving) {
        await leaving.revokeExcept([]);
        group.members = group.members.filter((m) => m !== leaving);
      }
      const topics = [...new Set(group.members.flatMap((m) => m.topics))].sort();
      const all: TopicPartition[] = topics.flatMap((t) => this.#topics.get(t)!.partitions.map((_, partition) => ({ topic: t, partition })));
      const target = new Map<MemoryMember, TopicPartition[]>(group.members.map((m) => [m, []]));
      const eligible = (tp: TopicPartition) => group.members.filter((m) => m.topics.includes(tp.topic));
      all.forEach((tp, i) => {
        const candidates = eligible(tp);
        if (candidates.length) target.get(candidates[i % candidates.length]!)!.push(tp);
      });
      for (const m of group.members) await m.revokeExcept(target.get(m) ?? []);
      for (const m of group.members) await m.assign(target.get(m) ?? []);
    };
    const next = this.#rebalancing.then(run, run);
    this.#rebalancing = next.catch(() => {});
    return next;
  }
}

class MemoryMember implements Subscription {
  readonly topics: string[];
  readonly #log: MemoryEventLog;
  readonly #group: Group;
  readonly #opts: SubscribeOptions;
  /** Assigned partitions and their fetch positions. */
  readonly #positions = new Map<string, { tp: TopicPartition; offset: bigint }>();
  #cursor = 0;
  #closed = false;

  constructor(log: MemoryEventLog, group: Group, opts: SubscribeOptions) {
    this.#log = log;
    this.#group = group;
    this.#opts = opts;
    this.topics = [...opts.topics];
  }

  assignment(): TopicPartition[] {
    return [...this.#positions.values()].map((p) => ({ ...p.tp }));
  }

  async revokeExcept(keep: TopicPartition[]): Promise<void> {
    const keepKeys = new Set(keep.map((tp) => tpKey(tp.topic, tp.partition)));
    const revoked = [...this.#positions.entries()].filter(([k]) => !keepKeys.has(k));
    if (!revoked.length) return;
    await this.#opts.onRevoked?.(revoked.map(([, v]) => ({ ...v.tp })));
    for (const [k] of revoked) this.#positions.delete(k);
  }

  async assign(target: TopicPartition[]): Promise<void> {
    const added: TopicPartition[] = [];
    for (const tp of target) {
      const k = tpKey(tp.topic, tp.partition);
      if (this.#positions.has(k)) continue;
      const committed = this.#group.committed.get(k);
      const start = committed ?? (this.#opts.start === 'latest' ? this.#log.high(tp.topic, tp.partition) : this.#log.low(tp.topic, tp.partition));
      this.#positions.set(k, { tp, offset: start });
      added.push(tp);
    }
    if (added.length) await this.#opts.onAssigned?.(added);
    this.#log.wakeAll();
  }

  async commit(positions: CommitPosition[]): Promise<void> {
    this.assertOwns(positions);
    this.commitNow(positions);
  }

  assertOwns(positions: CommitPosition[]): void {
    if (this.#closed) throw new SubscriptionClosed();
    for (const p of positions) {
      if (!this.#positions.has(tpKey(p.topic, p.partition))) throw new NotAssigned(p.topic, p.partition);
    }
  }

  commitNow(positions: CommitPosition[]): void {
    for (const p of positions) this.#group.committed.set(tpKey(p.topic, p.partition), p.offset);
  }

  seek(position: CommitPosition): void {
    const entry = this.#positions.get(tpKey(position.topic, position.partition));
    if (!entry) throw new NotAssigned(position.topic, position.partition);
    entry.offset = position.offset;
    this.#log.wakeAll();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#log.leave(this.#group, this);
    this.#log.wakeAll();
  }

  [Symbol.asyncIterator](): AsyncIterator<LogBatch> {
    return { next: () => this.#next() };
  }

  async #next(): Promise<IteratorResult<LogBatch>> {
    const max = this.#opts.maxBatchRecords ?? 500;
    const wait = this.#opts.maxWaitMs ?? 500;
    for (;;) {
      if (this.#closed || this.#log.closed) return { done: true, value: undefined };
      const entries = [...this.#positions.values()];
      for (let i = 0; i < entries.length; i++) {
        // Rotate over partitions so a busy one cannot starve the others.
        const entry = entries[(this.#cursor + i) % entries.length]!;
        const records = this.#log.read(entry.tp.topic, entry.tp.partition, entry.offset, max);
        if (records.length) {
          this.#cursor = (this.#cursor + i + 1) % entries.length;
          entry.offset = records[records.length - 1]!.offset + 1n;
          return { done: false, value: { topic: entry.tp.topic, partition: entry.tp.partition, records } };
        }
      }
      await this.#log.waitForData(wait);
    }
  }
}
