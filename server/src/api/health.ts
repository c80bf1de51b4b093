// /healthz: the process is alive. /readyz: every dependency answers right now (503 naming the ones
// that do not, and while shutting down), so a load balancer stops sending traffic and resumes by itself.
import Type from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkAll, type Dependency } from '../infra/health.ts';

const Check = Type.Object({
  ok: Type.Boolean(),
  target: Type.String(),
  latencyMs: Type.Integer(),
  error: Type.Optional(Type.String()),
});
const Ready = Type.Object({ status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready'), Type.Literal('shutting_down')]), checks: Type.Record(Type.String(), Check) });

export interface HealthOptions {
  dependencies: Dependency[];
  isShuttingDown: () => boolean;
}

const health: FastifyPluginAsyncTypebox<HealthOptions> = async (app, opts) => {
  app.get('/healthz', { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', { schema: { response: { 200: Ready, 503: Ready } } }, async (_req, reply) => {
    const results = await checkAll(opts.dependencies);
    const checks = Object.fromEntries(
      results.map((r) => [r.name, { ok: r.ok, target: r.target, latencyMs: r.latencyMs, ...(r.error ? { error: r.error } : {}) }]),
    );
    if (opts.isShuttingDown()) return reply.code(503).send({ status: 'shutting_down' as const, checks });
    const ok = results.every((r) => r.ok);
    return reply.code(ok ? 200 : 503).send({ status: ok ? ('ready' as const) : ('not_ready' as const), checks });
  });
};

export default health;
