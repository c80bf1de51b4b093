// Usage to Stripe Billing Meters, without services: the ledger (PGlite) reported through the real
// stripe client to a small server that keeps the meter event contract (known meters only, one event
// per identifier, idempotent replays). Reported once: a second run sends nothing; new usage goes in a
// new report; organisations without a Stripe customer are not reported; a refused event fails for good;
// an event whose outcome stayed unknown past the identifier window is not resent; the reconciliation
// names each difference; and the server's own timer reports API calls end to end.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/auth/scopes.ts';
import { billingCommand } from '../../src/cli/billing.ts';
import { loadConfig, DEMO_ENV } from '../../src/config.ts';
import { stripeClient } from '../../src/platform/billing.ts';
import { IDENTIFIER_WINDOW_MS, MeterReporter, reconcile, type MeterReporterOptions } from '../../src/platform/meter-report.ts';
import { UNITS } from '../../src/platform/units.ts';
import { createApp, createCredential } from '../../src/store/apps.ts';
import { listReports, reportId } from '../../src/store/meter-reports.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { writeBatch } from '../../src/store/usage.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';
import { useMigratedStore } from '../support/pglite.ts';

const log = pino({ level: 'silent' });
const EVENTS = { api_call: 'clutch_api_calls', live_message: 'clutch_live_messages', plugin_cpu_ms: 'clutch_plugin_cpu_ms', ingest_payload: 'clutch_ingest_payloads' };
const day = (offset = 0) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);

interface Held {
  eventName: string;
  customer: string;
  value: number;
  timestamp: number;
}

/** Stripe's POST /v1/billing/meter_events as documented: active meters only, deduped by identifier, replayed by Idempotency-Key. */
async function fakeStripe(meters: string[]) {
  const s = {
    mode: 'ok' as 'ok' | 'error500' | 'hang',
    meters,
    requests: 0,
    events: new Map<string, Held>(),
    url: '',
    server: undefined as Server | undefined,
  };
  const replays = new Map<string, string>();
  s.server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/billing/meter_events') return void res.writeHead(404).end();
      s.requests++;
      if (s.mode === 'hang') return;
      if (req.headers.authorization !== 'Bearer sk_test_123') return void res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****ong' } }));
      if (s.mode === 'error500') return void res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: 'api_error', message: 'down' } }));
      const key = String(req.headers['idempotency-key'] ?? '');
      const replay = replays.get(key);
      if (replay) return void res.writeHead(200, { 'content-type': 'application/json', 'idempotent-replayed': 'true' }).end(replay);
      const f = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const e = { eventName: f.get('event_name') ?? '', customer: f.get('payload[stripe_customer_id]') ?? '', value: Number(f.get('payload[value]')), timestamp: Number(f.get('timestamp')) };
      if (!s.meters.includes(e.eventName)) return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: 'invalid_request_error', code: 'resource_missing', message: `No active meter was found for event_name ${e.eventName}` } }));
      const identifier = f.get('identifier') ?? '';
      if (!s.events.has(identifier)) s.events.set(identifier, e);
      const body = JSON.stringify({ object: 'billing.meter_event', created: Math.floor(Date.now() / 1000), event_name: e.eventName, identifier, livemode: false, payload: { stripe_customer_id: e.customer, value: String(e.value) }, timestamp: e.timestamp });
      replays.set(key, body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => s.server!.listen(0, '127.0.0.1', resolve));
  s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
  return s;
}
type Fake = Awaited<ReturnType<typeof fakeStripe>>;
const closeFake = (f: Fake | undefined) =>
  new Promise<void>((resolve) => {
    f?.server?.closeAllConnections();
    if (f?.server) f.server.close(() => resolve());
    else resolve();
  });

/** What the fake Stripe holds per customer, event name and UTC day. */
function held(f: Fake): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of f.events.values()) {
    const k = `${e.customer}/${e.eventName}/${new Date(e.timestamp * 1000).toISOString().slice(0, 10)}`;
    out[k] = (out[k] ?? 0) + e.value;
  }
  return out;
}

