// The worker threads of the plugin runtime. Each slot has one worker, runs one request at a time
// (so a wall-clock timer measures exactly that request and blames only it), and queues the rest up to
// a bound. A worker that does not answer in time is terminated and its request fails with
// WorkerLost('timeout'); one that dies fails its request with WorkerLost('crashed'); either way the
// queue goes on in a new worker. The pool knows which plugin versions each worker has been given and
// sends a version's spec along with the first call after a (re)start: callers never resend anything.
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { SandboxSpec } from './sandbox.ts';
import type { WorkerRequest, WorkerResponse } from './worker.ts';
import { PluginOverloaded, PluginRuntimeClosed } from './errors.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type PoolRequest = DistributiveOmit<WorkerRequest, 'id'>;

/** The worker did not answer in time (and was replaced), died while it had the request, or was restarted. */
export type LostReason = 'timeout' | 'crashed' | 'restarted';
export class WorkerLost extends Error {
  readonly reason: LostReason;
  constructor(reason: LostReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface PoolOptions {
  size: number;
  /** Live isolates per worker; the least recently used beyond it are disposed (reloaded on use). */
  maxIsolatesPerWorker: number;
  /** Requests waiting per worker; beyond it a request fails with CLUTCH_PLUGIN_OVERLOADED. */
  maxQueuedPerWorker: number;
  /** Nice value of the worker threads (0: the process's). */
  nice?: number;
  log?: Logger;
  /** How long a replaced worker may take to leave by itself before it is terminated (10 s). */
  retireTimeoutMs?: number;
  /** A worker was replaced (after a timeout, a crash, or restart()). */
  onRestart?: (slot: number, reason: string) => void;
}

interface Job {
  req: PoolRequest;
  wallMs: number;
  resolve: (res: WorkerResponse) => void;
  reject: (err: Error) => void;
}

class Slot {
  worker: Worker | undefined;
  readonly loaded = new Set<string>();
  readonly queue: Job[] = [];
  current: { id: number; job: Job; timer: NodeJS.Timeout } | undefined;
  keys = 0;
}

export class WorkerPool {
  readonly #o: PoolOptions;
  readonly #slots: Slot[];
  readonly #specs = new Map<string, SandboxSpec>();
  #next = 1;
  #closed = false;

  constructor(o: PoolOptions) {
    this.#o = o;
    this.#slots = Array.from({ length: Math.max(1, o.size) }, () => new Slot());
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Registers a plugin version's spec and pins it to the slot with the fewest versions. */
  assign(key: string, spec: SandboxSpec): number {
    this.#specs.set(key, spec);
    let best = 0;
    for (let i = 1; i < this.#slots.length; i++) if (this.#slots[i]!.keys < this.#slots[best]!.keys) best = i;
    this.#slots[best]!.keys++;
    return best;
  }

  /** Forgets a version: its isolate is disposed in its worker. */
  release(key: string, slot: number): void {
    this.#specs.delete(key);
    const s = this.#slots[slot]!;
    s.keys = Math.max(0, s.keys - 1);
    this.evict(key, slot);
  }

  /** Disposes a version's isolate in its worker (the next call loads it again). */
  evict(key: string, slot: number): void {
    const s = this.#slots[slot]!;
    if (!s.loaded.delete(key) || !s.worker) return;
    this.request(slot, { op: 'unload', key }, 5_000).catch(() => {});
  }

  /** Queues a request on a slot's worker; resolves with its answer. */
  request(slot: number, req: PoolRequest, wallMs: number): Promise<WorkerResponse> {
    if (this.#closed) return Promise.reject(new PluginRuntimeClosed());
    const s = this.#slots[slot]!;
    if (s.queue.length >= this.#o.maxQueuedPerWorker) return Promise.reject(new PluginOverloaded(s.queue.length));
    return new Promise<WorkerResponse>((resolve, reject) => {
      s.queue.push({ req, wallMs, resolve, reject });
      this.#dispatch(slot);
    });
  }

  /** Replaces every worker (calls in hand fail with WorkerLost('restarted'), queued ones go on). */
  restart(): void {
    for (let i = 0; i < this.#slots.length; i++) if (this.#slots[i]!.worker) this.#kill(i, 'restarted', 'the worker was restarted');
  }

  async close(): Promise<void> {
    this.#closed = true;
    const workers: Worker[] = [];
    for (const s of this.#slots) {
      for (const job of s.queue.splice(0)) job.reject(new PluginRuntimeClosed());
      if (s.current) {
        clearTimeout(s.current.timer);
        s.current.job.reject(new PluginRuntimeClosed());
        s.current = undefined;
      }
      if (s.worker) workers.push(s.worker);
      s.worker = undefined;
      s.loaded.clear();
    }
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            // Keep the process up until the thread has left (workers are unref'd while in use).
            w.ref();
            w.once('exit', () => resolve());
            retire(w, this.#o.retireTimeoutMs ?? 10_000);
          }),
      ),
    );
  }

  #dispatch(slot: number): void {
    const s = this.#slots[slot]!;
    if (s.current || this.#closed) return;
    const job = s.queue.shift();
    if (!job) return;
    const worker = (s.worker ??= this.#spawn(slot));
    const id = this.#next++;
    let msg: WorkerRequest = { ...job.req, id };
    if (msg.op === 'load') s.loaded.add(msg.key);
    else if (msg.op === 'call' && !s.loaded.has(msg.key)) {
      const spec = this.#specs.get(msg.key);
      if (spec) {
        msg = { ...msg, spec };
        s.loaded.add(msg.key);
      }
    }
    const timer = setTimeout(() => this.#kill(slot, 'timeout', `did not answer within ${job.wallMs} ms`), job.wallMs);
    s.current = { id, job, timer };
    worker.postMessage(msg);
  }

  #spawn(slot: number): Worker {
    const w = new Worker(new URL('./worker.ts', import.meta.url), { workerData: { maxIsolates: this.#o.maxIsolatesPerWorker, nice: this.#o.nice ?? 0 }, name: `clutch-plugins-${slot}` });
    const s = this.#slots[slot]!;
    w.on('message', (res: WorkerResponse) => {
      if (s.worker !== w || !s.current || s.current.id !== res.id) return;
      const { job, timer } = s.current;
      clearTimeout(timer);
      s.current = undefined;
      if (res.op === 'load' && !res.ok) s.loaded.delete(job.req.op === 'load' ? job.req.key : '');
      job.resolve(res);
      this.#dispatch(slot);
    });
    w.on('error', (err) => {
      if (s.worker !== w) return;
      this.#o.log?.error({ error: err, worker: slot }, 'plugin worker failed');
      this.#kill(slot, 'crashed', `worker failed: ${err.message}`);
    });
    w.on('exit', (code) => {
      if (s.worker === w) this.#kill(slot, 'crashed', `worker exited (${code})`);
    });
    w.unref();
    return w;
  }

  #kill(slot: number, reason: LostReason, message: string): void {
    const s = this.#slots[slot]!;
    const w = s.worker;
    s.worker = undefined;
    s.loaded.clear();
    const cur = s.current;
    s.current = undefined;
    if (cur) clearTimeout(cur.timer);
    if (w) retire(w, this.#o.retireTimeoutMs ?? 10_000);
    this.#o.log?.warn({ worker: slot, reason, message }, 'plugin worker replaced');
    this.#o.onRestart?.(slot, reason);
    cur?.job.reject(new WorkerLost(reason, message));
    this.#dispatch(slot);
  }
}

/**
 * Ends a worker the pool no longer uses: it is asked to dispose its isolates and leave (after the
 * call it may still be running, which isolated-vm's own timeout bounds); only a thread that has not
 * left after `ms` is terminated. Terminating a thread right after isolated-vm worked in it can abort
 * the process (isolated-vm 7.0.1, Node 24: "IsolateEnvironment::GetCurrent(): Assertion"), so that is
 * the last resort for a thread stuck in native code.
 */
function retire(w: Worker, ms: number): void {
  w.removeAllListeners('message');
  w.removeAllListeners('error');
  w.on('error', () => {});
  const timer = setTimeout(() => void w.terminate().catch(() => {}), ms);
  timer.unref();
  w.once('exit', () => clearTimeout(timer));
  try {
    w.postMessage({ id: 0, op: 'exit' } satisfies WorkerRequest);
  } catch {
    void w.terminate().catch(() => {});
  }
}
