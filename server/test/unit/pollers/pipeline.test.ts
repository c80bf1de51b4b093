// Pollers into the real ingest pipeline (embedded adapters): what they submit lands in the raw topic
// under their stream, becomes canonical events and a match summary served by REST; the app starts
// the configured pollers itself; an unavailable log is a coded, retryable error.
import type { Envelope } from '@clutch/core';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordTooLarge } from '../../../src/infra/errors.ts';
import { createOpenDotaPoller, createSteamMatchPoller } from '../../../src/ingest/pollers/dota.ts';
import { FaceitPoller } from '../../../src/ingest/pollers/faceit.ts';
import { LiveStatsPoller } from '../../../src/ingest/pollers/riot.ts';
import { logSubmitter } from '../../../src/ingest/pollers/submit.ts';
import type { EventLog } from '../../../src/ports/event-log.ts';
import { topicNames } from '../../../src/topics.ts';
import { collect } from '../../contract/event-log.contract.ts';
import { embeddedApp, type TestApp } from '../../support/app.ts';
import { catchError, FakeClock, fixtureJson, fixtureText, RecordedServer, riotDocuments, silent, type Recorded } from './support.ts';

const topics = topicNames('');
const LOL = 'EUW1_7123456789';
const GAME = '110852960151230041';
const FACEIT = '1-7c1e2a4b-5d3f-4e6a-9b8c-0d1e2f3a4b5c';
const json = (body: unknown): Recorded => ({ status: 200, headers: { 'content-type': 'application/json' }, body });

/** Every provider on one local server, answering with our fixtures. */
function providers(s: { path: string; query: URLSearchParams }): Recorded {
  if (s.path.endsWith('/ids')) return json([LOL]);
  if (s.path === `/lol/match/v5/matches/${LOL}/timeline`) return json(riotDocuments(LOL).timeline);
  if (s.path === `/lol/match/v5/matches/${LOL}`) return json(riotDocuments(LOL).match);
  if (s.path.startsWith('/livestats/v1/window/')) return json(fixtureJson('lol-livestats/window-02.json'));
  if (s.path.startsWith('/livestats/v1/details/')) return json(fixtureJson('lol-livestats/details-01.json'));
  if (s.path === '/api/matches/7412005566') return json(fixtureText('opendota/match-7412005566.json'));
  if (s.path.startsWith('/IDOTA2Match_570/')) return json(fixtureText('steam-match/details-7412100001.json'));
  if (s.path === `/data/v4/matches/${FACEIT}`) return json(fixtureJson('faceit/match.json'));
  if (s.path === `/data/v4/matches/${FACEIT}/stats`) return json(fixtureJson('faceit/stats-bo1.json'));
  return { status: 404, body: { error: 'not found' } };
}

let t: TestApp | undefined;
let server: RecordedServer | undefined;
afterEach(async () => {
  await t?.dispose();
  await server?.close();
  t = undefined;
  server = undefined;
});

const getMatch = async (id: string) => {
  const res = await t!.app.inject({ method: 'GET', url: `/v1/matches/${id}` });
  return res.statusCode === 200 ? (res.json() as { status: string; winner: string | null; title: string }) : undefined;
};

