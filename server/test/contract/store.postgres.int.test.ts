import { inject } from 'vitest';
import { createPostgresStore } from '../../src/infra/postgres/store.ts';
import { createTestDatabase } from '../support/isolation.ts';
import { storeContract } from './store.contract.ts';

storeContract('PostgreSQL', async () => {
  const database = await createTestDatabase(inject('endpoints').databaseUrl);
  const store = createPostgresStore({ url: database.url, poolMax: 8 });
  return {
    store,
    expectTimescale: false,
    async close() {
      await store.close();
      await database.drop();
    },
  };
});
