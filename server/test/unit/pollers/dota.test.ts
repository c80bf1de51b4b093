// OpenDota and Steam pollers against a local server serving our opendota / steam-match fixtures.
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenDotaPoller, createSteamMatchPoller } from '../../../src/ingest/pollers/dota.ts';
import { parseRateLimits } from '../../../src/ingest/pollers/rate-limits.ts';
import { captureSubmit, FakeClock, fixtureJson, fixtureText, maxInWindow, memoryCache, recorded, RecordedServer, silent, type Handler } from './support.ts';

let server: RecordedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const json = (body: unknown, headers: Record<string, string> = {}) => ({ status: 200, headers: { 'content-type': 'application/json', ...headers }, body });

async function start(clock: FakeClock, handler: Handler) {
  server = await new RecordedServer(clock, handler).start();
  return server;
}

describe('pollers: OpenDota', () => {
  it("submits the configured leagues' matches among the latest pro matches, once, with the key", async () => {
    const clock = new FakeClock(Date.parse('2025-11-25T00:00:00Z'));
    const s = await start(clock, (req) => (req.path === '/api/proMatches' ? recorded('opendota/pro-matches.response.json') : json(fixtureText('opendota/match-7412005566.json'))));
    const cap = captureSubmit();
    const cache = memoryCache();
    const make = () => createOpenDotaPoller({ baseUrl: s.url, apiKey: 'od-key', matchIds: [], leagueIds: ['16935'], teamIds: [], intervalMs: 60_000, tenant: 'acme', submit: cap.submit, cache, log: silent, clock });
    await make().tick();
    await make().tick(); // a restart
    expect(cap.bodies).toHaveLength(1);
    expect(cap.bodies[0]).toMatchObject({ source: 'opendota', streamId: 'poller:opendota' });
    expect((cap.bodies[0]!.lines[0] as { match_id: number }).match_id).toBe(7412005566);
    expect(s.paths('/api/matches/')).toEqual(['/api/matches/7412005566']);
    expect(s.seen.every((x) => x.query.get('api_key') === 'od-key')).toBe(true);
  });

  it('stops for the minute when X-Rate-Limit-Remaining-Minute says 0, and never exceeds 60 a minute', async () => {
    const clock = new FakeClock(Date.parse('2025-11-25T00:00:00Z'));
    const ids = Array.from({ length: 70 }, (_, i) => String(7412005000 + i));
    let first = true;
    const s = await start(clock, () => {
      const headers = { 'x-rate-limit-remaining-minute': first ? '0' : '59', 'x-rate-limit-remaining-day': '1900' };
      first = false;
      return json(fixtureText('opendota/match-7412005566.json'), headers);
    });
    const cap = captureSubmit();
    const p = createOpenDotaPoller({ baseUrl: s.url, matchIds: ids, leagueIds: [], teamIds: [], intervalMs: 60_000, tenant: 'acme', submit: cap.submit, cache: memoryCache(), log: silent, clock });
    await p.tick();
    expect(cap.bodies).toHaveLength(70);
    expect(s.seen[1]!.at - s.seen[0]!.at).toBeGreaterThanOrEqual(60_000);
    expect(maxInWindow(s.seen.map((x) => x.at), 60_000)).toBeLessThanOrEqual(60);
  });

  it('waits for the replay parse, then submits; submits the unparsed document once the wait is over', async () => {
    const clock = new FakeClock();
    const doc = fixtureJson<{ players: Record<string, unknown>[]; start_time: number; duration: number }>('opendota/match-7412005566.json');
    const unparsed = { ...doc, start_time: Math.floor(clock.now() / 1000) - 1800, players: doc.players.map(({ gold_t: _g, xp_t: _x, lh_t: _l, dn_t: _d, kills_log: _k, ...p }) => p) };
    const s = await start(clock, () => json(unparsed));
    const cap = captureSubmit();
    const p = createOpenDotaPoller({ baseUrl: s.url, matchIds: ['7412005566'], leagueIds: [], teamIds: [], intervalMs: 60_000, parseWaitMs: 3_600_000, tenant: 'acme', submit: cap.submit, cache: memoryCache(), log: silent, clock });
    await p.tick();
    expect(cap.bodies).toHaveLength(0);
    s.handler = () => json(doc);
    await p.tick();
    expect(cap.bodies).toHaveLength(1);

    // Another match never parsed: submitted as is once an hour has passed since it ended.
    const cap2 = captureSubmit();
    s.handler = () => json(unparsed);
    const q = createOpenDotaPoller({ baseUrl: s.url, matchIds: ['7412005566'], leagueIds: [], teamIds: [], intervalMs: 60_000, tenant: 'acme', submit: cap2.submit, cache: memoryCache(), log: silent, clock });
    for (let i = 0; i < 20; i++) await q.tick(); // unparsed rounds do not count as failures
    expect(cap2.bodies).toHaveLength(0);
    clock.t += 3_600_000;
    await q.tick();
    expect(cap2.bodies).toHaveLength(1);
  });

  it('backs off on OpenDota 429s and does not lose the match', async () => {
    const clock = new FakeClock();
    let n = 0;
    const s = await start(clock, () => (n++ < 2 ? recorded('opendota/429.response.json') : json(fixtureText('opendota/match-7412005566.json'))));
    const cap = captureSubmit();
    const p = createOpenDotaPoller({ baseUrl: s.url, matchIds: ['7412005566'], leagueIds: [], teamIds: [], intervalMs: 60_000, tenant: 'acme', submit: cap.submit, cache: memoryCache(), log: silent, clock, random: () => 0 });
    await p.tick();
    expect(cap.bodies).toHaveLength(1);
    // The 429 said 0 left this minute: the next attempt waited for the minute window.
    expect(s.seen[1]!.at - s.seen[0]!.at).toBeGreaterThanOrEqual(60_000);
  });
});

describe('pollers: Steam GetMatchDetails', () => {
  it('keeps one second between calls, retries a match Steam does not know yet, and never logs the key', async () => {
    const clock = new FakeClock();
    let notYet = 2;
    const s = await start(clock, (req) => (req.query.get('match_id') === '7412100001' && notYet-- > 0 ? recorded('steam/not-found.response.json') : json(fixtureText('steam-match/details-7412100001.json'))));
    const cap = captureSubmit();
    const logged: string[] = [];
    const log = { ...silent, child: () => log, warn: (o: unknown) => logged.push(JSON.stringify(o)), debug: (o: unknown) => logged.push(JSON.stringify(o)), info: (o: unknown) => logged.push(JSON.stringify(o)) } as unknown as typeof silent;
    const ids = ['7412100001', '7412100002', '7412100003'];
    const p = createSteamMatchPoller({ baseUrl: s.url, apiKey: 'STEAMKEY', matchIds: ids, rateLimits: parseRateLimits('1:1,100000:86400'), intervalMs: 60_000, tenant: 'acme', submit: cap.submit, cache: memoryCache(), log, clock });
    await p.tick();
    expect(cap.bodies.map((b) => b.streamId)).toEqual(['poller:steam', 'poller:steam']);
    await p.tick();
    await p.tick();
    expect(cap.bodies).toHaveLength(3);
    expect(cap.bodies.every((b) => b.source === 'steam-match')).toBe(true);
    expect(maxInWindow(s.seen.map((x) => x.at), 1000)).toBe(1);
    expect(s.seen.every((x) => x.path === '/IDOTA2Match_570/GetMatchDetails/v1/' && x.query.get('key') === 'STEAMKEY')).toBe(true);
    expect(logged.join('\n')).not.toContain('STEAMKEY');
  });
});
