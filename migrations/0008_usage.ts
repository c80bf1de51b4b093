// 0008: the usage ledger (docs/usage.md). Billable units counted per organisation, app, unit and UTC
// day, written in batches by the usage flusher; a batch is written once whatever retries happen (its
// id is part of the key). Sums over batches give the usage per app, day and unit.
// Frozen once shipped.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('usage_ledger')
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    // '-' when the unit is not tied to an app (plugin CPU, ingest, anonymous demo calls).
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('usage_ledger_pk', ['batch_id', 'tenant_id', 'app_id', 'unit', 'day'])
    .execute();
  await db.schema.createIndex('usage_ledger_tenant_day').on('usage_ledger').columns(['tenant_id', 'day']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('usage_ledger').execute();
}
