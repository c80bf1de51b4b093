// Two projects: `unit` needs nothing but Node; `integration` (files named *.int.test.ts) runs against
// real PostgreSQL, Redis, Kafka and the TimescaleDB endpoint, which its global setup starts (or
// takes from DATABASE_URL, REDIS_URL, KAFKA_BROKERS, TIMESCALE_URL).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{server,sdk,migrations,scripts}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{server,sdk,migrations,scripts}/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['./server/test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
