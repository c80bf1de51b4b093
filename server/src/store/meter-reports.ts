// Meter reports (migration 0011, docs/billing.md): the usage ledger's rows turned into Stripe meter
// events, once each. Planning links ledger rows to a new report in one transaction; sending claims due
// reports with a lease (`for update skip locked`, like webhook deliveries) so several instances share
// the work; every query names its organisation or selects organisations first.
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './db.ts';

export type ReportStatus = 'pending' | 'sent' | 'failed';

export interface MeterReport {
  id: string;
  tenant: string;
  unit: string;
  /** YYYY-MM-DD (UTC), the ledger day. */
  day: string;
  eventName: string;
  customer: string;
  value: number;
  eventAt: Date;
  attempts: number;
  uncertainSince: Date | null;
}

export interface ClaimedReport extends MeterReport {
  claimToken: string;
}

/**
 * The meter event identifier of a report: a hash of the organisation, unit, day and the ledger rows it
 * carries (batch and app of each). The same rows give the same identifier; other rows, another one.
 * Readable prefix for the Stripe dashboard; 65 characters at most (Stripe allows 100).
 */
export function reportId(tenant: string, unit: string, day: string, rows: ReadonlyArray<{ batchId: string; appId: string }>): string {
  const h = createHash('sha256');
  h.update([tenant, unit, day].join('\u0000'));
  for (const k of rows.map((r) => `${r.batchId}\u0000${r.appId}`).sort()) h.update(`\u0001${k}`);
  return `clutch-${day}-${unit}-${h.digest('hex').slice(0, 32)}`;
}

/** The event's time: the moment of planning for today's usage, the day's last second for an earlier day. */
export function eventTime(day: string, now: number): Date {
  return new Date(Math.min(Date.parse(`${day}T23:59:59Z`), Math.floor(now / 1000) * 1000));
}

/** Organisations with a Stripe customer and ledger rows of `units` since `fromDay` left to report, by id after `after`. */
export async function tenantsToReport(db: Db, o: { units: readonly string[]; fromDay: string; after?: string; limit: number }): Promise<string[]> {
  if (!o.units.length) return [];
  const r = await sql<{ id: string }>`
    select t.id from tenants t
    where t.stripe_customer_id is not null ${o.after === undefined ? sql`` : sql`and t.id > ${o.after}`}
      and exists (select 1 from usage_ledger l where l.tenant_id = t.id and l.meter_report_id is null and l.day >= ${o.fromDay}::date
                  and l.unit in (${sql.join(o.units.map((u) => sql`${u}`))}))
    order by t.id limit ${o.limit}`.execute(db);
  return r.rows.map((x) => x.id);
}

/**
 * Plans the reports of one organisation: takes up to `limit` of its unreported ledger rows (locked,
 * skipping rows another planner holds), and per unit and day writes a pending report with their sum
 * and links the rows to it, in one transaction. A ledger row is carried by one report only.
 */
