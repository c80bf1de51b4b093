// Streamed minutes (usage unit live_minute, docs/usage.md): every started minute a live session is
// open counts once, when it starts; a closed session counts no more. The hub runs with a 100 ms
// "minute" and its own clock so the test controls time.
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryCacheBackend } from '../../src/infra/memory/cache.ts';
import { LiveHub, type LiveSink } from '../../src/live/hub.ts';
import { useMigratedStore } from '../support/pglite.ts';

describe('streamed minutes', () => {
  const store = useMigratedStore();
  const cache = createMemoryCacheBackend();
  afterAll(async () => {
    await cache.close();
  });
  const sink: LiveSink = { send: () => {}, buffered: () => 0, close: () => {} };

  it('counts each started minute of each open session, per organisation, and stops when it closes', async () => {
    let now = 1_000_000;
    const counted: string[] = [];
    const hub = new LiveHub({ cache, store: store(), log: pino({ level: 'silent' }), onMinute: (t) => counted.push(t), minuteMs: 100, clock: () => now });
    const a = hub.open('acme', sink);
    hub.open('globex', sink);
    // Opening starts the first minute of each.
    expect(counted.sort()).toEqual(['acme', 'globex']);
    // 250 ms later: minutes 2 and 3 have started for both (the hub checks every 25 ms).
    now += 250;
    await sleep(150);
    expect(counted.filter((t) => t === 'acme')).toHaveLength(3);
    expect(counted.filter((t) => t === 'globex')).toHaveLength(3);
    // acme's session closes; globex's goes on into its 5th minute.
    a.end();
    now += 200;
    await sleep(150);
    expect(counted.filter((t) => t === 'acme')).toHaveLength(3);
    expect(counted.filter((t) => t === 'globex')).toHaveLength(5);
    await hub.close();
    now += 1_000;
    await sleep(100);
    expect(counted).toHaveLength(8);
  });
});
