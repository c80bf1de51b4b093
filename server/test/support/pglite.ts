// A migrated in-memory PGlite store for the tests of a describe block: opened before them, closed after.
import { afterAll, beforeAll } from 'vitest';
import { createPGliteStore } from '../../src/infra/pglite/store.ts';
import type { Store } from '../../src/ports/store.ts';

export function useMigratedStore(): () => Store {
  let store: Store | undefined;
  beforeAll(async () => {
    store = await createPGliteStore();
    await store.migrate();
  });
  afterAll(async () => {
    await store?.close();
  });
  return () => {
    if (!store) throw new Error('the store is opened in beforeAll');
    return store;
  };
}
