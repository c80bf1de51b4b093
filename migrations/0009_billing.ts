// 0009: Stripe billing (docs/billing.md). An organisation's Stripe customer and subscription, its
// billing status and grace period, and the time of the last Stripe event applied (events arrive out
// of order: an older one never overwrites a newer state). Stripe events already applied, by id, so a
// redelivered event changes nothing.
// Frozen once shipped.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('tenants')
    .addColumn('stripe_customer_id', 'text', (c) => c.unique())
    .addColumn('stripe_subscription_id', 'text')
    .addColumn('billing_status', 'text', (c) => c.notNull().defaultTo('none').check(sql`billing_status in ('none', 'active', 'past_due', 'canceled')`))
    .addColumn('grace_until', 'timestamptz')
    .addColumn('billing_synced_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('stripe_events').execute();
  for (const c of ['billing_synced_at', 'grace_until', 'billing_status', 'stripe_subscription_id', 'stripe_customer_id']) await db.schema.alterTable('tenants').dropColumn(c).execute();
}
