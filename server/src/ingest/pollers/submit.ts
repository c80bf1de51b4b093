// What every poller shares: submitting into the ingest pipeline exactly as the HTTP route does
// (acceptPayloads: validated, appended, acknowledged by the log), a bounded outbox that keeps what
// the log refused and submits it again later, a restart-safe memory of what was already submitted,
// and the polling loop.
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Cache } from '../../ports/cache.ts';
import type { EventLog } from '../../ports/event-log.ts';
import type { Topics } from '../../topics.ts';
import { acceptPayloads, appendWithin, type Accepted } from '../accept.ts';
import { adapterFor } from '../adapters/registry.ts';
import type { SourceName } from '../adapters/types.ts';
import { systemClock, type Clock } from './clock.ts';
import { PollerLogUnavailable, withDetails } from './errors.ts';
import { HttpClient, type HttpClientOptions } from './http-client.ts';

export type Submit = (source: SourceName, streamId: string, body: Buffer) => Promise<Accepted>;

export interface SubmitTarget {
  eventLog: EventLog;
  topics: Topics;
  tenant: string;
  /** How long the log may take to acknowledge (INGEST_APPEND_TIMEOUT_MS). */
  appendTimeoutMs: number;
}

const RECORD_TOO_LARGE = 'CLUTCH_EVENTLOG_RECORD_TOO_LARGE';
export const isRecordTooLarge = (err: unknown) => (err as { code?: unknown } | null)?.code === RECORD_TOO_LARGE;

/**
 * acceptPayloads into the log. A record too large for the log is rethrown as is (no retry can help);
 * any other append failure (timeout, broker down) becomes CLUTCH_POLLER_LOG_UNAVAILABLE: retry later.
 */
export function logSubmitter(t: SubmitTarget): Submit {
  return async (source, streamId, body) => {
    const adapter = adapterFor(source);
    try {
      return await acceptPayloads(t.topics, { adapter, tenant: t.tenant, streamId, body, contentType: 'application/json', append: (records) => appendWithin(t.eventLog, records, t.appendTimeoutMs) });
    } catch (err) {
      if (isRecordTooLarge(err)) throw err;
      const code = (err as { code?: string }).code;
      throw withDetails(new PollerLogUnavailable(source, code ?? (err as Error).message, { cause: err }), { retryable: true });
    }
  };
}

/**
 * What a poller already submitted, remembered in the cache (Redis in production) so a restarted
 * poller does not submit it again, with an in-memory front (bounded, most recent kept).
 * Keys: `poller:<tenant>:<poller>:<id>`; values say how it ended (`submitted`, `skipped:<why>`…).
 */
export class Remembered {
  readonly #cache: Cache;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #memory = new Map<string, string>();
  readonly #max: number;

  constructor(cache: Cache, prefix: string, ttlMs = 30 * 86_400_000, memoryMax = 10_000) {
    this.#cache = cache;
    this.#prefix = prefix;
    this.#ttlMs = ttlMs;
    this.#max = memoryMax;
  }

  async get(id: string): Promise<string | undefined> {
    const hit = this.#memory.get(id);
    if (hit !== undefined) return hit;
    const v = await this.#cache.get(`${this.#prefix}${id}`);
    if (v !== undefined) this.#keep(id, v);
    return v;
  }

  async has(id: string): Promise<boolean> {
    return (await this.get(id)) !== undefined;
  }

  async set(id: string, value = 'submitted'): Promise<void> {
    await this.#cache.set(`${this.#prefix}${id}`, value, this.#ttlMs);
    this.#keep(id, value);
  }

  #keep(id: string, v: string): void {
    this.#memory.delete(id);
    this.#memory.set(id, v);
    if (this.#memory.size > this.#max) this.#memory.delete(this.#memory.keys().next().value!);
  }
}

export interface OutboxItem {
  /** Identity of the item (a match id): one item per key at a time. */
  key: string;
  source: SourceName;
  streamId: string;
  /** Bodies submitted in order; each one leaves the list once the log acknowledged it. */
  bodies: Buffer[];
  /** When a body is too large for one log record: the smaller bodies to send instead, in order. */
  split?: () => Buffer[];
  /** Called once every body is acknowledged (or the item was given up as too large). */
  onDone: (outcome: { accepted: number; rejected: Accepted['rejected']; tooLarge: boolean }) => Promise<void>;
}

/**
 * Bodies fetched but not yet acknowledged by the log, in fetch order, at most `capacity`. A poller
 * stops fetching while it is full. When the log does not answer, flushing stops at the first
 * refused body and reports false: nothing is dropped, the next flush starts from there.
 */
export class Outbox {
  readonly #items: OutboxItem[] = [];
  readonly #submit: Submit;
  readonly #capacity: number;
  readonly #log: Logger;

  constructor(submit: Submit, capacity: number, log: Logger) {
    this.#submit = submit;
    this.#capacity = capacity;
    this.#log = log;
  }

