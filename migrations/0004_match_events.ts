// 0004: indexes for the REST filters (matches by start, a player's matches), and the archive of
// canonical events per match, for backfill (GET /v1/matches/{id}/events) and
// for the state of a match at any time or seq (GET /v1/matches/{id}/state). Written by the archiver
// (its own consumer group on clutch.events.v1), idempotent by (tenant, match, seq). The envelope is
// kept as the JSON text it travelled as: served as is, never re-serialised.
// Frozen once shipped.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('match_events')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('match_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('envelope', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('match_events_pk', ['tenant_id', 'match_id', 'seq'])
    .execute();
  // State at a time: the last seq that occurred at or before it.
  await db.schema.createIndex('match_events_time').on('match_events').columns(['tenant_id', 'match_id', 'occurred_at']).execute();
  // GET /v1/matches: newest first with keyset pagination; ?player= goes through the rosters.
  await db.schema.createIndex('matches_tenant_started').on('matches').columns(['tenant_id', 'started_at desc', 'id desc']).execute();
  await db.schema.createIndex('match_rosters_player').on('match_rosters').columns(['tenant_id', 'player_id']).execute();
  await sql`comment on table match_events is 'Canonical events per match (JSON text of the envelope), idempotent by (tenant_id, match_id, seq).'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('match_rosters_player').execute();
  await db.schema.dropIndex('matches_tenant_started').execute();
  await db.schema.dropTable('match_events').execute();
}
