// The OpenAPI 3.1 document is generated from the routes themselves: every public route is in it,
// with its parameters and a response schema for its success and its documented errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedApp, type TestApp } from '../support/app.ts';

type Operation = { parameters?: Array<{ name: string; in: string }>; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };

describe('OpenAPI', () => {
  let t: TestApp;
  let doc: { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>> };
  beforeAll(async () => {
    t = await embeddedApp();
    const r = await t.app.inject({ url: '/openapi.json' });
    expect(r.statusCode).toBe(200);
    doc = r.json();
  });
  afterAll(() => t.dispose());

  it('is OpenAPI 3.1 with every public route', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Clutch API', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    for (const path of ['/v1/matches', '/v1/matches/{id}', '/v1/matches/{id}/stats', '/v1/matches/{id}/windows', '/v1/matches/{id}/live', '/v1/leaderboards/{title}/{stat}', '/v1/ingest/cs2-log', '/v1/ingest/lol-match', '/healthz', '/readyz']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
  });

  it('documents, for every /v1 operation, its parameters and a JSON error response with a CLUTCH_ code', () => {
    const ops = Object.entries(doc.paths).filter(([p]) => p.startsWith('/v1/')).flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => ({ where: `${m.toUpperCase()} ${p}`, p, op })));
    expect(ops.length).toBeGreaterThan(6);
    for (const { where, p, op } of ops) {
      for (const name of [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) expect(op.parameters?.some((x) => x.in === 'path' && x.name === name), `${where}: path parameter ${name}`).toBe(true);
      const errors = Object.keys(op.responses).filter((c) => /^4\d\d$/.test(c));
      expect(errors.length, `${where}: a 4xx response`).toBeGreaterThan(0);
      for (const c of errors) expect(JSON.stringify(op.responses[c]), `${where} ${c}: the error body`).toContain('"code"');
    }
  });

  it('serves a browsable UI at /docs', async () => {
    const r = await t.app.inject({ url: '/docs/' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
  });
});
