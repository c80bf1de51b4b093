// The plugin runtime with real isolates in real worker threads: a well-behaved plugin over a match,
// state across calls and worker restarts, determinism, limits, strikes and metrics.
import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { Envelope } from '@clutch/core';
import { PluginRuntime, seedOf, type InvokeResult, type PluginDisabledEvent } from '../../src/plugins/runtime.ts';
import { validatePlugin } from '../../src/plugins/manifest.ts';
import { envelope } from '../support/events.ts';
import { openingDuelsBundle, openingDuelsManifest, openingExpected, openingMatch } from '../plugins/opening-duels.ts';

const runtimes: PluginRuntime[] = [];
const runtime = (o: ConstructorParameters<typeof PluginRuntime>[0] = {}) => {
  const rt = new PluginRuntime(o);
  runtimes.push(rt);
  return rt;
};
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.close()));
});

/** Latest value per player and stat, as a plugin's values would be kept by the host. */
function latest(results: InvokeResult[]): Record<string, [number, number, number]> {
  const out: Record<string, number[]> = {};
  for (const r of results)
    for (const v of r.values) {
      const row = (out[v.subject.id] ??= [0, 0, 0]);
      row[['openingDuels', 'openingWins', 'openingWinRate'].indexOf(v.stat)] = v.value as number;
    }
  return out as Record<string, [number, number, number]>;
}

async function runInBatches(rt: PluginRuntime, key: string, events: Envelope[], sizes: number[], between?: () => void | Promise<void>) {
  const results: InvokeResult[] = [];
  let state: string | undefined;
  let at = 0;
  for (const size of sizes) {
    const r = await rt.invoke(key, { matchId: events[0]!.matchId, events: events.slice(at, at + size), state });
    results.push(r);
    state = r.state;
    at += size;
    await between?.();
  }
  expect(at).toBe(events.length);
  return { results, state };
}

const plugin = (manifest: Record<string, unknown>, bundle: string) => validatePlugin({ name: 'probe', version: '1.0.0', hostApi: '^1.0.0', titles: ['cs2'], events: ['player.killed.player', 'round.ended'], ...manifest }, bundle);
const kills = (tenant: string, matchId: string, n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => envelope({ tenant, title: 'cs2', matchId }, from + i, 'player.killed.player', { killer: { id: `p${i % 5}`, name: 'x', team: 'a' }, victim: { id: `q${i % 5}`, name: 'y', team: 'b' } }));
/** A sample's value by metric (or histogram series) name and labels. */
const metricValue = (metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) => (name: string, labels: Record<string, string>) =>
  metrics
    .flatMap((m) => m.values.map((v) => ({ ...v, name: (v as { metricName?: string }).metricName ?? m.name })))
    .find((v) => v.name === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (err: { code?: string }) => err.code);

