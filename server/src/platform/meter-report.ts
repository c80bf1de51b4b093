// Usage reported to Stripe Billing Meters, and the reconciliation that shows Stripe holds what the
// ledger counted (docs/billing.md).
//
//   usage_ledger ──plan (one transaction)──▶ meter_reports (pending) ──claim + lease, send──▶ Stripe meter event
//
// Planning sums an organisation's unreported ledger rows per unit and day into a report and links the
// rows to it: a row is carried by one report. The report's id, a hash of its rows, is the meter event's
// `identifier` and the request's Idempotency-Key, and its value and timestamp are fixed: every attempt
// sends the same request. Outcomes: 200 → sent; 4xx → failed (Stripe holds nothing; retrying the same
// request cannot help); 429 → again later; a timeout, a reset or a 5xx may have reached Stripe or not →
// sent again later with the same identifier, which Stripe counts once. A crash between Stripe's answer
// and our write is the same case: the claim runs out and the report is sent again. Stripe remembers
// identifiers and idempotency keys for 24 h, so a report whose outcome stayed unknown longer is not
// resent (failed): under-billing rather than double billing, and reconciliation shows it.
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type Stripe from 'stripe';
import type { Db } from '../store/db.ts';
import { claimDue, expireUncertain, planReports, recordOutcome, releaseClaim, tenantsToReport, totalsByDay, type ClaimedReport, type DayTotals, type MeterReport, type Outcome } from '../store/meter-reports.ts';

/** Stripe keeps meter event identifiers and idempotency keys at least 24 h: resends stop before. */
export const IDENTIFIER_WINDOW_MS = 23 * 3600_000;
/** Stripe takes events up to 35 days old; older ledger days are not reported (reconciliation shows them). */
export const MAX_AGE_DAYS = 30;
/** A run stops sending after this many unknown outcomes in a row (Stripe unreachable): the rest waits. */
const STOP_AFTER_UNKNOWN = 5;
/** Organisations looked at per planning pass. */
const TENANTS_PER_PASS = 100;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface MeterReporterOptions {
  db: Db;
  /** A client without retries of its own (stripeClient(s, { maxNetworkRetries: 0 })): the reporter retries, durably. */
  stripe: Stripe;
  log: Logger;
  /** Unit → Stripe meter event name; units not in it are not reported. */
  events: Readonly<Record<string, string>>;
  /** Between runs (0: no timer, run() by hand). */
  intervalMs: number;
  /** The Stripe client's timeout; a claim lasts this plus 30 s. */
  timeoutMs: number;
  /** Ledger rows planned, and reports sent, per run (default 500). */
  batch?: number;
  /** Requests in flight at once; never two for one customer and meter (Stripe allows one). Default 4. */
  concurrency?: number;
  /** First retry delay of a report, doubled per attempt (±20 % jitter) up to maxRetryMs (default 5 s, 10 min). */
  retryBaseMs?: number;
  maxRetryMs?: number;
  windowMs?: number;
  metrics?: Registry;
  clock?: () => number;
  random?: () => number;
}

export interface RunStats {
  /** Reports planned, and the ledger rows they carry. */
  planned: number;
  rows: number;
  /** Requests sent, by outcome. */
  sent: number;
  rejected: number;
  /** Outcome unknown (timeout, reset, 5xx, 409): sent again later. */
  unknown: number;
  /** 429: sent again later. */
  rateLimited: number;
  /** 401/403 (the API key): sent again later; the run stops sending. */
  unauthorized: number;
  /** Given up after the identifier window. */
  expired: number;
  /** Claimed but not sent this run (Stripe unreachable, or closing). */
  released: number;
  /** The run hit its bounds: more is waiting. */
  more: boolean;
}

const byRegistry = new WeakMap<Registry, Counter<'outcome'>>();
function attemptsCounter(registry: Registry | undefined): Counter<'outcome'> | undefined {
  if (!registry) return undefined;
  let c = byRegistry.get(registry);
  if (!c) {
    c = new Counter({ name: 'clutch_meter_report_attempts_total', help: 'Stripe meter event requests by outcome (sent, rejected, unknown, rate_limited, unauthorized), and reports given up (expired).', labelNames: ['outcome'], registers: [registry] });
    byRegistry.set(registry, c);
  }
  return c;
}

/** Reports claimed at a time per run (a claim lasts a request's timeout for each, plus 30 s). */
const CLAIM_CHUNK = 32;

/** The delay before attempt n + 1 after attempt n failed: base·2^(n−1), capped, ±20 % jitter. */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.round(Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1)) * (0.8 + 0.4 * random()));
}

