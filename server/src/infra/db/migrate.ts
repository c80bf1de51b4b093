// Runs migrations/ with Kysely's Migrator (which takes a lock table row, so concurrent starts are safe).
import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrations } from '@clutch/migrations';
import { createError } from '../../errors.ts';

const MigrationFailed = createError('CLUTCH_MIGRATION_FAILED', 'migration %s failed: %s', 500);

export async function migrateToLatest(db: Kysely<any>): Promise<{ applied: string[] }> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error) throw new MigrationFailed(failed?.migrationName ?? '(lock)', (error as Error).message ?? String(error), { cause: error });
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

export async function hasTimescale(db: Kysely<any>): Promise<boolean> {
  const r = await sql<{ n: number }>`select count(*)::int as n from pg_extension where extname = 'timescaledb'`.execute(db);
  return (r.rows[0]?.n ?? 0) > 0;
}
