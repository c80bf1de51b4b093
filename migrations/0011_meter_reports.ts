// 0011: usage reported to Stripe Billing Meters (docs/billing.md). A meter report is one meter event:
// the sum of an organisation's ledger rows of one unit and day that no report carried before. Its id is
// the event's `identifier` and the request's Idempotency-Key, and its value and timestamp are fixed when
// it is planned, so every attempt sends the same request and Stripe keeps it once. Each ledger row
// names the report that carries it: a row is reported once, whatever retries and crashes happen.
// Frozen once shipped.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('meter_reports')
    // The meter event identifier (Stripe dedupes by it), unique across organisations.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    // What is sent, fixed at planning: the same bytes at every attempt.
    .addColumn('event_name', 'text', (c) => c.notNull())
    .addColumn('stripe_customer_id', 'text', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addColumn('event_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending').check(sql`status in ('pending', 'sent', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A reporter's claim: the row is its own until locked_until (the request's timeout plus a margin).
    .addColumn('locked_until', 'timestamptz')
    .addColumn('claim_token', 'text')
    // The first attempt whose outcome is unknown (timeout, reset, 5xx): Stripe may hold the event, and
    // a resend is safe only while Stripe still remembers the identifier and the idempotency key.
    .addColumn('uncertain_since', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();
  await sql`create index meter_reports_due on meter_reports (next_attempt_at) where status = 'pending'`.execute(db);
  await db.schema.createIndex('meter_reports_tenant_day').on('meter_reports').columns(['tenant_id', 'day', 'unit']).execute();

  // The report that carries a ledger row; null = not reported yet.
  await db.schema.alterTable('usage_ledger').addColumn('meter_report_id', 'text').execute();
  // What is left to report, per organisation (rows of organisations without a Stripe customer stay in it).
  await sql`create index usage_ledger_unreported on usage_ledger (tenant_id, day) where meter_report_id is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists usage_ledger_unreported`.execute(db);
  await db.schema.alterTable('usage_ledger').dropColumn('meter_report_id').execute();
  await db.schema.dropTable('meter_reports').execute();
}
