// Ingest end to end on embedded adapters: POST /v1/ingest/{source} → raw log → parser → drafts →
// sequencer → canonical events (gap-free seq per match) → live summary → REST. Plus every way a
// request can be wrong, and duplicate deliveries.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Envelope } from '@clutch/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/ports/event-log.ts';
import { createIngestToken } from '../../src/store/ingest-tokens.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { topicNames } from '../../src/topics.ts';
import { collect } from '../contract/event-log.contract.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';

const fixture = (p: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url)));
const get5Bodies = () => (JSON.parse(fixture('get5/wingman-bo1.json').toString()) as unknown[]).map((e) => JSON.stringify(e));
const topics = topicNames('');

describe('ingest (embedded)', () => {
  let t: TestApp;
  let token: string;
  beforeEach(async () => {
    t = await embeddedApp();
    await t.app.ready();
    await ensureTenant(t.infra.store.db, 'acme', 'Acme');
    token = (await createIngestToken(t.infra.store.db, { tenant: 'acme', source: 'get5', streamId: 'server-7' })).token;
  });
  afterEach(async () => {
    await t.dispose();
  });

  const post = (source: string, body: string | Buffer, headers: Record<string, string> = {}, query = '') =>
    t.app.inject({ method: 'POST', url: `/v1/ingest/${source}${query}`, payload: body, headers: { 'content-type': 'application/json', ...headers } });
  const auth = () => ({ authorization: `Bearer ${token}` });
  const read = async (topic: string, count: number, group = `reader-${topic}-${Math.random()}`): Promise<LogRecord[]> => {
    const sub = await t.infra.eventLog.subscribe({ groupId: group, topics: [topic] });
    try {
      return await collect(sub, count, 10_000);
    } finally {
      await sub.close();
    }
  };
  const eventCount = async () => (await t.infra.eventLog.offsets(topics.events)).reduce((n, o) => n + Number(o.high - o.low), 0);

  it('acknowledges each webhook once it is in the log, and turns the match into gap-free canonical events', async () => {
    for (const body of get5Bodies()) {
      const res = await post('get5', body, auth());
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json()).toMatchObject({ accepted: 1, rejected: [] });
    }
    const raw = await read(topics.raw, get5Bodies().length);
    expect(raw.every((r) => r.headers['clutch-tenant'] === 'acme' && r.headers['clutch-stream'] === 'server-7')).toBe(true);
    await expect.poll(eventCount, { timeout: 10_000 }).toBeGreaterThan(10);
    const n = await eventCount();
    const events = (await read(topics.events, n)).map((r) => JSON.parse(r.value.toString()) as Envelope);
    const matchIds = [...new Set(events.map((e) => e.matchId))];
    expect(matchIds).toEqual(['get5-cup-2611-0']);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.every((e) => e.tenant === 'acme' && e.source === 'get5' && e.raw?.startsWith(`${topics.raw}/`))).toBe(true);
    const types = events.map((e) => e.type);
    expect(types).toContain('match.started');
    const sent = get5Bodies().map((b) => (JSON.parse(b) as { event: string }).event);
    expect(types.filter((x) => x === 'player.killed.player')).toHaveLength(sent.filter((e) => e === 'player_death').length);
    expect(types.filter((x) => x === 'round.ended')).toHaveLength(sent.filter((e) => e === 'round_end').length);
    expect(types.lastIndexOf('match.ended')).toBeGreaterThan(types.lastIndexOf('round.ended'));
  });

  it('drops a webhook delivered twice: the events are not doubled', async () => {
    const bodies = get5Bodies();
    for (const body of bodies) await post('get5', body, auth());
    await expect.poll(eventCount, { timeout: 10_000 }).toBeGreaterThan(10);
    await new Promise((r) => setTimeout(r, 500));
    const before = await eventCount();
    // The sender (or a proxy) retries some deliveries.
    for (const body of bodies.slice(5, 15)) expect((await post('get5', body, auth())).statusCode).toBe(202);
    await expect.poll(async () => (await t.infra.eventLog.offsets(topics.raw)).reduce((n, o) => n + Number(o.high), 0), { timeout: 5000 }).toBe(bodies.length + 10);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await eventCount()).toBe(before);
  });

  it('serves the ingested match through the REST API', async () => {
    await ensureTenant(t.infra.store.db, 'demo', 'demo');
    const demoToken = (await createIngestToken(t.infra.store.db, { tenant: 'demo', source: 'get5', streamId: 'server-8' })).token;
    for (const body of get5Bodies()) await post('get5', body, { authorization: `Bearer ${demoToken}` });
    await expect.poll(async () => (await t.app.inject({ url: '/v1/matches/get5-cup-2611-0' })).json<{ status?: string }>().status, { timeout: 10_000 }).toBe('finished');
    const m = (await t.app.inject({ url: '/v1/matches/get5-cup-2611-0' })).json<{ teams: { name: string; score: number }[]; winner: string }>();
    expect(m.teams.map((x) => x.name)).toEqual(['Northwind', 'Ember Fox']);
    expect(m.teams.map((x) => x.score)).toEqual([2, 1]);
  });

  it('accepts the token in the places each source can put it', async () => {
    const body = get5Bodies()[0]!;
    expect((await post('get5', body, { 'x-clutch-ingest-token': token })).statusCode).toBe(202);
    expect((await post('get5', body, {}, `?token=${encodeURIComponent(token)}`)).statusCode).toBe(202);
  });

  it('refuses a missing or unknown token (401), a token of another source (403) and an unknown source (404)', async () => {
    const body = get5Bodies()[0]!;
    const missing = await post('get5', body);
    expect(missing.statusCode).toBe(401);
    expect(missing.json().code).toBe('CLUTCH_INGEST_UNAUTHORIZED');
    expect((await post('get5', body, { authorization: 'Bearer cit_nope' })).statusCode).toBe(401);
    const other = (await createIngestToken(t.infra.store.db, { tenant: 'acme', source: 'matchzy', streamId: 's' })).token;
    const wrong = await post('get5', body, { authorization: `Bearer ${other}` });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toEqual({ code: 'CLUTCH_INGEST_WRONG_SOURCE', message: 'this ingest token is for source "matchzy", not "get5"' });
    const unknown = await post('chess', body, auth());
    expect(unknown.statusCode).toBe(404);
  });

  it('answers bad input with 400 and a coded reason, keeps the bytes in the DLQ, and accepts the good lines of a batch', async () => {
    const bad = await post('get5', '{"event": "round_end", ', auth());
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('CLUTCH_PARSE_INVALID');
    expect(bad.json().message).toMatch(/get5: not valid JSON/);
    const [good1, good2] = get5Bodies();
    const batch = await post('get5', `${good1}\n{"not": "a get5 event"}\n${good2}\n`, { ...auth(), 'content-type': 'application/x-ndjson' });
    expect(batch.statusCode).toBe(202);
    expect(batch.json()).toMatchObject({ accepted: 2, rejected: [{ index: 1, code: 'CLUTCH_PARSE_INVALID' }] });
    const dlq = await read(topics.dlq, 2);
    expect(dlq.map((r) => r.value.toString())).toEqual(['{"event": "round_end", ', '{"not": "a get5 event"}']);
    expect(dlq.every((r) => r.headers['clutch-dlq-code'] === 'CLUTCH_PARSE_INVALID' && r.headers['clutch-dlq-stage'] === 'ingest' && r.headers['clutch-tenant'] === 'acme')).toBe(true);
    expect(dlq[1]!.headers['clutch-dlq-message']).toMatch(/get5/);
  });

  it('refuses an empty body (400) and one over the source limit (413)', async () => {
    const empty = await post('get5', '', auth());
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('CLUTCH_INGEST_EMPTY');
    const huge = await post('get5', `{"event":"x","pad":"${'x'.repeat(2 << 20)}"}`, auth());
    expect(huge.statusCode).toBe(413);
  });

  it('stores CS2 server logs with their password cvars redacted', async () => {
    const cs2 = (await createIngestToken(t.infra.store.db, { tenant: 'acme', source: 'cs2-log', streamId: 'srv' })).token;
    const log = 'L 11/24/2026 - 18:00:00: "sv_password" = "hunter2"\nL 11/24/2026 - 18:00:00: "rcon_password" = "s3cret"\nL 11/24/2026 - 18:00:00: "sv_cheats" = "false"\n';
    const res = await post('cs2-log', log, { 'content-type': 'text/plain' }, `?token=${cs2}`);
    expect(res.statusCode, res.body).toBe(202);
    const [raw] = await read(topics.raw, 1);
    expect(raw!.value.toString()).not.toMatch(/hunter2|s3cret/);
    expect(raw!.value.toString()).toContain('"sv_cheats" = "false"');
  });

  it('sheds load with 503 and Retry-After when too much is in flight', async () => {
    const small = await embeddedApp({});
    try {
      // A second app whose in-flight budget is smaller than one body.
      const { default: ingestHttp } = await import('../../src/ingest/http.ts');
      const Fastify = (await import('fastify')).default;
      const app = Fastify();
      await app.register(ingestHttp, { eventLog: small.infra.eventLog, store: small.infra.store, topics, maxInFlightBytes: 10 });
      await ensureTenant(small.infra.store.db, 'acme', 'Acme');
      const tok = (await createIngestToken(small.infra.store.db, { tenant: 'acme', source: 'get5', streamId: 's' })).token;
      const res = await app.inject({ method: 'POST', url: '/v1/ingest/get5', payload: get5Bodies()[0]!, headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json().code).toBe('CLUTCH_INGEST_OVERLOADED');
      await app.close();
    } finally {
      await small.dispose();
    }
  });
});
