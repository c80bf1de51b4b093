// Rate limits (docs/limits.md), enforced across every instance in the shared limiter (Redis: one
// atomic Lua GCRA per decision; the memory adapter in the demo):
//
// - ipGuard, in front of authentication: requests with no credentials and public routes are limited
//   per client IP; an IP whose credentials were refused too often (401s) is refused (429) before its
//   next credentials are even checked.
// - planLimits, after authentication: each app has a budget per route class (read, live, manage) set
//   by its organisation's plan. Every answer of a route behind a scope carries the IETF RateLimit-Policy
//   and RateLimit fields (draft-ietf-httpapi-ratelimit-headers-10); a refusal is 429
//   CLUTCH_RATE_LIMITED with Retry-After. GET /v1/usage shows the budgets without spending them.
// - Live connections: a live stream (WebSocket, SSE, gRPC Subscribe) holds a lease in the shared
//   Leases for as long as it is open; an organisation holds at most its plan's liveConnections across
//   every instance (429 CLUTCH_LIVE_CONNECTION_LIMIT). Leases are renewed while open and expire
//   after LEASE_TTL_MS when their process dies without releasing them.
//
// If the limiter is unreachable, requests are let through (and logged): a Redis outage must not take
// the API down with it.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorBody, sendError } from '../api/errors.ts';
import { tenantOf } from '../auth/plugin.ts';
import type { Leases, RateDecision, RateLimiter, RatePolicy } from '../ports/cache.ts';
import type { Db } from '../store/db.ts';
import type { Quotas } from './quota.ts';
import { effectivePlan, planOf, ROUTE_CLASSES, routeClass, type Plan, type RouteClass } from './plans.ts';

export interface IpGuardOptions {
  limiter: RateLimiter;
  /** Requests without credentials, and to public routes, per IP. */
  perIp: RatePolicy;
  /** Refused credentials (401) per IP before it is refused outright. */
  failures: RatePolicy;
}

export interface PlanLimitOptions {
  limiter: RateLimiter;
  /** Live connections per organisation across instances (omit: not limited). */
  leases?: Leases;
  /** Monthly API-call quotas (omit: none). */
  quotas?: Quotas;
  db: Db;
  /** How long a tenant's plan is kept before it is read again (default 30 s). */
  planCacheMs?: number;
}

/** Routes still served over the monthly quota: seeing usage, and paying for more. */
const QUOTA_FREE = new Set(['usage:read', 'billing:manage']);

/** A live connection's lease lasts this long unless renewed (renewed every third of it). */
export const LEASE_TTL_MS = 60_000;
export const liveLeaseSet = (tenant: string) => `live:${tenant}`;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

function tooMany(reply: FastifyReply, d: RateDecision, message: string): FastifyReply {
  reply.header('retry-after', String(seconds(d.retryAfterMs)));
  return sendError(reply, 429, 'CLUTCH_RATE_LIMITED', `${message}; retry in ${seconds(d.retryAfterMs)} s`);
}

/** Consumes, or lets the request through when the limiter fails. */
async function consume(req: FastifyRequest, limiter: RateLimiter, key: string, policy: RatePolicy, cost = 1): Promise<RateDecision | undefined> {
  try {
    return await limiter.consume(key, policy, cost);
  } catch (err) {
    req.log.warn({ error: err }, 'rate limiter unavailable; request let through');
    return undefined;
  }
}

const hasCredentials = (req: FastifyRequest) => typeof req.headers.authorization === 'string' || typeof req.headers['x-api-key'] === 'string' || (req.method === 'GET' && typeof (req.query as Record<string, unknown> | undefined)?.access_token === 'string');

const UNGUARDED = new Set(['/healthz', '/readyz', '/metrics']);

export const ipGuard = fp(
  async (app: FastifyInstance, o: IpGuardOptions) => {
    app.addHook('onRequest', async (req, reply) => {
      const access = req.routeOptions.config.access;
      // Ingest has its own tokens; probes and scrapers must never be refused.
      if (!access || access.kind === 'ingest' || UNGUARDED.has(req.routeOptions.url ?? '')) return;
      if (hasCredentials(req)) {
        // A peek (cost 0, nothing spent): refused when this IP has spent its refused-credentials budget.
        const d = await consume(req, o.limiter, `ipfail:${req.ip}`, o.failures, 0);
        if (d && d.remaining < 1) {
          const interval = o.failures.windowMs / o.failures.limit;
          return tooMany(reply, { ...d, allowed: false, retryAfterMs: Math.max(1, d.resetMs - (o.failures.windowMs - interval)) }, `too many refused credentials from ${req.ip}`);
        }
        return;
      }
      const d = await consume(req, o.limiter, `ip:${req.ip}`, o.perIp);
      if (d && !d.allowed) return tooMany(reply, d, `too many requests without credentials from ${req.ip}`);
    });
    app.addHook('onResponse', async (req, reply) => {
      if (reply.statusCode === 401 && hasCredentials(req)) await consume(req, o.limiter, `ipfail:${req.ip}`, o.failures);
    });
  },
  { name: 'clutch-ip-guard' },
);

