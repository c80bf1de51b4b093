// Usage to Stripe Billing Meters through injected faults, on real PostgreSQL and Redis, against
// stripe-mock. Usage goes the real way (Meter → Redis counters → sealed batches → usage_ledger); the
// reporter sends it through a proxy that answers 5xx, hangs past the client's timeout or resets the
// connection on a seeded share of meter event requests, before forwarding them to stripe-mock or after
// stripe-mock accepted them (Stripe holds the event, the client sees an error). A crash between
// Stripe's 200 and our write is played too. Then the ledger must equal, per organisation, unit and day,
// what stripe-mock accepted counted once per identifier (what Stripe, which dedupes by identifier,
// holds): nothing lost, nothing counted twice, every fault recovered.
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPostgresStore } from '../../src/infra/postgres/store.ts';
import { createRedisCacheBackend } from '../../src/infra/redis/cache.ts';
import { stripeClient } from '../../src/platform/billing.ts';
import { setupStripe } from '../../src/platform/stripe-setup.ts';
import { keyOf, MeterReporter, reconcile, sendReport, stripeSummaries, type RunStats, type StripeSide } from '../../src/platform/meter-report.ts';
import { Meter, UNITS, type Unit } from '../../src/platform/usage.ts';
import type { CacheBackend } from '../../src/ports/cache.ts';
import type { Store } from '../../src/ports/store.ts';
import { claimDue, listReports, planReports } from '../../src/store/meter-reports.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { createTestDatabase, runId } from '../support/isolation.ts';
import { FAULTS, seeded, startStripeFaultProxy, type Fault, type FaultProxy } from '../support/stripe-fault-proxy.ts';

const log = pino({ level: 'silent' });
const EVENTS: Record<Unit, string> = { api_call: 'clutch_api_calls', live_message: 'clutch_live_messages', live_minute: 'clutch_live_minutes', plugin_cpu_ms: 'clutch_plugin_cpu_ms', ingest_payload: 'clutch_ingest_payloads' };
const CUSTOMERS: Record<string, string> = { acme: 'cus_acme', globex: 'cus_globex', initech: 'cus_initech' };
/** Share of meter event requests that get a fault, spread evenly over the six kinds. */
const FAULT_SHARE = 0.4;
const TIMEOUT_MS = 400;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Stripe's side as the proxy saw it: each accepted identifier once, per organisation, unit and day. */
function acceptedSide(proxy: FaultProxy): StripeSide {
  const tenantOf = new Map(Object.entries(CUSTOMERS).map(([t, c]) => [c, t]));
  const unitOf = new Map(Object.entries(EVENTS).map(([u, e]) => [e, u]));
  return {
    name: 'stripe-mock-accepted',
    async totals() {
      const out = new Map<string, number>();
      for (const e of proxy.accepted.values()) {
        const k = keyOf(tenantOf.get(e.customer) ?? `?${e.customer}`, unitOf.get(e.eventName) ?? `?${e.eventName}`, dayOf(e.timestamp * 1000));
        out.set(k, (out.get(k) ?? 0) + e.value);
      }
      return out;
    },
  };
}

