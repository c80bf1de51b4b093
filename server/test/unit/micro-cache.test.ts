// The API's leaderboard micro-cache: a hot board goes to the cache backend once per TTL per process,
// concurrent misses share one read, a failed read is not kept, and everything else passes through
// fresh (per-match reads are never micro-cached).
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { microCached } from '../../src/api/micro-cache.ts';
import { createMemoryCacheBackend } from '../../src/infra/memory/cache.ts';

describe('API leaderboard micro-cache', () => {
  it('reads a hot board from the backend once per TTL, shares concurrent misses, does not keep failures, and leaves other reads fresh', async () => {
    const backend = createMemoryCacheBackend();
    let reads = 0;
    let fail = false;
    const boards = new Proxy(backend.leaderboards, {
      get: (t, p) =>
        p === 'top'
          ? async (b: string, n: number) => {
              reads++;
              if (fail) throw new Error('redis down');
              return t.top(b, n);
            }
          : (Reflect.get(t, p, t) as (...a: unknown[]) => unknown).bind(t),
    });
    const hot = microCached(new Proxy(backend, { get: (t, p) => (p === 'leaderboards' ? boards : Reflect.get(t, p, t)) }), 200);
    await backend.leaderboards.set([{ board: 'b', member: 'p1', source: 'm1', value: 3 }], 60_000);
    const top = await Promise.all([hot.leaderboards.top('b', 10), hot.leaderboards.top('b', 10), hot.leaderboards.top('b', 10)]);
    expect(top).toEqual([[{ member: 'p1', score: 3 }], [{ member: 'p1', score: 3 }], [{ member: 'p1', score: 3 }]]);
    expect(reads).toBe(1);
    await backend.leaderboards.set([{ board: 'b', member: 'p1', source: 'm1', value: 5 }], 60_000);
    expect(await hot.leaderboards.top('b', 10)).toEqual([{ member: 'p1', score: 3 }]); // within the TTL
    await sleep(250);
    expect(await hot.leaderboards.top('b', 10)).toEqual([{ member: 'p1', score: 5 }]);
    expect(reads).toBe(2);
    fail = true;
    await sleep(250);
    await expect(hot.leaderboards.top('b', 10)).rejects.toThrow('redis down');
    fail = false;
    expect(await hot.leaderboards.top('b', 10)).toEqual([{ member: 'p1', score: 5 }]); // the failure was not cached
    // Per-match reads and writes are the backend's own, always fresh.
    await hot.cache.set('k', 'v1', 60_000);
    expect(await hot.cache.get('k')).toBe('v1');
    await backend.cache.set('k', 'v2', 60_000);
    expect(await hot.cache.get('k')).toBe('v2');
    expect(microCached(backend, 0)).toBe(backend);
    await backend.close();
  });
});
