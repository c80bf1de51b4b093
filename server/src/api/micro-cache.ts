// Micro-caching of leaderboards for the read API: a hot board read by many clients at once is fetched
// from Redis once per `ttlMs` per process instead of once per request, and concurrent misses share
// one fetch. Boards may be up to `ttlMs` old (default 500 ms, CLUTCH_API_MICROCACHE_MS; 0 turns it
// off). Per-match reads (summary, stats, windows) are not micro-cached: they are versioned by the
// match's seq and must never be served stale after a batch (server/test/unit/processor.test.ts).
import type { CacheBackend, Leaderboards } from '../ports/cache.ts';

type Board = Array<{ member: string; score: number }>;

/** Values loaded at most once per `ttlMs` per key; a failed load is not kept. */
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

/** The cache backend with `leaderboards.top` served from memory for up to `ttlMs`. */
export function microCached(backend: CacheBackend, ttlMs: number, maxBoards = 1000): CacheBackend {
  if (ttlMs <= 0) return backend;
  const boards = new Hot<Board>(ttlMs, maxBoards);
  const leaderboards = overriding<Leaderboards>(backend.leaderboards, { top: (board: string, limit: number) => boards.get(`${board}\u0000${limit}`, () => backend.leaderboards.top(board, limit)) });
  return overriding<CacheBackend>(backend, { leaderboards });
}
