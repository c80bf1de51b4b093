// In-memory Cache, PubSub, RateLimiter and LiveHistory for the demo and fast tests. Same semantics
// as the Redis adapter (the contract suite checks both). Bounded: a maximum number of keys and of
// streams, oldest first out; expired entries are swept periodically.
import type { Cache, CacheBackend, Contribution, Counters, HistoryEntry, Leaderboards, Leases, LiveHistory, PubSub, RateDecision, RateLimiter, RatePolicy, Unsubscribe } from '../../ports/cache.ts';
import { gcra } from '../rate-gcra.ts';

export interface MemoryCacheOptions {
  maxKeys?: number;
  maxStreams?: number;
  now?: () => number;
  sweepIntervalMs?: number;
}

interface Entry {
  value: string;
  expiresAt: number | undefined;
}

class MemoryCache implements Cache {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(max: number, now: () => number) {
    this.#max = max;
    this.#now = now;
  }

  #live(key: string): Entry | undefined {
    const e = this.#entries.get(key);
    if (e && e.expiresAt !== undefined && e.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return e;
  }

  #put(key: string, e: Entry): void {
    this.#entries.delete(key); // re-insert at the end: eviction is oldest-written first
    this.#entries.set(key, e);
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  async get(key: string): Promise<string | undefined> {
    return this.#live(key)?.value;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.#put(key, { value, expiresAt: ttlMs === undefined ? undefined : this.#now() + ttlMs });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.#live(key)) return false;
    this.#put(key, { value, expiresAt: this.#now() + ttlMs });
    return true;
  }

  async del(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async incr(key: string, by = 1, ttlMs?: number): Promise<number> {
    const e = this.#live(key);
    const current = e ? Number(e.value) : 0;
    if (!Number.isInteger(current)) throw new Error(`value of ${key} is not an integer`);
    const next = current + by;
    const expiresAt = e ? e.expiresAt : ttlMs === undefined ? undefined : this.#now() + ttlMs;
    this.#put(key, { value: String(next), expiresAt });
    return next;
  }

  async ttl(key: string): Promise<number | undefined> {
    const e = this.#live(key);
    return e?.expiresAt === undefined ? undefined : e.expiresAt - this.#now();
  }

  sweep(): void {
    const now = this.#now();
    for (const [k, e] of this.#entries) if (e.expiresAt !== undefined && e.expiresAt <= now) this.#entries.delete(k);
  }
}

class MemoryPubSub implements PubSub {
  readonly #channels = new Map<string, Set<(m: string) => void>>();

  async publish(channel: string, message: string): Promise<void> {
    const handlers = this.#channels.get(channel);
    if (!handlers) return;
    for (const h of [...handlers]) {
      // Delivered asynchronously like Redis; one failing subscriber never affects another.
      queueMicrotask(() => {
        try {
          h(message);
        } catch {
          /* subscriber's own problem */
        }
      });
    }
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe> {
    let set = this.#channels.get(channel);
    if (!set) this.#channels.set(channel, (set = new Set()));
    const handler = (m: string) => onMessage(m);
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0) this.#channels.delete(channel);
    };
  }
}

class MemoryRateLimiter implements RateLimiter {
  readonly #tat = new Map<string, number>();
  readonly #now: () => number;
  readonly #max: number;

  constructor(max: number, now: () => number) {
    this.#now = now;
    this.#max = max;
  }

