// The pollers' HTTP client against a local server serving recorded responses: Retry-After on 429,
// backoff with jitter on 5xx and network errors, timeouts, bounded bodies, coded errors, no key leaks.
import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs, HttpClient, parseRetryAfter, redactUrl, type HttpClientOptions } from '../../../src/ingest/pollers/http-client.ts';
import { catchError, FakeClock, recorded, RecordedServer, type Handler, type Recorded } from './support.ts';

let server: RecordedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: Handler, o: Partial<HttpClientOptions> = {}) {
  const clock = new FakeClock();
  server = await new RecordedServer(clock, handler).start();
  const http = new HttpClient({ name: 'riot', clock, random: () => 0.5, baseDelayMs: 1000, maxAttempts: 4, timeoutMs: 2000, ...o });
  return { clock, http, server };
}

/** Answers with each response in turn, then the last one forever. */
const sequence = (...rs: Recorded[]): Handler => () => (rs.length > 1 ? rs.shift()! : rs[0]!);
const ok = { status: 200, headers: { 'content-type': 'application/json' }, body: { ok: true } };

describe('pollers: HTTP client', () => {
  it('waits Retry-After on a 429 (Riot application limit) and then succeeds', async () => {
    const { clock, http, server } = await setup(sequence(recorded('riot/429-application.response.json'), ok));
    const res = await http.json(`${server.url}/lol/match/v5/matches/EUW1_1`);
    expect(res?.data).toEqual({ ok: true });
    expect(server.seen).toHaveLength(2);
    expect(server.seen[1]!.at - server.seen[0]!.at).toBe(7000);
    expect(clock.sleeps).toEqual([7000]);
  });

  it('backs off on a 429 without X-Rate-Limit-Type (a service limit) and without Retry-After', async () => {
    const service = recorded('riot/429-service.response.json');
    const { clock, http } = await setup(sequence(service, service, ok));
    await http.get(`${server!.url}/x`);
    // base 1 s doubled per attempt, jitter 0.5 → ¾ of each step
    expect(clock.sleeps).toEqual([750, 1500]);
  });

  it('gives up on a lasting 429 with a coded, retryable error', async () => {
    const { http } = await setup(() => recorded('riot/429-method.response.json'));
    const err = await catchError(http.get(`${server!.url}/x`));
    expect(err).toMatchObject({ code: 'CLUTCH_POLLER_RATE_LIMITED', upstreamStatus: 429, retryable: true });
    expect(err.message).toContain('method limit');
    expect(server!.seen).toHaveLength(4);
  });

  it('backs off exponentially with jitter on 5xx and recovers', async () => {
    const r503 = recorded('riot/503.response.json');
    const { clock, http } = await setup(sequence(r503, { status: 502 }, { status: 500 }, ok), { random: () => 0 });
    const res = await http.json(`${server!.url}/x`);
    expect(res?.data).toEqual({ ok: true });
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
  });

  it('fails with CLUTCH_POLLER_UPSTREAM_FAILED when 5xx lasts, after maxAttempts', async () => {
    const { http } = await setup(() => recorded('riot/503.response.json'));
    const err = await catchError(http.get(`${server!.url}/x`));
    expect(err).toMatchObject({ code: 'CLUTCH_POLLER_UPSTREAM_FAILED', upstreamStatus: 503, retryable: true });
    expect(server!.seen).toHaveLength(4);
  });

  it('does not retry a 404 or a refused key, and says which variable to check', async () => {
    const { http } = await setup((req) => (req.path === '/missing' ? recorded('riot/404.response.json') : recorded('riot/403.response.json')), { keyVar: 'RIOT_API_KEY' });
    expect(await catchError(http.get(`${server!.url}/missing`))).toMatchObject({ code: 'CLUTCH_POLLER_HTTP_STATUS', upstreamStatus: 404, retryable: false });
    const denied = await catchError(http.get(`${server!.url}/denied`));
    expect(denied).toMatchObject({ code: 'CLUTCH_POLLER_UNAUTHORIZED', upstreamStatus: 403 });
    expect(denied.message).toContain('RIOT_API_KEY');
    expect(server!.seen).toHaveLength(2);
  });

  it('times out a slow answer (headers or body), retries, and fails with CLUTCH_POLLER_TIMEOUT', async () => {
    const { http } = await setup(() => ({ ...ok, delayMs: 1000 }), { timeoutMs: 80, maxAttempts: 2 });
    expect(await catchError(http.get(`${server!.url}/slow`))).toMatchObject({ code: 'CLUTCH_POLLER_TIMEOUT', retryable: true });
    expect(server!.seen).toHaveLength(2);
    server!.handler = () => ({ ...ok, bodyDelayMs: 1000 });
    expect(await catchError(http.get(`${server!.url}/stalled`))).toMatchObject({ code: 'CLUTCH_POLLER_TIMEOUT' });
    // a slow first attempt, then a fast one: recovered
    let n = 0;
    server!.handler = () => (n++ === 0 ? { ...ok, delayMs: 1000 } : ok);
    expect((await http.json(`${server!.url}/once-slow`))?.data).toEqual({ ok: true });
  });

  it('refuses an oversized body (declared or streamed) without retrying', async () => {
    const big = { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(5000) }) };
    const { http } = await setup(() => big, { maxBytes: 1024 });
    expect(await catchError(http.get(`${server!.url}/declared`))).toMatchObject({ code: 'CLUTCH_POLLER_RESPONSE_TOO_LARGE', retryable: false });
    server!.handler = () => ({ ...big, chunked: true });
    expect(await catchError(http.get(`${server!.url}/chunked`))).toMatchObject({ code: 'CLUTCH_POLLER_RESPONSE_TOO_LARGE' });
    expect(server!.seen).toHaveLength(2);
    expect((await http.get(`${server!.url}/small`, { maxBytes: 10_000 })).body.length).toBeGreaterThan(5000);
  });

  it('retries network errors and reports CLUTCH_POLLER_NETWORK with the cause', async () => {
    const { clock, http } = await setup(() => ok);
    const url = server!.url;
    await server!.close();
    server = undefined;
    const err = await catchError(http.get(`${url}/gone`));
    expect(err).toMatchObject({ code: 'CLUTCH_POLLER_NETWORK', retryable: true });
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(clock.sleeps).toHaveLength(3);
  });

  it('never puts a key of the query string into an error message', async () => {
    const { http } = await setup(() => ({ status: 400, body: { result: { error: 'bad' } } }));
    const err = await catchError(http.get(`${server!.url}/IDOTA2Match_570/GetMatchDetails/v1/?match_id=1&key=SECRETKEY123`));
    expect(err.message).not.toContain('SECRETKEY123');
    expect(err.message).toContain('key=***');
    expect(redactUrl('https://api.opendota.com/api/matches/1?api_key=abc')).toBe('https://api.opendota.com/api/matches/1?api_key=***');
  });

  it('sends the provider key header and stops waiting when stopped', async () => {
    const { http } = await setup(() => recorded('riot/503.response.json'), { headers: { 'x-riot-token': 'RGAPI-test' }, clock: { now: () => 0, sleep: (ms, signal) => new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason))) } });
    const abort = new AbortController();
    const p = catchError(http.get(`${server!.url}/x`, { signal: abort.signal }));
    await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    expect(await p).toMatchObject({ code: 'CLUTCH_POLLER_STOPPED' });
    expect(server!.seen[0]!.headers['x-riot-token']).toBe('RGAPI-test');
  });

  it('parses Retry-After as seconds or a date, and jitters the backoff within [½, 1] of the step', () => {
    expect(parseRetryAfter('7', 0)).toBe(7000);
    expect(parseRetryAfter('Sat, 15 Jun 2024 15:06:10 GMT', Date.parse('2024-06-15T15:06:00Z'))).toBe(10_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(3, 1000, 60_000, () => 0.999999)).toBe(4000);
    expect(backoffMs(20, 1000, 60_000, () => 0)).toBe(30_000);
  });
});
