// Usage metering: every billable unit reaches the ledger once, per organisation, app, unit and day —
// across a process that stops without flushing, and a flusher that dies between writing a batch and
// dropping it. End to end on the embedded app: API calls per app, live messages, ingest payloads, and
// GET /v1/usage/ledger.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SCOPES } from '../../src/auth/scopes.ts';
import { createMemoryCacheBackend } from '../../src/infra/memory/cache.ts';
import { Meter } from '../../src/platform/usage.ts';
import { createApp, createCredential } from '../../src/store/apps.ts';
import { usageByDay, writeBatch } from '../../src/store/usage.ts';
import { useMigratedStore } from '../support/pglite.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';
import { cs2Match } from '../support/events.ts';
import { toRecord } from '../../src/events/codec.ts';
import { topicNames } from '../../src/topics.ts';

const log = pino({ level: 'silent' });
const today = () => new Date().toISOString().slice(0, 10);

describe('usage metering', () => {
  const store = useMigratedStore();

  it('loses nothing when a process stops without flushing or a flusher dies mid-way, and counts nothing twice', async () => {
    const cache = createMemoryCacheBackend();
    // Process 1 counts and pushes to the shared counters, then dies (no flush, no close).
    const p1 = new Meter({ counters: cache.counters, db: store().db, log, flushMs: 0 });
    for (let i = 0; i < 7; i++) p1.record('acme', 'app_1', 'api_call');
    p1.record('acme', undefined, 'plugin_cpu_ms', 12.4);
    await p1.push();
    // Process 2 seals a batch and writes it, then dies before dropping it.
    await cache.counters.seal('usage');
    const [batch] = await cache.counters.batches('usage');
    await writeBatch(store().db, batch!.id, [{ tenant: 'acme', appId: 'app_1', unit: 'api_call', day: today(), quantity: batch!.counts[`acme\u0001app_1\u0001api_call\u0001${today()}`]! }]);
    // Process 3 counts more and flushes: the batch half-written before is written whole, once.
    const p3 = new Meter({ counters: cache.counters, db: store().db, log, flushMs: 0 });
    p3.record('acme', 'app_1', 'api_call', 3);
    await p3.push();
    expect(await p3.flush()).toBe(2);
    expect(await p3.flush()).toBe(0);
    const rows = await usageByDay(store().db, 'acme', today(), today());
    expect(rows.map((r) => [r.appId, r.unit, r.quantity])).toEqual([
      ['-', 'plugin_cpu_ms', 12],
      ['app_1', 'api_call', 10],
    ]);
    // Another organisation sees none of it.
    expect(await usageByDay(store().db, 'globex', today(), today())).toEqual([]);
    await p1.close();
    await p3.close();
    await cache.close();
  });

  describe('on the embedded app', () => {
    let t: TestApp;
    const keys: Record<string, string> = {};
    beforeAll(async () => {
      t = await embeddedApp({ CLUTCH_AUTH_ANONYMOUS_TENANT: '', CLUTCH_USAGE_FLUSH_MS: '300' });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      for (const name of ['a', 'b']) {
        const app = await createApp(t.infra.store.db, 'demo', name);
        keys[name] = (await createCredential(t.infra.store.db, { tenant: 'demo', appId: app.id, kind: 'api_key', scopes: SCOPES })).secret;
      }
    });
    afterAll(async () => {
      await t?.dispose();
    });

    it('counts API calls per app, live messages and ingest payloads into the ledger', async () => {
      for (let i = 0; i < 5; i++) expect((await t.app.inject({ url: '/v1/matches', headers: { 'x-api-key': keys.a! } })).statusCode).toBe(200);
      for (let i = 0; i < 3; i++) expect((await t.app.inject({ url: '/v1/matches', headers: { 'x-api-key': keys.b! } })).statusCode).toBe(200);
      // Refused calls are not billed.
      expect((await t.app.inject({ url: '/v1/matches/nope', headers: { 'x-api-key': keys.b! } })).statusCode).toBe(404);
      // An ingest payload (the demo's well-known ingest token), then its match live: a snapshot.
      const line = 'L 11/24/2026 - 18:00:00: World triggered "Match_Start" on "de_inferno"';
      const ing = await t.app.inject({ method: 'POST', url: '/v1/ingest/cs2-log', headers: { authorization: 'Bearer demo-cs2-log', 'content-type': 'text/plain' }, payload: line });
      expect(ing.statusCode, ing.body).toBe(202);
      // A match of the demo tenant, processed, then followed live: its snapshot is a billed live message.
      await t.infra.eventLog.append(cs2Match('demo', 'usage-1').map((e) => toRecord(topicNames(t.config.kafkaTopicPrefix).events, e)));
      await expect.poll(async () => (await t.app.inject({ url: '/v1/matches/usage-1', headers: { 'x-api-key': keys.a! } })).statusCode, { timeout: 10_000 }).toBe(200);
      const base = `ws://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
      const got = await new Promise<string[]>((resolve, reject) => {
        const types: string[] = [];
        const ws = new WebSocket(`${base}/v1/live`, { headers: { 'x-api-key': keys.a! } });
        ws.on('message', (d) => {
          const m = JSON.parse(d.toString()) as { type: string };
          types.push(m.type);
          if (m.type === 'subscribed') {
            ws.close();
            resolve(types);
          }
        });
        ws.on('open', () => ws.send(JSON.stringify({ op: 'subscribe', matches: [{ id: 'usage-1' }] })));
        ws.on('error', reject);
      });
      expect(got).toEqual(['snapshot', 'subscribed']);
      // Pushed within 1 s, flushed within 0.3 s after.
      const ledger = async () => (await t.app.inject({ url: '/v1/usage/ledger', headers: { 'x-api-key': keys.b! } })).json();
      // Units are counted where they happen and flushed on their own clocks: wait until each has landed.
      await expect.poll(async () => (await ledger()).totals.api_call ?? 0, { timeout: 10_000, interval: 300 }).toBeGreaterThanOrEqual(9);
      await expect.poll(async () => (await ledger()).totals.live_message ?? 0, { timeout: 10_000, interval: 300 }).toBeGreaterThanOrEqual(1);
      await expect.poll(async () => (await ledger()).totals.ingest_payload ?? 0, { timeout: 10_000, interval: 300 }).toBeGreaterThanOrEqual(1);
      const l = await ledger();
      expect(l.organisation).toBe('demo');
      const byApp = (app: string) => l.data.filter((r: { app: string; unit: string }) => r.unit === 'api_call' && r.app === app).reduce((s: number, r: { quantity: number }) => s + r.quantity, 0);
      const [appA, appB] = [(await t.app.inject({ url: '/v1/usage', headers: { 'x-api-key': keys.a! } })).json().app, (await t.app.inject({ url: '/v1/usage', headers: { 'x-api-key': keys.b! } })).json().app];
      expect(byApp(appA)).toBeGreaterThanOrEqual(6);
      expect(byApp(appB)).toBeGreaterThanOrEqual(3);
      expect(l.totals.ingest_payload).toBe(1);
      expect(l.totals.live_message).toBe(1);
      expect(l.data.every((r: { day: string }) => r.day === today())).toBe(true);
      // Bad ranges are refused.
      expect((await t.app.inject({ url: '/v1/usage/ledger?from=2026-01-01&to=2025-01-01', headers: { 'x-api-key': keys.a! } })).json().code).toBe('CLUTCH_USAGE_RANGE_TOO_LONG');
    });
  });
});
