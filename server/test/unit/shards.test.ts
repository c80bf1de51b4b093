// The processor's shards: worker threads compute exactly what the main thread computes, and a worker
// that goes away loses nothing (its matches are reported missing again and reloaded from the store).
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseFiles } from '../../src/cli/parse.ts';
import { toRecord } from '../../src/events/codec.ts';
import { createShards, type Shards } from '../../src/processing/shards.ts';
import type { MatchSeed } from '../../src/processing/shard.ts';

const fixture = (p: string) => new URL(`../fixtures/${p}`, import.meta.url).pathname;
const log = pino({ level: 'silent' });

async function values(): Promise<Buffer[]> {
  const cs2 = (await parseFiles('cs2-log', [fixture('cs2-log/wingman.log')], { tenant: 'demo', streamId: 's', receivedAt: '2026-03-14T20:00:00.000Z' })).events;
  const out = cs2.map((e) => toRecord('t', e).value as Buffer);
  out.splice(5, 0, Buffer.from('{"not": "an event"}'));
  return out;
}

async function run(shards: Shards, batches: Buffer[][], seeds: (m: { tenant: string; matchId: string }) => MatchSeed = (m) => m) {
  const results = [];
  for (const [i, b] of batches.entries()) {
    const { missing } = await shards.decode(0, i, b);
    results.push({ missing, ...(await shards.apply(0, i, missing.map(seeds))) });
  }
  return results;
}

describe('processor shards', () => {
  it('worker threads compute the same as the main thread, invalid records included', async () => {
    const v = await values();
    const batches = [v.slice(0, 40), v.slice(40)];
    const inline = createShards({ workers: 0, log });
    const workers = createShards({ workers: 2, log });
    try {
      const a = await run(inline, batches);
      const b = await run(workers, batches);
      expect(b).toEqual(a);
      expect(a[0]!.counts.invalid).toBe(1);
      expect(a[0]!.invalid[0]).toMatchObject({ index: 5, reason: expect.stringContaining('invalid canonical event') });
      expect(a[1]!.missing).toEqual([]); // the second batch found the match's state in place
      expect(a[1]!.touched[0]!.lastSeq).toBe(v.length - 1);
    } finally {
      await Promise.all([inline.close(), workers.close()]);
    }
  });

  it('after its worker went away, a match is reported missing again and resumes from its seed', async () => {
    const v = await values();
    const shards = createShards({ workers: 1, log });
    try {
      const [first] = await run(shards, [v.slice(0, 40)]);
      await shards.close(); // the thread and its states are gone; the next call starts a new one
      const snapshot = JSON.parse(first!.touched[0]!.snapshot);
      const [second] = await run(shards, [v.slice(30)], (m) => ({ ...m, snapshot }));
      expect(second!.missing).toHaveLength(1);
      expect(second!.counts.duplicate).toBe(10); // 30..39 were in the snapshot already
      const [clean] = await run(createShards({ workers: 0, log }), [v]);
      expect(second!.touched[0]!.view).toEqual(clean!.touched[0]!.view);
    } finally {
      await shards.close();
    }
  });
});
