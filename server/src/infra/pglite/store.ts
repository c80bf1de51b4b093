// Store adapter for PGlite: PostgreSQL in WebAssembly, in-process. Used by the demo and fast tests;
// in memory by default, or persisted to a folder.
import { PGlite, types } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, sql } from 'kysely';
import type { Store, StoreFeatures } from '../../ports/store.ts';
import type { DB as Database } from '../db/schema.gen.ts';
import { parseInt8 } from '../db/int8.ts';
import { hasTimescale, migrateToLatest } from '../db/migrate.ts';

export interface PGliteStoreOptions {
  /** Folder to persist to; undefined = in memory. */
  dataDir?: string;
}

export async function createPGliteStore(opts: PGliteStoreOptions = {}): Promise<Store> {
  const pg = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    // Same int8 mapping as the PostgreSQL adapter, so both return numbers.
    parsers: {
      [types.INT8]: parseInt8,
    },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite: pg }) });
  let features: StoreFeatures = { timescale: false };
  let closed = false;
  return {
    kind: 'pglite',
    db,
    features: () => features,
    async migrate() {
      const result = await migrateToLatest(db);
      features = { timescale: await hasTimescale(db) };
      return result;
    },
    async ping() {
      if (closed) throw new Error('PGlite store is closed');
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy(); // closes the PGlite instance too
    },
  };
}
