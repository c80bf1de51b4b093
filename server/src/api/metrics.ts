// Prometheus metrics: default process metrics plus HTTP request count and latency per route. Each app
// has its own registry (several apps in one test process never collide); other subsystems register
// their metrics on app.metrics.
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
  interface FastifyRequest {
    metricsStart?: bigint;
  }
}

export default fp(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const labelNames = ['method', 'route', 'status_code'] as const;
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route template.',
      labelNames,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    const total = new Counter({ name: 'http_requests_total', help: 'HTTP requests by route template and status.', labelNames, registers: [registry] });
    app.decorate('metrics', registry);

    app.addHook('onRequest', async (req) => {
      req.metricsStart = process.hrtime.bigint();
    });
    app.addHook('onResponse', async (req, reply) => {
      // The route template, never the raw URL: label cardinality stays bounded.
      const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) };
      total.inc(labels);
      if (req.metricsStart !== undefined) duration.observe(labels, Number(process.hrtime.bigint() - req.metricsStart) / 1e9);
    });

    app.get('/metrics', async (_req, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'clutch-metrics' },
);
