// Client-side rate limits on a virtual clock: no window is ever exceeded, headers update the limits
// and the counts, 429s block the scope they name.
import { describe, expect, it } from 'vitest';
import { acquireAll, openDotaGate, parseRateCounts, parseRateLimits, RiotRateLimits, SlidingWindowLimiter } from '../../../src/ingest/pollers/rate-limits.ts';
import { FakeClock, maxInWindow, recorded } from './support.ts';

const headers = (h: Record<string, string> = {}) => new Headers(h);

describe('pollers: rate limits', () => {
  it('parses Riot limit and count headers', () => {
    expect(parseRateLimits('20:1,100:120')).toEqual([
      { limit: 20, windowMs: 1000 },
      { limit: 100, windowMs: 120_000 },
    ]);
    expect(parseRateCounts('3:1,45:120')).toEqual([
      { count: 3, windowMs: 1000 },
      { count: 45, windowMs: 120_000 },
    ]);
    expect(() => parseRateLimits('20/1')).toThrow(/requests>:<seconds/);
  });

  it('never exceeds any window of a development key (20/1 s, 100/120 s), and uses the allowance', async () => {
    const clock = new FakeClock(0);
    const limiter = new SlidingWindowLimiter(parseRateLimits('20:1,100:120'), 0);
    const sent: number[] = [];
    for (let i = 0; i < 350; i++) {
      await acquireAll(clock, [limiter]);
      sent.push(clock.now());
    }
    expect(maxInWindow(sent, 1000)).toBe(20);
    expect(maxInWindow(sent, 120_000)).toBe(100);
    // The first 100 go out within 5 s (20 a second), the 101st once the first leaves the 120 s window.
    expect(sent[99]).toBeLessThan(5000);
    expect(sent[100]).toBe(120_000);
    // 350 requests need 3 full windows and a bit: close to the allowance, not far beyond.
    expect(sent[349]).toBeLessThan(3 * 120_000 + 5000);
  });

  it('keeps a safety margin on every window', async () => {
    const clock = new FakeClock(0);
    const limiter = new SlidingWindowLimiter(parseRateLimits('2:1'), 250);
    const sent: number[] = [];
    for (let i = 0; i < 6; i++) {
      await acquireAll(clock, [limiter]);
      sent.push(clock.now());
    }
    expect(maxInWindow(sent, 1250)).toBe(2);
  });

  it('adopts the limits Riot announces and starts from the configured defaults', async () => {
    const clock = new FakeClock(0);
    const riot = new RiotRateLimits({ clock, appLimits: parseRateLimits('20:1,100:120'), marginMs: 0 });
    expect(riot.app.windows).toEqual(parseRateLimits('20:1,100:120'));
    const gate = riot.gate('match-v5.getMatch');
    await gate.acquire();
    // A production key answers with its own limits; the method has its own.
    gate.observe(200, headers({ 'x-app-rate-limit': '5:1,30:10', 'x-app-rate-limit-count': '1:1,1:10', 'x-method-rate-limit': '3:1', 'x-method-rate-limit-count': '1:1' }));
    expect(riot.app.windows).toEqual(parseRateLimits('5:1,30:10'));
    expect(riot.method('match-v5.getMatch').windows).toEqual(parseRateLimits('3:1'));
    const sent: number[] = [0];
    for (let i = 0; i < 20; i++) {
      await gate.acquire();
      sent.push(clock.now());
    }
    expect(maxInWindow(sent, 1000)).toBe(3); // the method limit is the tighter one
    // A malformed header changes nothing.
    gate.observe(200, headers({ 'x-app-rate-limit': 'lots' }));
    expect(riot.app.windows).toEqual(parseRateLimits('5:1,30:10'));
  });

  it('counts what the key already used elsewhere (X-App-Rate-Limit-Count above ours)', async () => {
    const clock = new FakeClock(0);
    const riot = new RiotRateLimits({ clock, appLimits: parseRateLimits('20:1,100:120'), marginMs: 0 });
    const gate = riot.gate('match-v5.getMatchIdsByPUUID');
    await gate.acquire();
    gate.observe(200, headers({ 'x-app-rate-limit': '20:1,100:120', 'x-app-rate-limit-count': '1:1,96:120' }));
    const sent: number[] = [];
    for (let i = 0; i < 5; i++) {
      await gate.acquire();
      sent.push(clock.now());
    }
    expect(sent.slice(0, 4).every((t) => t < 1000)).toBe(true); // 4 left in this 120 s window
    // the 95 others happened before the last second: they leave the window 119 s from now at the latest
    expect(sent[4]).toBeGreaterThanOrEqual(119_000);
  });

  it('an application 429 blocks every method until Retry-After; a method 429 only that method', async () => {
    const clock = new FakeClock(0);
    const riot = new RiotRateLimits({ clock, appLimits: parseRateLimits('20:1,100:120'), marginMs: 0 });
    const app429 = recorded('riot/429-application.response.json');
    riot.gate('match-v5.getMatch').observe(429, headers(app429.headers));
    await riot.gate('match-v5.getTimeline').acquire();
    expect(clock.now()).toBeGreaterThanOrEqual(7000);

    const t0 = clock.now();
    const method429 = recorded('riot/429-method.response.json');
    riot.gate('match-v5.getMatch').observe(429, headers(method429.headers));
    await riot.gate('match-v5.getTimeline').acquire();
    expect(clock.now() - t0).toBeLessThan(1000);
    await riot.gate('match-v5.getMatch').acquire();
    expect(clock.now() - t0).toBeGreaterThanOrEqual(4000);

    // A service 429 (no type) blocks no scope: the request itself backs off (http-client).
    const t1 = clock.now();
    riot.gate('match-v5.getMatch').observe(429, headers({ 'retry-after': '30' }));
    await riot.gate('match-v5.getMatch').acquire();
    expect(clock.now() - t1).toBeLessThan(1000);
  });

  it('OpenDota: trusts X-Rate-Limit-Remaining-Minute when it says less than we think', async () => {
    const clock = new FakeClock(0);
    const limiter = new SlidingWindowLimiter(parseRateLimits('60:60,2000:86400'), 0);
    const gate = openDotaGate(clock, limiter);
    await gate.acquire();
    gate.observe(200, headers({ 'x-rate-limit-remaining-minute': '2', 'x-rate-limit-remaining-day': '1500' }));
    const sent: number[] = [];
    for (let i = 0; i < 3; i++) {
      await gate.acquire();
      sent.push(clock.now());
    }
    expect(sent.slice(0, 2)).toEqual([0, 0]);
    expect(sent[2]).toBeGreaterThanOrEqual(60_000);
    expect(limiter.count(86_400_000, clock.now())).toBeGreaterThanOrEqual(500);
  });
});
