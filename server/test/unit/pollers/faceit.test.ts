// The Faceit Data API poller against a local server serving our faceit fixtures.
import { afterEach, describe, expect, it } from 'vitest';
import { FaceitPoller } from '../../../src/ingest/pollers/faceit.ts';
import type { Cache } from '../../../src/ports/cache.ts';
import { captureSubmit, FakeClock, fixtureJson, maxInWindow, memoryCache, recorded, RecordedServer, silent, type Recorded } from './support.ts';

const ID = '1-7c1e2a4b-5d3f-4e6a-9b8c-0d1e2f3a4b5c';
const CHAMPIONSHIP = '5e3b1d2a-0000-4f4e-9b2a-6c7d8e9f0a1b';
let server: RecordedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const json = (body: unknown): Recorded => ({ status: 200, headers: { 'content-type': 'application/json' }, body });
const finished = () => fixtureJson('faceit/match.json');
const ongoing = () => {
  const { results: _r, finished_at: _f, ...m } = fixtureJson('faceit/match.json');
  return { ...m, status: 'ONGOING' };
};

describe('pollers: Faceit', () => {
  it('follows a championship match: submitted when it starts, then match + stats in one body when it ends, once — also across a restart', async () => {
    const clock = new FakeClock();
    let phase: 'ongoing' | 'finished-no-stats' | 'finished' = 'ongoing';
    server = await new RecordedServer(clock, (s) => {
      if (s.path.endsWith('/matches') && s.query.get('type') === 'past') return recorded('faceit/championship-past.response.json');
      if (s.path.endsWith('/matches')) return recorded('faceit/championship-ongoing.response.json');
      if (s.path.endsWith('/stats')) return phase === 'finished' ? json(fixtureJson('faceit/stats-bo1.json')) : recorded('faceit/404.response.json');
      return json(phase === 'ongoing' ? ongoing() : finished());
    }).start();
    const cap = captureSubmit();
    const cache = memoryCache();
    const make = (c: Cache) => new FaceitPoller({ baseUrl: server!.url, apiKey: 'faceit-key', matchIds: [], championshipIds: [CHAMPIONSHIP], hubIds: [], intervalMs: 60_000, tenant: 'acme', submit: cap.submit, cache: c, log: silent, clock });
    const p = make(cache);
    await p.tick();
    await p.tick(); // still ongoing: nothing new
    expect(cap.bodies).toHaveLength(1);
    expect(cap.bodies[0]!.lines).toEqual([expect.objectContaining({ match_id: ID, status: 'ONGOING' })]);

    // A restart in the middle: it knows the match started.
    const q = make(cache);
    phase = 'finished-no-stats';
    await q.tick(); // statistics not there yet
    expect(cap.bodies).toHaveLength(1);
    phase = 'finished';
    await q.tick();
    expect(cap.bodies).toHaveLength(2);
    expect(cap.bodies[1]!).toMatchObject({ source: 'faceit', streamId: 'poller:faceit' });
    expect(cap.bodies[1]!.lines).toEqual([expect.objectContaining({ match_id: ID, status: 'FINISHED' }), expect.objectContaining({ rounds: expect.any(Array) })]);
    expect(q.tracked).toEqual([]);

    const matchGets = () => server!.paths(`/data/v4/matches/${ID}`).length;
    const before = matchGets();
    await q.tick();
    await make(cache).tick();
    expect(matchGets()).toBe(before);
    expect(cap.bodies).toHaveLength(2);
    expect(server.seen.every((s) => s.headers.authorization === 'Bearer faceit-key')).toBe(true);
    expect(server.paths('/data/v4/championships/')).toContain(`/data/v4/championships/${CHAMPIONSHIP}/matches`);
  });

  it('submits a finished match without statistics after a few rounds, and a cancelled one at once', async () => {
    const clock = new FakeClock();
    server = await new RecordedServer(clock, (s) => {
      if (s.path.endsWith('/stats')) return recorded('faceit/404.response.json');
      if (s.path.includes('cancelled')) return json({ ...ongoing(), match_id: '1-cancelled', status: 'CANCELLED' });
      return json(finished());
    }).start();
    const cap = captureSubmit();
    const p = new FaceitPoller({ baseUrl: server.url, apiKey: 'k', matchIds: [ID, '1-cancelled'], championshipIds: [], hubIds: [], intervalMs: 60_000, statsTries: 3, tenant: 'acme', submit: cap.submit, cache: memoryCache(), log: silent, clock });
    await p.tick();
    expect(cap.bodies.map((b) => (b.lines[0] as { status: string }).status)).toEqual(['CANCELLED']);
    await p.tick();
    await p.tick();
    expect(cap.bodies.map((b) => (b.lines[0] as { status: string }).status)).toEqual(['CANCELLED', 'FINISHED']);
    expect(p.tracked).toEqual([]);
  });

  it('drops a match id Faceit does not know after a few rounds instead of asking forever', async () => {
    const clock = new FakeClock();
    server = await new RecordedServer(clock, () => recorded('faceit/404.response.json')).start();
    const p = new FaceitPoller({ baseUrl: server.url, apiKey: 'k', matchIds: ['1-typo'], championshipIds: [], hubIds: [], intervalMs: 60_000, maxFailures: 3, tenant: 'acme', submit: captureSubmit().submit, cache: memoryCache(), log: silent, clock });
    for (let i = 0; i < 6; i++) await p.tick();
    expect(server.seen).toHaveLength(3);
    expect(p.tracked).toEqual([]);
  });

  it('keeps to its configured rate (10 a second by default)', async () => {
    const clock = new FakeClock();
    server = await new RecordedServer(clock, () => json(ongoing())).start();
    const ids = Array.from({ length: 35 }, (_, i) => `1-match-${i}`);
    const cap = captureSubmit();
    const p = new FaceitPoller({ baseUrl: server.url, apiKey: 'k', matchIds: ids, championshipIds: [], hubIds: [], intervalMs: 60_000, outboxCapacity: 100, tenant: 'acme', submit: cap.submit, cache: memoryCache(), log: silent, clock });
    await p.tick();
    expect(cap.bodies).toHaveLength(35);
    expect(maxInWindow(server.seen.map((s) => s.at), 1000)).toBeLessThanOrEqual(10);
  });
});
