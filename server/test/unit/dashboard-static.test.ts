// The web dashboard as the server serves it (api/home.ts): /app/ from the build, / redirecting
// browsers there while API clients keep the JSON-endpoints page, caching headers fit for hashed
// assets, and every route it adds classified as public in auth/scopes.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import home from '../../src/api/home.ts';
import { routeAccess } from '../../src/auth/scopes.ts';

describe('the web dashboard at /app/', () => {
  let app: FastifyInstance | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    app = dir = undefined;
  });

  async function serve(build: boolean) {
    dir = mkdtempSync(join(tmpdir(), 'clutch-dashboard-'));
    if (build) {
      mkdirSync(join(dir, 'assets'));
      writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Clutch</title><div id="root"></div>');
      writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    }
    const routes: Array<{ method: string; url: string }> = [];
    app = Fastify();
    app.addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) routes.push({ method, url: r.url });
    });
    await app.register(home, { dashboardDir: dir });
    await app.ready();
    return routes;
  }

  it('serves the build, redirects browsers from /, and keeps the endpoints page for API clients', async () => {
    const routes = await serve(true);
    const browser = await app!.inject({ url: '/', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(browser.statusCode).toBe(302);
    expect(browser.headers.location).toBe('/app/');
    for (const accept of [undefined, 'application/json', '*/*']) {
      const api = await app!.inject({ url: '/', headers: accept ? { accept } : {} });
      expect(api.statusCode).toBe(200);
      expect(api.body).toContain('/v1/matches?status=live');
    }
    const index = await app!.inject({ url: '/app/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.body).toContain('<div id="root">');
    expect((await app!.inject({ url: '/app' })).headers.location).toBe('/app/');
    const asset = await app!.inject({ url: '/app/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app!.inject({ url: '/app/../package.json' })).statusCode).not.toBe(200);
    expect((await app!.inject({ url: '/app/missing.js' })).statusCode).toBe(404);
    // Every route it adds is public in the auth table (the server refuses to start otherwise).
    for (const r of routes) expect(routeAccess(r.method, r.url), `${r.method} ${r.url}`).toEqual({ kind: 'public' });
    expect(routes.map((r) => r.url)).toEqual(expect.arrayContaining(['/', '/app', '/app/*']));
  });

  it('without a build: / is the endpoints page for everyone and /app/ is not served', async () => {
    await serve(false);
    const res = await app!.inject({ url: '/', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('/readyz');
    expect((await app!.inject({ url: '/app/' })).statusCode).toBe(404);
  });
});
