// 0003: what the processor writes. It adds the entities (tournaments, series, teams, players,
// rosters), the match stats with the processor's state snapshot, and the time series of per-window
// stats.
//
// With TimescaleDB, stat_windows is a hypertable, compressed after 30 days and dropped after 400,
// and player_daily is a continuous aggregate (real time) of per-game rows. Without TimescaleDB,
// stat_windows is natively partitioned by range on time, and player_daily is a rollup table the
// repository refreshes for the days a write touched. Queries are the same on both.
// Frozen once shipped.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table matches add column tournament_id text, add column series_id text`.execute(db);
  await db.schema.createIndex('matches_tenant_tournament').on('matches').columns(['tenant_id', 'tournament_id']).execute();

  await db.schema
    .createTable('tournaments')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('tournaments_pk', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('series')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('tournament_id', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('best_of', 'integer')
    .addColumn('teams', 'jsonb', (c) => c.notNull())
    .addColumn('score', 'jsonb')
    .addColumn('winner', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('series_pk', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('teams')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('teams_pk', ['tenant_id', 'id'])
    .execute();

  await db.schema
    .createTable('players')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('players_pk', ['tenant_id', 'id'])
    .execute();

  // Who played a match, for which team, with which character and role.
  await db.schema
    .createTable('match_rosters')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('match_id', 'text', (c) => c.notNull())
    .addColumn('player_id', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text')
    .addColumn('character', 'text')
    .addColumn('role', 'text')
    .addPrimaryKeyConstraint('match_rosters_pk', ['tenant_id', 'match_id', 'player_id'])
    .addForeignKeyConstraint('match_rosters_match_fk', ['tenant_id', 'match_id'], 'matches', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('match_rosters_team').on('match_rosters').columns(['tenant_id', 'team_id']).execute();

  // The processor's state snapshot per match (recovery: snapshot + replay from the committed offset)
  // and the stats view users read; both at last_seq, written in the same transaction as the rest.
  await db.schema
    .createTable('match_stats')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('match_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('state', 'jsonb', (c) => c.notNull())
    .addColumn('view', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('match_stats_pk', ['tenant_id', 'match_id'])
    .addForeignKeyConstraint('match_stats_match_fk', ['tenant_id', 'match_id'], 'matches', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  // Per player per match: the headline numbers as columns (leaderboards, history), the rest as JSON.
  await db.schema
    .createTable('match_player_stats')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('match_id', 'text', (c) => c.notNull())
    .addColumn('player_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text')
    .addColumn('tournament_id', 'text')
    .addColumn('finished', 'boolean', (c) => c.notNull())
    .addColumn('kills', 'integer', (c) => c.notNull())
    .addColumn('deaths', 'integer', (c) => c.notNull())
    .addColumn('assists', 'integer', (c) => c.notNull())
    .addColumn('stats', 'jsonb', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('played_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('match_player_stats_pk', ['tenant_id', 'match_id', 'player_id'])
    .addForeignKeyConstraint('match_player_stats_match_fk', ['tenant_id', 'match_id'], 'matches', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('match_player_stats_player').on('match_player_stats').columns(['tenant_id', 'player_id', 'played_at desc']).execute();

  await db.schema
    .createTable('match_team_stats')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('match_id', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('kills', 'integer', (c) => c.notNull())
    .addColumn('stats', 'jsonb', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('match_team_stats_pk', ['tenant_id', 'match_id', 'team_id'])
    .addForeignKeyConstraint('match_team_stats_match_fk', ['tenant_id', 'match_id'], 'matches', ['tenant_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();

  const ext = await sql<{ n: number }>`select count(*)::int as n from pg_extension where extname = 'timescaledb'`.execute(db);
  const timescale = (ext.rows[0]?.n ?? 0) > 0;

  // Per subject (player or team) per window ('minute' n, 'round' n, 'game' 0): cumulative counters at
  // the window's end. Windows are upserted (late events correct them), keyed with their time.
  await sql`
    create table stat_windows (
      time timestamptz not null,
      tenant_id text not null,
      match_id text not null,
      title text not null,
      subject_kind text not null check (subject_kind in ('player', 'team')),
      subject_id text not null,
      win text not null check (win in ('minute', 'round', 'game')),
      idx integer not null,
      kills double precision,
      deaths double precision,
      assists double precision,
      damage double precision,
      gold double precision,
      xp double precision,
      cs double precision,
      last_seq bigint not null,
      unique (tenant_id, match_id, subject_kind, subject_id, win, idx, time)
    ) ${timescale ? sql`` : sql`partition by range (time)`}`.execute(db);
  await db.schema.createIndex('stat_windows_subject').on('stat_windows').columns(['tenant_id', 'subject_id', 'win', 'time']).execute();

  if (timescale) {
    await sql`select create_hypertable('stat_windows', by_range('time', interval '7 days'))`.execute(db);
    await sql`alter table stat_windows set (timescaledb.compress, timescaledb.compress_segmentby = 'tenant_id, match_id', timescaledb.compress_orderby = 'time')`.execute(db);
    await sql`select add_compression_policy('stat_windows', interval '30 days')`.execute(db);
    await sql`select add_retention_policy('stat_windows', interval '400 days')`.execute(db);
    await sql`
      create materialized view player_daily with (timescaledb.continuous, timescaledb.materialized_only = false) as
      select time_bucket(interval '1 day', time) as day, tenant_id, title, subject_kind, subject_id,
             count(*)::bigint as games, sum(kills) as kills, sum(deaths) as deaths, sum(assists) as assists,
             sum(damage) as damage, sum(gold) as gold, sum(xp) as xp, sum(cs) as cs
      from stat_windows where win = 'game'
      group by 1, 2, 3, 4, 5 with no data`.execute(db);
    await sql`select add_continuous_aggregate_policy('player_daily', start_offset => interval '30 days', end_offset => interval '1 hour', schedule_interval => interval '1 hour')`.execute(db);
  } else {
    await sql`create table stat_windows_default partition of stat_windows default`.execute(db);
    await sql`
      create table player_daily (
        day timestamptz not null, tenant_id text not null, title text not null, subject_kind text not null, subject_id text not null,
        games bigint not null, kills double precision, deaths double precision, assists double precision,
        damage double precision, gold double precision, xp double precision, cs double precision,
        primary key (tenant_id, subject_kind, subject_id, day, title)
      )`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const ext = await sql<{ n: number }>`select count(*)::int as n from pg_extension where extname = 'timescaledb'`.execute(db);
  if ((ext.rows[0]?.n ?? 0) > 0) await sql`drop materialized view player_daily`.execute(db);
  else await db.schema.dropTable('player_daily').execute();
  for (const t of ['stat_windows', 'match_team_stats', 'match_player_stats', 'match_stats', 'match_rosters', 'players', 'teams', 'series', 'tournaments']) await db.schema.dropTable(t).execute();
  await sql`alter table matches drop column tournament_id, drop column series_id`.execute(db);
}
