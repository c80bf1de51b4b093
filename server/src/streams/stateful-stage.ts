// A keyed, stateful, exactly-once stream processing stage on the EventLog port (the Kafka Streams
// "processor + changelog" pattern, small):
// - consumes an input topic in a consumer group; records of one key are on one partition, in order;
// - keeps one state object per key in memory; the state of a key lives in a compacted changelog
//   topic co-partitioned with the input (same key → same partition number);
// - per batch, in ONE transaction: the stage's output records, the new states of the keys it touched,
//   and the consumed input offsets. A crash anywhere replays the batch from the last commit, with the
//   states as of that commit: no output is lost or doubled.
// - a partition's states are restored from the changelog before its first batch is processed.
// Work is done on copies of the states; they replace the live ones only after the commit.
import type { Logger } from 'pino';
import type { AppendRecord, EventLog, LogBatch, Subscription } from '../ports/event-log.ts';
import { supervise, type Supervised } from './supervise.ts';

export interface StageContext<S> {
  /** The state of a key as of this batch (a working copy; mutate or replace it with set). */
  get(key: string): S | undefined;
  set(key: string, state: S): void;
}

export interface StageOptions<S> {
  name: string;
  eventLog: EventLog;
  input: string;
  groupId: string;
  changelog: string;
  log: Logger;
  /** Turns one batch (one partition, in order) into output records, reading and writing key states. */
  process(batch: LogBatch, ctx: StageContext<S>): Promise<AppendRecord[]> | AppendRecord[];
  /** Keys kept in memory per process; least recently used go first (they reload from the changelog). */
  maxKeys?: number;
  maxBatchRecords?: number;
  onBatch?: (info: { records: number; outputs: number; ms: number }) => void;
}

export type Stage = Supervised;

const encodeState = (s: unknown) => Buffer.from(JSON.stringify(s));

