// Store adapter for PGlite: PostgreSQL in WebAssembly, in-process. Used by the demo and fast tests;
// in memory by default, or persisted to a folder.
import { PGlite, types } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import type { Store } from '../../ports/store.ts';
import type { DB as Database } from '../db/schema.gen.ts';
import { parseInt8 } from '../db/int8.ts';
import { kyselyStore } from '../db/kysely-store.ts';

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
  return kyselyStore('pglite', db); // db.destroy() closes the PGlite instance too
}
