// Webhooks end to end on the embedded adapters: a real HTTP receiver (node:http) subscribed through
// the API, a recorded match replayed through the log, the router writing the outbox and the
// dispatcher sending signed POSTs. Checked with the SDK's verifier, as a receiver would.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '@clutch/core';
import { verifyWebhook } from '../../../sdk/client/src/webhooks.ts';
import webhooksApi from '../../src/api/webhooks.ts';
import { installErrorHandler } from '../../src/api/errors.ts';
import { parseFiles } from '../../src/cli/parse.ts';
import { toRecord } from '../../src/events/codec.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { insertDeliveries } from '../../src/store/webhooks.ts';
import { sendWebhook } from '../../src/webhooks/send.ts';
import { topicNames } from '../../src/topics.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';
import { cs2Match, envelope } from '../support/events.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A webhook receiver: records every request; `answer` decides the status (and may stall). */
class Receiver {
  readonly got: Received[] = [];
  answer: (n: number, r: Received) => number | 'hang' = () => 200;
  #server: Server;
  url = '';
  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.got.push(r);
        const a = this.answer(this.got.length, r);
        if (a === 'hang') return; // never answers: the attempt times out
        res.writeHead(a, { 'content-type': 'text/plain' }).end(a >= 300 ? `nope ${a}` : 'ok');
      });
    });
  }
  async start(path = '/hooks'): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}${path}`;
    return this;
  }
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
  verified(secret: string | string[]) {
    return this.got.map((r) => ({ event: verifyWebhook({ body: r.body, signatureHeader: r.headers['clutch-signature'] as string, secret }), headers: r.headers }));
  }
}

const topic = topicNames('').events;
const fixture = (p: string) => new URL(`../fixtures/${p}`, import.meta.url).pathname;
const wingman = async (matchId: string) => (await parseFiles('cs2-log', [fixture('cs2-log/wingman.log')], { tenant: 'demo', streamId: 's', receivedAt: '2026-03-14T20:00:00.000Z' })).events.map((e) => ({ ...e, matchId }));

describe('webhooks (embedded)', () => {
  let t: TestApp;
  const receivers: Receiver[] = [];
  const receiver = async () => {
    const r = await new Receiver().start();
    receivers.push(r);
    return r;
  };
  beforeAll(async () => {
    t = await embeddedApp({ CLUTCH_WEBHOOK_RETRY_BASE_MS: '100', CLUTCH_WEBHOOK_MAX_ATTEMPTS: '3', CLUTCH_WEBHOOK_POLL_MS: '20', CLUTCH_WEBHOOK_TIMEOUT_MS: '1000' });
    await t.app.ready();
  });
  afterAll(async () => {
    await t.dispose();
    await Promise.all(receivers.map((r) => r.close()));
  });

  const subscribe = async (body: Record<string, unknown>) => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/webhooks', payload: body });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: string; secret: string; secretHint: string };
  };
  const append = (events: readonly Envelope[]) => t.infra.eventLog.append(events.map((e) => toRecord(topic, e)));
  const feed = async (events: readonly Envelope[]) => {
    for (let i = 0; i < events.length; i += 5) await append(events.slice(i, i + 5));
  };
  const deliveries = async (id: string, query = '') => (await t.app.inject({ url: `/v1/webhooks/${id}/deliveries${query}` })).json() as { data: Array<Record<string, unknown> & { id: string; status: string; attempts: number; attemptLog: Array<{ n: number; statusCode: number | null; durationMs: number; startedAt: string; manual: boolean; error: string | null }> }>; next: string | null };

  it('delivers match.started, every round.ended and match.ended of a replayed match once each, signed, in order', async () => {
    const rx = await receiver();
    const matchId = 'wh-e2e-1';
    const sub = await subscribe({ url: rx.url, events: ['match.started', 'round.ended', 'match.ended'], filters: { matches: [matchId] } });
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const events = await wingman(matchId);
    const expected = events.filter((e) => ['match.started', 'round.ended', 'match.ended'].includes(e.type)).map((e) => `${e.seq}:${e.type}`);
    expect(expected).toHaveLength(7);
    await feed(events);
    await expect.poll(() => rx.got.length, { timeout: 10_000 }).toBe(7);
    const got = rx.verified(sub.secret);
    expect(got.map((g) => `${g.event.data['seq']}:${g.event.type}`)).toEqual(expected);
    for (const g of got) {
      expect(g.headers['content-type']).toBe('application/json');
      expect(g.headers['clutch-event']).toBe(g.event.type);
      expect(g.headers['clutch-attempt']).toBe('1');
      expect(g.headers['clutch-delivery-id']).toBe(g.event.id);
      expect(g.event).toMatchObject({ tenant: 'demo', data: { matchId, title: 'cs2' } });
    }
    expect(got.find((g) => g.event.type === 'match.ended')!.event.data['payload']).toMatchObject({ score: expect.any(Array) });
    // The delivery log has the same ids (stable: the idempotency key a receiver dedupes on), newest first.
    const log = await deliveries(sub.id);
    expect(log.data.map((d) => d.id)).toEqual(got.map((g) => g.event.id).reverse());
    expect(log.data.every((d) => d.status === 'succeeded' && d.attempts === 1 && d.attemptLog[0]!.statusCode === 200)).toBe(true);
    // Nothing more arrives later (each once).
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.got).toHaveLength(7);
  });

  it('creates no second delivery when the log delivers the same events again (replay)', async () => {
    const rx = await receiver();
    const matchId = 'wh-idem';
    const sub = await subscribe({ url: rx.url, events: ['match.started', 'round.ended', 'match.ended'], filters: { matches: [matchId] } });
    const events = cs2Match('demo', matchId);
    await append(events);
    await expect.poll(() => rx.got.length, { timeout: 10_000 }).toBe(5);
    await append(events); // a producer retry or a replay: same matches, same seqs
    await append(events.slice(2, 4));
    // A marker after the replays: once it is delivered, the replays have been routed.
    const marker = { ...envelope({ tenant: 'demo', title: 'cs2', matchId }, 7, 'round.ended', { round: 4, score: [3, 1] }) };
    await append([marker]);
    await expect.poll(() => rx.got.length, { timeout: 10_000 }).toBe(6);
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.got).toHaveLength(6);
    expect(new Set(rx.got.map((r) => r.headers['clutch-delivery-id'])).size).toBe(6);
    expect((await deliveries(sub.id)).data).toHaveLength(6);
  });

  it('retries with back-off: 500, 500, then 200 succeeds on attempt 3, and the log shows each attempt', async () => {
    const rx = await receiver();
    rx.answer = (n) => (n <= 2 ? 500 : 200);
    const matchId = 'wh-retry';
    const sub = await subscribe({ url: rx.url, events: ['match.started'], filters: { matches: [matchId] } });
    await append(cs2Match('demo', matchId).slice(0, 1));
    await expect.poll(() => rx.got.length, { timeout: 10_000 }).toBe(3);
    const ids = rx.got.map((r) => r.headers['clutch-delivery-id']);
    expect(new Set(ids).size).toBe(1); // the same delivery id on every attempt
    expect(rx.got.map((r) => r.headers['clutch-attempt'])).toEqual(['1', '2', '3']);
    // Back-off: ~100 ms then ~200 ms (±20 %), measured at the receiver.
    expect(rx.got[1]!.at - rx.got[0]!.at).toBeGreaterThanOrEqual(75);
    expect(rx.got[2]!.at - rx.got[1]!.at).toBeGreaterThanOrEqual(155);
    rx.verified(sub.secret); // every attempt is signed (fresh timestamp each time)
    await expect.poll(async () => (await deliveries(sub.id)).data[0]?.status, { timeout: 5000 }).toBe('succeeded');
    const [d] = (await deliveries(sub.id)).data;
    expect(d).toMatchObject({ id: ids[0], attempts: 3, lastStatusCode: 200, nextAttemptAt: null });
    expect(d!.attemptLog.map((a) => [a.n, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(d!.attemptLog[0]!.error).toBe('HTTP 500');
    expect(d!.attemptLog.every((a) => a.durationMs >= 0 && !Number.isNaN(Date.parse(a.startedAt)))).toBe(true);
    const one = (await t.app.inject({ url: `/v1/webhooks/${sub.id}/deliveries/${d!.id}` })).json();
    expect(one.attemptLog[0].responseExcerpt).toBe('nope 500');
    expect(one.body).toMatchObject({ id: d!.id, type: 'match.started', data: { matchId } });
  });

  it('marks a delivery failed after the last attempt (timeouts count), and a manual redelivery sends it again with the same id', async () => {
    const rx = await receiver();
    rx.answer = (n) => (n === 1 ? 'hang' : 503);
    const matchId = 'wh-fail';
    const sub = await subscribe({ url: rx.url, events: ['match.started'], filters: { matches: [matchId] } });
    await append(cs2Match('demo', matchId).slice(0, 1));
    await expect.poll(async () => (await deliveries(sub.id)).data[0]?.status, { timeout: 15_000 }).toBe('failed');
    const [d] = (await deliveries(sub.id)).data;
    expect(d).toMatchObject({ attempts: 3, maxAttempts: 3, lastStatusCode: 503, nextAttemptAt: null });
    expect(d!.attemptLog[0]).toMatchObject({ n: 1, statusCode: null, error: 'no answer within 1000 ms' });
    expect(rx.got).toHaveLength(3);

    // The endpoint is fixed: redeliver by hand.
    rx.answer = () => 200;
    const r = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${d!.id}/redeliver` });
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toMatchObject({ id: d!.id, status: 'pending', maxAttempts: 4 });
    await expect.poll(() => rx.got.length, { timeout: 5000 }).toBe(4);
    expect(rx.got[3]!.headers['clutch-delivery-id']).toBe(d!.id);
    expect(rx.got[3]!.headers['clutch-attempt']).toBe('4');
    expect(rx.got[3]!.body).toBe(rx.got[0]!.body); // the same body, a fresh signature
    rx.verified(sub.secret);
    await expect.poll(async () => (await deliveries(sub.id)).data[0]?.status, { timeout: 5000 }).toBe('succeeded');
    const after = (await deliveries(sub.id)).data[0]!;
    expect(after.attemptLog.map((a) => a.manual)).toEqual([false, false, false, true]);
    // Not while it is pending; a delivery of another webhook or an unknown one is 404.
    const again = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${d!.id}/redeliver` });
    expect(again.statusCode).toBe(202);
    const twice = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/${d!.id}/redeliver` });
    expect([202, 409]).toContain(twice.statusCode); // 409 CLUTCH_WEBHOOK_DELIVERY_PENDING unless the first already went out
    if (twice.statusCode === 409) expect(twice.json().code).toBe('CLUTCH_WEBHOOK_DELIVERY_PENDING');
    const unknown = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/deliveries/00000000-0000-7000-8000-000000000000/redeliver` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('CLUTCH_WEBHOOK_DELIVERY_NOT_FOUND');
  });

  it('fires a stat threshold once per player per match, and series.live once per series', async () => {
    const rx = await receiver();
    const matchId = 'wh-thr';
    const sub = await subscribe({ url: rx.url, events: ['series.live'], thresholds: [{ stat: 'kills', subject: 'player', op: '>=', value: 2, title: 'cs2' }], filters: { matches: [matchId, 'wh-thr-2'] } });
    const b = { tenant: 'demo', title: 'cs2' as const, matchId, seriesId: 'bo3-1' };
    const navi = { id: 'navi', name: 'Natus Vincere' };
    const vit = { id: 'vit', name: 'Vitality' };
    const p = (id: string, team: string) => ({ id, name: id, team });
    const kill = (seq: number, killer: string) => envelope(b, seq, 'player.killed.player', { killer: p(killer, 'navi'), victim: p('zywoo', 'vit'), weapon: 'ak47' });
    await append([envelope(b, 1, 'match.started', { teams: [navi, vit], map: 'de_nuke' }), kill(2, 's1mple')]);
    await append([kill(3, 's1mple')]); // s1mple reaches 2
    await append([kill(4, 's1mple'), kill(5, 'b1t')]); // still above: no second one
    await append([kill(6, 'b1t')]); // b1t reaches 2
    // A second map of the same series: no second series.live.
    await append([envelope({ ...b, matchId: 'wh-thr-2' }, 1, 'match.started', { teams: [navi, vit], map: 'de_inferno' })]);
    await expect.poll(() => rx.got.length, { timeout: 10_000 }).toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    const got = rx.verified(sub.secret).map((g) => g.event);
    expect(got).toHaveLength(3);
    expect(got.filter((e) => e.type === 'series.live')).toEqual([expect.objectContaining({ data: expect.objectContaining({ seriesId: 'bo3-1', matchId, trigger: 'match.started' }) })]);
    const thresholds = got.filter((e) => e.type === 'stat.threshold').map((e) => e.data as { subject: { id: string }; value: number; threshold: { stat: string } });
    expect(thresholds.map((x) => x.subject.id).sort()).toEqual(['b1t', 's1mple']);
    for (const x of thresholds) {
      expect(x.threshold.stat).toBe('kills');
      expect(x.value).toBeGreaterThanOrEqual(2);
    }
  });

  it('sends a ping on demand and rotates the secret: both secrets sign during the grace period', async () => {
    const rx = await receiver();
    const sub = await subscribe({ url: rx.url, events: ['match.ended'], filters: { matches: ['none'] } });
    const ping = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test` });
    expect(ping.statusCode, ping.body).toBe(200);
    expect(ping.json()).toMatchObject({ type: 'ping', status: 'succeeded', attempts: 1, attemptLog: [{ n: 1, statusCode: 200 }] });
    expect(rx.verified(sub.secret)[0]!.event).toMatchObject({ type: 'ping', data: { subscriptionId: sub.id } });

    const rot = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/rotate-secret`, payload: { graceSeconds: 3600 } });
    expect(rot.statusCode, rot.body).toBe(200);
    const { secret: next, previousSecretExpiresAt } = rot.json();
    expect(next).not.toBe(sub.secret);
    expect(Date.parse(previousSecretExpiresAt) - Date.now()).toBeGreaterThan(3500_000);
    await t.app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test` });
    const last = rx.got[1]!;
    expect((last.headers['clutch-signature'] as string).match(/v1=/g)).toHaveLength(2);
    expect(verifyWebhook({ body: last.body, signatureHeader: last.headers['clutch-signature'] as string, secret: sub.secret }).type).toBe('ping');
    expect(verifyWebhook({ body: last.body, signatureHeader: last.headers['clutch-signature'] as string, secret: next }).type).toBe('ping');
    // Without a grace period only the new secret signs. An empty body is fine too.
    const now = await t.app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/rotate-secret`, payload: { graceSeconds: 0 } });
    expect(now.json().previousSecretExpiresAt).toBeNull();
    expect((await t.app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/rotate-secret` })).statusCode).toBe(200);
    // The secret is never shown again.
    const shown = (await t.app.inject({ url: `/v1/webhooks/${sub.id}` })).body + (await t.app.inject({ url: '/v1/webhooks' })).body + (await t.app.inject({ url: `/v1/webhooks/${sub.id}/deliveries` })).body;
    for (const s of [sub.secret, next]) expect(shown).not.toContain(s.slice(6));
    expect(shown).toContain('whsec_…');
  });

  it('validates input with coded errors', async () => {
    const post = (payload: unknown) => t.app.inject({ method: 'POST', url: '/v1/webhooks', payload: payload as Record<string, unknown> });
    const cases: Array<[unknown, number, string]> = [
      [{ url: 'not a url', events: ['match.started'] }, 422, 'CLUTCH_WEBHOOK_URL_INVALID'],
      [{ url: 'ftp://example.com/x', events: ['match.started'] }, 422, 'CLUTCH_WEBHOOK_URL_INVALID'],
      [{ url: 'https://user:pw@example.com/x', events: ['match.started'] }, 422, 'CLUTCH_WEBHOOK_URL_INVALID'],
      [{ url: `https://example.com/${'a'.repeat(2048)}`, events: ['match.started'] }, 400, 'CLUTCH_BAD_REQUEST'],
      [{ url: 'https://example.com/x', events: ['match.exploded'] }, 400, 'CLUTCH_BAD_REQUEST'],
      [{ url: 'https://example.com/x', events: ['match.started', 'match.started'] }, 400, 'CLUTCH_BAD_REQUEST'],
      [{ url: 'https://example.com/x', events: ['match.started'], colour: 'red' }, 400, 'CLUTCH_BAD_REQUEST'],
      [{ url: 'https://example.com/x', events: ['match.started'], filters: { teams: ['navi'] } }, 400, 'CLUTCH_BAD_REQUEST'],
      [{ url: 'https://example.com/x', thresholds: [{ stat: 'kills', subject: 'player', op: '<', value: 1 }] }, 400, 'CLUTCH_BAD_REQUEST'],
      [{ url: 'https://example.com/x', thresholds: [{ stat: 'teleports', subject: 'player', op: '>=', value: 1 }] }, 422, 'CLUTCH_WEBHOOK_THRESHOLD_INVALID'],
      [{ url: 'https://example.com/x', thresholds: Array.from({ length: 21 }, () => ({ stat: 'kills', subject: 'player', op: '>=', value: 1 })) }, 400, 'CLUTCH_BAD_REQUEST'],
      [{ url: 'https://example.com/x', events: [] }, 422, 'CLUTCH_WEBHOOK_NOTHING_SUBSCRIBED'],
      [{ events: ['match.started'] }, 400, 'CLUTCH_BAD_REQUEST'],
    ];
    for (const [body, status, code] of cases) {
      const r = await post(body);
      expect(r.statusCode, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(r.json().code).toBe(code);
    }
    const unknown = await post({ url: 'https://example.com/x', events: ['match.started'], colour: 'red' });
    expect(unknown.json().details).toEqual([expect.objectContaining({ in: 'body', path: '/colour' })]);
    const stat = await post({ url: 'https://example.com/x', thresholds: [{ stat: 'teleports', subject: 'player', op: '>=', value: 1 }] });
    expect(stat.json().details).toEqual([expect.objectContaining({ path: '/thresholds/0/stat' })]);

    const big = await post({ url: 'https://example.com/x', events: ['match.started'], description: 'x'.repeat(70_000) });
    expect([big.statusCode, big.json().code]).toEqual([413, 'CLUTCH_HTTP_413']);
    expect((await t.app.inject({ url: '/v1/webhooks/not-a-uuid' })).json().code).toBe('CLUTCH_BAD_REQUEST');
    const missing = await t.app.inject({ url: '/v1/webhooks/00000000-0000-4000-8000-000000000000' });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'CLUTCH_WEBHOOK_NOT_FOUND']);
    const sub = await subscribe({ url: 'https://example.com/hook', events: ['match.ended'], enabled: false });
    expect((await t.app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: {} })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { events: [] } })).json().code).toBe('CLUTCH_WEBHOOK_NOTHING_SUBSCRIBED');
    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/webhooks/${sub.id}`, payload: { url: 'https://example.org/other', description: 'prod' } });
    expect(patched.json()).toMatchObject({ url: 'https://example.org/other', description: 'prod', events: ['match.ended'], enabled: false });
    expect((await t.app.inject({ url: `/v1/webhooks/${sub.id}/deliveries?cursor=%%%` })).statusCode).toBe(400);
    expect((await t.app.inject({ url: `/v1/webhooks/${sub.id}/deliveries?cursor=abc` })).json().code).toBe('CLUTCH_BAD_CURSOR');
    expect((await t.app.inject({ url: `/v1/webhooks/${sub.id}/deliveries?limit=1000` })).json().code).toBe('CLUTCH_BAD_REQUEST');
    expect((await t.app.inject({ url: `/v1/webhooks/${sub.id}/deliveries?since=yesterday` })).json().details[0].message).toContain('unknown parameter');
    expect((await t.app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/rotate-secret`, payload: { graceSeconds: 10 ** 9 } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${sub.id}` })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${sub.id}` })).statusCode).toBe(404);
  });
});

