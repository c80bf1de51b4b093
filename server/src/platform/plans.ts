// Plans (docs/limits.md): what an organisation may do, per app. A plan's request rates are GCRA
// policies (infra/rate-gcra.ts): `limit` requests per `windowMs` is also the burst, then one request
// every windowMs/limit. Each route belongs to one class; each app has its own budget per class.
import type { RatePolicy } from '../ports/cache.ts';
import type { Scope } from '../auth/scopes.ts';

export const PLAN_IDS = ['free', 'pro', 'enterprise'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

/** read: data reads (REST, gRPC unary); live: opening a live stream; manage: plugins, webhooks, apps, usage, billing. */
export const ROUTE_CLASSES = ['read', 'live', 'manage'] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

export interface Plan {
  id: PlanId;
  name: string;
  rates: Record<RouteClass, RatePolicy>;
  /** Live streams (WebSocket, SSE, gRPC) an organisation may hold open at once, across all its apps and every instance (platform/rate-limit.ts). */
  liveConnections: number;
  /** Plugin versions that may be active at once. */
  activePlugins: number;
  /** API calls per calendar month (UTC) for the whole organisation; null = no quota (platform/quota.ts). */
  monthlyApiCalls: number | null;
}

const per = (limit: number, seconds: number): RatePolicy => ({ limit, windowMs: seconds * 1000 });

export const PLANS: Record<PlanId, Plan> = {
  free: { id: 'free', name: 'Free', rates: { read: per(20, 2), live: per(5, 10), manage: per(10, 10) }, liveConnections: 3, activePlugins: 1, monthlyApiCalls: 100_000 },
  pro: { id: 'pro', name: 'Pro', rates: { read: per(200, 2), live: per(50, 10), manage: per(60, 10) }, liveConnections: 200, activePlugins: 10, monthlyApiCalls: 10_000_000 },
  enterprise: { id: 'enterprise', name: 'Enterprise', rates: { read: per(2000, 2), live: per(500, 10), manage: per(600, 10) }, liveConnections: 10_000, activePlugins: 100, monthlyApiCalls: null },
};

export function planOf(id: string | undefined): Plan {
  return (PLANS as Record<string, Plan>)[id ?? 'free'] ?? PLANS.free;
}

/** The class of a route behind a scope. */
export function routeClass(scope: Scope): RouteClass {
  if (scope === 'matches:read') return 'read';
  if (scope === 'live:read') return 'live';
  return 'manage';
}

/** The plan in force: a past_due organisation whose grace period is over is on free. */
export function effectivePlan(row: { plan: string; billing_status?: string | null; grace_until?: Date | null }, now = Date.now()): string {
  if (row.billing_status === 'past_due' && row.grace_until && row.grace_until.getTime() < now) return 'free';
  return row.plan;
}
