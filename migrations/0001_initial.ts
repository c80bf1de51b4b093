// 0001 — tenants, live match summaries, and the first time-series table.
// Frozen in time: later changes go in new migrations, never here.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('matches')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull().check(sql`title in ('lol', 'cs2', 'valorant', 'dota2')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('scheduled', 'live', 'finished', 'cancelled')`))
    .addColumn('teams', 'jsonb', (c) => c.notNull())
    .addColumn('map', 'text')
    .addColumn('winner', 'text')
    // Seq of the last canonical event applied: the idempotency guard of processing.
    .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('matches_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema.createIndex('matches_tenant_status_updated').on('matches').columns(['tenant_id', 'status', 'updated_at desc']).execute();

  // Time-series metrics: a TimescaleDB hypertable when the extension is available, otherwise a
  // natively range-partitioned table. Queries (date_bin, ranges on time) are the same on both.
  const available = await sql<{ n: number }>`select count(*)::int as n from pg_available_extensions where name = 'timescaledb'`.execute(db);
  const timescale = (available.rows[0]?.n ?? 0) > 0;
  if (timescale) await sql`create extension if not exists timescaledb`.execute(db);
  await sql`
    create table metric_points (
      time timestamptz not null,
      tenant_id text not null,
      match_id text not null,
      subject text not null,
      metric text not null,
      value double precision not null
    ) ${timescale ? sql`` : sql`partition by range (time)`}`.execute(db);
  if (timescale) {
    await sql`select create_hypertable('metric_points', by_range('time', interval '1 day'))`.execute(db);
  } else {
    await sql`create table metric_points_default partition of metric_points default`.execute(db);
  }
  await db.schema.createIndex('metric_points_match_time').on('metric_points').columns(['tenant_id', 'match_id', 'time']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('metric_points').execute();
  await db.schema.dropTable('matches').execute();
  await db.schema.dropTable('tenants').execute();
}
