// Three projects: `unit` needs nothing but Node; `integration` (files named *.int.test.ts) runs against
// real PostgreSQL, Redis, Kafka and the TimescaleDB endpoint, which its global setup starts (or
// takes from DATABASE_URL, REDIS_URL, KAFKA_BROKERS, TIMESCALE_URL); `e2e` (*.e2e.test.ts) drives the
// dashboard in Chromium against the real server.
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
      {
        // The dashboard in Chromium (playwright-core) against the real server on embedded adapters:
        // no service needed; Chromium is installed with apt-get when missing (scripts/browser.ts).
        test: {
          name: 'e2e',
          include: ['dashboard/test/**/*.e2e.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
