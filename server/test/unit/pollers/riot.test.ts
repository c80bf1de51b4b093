// The Riot Match-V5 poller against a local server that behaves like Riot: it announces and enforces
// its application and method limits (429 when a window is exceeded), serves our match and timeline
// fixtures for any id, and can be scripted to answer 429s, 5xx and 404s.
import { afterEach, describe, expect, it } from 'vitest';
import { RecordTooLarge } from '../../../src/infra/errors.ts';
import { createRiotMatchPoller, RIOT_METHODS } from '../../../src/ingest/pollers/riot.ts';
import { formatRateLimits, parseRateLimits, type RateWindow } from '../../../src/ingest/pollers/rate-limits.ts';
import type { Submit } from '../../../src/ingest/pollers/submit.ts';
import type { Cache } from '../../../src/ports/cache.ts';
import { captureSubmit, FakeClock, maxInWindow, memoryCache, recorded, RecordedServer, riotDocuments, silent, type Recorded, type Seen } from './support.ts';

interface RiotFake {
  server: RecordedServer;
  /** Requests answered 200, per method. */
  served: Record<string, number[]>;
  /** Every request that was not a 429, any method. */
  app: number[];
  tooMany: number;
}

const methodOf = (path: string) => (path.endsWith('/ids') ? RIOT_METHODS.ids : path.endsWith('/timeline') ? RIOT_METHODS.timeline : RIOT_METHODS.match);

/** A Riot API on the virtual clock: strict sliding windows, counts in the headers. */
async function riotFake(clock: FakeClock, o: { app: string; methods: Record<string, string>; ids: Record<string, string[]>; external?: number[]; script?: (s: Seen) => Recorded | undefined }): Promise<RiotFake> {
  const app: RateWindow[] = parseRateLimits(o.app);
  const fake: RiotFake = { server: undefined as unknown as RecordedServer, served: {}, app: [...(o.external ?? [])], tooMany: 0 };
  const count = (times: number[], w: RateWindow, now: number) => times.filter((t) => t > now - w.windowMs).length;
  const counts = (times: number[], ws: RateWindow[], now: number) => ws.map((w) => `${count(times, w, now)}:${w.windowMs / 1000}`).join(',');
  fake.server = await new RecordedServer(clock, (s) => {
    const scripted = o.script?.(s);
    if (scripted) return scripted;
    const method = methodOf(s.path);
    const mws = parseRateLimits(o.methods[method] ?? '2000:10');
    const mine = (fake.served[method] ??= []);
    const over = app.some((w) => count(fake.app, w, s.at) >= w.limit) ? 'application' : mws.some((w) => count(mine, w, s.at) >= w.limit) ? 'method' : undefined;
    if (over) {
      fake.tooMany++;
      return { status: 429, headers: { 'retry-after': '1', 'x-rate-limit-type': over }, body: { status: { message: 'Rate limit exceeded', status_code: 429 } } };
    }
    fake.app.push(s.at);
    mine.push(s.at);
    const headers = {
      'content-type': 'application/json;charset=utf-8',
      'x-app-rate-limit': formatRateLimits(app),
      'x-app-rate-limit-count': counts(fake.app, app, s.at),
      'x-method-rate-limit': formatRateLimits(mws),
      'x-method-rate-limit-count': counts(mine, mws, s.at),
    };
    const puuid = /by-puuid\/([^/]+)\/ids/.exec(s.path)?.[1];
    if (puuid) return { status: 200, headers, body: o.ids[decodeURIComponent(puuid)] ?? [] };
    const id = /matches\/([^/]+)/.exec(s.path)![1]!;
    const docs = riotDocuments(id);
    return { status: 200, headers, body: s.path.endsWith('/timeline') ? docs.timeline : docs.match };
  }).start();
  return fake;
}

let servers: RecordedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

function poller(clock: FakeClock, fake: RiotFake, o: { submit: Submit; cache?: Cache; puuids?: string[] }) {
  servers.push(fake.server);
  return createRiotMatchPoller({
    apiKey: 'RGAPI-00000000-test',
    region: 'europe',
    baseUrl: fake.server.url,
    puuids: o.puuids ?? ['puuid-a'],
    intervalMs: 60_000,
    tenant: 'acme',
    submit: o.submit,
    cache: o.cache ?? memoryCache(),
    log: silent,
    clock,
    random: () => 0.5,
  });
}

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `EUW1_${7_100_000_000 + from + i}`).reverse(); // newest first, as Riot lists them
const submittedIds = (bodies: { lines: unknown[] }[]) => bodies.map((b) => (b.lines.at(-1) as { metadata: { matchId: string } }).metadata.matchId);