  async consume(key: string, policy: RatePolicy, cost = 1): Promise<RateDecision> {
    const now = this.#now();
    const { decision, tat } = gcra(this.#tat.get(key), now, policy, cost);
    if (tat !== undefined) {
      this.#tat.delete(key);
      this.#tat.set(key, tat);
      while (this.#tat.size > this.#max) this.#tat.delete(this.#tat.keys().next().value!);
    }
    return decision;
  }

  sweep(): void {
    const now = this.#now();
    for (const [k, tat] of this.#tat) if (tat <= now) this.#tat.delete(k);
  }
}

interface Stream {
  entries: HistoryEntry[];
  expiresAt: number;
}

class MemoryLiveHistory implements LiveHistory {
  readonly #streams = new Map<string, Stream>();
  readonly #now: () => number;
  readonly #max: number;

  constructor(max: number, now: () => number) {
    this.#now = now;
    this.#max = max;
  }

  #live(name: string): Stream | undefined {
    const s = this.#streams.get(name);
    if (s && s.expiresAt <= this.#now()) {
      this.#streams.delete(name);
      return undefined;
    }
    return s;
  }

  async append(name: string, entry: HistoryEntry, opts: { maxLen: number; ttlMs: number }): Promise<boolean> {
    let s = this.#live(name);
    if (s && s.entries.length && entry.seq <= s.entries[s.entries.length - 1]!.seq) return false;
    if (!s) {
      s = { entries: [], expiresAt: 0 };
      this.#streams.set(name, s);
      while (this.#streams.size > this.#max) this.#streams.delete(this.#streams.keys().next().value!);
    }
    s.entries.push({ seq: entry.seq, message: entry.message });
    if (s.entries.length > opts.maxLen) s.entries.splice(0, s.entries.length - opts.maxLen);
    s.expiresAt = this.#now() + opts.ttlMs;
    return true;
  }

  async readAfter(name: string, afterSeq: number, limit: number): Promise<HistoryEntry[]> {
    const entries = this.#live(name)?.entries ?? [];
    // Entries are sorted by seq: binary search for the first one after afterSeq.
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (entries[mid]!.seq <= afterSeq) lo = mid + 1;
      else hi = mid;
    }
    return entries.slice(lo, lo + limit).map((e) => ({ ...e }));
  }

  async bounds(name: string): Promise<{ first: number; last: number } | undefined> {
    const entries = this.#live(name)?.entries;
    if (!entries?.length) return undefined;
    return { first: entries[0]!.seq, last: entries[entries.length - 1]!.seq };
  }

  sweep(): void {
    const now = this.#now();
    for (const [k, s] of this.#streams) if (s.expiresAt <= now) this.#streams.delete(k);
  }
}

/** Leaderboards in memory: per board, member scores and per-source contributions (expiry ignored: demo and tests). */
class MemoryCounters implements Counters {
  readonly #sets = new Map<string, Map<string, number>>();
  readonly #sealed = new Map<string, Map<string, Record<string, number>>>();
  #seq = 0;

  async add(set: string, deltas: Readonly<Record<string, number>>): Promise<void> {
    let m = this.#sets.get(set);
    if (!m) this.#sets.set(set, (m = new Map()));
    for (const [field, by] of Object.entries(deltas)) m.set(field, (m.get(field) ?? 0) + by);
  }

  async seal(set: string): Promise<string | undefined> {
    const m = this.#sets.get(set);
    if (!m?.size) return undefined;
    this.#sets.delete(set);
    const id = String(++this.#seq);
    let b = this.#sealed.get(set);
    if (!b) this.#sealed.set(set, (b = new Map()));
    b.set(id, Object.fromEntries(m));
    return id;
  }

  async batches(set: string): Promise<Array<{ id: string; counts: Record<string, number> }>> {
    return [...(this.#sealed.get(set) ?? new Map<string, Record<string, number>>())].slice(0, 100).map(([id, counts]) => ({ id, counts: { ...counts } }));
  }

  async drop(set: string, batchId: string): Promise<void> {
    this.#sealed.get(set)?.delete(batchId);
  }
}

class MemoryLeaderboards implements Leaderboards {
  private readonly boards = new Map<string, { scores: Map<string, number>; sources: Map<string, number> }>();
  private readonly maxBoards: number;
  constructor(maxBoards: number) {
    this.maxBoards = maxBoards;
  }
  async set(items: readonly Contribution[]): Promise<void> {
    for (const c of items) {
      let b = this.boards.get(c.board);
      if (!b) {
        if (this.boards.size >= this.maxBoards) this.boards.delete(this.boards.keys().next().value!);
        this.boards.set(c.board, (b = { scores: new Map(), sources: new Map() }));
      }
      const field = `${c.member}\u0000${c.source}`;
      const old = b.sources.get(field) ?? 0;
      b.sources.set(field, c.value);
      b.scores.set(c.member, (b.scores.get(c.member) ?? 0) + c.value - old);
    }
  }
  async top(board: string, limit: number): Promise<Array<{ member: string; score: number }>> {
    const b = this.boards.get(board);
    if (!b) return [];
    // Same order as Redis ZREVRANGE: score desc, then member desc.
    return [...b.scores].sort((x, y) => y[1] - x[1] || (y[0] > x[0] ? 1 : y[0] < x[0] ? -1 : 0)).slice(0, limit).map(([member, score]) => ({ member, score }));
  }
}

class MemoryLeases implements Leases {
  readonly #sets = new Map<string, Map<string, number>>();
  readonly #now: () => number;
  constructor(now: () => number) {
    this.#now = now;
  }
  #live(set: string): Map<string, number> {
    const now = this.#now();
    let m = this.#sets.get(set);
    if (!m) this.#sets.set(set, (m = new Map()));
    for (const [h, until] of m) if (until <= now) m.delete(h);
    return m;
  }
  async acquire(set: string, holder: string, limit: number, ttlMs: number): Promise<{ acquired: boolean; held: number }> {
    const m = this.#live(set);
    if (!m.has(holder) && m.size >= limit) return { acquired: false, held: m.size };
    m.set(holder, this.#now() + ttlMs);
    return { acquired: true, held: m.size };
  }
  async renew(set: string, holders: readonly string[], ttlMs: number): Promise<number> {
    const m = this.#live(set);
    let n = 0;
    for (const h of holders) {
      if (!m.has(h)) continue;
      m.set(h, this.#now() + ttlMs);
      n++;
    }
    return n;
  }
  async release(set: string, holder: string): Promise<void> {
    const m = this.#sets.get(set);
    m?.delete(holder);
    if (m && !m.size) this.#sets.delete(set);
  }
  async count(set: string): Promise<number> {
    const n = this.#live(set).size;
    if (!n) this.#sets.delete(set);
    return n;
  }
}

export function createMemoryCacheBackend(opts: MemoryCacheOptions = {}): CacheBackend {
  const now = opts.now ?? Date.now;
  const cache = new MemoryCache(opts.maxKeys ?? 100_000, now);
  const rateLimiter = new MemoryRateLimiter(opts.maxKeys ?? 100_000, now);
  const liveHistory = new MemoryLiveHistory(opts.maxStreams ?? 10_000, now);
  const sweeper = setInterval(() => {
    cache.sweep();
    rateLimiter.sweep();
    liveHistory.sweep();
  }, opts.sweepIntervalMs ?? 10_000);
  sweeper.unref();
  let closed = false;
  return {
    kind: 'memory',
    counters: new MemoryCounters(),
    leases: new MemoryLeases(now),
    cache,
    pubsub: new MemoryPubSub(),
    rateLimiter,
    liveHistory,
    leaderboards: new MemoryLeaderboards(opts.maxKeys ?? 100_000),
    async ping() {
      if (closed) throw new Error('memory cache is closed');
    },
    async close() {
      closed = true;
      clearInterval(sweeper);
    },
  };
}
