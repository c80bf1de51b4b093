// OWASP API Security Top 10 (2023): the categories not already covered by a test of their own
// (docs/security.md maps every category to its tests). Embedded app, no anonymous tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/auth/scopes.ts';
import { createApp, createCredential } from '../../src/store/apps.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';

describe('OWASP API Security Top 10 (2023)', () => {
  let t: TestApp;
  let key = '';
  let otherKey = '';
  let appId = '';
  beforeAll(async () => {
    t = await embeddedApp({ CLUTCH_AUTH_ANONYMOUS_TENANT: '' });
    await t.app.ready();
    for (const tenant of ['acme', 'globex']) await ensureTenant(t.infra.store.db, tenant, tenant);
    const app = await createApp(t.infra.store.db, 'acme', 'main');
    appId = app.id;
    key = (await createCredential(t.infra.store.db, { tenant: 'acme', appId: app.id, kind: 'api_key', scopes: SCOPES })).secret;
    const g = await createApp(t.infra.store.db, 'globex', 'main');
    otherKey = (await createCredential(t.infra.store.db, { tenant: 'globex', appId: g.id, kind: 'api_key', scopes: SCOPES })).secret;
    // Migrating PGlite alone takes seconds on a busy machine.
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
  });
  const as = (k: string) => ({ 'x-api-key': k });

  it('API1 broken object level authorization: another organisation gets 404 for every object of acme by id', async () => {
    const wh = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: as(key), payload: { url: 'https://hooks.example.com/x', events: ['match.started'] } });
    expect(wh.statusCode, wh.body).toBe(201);
    const id = wh.json().id as string;
    for (const url of [`/v1/webhooks/${id}`, `/v1/webhooks/${id}/deliveries`, `/v1/apps/${appId}`]) expect((await t.app.inject({ url, headers: as(otherKey) })).statusCode, url).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${id}`, headers: as(otherKey) })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/v1/webhooks/${id}`, headers: as(key) })).statusCode).toBe(200);
  });

  it('API3 broken object property level authorization: no mass assignment, no secret or internal field in any answer', async () => {
    // A body cannot set the tenant or other server-owned properties.
    const bad = await t.app.inject({ method: 'POST', url: '/v1/apps', headers: as(key), payload: { name: 'x', tenant: 'globex', id: 'app_0' } });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'CLUTCH_BAD_REQUEST']);
    const cred = await t.app.inject({ method: 'POST', url: `/v1/apps/${appId}/credentials`, headers: as(key), payload: { kind: 'api_key', scopes: ['matches:read'], tenant: 'globex' } });
    expect(cred.statusCode).toBe(400);
    // Listings show no secret, no hash, no tenant id of the storage.
    const listed = (await t.app.inject({ url: `/v1/apps/${appId}`, headers: as(key) })).body;
    expect(listed).not.toMatch(/secret_hash|secretHash|"secret"|ck_[0-9a-f]{16}_/);
    // A webhook's signing secret is in the answer that created it, and nowhere after (a hint only).
    const created = (await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: as(key), payload: { url: 'https://hooks.example.com/y', events: ['match.ended'] } })).json();
    expect(typeof created.secret).toBe('string');
    for (const url of ['/v1/webhooks', `/v1/webhooks/${created.id as string}`]) {
      const body = (await t.app.inject({ url, headers: as(key) })).body;
      expect(body).not.toContain(created.secret);
      expect(body).not.toMatch(/"secret":/);
    }
  });

  it('API6 unrestricted access to sensitive business flows: credentials and apps per organisation are capped', async () => {
    const app = (await t.app.inject({ method: 'POST', url: '/v1/apps', headers: as(key), payload: { name: 'minting' } })).json();
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) codes.push((await t.app.inject({ method: 'POST', url: `/v1/apps/${app.id}/credentials`, headers: as(key), payload: { kind: 'api_key', scopes: ['matches:read'] } })).statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(20);
    const over = await t.app.inject({ method: 'POST', url: `/v1/apps/${app.id}/credentials`, headers: as(key), payload: { kind: 'api_key', scopes: ['matches:read'] } });
    expect([over.statusCode, over.json().code]).toEqual([409, 'CLUTCH_CREDENTIAL_LIMIT']);
  });

  it('API8 security misconfiguration: errors carry no internals, unknown routes and methods get coded JSON, logs redact credentials', async () => {
    const unknown = await t.app.inject({ url: '/v1/nothing-here', headers: as(key) });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'CLUTCH_NOT_FOUND']);
    const trace = await t.app.inject({ method: 'TRACE' as 'GET', url: '/v1/matches', headers: as(key) });
    expect(trace.statusCode).toBe(404);
    expect(trace.body).not.toContain(key);
    const badJson = await t.app.inject({ method: 'POST', url: '/v1/apps', headers: { ...as(key), 'content-type': 'application/json' }, payload: '{"name":' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.body).not.toMatch(/at .*\.ts:\d+|node_modules/);
    const { loggerOptions } = await import('../../src/logger.ts');
    const paths = (loggerOptions('info').redact as { paths: string[] }).paths;
    for (const p of ['req.headers.authorization', 'req.headers["x-api-key"]', '*.secret', '*.token']) expect(paths).toContain(p);
  });

  it('API9 improper inventory management: every route has an access rule and every /v1 route is in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { security?: unknown }>> };
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`)));
    const undocumented: string[] = [];
    for (const r of t.app.authRoutes()) {
      if (!r.url.startsWith('/v1/') || r.method === 'HEAD' || r.url === '/v1/live') continue;
      if (!documented.has(`${r.method} ${r.url}`)) undocumented.push(`${r.method} ${r.url}`);
    }
    expect(undocumented).toEqual([]);
    // And each documented operation behind a scope says how to authenticate.
    expect(doc.paths['/v1/matches']!.get!.security).toEqual([{ oauth2: ['matches:read'] }, { apiKey: [] }, { session: ['matches:read'] }]);
  });
});
