// Store port: PostgreSQL through Kysely. Repositories are plain functions taking `db` (or a
// transaction) first. Adapters: infra/postgres (production, TimescaleDB when present),
// infra/pglite (demo, fast tests). One contract suite runs against both.
import type { Kysely } from 'kysely';
import type { DB as Database } from '../infra/db/schema.gen.ts';

export interface StoreFeatures {
  /** The timescaledb extension is installed: metric tables are hypertables. */
  timescale: boolean;
}

export interface Store {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Kysely<Database>;
  /** Detected after migrate(). */
  features(): StoreFeatures;
  /** Applies pending migrations. Safe to call from several processes at once. */
  migrate(): Promise<{ applied: string[] }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