describe('usage to Stripe Billing Meters through injected faults (PostgreSQL, Redis, stripe-mock)', () => {
  let database: { url: string; drop: () => Promise<void> };
  let store: Store;
  let cache: CacheBackend;
  let proxy: FaultProxy;
  let fault: () => Fault;
  const meters: Meter[] = [];

  beforeAll(async () => {
    const e = inject('endpoints');
    database = await createTestDatabase(e.databaseUrl);
    store = createPostgresStore({ url: database.url, poolMax: 6 });
    await store.migrate();
    cache = createRedisCacheBackend({ url: e.redisUrl, keyPrefix: `clutch-t-${runId()}:` });
    for (const t of [...Object.keys(CUSTOMERS), 'umbrella']) await ensureTenant(store.db, t, t);
    for (const [t, c] of Object.entries(CUSTOMERS)) await store.db.updateTable('tenants').set({ stripe_customer_id: c }).where('id', '=', t).execute();
    const rnd = seeded(20_261_124);
    fault = () => {
      const x = rnd();
      return x < FAULT_SHARE ? FAULTS[Math.floor((x / FAULT_SHARE) * FAULTS.length)]! : 'none';
    };
    proxy = await startStripeFaultProxy(e.stripeUrl, () => fault());
  });
  afterAll(async () => {
    for (const m of meters) await m.close();
    await proxy?.close();
    await cache?.close();
    await store?.close();
    await database?.drop();
  });

  it('every ledger unit reaches Stripe exactly once, through 5xx, timeouts, resets and a crash, and the reconciliation proves it', async () => {
    const now = Date.now();
    const offsets = [0, 1, 2];
    // One meter per day (its clock), all on the same Redis counters: what instances counting on
    // different days leave in the shared counters. flushMs 0: the test flushes between rounds.
    for (const d of offsets) meters.push(new Meter({ counters: cache.counters, db: store.db, log, flushMs: 0, clock: () => now - d * 86_400_000 }));
    const client = stripeClient({ secretKey: 'sk_test_123', apiBase: proxy.url }, { maxNetworkRetries: 0, timeoutMs: TIMEOUT_MS });
    const reporter = new MeterReporter({ db: store.db, stripe: client, log, events: EVENTS, intervalMs: 0, timeoutMs: TIMEOUT_MS, batch: 40, concurrency: 4, retryBaseMs: 20, maxRetryMs: 200 });
    const totals: Omit<RunStats, 'more'> = { planned: 0, rows: 0, sent: 0, rejected: 0, unknown: 0, rateLimited: 0, unauthorized: 0, expired: 0, released: 0 };
    let runs = 0;
    const run = async () => {
      const s = await reporter.run();
      runs++;
      for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += s[k];
      return s;
    };

    // Rounds of usage, each flushed as one ledger batch, with a reporter run (under faults) every
    // other round: a report carries the rows of several batches and apps.
    const usage = seeded(7);
    for (let round = 0; round < 10; round++) {
      for (const tenant of [...Object.keys(CUSTOMERS), 'umbrella'])
        for (const unit of UNITS) for (const d of offsets) for (const app of ['app_a', 'app_b', undefined]) if (usage() < 0.3) meters[d]!.record(tenant, app, unit, 1 + Math.floor(usage() * 50));
      for (const m of meters) await m.push();
      expect(await meters[0]!.flush()).toBe(1);
      if (round % 2) await run();
    }

    // A crash between Stripe's 200 and our write: a report planned, claimed and accepted by Stripe,
    // and the process gone before recording it. Its claim runs out; the reporter sends it again.
    meters[0]!.record('acme', 'app_a', 'api_call', 13);
    await meters[0]!.push();
    await meters[0]!.flush();
    const planned = await planReports(store.db, { tenant: 'acme', events: EVENTS, fromDay: dayOf(now - 30 * 86_400_000), limit: 100, now });
    expect(planned.reports.length).toBeGreaterThan(0);
    const crashed = planned.reports[0]!;
    const claimed = await claimDue(store.db, { limit: 1000, leaseMs: 60_000 });
    const mine = claimed.find((c) => c.id === crashed.id)!;
    fault = () => 'none';
    await sendReport(client, mine);
    expect(proxy.accepted.get(crashed.id)?.times).toBe(1);
    // Every claim of the dead process runs out.
    await sql`update meter_reports set locked_until = now() - interval '1 second' where claim_token = ${mine.claimToken}`.execute(store.db);
    const rnd = seeded(99);
    fault = () => {
      const x = rnd();
      return x < FAULT_SHARE ? FAULTS[Math.floor((x / FAULT_SHARE) * FAULTS.length)]! : 'none';
    };

    // Until quiet: nothing pending, nothing unreported for organisations with a customer.
    const left = async () => {
      const r = await sql<{ pending: number; unreported: number }>`
        select (select count(*)::int from meter_reports where status = 'pending') as pending,
               (select count(*)::int from usage_ledger where meter_report_id is null and tenant_id <> 'umbrella') as unreported`.execute(store.db);
      return r.rows[0]!;
    };
    const deadline = Date.now() + 90_000;
    for (;;) {
      const l = await left();
      if (!l.pending && !l.unreported) break;
      expect(Date.now(), `still ${JSON.stringify(l)} after ${runs} runs`).toBeLessThan(deadline);
      await run();
      await sleep(25);
    }
    fault = () => 'none';
    expect(proxy.accepted.get(crashed.id)?.times).toBeGreaterThanOrEqual(2); // sent again, Stripe keeps one

    // One more run sends nothing.
    const requests = proxy.requests;
    expect(await run()).toMatchObject({ planned: 0, sent: 0, unknown: 0 });
    expect(proxy.requests).toBe(requests);

    // Every report sent, none failed or given up; every injected fault was met and recovered.
    const reports = await listReports(store.db, { limit: 100_000 });
    expect(reports.length).toBeGreaterThan(100);
    expect(reports.filter((r) => r.status !== 'sent')).toEqual([]);
    for (const f of FAULTS) expect(proxy.faults[f], f).toBeGreaterThan(0);
    expect(totals.unknown).toBeGreaterThan(0);
    expect(totals.rejected + totals.expired + totals.unauthorized).toBe(0);
    expect(totals.rows).toBeGreaterThan(totals.planned);
    expect(proxy.problems).toEqual([]);
    // Each report was accepted under its own identifier, with its own value: nothing Stripe holds is not ours.
    expect(new Set(proxy.accepted.keys())).toEqual(new Set(reports.map((r) => r.id)));
    for (const r of reports) expect(proxy.accepted.get(r.id)!.value).toBe(r.value);
    // The organisation without a Stripe customer was never reported.
    expect(reports.some((r) => r.tenant === 'umbrella')).toBe(false);

    // Reconciliation: the ledger against our sent reports, and against what stripe-mock accepted.
    const [from, to] = [dayOf(now - 2 * 86_400_000), dayOf(now)];
    const ours = await reconcile(store.db, { from, to, events: EVENTS });
    const theirs = await reconcile(store.db, { from, to, events: EVENTS, stripe: acceptedSide(proxy) });
    const ledger = await sql<{ total: number; rows: number }>`select coalesce(sum(quantity), 0)::bigint as total, count(*)::int as rows from usage_ledger where tenant_id <> 'umbrella'`.execute(store.db);
    for (const r of [ours, theirs]) {
      expect(r.mismatches).toEqual([]);
      expect(r).toMatchObject({ equal: true, checked: Object.keys(CUSTOMERS).length * UNITS.length * offsets.length, ledgerTotal: Number(ledger.rows[0]!.total) });
      expect(r.stripeTotal).toBe(r.ledgerTotal);
    }
    const resent = [...proxy.accepted.values()].filter((e) => e.times > 1).length;
    process.stdout.write(
      `${JSON.stringify({
        test: 'billing-meter fault injection',
        meterEventRequests: proxy.requests,
        reports: reports.length,
        ledgerRows: ledger.rows[0]!.rows,
        distinctIdentifiersAccepted: proxy.accepted.size,
        injected: Object.fromEntries(FAULTS.map((f) => [f, proxy.faults[f]])),
        injectedTotal: FAULTS.reduce((s, f) => s + proxy.faults[f], 0),
        retries: proxy.requests - reports.length,
        acceptedMoreThanOnce: resent,
        reporter: { runs, ...totals },
        reconciliation: { checked: theirs.checked, equal: theirs.equal, ledgerTotal: theirs.ledgerTotal, stripeTotal: theirs.stripeTotal, mismatches: theirs.mismatches.length },
      })}\n`,
    );
    await reporter.close();
  }, 180_000);

  it("asks Stripe's meter event summaries per customer, meter and day (stripe-mock: canned totals)", async () => {
    // stripe-mock checks the request against Stripe's OpenAPI spec and answers canned data: one meter
    // (event name test-meter-event-name) whose summary is 25. This proves the requests are well-formed.
    const side = stripeSummaries(stripeClient({ secretKey: 'sk_test_123', apiBase: inject('endpoints').stripeUrl }));
    const day = dayOf(Date.now());
    const got = await side.totals([
      { tenant: 'acme', customer: 'cus_acme', unit: 'api_call', eventName: 'test-meter-event-name', day },
      { tenant: 'acme', customer: 'cus_acme', unit: 'live_message', eventName: 'clutch_no_such_meter', day },
    ]);
    expect([...got]).toEqual([[keyOf('acme', 'api_call', day), 25]]);
  });

  it('billing setup makes a product and monthly price per paid plan and a meter per reported unit (stripe-mock)', async () => {
    // stripe-mock validates every request against Stripe's OpenAPI spec; its lists are canned, so the
    // objects are not found (another lookup key, another event name) and are created.
    const r = await setupStripe(stripeClient({ secretKey: 'sk_test_123', apiBase: inject('endpoints').stripeUrl }), EVENTS);
    expect(Object.keys(r.prices).sort()).toEqual(['enterprise', 'pro']);
    for (const p of Object.values(r.prices)) {
      expect(p.price).toMatch(/^price_/);
      expect(p.product).toMatch(/^prod_/);
    }
    expect(Object.keys(r.meters).sort()).toEqual([...UNITS].sort());
    // Stripe's meter ids start mtr_; stripe-mock's canned ones meter_.
    for (const m of Object.values(r.meters)) expect(m.meter).toMatch(/^(mtr|meter)_/);
    expect(r.env).toEqual([`STRIPE_PRICE_PRO=${r.prices.pro!.price}`, `STRIPE_PRICE_ENTERPRISE=${r.prices.enterprise!.price}`]);
  });
});
