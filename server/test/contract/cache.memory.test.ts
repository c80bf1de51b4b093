import { createMemoryCacheBackend } from '../../src/infra/memory/cache.ts';
import { cacheContract } from './cache.contract.ts';

cacheContract('in-memory', async () => {
  // In-process state is per backend object; two "instances" of one process share it.
  const a = createMemoryCacheBackend();
  return { a, b: a, close: () => a.close() };
});
