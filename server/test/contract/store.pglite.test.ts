import { createPGliteStore } from '../../src/infra/pglite/store.ts';
import { storeContract } from './store.contract.ts';

storeContract('PGlite (in-process)', async () => {
  const store = await createPGliteStore();
  return { store, expectTimescale: false, close: () => store.close() };
});
