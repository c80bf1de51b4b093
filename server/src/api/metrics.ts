// Prometheus metrics: default process metrics plus HTTP request count and latency per route. Each app
// has its own registry (several apps in one test process never collide); other subsystems register
// their metrics on app.metrics. GET /metrics is for operators: its series name every tenant's plugin
// versions, so it answers the bearer token CLUTCH_METRICS_TOKEN, or, without one, clients on this host
// only (a tenant reads its own plugin's series at GET /v1/plugins/{name}/metrics).
import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { sendError } from './errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
  interface FastifyRequest {
    metricsStart?: bigint;
  }
}

export interface MetricsOptions {
  /** Bearer token of GET /metrics; undefined = loopback clients only. */
  token?: string | undefined;
}

const isLoopback = (addr: string | undefined) => addr !== undefined && (addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '', 'utf8');
  const want = Buffer.from(token, 'utf8');
  return given.length === want.length && timingSafeEqual(given, want);
}

export default fp<MetricsOptions>(
  async (app, opts) => {
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

    app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
      if (opts.token !== undefined) {
        if (!tokenMatches(req.headers.authorization, opts.token)) {
          reply.header('www-authenticate', 'Bearer realm="clutch-metrics"');
          return sendError(reply, 401, 'CLUTCH_UNAUTHENTICATED', 'GET /metrics needs the operators\' bearer token (CLUTCH_METRICS_TOKEN); a tenant reads its plugin\'s series at GET /v1/plugins/{name}/metrics');
        }
      } else if (!isLoopback(req.socket.remoteAddress)) {
        return sendError(reply, 403, 'CLUTCH_FORBIDDEN', 'GET /metrics answers clients on this host only: set CLUTCH_METRICS_TOKEN to scrape it from elsewhere; a tenant reads its plugin\'s series at GET /v1/plugins/{name}/metrics');
      }
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'clutch-metrics' },
);
