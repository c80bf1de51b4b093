// What both Store adapters share once they have a Kysely instance: migrations, feature detection,
// ping and close. Adapters differ only in how they connect.
import { type Kysely, sql } from 'kysely';
import type { Store, StoreFeatures } from '../../ports/store.ts';
import type { DB } from './schema.gen.ts';
import { hasTimescale, migrateToLatest } from './migrate.ts';

export function kyselyStore(kind: Store['kind'], db: Kysely<DB>): Store {
  let features: StoreFeatures = { timescale: false };
  let closed = false;
  return {
    kind,
    db,
    features: () => features,
    async migrate() {
      const result = await migrateToLatest(db);
      features = { timescale: await hasTimescale(db) };
      return result;
    },
    async ping() {
      if (closed) throw new Error(`${kind} store is closed`);
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