/** The RateLimit-Policy and RateLimit field values of one class (draft-ietf-httpapi-ratelimit-headers-10). */
export function rateLimitFields(cls: RouteClass, policy: RatePolicy, d: RateDecision): { policy: string; limit: string } {
  return { policy: `"${cls}";q=${policy.limit};w=${seconds(policy.windowMs)}`, limit: `"${cls}";r=${d.remaining};t=${seconds(d.allowed ? d.resetMs : d.retryAfterMs)}` };
}

export const planLimits = fp(
  async (app: FastifyInstance, o: PlanLimitOptions) => {
    const plans = new Map<string, { at: number; plan: Promise<Plan> }>();
    const cacheMs = o.planCacheMs ?? 30_000;
    const planFor = (tenant: string): Promise<Plan> => {
      const hit = plans.get(tenant);
      if (hit && Date.now() - hit.at < cacheMs) return hit.plan;
      const plan = o.db
        .selectFrom('tenants')
        .select(['plan', 'billing_status', 'grace_until'])
        .where('id', '=', tenant)
        .executeTakeFirst()
        .then((r) => planOf(r ? effectivePlan(r) : undefined));
      plans.set(tenant, { at: Date.now(), plan });
      plan.catch(() => plans.delete(tenant));
      if (plans.size > 10_000) plans.delete(plans.keys().next().value!);
      return plan;
    };
    app.decorate('planFor', planFor);

    app.addHook('onRequest', async (req, reply) => {
      const access = req.routeOptions.config.access;
      if (access?.kind !== 'scope' || !req.auth) return;
      const cls = routeClass(access.scope);
      const plan = await planFor(req.auth.tenant);
      const policy = plan.rates[cls];
      const d = await consume(req, o.limiter, budgetKey(req.auth.tenant, req.auth.appId, cls), policy);
      if (!d) return;
      const f = rateLimitFields(cls, policy, d);
      reply.header('ratelimit-policy', f.policy).header('ratelimit', f.limit);
      if (!d.allowed) return tooMany(reply, d, `the ${cls} budget of this app on plan ${plan.name} is ${policy.limit} requests per ${policy.windowMs / 1000} s`);
      // Over the month's quota, everything but seeing usage and changing plan is refused.
      if (o.quotas && !QUOTA_FREE.has(access.scope)) {
        const q = await o.quotas.state(req.auth.tenant, plan).catch((err: unknown) => {
          req.log.warn({ error: err }, 'monthly quota unavailable; request let through');
          return undefined;
        });
        if (q && q.used >= q.limit) {
          reply.header('retry-after', String(seconds(q.resetsAt.getTime() - Date.now())));
          return sendError(reply, 429, 'CLUTCH_QUOTA_EXCEEDED', `this organisation has used its ${q.limit} API calls of this month on plan ${plan.name}; the quota starts again at ${q.resetsAt.toISOString()} (upgrade: POST /v1/billing/checkout)`);
        }
        if (q) o.quotas.admitted(req.auth.tenant);
      }
      if (cls === 'live' && o.leases) return holdLease(req, reply, plan);
    });

    // Live connections this process holds, by lease set: renewed together, released on close.
    const held = new Map<string, Set<string>>();
    const leases = o.leases;
    const holdLease = async (req: FastifyRequest, reply: FastifyReply, plan: Plan): Promise<FastifyReply | undefined> => {
      if (!leases) return;
      const set = liveLeaseSet(req.auth!.tenant);
      const holder = `${instance}:${req.id}`;
      let r: { acquired: boolean; held: number };
      try {
        r = await leases.acquire(set, holder, plan.liveConnections, LEASE_TTL_MS);
      } catch (err) {
        req.log.warn({ error: err }, 'live connection leases unavailable; connection let through');
        return;
      }
      if (!r.acquired) {
        reply.header('retry-after', '5');
        return sendError(reply, 429, 'CLUTCH_LIVE_CONNECTION_LIMIT', `this organisation already holds ${r.held} live connections, the most plan ${plan.name} allows at once (across all its apps): close one first`);
      }
      let holders = held.get(set);
      if (!holders) held.set(set, (holders = new Set()));
      holders.add(holder);
      let done = false;
      const release = () => {
        if (done) return;
        done = true;
        const hs = held.get(set);
        hs?.delete(holder);
        if (hs && !hs.size) held.delete(set);
        leases.release(set, holder).catch((err: unknown) => req.log.warn({ error: err }, 'live connection lease not released; it expires by itself'));
      };
      // The response ends with the stream (SSE, gRPC); an upgraded WebSocket ends with its socket.
      if (req.raw.headers.upgrade) req.raw.socket.once('close', release);
      else reply.raw.once('close', release);
      return undefined;
    };
    const instance = randomUUID();
    const renewer = setInterval(() => {
      for (const [set, holders] of held) void leases?.renew(set, [...holders], LEASE_TTL_MS).catch((err: unknown) => app.log.warn({ error: err }, 'live connection leases not renewed'));
    }, LEASE_TTL_MS / 3);
    renewer.unref();
    app.addHook('onClose', async () => {
      clearInterval(renewer);
    });
  },
  { name: 'clutch-plan-limits', dependencies: ['clutch-auth'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    /** The plan of a tenant (cached briefly). */
    planFor(tenant: string): Promise<Plan>;
  }
}

/** One budget per app and class; anonymous callers (demo) share their tenant's. */
const budgetKey = (tenant: string, appId: string | undefined, cls: RouteClass) => `rl:${tenant}:${appId ?? '-'}:${cls}`;

/** GET /v1/usage: the plan and each class's budget now (read without spending it). */
export const usageApi: FastifyPluginAsyncTypebox<{ limiter: RateLimiter; leases: Leases; quotas: Quotas; db: Db; enforced: boolean }> = async (app, o) => {
  const Budget = Type.Object({ limit: Type.Integer(), windowSeconds: Type.Number(), remaining: Type.Integer(), resetSeconds: Type.Integer() });
  app.get(
    '/v1/usage',
    {
      schema: {
        summary: "The caller's plan and rate budgets",
        description: 'Budgets per route class of the calling app, as the RateLimit fields would show them, without spending a request of them. docs/limits.md.',
        tags: ['usage'],
        response: { 200: Type.Object({ organisation: Type.String(), app: Type.Union([Type.String(), Type.Null()]), enforced: Type.Boolean({ description: 'false when this deployment does not enforce limits (the demo).' }), plan: Type.Object({ id: Type.String(), name: Type.String(), liveConnections: Type.Integer(), activePlugins: Type.Integer() }), budgets: Type.Record(Type.String(), Budget), liveConnections: Type.Object({ limit: Type.Integer(), open: Type.Integer({ description: 'Live streams the organisation holds open now, on every instance.' }) }), monthlyApiCalls: Type.Union([Type.Object({ limit: Type.Integer(), used: Type.Integer({ description: 'From the usage ledger: trails live usage by up to about 20 s.' }), resetsAt: Type.String({ format: 'date-time' }) }), Type.Null()], { description: 'null: the plan has no monthly quota.' }) }), 429: ErrorBody },
      },
    },
    async (req) => {
      const tenant = tenantOf(req);
      const row = await o.db.selectFrom('tenants').select(['plan', 'billing_status', 'grace_until']).where('id', '=', tenant).executeTakeFirst();
      const plan = planOf(row ? effectivePlan(row) : undefined);
      const budgets: Record<string, { limit: number; windowSeconds: number; remaining: number; resetSeconds: number }> = {};
      for (const cls of ROUTE_CLASSES) {
        const policy = plan.rates[cls];
        const d = await o.limiter.consume(budgetKey(tenant, req.auth?.appId, cls), policy, 0);
        budgets[cls] = { limit: policy.limit, windowSeconds: policy.windowMs / 1000, remaining: d.remaining, resetSeconds: Math.ceil(d.resetMs / 1000) };
      }
      const open = await o.leases.count(liveLeaseSet(tenant));
      const q = await o.quotas.state(tenant, plan);
      return { organisation: tenant, app: req.auth?.appId ?? null, enforced: o.enforced, plan: { id: plan.id, name: plan.name, liveConnections: plan.liveConnections, activePlugins: plan.activePlugins }, budgets, liveConnections: { limit: plan.liveConnections, open }, monthlyApiCalls: q ? { limit: q.limit, used: q.used, resetsAt: q.resetsAt.toISOString() } : null };
    },
  );
};