export async function planReports(db: Db, o: { tenant: string; events: Readonly<Record<string, string>>; fromDay: string; limit: number; now: number }): Promise<{ reports: MeterReport[]; rows: number }> {
  const units = Object.keys(o.events);
  if (!units.length || o.limit <= 0) return { reports: [], rows: 0 };
  const run = async (trx: Db): Promise<{ reports: MeterReport[]; rows: number }> => {
    const t = await trx.selectFrom('tenants').select(['stripe_customer_id']).where('id', '=', o.tenant).executeTakeFirst();
    const customer = t?.stripe_customer_id;
    if (!customer) return { reports: [], rows: 0 };
    const rows = await sql<{ batch_id: string; app_id: string; unit: string; day: string; quantity: number }>`
      select batch_id, app_id, unit, to_char(day, 'YYYY-MM-DD') as day, quantity from usage_ledger
      where tenant_id = ${o.tenant} and meter_report_id is null and day >= ${o.fromDay}::date
        and unit in (${sql.join(units.map((u) => sql`${u}`))})
      order by day, unit, batch_id, app_id
      limit ${o.limit}
      for update skip locked`.execute(trx);
    const groups = new Map<string, typeof rows.rows>();
    for (const r of rows.rows) {
      const k = `${r.unit}\u0000${r.day}`;
      const g = groups.get(k);
      if (g) g.push(r);
      else groups.set(k, [r]);
    }
    const out: MeterReport[] = [];
    for (const g of groups.values()) {
      const { unit, day } = g[0]!;
      const id = reportId(o.tenant, unit, day, g.map((r) => ({ batchId: r.batch_id, appId: r.app_id })));
      const value = g.reduce((s, r) => s + Number(r.quantity), 0);
      const report: MeterReport = { id, tenant: o.tenant, unit, day, eventName: o.events[unit]!, customer, value, eventAt: eventTime(day, o.now), attempts: 0, uncertainSince: null };
      await trx
        .insertInto('meter_reports')
        .values({ id, tenant_id: o.tenant, unit, day: sql<Date>`${day}::date`, event_name: report.eventName, stripe_customer_id: customer, value, event_at: report.eventAt })
        .execute();
      const linked = await sql<{ quantity: number }>`
        update usage_ledger l set meter_report_id = ${id}
        from json_to_recordset(${JSON.stringify(g.map((r) => ({ batch_id: r.batch_id, app_id: r.app_id })))}::json) as r(batch_id text, app_id text)
        where l.tenant_id = ${o.tenant} and l.unit = ${unit} and l.day = ${day}::date
          and l.batch_id = r.batch_id and l.app_id = r.app_id and l.meter_report_id is null
        returning l.quantity`.execute(trx);
      // The rows are locked by this transaction: anything else is a bug, and nothing is committed.
      if (linked.rows.length !== g.length) throw new Error(`meter report ${id}: linked ${linked.rows.length} ledger rows of ${g.length}`);
      out.push(report);
    }
    return { reports: out, rows: rows.rows.length };
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

const fromRow = (r: { id: string; tenant_id: string; unit: string; day: string; event_name: string; stripe_customer_id: string; value: number; event_at: Date; attempts: number; uncertain_since: Date | null }): MeterReport => ({
  id: r.id,
  tenant: r.tenant_id,
  unit: r.unit,
  day: r.day,
  eventName: r.event_name,
  customer: r.stripe_customer_id,
  value: Number(r.value),
  eventAt: new Date(r.event_at),
  attempts: r.attempts,
  uncertainSince: r.uncertain_since ? new Date(r.uncertain_since) : null,
});

/**
 * Gives up on pending reports whose outcome has been unknown longer than `windowMs`: Stripe may hold
 * them, and past the window it may no longer recognise the identifier, so a resend could count twice.
 * Under-billing is the safe side; reconciliation lists them.
 */
export async function expireUncertain(db: Db, windowMs: number): Promise<MeterReport[]> {
  const r = await sql<Parameters<typeof fromRow>[0]>`
    update meter_reports set status = 'failed', locked_until = null, claim_token = null,
      last_error = 'not resent: its outcome was unknown for longer than Stripe keeps the identifier; check the event in Stripe (' || coalesce(last_error, '') || ')'
    where status = 'pending' and uncertain_since < now() - ${windowMs} * interval '1 millisecond'
      and (locked_until is null or locked_until < now())
    returning id, tenant_id, unit, to_char(day, 'YYYY-MM-DD') as day, event_name, stripe_customer_id, value, event_at, attempts, uncertain_since`.execute(db);
  return r.rows.map(fromRow);
}

/** Claims up to `limit` due reports for `leaseMs` (another reporter takes them after that). */
export async function claimDue(db: Db, o: { limit: number; leaseMs: number }): Promise<ClaimedReport[]> {
  if (o.limit <= 0) return [];
  const token = randomUUID();
  const r = await sql<Parameters<typeof fromRow>[0]>`
    with due as (
      select id from meter_reports
      where status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
      order by next_attempt_at, id
      limit ${o.limit}
      for update skip locked)
    update meter_reports m set locked_until = now() + ${o.leaseMs} * interval '1 millisecond', claim_token = ${token}
    from due where m.id = due.id
    returning m.id, m.tenant_id, m.unit, to_char(m.day, 'YYYY-MM-DD') as day, m.event_name, m.stripe_customer_id, m.value, m.event_at, m.attempts, m.uncertain_since`.execute(db);
  return r.rows.map((x) => ({ ...fromRow(x), claimToken: token }));
}

/** Gives a claimed report back unsent (due again at once). */
export async function releaseClaim(db: Db, r: Pick<ClaimedReport, 'id' | 'tenant' | 'claimToken'>): Promise<void> {
  await db.updateTable('meter_reports').set({ locked_until: null, claim_token: null }).where('id', '=', r.id).where('tenant_id', '=', r.tenant).where('claim_token', '=', r.claimToken).execute();
}

export type Outcome =
  /** Stripe answered 200: it holds the event. */
  | { kind: 'sent' }
  /** Stripe refused it (4xx): it holds nothing; retrying the same request cannot help. */
  | { kind: 'rejected'; error: string }
  /** Not taken (429), or unknown (timeout, reset, 5xx: Stripe may hold it): sent again after `delayMs`. */
  | { kind: 'retry'; error: string; uncertain: boolean; delayMs: number };

/** Records an attempt. Sent is recorded whoever holds the claim (it is true whatever happened since); a failure only under the claim that made it. */
export async function recordOutcome(db: Db, r: Pick<ClaimedReport, 'id' | 'tenant' | 'claimToken'>, o: Outcome): Promise<boolean> {
  const base = db.updateTable('meter_reports').where('id', '=', r.id).where('tenant_id', '=', r.tenant);
  const done = { attempts: sql<number>`attempts + 1`, locked_until: null, claim_token: null };
  let q;
  if (o.kind === 'sent') q = base.set({ ...done, status: 'sent', sent_at: sql<Date>`now()`, last_error: null });
  else if (o.kind === 'rejected') q = base.set({ ...done, status: 'failed', last_error: o.error.slice(0, 500) }).where('claim_token', '=', r.claimToken).where('status', '=', 'pending');
  else
    q = base
      .set({
        ...done,
        last_error: o.error.slice(0, 500),
        next_attempt_at: sql<Date>`now() + ${Math.max(0, Math.round(o.delayMs))} * interval '1 millisecond'`,
        ...(o.uncertain ? { uncertain_since: sql<Date>`coalesce(uncertain_since, now())` } : {}),
      })
      .where('claim_token', '=', r.claimToken)
      .where('status', '=', 'pending');
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * Makes failed reports pending again once their cause is fixed (e.g. the meter now exists). Only reports
 * Stripe refused outright: one whose outcome was ever unknown may be held by Stripe already, and past the
 * identifier window a resend could count twice; those stay failed (check them in Stripe).
 */
export async function requeueFailed(db: Db, o: { tenant?: string; from?: string; to?: string }): Promise<number> {
  let q = db.updateTable('meter_reports').set({ status: 'pending', next_attempt_at: sql<Date>`now()` }).where('status', '=', 'failed').where('uncertain_since', 'is', null);
  if (o.tenant !== undefined) q = q.where('tenant_id', '=', o.tenant);
  if (o.from !== undefined) q = q.where('day', '>=', sql<Date>`${o.from}::date`);
  if (o.to !== undefined) q = q.where('day', '<=', sql<Date>`${o.to}::date`);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export interface DayTotals {
  tenant: string;
  unit: string;
  day: string;
  ledger: number;
  /** Ledger rows no report carries yet. */
  unreported: number;
  sent: number;
  pending: number;
  failed: number;
}

/**
 * Per organisation (with a Stripe customer), unit and day within [from, to]: the ledger's sum, what
 * no report carries yet, and the reports' sums by status.
 */
export async function totalsByDay(db: Db, o: { from: string; to: string; units: readonly string[]; tenant?: string }): Promise<DayTotals[]> {
  if (!o.units.length) return [];
  const units = sql.join(o.units.map((u) => sql`${u}`));
  const tenant = o.tenant === undefined ? sql`` : sql`and tenant_id = ${o.tenant}`;
  const customers = sql`tenant_id in (select id from tenants where stripe_customer_id is not null)`;
  const ledger = await sql<{ tenant_id: string; unit: string; day: string; total: number; unreported: number }>`
    select tenant_id, unit, to_char(day, 'YYYY-MM-DD') as day, sum(quantity)::bigint as total,
      coalesce(sum(quantity) filter (where meter_report_id is null), 0)::bigint as unreported
    from usage_ledger
    where day >= ${o.from}::date and day <= ${o.to}::date and unit in (${units}) and ${customers} ${tenant}
    group by tenant_id, unit, day`.execute(db);
  const reports = await sql<{ tenant_id: string; unit: string; day: string; status: ReportStatus; total: number }>`
    select tenant_id, unit, to_char(day, 'YYYY-MM-DD') as day, status, sum(value)::bigint as total
    from meter_reports
    where day >= ${o.from}::date and day <= ${o.to}::date and unit in (${units}) ${tenant}
    group by tenant_id, unit, day, status`.execute(db);
  const out = new Map<string, DayTotals>();
  const at = (tenant: string, unit: string, day: string) => {
    const k = `${tenant}\u0000${unit}\u0000${day}`;
    let t = out.get(k);
    if (!t) out.set(k, (t = { tenant, unit, day, ledger: 0, unreported: 0, sent: 0, pending: 0, failed: 0 }));
    return t;
  };
  for (const r of ledger.rows) Object.assign(at(r.tenant_id, r.unit, r.day), { ledger: Number(r.total), unreported: Number(r.unreported) });
  for (const r of reports.rows) at(r.tenant_id, r.unit, r.day)[r.status] += Number(r.total);
  return [...out.values()].sort((a, b) => a.day.localeCompare(b.day) || a.tenant.localeCompare(b.tenant) || a.unit.localeCompare(b.unit));
}

/** Reports of a state, for the CLI and tests (bounded). */
export async function listReports(db: Db, o: { status?: ReportStatus; tenant?: string; limit?: number } = {}): Promise<Array<MeterReport & { status: ReportStatus; lastError: string | null }>> {
  let q = db
    .selectFrom('meter_reports')
    .select(['id', 'tenant_id', 'unit', sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'event_name', 'stripe_customer_id', 'value', 'event_at', 'attempts', 'uncertain_since', 'status', 'last_error'])
    .orderBy('created_at')
    .orderBy('id')
    .limit(o.limit ?? 1000);
  if (o.status) q = q.where('status', '=', o.status);
  if (o.tenant) q = q.where('tenant_id', '=', o.tenant);
  const rows = await q.execute();
  return rows.map((r) => ({ ...fromRow(r), status: r.status as ReportStatus, lastError: r.last_error }));
}