describe('pollers: Riot Match-V5', () => {
  it('never exceeds the application or method windows, and submits every new match once, timeline first', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    // 3 players, 60 distinct matches (some shared): 3 + 120 requests against 100 per 120 s.
    const fake = await riotFake(clock, { app: '20:1,100:120', methods: { [RIOT_METHODS.timeline]: '10:10' }, ids: { 'puuid-a': ids(0, 20), 'puuid-b': ids(10, 20), 'puuid-c': ids(30, 30) } });
    const cap = captureSubmit();
    const p = poller(clock, fake, { submit: cap.submit, puuids: ['puuid-a', 'puuid-b', 'puuid-c'] });
    await p.tick();

    expect(fake.tooMany).toBe(0);
    expect(maxInWindow(fake.app, 1000)).toBeLessThanOrEqual(20);
    expect(maxInWindow(fake.app, 120_000)).toBeLessThanOrEqual(100);
    expect(maxInWindow(fake.served[RIOT_METHODS.timeline]!, 10_000)).toBeLessThanOrEqual(10);
    expect(clock.now() - t0).toBeGreaterThan(120_000); // it had to wait for the long window

    const got = submittedIds(cap.bodies);
    expect(got).toHaveLength(60);
    expect(new Set(got).size).toBe(60);
    expect(got.slice(0, 3)).toEqual(['EUW1_7100000000', 'EUW1_7100000001', 'EUW1_7100000002']); // oldest first
    for (const b of cap.bodies) {
      expect(b).toMatchObject({ source: 'lol-match', streamId: 'poller:riot:europe' });
      expect(b.lines).toHaveLength(2);
      expect(b.lines[0]).toHaveProperty('info.frames');
      expect(b.lines[1]).toHaveProperty('info.participants');
    }
    expect(fake.server.seen.every((s) => s.headers['x-riot-token'] === 'RGAPI-00000000-test')).toBe(true);
  });

  it('counts what another process already spent on the key (X-App-Rate-Limit-Count) and gets no 429', async () => {
    const clock = new FakeClock();
    const external = Array.from({ length: 95 }, () => clock.now() - 5000);
    const fake = await riotFake(clock, { app: '20:1,100:120', methods: {}, ids: { 'puuid-a': ids(0, 10) }, external });
    const cap = captureSubmit();
    await poller(clock, fake, { submit: cap.submit }).tick();
    expect(fake.tooMany).toBe(0);
    expect(cap.bodies).toHaveLength(10);
    expect(maxInWindow(fake.app, 120_000)).toBeLessThanOrEqual(100);
  });

  it('remembers what it submitted: a restarted poller submits nothing twice and fetches no document again', async () => {
    const clock = new FakeClock();
    const fake = await riotFake(clock, { app: '20:1,100:120', methods: {}, ids: { 'puuid-a': ids(0, 5) } });
    const cache = memoryCache();
    const cap = captureSubmit();
    await poller(clock, fake, { submit: cap.submit, cache }).tick();
    expect(cap.bodies).toHaveLength(5);

    // Restart (same cache: Redis in production), and a new match was played meanwhile.
    fake.server.seen.length = 0;
    const restarted = poller(clock, await riotFake(clock, { app: '20:1,100:120', methods: {}, ids: { 'puuid-a': ids(0, 6) } }), { submit: cap.submit, cache });
    await restarted.tick();
    await restarted.tick();
    const got = submittedIds(cap.bodies);
    expect(got).toHaveLength(6);
    expect(new Set(got).size).toBe(6);
    expect(fake.server.seen).toHaveLength(0);
  });

  it('keeps what the log refused and submits it later: nothing dropped, nothing fetched twice', async () => {
    const clock = new FakeClock();
    const fake = await riotFake(clock, { app: '20:1,100:120', methods: {}, ids: { 'puuid-a': ids(0, 4) } });
    const cap = captureSubmit();
    const p = poller(clock, fake, { submit: cap.submit });
    cap.failNext(3);
    const delays = [await p.tick(), await p.tick(), await p.tick()];
    expect(cap.bodies).toHaveLength(0);
    expect(delays.every((d) => d <= 5000)).toBe(true); // retried sooner than the interval
    expect(p.pending).toBeGreaterThan(0);
    expect(await p.tick()).toBe(60_000);
    expect(submittedIds(cap.bodies).sort()).toEqual(ids(0, 4).sort());
    const matchFetches = fake.server.paths('/lol/match/v5/matches/EUW1').filter((x) => !x.endsWith('/timeline'));
    expect(matchFetches).toHaveLength(4);
  });

  it('waits Retry-After on a 429 and still submits the match once', async () => {
    const clock = new FakeClock();
    let answered = false;
    const fake = await riotFake(clock, {
      app: '20:1,100:120',
      methods: {},
      ids: { 'puuid-a': ids(0, 2) },
      script: (s) => {
        if (answered || !s.path.endsWith('/timeline')) return undefined;
        answered = true;
        return recorded('riot/429-application.response.json');
      },
    });
    const cap = captureSubmit();
    await poller(clock, fake, { submit: cap.submit }).tick();
    const [, limited, retried] = fake.server.seen;
    expect(retried!.path).toBe(limited!.path);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(7000);
    expect(clock.sleeps).toContain(7000);
    expect(submittedIds(cap.bodies)).toEqual(['EUW1_7100000000', 'EUW1_7100000001']);
  });

  it('backs off on 5xx and recovers; a match without a timeline is submitted alone', async () => {
    const clock = new FakeClock();
    let failures = 2;
    const fake = await riotFake(clock, {
      app: '20:1,100:120',
      methods: {},
      ids: { 'puuid-a': ids(0, 2) },
      script: (s) => {
        if (s.path.endsWith('EUW1_7100000000/timeline') && failures-- > 0) return recorded('riot/503.response.json');
        if (s.path.endsWith('EUW1_7100000001/timeline')) return recorded('riot/404.response.json');
        return undefined;
      },
    });
    const cap = captureSubmit();
    await poller(clock, fake, { submit: cap.submit }).tick();
    expect(clock.sleeps.filter((ms) => ms > 0).slice(0, 2)).toEqual([750, 1500]); // jittered exponential backoff
    expect(cap.bodies.map((b) => b.lines.length)).toEqual([2, 1]);
    expect(submittedIds(cap.bodies)).toEqual(['EUW1_7100000000', 'EUW1_7100000001']);
  });

  it('a refused key is a coded error in the log and nothing is submitted; the next round tries again', async () => {
    const clock = new FakeClock();
    const fake = await riotFake(clock, { app: '20:1,100:120', methods: {}, ids: {}, script: () => recorded('riot/403.response.json') });
    const cap = captureSubmit();
    const warnings: unknown[] = [];
    const log = { ...silent, warn: (o: unknown) => warnings.push(o), child: () => log } as unknown as typeof silent;
    const p = createRiotMatchPoller({ apiKey: 'RGAPI-expired', region: 'europe', baseUrl: fake.server.url, puuids: ['puuid-a'], intervalMs: 60_000, tenant: 'acme', submit: cap.submit, cache: memoryCache(), log, clock });
    servers.push(fake.server);
    await p.tick();
    await p.tick();
    expect(cap.bodies).toHaveLength(0);
    expect(fake.server.seen).toHaveLength(2); // one listing per round, no retry storm
    expect(warnings.map((w) => (w as { error?: { code?: string } }).error?.code)).toContain('CLUTCH_POLLER_UNAUTHORIZED');
  });

  it('submits timeline and match separately (timeline first) when together they exceed a log record', async () => {
    const clock = new FakeClock();
    const fake = await riotFake(clock, { app: '20:1,100:120', methods: {}, ids: { 'puuid-a': ids(0, 1) } });
    const cap = captureSubmit();
    const submit: Submit = async (source, stream, body) => {
      if (body.toString().trim().split('\n').length > 1) throw new RecordTooLarge(body.length, 1024);
      return cap.submit(source, stream, body);
    };
    const cache = memoryCache();
    await poller(clock, fake, { submit, cache }).tick();
    expect(cap.bodies.map((b) => Object.keys(b.lines[0] as object).includes('info') && 'frames' in ((b.lines[0] as { info: object }).info))).toEqual([true, false]);
    expect(await cache.get('poller:acme:riot:EUW1_7100000000')).toBe('submitted');
  });
});
