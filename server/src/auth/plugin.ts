// Authentication and authorisation of every request (docs/auth.md).
//
// Each route gets its access rule when it is registered (auth/scopes.ts); a route without one stops
// the server. Before a route that needs a scope runs, the caller is found from
//   Authorization: Bearer <access token (JWT) | API key>,  X-API-Key: <API key>,
//   or ?access_token= on the live routes (browsers cannot set headers on a WebSocket or EventSource),
// and must hold the route's scope. The request's `auth` then names the tenant every query is scoped
// to. Refusals: 401 CLUTCH_UNAUTHENTICATED (no credentials), 401 CLUTCH_INVALID_TOKEN (refused
// credentials, with why), 403 CLUTCH_INSUFFICIENT_SCOPE; each with an RFC 6750 WWW-Authenticate.
//
// A browser signed in to the dashboard (auth/session.ts) sends no header but its session cookie: it
// acts in its current organisation with the scopes of the user's role there (auth/roles.ts), and a
// state-changing request must carry the session's X-CSRF-Token (403 CLUTCH_CSRF). Routes of kind
// 'user' are for a signed-in user only (an app credential gets 403 CLUTCH_USER_REQUIRED); with a role,
// the user must hold it in the organisation of the URL's :org (404 CLUTCH_ORG_NOT_FOUND when not a
// member at all, 403 CLUTCH_ROLE_REQUIRED when below it).
//
// Development and the embedded demo may name an anonymous tenant (CLUTCH_AUTH_ANONYMOUS_TENANT):
// requests *without* credentials then act as that tenant with every scope. Presented credentials are
// always checked, anonymous or not.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fastifyCookie } from '@fastify/cookie';
import fp from 'fastify-plugin';
import { ErrorBody, sendError } from '../api/errors.ts';
import { API_KEY_PREFIX, findBySecret, getCredential, touchCredential, type CredentialInfo } from '../store/apps.ts';
import type { Db } from '../store/db.ts';
import { findSession, roleIn, type SessionInfo } from '../store/users.ts';
import type { KeyRing } from './keys.ts';
import { atLeast, ROLE_SCOPES, type Role } from './roles.ts';
import { routeAccess, SCOPES, type RouteAccess, type Scope } from './scopes.ts';
import { CSRF_HEADER, type SessionCookies } from './session.ts';
import { InvalidToken, verifyAccessToken, type TokenSettings } from './tokens.ts';

export interface Principal {
  tenant: string;
  scopes: readonly Scope[];
  kind: 'token' | 'api_key' | 'anonymous' | 'session';
  /** The app and credential (client id or API key id); absent for anonymous and sessions. */
  appId?: string;
  credentialId?: string;
  /** A signed-in user (kind session) and their role in `tenant`. */
  user?: { id: string; role: Role };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    auth?: Principal;
    /** The dashboard session of a request authenticated by its cookie. */
    signedIn?: SessionInfo;
  }
  interface FastifyInstance {
    /** Every route registered so far with its access rule (for the route-walk tests and docs). */
    authRoutes(): ReadonlyArray<{ method: string; url: string; access: RouteAccess }>;
  }
}

export interface AuthOptions {
  db: Db;
  keys: KeyRing;
  tokens: TokenSettings;
  anonymousTenant?: string | undefined;
  /** How long a credential looked up by secret or id is trusted (revocation takes effect within it; default 30 s). */
  cacheMs?: number;
  /** Dashboard sessions (cookies); absent where browsers never come (the h2c gRPC listener). */
  sessions?: SessionCookies | undefined;
}

/** The tenant of an authenticated request (routes behind a scope, and member routes, always have one). */
export function tenantOf(request: unknown): string {
  const req = request as FastifyRequest;
  if (!req.auth) throw new Error(`no principal on ${req.method} ${req.url}: the route is not behind a scope`);
  return req.auth.tenant;
}

/** The signed-in user of a request (routes of kind 'user' always have one). */
export function signedInOf(request: unknown): SessionInfo {
  const req = request as FastifyRequest;
  if (!req.signedIn) throw new Error(`no session on ${req.method} ${req.url}: the route is not for signed-in users`);
  return req.signedIn;
}

/** A presented session cookie that is forged, expired or signed out. */
class InvalidSession extends InvalidToken {}

const MAX_CACHED = 10_000;

