// The LoL esports livestats poller against a local feed serving our livestats fixtures.
import { afterEach, describe, expect, it } from 'vitest';
import { LiveStatsPoller, startingTime } from '../../../src/ingest/pollers/riot.ts';
import type { Cache } from '../../../src/ports/cache.ts';
import { captureSubmit, FakeClock, fixtureJson, memoryCache, recorded, RecordedServer, silent, type Recorded } from './support.ts';

const GAME = '110852960151230041';
let server: RecordedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Windows in turn (the last one repeats), details every time; before `frameFrom` the feed has nothing (204). */
async function feed(clock: FakeClock, windows: string[], o: { emptyFirst?: number } = {}) {
  let empty = o.emptyFirst ?? 0;
  let w = 0;
  server = await new RecordedServer(clock, (s): Recorded => {
    if (s.path.startsWith('/livestats/v1/window/')) {
      if (empty-- > 0) return recorded('lolesports/204.response.json');
      return { status: 200, headers: { 'content-type': 'application/json' }, body: fixtureJson(`lol-livestats/${windows[Math.min(w++, windows.length - 1)]}`) };
    }
    return { status: 200, headers: { 'content-type': 'application/json' }, body: fixtureJson('lol-livestats/details-01.json') };
  }).start();
  return server;
}

const make = (clock: FakeClock, url: string, submit: ReturnType<typeof captureSubmit>['submit'], cache: Cache = memoryCache()) =>
  new LiveStatsPoller({ feedUrl: url, gameIds: [GAME], tenant: 'acme', submit, cache, log: silent, clock });

describe('pollers: LoL esports livestats', () => {
  it('rounds startingTime down to 10 s, about a minute behind', () => {
    expect(startingTime(Date.parse('2024-06-15T15:06:07.123Z'), 60_000)).toBe('2024-06-15T15:05:00Z');
    expect(startingTime(Date.parse('2024-06-15T15:06:00.000Z'), 60_000)).toBe('2024-06-15T15:05:00Z');
  });

  it('submits window then details (with the game id added) each round, and stops after the game finished — also after a restart', async () => {
    const clock = new FakeClock(Date.parse('2024-06-15T15:06:07Z'));
    const s = await feed(clock, ['window-01.json', 'window-02.json', 'window-03.json']);
    const cap = captureSubmit();
    const cache = memoryCache();
    const p = make(clock, s.url, cap.submit, cache);
    for (let i = 0; i < 4; i++) {
      expect(await p.tick()).toBe(10_000);
      clock.t += 10_000;
    }
    const windows = s.seen.filter((x) => x.path === `/livestats/v1/window/${GAME}`);
    expect(windows).toHaveLength(3); // finished after the third: no fourth request
    for (const w of windows) {
      const at = Date.parse(w.query.get('startingTime')!);
      expect(at % 10_000).toBe(0);
      expect(w.at - at).toBeGreaterThanOrEqual(60_000);
      expect(w.at - at).toBeLessThan(70_000);
    }
    expect(cap.bodies).toHaveLength(3);
    for (const b of cap.bodies) {
      expect(b).toMatchObject({ source: 'lol-livestats', streamId: `poller:lolesports:${GAME}` });
      expect(b.lines[0]).toMatchObject({ esportsGameId: GAME, gameMetadata: expect.any(Object) });
      expect(b.lines[1]).toMatchObject({ esportsGameId: GAME, frames: expect.any(Array) });
    }
    expect(p.active).toEqual([]);

    const before = s.seen.length;
    const restarted = make(clock, s.url, cap.submit, cache);
    await restarted.tick();
    expect(s.seen.length).toBe(before);
    expect(restarted.active).toEqual([]);
  });

  it('keeps polling a game with no frames yet (204) and submits nothing for it', async () => {
    const clock = new FakeClock();
    const s = await feed(clock, ['window-01.json'], { emptyFirst: 2 });
    const cap = captureSubmit();
    const p = make(clock, s.url, cap.submit);
    await p.tick();
    await p.tick();
    expect(cap.bodies).toHaveLength(0);
    await p.tick();
    expect(cap.bodies).toHaveLength(1);
    // The same window again (nothing new on the feed) is not submitted twice.
    await p.tick();
    expect(cap.bodies).toHaveLength(1);
    expect(p.active).toEqual([GAME]);
  });
});
