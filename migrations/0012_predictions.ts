// 0012: live win-probability predictions (issue #9, docs/predictions.md): a time series per match,
// one row per prediction the processor made (kind 'live' after a relevant event, 'draft' once both
// drafts are complete), keyed by (tenant, match, seq, kind). Written in the processor's transaction
// with the match's stats, only for matches the batch moved forward (the match_stats seq guard), and
// inserted with "on conflict do nothing": applying is deterministic, so a replay writes nothing new.
// `prediction` is the message as sent live (model, teams, explanation, event and WPA).
// Frozen once shipped.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('match_predictions')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('match_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('live', 'draft')`))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('prediction', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('match_predictions_pk', ['tenant_id', 'match_id', 'seq', 'kind'])
    .execute();
  await sql`comment on table match_predictions is 'Win-probability predictions per match (the live message as JSON), idempotent by (tenant_id, match_id, seq, kind).'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('match_predictions').execute();
}
