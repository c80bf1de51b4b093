// Plans and rate limits on the embedded app (limits on, no anonymous tenant): each app's budget per
// route class as its plan says, with the RateLimit fields and 429 + Retry-After; budgets per app and
// per plan; GET /v1/usage; the per-IP guard for calls without credentials and for refused
// credentials. The same limiter on Redis across two instances is measured by bench/rate-limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/auth/scopes.ts';
import { createApp, createCredential } from '../../src/store/apps.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';

describe('plans and rate limits', () => {
  let t: TestApp;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    t = await embeddedApp({ CLUTCH_AUTH_ANONYMOUS_TENANT: '', CLUTCH_RATE_LIMITS: 'on', CLUTCH_IP_REQUESTS_PER_MINUTE: '5', CLUTCH_IP_AUTH_FAILURES_PER_MINUTE: '3' });
    await t.app.ready();
    const db = t.infra.store.db;
    for (const [tenant, plan] of [['acme', 'free'], ['bigco', 'pro']] as const) {
      await ensureTenant(db, tenant, tenant);
      await db.updateTable('tenants').set({ plan }).where('id', '=', tenant).execute();
    }
    for (const [name, tenant] of [['acme1', 'acme'], ['acme2', 'acme'], ['bigco', 'bigco']] as const) {
      const app = await createApp(db, tenant, name);
      keys[name] = (await createCredential(db, { tenant, appId: app.id, kind: 'api_key', scopes: SCOPES })).secret;
    }
  });
  afterAll(async () => {
    await t?.dispose();
  });

  const burst = async (key: string, n: number, url = '/v1/matches') => {
    const started = performance.now();
    const res = await Promise.all(Array.from({ length: n }, () => t.app.inject({ url, headers: { 'x-api-key': key } })));
    return { res, elapsedMs: performance.now() - started };
  };

  it("gives each app its plan's budget per class, with RateLimit fields, then 429 with Retry-After", async () => {
    const first = await t.app.inject({ url: '/v1/matches', headers: { 'x-api-key': keys.acme1! } });
    expect(first.statusCode).toBe(200);
    // Free: 20 reads per 2 s (a burst of 20, then one every 100 ms).
    expect(first.headers['ratelimit-policy']).toBe('"read";q=20;w=2');
    expect(first.headers.ratelimit).toMatch(/^"read";r=19;t=\d+$/);
    const { res, elapsedMs } = await burst(keys.acme1!, 40);
    const ok = res.filter((r) => r.statusCode === 200).length;
    // 19 left of the burst, plus at most what refilled while the burst ran.
    expect(ok).toBeGreaterThanOrEqual(19);
    expect(ok).toBeLessThanOrEqual(19 + Math.ceil(elapsedMs / 100) + 1);
    const refused = res.find((r) => r.statusCode === 429)!;
    expect(refused.json().code).toBe('CLUTCH_RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers.ratelimit).toMatch(/^"read";r=0;t=\d+$/);
    // Another class of the same app has its own budget; another app of the same organisation too.
    expect((await t.app.inject({ url: '/v1/webhooks', headers: { 'x-api-key': keys.acme1! } })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/v1/matches', headers: { 'x-api-key': keys.acme2! } })).statusCode).toBe(200);
    // Pro: 200 reads per 2 s.
    const pro = await burst(keys.bigco!, 150);
    expect(pro.res.every((r) => r.statusCode === 200)).toBe(true);
    expect(pro.res[0]!.headers['ratelimit-policy']).toBe('"read";q=200;w=2');
  });

  it('GET /v1/usage shows the plan and the budgets without spending them', async () => {
    const a = (await t.app.inject({ url: '/v1/usage', headers: { 'x-api-key': keys.acme2! } })).json();
    const b = (await t.app.inject({ url: '/v1/usage', headers: { 'x-api-key': keys.acme2! } })).json();
    expect(a).toMatchObject({ organisation: 'acme', enforced: true, plan: { id: 'free', name: 'Free' } });
    expect(a.budgets.read).toMatchObject({ limit: 20, windowSeconds: 2 });
    // acme2 spent one read above; reading the budget spends none of it.
    expect(b.budgets.read.remaining).toBe(a.budgets.read.remaining);
    expect(b.budgets.read.remaining).toBeGreaterThanOrEqual(19);
  });

  it('guards per IP: calls without credentials, and refused credentials, are limited before any check', async () => {
    // 5 a minute without credentials (public routes included; probes are not counted).
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await t.app.inject({ url: '/openapi.json' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    for (let i = 0; i < 10; i++) expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    // 3 refused credentials a minute: the 4th call from this IP is refused even with a valid key.
    for (let i = 0; i < 3; i++) expect((await t.app.inject({ url: '/v1/matches', headers: { 'x-api-key': 'ck_0000000000000000_wrong' } })).statusCode).toBe(401);
    const blocked = await t.app.inject({ url: '/v1/matches', headers: { 'x-api-key': keys.bigco! } });
    expect([blocked.statusCode, blocked.json().code]).toEqual([429, 'CLUTCH_RATE_LIMITED']);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});
