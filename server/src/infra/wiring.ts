// The one place where adapters are chosen and built from the configuration. Production code depends
// on ports only. Adapters for services that are not configured are never imported (the demo starts
// without loading the Kafka, PostgreSQL or Redis clients).
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { CacheBackend } from '../ports/cache.ts';
import type { EventLog } from '../ports/event-log.ts';
import type { Store } from '../ports/store.ts';
import type { Dependency } from './health.ts';

export interface Infra {
  eventLog: EventLog;
  store: Store;
  cache: CacheBackend;
  dependencies: Dependency[];
  close(): Promise<void>;
}

const target = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port}`;
};

export async function createInfra(config: Config, log: Logger): Promise<Infra> {
  const dependencies: Dependency[] = [];

  let store: Store;
  if (config.store === 'postgres') {
    const { createPostgresStore } = await import('./postgres/store.ts');
    store = createPostgresStore({ url: config.databaseUrl!, poolMax: config.databasePoolMax });
    dependencies.push({ name: 'postgres', target: target(config.databaseUrl!), envVar: 'DATABASE_URL', check: () => store.ping() });
  } else {
    const { createPGliteStore } = await import('./pglite/store.ts');
    store = await createPGliteStore(config.pgliteDir ? { dataDir: config.pgliteDir } : {});
    dependencies.push({ name: 'pglite', target: config.pgliteDir ?? 'memory', check: () => store.ping() });
  }

  let cache: CacheBackend;
  if (config.cache === 'redis') {
    const { createRedisCacheBackend } = await import('./redis/cache.ts');
    cache = createRedisCacheBackend({ url: config.redisUrl!, keyPrefix: config.redisKeyPrefix });
    dependencies.push({ name: 'redis', target: target(config.redisUrl!), envVar: 'REDIS_URL', check: () => cache.ping() });
  } else {
    const { createMemoryCacheBackend } = await import('./memory/cache.ts');
    cache = createMemoryCacheBackend();
    dependencies.push({ name: 'memory-cache', target: 'in-process', check: () => cache.ping() });
  }

  let eventLog: EventLog;
  if (config.eventLog === 'kafka') {
    const { KafkaEventLog } = await import('./kafka/event-log.ts');
    eventLog = new KafkaEventLog({ brokers: config.kafkaBrokers!, clientId: config.kafkaClientId, log: log.child({ 'log.logger': 'kafka' }) });
    dependencies.push({ name: 'kafka', target: config.kafkaBrokers!.join(','), envVar: 'KAFKA_BROKERS', check: () => eventLog.ping() });
  } else {
    const { MemoryEventLog } = await import('./memory/event-log.ts');
    eventLog = new MemoryEventLog();
    dependencies.push({ name: 'memory-log', target: 'in-process', check: () => eventLog.ping() });
  }

  return {
    eventLog,
    store,
    cache,
    dependencies,
    async close() {
      // Each closes on its own; one failing must not keep the others open.
      const results = await Promise.allSettled([eventLog.close(), cache.close(), store.close()]);
      for (const r of results) if (r.status === 'rejected') log.warn({ error: r.reason }, 'closing an adapter failed');
    },
  };
}