/** One meter event request for a report: the same parameters, identifier and idempotency key at every attempt. */
export async function sendReport(stripe: Stripe, r: MeterReport): Promise<void> {
  await stripe.billing.meterEvents.create(
    { event_name: r.eventName, payload: { stripe_customer_id: r.customer, value: String(r.value) }, identifier: r.id, timestamp: Math.floor(r.eventAt.getTime() / 1000) },
    { idempotencyKey: r.id },
  );
}

/** What an error of sendReport means for the report. */
export function classify(err: unknown, delayMs: number): Exclude<Outcome, { kind: 'sent' }> & { halt?: boolean } {
  const e = err as { type?: string; name?: string; statusCode?: number; code?: string; message?: string };
  const error = `${e.type ?? e.name ?? 'Error'}${e.statusCode ? ` ${e.statusCode}` : ''}${e.code ? ` ${e.code}` : ''}: ${String(e.message ?? err).split('\n')[0]}`;
  const status = e.statusCode;
  if (status === 429) return { kind: 'retry', error, uncertain: false, delayMs };
  // Our key, not the report: nothing was taken; every report would get the same answer.
  if (status === 401 || status === 403) return { kind: 'retry', error, uncertain: false, delayMs, halt: true };
  // A 4xx answer: Stripe took nothing (409: the same key is in flight elsewhere, so unknown).
  if (status !== undefined && status >= 400 && status < 500 && status !== 409 && e.type !== 'StripeAPIError' && e.type !== 'StripeConnectionError') return { kind: 'rejected', error };
  // No answer, a 5xx, or an answer that is not Stripe's (a proxy's 503 page): it may have been taken.
  return { kind: 'retry', error, uncertain: true, delayMs };
}

export class MeterReporter {
  readonly #o: MeterReporterOptions;
  readonly #batch: number;
  readonly #concurrency: number;
  readonly #clock: () => number;
  readonly #random: () => number;
  readonly #attempts: Counter<'outcome'> | undefined;
  #running: Promise<RunStats> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closing = false;
  #failures = 0;
  /** Round robin over organisations: planning goes on after the last one planned. */
  #cursor: string | undefined;

  constructor(o: MeterReporterOptions) {
    this.#o = o;
    this.#batch = o.batch ?? 500;
    this.#concurrency = o.concurrency ?? 4;
    this.#clock = o.clock ?? Date.now;
    this.#random = o.random ?? Math.random;
    this.#attempts = attemptsCounter(o.metrics);
  }

