// `clutch billing`: usage reported to Stripe Billing Meters (docs/billing.md).
//   report      one reporter pass now: plan what the ledger has unreported, send what is due
//   reconcile   ledger vs what Stripe accepted, per organisation, unit and day; JSON on stdout
//   requeue     failed reports Stripe refused outright become pending again (after fixing the cause)
//   setup       the Stripe products, prices and meters billing needs (found again, never duplicated)
import { pino } from 'pino';
import type { Config } from '../config.ts';
import { billingSettings, stripeClient } from '../platform/billing.ts';
import { MeterReporter, reconcile, stripeSummaries, type RunStats } from '../platform/meter-report.ts';
import type { Store } from '../ports/store.ts';
import { requeueFailed } from '../store/meter-reports.ts';
import { setupStripe } from '../platform/stripe-setup.ts';

const USAGE = `usage:
  clutch billing setup
    makes (once) a product and a monthly price per paid plan (lookup key clutch_<plan>_monthly) and
    a Billing Meter per unit of CLUTCH_METER_EVENTS; prints their ids and the STRIPE_PRICE_* to set.
  clutch billing report
    plans and sends the meter events due now (the server does this every CLUTCH_METER_REPORT_MS);
    prints what was sent and what waits.
  clutch billing reconcile [--day YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD] [--tenant <id>] [--stripe]
    compares, per organisation with a Stripe customer, unit and UTC day (default: yesterday), the
    usage ledger with what Stripe accepted: our sent meter events, or with --stripe Stripe's own meter
    event summaries. Prints { checked, equal, mismatches, ledgerTotal, stripeTotal }; exits 3 when
    they differ.
  clutch billing requeue [--day YYYY-MM-DD | --from … --to …] [--tenant <id>]
    failed reports that Stripe refused (e.g. no meter with that event name yet) are sent again at the
    next run. Reports whose outcome was ever unknown stay failed: Stripe may hold them already.`;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Passes of `billing report` at most (each bounded by the reporter's batch). */
const MAX_PASSES = 100;

export interface BillingArgs {
  action: string | undefined;
  day?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  tenant?: string | undefined;
  stripe?: boolean | undefined;
}

export async function billingCommand(store: Store, config: Config, a: BillingArgs, out: (line: string) => void, now = Date.now()): Promise<number> {
  const settings = billingSettings(config.stripe);
  const events = config.meterReports.events;
  const range = (fallback: string | undefined): { from: string | undefined; to: string | undefined } | undefined => {
    const from = a.day ?? a.from ?? fallback;
    const to = a.day ?? a.to ?? from;
    const ok = (d: string | undefined) => d === undefined || (DAY.test(d) && !Number.isNaN(Date.parse(d)));
    return ok(from) && ok(to) && !(a.day && (a.from || a.to)) && !(from && to && to < from) ? { from, to } : undefined;
  };
  if (a.action === 'requeue') {
    const r = range(undefined);
    if (!r) {
      out(USAGE);
      return 2;
    }
    const n = await requeueFailed(store.db, { ...(a.tenant ? { tenant: a.tenant } : {}), ...(r.from ? { from: r.from } : {}), ...(r.to ? { to: r.to } : {}) });
    out(JSON.stringify({ requeued: n }));
    return 0;
  }
  if (a.action === 'reconcile') {
    const r = range(new Date(now - 86_400_000).toISOString().slice(0, 10));
    if (!r?.from || !r.to) {
      out(USAGE);
      return 2;
    }
    const { from, to } = r;
    if (a.stripe && !settings) {
      out('--stripe needs STRIPE_SECRET_KEY');
      return 2;
    }
    const rec = await reconcile(store.db, { from, to, events, ...(a.tenant ? { tenant: a.tenant } : {}), ...(a.stripe && settings ? { stripe: stripeSummaries(stripeClient(settings)) } : {}) });
    out(JSON.stringify(rec, null, 2));
    return rec.equal ? 0 : 3;
  }
  if (a.action === 'setup') {
    if (!settings) {
      out('billing is off: set STRIPE_SECRET_KEY');
      return 2;
    }
    out(JSON.stringify(await setupStripe(stripeClient(settings), events), null, 2));
    return 0;
  }
  if (a.action === 'report') {
    if (!settings) {
      out('billing is off: set STRIPE_SECRET_KEY');
      return 2;
    }
    const timeoutMs = 10_000;
    const reporter = new MeterReporter({ db: store.db, stripe: stripeClient(settings, { maxNetworkRetries: 0, timeoutMs }), log: pino({ level: 'warn' }, process.stderr), events, intervalMs: 0, timeoutMs });
    const total: Omit<RunStats, 'more'> = { planned: 0, rows: 0, sent: 0, rejected: 0, unknown: 0, rateLimited: 0, unauthorized: 0, expired: 0, released: 0 };
    let more = true;
    for (let pass = 0; pass < MAX_PASSES && more; pass++) {
      const s = await reporter.run();
      for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += s[k];
      // Stop when nothing is left now, or when Stripe does not answer (the rest waits for its retry time).
      more = s.more && s.released === 0;
    }
    await reporter.close();
    out(JSON.stringify({ ...total, more }, null, 2));
    return 0;
  }
  out(USAGE);
  return 2;
}