export async function startStatefulStage<S>(o: StageOptions<S>): Promise<Stage> {
  const states = new Map<string, S>(); // key → committed state
  const keyPartition = new Map<string, number>();
  const restored = new Map<number, Promise<void>>();
  const max = o.maxKeys ?? 50_000;

  const restore = (partition: number): Promise<void> => {
    let p = restored.get(partition);
    if (!p) {
      p = (async () => {
        const started = performance.now();
        let n = 0;
        for await (const records of o.eventLog.readPartition(o.changelog, partition)) {
          for (const r of records) {
            n++;
            if (r.value.length === 0) states.delete(r.key);
            else states.set(r.key, JSON.parse(r.value.toString('utf8')) as S);
            keyPartition.set(r.key, partition);
          }
        }
        o.log.info({ stage: o.name, partition, records: n, ms: Math.round(performance.now() - started) }, 'state restored');
      })();
      restored.set(partition, p);
      p.catch(() => restored.delete(partition)); // a failed restore is retried on the next batch
    }
    return p;
  };

  const forget = (partition: number) => {
    restored.delete(partition);
    for (const [k, p] of keyPartition) {
      if (p !== partition) continue;
      keyPartition.delete(k);
      states.delete(k);
    }
  };

  /** Processes batches (of any partitions) and commits them in one transaction. */
  const handle = async (sub: Subscription, batches: LogBatch[]): Promise<void> => {
    for (const b of batches) await restore(b.partition);
    const started = performance.now();
    const working = new Map<string, S>();
    const touched = new Map<string, number>(); // key → partition
    const ctx: StageContext<S> = {
      get: (key) => {
        if (working.has(key)) return working.get(key);
        const committed = states.get(key);
        return committed === undefined ? undefined : structuredClone(committed);
      },
      set: (key, state) => void working.set(key, state),
    };
    const outputs: AppendRecord[] = [];
    const positions = new Map<string, { topic: string; partition: number; offset: bigint }>();
    for (const batch of batches) {
      const before = new Set(working.keys());
      outputs.push(...(await o.process(batch, ctx)));
      for (const k of working.keys()) if (!before.has(k)) touched.set(k, batch.partition);
      const next = batch.records[batch.records.length - 1]!.offset + 1n;
      const k = `${batch.topic}\u0000${batch.partition}`;
      const prev = positions.get(k);
      if (!prev || prev.offset < next) positions.set(k, { topic: batch.topic, partition: batch.partition, offset: next });
    }
    const changelog: AppendRecord[] = [...working].map(([key, s]) => ({ topic: o.changelog, key, value: encodeState(s) }));
    await o.eventLog.transaction(async (tx) => tx.append([...outputs, ...changelog]), { consumed: { subscription: sub, positions: [...positions.values()] } });
    for (const [key, s] of working) {
      states.delete(key); // re-insert: most recently used last
      states.set(key, s);
      keyPartition.set(key, touched.get(key) ?? keyPartition.get(key) ?? batches[0]!.partition);
    }
    while (states.size > max) {
      const oldest = states.keys().next().value!;
      states.delete(oldest);
      // Evicted keys reload from the changelog: make the next batch of that partition restore again.
      const p = keyPartition.get(oldest);
      keyPartition.delete(oldest);
      if (p !== undefined) restored.delete(p);
    }
    const info = { records: batches.reduce((n, b) => n + b.records.length, 0), outputs: outputs.length, ms: Math.round(performance.now() - started) };
    o.log.debug({ stage: o.name, partitions: batches.map((b) => b.partition), ...info }, 'batch committed');
    o.onBatch?.(info);
  };

  const subscribe = () =>
    o.eventLog.subscribe({
      groupId: o.groupId,
      topics: [o.input],
      maxBatchRecords: o.maxBatchRecords ?? 500,
      // One transaction per batch: let fetches wait up to 100 ms for 64 KiB (Kafka Streams commits
      // exactly-once work every 100 ms for the same reason).
      maxWaitMs: 100,
      minBytes: 64 * 1024,
      onRevoked: (tps) => tps.forEach((tp) => forget(tp.partition)),
    });

  // A failed batch is not retried in place: the transaction may have committed even though the
  // client reported an error. The loop below leaves the group and starts over from what is committed
  // (offsets and changelog agree: same transaction); the stage's own dedupe state makes a batch that
  // did commit harmless to see again.
  const apply = async (sub: Subscription, batches: LogBatch[]): Promise<void> => {
    try {
      await handle(sub, batches);
    } catch (err) {
      if ((err as { code?: string }).code !== 'CLUTCH_EVENTLOG_NOT_ASSIGNED') throw err;
      for (const b of batches) forget(b.partition); // the partitions' new owner replays them
    }
  };

  /** The next batch, then every batch that is already waiting (up to a bound): one transaction for all. */
  const gather = async (it: AsyncIterator<LogBatch>, carry: { pending?: Promise<IteratorResult<LogBatch>> | undefined }): Promise<LogBatch[] | undefined> => {
    const first = await (carry.pending ?? it.next());
    carry.pending = undefined;
    if (first.done) return undefined;
    const batches = [first.value];
    let records = first.value.records.length;
    while (records < 5000 && batches.length < 64) {
      carry.pending = it.next();
      const ready = await Promise.race([carry.pending, new Promise<'later'>((r) => setImmediate(() => r('later')))]);
      if (ready === 'later' || ready.done) break; // nothing more right now: keep the pending fetch
      carry.pending = undefined;
      batches.push(ready.value);
      records += ready.value.records.length;
    }
    return batches;
  };

  const worker = await supervise({
    name: o.name,
    log: o.log,
    subscribe,
    onRestart: () => {
      states.clear();
      keyPartition.clear();
      restored.clear();
    },
    async consume(sub, ctl) {
      const it = sub[Symbol.asyncIterator]();
      const carry: { pending?: Promise<IteratorResult<LogBatch>> | undefined } = {};
      for (;;) {
        const batches = await gather(it, carry);
        if (!batches || ctl.stopping()) return;
        await ctl.track(apply(sub, batches));
        ctl.succeeded();
      }
    },
  });
  return worker;
}

