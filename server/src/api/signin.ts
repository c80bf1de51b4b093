// Dashboard sign-in through OAuth2/OIDC providers (docs/auth.md):
//   GET  /auth/providers              the configured providers
//   GET  /auth/login/{provider}       → 302 to the provider (authorization code + PKCE S256, state, nonce)
//   GET  /auth/callback/{provider}    ← the provider sends the browser back: code exchanged, ID token
//                                      verified, user created or found by (provider, subject), pending
//                                      invitations of a verified email accepted, session cookie set, → 302
//   POST /auth/logout                 revokes the session (needs X-CSRF-Token like any cookie write)
// A browser (Accept: text/html) whose sign-in fails is sent back to the dashboard's sign-in page with
// the error's code and message (#/signin?error=…&message=…) when the dashboard is built; API clients
// keep the JSON error.
// The sign-in in progress rides in an encrypted cookie of the browser that started it, so a callback
// from another browser (login CSRF) or with another state is refused. The redirect URI is built from
// CLUTCH_ISSUER (the public URL), never from the request's Host.
import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import Type from 'typebox';
import { signedInOf } from '../auth/plugin.ts';
import { ProviderUnavailable, SignInRefused, type ProviderConfig, type SignInProviders } from '../auth/providers.ts';
import { hashSessionId, type SessionCookies } from '../auth/session.ts';
import { createError, isClutchError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { createSession, revokeSession, signIn, startingOrg } from '../store/users.ts';
import { ErrorBody } from './errors.ts';
import { DASHBOARD_DIST, DASHBOARD_PATH } from './home.ts';

export const ProviderNotFound = createError('CLUTCH_PROVIDER_NOT_FOUND', 'no sign-in provider %s (GET /auth/providers lists them)', 404);
export const ProviderDown = createError('CLUTCH_PROVIDER_UNAVAILABLE', 'the sign-in provider %s cannot be reached; try again in a moment', 502);
export const LoginExpired = createError('CLUTCH_LOGIN_EXPIRED', 'no sign-in in progress in this browser for %s (it expires after 10 minutes): start again at /auth/login/%s', 400);
export const LoginStateMismatch = createError('CLUTCH_LOGIN_STATE_MISMATCH', 'the state sent back by %s is not the one this browser sent: start again', 400);
export const LoginDenied = createError('CLUTCH_LOGIN_DENIED', '%s refused the sign-in: %s', 401);
export const LoginFailed = createError('CLUTCH_LOGIN_FAILED', 'the sign-in with %s was refused: %s', 401);
export const AccountExists = createError('CLUTCH_ACCOUNT_EXISTS', 'the email %s already belongs to an account that signs in with another provider: sign in with that one (accounts are not linked by email)', 409);

export interface SignInOptions {
  db: Db;
  providers: SignInProviders;
  cookies: SessionCookies;
  /** The public URL of the API (CLUTCH_ISSUER): the base of redirect URIs. */
  publicUrl: string;
}

const tags = ['sign-in'];
const ProviderId = Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' });
// A path of this site only: no scheme, no host, no "//" (protocol-relative) nor "/\" (browsers read it as "//").
const RETURN_TO = /^\/(?![/\\])[\x21-\x7e]{0,511}$/;

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Where a browser lands after a failed sign-in: the dashboard's sign-in page with the server's message. */
const signInPage = (err: Error & { code: string }) => `${DASHBOARD_PATH}#/signin?${new URLSearchParams({ error: err.code, message: err.message.slice(0, 300) }).toString()}`;

const signin: FastifyPluginAsyncTypebox<SignInOptions> = async (app, o) => {
  const dashboard = existsSync(`${DASHBOARD_DIST}/index.html`);
  const redirectUri = (p: ProviderConfig) => `${o.publicUrl.replace(/\/$/, '')}/auth/callback/${p.id}`;
  const provider = (id: string) => {
    const p = o.providers.get(id);
    if (!p) throw new ProviderNotFound(id);
    return p;
  };

  app.get(
    '/auth/providers',
    {
      schema: {
        summary: 'Sign-in providers',
        description: 'The OAuth2/OIDC providers the dashboard signs in with (CLUTCH_OIDC_PROVIDERS). Empty when sign-in is not configured (the demo).',
        tags,
        security: [],
        response: { 200: Type.Object({ data: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), protocol: Type.Enum(['oidc', 'oauth2']), loginUrl: Type.String() })) }) },
      },
    },
    async () => ({ data: o.providers.list().map((p) => ({ id: p.id, name: p.label, protocol: p.kind === 'oidc' ? ('oidc' as const) : ('oauth2' as const), loginUrl: `/auth/login/${p.id}` })) }),
  );

  app.get(
    '/auth/login/:provider',
    {
      schema: {
        summary: 'Sign in: redirect to the provider',
        description: 'Starts the authorization code flow (PKCE S256, state, and a nonce for OIDC) and answers 302 to the provider. `return_to`: a path of this site to land on after signing in (default `/`).',
        tags,
        security: [],
        params: Type.Object({ provider: ProviderId }),
        querystring: Type.Object({ return_to: Type.Optional(Type.String({ pattern: RETURN_TO.source, maxLength: 512 })) }, { additionalProperties: false }),
        response: { 302: Type.Null({ description: 'Location: the provider\'s authorization endpoint.' }), 400: ErrorBody, 404: ErrorBody, 502: ErrorBody },
      },
    },
    async (req, reply) => {
      const p = provider(req.params.provider);
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      let url: URL;
      try {
        url = await o.providers.authorizationUrl(p, { redirectUri: redirectUri(p), state, nonce, codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier) });
      } catch (err) {
        req.log.warn({ provider: p.id, reason: (err as Error).message }, 'sign-in provider unavailable');
        throw new ProviderDown(p.id);
      }
      o.cookies.setLogin(reply, { provider: p.id, state, nonce, codeVerifier, returnTo: req.query.return_to ?? '/' });
      return reply.header('cache-control', 'no-store').redirect(url.href, 302);
    },
  );

  app.get(
    '/auth/callback/:provider',
    {
      schema: {
        summary: 'Sign in: the provider\'s answer',
        description:
          'Where the provider sends the browser back (register `<CLUTCH_ISSUER>/auth/callback/{provider}`). Checks the state against the sign-in cookie of this browser, exchanges the code with the PKCE verifier, verifies the ID token (issuer, audience, nonce, expiry, signature with the provider\'s JWKS), creates the user or finds them by (provider, subject), accepts pending invitations of their verified email, sets the session cookie and answers 302 to `return_to`.',
        tags,
        security: [],
        params: Type.Object({ provider: ProviderId }),
        // Providers add parameters of their own (session_state, scope, authuser…): allowed, ignored.
        querystring: Type.Object(
          {
            code: Type.Optional(Type.String({ maxLength: 4096 })),
            state: Type.Optional(Type.String({ maxLength: 1024 })),
            iss: Type.Optional(Type.String({ maxLength: 2048 })),
            error: Type.Optional(Type.String({ maxLength: 256 })),
            error_description: Type.Optional(Type.String({ maxLength: 2048 })),
          },
          { additionalProperties: true },
        ),
        response: { 302: Type.Null({ description: 'Signed in: Set-Cookie with the session; Location: return_to.' }), 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 502: ErrorBody },
      },
    },
    async (req, reply) => {
      try {
        return await callback(req, reply);
      } catch (err) {
        if (dashboard && isClutchError(err) && /\btext\/html\b/.test(req.headers.accept ?? '')) {
          req.log.info({ code: err.code }, 'sign-in failed: back to the dashboard');
          return reply.header('cache-control', 'no-store').redirect(signInPage(err), 302);
        }
        throw err;
      }
    },
  );

  const callback = async (req: FastifyRequest<{ Params: { provider: string }; Querystring: { code?: string; state?: string; error?: string; error_description?: string } }>, reply: FastifyReply) => {
    const p = provider(req.params.provider);
    const login = o.cookies.login(req);
    // Single use: whatever happens next, this attempt is over.
    o.cookies.clearLogin(reply);
    reply.header('cache-control', 'no-store');
    if (!login || login.provider !== p.id) throw new LoginExpired(p.id, p.id);
    const q = req.query;
    if (q.error) throw new LoginDenied(p.label, `${q.error}${q.error_description ? ` (${q.error_description.slice(0, 200)})` : ''}`);
    if (!q.state || !same(q.state, login.state)) throw new LoginStateMismatch(p.label);
    const search = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    let identity;
    try {
      identity = await o.providers.identify(p, { currentUrl: new URL(redirectUri(p) + search), state: login.state, nonce: login.nonce, codeVerifier: login.codeVerifier });
    } catch (err) {
      // The reason names the failed check; tokens and codes are never logged.
      if (err instanceof SignInRefused) {
        req.log.warn({ provider: p.id, reason: err.reason }, 'sign-in refused');
        throw new LoginFailed(p.label, err.reason);
      }
      if (err instanceof ProviderUnavailable) {
        req.log.warn({ provider: p.id, reason: err.message }, 'sign-in provider unavailable');
        throw new ProviderDown(p.id);
      }
      throw err;
    }
    const r = await signIn(o.db, { provider: p.id, subject: identity.subject, email: identity.email, name: identity.name });
    if ('problem' in r) throw new AccountExists(identity.email ?? '');
    // A session id is never reused across sign-ins (fixation): the previous one of this browser ends.
    const previous = o.cookies.sessionId(req);
    if (previous) await revokeSession(o.db, hashSessionId(previous));
    const s = await createSession(o.db, { userId: r.user.id, org: await startingOrg(o.db, r.user.id), provider: p.id, ttlSeconds: o.cookies.settings.ttlSeconds });
    o.cookies.setSession(reply, s.id, s.expiresAt);
    req.log.info({ user: r.user.id, provider: p.id, invitationsAccepted: r.accepted.length }, 'signed in');
    return reply.redirect(login.returnTo, 302);
  };

  app.post(
    '/auth/logout',
    {
      bodyLimit: 1024,
      schema: {
        summary: 'Sign out',
        description: 'Revokes the session (at once, on every instance) and clears its cookie. Needs the `X-CSRF-Token` header.',
        tags,
        response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req, reply) => {
      await revokeSession(o.db, signedInOf(req).hash);
      o.cookies.clearSession(reply);
      return reply.code(204).send(null);
    },
  );
};

export default signin;