export default fp(
  async (app: FastifyInstance, o: AuthOptions) => {
    const cacheMs = o.cacheMs ?? 30_000;
    // Secret → credential (or null: refused), and credential id → credential, both briefly.
    const bySecret = new Map<string, { at: number; c: CredentialInfo | null }>();
    const byId = new Map<string, { at: number; c: CredentialInfo | null }>();
    const touched = new Map<string, number>();
    const cached = async (map: typeof bySecret, key: string, load: () => Promise<CredentialInfo | undefined>) => {
      const hit = map.get(key);
      if (hit && Date.now() - hit.at < cacheMs) return hit.c ?? undefined;
      const c = (await load()) ?? null;
      map.set(key, { at: Date.now(), c });
      if (map.size > MAX_CACHED) map.delete(map.keys().next().value!);
      return c ?? undefined;
    };
    const live = (c: CredentialInfo | undefined) => c && !c.revokedAt && !(c.expiresAt && c.expiresAt.getTime() <= Date.now()) ? c : undefined;
    const touch = (id: string) => {
      // last_used_at, at most once a minute per credential.
      const at = touched.get(id);
      if (at !== undefined && Date.now() - at < 60_000) return;
      touched.set(id, Date.now());
      if (touched.size > MAX_CACHED) touched.delete(touched.keys().next().value!);
      touchCredential(o.db, id).catch((err: unknown) => app.log.warn({ error: err }, 'could not record a credential use'));
    };

    // Session cookies are parsed once per request, before the hook below reads them.
    if (o.sessions && !app.hasRequestDecorator('cookies')) await app.register(fastifyCookie, { hook: 'onRequest' });

    const routes: Array<{ method: string; url: string; access: RouteAccess }> = [];
    if (!app.hasDecorator('authRoutes')) app.decorate('authRoutes', () => routes);
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      // A route may state its access itself (tests' scratch routes); otherwise the table decides.
      const explicit = route.config?.access;
      const rules = methods.map((m) => explicit ?? routeAccess(m, route.url));
      const first = rules[0];
      if (!first || rules.some((r) => !r || JSON.stringify(r) !== JSON.stringify(first))) {
        throw new Error(`route ${methods.join(',')} ${route.url} has no access rule: add one in server/src/auth/scopes.ts`);
      }
      route.config = { ...(route.config ?? {}), access: first };
      for (const method of methods) routes.push({ method, url: route.url, access: first });
      // In the OpenAPI document: how to authenticate, and the two refusals.
      const schema = route.schema as { hide?: boolean; response?: Record<string, unknown>; security?: unknown } | undefined;
      if (first.kind === 'scope' && schema && !schema.hide) {
        route.schema = { ...schema, security: [{ oauth2: [first.scope] }, { apiKey: [] }, { session: [first.scope] }], response: { ...(schema.response ?? {}), 401: ErrorBody, 403: ErrorBody } } as typeof route.schema;
      }
      if (first.kind === 'user' && schema && !schema.hide) {
        route.schema = { ...schema, security: [{ session: first.role ? [`role:${first.role}`] : [] }], response: { ...(schema.response ?? {}), 401: ErrorBody, 403: ErrorBody, ...(first.role ? { 404: ErrorBody } : {}) } } as typeof route.schema;
      }
    });

    const authenticate = async (req: FastifyRequest): Promise<Principal | SessionInfo | undefined> => {
      const header = req.headers.authorization;
      let presented: string | undefined;
      if (typeof header === 'string' && header.length) {
        const m = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
        if (!m) throw new InvalidToken('the Authorization header must be "Bearer <token>"');
        presented = m[1];
      } else if (typeof req.headers['x-api-key'] === 'string') presented = req.headers['x-api-key'];
      else if (req.method === 'GET') {
        const q = (req.query as Record<string, unknown> | undefined)?.access_token;
        if (typeof q === 'string' && q.length) presented = q;
      }
      if (presented === undefined) {
        // No header: a dashboard session, if the browser has one (looked up at every request, so a
        // sign-out or a role change applies at once).
        const sid = o.sessions?.sessionId(req);
        if (sid === null) throw new InvalidSession('the session cookie has a bad signature');
        if (sid !== undefined) {
          const s = await findSession(o.db, sid);
          if (!s) throw new InvalidSession('the session expired or was signed out');
          return s;
        }
        return o.anonymousTenant ? { tenant: o.anonymousTenant, scopes: SCOPES, kind: 'anonymous' } : undefined;
      }
      if (presented.length > 4096) throw new InvalidToken('credentials too long');
      if (presented.startsWith(API_KEY_PREFIX)) {
        const c = live(await cached(bySecret, presented, () => findBySecret(o.db, presented, 'api_key')));
        if (!c) throw new InvalidToken('unknown, revoked or expired API key');
        touch(c.id);
        return { tenant: c.tenant, scopes: c.scopes, kind: 'api_key', appId: c.appId, credentialId: c.id };
      }
      const claims = await verifyAccessToken(o.keys, o.tokens, presented);
      // A revoked client's tokens stop working too (within the cache time), not only at exp.
      const c = live(await cached(byId, claims.clientId, () => getCredential(o.db, claims.clientId)));
      if (!c || c.tenant !== claims.tenant) throw new InvalidToken('the client of this token is revoked');
      // The token's scopes, narrowed to what the client holds now.
      return { tenant: claims.tenant, scopes: claims.scopes.filter((s) => c.scopes.includes(s)), kind: 'token', appId: claims.appId, credentialId: claims.clientId };
    };

    const sameOrigin = (req: FastifyRequest): boolean => {
      const origin = req.headers.origin;
      if (origin === undefined) return true;
      try {
        return new URL(origin).host === req.host;
      } catch {
        return false;
      }
    };
    const refuse = (reply: FastifyReply, status: 401 | 403, code: string, message: string, challenge: string) => {
      reply.header('www-authenticate', `Bearer realm="clutch"${challenge}`);
      return sendError(reply, status, code, message);
    };

    // A WebSocket upgrade refused with an HTTP answer (401, 403, 404…): the socket is not the HTTP
    // server's any more, so nothing would close it after the answer; close it here.
    app.addHook('onResponse', async (req) => {
      if (req.headers.upgrade && !req.raw.socket.destroyed) req.raw.socket.destroy();
    });

    app.addHook('onRequest', async (req, reply) => {
      const access = req.routeOptions.config.access;
      if (!access || (access.kind !== 'scope' && access.kind !== 'user')) return;
      let found: Principal | SessionInfo | undefined;
      try {
        found = await authenticate(req);
      } catch (err) {
        if (!(err instanceof InvalidToken)) throw err;
        // The browser should stop sending a cookie that will never work again.
        if (err instanceof InvalidSession) o.sessions?.clearSession(reply);
        return refuse(reply, 401, 'CLUTCH_INVALID_TOKEN', `the credentials were refused: ${err.message}`, `, error="invalid_token", error_description="${err.message.replaceAll('"', "'")}"`);
      }
      let principal: Principal | undefined;
      if (found && 'hash' in found) {
        if (!o.sessions!.csrfOk(req, found.hash)) return sendError(reply, 403, 'CLUTCH_CSRF', `a request that changes something with a session cookie needs the ${CSRF_HEADER} header: the csrfToken of GET /v1/me`);
        // Cross-site WebSocket hijacking: another site's page can open a WebSocket here and the browser
        // may send our cookie with the handshake, which carries no CSRF header. A cookie-authenticated
        // upgrade must come from this site (browsers always send Origin on WebSocket handshakes).
        if (req.headers.upgrade && !sameOrigin(req)) return sendError(reply, 403, 'CLUTCH_CSRF', 'a live connection authenticated by a session cookie must come from this site (its Origin is another)');
        req.signedIn = found;
        if (found.org && found.role) principal = { tenant: found.org, scopes: ROLE_SCOPES[found.role], kind: 'session', user: { id: found.user.id, role: found.role } };
      } else principal = found;

      if (access.kind === 'user') {
        const s = req.signedIn;
        if (!s) {
          if (principal && principal.kind !== 'anonymous') return refuse(reply, 403, 'CLUTCH_USER_REQUIRED', 'this route is for a signed-in user (a dashboard session), not an app credential', '');
          return refuse(reply, 401, 'CLUTCH_UNAUTHENTICATED', 'this route needs a signed-in user: sign in at GET /auth/login/{provider} (docs/auth.md)', '');
        }
        if (!access.role) return;
        // Member routes: the role in the organisation the URL names, whatever the session's current one.
        const org = (req.params as { org?: unknown }).org;
        const role = typeof org === 'string' && org.length <= 64 ? await roleIn(o.db, org, s.user.id) : undefined;
        if (!role) return sendError(reply, 404, 'CLUTCH_ORG_NOT_FOUND', `you are not a member of an organisation ${JSON.stringify(org)}`);
        if (!atLeast(role, access.role)) return sendError(reply, 403, 'CLUTCH_ROLE_REQUIRED', `this needs the ${access.role} role (or above) in ${org as string}; yours is ${role}`);
        req.auth = { tenant: org as string, scopes: ROLE_SCOPES[role], kind: 'session', user: { id: s.user.id, role } };
        return;
      }
      if (req.signedIn && !principal) return sendError(reply, 403, 'CLUTCH_NO_ORGANISATION', 'you are in no organisation: create one (POST /v1/orgs), accept an invitation, or switch (PUT /v1/me/org)');
      if (!principal) return refuse(reply, 401, 'CLUTCH_UNAUTHENTICATED', 'this route needs credentials: an access token from POST /oauth/token, an API key, or a dashboard session (docs/auth.md)', '');
      if (!principal.scopes.includes(access.scope)) {
        return refuse(reply, 403, 'CLUTCH_INSUFFICIENT_SCOPE', `this route needs the scope ${access.scope}`, `, error="insufficient_scope", scope="${access.scope}"`);
      }
      req.auth = principal;
    });
  },
  { name: 'clutch-auth' },
);
