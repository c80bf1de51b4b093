// The OAuth2 authorization server of the API (docs/auth.md):
//   POST /oauth/token                                client credentials grant (RFC 6749 §4.4) → JWT access token (RFC 9068)
//   GET  /.well-known/jwks.json                      the keys that verify access tokens
//   GET  /.well-known/oauth-authorization-server     RFC 8414 metadata
// Errors of the token endpoint are RFC 6749 §5.2 bodies ({ error, error_description }), with our
// { code, message } next to them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import type { KeyRing } from '../auth/keys.ts';
import { parseScopes, SCOPES } from '../auth/scopes.ts';
import { issueAccessToken, type TokenSettings } from '../auth/tokens.ts';
import { findClient, touchCredential } from '../store/apps.ts';
import type { Db } from '../store/db.ts';

export interface OAuthOptions {
  db: Db;
  keys: KeyRing;
  tokens: TokenSettings;
}

const BODY_LIMIT = 8 * 1024;
const tags = ['oauth'];

const TokenAnswer = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
});
const OAuthError = Type.Object({ error: Type.String(), error_description: Type.String(), code: Type.String(), message: Type.String() });

function oauthError(reply: FastifyReply, status: 400 | 401, error: string, description: string): FastifyReply {
  reply.header('cache-control', 'no-store');
  if (status === 401) reply.header('www-authenticate', 'Basic realm="clutch"');
  return reply.code(status).send({ error, error_description: description, code: `CLUTCH_OAUTH_${error.toUpperCase()}`, message: description });
}

/** client_id and client_secret from HTTP Basic (form-urlencoded first, RFC 6749 §2.3.1) or the body. */
function clientCredentials(header: string | undefined, body: Record<string, string>): { id: string; secret: string; method: 'basic' | 'post' } | { problem: string } | undefined {
  if (header) {
    const m = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
    if (!m) return { problem: 'the Authorization header must be "Basic <base64(client_id:client_secret)>"' };
    const text = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = text.indexOf(':');
    if (i < 0) return { problem: 'Basic credentials must be client_id:client_secret' };
    try {
      const id = decodeURIComponent(text.slice(0, i).replaceAll('+', ' '));
      const secret = decodeURIComponent(text.slice(i + 1).replaceAll('+', ' '));
      if (body.client_secret !== undefined) return { problem: 'use one client authentication method, not Basic and client_secret both' };
      return { id, secret, method: 'basic' };
    } catch {
      return { problem: 'Basic credentials are not form-urlencoded' };
    }
  }
  if (body.client_id !== undefined && body.client_secret !== undefined) return { id: body.client_id, secret: body.client_secret, method: 'post' };
  return undefined;
}

const oauth: FastifyPluginAsyncTypebox<OAuthOptions> = async (app, o) => {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body as string)) {
      // RFC 6749 §3.2: parameters must not be repeated.
      if (k in out) return done(Object.assign(new Error(`parameter ${k} is repeated`), { statusCode: 400 }), undefined);
      out[k] = v;
    }
    done(null, out);
  });

  app.post(
    '/oauth/token',
    {
      bodyLimit: BODY_LIMIT,
      // Whatever fails before the handler (a body too large, a repeated parameter) is an RFC 6749 error too.
      errorHandler: (err, _req, reply) => {
        const status = (err as { statusCode?: number }).statusCode;
        if (!status || status >= 500) throw err;
        void oauthError(reply, 400, 'invalid_request', err.message);
      },
      schema: {
        summary: 'Get an access token (client credentials)',
        description:
          'OAuth2 client credentials grant (RFC 6749 §4.4). Authenticate the client with HTTP Basic (`client_id:client_secret`) or `client_id` and `client_secret` in the body; send `grant_type=client_credentials` and optionally `scope` (space-separated, a subset of the client\'s scopes; default: all of them). The answer is a JWT access token (RFC 9068) to send as `Authorization: Bearer <token>`. `application/x-www-form-urlencoded`.',
        tags,
        consumes: ['application/x-www-form-urlencoded'],
        body: Type.Record(Type.String(), Type.String()),
        response: { 200: TokenAnswer, 400: OAuthError, 401: OAuthError },
      },
    },
    async (req, reply) => {
      if (!req.headers['content-type']?.toLowerCase().startsWith('application/x-www-form-urlencoded')) return oauthError(reply, 400, 'invalid_request', 'send the parameters as application/x-www-form-urlencoded');
      const body = req.body;
      const creds = clientCredentials(req.headers.authorization, body);
      if (!creds) return oauthError(reply, 401, 'invalid_client', 'client authentication is required (HTTP Basic or client_id and client_secret)');
      if ('problem' in creds) return oauthError(reply, 400, 'invalid_request', creds.problem);
      if (body.grant_type === undefined) return oauthError(reply, 400, 'invalid_request', 'grant_type is required');
      if (body.grant_type !== 'client_credentials') return oauthError(reply, 400, 'unsupported_grant_type', 'only client_credentials is supported');
      if (creds.id.length > 128 || creds.secret.length > 256) return oauthError(reply, 401, 'invalid_client', 'unknown client or wrong secret');
      const client = await findClient(o.db, creds.id, creds.secret);
      if (!client) return oauthError(reply, 401, 'invalid_client', 'unknown client, wrong secret, or the client is revoked');
      let scopes = client.scopes;
      if (body.scope !== undefined) {
        const asked = parseScopes(body.scope);
        const notHeld = [...asked.unknown, ...asked.scopes.filter((s) => !client.scopes.includes(s))];
        if (notHeld.length) return oauthError(reply, 400, 'invalid_scope', `not granted to this client: ${notHeld.join(' ')}`);
        if (!asked.scopes.length) return oauthError(reply, 400, 'invalid_scope', 'scope is empty');
        scopes = asked.scopes;
      }
      const { token, expiresIn } = await issueAccessToken(o.keys, o.tokens, { tenant: client.tenant, clientId: client.id, appId: client.appId, scopes });
      touchCredential(o.db, client.id).catch((err: unknown) => req.log.warn({ error: err }, 'could not record a credential use'));
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return { access_token: token, token_type: 'Bearer' as const, expires_in: expiresIn, scope: scopes.join(' ') };
    },
  );

  app.get('/.well-known/jwks.json', { schema: { summary: 'Keys that verify access tokens', tags, response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) } } }, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return o.keys.jwks();
  });

  app.get('/.well-known/oauth-authorization-server', { schema: { summary: 'Authorization server metadata (RFC 8414)', tags } }, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=3600');
    const base = o.tokens.issuer.replace(/\/$/, '');
    return {
      issuer: o.tokens.issuer,
      token_endpoint: `${base}/oauth/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: SCOPES,
      response_types_supported: [],
      service_documentation: `${base}/docs`,
    };
  });
};

export default oauth;
