// 0006: tenant stat plugins (docs/plugins.md). Plugin versions per tenant (manifest, bundle, its
// sha256, status active|inactive|disabled and why it was disabled), activations (a version runs on all
// the tenant's matches, or on one tournament's: tournament_id '' means all), the values active plugins
// emitted per match (the latest per stat and subject, idempotent by last_seq like match_stats), and
// each plugin's per-match state (JSON text), written in the same transaction as the match's stats.
// Frozen once shipped.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('plugin_versions')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('manifest', 'jsonb', (c) => c.notNull())
    .addColumn('bundle', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('inactive').check(sql`status in ('active', 'inactive', 'disabled')`))
    // Why strikes disabled it: { code, message, at, strikes: [...] }.
    .addColumn('disabled_reason', 'jsonb')
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('plugin_versions_pk', ['tenant_id', 'name', 'version'])
    .execute();

  await db.schema
    .createTable('plugin_activations')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // '' = all the tenant's matches; otherwise the matches of this tournament (which win over '').
    .addColumn('tournament_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('activated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('plugin_activations_pk', ['tenant_id', 'name', 'tournament_id'])
    .addForeignKeyConstraint('plugin_activations_version_fk', ['tenant_id', 'name', 'version'], 'plugin_versions', ['tenant_id', 'name', 'version'])
    .execute();

  await db.schema
    .createTable('plugin_outputs')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('match_id', 'text', (c) => c.notNull())
    .addColumn('plugin', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('stat', 'text', (c) => c.notNull())
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('plugin_outputs_pk', ['tenant_id', 'match_id', 'plugin', 'stat', 'subject_kind', 'subject_id'])
    .execute();

  await db.schema
    .createTable('plugin_states')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('match_id', 'text', (c) => c.notNull())
    .addColumn('plugin', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('plugin_states_pk', ['tenant_id', 'match_id', 'plugin', 'version'])
    .execute();
  await sql`comment on table plugin_outputs is 'Latest value per (tenant, match, plugin, stat, subject) emitted by an active plugin version, replaced only by a higher last_seq.'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('plugin_states').execute();
  await db.schema.dropTable('plugin_outputs').execute();
  await db.schema.dropTable('plugin_activations').execute();
  await db.schema.dropTable('plugin_versions').execute();
}
