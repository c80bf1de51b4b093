// HTTP surface of the skeleton: health, readiness, metrics, coded errors, limits, graceful shutdown.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { toRecord } from '../../src/events/codec.ts';
import { topicNames } from '../../src/topics.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';
import { cs2Match } from '../support/events.ts';

describe('HTTP skeleton', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('answers /healthz and a green /readyz listing every dependency', async () => {
    t = await embeddedApp();
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { pglite: { ok: true }, 'memory-log': { ok: true } } });
  });

  it('turns /readyz red naming the dependency that fails, and green again when it recovers', async () => {
    t = await embeddedApp();
    let down = true;
    t.infra.dependencies.push({ name: 'flaky', target: '127.0.0.1:1', check: async () => void (down && (() => { throw new Error('connect ECONNREFUSED'); })()) });
    const red = await t.app.inject({ url: '/readyz' });
    expect(red.statusCode).toBe(503);
    expect(red.json()).toMatchObject({ status: 'not_ready', checks: { flaky: { ok: false, error: 'connect ECONNREFUSED', target: '127.0.0.1:1' }, pglite: { ok: true } } });
    down = false;
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('GET /metrics is for operators: the bearer token when one is set, else clients on this host only', async () => {
    t = await embeddedApp({ CLUTCH_METRICS_TOKEN: 'scrape-secret-0123456789' });
    expect((await t.app.inject({ url: '/metrics' })).json()).toMatchObject({ code: 'CLUTCH_UNAUTHENTICATED' });
    const wrong = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-secret-0123456780' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Bearer/);
    const ok = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-secret-0123456789' }, remoteAddress: '203.0.113.7' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toMatch(/process_cpu_user_seconds_total/);
    await t.dispose();
    t = await embeddedApp();
    const remote = await t.app.inject({ url: '/metrics', remoteAddress: '203.0.113.7' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().code).toBe('CLUTCH_FORBIDDEN');
    expect((await t.app.inject({ url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
  });

  it('exposes process metrics and per-route HTTP metrics in Prometheus format', async () => {
    t = await embeddedApp();
    await t.app.inject({ url: '/v1/matches' });
    await t.app.inject({ url: '/v1/matches/nope' });
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/process_cpu_user_seconds_total/);
    expect(res.body).toMatch(/nodejs_eventloop_lag_seconds/);
    expect(res.body).toMatch(/http_requests_total\{method="GET",route="\/v1\/matches",status_code="200"\} 1/);
    // Route templates, not raw URLs, so label cardinality stays bounded.
    expect(res.body).toMatch(/http_requests_total\{method="GET",route="\/v1\/matches\/:id",status_code="404"\} 1/);
    expect(res.body).toMatch(/http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/v1\/matches"/);
  });

  it('rejects bad query parameters with 400 and a coded error', async () => {
    t = await embeddedApp();
    for (const url of ['/v1/matches?limit=0', '/v1/matches?limit=abc', '/v1/matches?title=chess', '/v1/matches?status=paused']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().code, url).toBe('CLUTCH_BAD_REQUEST');
      expect(res.json().message, url).toMatch(/querystring/);
      expect(res.json().details[0], url).toMatchObject({ in: 'querystring', path: expect.stringMatching(/^\/(limit|title|status)$/) });
    }
    const unknown = await t.app.inject({ url: '/v1/matches?limt=5' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'CLUTCH_BAD_REQUEST', details: [{ in: 'querystring', path: '/limt', message: 'unknown parameter "limt"' }] });
  });

  it('answers unknown routes and unknown matches with 404 and a coded error', async () => {
    t = await embeddedApp();
    expect((await t.app.inject({ url: '/nope' })).json()).toEqual({ code: 'CLUTCH_NOT_FOUND', message: 'no route GET /nope' });
    expect((await t.app.inject({ url: '/v1/matches/zzz' })).json()).toEqual({ code: 'CLUTCH_MATCH_NOT_FOUND', message: 'no match zzz' });
  });

  it('refuses a body over the configured limit with 413 and a coded error', async () => {
    t = await embeddedApp({ BODY_LIMIT_BYTES: '2048' });
    t.app.post('/echo-test', { config: { access: { kind: 'public' } } }, async (req) => req.body);
    const res = await t.app.inject({ method: 'POST', url: '/echo-test', payload: { x: 'y'.repeat(5000) } });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('CLUTCH_HTTP_413');
  });

  it('serves the demo page listing live matches and the JSON endpoints', async () => {
    t = await embeddedApp();
    const res = await t.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('/v1/matches?status=live');
    expect(res.body).toContain('/readyz');
  });

  it('on shutdown finishes in-flight requests, refuses new ones, and commits what the consumer applied', async () => {
    t = await embeddedApp();
    t.app.get('/slow-test', { config: { access: { kind: 'public' } } }, async () => {
      await sleep(400);
      return { done: true };
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const topic = topicNames('').events;
    await t.infra.eventLog.append(cs2Match('demo', 'm-shutdown').map((e) => toRecord(topic, e)));
    await expect.poll(async () => ((await (await fetch(`${base}/v1/matches/m-shutdown`)).json()) as { lastSeq: number }).lastSeq, { timeout: 5000 }).toBe(6);

    const inFlight = fetch(`${base}/slow-test`);
    await sleep(100);
    const closing = t.app.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await closing;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    // The processor committed its position before leaving: a new member of its group starts after
    // the six events instead of receiving them again.
    const sub = await t.infra.eventLog.subscribe({ groupId: 'clutch.processor', topics: [topic] });
    const positions = await t.infra.eventLog.offsets(topic);
    const it = sub[Symbol.asyncIterator]();
    const next = await Promise.race([it.next(), sleep(700).then(() => 'nothing')]);
    expect(next).toBe('nothing');
    expect(positions.reduce((n, p) => n + Number(p.high), 0)).toBe(6);
    await sub.close();
  });
});