describe('webhooks: tenants and limits', () => {
  let t: TestApp;
  let api: ReturnType<typeof Fastify>;
  beforeAll(async () => {
    t = await embeddedApp({ CLUTCH_WEBHOOK_ALLOW_PRIVATE_URLS: 'off' });
    await t.app.ready();
    for (const id of ['a', 'b', 'c']) await ensureTenant(t.infra.store.db, id, id);
    // The same routes with the tenant taken from a header (API keys arrive in a later issue).
    api = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true } } });
    installErrorHandler(api);
    await api.register(webhooksApi, { store: t.infra.store, tenant: (req: unknown) => (req as { headers: Record<string, string> }).headers['x-tenant']!, settings: t.config.webhooks });
    await api.ready();
  });
  afterAll(async () => {
    await api.close();
    await t.dispose();
  });
  const as = (tenant: string, o: { method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: Record<string, unknown> }) => api.inject({ ...o, headers: { 'x-tenant': tenant } });

  it("keeps each tenant's webhooks and deliveries to itself", async () => {
    const a = (await as('a', { method: 'POST', url: '/v1/webhooks', payload: { url: 'https://example.com/a', events: ['match.started'] } })).json();
    await insertDeliveries(t.infra.store.db, [{ tenant: 'a', subscriptionId: a.id, dedupeKey: 'k1', type: 'match.started', matchId: 'm', seq: 1, data: {}, maxAttempts: 1, failedReason: 'test' }]);
    const deliveryId = (await as('a', { url: `/v1/webhooks/${a.id}/deliveries` })).json().data[0].id as string;
    expect(deliveryId).toBeTruthy();
    expect((await as('b', { url: '/v1/webhooks' })).json().data).toEqual([]);
    for (const [method, url] of [
      ['GET', `/v1/webhooks/${a.id}`],
      ['PATCH', `/v1/webhooks/${a.id}`],
      ['DELETE', `/v1/webhooks/${a.id}`],
      ['POST', `/v1/webhooks/${a.id}/rotate-secret`],
      ['POST', `/v1/webhooks/${a.id}/test`],
      ['GET', `/v1/webhooks/${a.id}/deliveries`],
      ['GET', `/v1/webhooks/${a.id}/deliveries/${deliveryId}`],
      ['POST', `/v1/webhooks/${a.id}/deliveries/${deliveryId}/redeliver`],
    ] as const) {
      const r = await as('b', { method, url, ...(method === 'PATCH' ? { payload: { enabled: false } } : {}) });
      expect(r.statusCode, `${method} ${url}`).toBe(404);
    }
    // Tenant A still sees it all, unchanged.
    expect((await as('a', { url: `/v1/webhooks/${a.id}` })).json()).toMatchObject({ id: a.id, enabled: true });
    expect((await as('a', { url: `/v1/webhooks/${a.id}/deliveries` })).json().data.map((d: { id: string }) => d.id)).toEqual([deliveryId]);
  });

  it('refuses loopback and private targets unless allowed, at subscription and when connecting', async () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://[::1]/x', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/x']) {
      const r = await as('a', { method: 'POST', url: '/v1/webhooks', payload: { url, events: ['match.started'] } });
      expect([r.statusCode, r.json().code], url).toEqual([422, 'CLUTCH_WEBHOOK_URL_NOT_ALLOWED']);
    }
    // A host name is checked when connecting, on the address it resolves to (a name created as public
    // may resolve to an internal address later).
    const rx = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => rx.listen(0, '127.0.0.1', resolve));
    try {
      const port = (rx.address() as AddressInfo).port;
      const refused = await sendWebhook({ url: `http://localhost:${port}/x`, body: '{}', headers: {}, timeoutMs: 2000, allowPrivate: false });
      expect(refused).toMatchObject({ ok: false, statusCode: null, outcome: 'network_error' });
      expect(refused.error).toContain('private address');
      expect((await sendWebhook({ url: `http://localhost:${port}/x`, body: '{}', headers: {}, timeoutMs: 2000, allowPrivate: true })).statusCode).toBe(200);
    } finally {
      await new Promise((resolve) => rx.close(resolve));
    }
  });

  it('allows 20 webhooks per tenant, then 409', async () => {
    const results = await Promise.all(Array.from({ length: 22 }, (_, i) => as('c', { method: 'POST', url: '/v1/webhooks', payload: { url: `https://example.com/${i}`, events: ['match.ended'] } })));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(20);
    expect(codes.filter((c) => c === 409)).toHaveLength(2);
    expect(results.find((r) => r.statusCode === 409)!.json().code).toBe('CLUTCH_WEBHOOK_LIMIT');
    expect((await as('c', { url: '/v1/webhooks' })).json().data).toHaveLength(20);
    // Another tenant is not affected.
    expect((await as('b', { method: 'POST', url: '/v1/webhooks', payload: { url: 'https://example.com/b', events: ['match.ended'] } })).statusCode).toBe(201);
  });
});