describe('plugin runtime', () => {
  it('computes opening duels over a CS2 match, the same in one call or in many', async () => {
    const rt = runtime();
    const h = await rt.load('acme', validatePlugin(openingDuelsManifest, openingDuelsBundle));
    expect(h).toEqual({ key: 'acme/opening-duels@1.0.0', tenant: 'acme', name: 'opening-duels', version: '1.0.0' });
    const match = openingMatch('acme', 'm-open');
    const whole = await runInBatches(rt, h.key, match, [match.length]);
    expect(latest(whole.results)).toEqual(openingExpected);
    // Only subscribed types reach the plugin: 4 round starts + 9 kills of 19 events.
    expect(whole.results[0]!.events).toBe(13);
    const split = await runInBatches(rt, h.key, match, [1, 2, 3, 5, 1, 4, 3]);
    expect(latest(split.results)).toEqual(openingExpected);
    expect(split.state).toBe(whole.state);
    expect(JSON.parse(split.state!)).toMatchObject({ players: { s1mple: { duels: 3, wins: 2 } } });
  });

  it('keeps the state the host passes across a worker restart', async () => {
    const rt = runtime();
    const h = await rt.load('acme', validatePlugin(openingDuelsManifest, openingDuelsBundle));
    const match = openingMatch('acme', 'm-restart');
    let restarts = 0;
    const { results } = await runInBatches(rt, h.key, match, [6, 7, 6], () => {
      rt.restartWorkers();
      restarts++;
    });
    expect(restarts).toBe(3);
    expect(latest(results)).toEqual(openingExpected);
  });

  it('fails a call in hand when the workers restart, without a strike', async () => {
    const rt = runtime();
    const slow = await rt.load('acme', plugin({ name: 'slow', outputs: [{ stat: 'n', subject: 'match', type: 'integer' }], limits: { cpuMsPerCall: 500 } }, 'var plugin = { onEvents(events, s, ctx) { let x = 0; for (let i = 0; i < 3e7; i++) x += i; ctx.emit({ stat: "n", subject: { kind: "match" }, value: events.length }); } }'));
    const call = rt.invoke(slow.key, { matchId: 'm', events: kills('acme', 'm', 3) });
    await new Promise((r) => setTimeout(r, 20));
    rt.restartWorkers();
    expect(await codeOf(call)).toBe('CLUTCH_PLUGIN_WORKER_RESTARTED');
    expect(rt.status(slow.key).strikes).toEqual([]);
    expect((await rt.invoke(slow.key, { matchId: 'm', events: kills('acme', 'm', 3) })).values).toEqual([{ stat: 'n', subject: { kind: 'match', id: 'm' }, value: 3 }]);
  });

  it('gives deterministic now() and random(): the last event time, and numbers seeded by match and batch', async () => {
    const rt = runtime();
    const h = await rt.load(
      'acme',
      plugin(
        { outputs: [{ stat: 'now', subject: 'match', type: 'number' }, { stat: 'dateNow', subject: 'match', type: 'number' }, { stat: 'newDate', subject: 'match', type: 'number' }, { stat: 'r', subject: 'match', type: 'string' }], capabilities: ['random'] },
        String.raw`var plugin = { onEvents(events, state, ctx) {
          ctx.emit({ stat: 'now', subject: { kind: 'match' }, value: ctx.now() });
          ctx.emit({ stat: 'dateNow', subject: { kind: 'match' }, value: Date.now() });
          ctx.emit({ stat: 'newDate', subject: { kind: 'match' }, value: new Date().getTime() });
          ctx.emit({ stat: 'r', subject: { kind: 'match' }, value: [ctx.random(), Math.random(), ctx.random()].join(',') });
        } }`,
      ),
    );
    const events = kills('acme', 'm1', 10);
    const a = await rt.invoke(h.key, { matchId: 'm1', events });
    const b = await rt.invoke(h.key, { matchId: 'm1', events });
    const last = Date.parse(events[9]!.occurredAt);
    expect(a.values.slice(0, 3).map((v) => v.value)).toEqual([last, last, last]);
    expect(b.values).toEqual(a.values);
    const nums = String(a.values[3]!.value).split(',').map(Number);
    expect(new Set(nums).size).toBe(3);
    for (const n of nums) expect(n >= 0 && n < 1).toBe(true);
    // Another batch start (seq) or another match: other numbers.
    const c = await rt.invoke(h.key, { matchId: 'm1', events: kills('acme', 'm1', 10, 2) });
    const d = await rt.invoke(h.key, { matchId: 'm2', events: kills('acme', 'm2', 10) });
    expect(c.values[3]!.value).not.toBe(a.values[3]!.value);
    expect(d.values[3]!.value).not.toBe(a.values[3]!.value);
    expect(seedOf('acme', 'm1', 1)).not.toBe(seedOf('acme', 'm1', 2));
  });

  it('gives the same values whatever the host time zone and locale: no Intl, local-time Date methods are UTC', async () => {
    const previous = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const rt = runtime();
      const h = await rt.load('acme', plugin({ name: 'tz', events: ['round.ended'], outputs: [{ stat: 's', subject: 'match', type: 'string' }] }, 'var plugin = { onEvents(events, s, ctx) { const d = new Date(Date.UTC(2026, 0, 2, 3, 4, 5)); ctx.emit({ stat: "s", subject: { kind: "match" }, value: [d.getHours(), d.getDate(), d.getTimezoneOffset(), d.toString(), d.toLocaleString(), (1234567.5).toLocaleString(), typeof Intl, "a".localeCompare("B"), Date()].join("|") }); } }'));
      const r = await rt.invoke(h.key, { matchId: 'm', events: [envelope({ tenant: 'acme', title: 'cs2', matchId: 'm' }, 1, 'round.ended', { round: 1, score: [0, 0] })] });
      // The host itself is in New York (03:04 UTC is 22:04 the day before there); the plugin never sees it.
      expect(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)).getHours()).toBe(22);
      expect(r.values[0]!.value).toBe('3|2|0|Fri, 02 Jan 2026 03:04:05 GMT|2026-01-02T03:04:05.000Z|1234567.5|undefined|1|Tue, 24 Nov 2026 18:00:01 GMT');
    } finally {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    }
  });

  it('refuses Math.random without the random capability, and has no ctx.random or ctx.log then', async () => {
    const rt = runtime();
    const h = await rt.load('acme', plugin({ outputs: [{ stat: 'caps', subject: 'match', type: 'string' }] }, 'var plugin = { onEvents(e, s, ctx) { let r = "ok"; try { Math.random(); } catch (err) { r = err.message; } ctx.emit({ stat: "caps", subject: { kind: "match" }, value: [typeof ctx.random, typeof ctx.log, typeof console, r].join("|") }); } }'));
    const r = await rt.invoke(h.key, { matchId: 'm', events: kills('acme', 'm', 1) });
    expect(r.values[0]!.value).toBe('undefined|undefined|undefined|Math.random() and ctx.random() need the "random" capability in the manifest');
  });

  it('keeps logs within the cap and says how many lines it dropped', async () => {
    const rt = runtime();
    const h = await rt.load('acme', plugin({ outputs: [{ stat: 'n', subject: 'match', type: 'integer' }], capabilities: ['log'], limits: { maxLogBytes: 1000 } }, 'var plugin = { onEvents(events, s, ctx) { ctx.log("events", events.length, { first: events[0].seq }); console.log("console too"); for (let i = 0; i < 100; i++) ctx.log("x".repeat(50)); } }'));
    const r = await rt.invoke(h.key, { matchId: 'm', events: kills('acme', 'm', 4) });
    expect(r.logs.slice(0, 2)).toEqual(['events 4 {"first":1}', 'console too']);
    expect(r.logs.join('').length).toBeLessThanOrEqual(1000);
    expect(r.logsDropped).toBeGreaterThan(70);
  });

  it('refuses calls that cross tenants or matches, or are out of order', async () => {
    const rt = runtime();
    const h = await rt.load('acme', validatePlugin(openingDuelsManifest, openingDuelsBundle));
    expect(await codeOf(rt.invoke(h.key, { matchId: 'm', events: kills('other', 'm', 2) }))).toBe('CLUTCH_PLUGIN_BAD_CALL');
    expect(await codeOf(rt.invoke(h.key, { matchId: 'm', events: [...kills('acme', 'm', 2), ...kills('acme', 'n', 1, 3)] }))).toBe('CLUTCH_PLUGIN_BAD_CALL');
    expect(await codeOf(rt.invoke(h.key, { matchId: 'm', events: [...kills('acme', 'm', 1, 5), ...kills('acme', 'm', 1, 2)] }))).toBe('CLUTCH_PLUGIN_BAD_CALL');
    const lol = [envelope({ tenant: 'acme', title: 'lol', matchId: 'm' }, 1, 'player.killed.player', { victim: { id: 'a', name: 'a' } })];
    expect(await codeOf(rt.invoke(h.key, { matchId: 'm', events: lol }))).toBe('CLUTCH_PLUGIN_BAD_CALL');
    expect(await codeOf(rt.invoke('acme/nope@1.0.0', { matchId: 'm', events: [] }))).toBe('CLUTCH_PLUGIN_NOT_FOUND');
    // No subscribed event: the plugin is not called and the state is unchanged.
    const none = [envelope({ tenant: 'acme', title: 'cs2', matchId: 'm' }, 1, 'bomb.planted', {})];
    expect(await rt.invoke(h.key, { matchId: 'm', events: none, state: '{"open":false,"players":{}}' })).toEqual({ values: [], state: '{"open":false,"players":{}}', logs: [], logsDropped: 0, events: 0, cpuMs: 0 });
  });

  it('refuses bundles that do not load, and the same version with another bundle', async () => {
    const rt = runtime();
    const load = (bundle: string) => codeOf(rt.load('acme', plugin({ name: `b${Math.random().toString(36).slice(2, 8)}`, outputs: [{ stat: 'n', subject: 'match', type: 'integer' }] }, bundle)));
    expect(await load('var plugin = {')).toBe('CLUTCH_PLUGIN_BUNDLE_INVALID');
    expect(await load('var notPlugin = {}')).toBe('CLUTCH_PLUGIN_BUNDLE_INVALID');
    expect(await load('var plugin = { onEvents: 1 }')).toBe('CLUTCH_PLUGIN_BUNDLE_INVALID');
    expect(await load('throw new Error("boom")')).toBe('CLUTCH_PLUGIN_BUNDLE_INVALID');
    expect(await load('while (true) {}')).toBe('CLUTCH_PLUGIN_BUNDLE_INVALID');
    expect(await load('import fs from "fs"; var plugin = { onEvents() {} }')).toBe('CLUTCH_PLUGIN_BUNDLE_INVALID');
    // esbuild's `--format=iife --global-name=plugin` output of an `export default`.
    expect(await load('var plugin = (() => ({ default: { onEvents() {} } }))()')).toBe('ok');
    expect(await load('const plugin = { onEvents() {} }')).toBe('ok');
    const def = validatePlugin(openingDuelsManifest, openingDuelsBundle);
    await rt.load('acme', def);
    await rt.load('acme', def);
    expect(await codeOf(rt.load('acme', validatePlugin(openingDuelsManifest, openingDuelsBundle + '\n')))).toBe('CLUTCH_PLUGIN_BAD_CALL');
    expect(await codeOf(rt.load('not a tenant!', def))).toBe('CLUTCH_PLUGIN_BAD_CALL');
  });

  it('disables a version after 3 strikes in the window, tells the caller once, and can enable it again', async () => {
    let now = 1_000_000;
    const disabled: PluginDisabledEvent[] = [];
    const registry = new Registry();
    const rt = runtime({ clock: () => now, strikes: { max: 3, windowMs: 60_000 }, metrics: registry, onDisabled: (e) => disabled.push(e) });
    // Loops forever on round 99, else counts kills.
    const h = await rt.load('acme', plugin({ name: 'flaky', outputs: [{ stat: 'kills', subject: 'match', type: 'integer' }], limits: { cpuMsPerCall: 20 } }, 'var plugin = { onEvents(events, s, ctx) { for (const e of events) if (e.type === "round.ended" && e.payload.round === 99) while (true) {} ctx.emit({ stat: "kills", subject: { kind: "match" }, value: events.length }); } }'));
    const bad = [envelope({ tenant: 'acme', title: 'cs2', matchId: 'm' }, 1, 'round.ended', { round: 99, score: [0, 0] })];
    const good = kills('acme', 'm', 3);
    expect(await codeOf(rt.invoke(h.key, { matchId: 'm', events: bad }))).toBe('CLUTCH_PLUGIN_TIMEOUT');
    expect(await codeOf(rt.invoke(h.key, { matchId: 'm', events: bad }))).toBe('CLUTCH_PLUGIN_TIMEOUT');
    // The first two strikes leave the window: still enabled after the third.
    now += 61_000;
    expect(await codeOf(rt.invoke(h.key, { matchId: 'm', events: bad }))).toBe('CLUTCH_PLUGIN_TIMEOUT');
    expect((await rt.invoke(h.key, { matchId: 'm', events: good })).values[0]!.value).toBe(3);
    expect(rt.status(h.key).strikes).toHaveLength(1);
    expect(await codeOf(rt.invoke(h.key, { matchId: 'm', events: bad }))).toBe('CLUTCH_PLUGIN_TIMEOUT');
    expect(disabled).toEqual([]);
    expect(await codeOf(rt.invoke(h.key, { matchId: 'm', events: bad }))).toBe('CLUTCH_PLUGIN_TIMEOUT');
    expect(disabled).toHaveLength(1);
    expect(disabled[0]).toMatchObject({ key: h.key, tenant: 'acme', name: 'flaky', version: '1.0.0', reason: { code: 'CLUTCH_PLUGIN_TIMEOUT' }, at: now });
    expect(disabled[0]!.strikes).toHaveLength(3);
    expect(disabled[0]!.reason.message).toContain('20 ms of CPU per call');
    expect(rt.status(h.key).disabled?.reason.code).toBe('CLUTCH_PLUGIN_TIMEOUT');
    // Disabled: refused without running, even for good input.
    expect(await codeOf(rt.invoke(h.key, { matchId: 'm', events: good }))).toBe('CLUTCH_PLUGIN_DISABLED');
    expect(disabled).toHaveLength(1);
    rt.enable(h.key);
    expect((await rt.invoke(h.key, { matchId: 'm', events: good })).values[0]!.value).toBe(3);

    const value = metricValue(await registry.getMetricsAsJSON());
    expect(value('clutch_plugin_calls_total', { plugin: h.key, outcome: 'ok' })).toBe(2);
    expect(value('clutch_plugin_calls_total', { plugin: h.key, outcome: 'error' })).toBe(5);
    expect(value('clutch_plugin_calls_total', { plugin: h.key, outcome: 'disabled' })).toBe(1);
    expect(value('clutch_plugin_errors_total', { plugin: h.key, code: 'CLUTCH_PLUGIN_TIMEOUT' })).toBe(5);
    expect(value('clutch_plugin_events_total', { plugin: h.key })).toBe(11);
    expect(value('clutch_plugin_disabled_total', { plugin: h.key })).toBe(1);
    expect(value('clutch_plugin_cpu_seconds_count', { plugin: h.key })).toBe(7);
    // Five timeouts of ~20 ms each, and two tiny calls.
    expect(value('clutch_plugin_cpu_seconds_sum', { plugin: h.key })).toBeGreaterThan(0.08);
  });

  it('charges CPU time: a call that finishes over its budget is a timeout, and the values are dropped', async () => {
    const rt = runtime();
    // ~100x its 1 ms budget of plain work, then an emit.
    const h = await rt.load('acme', plugin({ name: 'slowpoke', outputs: [{ stat: 'n', subject: 'match', type: 'integer' }], limits: { cpuMsPerCall: 1 } }, 'var plugin = { onEvents(events, s, ctx) { let x = 0; for (let i = 0; i < 3e7; i++) x = (x + i) % 7; ctx.emit({ stat: "n", subject: { kind: "match" }, value: x }); } }'));
    const err = await rt.invoke(h.key, { matchId: 'm', events: kills('acme', 'm', 1) }).then(() => undefined, (e: Error & { code?: string }) => e);
    expect(err?.code).toBe('CLUTCH_PLUGIN_TIMEOUT');
    expect(err?.message).toContain('1 ms of CPU per call');
  });

  it('never strikes a plugin that is slow only because the host is busy: its limit is CPU time, not wall time', async () => {
    // Plugin threads at nice 19 while every core is taken by busy threads at the normal priority:
    // the plugin gets a sliver of CPU, so its call takes far longer than its budget in wall time.
    const { Worker } = await import('node:worker_threads');
    const { availableParallelism } = await import('node:os');
    const busy = Array.from({ length: availableParallelism() + 1 }, () => new Worker('const end = Date.now() + 20000; while (Date.now() < end) {}', { eval: true }));
    try {
      const rt = runtime({ nice: 19 });
      const work = 'let x = 0; for (let i = 0; i < 2e6; i++) x = (x + i) % 7;';
      const h = await rt.load('acme', plugin({ name: 'honest', outputs: [{ stat: 'n', subject: 'match', type: 'integer' }], limits: { cpuMsPerCall: 100 } }, `var plugin = { onEvents(events, s, ctx) { ${work} ctx.emit({ stat: "n", subject: { kind: "match" }, value: events.length }); } }`));
      const outcomes: string[] = [];
      let slowest = 0;
      let cpu = 0;
      for (let i = 0; i < 4; i++) {
        const t0 = performance.now();
        const r = await rt.invoke(h.key, { matchId: 'm', events: kills('acme', 'm', 2, 1 + 2 * i) }).then(
          (res) => ({ code: 'ok', cpuMs: res.cpuMs }),
          (e: { code?: string }) => ({ code: e.code ?? 'error', cpuMs: 0 }),
        );
        slowest = Math.max(slowest, performance.now() - t0);
        cpu = Math.max(cpu, r.cpuMs);
        outcomes.push(r.code);
      }
      // Starved calls either finish (ok) or give up without blame (STARVED); never a strike.
      expect(outcomes.every((c) => c === 'ok' || c === 'CLUTCH_PLUGIN_STARVED'), outcomes.join(',')).toBe(true);
      expect(rt.status(h.key).strikes).toEqual([]);
      expect(rt.status(h.key).disabled).toBeUndefined();
      // The busy host did slow it past its budget in wall time (a wall-clock limit would have struck it).
      expect(slowest).toBeGreaterThan(100);
      if (cpu) expect(cpu).toBeLessThan(100);
    } finally {
      await Promise.all(busy.map((w) => w.terminate()));
    }
  }, 60_000);

  it('replaces a worker that does not answer in time; other plugins on it carry on', async () => {
    // The wall-clock limit below the plugin's own time limit: the host kills the worker.
    const restarts = new Registry();
    const rt = runtime({ workers: 1, wallTimeoutMs: 300, metrics: restarts });
    const spin = await rt.load('acme', plugin({ name: 'spin', outputs: [{ stat: 'n', subject: 'match', type: 'integer' }], limits: { cpuMsPerCall: 500 } }, 'var plugin = { onEvents() { while (true) {} } }'));
    const good = await rt.load('globex', validatePlugin(openingDuelsManifest, openingDuelsBundle));
    const match = openingMatch('globex', 'm-wall');
    const started = performance.now();
    const [spun, ok] = await Promise.all([codeOf(rt.invoke(spin.key, { matchId: 'm', events: kills('acme', 'm', 1) })), runInBatches(rt, good.key, match, [10, 9])]);
    expect(spun).toBe('CLUTCH_PLUGIN_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(latest(ok.results)).toEqual(openingExpected);
    expect(metricValue(await restarts.getMetricsAsJSON())('clutch_plugin_worker_restarts_total', { reason: 'timeout' })).toBe(1);
    expect(rt.status(spin.key).strikes[0]?.message).toContain('its worker was replaced');
  });

  it('bounds the calls waiting for a worker', async () => {
    const rt = runtime({ workers: 1, maxQueuedPerWorker: 2 });
    const h = await rt.load('acme', validatePlugin(openingDuelsManifest, openingDuelsBundle));
    const match = openingMatch('acme', 'm-q');
    const calls = Array.from({ length: 6 }, () => codeOf(rt.invoke(h.key, { matchId: 'm-q', events: match })));
    const codes = await Promise.all(calls);
    expect(codes.filter((c) => c === 'ok').length).toBe(3);
    expect(codes.filter((c) => c === 'CLUTCH_PLUGIN_OVERLOADED').length).toBe(3);
  });
});
