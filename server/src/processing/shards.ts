// Where the processor's CPU-heavy work runs: on its own thread (workers: 0) or in worker threads.
// With workers, partition p's matches live in worker p % n (a match lives on one partition), so the
// event loop that fetches from Kafka, writes to PostgreSQL and Redis and serves the API in the same
// process is not held up by JSON decoding, the stats and the snapshots. Bounded: the processor has at
// most `concurrency` batches in hand, so at most that many requests wait on the workers.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { MatchShard, type ApplyResult, type DecodeResult, type MatchSeed, type PredictionsMode } from './shard.ts';

export interface Shards {
  decode(partition: number, batchId: number, values: readonly Uint8Array[]): Promise<DecodeResult>;
  apply(partition: number, batchId: number, seeds: MatchSeed[]): Promise<ApplyResult>;
  drop(partition: number, batchId: number): Promise<void>;
  /** Drops every state (they reload from the store). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export interface ShardOptions {
  maxCachedMatches?: number;
  allowedLatenessMs?: number;
  /** Live win-probability predictions (the shipped models are loaded in each shard). */
  predictions?: PredictionsMode;
}

export type ShardRequest =
  | { id: number; op: 'decode'; batchId: number; buf: ArrayBuffer; ends: Uint32Array }
  | { id: number; op: 'apply'; batchId: number; seeds: MatchSeed[] }
  | { id: number; op: 'drop'; batchId: number }
  | { id: number; op: 'clear' };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type ShardResponse = { id: number; result: unknown } | { id: number; error: string };

export function createShards(o: ShardOptions & { workers: number; log: Logger }): Shards {
  return o.workers > 0 ? new WorkerShards(o.workers, o, o.log) : new InlineShards(o);
}

class InlineShards implements Shards {
  readonly #shard: MatchShard;
  constructor(o: ShardOptions) {
    this.#shard = new MatchShard(o);
  }
  async decode(_p: number, batchId: number, values: readonly Uint8Array[]): Promise<DecodeResult> {
    return this.#shard.decode(batchId, values);
  }
  async apply(_p: number, batchId: number, seeds: MatchSeed[]): Promise<ApplyResult> {
    // The states live on: hand out copies of what later batches mutate in place.
    const r = this.#shard.apply(batchId, seeds);
    for (const t of r.touched) if (t.summary) t.summary = structuredClone(t.summary);
    return r;
  }
  async drop(_p: number, batchId: number): Promise<void> {
    this.#shard.drop(batchId);
  }
  async clear(): Promise<void> {
    this.#shard.clear();
  }
  async close(): Promise<void> {}
}

/** One worker thread; a crash fails what it had in hand and the next request starts a new one. */
class ShardThread {
  #worker: Worker | undefined;
  readonly #calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 0;
  readonly index: number;
  readonly o: ShardOptions;
  readonly log: Logger;
  constructor(index: number, o: ShardOptions, log: Logger) {
    this.index = index;
    this.o = o;
    this.log = log;
  }

  #spawn(): Worker {
    const w = new Worker(new URL('./shard-worker.ts', import.meta.url), { workerData: { maxCachedMatches: this.o.maxCachedMatches, allowedLatenessMs: this.o.allowedLatenessMs, predictions: this.o.predictions }, name: `clutch-shard-${this.index}` });
    w.on('message', (res: ShardResponse) => {
      const call = this.#calls.get(res.id);
      if (!call) return;
      this.#calls.delete(res.id);
      if ('error' in res) call.reject(new Error(`shard worker ${this.index}: ${res.error}`));
      else call.resolve(res.result);
    });
    const fail = (err: Error) => {
      if (this.#worker !== w) return;
      this.#worker = undefined;
      for (const call of this.#calls.values()) call.reject(err);
      this.#calls.clear();
    };
    w.on('error', (err) => {
      this.log.error({ error: err, worker: this.index }, 'shard worker failed');
      fail(err);
    });
    w.on('exit', (code) => fail(new Error(`shard worker ${this.index} exited (${code})`)));
    w.unref();
    return w;
  }

  get running(): boolean {
    return this.#worker !== undefined;
  }

  call<T>(req: DistributiveOmit<ShardRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<T> {
    this.#worker ??= this.#spawn();
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#calls.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#worker!.postMessage({ ...req, id }, transfer);
    });
  }

  async close(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    for (const call of this.#calls.values()) call.reject(new Error('shard workers closed'));
    this.#calls.clear();
    await w?.terminate();
  }
}

class WorkerShards implements Shards {
  readonly #threads: ShardThread[];
  constructor(n: number, o: ShardOptions, log: Logger) {
    // Each worker holds its partitions' matches: the bound on states is split between them.
    const per = { ...o, maxCachedMatches: Math.ceil((o.maxCachedMatches ?? 10_000) / n) };
    this.#threads = Array.from({ length: n }, (_, i) => new ShardThread(i, per, log));
  }
  #of(partition: number): ShardThread {
    return this.#threads[partition % this.#threads.length]!;
  }
  decode(partition: number, batchId: number, values: readonly Uint8Array[]): Promise<DecodeResult> {
    // One copy of the values into a buffer the worker then owns (transferred, not copied again).
    let total = 0;
    for (const v of values) total += v.byteLength;
    const buf = new Uint8Array(total);
    const ends = new Uint32Array(values.length);
    let at = 0;
    for (const [i, v] of values.entries()) {
      buf.set(v, at);
      at += v.byteLength;
      ends[i] = at;
    }
    return this.#of(partition).call({ op: 'decode', batchId, buf: buf.buffer, ends }, [buf.buffer, ends.buffer]);
  }
  apply(partition: number, batchId: number, seeds: MatchSeed[]): Promise<ApplyResult> {
    return this.#of(partition).call({ op: 'apply', batchId, seeds });
  }
  async drop(partition: number, batchId: number): Promise<void> {
    await this.#of(partition).call({ op: 'drop', batchId });
  }
  async clear(): Promise<void> {
    // A thread not running holds no state.
    await Promise.all(this.#threads.filter((t) => t.running).map((t) => t.call({ op: 'clear' })));
  }
  async close(): Promise<void> {
    await Promise.all(this.#threads.map((t) => t.close()));
  }
}
