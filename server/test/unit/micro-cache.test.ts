// The API's micro-cache: a hot key goes to the cache backend once per TTL per process, concurrent
// misses share one read, a failed read is not kept, and everything else passes through.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { microCached } from '../../src/api/micro-cache.ts';
import { createMemoryCacheBackend } from '../../src/infra/memory/cache.ts';

describe('API micro-cache', () => {
  it('reads a hot key from the backend once per TTL, shares concurrent misses, and does not keep failures', async () => {
    const backend = createMemoryCacheBackend();
    let reads = 0;
    let fail = false;
    const inner = backend.cache;
    const counting = new Proxy(inner, {
      get: (t, p) =>
        p === 'get'
          ? async (k: string) => {
              reads++;
              if (fail) throw new Error('redis down');
              return t.get(k);
            }
          : (Reflect.get(t, p, t) as (...a: unknown[]) => unknown).bind(t),
    });
    const hot = microCached(new Proxy(backend, { get: (t, p) => (p === 'cache' ? counting : Reflect.get(t, p, t)) }), 200);
    await backend.cache.set('k', 'v1', 60_000);
    expect(await Promise.all([hot.cache.get('k'), hot.cache.get('k'), hot.cache.get('k')])).toEqual(['v1', 'v1', 'v1']);
    expect(reads).toBe(1);
    await backend.cache.set('k', 'v2', 60_000);
    expect(await hot.cache.get('k')).toBe('v1'); // within the TTL: the value read 0–200 ms ago
    await sleep(250);
    expect(await hot.cache.get('k')).toBe('v2');
    expect(reads).toBe(2);
    fail = true;
    await sleep(250);
    await expect(hot.cache.get('k')).rejects.toThrow('redis down');
    fail = false;
    expect(await hot.cache.get('k')).toBe('v2'); // the failure was not cached
    // Writes and the rest of the backend are the backend's own.
    await hot.cache.set('w', 'x', 60_000);
    expect(await backend.cache.get('w')).toBe('x');
    expect(hot.kind).toBe('memory');
    expect(microCached(backend, 0)).toBe(backend);
    await backend.close();
  });
});
