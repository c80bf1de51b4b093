// The OpenAPI 3.1 document, generated from the routes' own TypeBox schemas (one response schema per
// status code), at GET /openapi.json, and a browsable UI at /docs. Register before any route.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

const openapi: FastifyPluginAsync<{ version: string; tokenUrl: string; scopes: Record<string, string>; sessionCookie: string }> = async (app, opts) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Clutch API',
        version: opts.version,
        description:
          'Real-time e-sports statistics: matches, stats, windows, leaderboards, live delivery. Errors: `{ "code", "message", "details"? }` with a stable `CLUTCH_*` code (docs/api.md). Live: WebSocket `/v1/live` and SSE `/v1/matches/{id}/live` (docs/live.md). Authentication: an access token from `POST /oauth/token` (client credentials) as `Authorization: Bearer <token>`, or an API key as `X-API-Key`; the dashboard signs users in through OAuth2/OIDC providers (`/auth/…`) into a session cookie (docs/auth.md).',
      },
      components: {
        securitySchemes: {
          oauth2: { type: 'oauth2', description: 'JWT access tokens (RFC 9068) by the client credentials grant.', flows: { clientCredentials: { tokenUrl: opts.tokenUrl, scopes: opts.scopes } } },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key (`ck_…`); also accepted as `Authorization: Bearer ck_…`.' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: opts.sessionCookie,
            description:
              'A dashboard session: the cookie set by the sign-in (`GET /auth/login/{provider}`, OAuth2/OIDC). It acts in the user\'s current organisation with the scopes of their role there (listed per operation; `role:<role>` means that role or above in the organisation of the URL). Requests other than GET/HEAD also need the `X-CSRF-Token` header (`csrfToken` of `GET /v1/me`).',
          },
        },
      },
    },
    // A parameter with a default is optional for the caller (the route's schema lists it as required
    // only so that the handler always sees a value): say so, or generated clients demand it.
    transform: ({ schema, url }) => {
      const s = schema as { querystring?: { required?: string[]; properties?: Record<string, { default?: unknown }> } } | undefined;
      const q = s?.querystring;
      if (!q?.required || !q.properties) return { schema: schema!, url };
      const required = q.required.filter((k) => q.properties![k]?.default === undefined);
      return { schema: { ...schema!, querystring: { ...q, required } } as typeof schema & object, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};

export default fp(openapi, { name: 'clutch-openapi' });
