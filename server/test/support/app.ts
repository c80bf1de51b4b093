// Builds the app on embedded adapters for in-process tests (app.inject, or listen on port 0).
import { pino } from 'pino';
import { buildApp } from '../../src/app.ts';
import { DEMO_ENV, loadConfig, type Config } from '../../src/config.ts';
import { createMemoryCacheBackend } from '../../src/infra/memory/cache.ts';
import { MemoryEventLog } from '../../src/infra/memory/event-log.ts';
import { createPGliteStore } from '../../src/infra/pglite/store.ts';
import type { Infra } from '../../src/infra/wiring.ts';

export interface TestApp {
  app: Awaited<ReturnType<typeof buildApp>>;
  infra: Infra;
  config: Config;
  /** Closes what app.close() deliberately left open (so tests can inspect the log afterwards). */
  dispose(): Promise<void>;
}

export async function embeddedApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ ...DEMO_ENV, CLUTCH_SIMULATOR_MATCHES: '0', PORT: '0', LOG_LEVEL: 'silent', ...env });
  const eventLog = new MemoryEventLog();
  const store = await createPGliteStore();
  const cache = createMemoryCacheBackend();
  const infra: Infra = {
    eventLog,
    store,
    cache,
    dependencies: [
      { name: 'pglite', target: 'memory', check: () => store.ping() },
      { name: 'memory-log', target: 'in-process', check: () => eventLog.ping() },
    ],
    // The app closes infra on shutdown; tests keep the log and store to look at what was committed.
    close: async () => {},
  };
  const app = await buildApp({ config, infra, logger: pino({ level: 'silent' }) });
  return {
    app,
    infra,
    config,
    async dispose() {
      await app.close();
      await Promise.allSettled([eventLog.close(), store.close(), cache.close()]);
    },
  };
}