  /** Runs every intervalMs in the background (timers unref'd: they never hold the process or a request). */
  start(): this {
    if (this.#o.intervalMs > 0) this.#schedule(this.#o.intervalMs);
    return this;
  }

  #schedule(ms: number): void {
    if (this.#closing) return;
    this.#timer = setTimeout(() => void this.#tick(), ms);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    const interval = this.#o.intervalMs;
    let next = interval;
    try {
      const s = await this.run();
      // Stripe unreachable: back off; more waiting: go on soon.
      if (s.released > 0) next = this.#backoff();
      else {
        this.#failures = 0;
        if (s.more) next = Math.min(1000, interval);
      }
    } catch (err) {
      next = this.#backoff();
      this.#o.log.warn({ error: err, failures: this.#failures, retryInMs: next }, 'meter report run failed; retried later');
    }
    this.#schedule(next);
  }

  #backoff(): number {
    this.#failures++;
    return retryDelay(this.#failures + 1, this.#o.intervalMs, Math.max(this.#o.intervalMs, 15 * 60_000), this.#random);
  }

  /** One run: plan what the ledger has unreported, give up on expired reports, send what is due. Runs never overlap. */
  run(): Promise<RunStats> {
    this.#running ??= this.#run().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #run(): Promise<RunStats> {
    const s: RunStats = { planned: 0, rows: 0, sent: 0, rejected: 0, unknown: 0, rateLimited: 0, unauthorized: 0, expired: 0, released: 0, more: false };
    await this.#plan(s);
    for (const r of await expireUncertain(this.#o.db, this.#o.windowMs ?? IDENTIFIER_WINDOW_MS)) {
      s.expired++;
      this.#attempts?.inc({ outcome: 'expired' });
      this.#o.log.error({ report: r.id, tenant: r.tenant, unit: r.unit, day: r.day, value: r.value }, 'meter report given up: its outcome stayed unknown past the identifier window (reconcile, check Stripe)');
    }
    if (!this.#closing) await this.#send(s);
    if (s.planned || s.sent || s.rejected || s.unknown || s.rateLimited || s.unauthorized) this.#o.log.debug({ ...s }, 'meter report run');
    return s;
  }

  async #plan(s: RunStats): Promise<void> {
    const units = Object.keys(this.#o.events);
    if (!units.length) return;
    const now = this.#clock();
    const fromDay = dayOf(now - MAX_AGE_DAYS * 86_400_000);
    let tenants = await tenantsToReport(this.#o.db, { units, fromDay, ...(this.#cursor === undefined ? {} : { after: this.#cursor }), limit: TENANTS_PER_PASS });
    const wrapped = tenants.length < TENANTS_PER_PASS && this.#cursor !== undefined;
    if (wrapped) tenants = [...tenants, ...(await tenantsToReport(this.#o.db, { units, fromDay, limit: TENANTS_PER_PASS - tenants.length })).filter((t) => !tenants.includes(t))];
    const full = tenants.length >= TENANTS_PER_PASS; // more organisations may follow
    let budget = this.#batch;
    for (const tenant of tenants) {
      if (budget <= 0 || this.#closing) {
        s.more = true;
        return;
      }
      const p = await planReports(this.#o.db, { tenant, events: this.#o.events, fromDay, limit: budget, now });
      s.planned += p.reports.length;
      s.rows += p.rows;
      budget -= p.rows;
      this.#cursor = tenant;
    }
    if (budget <= 0 || full) s.more = true;
    else this.#cursor = undefined; // a whole pass: start from the first organisation next time
  }

  async #send(s: RunStats): Promise<void> {
    const { db, log } = this.#o;
    let unknownInARow = 0;
    let halt = false;
    const stopped = () => this.#closing || halt || unknownInARow >= STOP_AFTER_UNKNOWN;
    // Claimed a chunk at a time, so a claim never outlives the time its requests may take.
    for (let budget = this.#batch; budget > 0 && !stopped(); ) {
      const chunk = Math.min(budget, CLAIM_CHUNK);
      const claimed = await claimDue(db, { limit: chunk, leaseMs: this.#o.timeoutMs * chunk + 30_000 });
      budget -= claimed.length;
      if (claimed.length < chunk) budget = 0; // nothing more is due
      else if (budget <= 0) s.more = true;
      // One lane per customer and meter: Stripe takes one call at a time for each.
      const lanes = new Map<string, ClaimedReport[]>();
      for (const r of claimed) {
        const k = `${r.customer}\u0000${r.eventName}`;
        const lane = lanes.get(k);
        if (lane) lane.push(r);
        else lanes.set(k, [r]);
      }
      const queue = [...lanes.values()];
      const worker = async () => {
        for (let lane = queue.shift(); lane; lane = queue.shift()) {
          for (const r of lane) {
            if (stopped()) {
              await releaseClaim(db, r);
              s.released++;
              continue;
            }
            const outcome = await this.#attempt(r);
            if (outcome.kind === 'sent') {
              s.sent++;
              unknownInARow = 0;
            } else if (outcome.kind === 'rejected') {
              s.rejected++;
              unknownInARow = 0;
              log.warn({ report: r.id, tenant: r.tenant, unit: r.unit, day: r.day, error: outcome.error }, 'Stripe refused a meter event; not retried (reconcile lists it; clutch billing requeue after fixing the cause)');
            } else if (outcome.halt) {
              s.unauthorized++;
              if (!halt) log.error({ error: outcome.error }, 'Stripe refused the API key (STRIPE_SECRET_KEY): meter reports wait');
              halt = true;
            } else if (outcome.uncertain) {
              s.unknown++;
              unknownInARow++;
            } else s.rateLimited++;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.#concurrency, queue.length) }, worker));
    }
    if (s.unknown) log.warn({ unknown: s.unknown, released: s.released }, 'Stripe meter events with unknown outcome; sent again later with the same identifiers');
  }

  /** Sends one claimed report and records the outcome. */
  async #attempt(r: ClaimedReport): Promise<Outcome & { halt?: boolean }> {
    let outcome: Outcome & { halt?: boolean };
    try {
      await sendReport(this.#o.stripe, r);
      outcome = { kind: 'sent' };
    } catch (err) {
      outcome = classify(err, retryDelay(r.attempts + 1, this.#o.retryBaseMs ?? 5000, this.#o.maxRetryMs ?? 10 * 60_000, this.#random));
    }
    this.#attempts?.inc({ outcome: outcome.kind !== 'retry' ? outcome.kind : outcome.halt ? 'unauthorized' : outcome.uncertain ? 'unknown' : 'rate_limited' });
    // A write that fails leaves the claim to run out: the report is sent again, with the same identifier.
    await recordOutcome(this.#o.db, r, outcome).catch((err: unknown) => this.#o.log.warn({ error: err, report: r.id }, 'meter report outcome not recorded; it is sent again when its claim runs out'));
    return outcome;
  }

  /** Stops the timer; a run in progress sends nothing more and ends (claims it holds run out). */
  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => {});
  }
}

// Reconciliation ---------------------------------------------------------------------------------

export interface ReconcileKey {
  tenant: string;
  customer: string;
  unit: string;
  eventName: string;
  day: string;
}

/** Where Stripe's totals come from: per organisation, unit and day (`keyOf`). */
export interface StripeSide {
  name: string;
  totals(keys: readonly ReconcileKey[]): Promise<Map<string, number>>;
}

export const keyOf = (tenant: string, unit: string, day: string) => `${tenant}\u0000${unit}\u0000${day}`;

export interface Mismatch extends DayTotals {
  stripe: number;
  reason: string;
}

export interface Reconciliation {
  from: string;
  to: string;
  /** reports: what Stripe answered 200 to (our sent reports); or the StripeSide's name. */
  source: string;
  checked: number;
  equal: boolean;
  ledgerTotal: number;
  stripeTotal: number;
  mismatches: Mismatch[];
}

/**
 * Compares, per organisation with a Stripe customer, unit and day in [from, to], the ledger's sum with
 * what Stripe accepted: our sent reports, or `stripe` (e.g. Stripe's meter event summaries). Every
 * ledger row must be carried by a report, and reports must carry exactly the rows linked to them.
 */
export async function reconcile(db: Db, o: { from: string; to: string; tenant?: string; events: Readonly<Record<string, string>>; stripe?: StripeSide }): Promise<Reconciliation> {
  const totals = await totalsByDay(db, { from: o.from, to: o.to, units: Object.keys(o.events), ...(o.tenant === undefined ? {} : { tenant: o.tenant }) });
  let outside: Map<string, number> | undefined;
  if (o.stripe) {
    const tenants = [...new Set(totals.map((t) => t.tenant))];
    const customers = new Map<string, string>();
    if (tenants.length) for (const t of await db.selectFrom('tenants').select(['id', 'stripe_customer_id']).where('id', 'in', tenants).execute()) if (t.stripe_customer_id) customers.set(t.id, t.stripe_customer_id);
    outside = await o.stripe.totals(totals.filter((t) => customers.has(t.tenant)).map((t) => ({ tenant: t.tenant, customer: customers.get(t.tenant)!, unit: t.unit, eventName: o.events[t.unit]!, day: t.day })));
  }
  const mismatches: Mismatch[] = [];
  let ledgerTotal = 0;
  let stripeTotal = 0;
  for (const t of totals) {
    const stripe = outside ? (outside.get(keyOf(t.tenant, t.unit, t.day)) ?? 0) : t.sent;
    ledgerTotal += t.ledger;
    stripeTotal += stripe;
    const reasons: string[] = [];
    if (t.ledger - t.unreported !== t.sent + t.pending + t.failed) reasons.push(`reports carry ${t.sent + t.pending + t.failed} but the ledger rows linked to them sum to ${t.ledger - t.unreported}`);
    if (t.ledger !== stripe) {
      const parts = [t.unreported && `${t.unreported} not reported yet`, t.pending && `${t.pending} pending`, t.failed && `${t.failed} failed`].filter(Boolean);
      reasons.push(`ledger ${t.ledger}, Stripe ${stripe}${parts.length ? ` (${parts.join(', ')})` : ''}`);
    }
    if (reasons.length) mismatches.push({ ...t, stripe, reason: reasons.join('; ') });
  }
  return { from: o.from, to: o.to, source: o.stripe?.name ?? 'reports', checked: totals.length, equal: mismatches.length === 0, ledgerTotal, stripeTotal, mismatches };
}

/**
 * Stripe's own totals: its meter event summaries per customer, meter and UTC day. Stripe aggregates
 * asynchronously, so events of the last minutes may be missing from them.
 */
export function stripeSummaries(stripe: Stripe): StripeSide {
  return {
    name: 'stripe-meter-summaries',
    async totals(keys) {
      const meters = new Map<string, string>();
      for await (const m of stripe.billing.meters.list({ status: 'active', limit: 100 })) meters.set(m.event_name, m.id);
      const out = new Map<string, number>();
      for (const k of keys) {
        const meter = meters.get(k.eventName);
        if (!meter) continue; // no such meter on Stripe: it holds nothing of it
        const start = Date.parse(`${k.day}T00:00:00Z`) / 1000;
        let sum = 0;
        for await (const s of stripe.billing.meters.listEventSummaries(meter, { customer: k.customer, start_time: start, end_time: start + 86_400 })) sum += s.aggregated_value;
        out.set(keyOf(k.tenant, k.unit, k.day), sum);
      }
      return out;
    },
  };
}
