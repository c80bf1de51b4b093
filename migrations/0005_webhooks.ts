// 0005: webhooks for developers (docs/webhooks.md). Subscriptions per tenant; deliveries are an
// outbox written by the webhook router (its own consumer group on clutch.events.v1 and
// clutch.stats.v1), unique per (subscription, source event) so a replayed record adds nothing; every
// attempt of a delivery is logged. The signing secret is kept as-is (the server must compute HMACs
// with it); it is never returned after creation or rotation, and never logged.
// Frozen once shipped.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('events', 'jsonb', (c) => c.notNull())
    .addColumn('thresholds', 'jsonb', (c) => c.notNull())
    .addColumn('filters', 'jsonb', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('secret', 'text', (c) => c.notNull())
    // After a rotation the previous secret also signs until it expires (several v1= in the header).
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('webhook_subscriptions_pk', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    // UUIDv7: the Clutch-Delivery-Id (idempotency key), sortable by creation (newest first in the log).
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    // What produced it, unique per subscription: a replayed Kafka record inserts nothing.
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    // Deliveries of one match to one subscription are attempted in seq order.
    .addColumn('match_id', 'text')
    .addColumn('seq', 'bigint', (c) => c.notNull().defaultTo(0))
    // The JSON body, fixed at creation: every attempt sends the same bytes.
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'succeeded', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'timestamptz')
    // A dispatcher's claim: the row is its own until locked_until (an attempt's timeout plus a margin).
    .addColumn('locked_until', 'timestamptz')
    .addColumn('claim_token', 'text')
    // A manual redelivery was asked for: its next attempt is logged as manual.
    .addColumn('manual_pending', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('delivered_at', 'timestamptz')
    .addPrimaryKeyConstraint('webhook_deliveries_pk', ['tenant_id', 'id'])
    .addUniqueConstraint('webhook_deliveries_dedupe', ['tenant_id', 'subscription_id', 'dedupe_key'])
    .addForeignKeyConstraint('webhook_deliveries_subscription_fk', ['tenant_id', 'subscription_id'], 'webhook_subscriptions', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  // The delivery log of a subscription, newest first.
  await db.schema.createIndex('webhook_deliveries_log').on('webhook_deliveries').columns(['tenant_id', 'subscription_id', 'id desc']).execute();
  // What is due (dispatchers' claim), and the earlier pending deliveries of a match (ordering, queue size).
  await sql`create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending'`.execute(db);
  await sql`create index webhook_deliveries_pending on webhook_deliveries (tenant_id, subscription_id, match_id, seq) where status = 'pending'`.execute(db);
  await sql`create index webhook_deliveries_finished on webhook_deliveries (created_at) where status <> 'pending'`.execute(db);

  await db.schema
    .createTable('webhook_delivery_attempts')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    // At most a short excerpt of the receiver's answer.
    .addColumn('response_excerpt', 'text')
    .addColumn('manual', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('webhook_delivery_attempts_pk', ['tenant_id', 'delivery_id', 'n'])
    .addForeignKeyConstraint('webhook_delivery_attempts_delivery_fk', ['tenant_id', 'delivery_id'], 'webhook_deliveries', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_delivery_attempts').execute();
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhook_subscriptions').execute();
}
