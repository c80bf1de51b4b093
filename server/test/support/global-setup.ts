// Integration tests: make PostgreSQL, Redis, Kafka and the TimescaleDB endpoint available (start the
// project's own, or use the ones named by DATABASE_URL, REDIS_URL, KAFKA_BROKERS, TIMESCALE_URL,
// STRIPE_API_BASE for stripe-mock) and
// hand their URLs to the test files.
import type { TestProject } from 'vitest/node';
import { ensureServices, type Endpoints } from '../../../scripts/services/ensure.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: { databaseUrl: string; redisUrl: string; kafkaBrokers: string; timescaleUrl: string; stripeUrl: string };
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const started = Date.now();
  const e: Endpoints = await ensureServices();
  process.stderr.write(`[test] services ready in ${Date.now() - started} ms\n`);
  project.provide('endpoints', {
    databaseUrl: e.postgres.url,
    redisUrl: e.redis.url,
    kafkaBrokers: e.kafka.url,
    timescaleUrl: e.timescale.url,
    stripeUrl: e['stripe-mock'].url,
  });
}