  get size(): number {
    return this.#items.length;
  }

  get full(): boolean {
    return this.#items.length >= this.#capacity;
  }

  has(key: string): boolean {
    return this.#items.some((i) => i.key === key);
  }

  push(item: OutboxItem): void {
    this.#items.push(item);
  }

  /** true when the outbox is empty afterwards; false when the log refused (retry later). */
  async flush(): Promise<boolean> {
    while (this.#items.length) {
      const item = this.#items[0]!;
      let accepted = 0;
      let rejected: Accepted['rejected'] = [];
      let tooLarge = false;
      while (item.bodies.length) {
        try {
          const r = await this.#submit(item.source, item.streamId, item.bodies[0]!);
          accepted += r.accepted;
          rejected = [...rejected, ...r.rejected];
          item.bodies.shift();
        } catch (err) {
          if (isRecordTooLarge(err)) {
            if (item.split) {
              this.#log.info({ key: item.key, source: item.source }, 'body too large for one log record: submitting its documents separately');
              item.bodies.splice(0, 1, ...item.split());
              delete item.split;
              continue;
            }
            this.#log.error({ error: err, key: item.key, source: item.source }, 'document too large for the event log: given up');
            item.bodies.shift();
            tooLarge = true;
            continue;
          }
          this.#log.warn({ error: err, key: item.key, source: item.source, pending: this.#items.length }, 'event log unavailable: kept, submitted again later');
          return false;
        }
      }
      if (rejected.length) this.#log.warn({ key: item.key, source: item.source, rejected }, 'payload rejected by the adapter (kept in the DLQ)');
      this.#items.shift();
      await item.onDone({ accepted, rejected, tooLarge });
    }
    return true;
  }
}

/** One NDJSON body from JSON documents (each re-serialised on one line, in order). */
export function ndjson(docs: unknown[]): Buffer {
  return Buffer.from(docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
}

export interface LoopOptions {
  name: string;
  clock: Clock;
  log: Logger;
  /** One round; resolves with the delay before the next round. */
  tick: (signal: AbortSignal) => Promise<number>;
  /** Delay after a round that threw. */
  errorDelayMs: number;
}

/** Runs tick → wait → tick… from start() (first round at once) until stop(). */
export class PollLoop {
  readonly #o: LoopOptions;
  #abort: AbortController | undefined;
  #running: Promise<void> | undefined;

  constructor(o: LoopOptions) {
    this.#o = o;
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  start(): void {
    if (this.#running) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#running = this.#run(abort.signal);
  }

  async stop(): Promise<void> {
    this.#abort?.abort(new Error(`${this.#o.name} poller stopped`));
    await this.#running;
    this.#running = undefined;
    this.#abort = undefined;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { clock, log } = this.#o;
    while (!signal.aborted) {
      let delay: number;
      try {
        delay = await this.#o.tick(signal);
      } catch (err) {
        if (signal.aborted) break;
        log.error({ error: err }, 'poll round failed');
        delay = this.#o.errorDelayMs;
      }
      try {
        await clock.sleep(delay, signal);
      } catch {
        break;
      }
    }
  }
}

/** Delay before the next round: the interval, or less while the outbox waits for the log. */
export function nextDelay(intervalMs: number, outbox: Outbox, logDown: boolean, retryMs: number): number {
  return logDown || outbox.size > 0 ? Math.min(intervalMs, retryMs) : intervalMs;
}

export interface PollerMetrics {
  /** Matches/payloads handed to the log, by poller and outcome. */
  submitted: Counter<'poller' | 'outcome'>;
  /** HTTP retries, by poller and reason (429, 5xx, timeout, network). */
  retries: Counter<'poller' | 'reason'>;
}

/** What every poller needs besides its own settings. */
export interface PollerDeps {
  tenant: string;
  submit: Submit;
  cache: Cache;
  log: Logger;
  clock?: Clock;
  /** [0, 1): jitter of the backoff. */
  random?: () => number;
  fetch?: typeof fetch;
  /** Overrides of the HTTP client's defaults (timeouts, attempts, backoff, size). */
  http?: Partial<Omit<HttpClientOptions, 'name'>>;
  metrics?: PollerMetrics;
}

/** The HTTP client of one poller, with its retries logged and counted. */
export function pollerHttp(name: string, d: PollerDeps, o: Omit<HttpClientOptions, 'name'> = {}): HttpClient {
  return new HttpClient({
    name,
    clock: d.clock ?? systemClock,
    ...(d.random ? { random: d.random } : {}),
    ...(d.fetch ? { fetch: d.fetch } : {}),
    ...o,
    ...d.http,
    onRetry: (info) => {
      d.log.warn({ url: info.url, attempt: info.attempt, delayMs: info.delayMs, status: info.status, limitType: info.limitType }, `request failed (${info.reason}); retrying`);
      d.metrics?.retries.inc({ poller: name, reason: info.status === 429 ? '429' : info.status ? '5xx' : 'network' });
    },
  });
}
