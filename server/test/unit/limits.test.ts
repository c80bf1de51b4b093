// Plans and rate limits on the embedded app (limits on, no anonymous tenant): each app's budget per
// route class as its plan says, with the RateLimit fields and 429 + Retry-After; budgets per app and
// per plan; GET /v1/usage; the per-IP guard for calls without credentials and for refused
// credentials. The same limiter on Redis across two instances is measured by bench/rate-limit.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SCOPES } from '../../src/auth/scopes.ts';
import { createApp, createCredential } from '../../src/store/apps.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { writeBatch } from '../../src/store/usage.ts';
import { openingDuelsBundle, openingDuelsManifest } from '../plugins/opening-duels.ts';
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

  it("holds an organisation to its plan's live connections across its apps and transports (WebSocket, SSE), freeing a slot when a stream closes", async () => {
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const ws = (key: string) =>
      new Promise<{ status: number; socket?: WebSocket; body?: string }>((resolve) => {
        const s = new WebSocket(`${base.replace('http', 'ws')}/v1/live`, { headers: { 'x-api-key': key } });
        s.on('unexpected-response', (req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        s.on('error', () => {});
        s.on('open', () => resolve({ status: 101, socket: s }));
      });
    // Each read of /v1/usage spends one of Free's 20 reads per 2 s: wait out a 429 rather than read its body as usage.
    const open = async (): Promise<{ limit: number; open: number }> => {
      for (;;) {
        const r = await t.app.inject({ url: '/v1/usage', headers: { 'x-api-key': keys.acme2! } });
        if (r.statusCode !== 429) {
          expect(r.statusCode).toBe(200);
          return r.json().liveConnections;
        }
        await sleep(1000 * Number(r.headers['retry-after'] ?? 1));
      }
    };
    // Polls until the count is at most `n` (a closed socket frees its slot once the server sees the close).
    const settle = async (n: number) => {
      for (let i = 0; i < 40 && (await open()).open > n; i++) await sleep(100);
    };
    // Free: 3 at once for the whole organisation (acme1 and acme2 are both acme's).
    const held = [await ws(keys.acme1!), await ws(keys.acme1!), await ws(keys.acme2!)];
    expect(held.map((h) => h.status)).toEqual([101, 101, 101]);
    expect(await open()).toEqual({ limit: 3, open: 3 });
    const fourth = await ws(keys.acme2!);
    expect(fourth.status).toBe(429);
    expect(JSON.parse(fourth.body!).code).toBe('CLUTCH_LIVE_CONNECTION_LIMIT');
    // Another organisation is not affected.
    const other = await ws(keys.bigco!);
    expect(other.status).toBe(101);
    // SSE counts too: refused while full, served once a WebSocket has closed.
    const sse = (key: string, signal: AbortSignal) => fetch(`${base}/v1/matches/acme-none/live`, { headers: { 'x-api-key': key, accept: 'text/event-stream' }, signal });
    const stop = new AbortController();
    const refused = await sse(keys.acme2!, stop.signal);
    expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([429, 'CLUTCH_LIVE_CONNECTION_LIMIT']);
    held[0]!.socket!.close();
    await settle(2);
    expect(await open()).toEqual({ limit: 3, open: 2 });
    const stream = await sse(keys.acme2!, stop.signal);
    expect(stream.status).toBe(200);
    expect(await open()).toEqual({ limit: 3, open: 3 });
    // Closing everything frees every slot.
    stop.abort();
    for (const h of [...held.slice(1), other]) h.socket!.close();
    await settle(0);
    expect(await open()).toEqual({ limit: 3, open: 0 });
  });

  it('refuses calls over the monthly quota until the next month, but still serves usage and billing', async () => {
    const db = t.infra.store.db;
    await ensureTenant(db, 'quotaco', 'Quota Co');
    const app = await createApp(db, 'quotaco', 'q');
    const key = (await createCredential(db, { tenant: 'quotaco', appId: app.id, kind: 'api_key', scopes: SCOPES })).secret;
    // 99,999 of the free plan's 100,000 calls used this month (last month's do not count).
    const now = new Date();
    const today = now.toISOString().slice(0, 10);
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15)).toISOString().slice(0, 10);
    await writeBatch(db, 'seed-quota', [
      { tenant: 'quotaco', appId: app.id, unit: 'api_call', day: today, quantity: 99_999 },
      { tenant: 'quotaco', appId: app.id, unit: 'api_call', day: lastMonth, quantity: 500_000 },
      { tenant: 'quotaco', appId: app.id, unit: 'live_message', day: today, quantity: 900_000 },
    ]);
    const call = (url: string) => t.app.inject({ url, headers: { 'x-api-key': key } });
    expect((await call('/v1/matches')).statusCode).toBe(200);
    const over = await call('/v1/matches');
    expect([over.statusCode, over.json().code]).toEqual([429, 'CLUTCH_QUOTA_EXCEEDED']);
    const nextMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(Math.floor((nextMonth - Date.now()) / 1000) - 5);
    // Seeing usage and changing plan still work.
    const usage = await call('/v1/usage');
    expect(usage.statusCode).toBe(200);
    expect(usage.json().monthlyApiCalls).toEqual({ limit: 100_000, used: 100_000, resetsAt: new Date(nextMonth).toISOString() });
    expect((await call('/v1/billing')).statusCode).not.toBe(429);
    // Another organisation on the same plan is not affected.
    expect((await t.app.inject({ url: '/v1/matches', headers: { 'x-api-key': keys.acme2! } })).statusCode).toBe(200);
  });

  it("holds an organisation to its plan's active plugins (free: 1), counting a plugin once whatever its scopes", async () => {
    const db = t.infra.store.db;
    await ensureTenant(db, 'plugco', 'Plug Co');
    const app = await createApp(db, 'plugco', 'p');
    const key = (await createCredential(db, { tenant: 'plugco', appId: app.id, kind: 'api_key', scopes: SCOPES })).secret;
    const post = (url: string, payload: unknown = {}) => t.app.inject({ method: 'POST', url, payload: payload as object, headers: { 'x-api-key': key } });
    for (const name of ['duels-a', 'duels-b']) expect((await post('/v1/plugins', { manifest: { ...openingDuelsManifest, name }, bundle: openingDuelsBundle })).statusCode).toBe(201);
    expect((await post('/v1/plugins/duels-a/versions/1.0.0/activate')).statusCode).toBe(200);
    // The same plugin in another scope is still one plugin.
    expect((await post('/v1/plugins/duels-a/versions/1.0.0/activate', { tournament: 'major' })).statusCode).toBe(200);
    const refused = await post('/v1/plugins/duels-b/versions/1.0.0/activate');
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'CLUTCH_PLAN_LIMIT']);
    expect(refused.json().message).toContain('duels-a');
    // Freed once duels-a is active nowhere.
    expect((await post('/v1/plugins/duels-a/deactivate')).statusCode).toBe(200);
    expect((await post('/v1/plugins/duels-a/deactivate', { tournament: 'major' })).statusCode).toBe(200);
    expect((await post('/v1/plugins/duels-b/versions/1.0.0/activate')).statusCode).toBe(200);
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