describe('meter reports (Stripe Billing Meters)', () => {
  const store = useMigratedStore();
  let fake: Fake;
  const reporters: MeterReporter[] = [];
  const reporter = (o: Partial<MeterReporterOptions> = {}) => {
    const timeoutMs = o.timeoutMs ?? 5000;
    const r = new MeterReporter({ db: store().db, stripe: stripeClient({ secretKey: 'sk_test_123', apiBase: fake.url }, { maxNetworkRetries: 0, timeoutMs }), log, events: EVENTS, intervalMs: 0, timeoutMs, retryBaseMs: 1, maxRetryMs: 1, ...o });
    reporters.push(r);
    return r;
  };
  beforeAll(async () => {
    fake = await fakeStripe(Object.values(EVENTS));
    for (const [id, customer] of [
      ['acme', 'cus_acme'],
      ['globex', 'cus_globex'],
      ['umbrella', null],
    ] as const) {
      await ensureTenant(store().db, id, id);
      if (customer) await store().db.updateTable('tenants').set({ stripe_customer_id: customer }).where('id', '=', id).execute();
    }
  });
  afterEach(async () => {
    fake.mode = 'ok';
    for (const r of reporters.splice(0)) await r.close();
  });
  afterAll(async () => {
    await closeFake(fake);
  });

  it('reports each ledger row once: a second run sends nothing, new usage goes in a new report, no customer no report', async () => {
    const [d0, d1] = [day(0), day(1)];
    await writeBatch(store().db, 'b1', [
      { tenant: 'acme', appId: 'app_1', unit: 'api_call', day: d0, quantity: 5 },
      { tenant: 'acme', appId: 'app_2', unit: 'api_call', day: d0, quantity: 7 },
      { tenant: 'acme', appId: '-', unit: 'plugin_cpu_ms', day: d1, quantity: 40 },
      { tenant: 'globex', appId: '-', unit: 'live_message', day: d0, quantity: 3 },
      { tenant: 'umbrella', appId: 'app_9', unit: 'api_call', day: d0, quantity: 11 },
    ]);
    const r = reporter();
    expect(await r.run()).toMatchObject({ planned: 3, rows: 4, sent: 3, unknown: 0, rejected: 0 });
    expect(held(fake)).toEqual({ [`cus_acme/clutch_api_calls/${d0}`]: 12, [`cus_acme/clutch_plugin_cpu_ms/${d1}`]: 40, [`cus_globex/clutch_live_messages/${d0}`]: 3 });
    // The identifier is the hash of the rows it carries, and the idempotency key is the same.
    const sent = await listReports(store().db, { tenant: 'acme' });
    const apiCalls = sent.find((x) => x.unit === 'api_call')!;
    expect(apiCalls.id).toBe(reportId('acme', 'api_call', d0, [{ batchId: 'b1', appId: 'app_2' }, { batchId: 'b1', appId: 'app_1' }]));
    expect(apiCalls).toMatchObject({ status: 'sent', value: 12, attempts: 1 });
    // A past day's event is stamped at that day's last second; today's at the time it was planned.
    expect(sent.find((x) => x.unit === 'plugin_cpu_ms')!.eventAt.toISOString()).toBe(`${d1}T23:59:59.000Z`);

    // Again: nothing new to plan, nothing due, no request.
    const before = fake.requests;
    expect(await r.run()).toMatchObject({ planned: 0, rows: 0, sent: 0 });
    expect(fake.requests).toBe(before);

    // The same batch written again (a flusher that died before dropping it) adds nothing.
    await writeBatch(store().db, 'b1', [{ tenant: 'acme', appId: 'app_1', unit: 'api_call', day: d0, quantity: 5 }]);
    expect((await r.run()).planned).toBe(0);
    // New usage: a new report, with its own identifier, carrying only the new rows.
    await writeBatch(store().db, 'b2', [{ tenant: 'acme', appId: 'app_1', unit: 'api_call', day: d0, quantity: 2 }]);
    expect(await r.run()).toMatchObject({ planned: 1, rows: 1, sent: 1 });
    expect(held(fake)[`cus_acme/clutch_api_calls/${d0}`]).toBe(14);
    expect(fake.events.has(reportId('acme', 'api_call', d0, [{ batchId: 'b2', appId: 'app_1' }]))).toBe(true);

    // Umbrella has no Stripe customer: its rows stay unreported and out of the reconciliation.
    const umbrella = await store().db.selectFrom('usage_ledger').select('meter_report_id').where('tenant_id', '=', 'umbrella').execute();
    expect(umbrella).toEqual([{ meter_report_id: null }]);
    const rec = await reconcile(store().db, { from: d1, to: d0, events: EVENTS });
    expect(rec).toMatchObject({ checked: 3, equal: true, ledgerTotal: 14 + 40 + 3, stripeTotal: 14 + 40 + 3, mismatches: [] });
  });

  it('a refused event fails for good, is not resent, and the reconciliation names it', async () => {
    await ensureTenant(store().db, 'initech', 'initech');
    await store().db.updateTable('tenants').set({ stripe_customer_id: 'cus_initech' }).where('id', '=', 'initech').execute();
    await writeBatch(store().db, 'c1', [{ tenant: 'initech', appId: '-', unit: 'ingest_payload', day: day(0), quantity: 9 }]);
    // No meter with this name on Stripe.
    const r = reporter({ events: { ...EVENTS, ingest_payload: 'clutch_no_such_meter' } });
    expect(await r.run()).toMatchObject({ planned: 1, rejected: 1, sent: 0 });
    const before = fake.requests;
    expect(await r.run()).toMatchObject({ planned: 0, rejected: 0, sent: 0 });
    expect(fake.requests).toBe(before);
    const [failed] = await listReports(store().db, { tenant: 'initech', status: 'failed' });
    expect(failed!.lastError).toMatch(/StripeInvalidRequestError 400 resource_missing: No active meter/);
    const rec = await reconcile(store().db, { from: day(0), to: day(0), tenant: 'initech', events: EVENTS });
    expect(rec).toMatchObject({ checked: 1, equal: false, ledgerTotal: 9, stripeTotal: 0 });
    expect(rec.mismatches).toEqual([expect.objectContaining({ tenant: 'initech', unit: 'ingest_payload', ledger: 9, stripe: 0, failed: 9, reason: 'ledger 9, Stripe 0 (9 failed)' })]);
    // The CLI says so by its exit code, with the same JSON.
    const config = loadConfig({ ...DEMO_ENV });
    const lines: string[] = [];
    expect(await billingCommand(store(), config, { action: 'reconcile', day: day(0), tenant: 'initech' }, (l) => lines.push(l))).toBe(3);
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ equal: false, ledgerTotal: 9, stripeTotal: 0 });
    expect(await billingCommand(store(), config, { action: 'reconcile', day: day(0), tenant: 'acme' }, () => {})).toBe(0);
    expect(await billingCommand(store(), config, { action: 'reconcile', day: 'yesterday' }, () => {})).toBe(2);
    // Once the meter exists on Stripe, the refused report is requeued and sent.
    fake.meters.push('clutch_no_such_meter');
    const requeued: string[] = [];
    expect(await billingCommand(store(), config, { action: 'requeue', tenant: 'initech' }, (l) => requeued.push(l))).toBe(0);
    expect(JSON.parse(requeued[0]!)).toEqual({ requeued: 1 });
    expect(await r.run()).toMatchObject({ planned: 0, sent: 1 });
    expect((await reconcile(store().db, { from: day(0), to: day(0), tenant: 'initech', events: EVENTS })).equal).toBe(true);
  });

  it('a refused API key stops the run and fails no report', async () => {
    await writeBatch(store().db, 'k1', [{ tenant: 'acme', appId: 'app_3', unit: 'live_message', day: day(0), quantity: 6 }]);
    const wrong = reporter({ stripe: stripeClient({ secretKey: 'sk_test_wrong', apiBase: fake.url }, { maxNetworkRetries: 0, timeoutMs: 5000 }) });
    expect(await wrong.run()).toMatchObject({ planned: 1, unauthorized: 1, sent: 0, rejected: 0 });
    const [pending] = await listReports(store().db, { tenant: 'acme', status: 'pending' });
    expect(pending).toMatchObject({ unit: 'live_message', value: 6, uncertainSince: null });
    expect(await reporter().run()).toMatchObject({ sent: 1 });
  });

  it('retries unknown outcomes with the same identifier, and gives up past the identifier window rather than risk counting twice', async () => {
    await writeBatch(store().db, 'd1', [{ tenant: 'globex', appId: '-', unit: 'plugin_cpu_ms', day: day(0), quantity: 21 }]);
    const r = reporter({ timeoutMs: 300 });
    fake.mode = 'hang';
    expect(await r.run()).toMatchObject({ planned: 1, unknown: 1, sent: 0 });
    fake.mode = 'error500';
    expect(await r.run()).toMatchObject({ unknown: 1 });
    const [pending] = await listReports(store().db, { tenant: 'globex', status: 'pending' });
    expect(pending).toMatchObject({ attempts: 2, value: 21 });
    expect(pending!.uncertainSince).not.toBeNull();
    // Stripe answers again, but the first unknown attempt is older than the identifier window.
    fake.mode = 'ok';
    await sql`update meter_reports set uncertain_since = now() - ${IDENTIFIER_WINDOW_MS + 60_000} * interval '1 millisecond', next_attempt_at = now() where id = ${pending!.id}`.execute(store().db);
    const before = fake.requests;
    expect(await r.run()).toMatchObject({ expired: 1, sent: 0 });
    expect(fake.requests).toBe(before);
    const [failed] = await listReports(store().db, { tenant: 'globex', status: 'failed' });
    expect(failed!.lastError).toMatch(/^not resent: its outcome was unknown for longer than Stripe keeps the identifier/);
  });

  it('does not report days older than Stripe takes; the reconciliation shows them unreported', async () => {
    const old = day(40);
    await writeBatch(store().db, 'e1', [{ tenant: 'acme', appId: 'app_1', unit: 'api_call', day: old, quantity: 4 }]);
    expect((await reporter().run()).planned).toBe(0);
    const rec = await reconcile(store().db, { from: old, to: old, events: EVENTS });
    expect(rec.mismatches).toEqual([expect.objectContaining({ tenant: 'acme', ledger: 4, unreported: 4, stripe: 0, reason: 'ledger 4, Stripe 0 (4 not reported yet)' })]);
  });

  it('maps every unit to a meter event by default, and refuses unknown units and repeated names', () => {
    expect(Object.keys(loadConfig({ ...DEMO_ENV }).meterReports.events).sort()).toEqual([...UNITS].sort());
    expect(loadConfig({ ...DEMO_ENV, CLUTCH_METER_EVENTS: 'api_call=calls' }).meterReports.events).toEqual({ api_call: 'calls' });
    expect(() => loadConfig({ ...DEMO_ENV, CLUTCH_METER_EVENTS: 'api_call=calls,gpu_ms=gpu' })).toThrow(/CLUTCH_METER_EVENTS has malformed or repeated entries "gpu_ms=gpu"/);
    expect(() => loadConfig({ ...DEMO_ENV, CLUTCH_METER_EVENTS: 'api_call=calls,live_message=calls' })).toThrow(/CLUTCH_METER_EVENTS/);
  });

  describe('in the server', () => {
    let t: TestApp;
    let own: Fake;
    beforeAll(async () => {
      own = await fakeStripe(Object.values(EVENTS));
      t = await embeddedApp({ CLUTCH_AUTH_ANONYMOUS_TENANT: '', STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_API_BASE: own.url, CLUTCH_USAGE_FLUSH_MS: '200', CLUTCH_METER_REPORT_MS: '200' });
      await t.app.ready();
    });
    afterAll(async () => {
      await t?.dispose();
      await closeFake(own);
    });

    it('reports API calls to Stripe on its own timer', async () => {
      const db = t.infra.store.db;
      await ensureTenant(db, 'acme', 'Acme');
      await db.updateTable('tenants').set({ stripe_customer_id: 'cus_acme' }).where('id', '=', 'acme').execute();
      const app = await createApp(db, 'acme', 'metered');
      const key = (await createCredential(db, { tenant: 'acme', appId: app.id, kind: 'api_key', scopes: SCOPES })).secret;
      for (let i = 0; i < 6; i++) expect((await t.app.inject({ url: '/v1/matches', headers: { 'x-api-key': key } })).statusCode).toBe(200);
      await expect.poll(() => held(own)[`cus_acme/clutch_api_calls/${day(0)}`] ?? 0, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(6);
      const rec = await reconcile(db, { from: day(0), to: day(0), tenant: 'acme', events: EVENTS });
      expect(rec.equal).toBe(true);
      expect(rec.stripeTotal).toBe(held(own)[`cus_acme/clutch_api_calls/${day(0)}`]);
    });
  });
});
