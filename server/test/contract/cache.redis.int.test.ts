import { inject } from 'vitest';
import { createRedisCacheBackend } from '../../src/infra/redis/cache.ts';
import { cacheContract } from './cache.contract.ts';

cacheContract('Redis', async (keyPrefix) => {
  const url = inject('endpoints').redisUrl;
  // Two separate connections: what two Clutch instances sharing one Redis look like.
  const a = createRedisCacheBackend({ url, keyPrefix });
  const b = createRedisCacheBackend({ url, keyPrefix });
  return {
    a,
    b,
    async close() {
      await Promise.all([a.close(), b.close()]);
    },
  };
});
