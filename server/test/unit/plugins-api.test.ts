// Tenant plugins end to end on the embedded app: the lifecycle API (upload, validation, versions, test
// run, activate, deactivate, roll back, delete) and the processor running the active plugins — their
// values in GET /v1/matches/:id/plugins, in the live WebSocket deltas and in the store, a replay that
// changes nothing, a hostile plugin next to a good one (the batch goes on; 3 strikes disable it and the
// reason is shown), and tenant isolation.
import type { Envelope } from '@clutch/core';
import { createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { installErrorHandler } from '../../src/api/errors.ts';
import pluginsApi from '../../src/api/plugins.ts';
import { toRecord } from '../../src/events/codec.ts';
import { LiveService } from '../../src/gen/clutch/v1/live_pb.ts';
import { PluginRuntime } from '../../src/plugins/runtime.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { topicNames } from '../../src/topics.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';
import { openingDuelsBundle, openingDuelsManifest, openingExpected, openingMatch } from '../plugins/opening-duels.ts';

const KEY = 'opening-duels@1.0.0';
type Value = { stat: string; subject: { kind: string; id: string }; value: unknown; seq?: number };

/** The values as { player: [duels, wins, rate] }, as openingExpected has them. */
function byPlayer(values: readonly Value[]): Record<string, [unknown, unknown, unknown]> {
  const out: Record<string, [unknown, unknown, unknown]> = {};
  for (const v of values) {
    const row = (out[v.subject.id] ??= [undefined, undefined, undefined]);
    row[['openingDuels', 'openingWins', 'openingWinRate'].indexOf(v.stat)] = v.value;
  }
  return out;
}

async function until<T>(f: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tenant plugins: lifecycle API and processing', () => {
  let t: TestApp;
  let topic: string;
  let wsUrl: string;
  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) => t.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const feed = (events: readonly Envelope[]) => t.infra.eventLog.append(events.map((e) => toRecord(topic, e)));
  /** Waits until the match's stats in the store are at `seq` (the batch and its plugin rows are written). */
  const processed = (matchId: string, seq: number) =>
    until(async () => {
      const r = await t.infra.store.db.selectFrom('match_stats').select('last_seq').where('tenant_id', '=', 'demo').where('match_id', '=', matchId).executeTakeFirst();
      return r && Number(r.last_seq) >= seq;
    }, `${matchId} at seq ${seq}`);
  const outputRows = (matchId: string) =>
    t.infra.store.db.selectFrom('plugin_outputs').selectAll().where('tenant_id', '=', 'demo').where('match_id', '=', matchId).orderBy('plugin').orderBy('stat').orderBy('subject_id').execute();

  beforeAll(async () => {
    t = await embeddedApp({ CLUTCH_PLUGIN_CACHE_MS: '0' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const a = t.app.server.address();
    wsUrl = `ws://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/v1/live`;
    topic = topicNames(t.config.kafkaTopicPrefix).events;
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
  });

  it('refuses invalid uploads with coded errors', async () => {
    const bad = await inject('POST', '/v1/plugins', { manifest: { ...openingDuelsManifest, name: 'Opening Duels', outputs: [] }, bundle: openingDuelsBundle });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('CLUTCH_PLUGIN_MANIFEST_INVALID');
    expect(bad.json().details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['/name', '/outputs']));

    const host = await inject('POST', '/v1/plugins', { manifest: { ...openingDuelsManifest, hostApi: '^2.0.0' }, bundle: openingDuelsBundle });
    expect([host.statusCode, host.json().code]).toEqual([422, 'CLUTCH_PLUGIN_HOST_API_UNSUPPORTED']);

    const syntax = await inject('POST', '/v1/plugins', { manifest: openingDuelsManifest, bundle: 'var plugin = { onEvents(' });
    expect([syntax.statusCode, syntax.json().code]).toEqual([422, 'CLUTCH_PLUGIN_BUNDLE_INVALID']);
    const noPlugin = await inject('POST', '/v1/plugins', { manifest: openingDuelsManifest, bundle: 'var x = 1;' });
    expect([noPlugin.statusCode, noPlugin.json().code]).toEqual([422, 'CLUTCH_PLUGIN_BUNDLE_INVALID']);

    const extra = await inject('POST', '/v1/plugins', { manifest: openingDuelsManifest, bundle: openingDuelsBundle, extra: 1 });
    expect([extra.statusCode, extra.json().code]).toEqual([400, 'CLUTCH_BAD_REQUEST']);
    const huge = await inject('POST', '/v1/plugins', { manifest: openingDuelsManifest, bundle: `var plugin = { onEvents() {} }; // ${'x'.repeat(400 * 1024)}` });
    expect(huge.statusCode).toBe(413);
    // Nothing was stored.
    expect((await inject('GET', '/v1/plugins')).json()).toEqual({ data: [] });
  });

  it('uploads a version, refuses it again, lists and gets it', async () => {
    const up = await inject('POST', '/v1/plugins', { manifest: openingDuelsManifest, bundle: openingDuelsBundle });
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json()).toMatchObject({ name: 'opening-duels', version: '1.0.0', status: 'inactive', disabled: null, activations: [] });
    expect(up.json().sha256).toMatch(/^[0-9a-f]{64}$/);
    const again = await inject('POST', '/v1/plugins', { manifest: openingDuelsManifest, bundle: openingDuelsBundle });
    expect([again.statusCode, again.json().code]).toEqual([409, 'CLUTCH_PLUGIN_VERSION_EXISTS']);

    const list = (await inject('GET', '/v1/plugins')).json();
    expect(list.data).toEqual([{ name: 'opening-duels', description: openingDuelsManifest.description, latestVersion: '1.0.0', versions: 1, activations: [] }]);
    const one = await inject('GET', '/v1/plugins/opening-duels/versions/1.0.0');
    expect(one.json().manifest.outputs).toHaveLength(3);
    expect((await inject('GET', '/v1/plugins/opening-duels/versions')).json().data).toHaveLength(1);
    expect((await inject('GET', '/v1/plugins/nope')).json().code).toBe('CLUTCH_PLUGIN_NOT_FOUND');
    expect((await inject('GET', '/v1/plugins/opening-duels/versions/9.9.9')).json().code).toBe('CLUTCH_PLUGIN_VERSION_NOT_FOUND');
    expect((await inject('GET', '/v1/plugins/opening-duels/versions/not-semver')).statusCode).toBe(400);
  });

  it('test-runs a version over a stored match and over inline events, storing nothing', async () => {
    const events = openingMatch('demo', 'stored-1');
    await feed(events);
    await processed('stored-1', events.length);
    // The archive trails the processor: wait for the last event there.
    await until(async () => (await inject('GET', `/v1/matches/stored-1/events?afterSeq=${events.length - 1}`)).json().data?.length === 1, 'archive');

    const r = await inject('POST', '/v1/plugins/opening-duels/versions/1.0.0/test', { matchId: 'stored-1' });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    // By hand (server/test/plugins/opening-duels.ts): r1 s1mple>zywoo, r2 b1t>apex (the team kill does
    // not count), r3 zywoo>s1mple (the world kill does not count), r4 s1mple>apex.
    expect(byPlayer(body.outputs)).toEqual(openingExpected);
    expect(body.errors).toEqual([]);
    expect(body.events).toEqual({ read: events.length, passed: events.filter((e) => e.type === 'round.started' || e.type === 'player.killed.player').length });
    expect(body.calls).toBe(1);
    expect(body.timings.wallMs).toBeGreaterThan(0);
    expect(JSON.parse(body.state).players.s1mple).toEqual({ duels: 3, wins: 2 });

    // Inline events of a recorded match: their tenant is the caller's, whatever they say.
    const inline = await inject('POST', '/v1/plugins/opening-duels/versions/1.0.0/test', { events: openingMatch('someone-else', 'rec-1') });
    expect(inline.statusCode, inline.body).toBe(200);
    expect(byPlayer(inline.json().outputs)).toEqual(openingExpected);

    expect((await inject('POST', '/v1/plugins/opening-duels/versions/1.0.0/test', {})).json().code).toBe('CLUTCH_PLUGIN_TEST_INPUT_INVALID');
    expect((await inject('POST', '/v1/plugins/opening-duels/versions/1.0.0/test', { matchId: 'no-such-match' })).json().code).toBe('CLUTCH_MATCH_NOT_FOUND');
    const mixed = [...openingMatch('demo', 'x-1').slice(0, 2), ...openingMatch('demo', 'x-2').slice(2, 3)];
    expect((await inject('POST', '/v1/plugins/opening-duels/versions/1.0.0/test', { events: mixed })).json().code).toBe('CLUTCH_PLUGIN_TEST_INPUT_INVALID');
    const broken = await inject('POST', '/v1/plugins/opening-duels/versions/1.0.0/test', { events: [{ v: 1, nonsense: true }] });
    expect([broken.statusCode, broken.json().code]).toEqual([400, 'CLUTCH_PLUGIN_TEST_INPUT_INVALID']);
    // Not active: the match was processed without it, and the test runs stored nothing.
    expect(await outputRows('stored-1')).toEqual([]);
    expect((await inject('GET', '/v1/matches/stored-1/plugins')).json()).toEqual({ matchId: 'stored-1', plugins: {} });
  });

  it('runs the active version in the processor: values in REST, the live delta and the store; a replay changes nothing', async () => {
    const act = await inject('POST', '/v1/plugins/opening-duels/versions/1.0.0/activate', {});
    expect(act.json()).toEqual({ name: 'opening-duels', version: '1.0.0', tournament: null, replaced: null });
    expect((await inject('GET', '/v1/plugins/opening-duels/versions/1.0.0')).json().status).toBe('active');

    const ws = new WebSocket(wsUrl);
    const deltas: Array<{ seq: number; plugins?: Record<string, { values: Value[] }> }> = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type: string; seq: number; plugins?: Record<string, { values: Value[] }> };
      if (m.type === 'delta') deltas.push(m);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ op: 'follow', titles: ['cs2'] }));
    await new Promise((r) => setTimeout(r, 200));

    const events = openingMatch('demo', 'live-1');
    // Three batches: the plugin's state crosses them through the store/memory.
    await feed(events.slice(0, 5));
    await processed('live-1', 5);
    await feed(events.slice(5, 12));
    await processed('live-1', 12);
    await feed(events.slice(12));
    await processed('live-1', events.length);

    const rest = (await inject('GET', '/v1/matches/live-1/plugins')).json();
    expect(Object.keys(rest.plugins)).toEqual([KEY]);
    expect(byPlayer(rest.plugins[KEY].values)).toEqual(openingExpected);

    // In the live deltas, next to the built-in stats: the latest value per player over the deltas is the final one.
    await until(async () => deltas.some((d) => d.seq === events.length), 'the last delta');
    ws.close();
    const seen: Value[] = deltas.flatMap((d) => d.plugins?.[KEY]?.values ?? []);
    expect(seen.length).toBeGreaterThan(0);
    expect(byPlayer(seen)).toEqual(openingExpected);
    // The first delta (seqs 1..5: one opening duel, s1mple over zywoo) carries just those two players.
    const first = deltas.find((d) => d.seq === 5)!;
    expect(byPlayer(first.plugins![KEY]!.values)).toEqual({ s1mple: [1, 1, 100], zywoo: [1, 0, 0] });

    // A client that subscribes now gets a snapshot with every value so far, on WebSocket and on gRPC.
    const late = new WebSocket(wsUrl);
    const snapshotMessage = new Promise<{ seq: number; plugins?: Record<string, { values: Value[] }> }>((resolve) => {
      late.on('message', (d) => {
        const m = JSON.parse(d.toString()) as { type: string; seq: number; plugins?: Record<string, { values: Value[] }> };
        if (m.type === 'snapshot') resolve(m);
      });
    });
    await new Promise((resolve, reject) => late.once('open', resolve).once('error', reject));
    late.send(JSON.stringify({ op: 'subscribe', matches: [{ id: 'live-1' }] }));
    const snap = await snapshotMessage;
    late.close();
    expect(snap.seq).toBe(events.length);
    expect(Object.keys(snap.plugins ?? {})).toEqual([KEY]);
    expect(byPlayer(snap.plugins![KEY]!.values)).toEqual(openingExpected);
    const live = createClient(LiveService, createConnectTransport({ baseUrl: wsUrl.replace('ws://', 'http://').replace('/v1/live', ''), httpVersion: '1.1' }));
    const ac = new AbortController();
    for await (const m of live.subscribe({ matchId: 'live-1' }, { signal: ac.signal })) {
      expect(m.kind.case).toBe('snapshot');
      if (m.kind.case !== 'snapshot') break;
      const plugins = m.kind.value.plugins as Record<string, { values: Value[] }> | undefined;
      expect(byPlayer(plugins![KEY]!.values)).toEqual(openingExpected);
      break;
    }
    ac.abort();

    // In the store: 4 players × 3 stats, and the plugin's state with the last seq.
    const rows = await outputRows('live-1');
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.plugin === 'opening-duels' && r.version === '1.0.0')).toBe(true);
    const states = await t.infra.store.db.selectFrom('plugin_states').selectAll().where('tenant_id', '=', 'demo').where('match_id', '=', 'live-1').execute();
    expect(states.map((s) => [s.plugin, s.version, Number(s.last_seq)])).toEqual([['opening-duels', '1.0.0', events.length]]);

    // The same events again: applied already, so no plugin call, no new value, no row changed.
    const snapshot = JSON.stringify([rows, states]);
    const duplicatesBefore = await metric('clutch_processor_events_total{outcome="duplicate"}');
    const callsBefore = await metric(`clutch_plugin_calls_total{plugin="demo/${KEY}",outcome="ok"}`);
    const deltasBefore = deltas.length;
    await feed(events);
    await until(async () => (await metric('clutch_processor_events_total{outcome="duplicate"}')) >= duplicatesBefore + events.length, 'the replay');
    const statesAfter = await t.infra.store.db.selectFrom('plugin_states').selectAll().where('tenant_id', '=', 'demo').where('match_id', '=', 'live-1').execute();
    expect(JSON.stringify([await outputRows('live-1'), statesAfter])).toBe(snapshot);
    expect(await metric(`clutch_plugin_calls_total{plugin="demo/${KEY}",outcome="ok"}`)).toBe(callsBefore);
    expect(deltas.length).toBe(deltasBefore);
    // The tenant reads its plugin's runtime series at its own route (the same counters as /metrics).
    const own = await inject('GET', '/v1/plugins/opening-duels/metrics');
    expect(own.statusCode, own.body).toBe(200);
    const series = own.json().data as Array<{ metric: string; version: string; labels: Record<string, string>; value: number }>;
    expect(series.find((x) => x.metric === 'clutch_plugin_calls_total' && x.labels.outcome === 'ok')).toEqual({ metric: 'clutch_plugin_calls_total', version: '1.0.0', labels: { outcome: 'ok' }, value: callsBefore });
    expect(series.some((x) => x.metric === 'clutch_plugin_cpu_seconds_count' && x.value > 0)).toBe(true);
    expect(series.some((x) => x.metric.endsWith('_bucket'))).toBe(false);
    expect((await inject('GET', '/v1/plugins/nope/metrics')).json().code).toBe('CLUTCH_PLUGIN_NOT_FOUND');
  });

  async function metric(series: string): Promise<number> {
    const text = (await inject('GET', '/metrics')).body;
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.split(' ')[1]) : 0;
  }

  it('a hostile plugin next to a good one: the batches go on, the good values are there, 3 strikes disable it with the reason', async () => {
    const loop = {
      name: 'spin',
      version: '1.0.0',
      hostApi: '^1.0.0',
      titles: ['cs2'],
      events: ['player.killed.player'],
      outputs: [{ stat: 'spins', subject: 'match', type: 'integer' }],
      limits: { cpuMsPerCall: 20 },
    };
    const up = await inject('POST', '/v1/plugins', { manifest: loop, bundle: 'var plugin = { onEvents(events, state, ctx) { while (true) {} } };' });
    expect(up.statusCode, up.body).toBe(201);
    expect((await inject('POST', '/v1/plugins/spin/versions/1.0.0/activate', {})).statusCode).toBe(200);
    // Its test run reports the timeout in the answer (and is no strike).
    const test = (await inject('POST', '/v1/plugins/spin/versions/1.0.0/test', { events: openingMatch('demo', 'rec-2') })).json();
    expect(test.errors.map((e: { code: string }) => e.code)).toEqual(['CLUTCH_PLUGIN_TIMEOUT']);

    const events = openingMatch('demo', 'hostile-1');
    // Four batches, each with kills: three calls of spin time out, the fourth is not made (disabled).
    for (const [from, to] of [[0, 4], [4, 9], [9, 14], [14, events.length]] as const) {
      await feed(events.slice(from, to));
      await processed('hostile-1', to);
    }
    const rest = (await inject('GET', '/v1/matches/hostile-1/plugins')).json();
    expect(Object.keys(rest.plugins)).toEqual([KEY]);
    expect(byPlayer(rest.plugins[KEY].values)).toEqual(openingExpected);
    // The built-in stats went on too.
    const stats = (await inject('GET', '/v1/matches/hostile-1/stats')).json();
    expect(stats.lastSeq).toBe(events.length);

    const v = await until(async () => {
      const r = (await inject('GET', '/v1/plugins/spin/versions/1.0.0')).json();
      return r.status === 'disabled' ? r : undefined;
    }, 'spin disabled');
    expect(v.disabled.code).toBe('CLUTCH_PLUGIN_TIMEOUT');
    expect(v.disabled.strikes).toHaveLength(3);
    expect(v.disabled.message).toMatch(/limit/);
    // Still activated (the tenant sees it is disabled, not silently gone); the good one is untouched.
    expect(v.activations).toHaveLength(1);
    expect((await inject('GET', '/v1/plugins/opening-duels/versions/1.0.0')).json().status).toBe('active');
    expect(await metric(`clutch_plugin_errors_total{plugin="demo/spin@1.0.0",code="CLUTCH_PLUGIN_TIMEOUT"}`)).toBe(3);

    // Activating it again enables it: the processor calls it again (and it strikes again).
    expect((await inject('POST', '/v1/plugins/spin/versions/1.0.0/activate', {})).json().replaced).toBe('1.0.0');
    const again = (await inject('GET', '/v1/plugins/spin/versions/1.0.0')).json();
    expect([again.status, again.disabled]).toEqual(['active', null]);
    const more = openingMatch('demo', 'hostile-2');
    await feed(more);
    await processed('hostile-2', more.length);
    expect(await metric(`clutch_plugin_errors_total{plugin="demo/spin@1.0.0",code="CLUTCH_PLUGIN_TIMEOUT"}`)).toBe(4);
    expect(byPlayer((await inject('GET', '/v1/matches/hostile-2/plugins')).json().plugins[KEY].values)).toEqual(openingExpected);

    expect((await inject('POST', '/v1/plugins/spin/deactivate', {})).json()).toEqual({ name: 'spin', version: '1.0.0', tournament: null });
    expect((await inject('GET', '/v1/plugins/spin/versions/1.0.0')).json().status).toBe('inactive');
    // Without a body at all: the scope is all matches.
    const none = await t.app.inject({ method: 'POST', url: '/v1/plugins/spin/deactivate' });
    expect([none.statusCode, none.json().code]).toEqual([409, 'CLUTCH_PLUGIN_NOT_ACTIVE']);
    const badScope = await inject('POST', '/v1/plugins/spin/deactivate', { tournament: 'bad id!' });
    expect([badScope.statusCode, badScope.json().code]).toEqual([400, 'CLUTCH_BAD_REQUEST']);
  }, 60_000);

  it('activates per tournament, rolls back, and refuses to delete an active version', async () => {
    const up = await inject('POST', '/v1/plugins', { manifest: { ...openingDuelsManifest, version: '1.1.0' }, bundle: openingDuelsBundle.replace("stat: 'openingWinRate'", "stat: 'openingWinRate'") });
    expect(up.statusCode).toBe(201);
    const act = (await inject('POST', '/v1/plugins/opening-duels/versions/1.1.0/activate', {})).json();
    expect(act).toEqual({ name: 'opening-duels', version: '1.1.0', tournament: null, replaced: '1.0.0' });
    expect((await inject('GET', '/v1/plugins/opening-duels/versions/1.0.0')).json().status).toBe('inactive');

    const del = await inject('DELETE', '/v1/plugins/opening-duels/versions/1.1.0');
    expect([del.statusCode, del.json().code]).toEqual([409, 'CLUTCH_PLUGIN_ACTIVE']);

    // A tournament's activation wins over the tenant-wide one for its matches.
    expect((await inject('POST', '/v1/plugins/opening-duels/versions/1.0.0/activate', { tournament: 'major' })).statusCode).toBe(200);
    const events = openingMatch('demo', 'major-1').map((e) => ({ ...e, tournamentId: 'major' }));
    await feed(events);
    await processed('major-1', events.length);
    expect(Object.keys((await inject('GET', '/v1/matches/major-1/plugins')).json().plugins)).toEqual([KEY]);
    expect((await inject('POST', '/v1/plugins/opening-duels/deactivate', { tournament: 'major' })).statusCode).toBe(200);

    const rb = await inject('POST', '/v1/plugins/opening-duels/rollback', {});
    expect(rb.json()).toEqual({ name: 'opening-duels', version: '1.0.0', tournament: null, replaced: '1.1.0' });
    const plugin = (await inject('GET', '/v1/plugins/opening-duels')).json();
    expect(plugin.activations.map((a: { version: string; tournament: string | null }) => [a.version, a.tournament])).toEqual([['1.0.0', null]]);
    expect(plugin.versions.map((v: { version: string; status: string }) => [v.version, v.status])).toEqual([
      ['1.0.0', 'active'],
      ['1.1.0', 'inactive'],
    ]);
    expect((await inject('POST', '/v1/plugins/opening-duels/rollback', {})).json().code).toBe('CLUTCH_PLUGIN_NO_PREVIOUS_VERSION');

    expect((await inject('DELETE', '/v1/plugins/opening-duels/versions/1.1.0')).statusCode).toBe(204);
    expect((await inject('DELETE', '/v1/plugins/opening-duels/versions/1.1.0')).json().code).toBe('CLUTCH_PLUGIN_VERSION_NOT_FOUND');
    expect((await inject('DELETE', '/v1/plugins/opening-duels/versions/1.0.0')).json().code).toBe('CLUTCH_PLUGIN_ACTIVE');
    expect((await inject('POST', '/v1/plugins/opening-duels/versions/7.0.0/activate', {})).json().code).toBe('CLUTCH_PLUGIN_VERSION_NOT_FOUND');
  }, 60_000);

  it('isolates tenants: another tenant sees none of the plugins, versions or values', async () => {
    await ensureTenant(t.infra.store.db, 'acme', 'acme');
    const testRuntime = new PluginRuntime({ workers: 1 });
    const other = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true } } });
    installErrorHandler(other);
    await other.register(pluginsApi, { store: t.infra.store, tenant: () => 'acme', testRuntime });
    try {
      expect((await other.inject({ url: '/v1/plugins' })).json()).toEqual({ data: [] });
      expect((await other.inject({ url: '/v1/plugins/opening-duels' })).json().code).toBe('CLUTCH_PLUGIN_NOT_FOUND');
      expect((await other.inject({ url: '/v1/plugins/opening-duels/versions/1.0.0' })).statusCode).toBe(404);
      expect((await other.inject({ url: '/v1/plugins/opening-duels/metrics' })).json().code).toBe('CLUTCH_PLUGIN_NOT_FOUND');
      expect((await other.inject({ url: '/v1/matches/live-1/plugins' })).json().code).toBe('CLUTCH_MATCH_NOT_FOUND');
      expect((await other.inject({ method: 'POST', url: '/v1/plugins/opening-duels/versions/1.0.0/test', payload: { matchId: 'stored-1' } })).statusCode).toBe(404);
      expect((await other.inject({ method: 'POST', url: '/v1/plugins/opening-duels/versions/1.0.0/activate', payload: {} })).statusCode).toBe(404);
      expect((await other.inject({ method: 'DELETE', url: '/v1/plugins/opening-duels/versions/1.0.0' })).statusCode).toBe(404);
      // The same name and version is acme's own plugin, and the demo tenant's stays as it was.
      const up = await other.inject({ method: 'POST', url: '/v1/plugins', payload: { manifest: openingDuelsManifest, bundle: openingDuelsBundle } });
      expect(up.statusCode, up.body).toBe(201);
      expect((await inject('GET', '/v1/plugins/opening-duels/versions/1.0.0')).json().status).toBe('active');
      const rows = await sql<{ n: string }>`select count(*)::text as n from plugin_outputs where tenant_id = 'acme'`.execute(t.infra.store.db);
      expect(rows.rows[0]!.n).toBe('0');
    } finally {
      await other.close();
      await testRuntime.close();
    }
  });
});
