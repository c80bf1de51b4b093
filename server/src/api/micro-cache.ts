// Micro-caching for the read API: a hot key (a live match's summary or stats, a leaderboard) read by
// many clients at once is fetched from Redis once per `ttlMs` per process instead of once per request
// — Redis round trips were the largest cost of a cached read (bench/rest). Concurrent misses share one
// fetch. Answers may be up to `ttlMs` old (default 500 ms, CLUTCH_API_MICROCACHE_MS; 0 turns it off);
// clients that need every change follow the live stream. Only the API's reads go through it: the
// live hub and the processor use the cache as it is.
import type { Cache, CacheBackend, Leaderboards } from '../ports/cache.ts';

class Hot<V> {
  readonly #entries = new Map<string, { at: number; value: Promise<V> }>();
  readonly ttlMs: number;
  readonly max: number;
  constructor(ttlMs: number, max: number) {
    this.ttlMs = ttlMs;
    this.max = max;
  }
  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = performance.now();
    const hit = this.#entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = load();
    this.#entries.delete(key);
    this.#entries.set(key, { at: now, value });
    // A failed load is not kept: the next request tries again.
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
    return value;
  }
}

/** `target` with some members replaced; the others are the target's own (methods bound to it). */
function overriding<T extends object>(target: T, members: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.hasOwn(members, prop)) return members[prop as keyof T];
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/** The cache backend with `cache.get` and `leaderboards.top` served from memory for up to `ttlMs`. */
export function microCached(backend: CacheBackend, ttlMs: number, maxEntries = 10_000): CacheBackend {
  if (ttlMs <= 0) return backend;
  const values = new Hot<string | undefined>(ttlMs, maxEntries);
  const boards = new Hot<Array<{ member: string; score: number }>>(ttlMs, 1000);
  const cache = overriding<Cache>(backend.cache, { get: (key: string) => values.get(key, () => backend.cache.get(key)) });
  const leaderboards = overriding<Leaderboards>(backend.leaderboards, { top: (board: string, limit: number) => boards.get(`${board}\u0000${limit}`, () => backend.leaderboards.top(board, limit)) });
  return overriding<CacheBackend>(backend, { cache, leaderboards });
}
