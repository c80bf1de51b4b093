// Cache / PubSub / RateLimiter / LiveHistory contract, run against Redis and the in-memory adapter.
// `make(prefix)` returns two backends on the same storage (two Clutch instances sharing one Redis).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheBackend } from '../../src/ports/cache.ts';
import { runId } from '../support/isolation.ts';

export interface CacheFixture {
  a: CacheBackend;
  b: CacheBackend;
  close(): Promise<void>;
}

export function cacheContract(name: string, make: (prefix: string) => Promise<CacheFixture>): void {
  describe(`Cache contract — ${name}`, () => {
    let f: CacheFixture;
    beforeAll(async () => {
      f = await make(`t:${runId()}:`);
    });
    afterAll(async () => {
      await f?.close();
    });

    describe('cache', () => {
      it('stores, reads, overwrites and deletes values', async () => {
        await f.a.cache.set('k1', 'v1');
        expect(await f.b.cache.get('k1')).toBe('v1');
        await f.a.cache.set('k1', 'v2');
        expect(await f.a.cache.get('k1')).toBe('v2');
        await f.b.cache.del('k1');
        expect(await f.a.cache.get('k1')).toBeUndefined();
      });

      it('setIfAbsent sets a missing key only, with its TTL, and never overwrites', async () => {
        expect(await f.a.cache.setIfAbsent('nx', 'first', 10_000)).toBe(true);
        expect(await f.b.cache.setIfAbsent('nx', 'second', 10_000)).toBe(false);
        expect(await f.a.cache.get('nx')).toBe('first');
        expect(await f.a.cache.ttl('nx')).toBeGreaterThan(0);
        await f.a.cache.set('nx', 'writer');
        expect(await f.b.cache.setIfAbsent('nx', 'reader', 10_000)).toBe(false);
        expect(await f.b.cache.get('nx')).toBe('writer');
      });

      it('expires a value after its TTL', async () => {
        await f.a.cache.set('ttl', 'x', 150);
        const left = await f.a.cache.ttl('ttl');
        expect(left).toBeGreaterThan(0);
        expect(left).toBeLessThanOrEqual(150);
        expect(await f.a.cache.get('ttl')).toBe('x');
        await sleep(250);
        expect(await f.a.cache.get('ttl')).toBeUndefined();
        expect(await f.a.cache.ttl('ttl')).toBeUndefined();
      });

      it('increments atomically across instances, setting the TTL only on creation', async () => {
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? f.a : f.b).cache.incr('counter', 2, 60_000)));
        expect(new Set(results).size).toBe(50);
        expect(Math.max(...results)).toBe(100);
        expect(await f.a.cache.ttl('counter')).toBeGreaterThan(50_000);
        expect(await f.a.cache.incr('no-ttl')).toBe(1);
        expect(await f.a.cache.ttl('no-ttl')).toBeUndefined();
      });
    });

    describe('pub/sub', () => {
      it('delivers each message to every subscriber, in publish order', async () => {
        const gotA: string[] = [];
        const gotB: string[] = [];
        const offA = await f.a.pubsub.subscribe('live:m1', (m) => gotA.push(m));
        const offB = await f.b.pubsub.subscribe('live:m1', (m) => gotB.push(m));
        for (let i = 0; i < 20; i++) await (i % 2 ? f.a : f.b).pubsub.publish('live:m1', `msg-${i}`);
        const want = Array.from({ length: 20 }, (_, i) => `msg-${i}`);
        await expect.poll(() => gotA.length, { timeout: 5000 }).toBe(20);
        await expect.poll(() => gotB.length, { timeout: 5000 }).toBe(20);
        expect(gotA).toEqual(want);
        expect(gotB).toEqual(want);
        await offA();
        await offB();
      });

      it('stops delivering after unsubscribe and keeps channels apart', async () => {
        const got: string[] = [];
        const off = await f.a.pubsub.subscribe('live:m2', (m) => got.push(m));
        const other: string[] = [];
        const offOther = await f.a.pubsub.subscribe('live:m3', (m) => other.push(m));
        await f.b.pubsub.publish('live:m2', 'one');
        await expect.poll(() => got.length, { timeout: 5000 }).toBe(1);
        await off();
        await f.b.pubsub.publish('live:m2', 'two');
        await f.b.pubsub.publish('live:m3', 'three');
        await expect.poll(() => other.length, { timeout: 5000 }).toBe(1);
        expect(got).toEqual(['one']);
        expect(other).toEqual(['three']);
        await offOther();
      });

      it('a subscriber that throws does not stop delivery to the others', async () => {
        const got: string[] = [];
        const off1 = await f.a.pubsub.subscribe('live:m4', () => {
          throw new Error('bad subscriber');
        });
        const off2 = await f.a.pubsub.subscribe('live:m4', (m) => got.push(m));
        await f.a.pubsub.publish('live:m4', 'x');
        await f.a.pubsub.publish('live:m4', 'y');
        await expect.poll(() => got, { timeout: 5000 }).toEqual(['x', 'y']);
        await off1();
        await off2();
      });
    });

    describe('rate limiter', () => {
      it('allows a burst up to the limit, then refuses with a retry-after', async () => {
        const policy = { limit: 5, windowMs: 1000 };
        const decisions = [];
        for (let i = 0; i < 6; i++) decisions.push(await (i % 2 ? f.a : f.b).rateLimiter.consume('rl:burst', policy));
        expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
        expect(decisions.slice(0, 5).map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0]);
        const refused = decisions[5]!;
        expect(refused.retryAfterMs).toBeGreaterThan(100);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(200);
        expect(refused.resetMs).toBeGreaterThan(800);
        await sleep(refused.retryAfterMs + 30);
        expect((await f.a.rateLimiter.consume('rl:burst', policy)).allowed).toBe(true);
      });

      it('counts cost and keeps keys apart', async () => {
        const policy = { limit: 10, windowMs: 60_000 };
        expect((await f.a.rateLimiter.consume('rl:cost', policy, 8)).remaining).toBe(2);
        expect((await f.a.rateLimiter.consume('rl:cost', policy, 3)).allowed).toBe(false);
        expect((await f.a.rateLimiter.consume('rl:other', policy, 3)).allowed).toBe(true);
      });

      it('a zero-cost consume reads the budget without spending it, also on a key never used', async () => {
        const policy = { limit: 10, windowMs: 60_000 };
        expect((await f.a.rateLimiter.consume('rl:peek', policy, 0)).remaining).toBe(10);
        expect((await f.a.rateLimiter.consume('rl:peek', policy, 4)).remaining).toBe(6);
        expect((await f.b.rateLimiter.consume('rl:peek', policy, 0)).remaining).toBe(6);
        expect((await f.b.rateLimiter.consume('rl:peek', policy, 0)).remaining).toBe(6);
      });

      it('holds under concurrent requests from two instances: exactly `limit` allowed', async () => {
        const policy = { limit: 20, windowMs: 60_000 };
        const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? f.a : f.b).rateLimiter.consume('rl:race', policy)));
        expect(results.filter((r) => r.allowed)).toHaveLength(20);
      });
    });

    describe('counters', () => {
      it('adds from two instances, seals into batches, and keeps a batch until it is dropped', async () => {
        const set = `usage-${Math.random().toString(36).slice(2)}`;
        expect(await f.a.counters.seal(set)).toBeUndefined();
        await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? f.a : f.b).counters.add(set, { x: 1, y: 2 })));
        const id = await f.a.counters.seal(set);
        expect(id).toBeDefined();
        // New adds go to a fresh set, not into the sealed batch.
        await f.b.counters.add(set, { x: 5 });
        expect(await f.b.counters.batches(set)).toEqual([{ id, counts: { x: 20, y: 40 } }]);
        const id2 = await f.b.counters.seal(set);
        expect((await f.a.counters.batches(set)).map((b) => b.id)).toEqual([id, id2]);
        // A flusher that died before drop leaves its batch for the next one.
        await f.a.counters.drop(set, id!);
        expect(await f.b.counters.batches(set)).toEqual([{ id: id2, counts: { x: 5 } }]);
        await f.b.counters.drop(set, id2!);
        expect(await f.a.counters.batches(set)).toEqual([]);
      });
    });

    describe('leases', () => {
      it('holds at most `limit` across instances, renews, releases, and frees expired leases', async () => {
        const set = `conns-${Math.random().toString(36).slice(2)}`;
        const tries = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? f.a : f.b).leases.acquire(set, `h${i}`, 5, 60_000)));
        expect(tries.filter((t) => t.acquired)).toHaveLength(5);
        expect(tries.find((t) => !t.acquired)?.held).toBe(5);
        expect(await f.b.leases.count(set)).toBe(5);
        // A holder already in renews instead of taking a second slot.
        const holder = `h${tries.findIndex((t) => t.acquired)}`;
        expect(await f.a.leases.acquire(set, holder, 5, 60_000)).toEqual({ acquired: true, held: 5 });
        // Releasing one lets the next in.
        await f.b.leases.release(set, holder);
        expect(await f.a.leases.acquire(set, 'late', 5, 60_000)).toEqual({ acquired: true, held: 5 });
        expect(await f.b.leases.renew(set, ['late', holder, 'never'], 60_000)).toBe(1);
      });

      it('a lease not renewed expires (a process that died frees its slots)', async () => {
        const set = `conns-${Math.random().toString(36).slice(2)}`;
        expect((await f.a.leases.acquire(set, 'short', 1, 150)).acquired).toBe(true);
        expect((await f.b.leases.acquire(set, 'other', 1, 60_000)).acquired).toBe(false);
        await sleep(400);
        expect(await f.b.leases.renew(set, ['short'], 60_000)).toBe(0);
        expect(await f.b.leases.acquire(set, 'other', 1, 60_000)).toEqual({ acquired: true, held: 1 });
      });
    });

    describe('live history', () => {
      const opts = { maxLen: 100, ttlMs: 60_000 };

      it('replays the entries after a seq, oldest first, up to a limit', async () => {
        for (let seq = 1; seq <= 10; seq++) expect(await f.a.liveHistory.append('h:m1', { seq, message: `e${seq}` }, opts)).toBe(true);
        expect(await f.b.liveHistory.readAfter('h:m1', 7, 100)).toEqual([
          { seq: 8, message: 'e8' },
          { seq: 9, message: 'e9' },
          { seq: 10, message: 'e10' },
        ]);
        expect((await f.b.liveHistory.readAfter('h:m1', 0, 2)).map((e) => e.seq)).toEqual([1, 2]);
        expect(await f.b.liveHistory.readAfter('h:m1', 10, 100)).toEqual([]);
        expect(await f.a.liveHistory.bounds('h:m1')).toEqual({ first: 1, last: 10 });
      });

      it('ignores a seq that is not above the last one (no duplicates on redelivery)', async () => {
        await f.a.liveHistory.append('h:m2', { seq: 5, message: 'five' }, opts);
        expect(await f.b.liveHistory.append('h:m2', { seq: 5, message: 'again' }, opts)).toBe(false);
        expect(await f.b.liveHistory.append('h:m2', { seq: 3, message: 'old' }, opts)).toBe(false);
        expect(await f.b.liveHistory.append('h:m2', { seq: 7, message: 'seven' }, opts)).toBe(true);
        expect((await f.a.liveHistory.readAfter('h:m2', 0, 10)).map((e) => e.message)).toEqual(['five', 'seven']);
      });

      it('keeps only the newest maxLen entries and expires idle streams', async () => {
        for (let seq = 1; seq <= 30; seq++) await f.a.liveHistory.append('h:m3', { seq, message: String(seq) }, { maxLen: 10, ttlMs: 60_000 });
        expect(await f.a.liveHistory.bounds('h:m3')).toEqual({ first: 21, last: 30 });
        await f.a.liveHistory.append('h:m4', { seq: 1, message: 'x' }, { maxLen: 10, ttlMs: 100 });
        await sleep(200);
        expect(await f.a.liveHistory.bounds('h:m4')).toBeUndefined();
      });
    });

    describe('leaderboards', () => {
      it('ranks members by the sum of their per-source values, highest first (seen from every instance)', async () => {
        const lb = f.a.leaderboards;
        await lb.set(
          [
            { board: 'lb:cs2:kills', member: 'alice', source: 'm1', value: 20 },
            { board: 'lb:cs2:kills', member: 'bob', source: 'm1', value: 25 },
            { board: 'lb:cs2:kills', member: 'alice', source: 'm2', value: 10 },
          ],
          60_000,
        );
        expect(await f.b.leaderboards.top('lb:cs2:kills', 10)).toEqual([
          { member: 'alice', score: 30 },
          { member: 'bob', score: 25 },
        ]);
        expect(await lb.top('lb:cs2:kills', 1)).toEqual([{ member: 'alice', score: 30 }]);
        expect(await lb.top('lb:none', 10)).toEqual([]);
      });

      it('setting a source again replaces its value: a replay moves nothing, a correction moves by the difference', async () => {
        const lb = f.a.leaderboards;
        const item = { board: 'lb:lol:assists', member: 'carol', source: 'm9', value: 7 };
        await lb.set([item], 60_000);
        await lb.set([item], 60_000);
        expect(await lb.top('lb:lol:assists', 10)).toEqual([{ member: 'carol', score: 7 }]);
        await lb.set([{ ...item, value: 9 }], 60_000);
        expect(await lb.top('lb:lol:assists', 10)).toEqual([{ member: 'carol', score: 9 }]);
      });

      it('keeps fractional and negative values (win probability added), ranking a negative total last', async () => {
        const lb = f.a.leaderboards;
        await lb.set(
          [
            { board: 'lb:cs2:wpa', member: 'dan', source: 'm1', value: 0.1234 },
            { board: 'lb:cs2:wpa', member: 'eve', source: 'm1', value: -0.05 },
            { board: 'lb:cs2:wpa', member: 'dan', source: 'm2', value: 0.3 },
          ],
          60_000,
        );
        await lb.set([{ board: 'lb:cs2:wpa', member: 'dan', source: 'm2', value: 0.25 }], 60_000);
        const top = await f.b.leaderboards.top('lb:cs2:wpa', 10);
        expect(top.map((t) => t.member)).toEqual(['dan', 'eve']);
        expect(top[0]!.score).toBeCloseTo(0.3734, 9);
        expect(top[1]!.score).toBeCloseTo(-0.05, 9);
      });
    });

    it('answers ping while up', async () => {
      await expect(f.a.ping()).resolves.toBeUndefined();
    });
  });
}
