// Scopes and which routes need which (docs/auth.md). Every route the server registers is classified
// here when it is registered: a route that matches no rule stops the server at start, so a new route
// can never be public by accident.
import type { Role } from './roles.ts';

export const SCOPES = ['matches:read', 'live:read', 'plugins:manage', 'webhooks:manage', 'apps:manage', 'usage:read', 'billing:manage'] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPE_DOCS: Record<Scope, string> = {
  'matches:read': 'Matches, stats, events, leaderboards, the catalogue and plugin values (REST and gRPC MatchService).',
  'live:read': 'Live streams: WebSocket, SSE and gRPC LiveService.',
  'plugins:manage': 'Upload, test, activate and delete tenant stat plugins.',
  'webhooks:manage': 'Webhook endpoints and their deliveries.',
  'apps:manage': "The organisation's apps and their credentials.",
  'usage:read': 'Usage and rate-limit budgets.',
  'billing:manage': 'Plans, checkout and the billing portal.',
};

/**
 * What a route needs: a scope, nothing (public), an ingest token (ingest/auth.ts), or a signed-in user
 * (a dashboard session, auth/session.ts); with `role`, a user with at least that role in the
 * organisation the URL names (`:org`).
 */
export type RouteAccess = { kind: 'scope'; scope: Scope } | { kind: 'public' } | { kind: 'ingest' } | { kind: 'user'; role?: Role };

const scope = (s: Scope): RouteAccess => ({ kind: 'scope', scope: s });
const PUBLIC: RouteAccess = { kind: 'public' };
const USER: RouteAccess = { kind: 'user' };
const member = (role: Role): RouteAccess => ({ kind: 'user', role });

/** First match wins: [method or '*', URL pattern as Fastify has it (prefix when it ends in '*'), access]. */
const RULES: ReadonlyArray<readonly [string, string, RouteAccess]> = [
  // Anyone: health, the service's own description, and the OAuth2 authorization server.
  ['*', '/', PUBLIC],
  ['*', '/healthz', PUBLIC],
  ['*', '/readyz', PUBLIC],
  ['*', '/metrics', PUBLIC],
  ['*', '/docs*', PUBLIC],
  ['*', '/openapi.json', PUBLIC],
  ['*', '/.well-known/*', PUBLIC],
  ['*', '/oauth/token', PUBLIC],
  // The web dashboard's static files (api/home.ts); the data it shows comes from /v1, authenticated.
  ['GET', '/app', PUBLIC],
  ['HEAD', '/app', PUBLIC],
  ['GET', '/app/*', PUBLIC],
  ['HEAD', '/app/*', PUBLIC],
  // Stripe's events: authenticated by their signature (platform/billing.ts).
  ['POST', '/stripe/webhook', PUBLIC],
  // Dashboard sign-in (api/signin.ts): the OAuth2/OIDC redirects are public (the callback is
  // authenticated by its state and code); signing out needs the session.
  ['*', '/auth/providers', PUBLIC],
  ['*', '/auth/login/:provider', PUBLIC],
  ['*', '/auth/callback/:provider', PUBLIC],
  ['POST', '/auth/logout', USER],
  // Users and organisations (api/orgs.ts): a signed-in user; member routes check the role in :org.
  ['*', '/v1/me', USER],
  ['*', '/v1/me/*', USER],
  ['POST', '/v1/orgs', USER],
  ['GET', '/v1/orgs/:org/members', member('viewer')],
  ['HEAD', '/v1/orgs/:org/members', member('viewer')],
  // Leaving is for any member; removing someone else needs admin (checked by the route).
  ['DELETE', '/v1/orgs/:org/members/:user', member('viewer')],
  ['*', '/v1/orgs/*', member('admin')],
  // Game servers and feeds: their own tokens, per source and stream.
  ['*', '/v1/ingest/*', { kind: 'ingest' }],
  // The developer platform.
  ['*', '/v1/apps*', scope('apps:manage')],
  ['*', '/v1/usage*', scope('usage:read')],
  ['*', '/v1/billing*', scope('billing:manage')],
  ['*', '/v1/plugins*', scope('plugins:manage')],
  ['*', '/v1/webhooks*', scope('webhooks:manage')],
  ['*', '/v1/live*', scope('live:read')],
  ['*', '/v1/matches/:id/live*', scope('live:read')],
  // Draft what-if (api/predictions.ts): a computation over public model data, read-only.
  ['POST', '/v1/predict/draft', scope('matches:read')],
  ['GET', '/v1/*', scope('matches:read')],
  ['HEAD', '/v1/*', scope('matches:read')],
  // gRPC / Connect (proto/clutch/v1).
  ['*', '/clutch.v1.LiveService/*', scope('live:read')],
  ['*', '/clutch.v1.MatchService/*', scope('matches:read')],
];

/** The access rule of a route, or undefined when none matches (a startup error). */
export function routeAccess(method: string, url: string): RouteAccess | undefined {
  for (const [m, pattern, access] of RULES) {
    if (m !== '*' && m !== method) continue;
    if (pattern.endsWith('*') ? url.startsWith(pattern.slice(0, -1)) : url === pattern) return access;
  }
  return undefined;
}

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

/** Parses a space-separated scope list (RFC 6749 §3.3); unknown scopes are returned apart. */
export function parseScopes(text: string): { scopes: Scope[]; unknown: string[] } {
  const scopes: Scope[] = [];
  const unknown: string[] = [];
  for (const s of text.split(' ').filter(Boolean)) {
    if (isScope(s)) {
      if (!scopes.includes(s)) scopes.push(s);
    } else unknown.push(s);
  }
  return { scopes, unknown };
}
