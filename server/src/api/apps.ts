// An organisation's apps and their credentials (docs/auth.md), scope apps:manage:
//   POST   /v1/apps                                  create an app
//   GET    /v1/apps                                  the organisation's apps
//   GET    /v1/apps/{appId}                          one app with its credentials (never their secrets)
//   DELETE /v1/apps/{appId}                          delete it and its credentials
//   POST   /v1/apps/{appId}/credentials              an OAuth2 client or an API key: the secret is shown once
//   DELETE /v1/apps/{appId}/credentials/{id}         revoke one (its access tokens stop working within 30 s)
// A caller can only grant scopes it holds itself.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { tenantOf } from '../auth/plugin.ts';
import { SCOPES } from '../auth/scopes.ts';
import { createError } from '../errors.ts';
import { createApp, createCredential, deleteApp, getApp, listApps, listCredentials, revokeCredential, type AppInfo, type CredentialInfo } from '../store/apps.ts';
import type { Db } from '../store/db.ts';
import { ErrorBody } from './errors.ts';

export const AppNotFound = createError('CLUTCH_APP_NOT_FOUND', 'no app %s', 404);
export const CredentialNotFound = createError('CLUTCH_CREDENTIAL_NOT_FOUND', 'no live credential %s of app %s', 404);
export const ScopeNotHeld = createError('CLUTCH_SCOPE_NOT_HELD', 'you cannot grant scopes you do not hold: %s', 403);
export const AppLimit = createError('CLUTCH_APP_LIMIT', 'this organisation already has %d apps; delete one first', 409);
export const CredentialLimit = createError('CLUTCH_CREDENTIAL_LIMIT', 'this app already has %d live credentials; revoke one first', 409);

const MAX_APPS = 50;
const MAX_CREDENTIALS = 20;
const BODY_LIMIT = 16 * 1024;
const tags = ['apps'];

const AppId = Type.String({ pattern: '^app_[0-9a-f]{32}$' });
const CredentialId = Type.String({ pattern: '^(cli_)?[0-9a-f]{16}$' });
const Scopes = Type.Array(Type.Enum(SCOPES), { minItems: 1, maxItems: SCOPES.length, uniqueItems: true });
const App = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Type.String({ format: 'date-time' }) });
const Credential = Type.Object({
  id: Type.String({ description: 'The client_id of a client; the key id of an API key.' }),
  kind: Type.Enum(['client', 'api_key']),
  name: Type.String(),
  hint: Type.String({ description: 'The last 4 characters of the secret.' }),
  scopes: Scopes,
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const NewCredential = Type.Intersect([
  Credential,
  Type.Object({
    clientId: Type.Optional(Type.String()),
    clientSecret: Type.Optional(Type.String({ description: 'Shown once: store it now.' })),
    apiKey: Type.Optional(Type.String({ description: 'Shown once: store it now.' })),
  }),
]);

const appJson = (a: AppInfo) => ({ id: a.id, name: a.name, createdAt: a.createdAt.toISOString() });
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const credentialJson = (c: CredentialInfo) => ({ id: c.id, kind: c.kind, name: c.name, hint: c.hint, scopes: c.scopes, createdAt: c.createdAt.toISOString(), lastUsedAt: iso(c.lastUsedAt), expiresAt: iso(c.expiresAt), revokedAt: iso(c.revokedAt) });

const apps: FastifyPluginAsyncTypebox<{ db: Db }> = async (app, { db }) => {
  const appOf = async (tenant: string, id: string) => {
    const a = await getApp(db, tenant, id);
    if (!a) throw new AppNotFound(id);
    return a;
  };

  app.post(
    '/v1/apps',
    { bodyLimit: BODY_LIMIT, schema: { summary: 'Create an app', tags, body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }), response: { 201: App, 400: ErrorBody, 409: ErrorBody } } },
    async (req, reply) => {
      const tenant = tenantOf(req);
      if ((await listApps(db, tenant)).length >= MAX_APPS) throw new AppLimit(MAX_APPS);
      return reply.code(201).send(appJson(await createApp(db, tenant, req.body.name)));
    },
  );

  app.get('/v1/apps', { schema: { summary: "The organisation's apps", tags, response: { 200: Type.Object({ data: Type.Array(App) }) } } }, async (req) => ({ data: (await listApps(db, tenantOf(req))).map(appJson) }));

  app.get(
    '/v1/apps/:appId',
    { schema: { summary: 'An app and its credentials', tags, params: Type.Object({ appId: AppId }), response: { 200: Type.Intersect([App, Type.Object({ credentials: Type.Array(Credential) })]), 400: ErrorBody, 404: ErrorBody } } },
    async (req) => {
      const tenant = tenantOf(req);
      const a = await appOf(tenant, req.params.appId);
      return { ...appJson(a), credentials: (await listCredentials(db, tenant, a.id)).map(credentialJson) };
    },
  );

  app.delete('/v1/apps/:appId', { schema: { summary: 'Delete an app and its credentials', tags, params: Type.Object({ appId: AppId }), response: { 204: Type.Null(), 400: ErrorBody, 404: ErrorBody } } }, async (req, reply) => {
    if (!(await deleteApp(db, tenantOf(req), req.params.appId))) throw new AppNotFound(req.params.appId);
    return reply.code(204).send(null);
  });

  app.post(
    '/v1/apps/:appId/credentials',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: 'Create a credential (OAuth2 client or API key)',
        description: 'The secret (`clientSecret` or `apiKey`) is in this answer only. Scopes: at most those of the caller.',
        tags,
        params: Type.Object({ appId: AppId }),
        body: Type.Object(
          {
            kind: Type.Enum(['client', 'api_key']),
            scopes: Scopes,
            name: Type.Optional(Type.String({ maxLength: 100 })),
            expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: NewCredential, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const tenant = tenantOf(req);
      const a = await appOf(tenant, req.params.appId);
      const notHeld = req.body.scopes.filter((s) => !req.auth!.scopes.includes(s));
      if (notHeld.length) throw new ScopeNotHeld(notHeld.join(' '));
      if ((await listCredentials(db, tenant, a.id)).filter((c) => !c.revokedAt).length >= MAX_CREDENTIALS) throw new CredentialLimit(MAX_CREDENTIALS);
      const { info, secret } = await createCredential(db, {
        tenant,
        appId: a.id,
        kind: req.body.kind,
        scopes: req.body.scopes,
        ...(req.body.name !== undefined ? { name: req.body.name } : {}),
        ...(req.body.expiresInDays !== undefined ? { expiresAt: new Date(Date.now() + req.body.expiresInDays * 86_400_000) } : {}),
      });
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...credentialJson(info), ...(info.kind === 'client' ? { clientId: info.id, clientSecret: secret } : { apiKey: secret }) });
    },
  );

  app.delete(
    '/v1/apps/:appId/credentials/:id',
    { schema: { summary: 'Revoke a credential', tags, params: Type.Object({ appId: AppId, id: CredentialId }), response: { 204: Type.Null(), 400: ErrorBody, 404: ErrorBody } } },
    async (req, reply) => {
      if (!(await revokeCredential(db, tenantOf(req), req.params.appId, req.params.id))) throw new CredentialNotFound(req.params.id, req.params.appId);
      return reply.code(204).send(null);
    },
  );
};

export default apps;
