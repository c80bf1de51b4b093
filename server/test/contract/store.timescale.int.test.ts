// The Store contract on TimescaleDB: metric tables become hypertables and the same queries hold.
// The local endpoint (PGlite + TimescaleDB) serves one database and one connection at a time, so this
// run isolates itself in a schema of its own and uses a pool of one.
import pg from 'pg';
import { inject } from 'vitest';
import { createPostgresStore } from '../../src/infra/postgres/store.ts';
import { runId } from '../support/isolation.ts';
import { storeContract } from './store.contract.ts';

storeContract('TimescaleDB', async () => {
  const url = inject('endpoints').timescaleUrl;
  const schema = `t_${runId()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`); // our own random identifier
  await admin.end();
  const store = createPostgresStore({ url, poolMax: 1, searchPath: schema });
  return {
    store,
    expectTimescale: true,
    async close() {
      await store.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
});