describe('pollers → ingest pipeline (embedded)', () => {
  it('the app starts the configured pollers; every poller’s documents reach the raw topic under its stream, then events and REST summaries', async () => {
    const clock = new FakeClock(Date.parse('2024-06-15T15:12:30Z'));
    server = await new RecordedServer(clock, providers).start();
    const url = server.url;
    // The Riot poller is started by the app itself (ingest role) from its configuration…
    t = await embeddedApp({ RIOT_API_KEY: 'RGAPI-test', RIOT_PUUIDS: 'puuid-1', RIOT_API_URL: url });
    await t.app.ready();
    // …the others are driven round by round here, into the same log.
    const deps = { tenant: t.config.defaultTenant, submit: logSubmitter({ eventLog: t.infra.eventLog, topics, tenant: t.config.defaultTenant, appendTimeoutMs: 5000 }), cache: t.infra.cache.cache, log: silent, clock };
    await new LiveStatsPoller({ ...deps, feedUrl: url, gameIds: [GAME] }).tick();
    await createOpenDotaPoller({ ...deps, baseUrl: url, matchIds: ['7412005566'], leagueIds: [], teamIds: [], intervalMs: 60_000 }).tick();
    await createSteamMatchPoller({ ...deps, baseUrl: url, apiKey: 'k', matchIds: ['7412100001'], intervalMs: 60_000 }).tick();
    await new FaceitPoller({ ...deps, baseUrl: url, apiKey: 'k', matchIds: [FACEIT], championshipIds: [], hubIds: [], intervalMs: 60_000 }).tick();

    const sub = await t.infra.eventLog.subscribe({ groupId: 'pollers-raw', topics: [topics.raw] });
    const raw = await collect(sub, 6, 5000).finally(() => sub.close());
    const streams = raw.map((r) => `${r.headers['clutch-source']} ${r.headers['clutch-stream']}`).sort();
    expect(streams).toEqual([
      'faceit poller:faceit',
      'lol-livestats poller:lolesports:110852960151230041',
      'lol-livestats poller:lolesports:110852960151230041', // window and details: two payloads of one body
      'lol-match poller:riot:europe',
      'opendota poller:opendota',
      'steam-match poller:steam',
    ]);
    expect(raw.every((r) => r.headers['clutch-tenant'] === t!.config.defaultTenant)).toBe(true);
    expect(server.seen.find((s) => s.path.endsWith('/ids'))!.headers['x-riot-token']).toBe('RGAPI-test');

    await expect.poll(() => getMatch(`lol-${LOL}`), { timeout: 8000 }).toMatchObject({ title: 'lol', status: 'finished' });
    await expect.poll(() => getMatch('dota2-7412005566'), { timeout: 5000 }).toMatchObject({ title: 'dota2', status: 'finished' });
    await expect.poll(() => getMatch('dota2-7412100001'), { timeout: 5000 }).toMatchObject({ status: 'finished' });
    await expect.poll(() => getMatch(`faceit-${FACEIT}`), { timeout: 5000 }).toMatchObject({ title: 'cs2', status: 'finished' });
    await expect.poll(() => getMatch(`lolesports-${GAME}`), { timeout: 5000 }).toMatchObject({ title: 'lol', status: 'live' });

    // The LoL match: kills from the timeline came before match.ended (timeline first in the body).
    const n = (await t.infra.eventLog.offsets(topics.events)).reduce((a, o) => a + Number(o.high - o.low), 0);
    const evSub = await t.infra.eventLog.subscribe({ groupId: 'pollers-events', topics: [topics.events] });
    const events = (await collect(evSub, n, 5000).finally(() => evSub.close())).map((r) => JSON.parse(r.value.toString()) as Envelope).filter((e) => e.matchId === `lol-${LOL}`);
    const types = events.map((e) => e.type);
    expect(types.filter((x) => x === 'player.killed.player').length).toBeGreaterThan(0);
    expect(types.lastIndexOf('player.killed.player')).toBeLessThan(types.indexOf('match.ended'));
    expect(events.every((e) => e.source === 'lol-match')).toBe(true);

    // Closing the app stops its poller mid-wait (the next round is a minute away): close does not hang.
    const closing = performance.now();
    await t.app.close();
    expect(performance.now() - closing).toBeLessThan(5000);
  });

  it('an event log that does not answer is CLUTCH_POLLER_LOG_UNAVAILABLE (retry later); a record too large is passed on', async () => {
    const failing = (err: Error) => ({ append: () => Promise.reject(err) }) as unknown as EventLog;
    const body = Buffer.from(fixtureText('faceit/match.json'));
    const down = logSubmitter({ eventLog: failing(new Error('broker down')), topics, tenant: 'demo', appendTimeoutMs: 100 });
    expect(await catchError(down('faceit', 'poller:faceit', body))).toMatchObject({ code: 'CLUTCH_POLLER_LOG_UNAVAILABLE', retryable: true });
    const slow = logSubmitter({ eventLog: { append: () => new Promise(() => {}) } as unknown as EventLog, topics, tenant: 'demo', appendTimeoutMs: 50 });
    expect(await catchError(slow('faceit', 'poller:faceit', body))).toMatchObject({ code: 'CLUTCH_POLLER_LOG_UNAVAILABLE' });
    const big = logSubmitter({ eventLog: failing(new RecordTooLarge(2 << 20, 1 << 20)), topics, tenant: 'demo', appendTimeoutMs: 100 });
    expect(await catchError(big('faceit', 'poller:faceit', body))).toMatchObject({ code: 'CLUTCH_EVENTLOG_RECORD_TOO_LARGE' });
  });
});
