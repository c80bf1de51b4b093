// The hostile corpus: plugins that try to escape, hang, exhaust or fool the runtime. Each says what
// the runtime must answer: a coded error, or a result `check` accepts (harmless output). Bundles are
// strings so that the linter and the type checker never see them as code of ours.
import type { Envelope } from '@clutch/core';
import { validatePlugin, type PluginDefinition } from '../../src/plugins/manifest.ts';
import type { InvokeResult } from '../../src/plugins/runtime.ts';
import { envelope } from '../support/events.ts';

export interface HostilePlugin {
  name: string;
  bundle: string;
  /** Outputs beyond the default `probe` (match, string) and `n` (player, integer). */
  capabilities?: string[];
  limits?: Record<string, number>;
  /** Expected: a CLUTCH_PLUGIN_* code (one of), 'load' for CLUTCH_PLUGIN_BUNDLE_INVALID, or 'ok'. */
  expect: string[] | 'load' | 'ok';
  /** For 'ok': what the harmless result must look like. */
  check?: (r: InvokeResult) => void;
  /** Calls to make (default 1); the corpus reports the last. */
  calls?: number;
  /** Runs as this tenant (default "mallory"). */
  tenant?: string;
}

const on = (body: string, extra = '') => `var plugin = { ${extra} onEvents(events, state, ctx) { ${body} } };`;
const probe = (expr: string) => `ctx.emit({ stat: 'probe', subject: { kind: 'match' }, value: String(${expr}) });`;

export const hostile = (assert: { equal: (a: unknown, b: unknown, what?: string) => void; ok: (v: unknown, what?: string) => void }): HostilePlugin[] => [
  // ---- time
  { name: 'loop-sync', bundle: on('while (true) {}'), expect: ['CLUTCH_PLUGIN_TIMEOUT'] },
  { name: 'loop-in-getter', capabilities: ['state'], bundle: on('return { get x() { for (;;) {} } };'), expect: ['CLUTCH_PLUGIN_TIMEOUT'] },
  { name: 'loop-at-load', bundle: 'for (;;) {}', expect: 'load' },
  { name: 'microtask-flood', bundle: on('Promise.resolve().then(function f() { return Promise.resolve().then(f); });'), expect: ['CLUTCH_PLUGIN_TIMEOUT'] },
  { name: 'regex-backtracking', bundle: on("/^(a+)+$/.test('a'.repeat(40) + 'b');"), expect: ['CLUTCH_PLUGIN_TIMEOUT'] },
  { name: 'deep-recursion', bundle: on('(function f(n) { return f(n + 1) + 1; })(0);'), expect: ['CLUTCH_PLUGIN_CRASHED'] },

  // ---- memory
  { name: 'memory-objects', limits: { memoryMiB: 8, cpuMsPerCall: 500 }, bundle: on('const a = []; for (;;) a.push({ i: a.length, s: "x" + a.length });'), expect: ['CLUTCH_PLUGIN_MEMORY'] },
  { name: 'memory-flat-strings', limits: { memoryMiB: 8, cpuMsPerCall: 500 }, bundle: on('const a = []; for (let i = 0; ; i++) a.push("y".repeat(4096) + i);'), expect: ['CLUTCH_PLUGIN_MEMORY'] },
  { name: 'memory-string-doubling', limits: { memoryMiB: 8, cpuMsPerCall: 500 }, bundle: on('let s = "z"; for (;;) { s = s + s; s.charCodeAt(s.length >> 1); }'), expect: ['CLUTCH_PLUGIN_MEMORY', 'CLUTCH_PLUGIN_CRASHED'] },
  { name: 'memory-typed-arrays', limits: { memoryMiB: 8, cpuMsPerCall: 500 }, bundle: on('const a = []; for (;;) a.push(new Float64Array(1 << 18));'), expect: ['CLUTCH_PLUGIN_MEMORY', 'CLUTCH_PLUGIN_CRASHED'] },
  { name: 'memory-one-huge-buffer', bundle: on('new ArrayBuffer(2 ** 31);'), expect: ['CLUTCH_PLUGIN_CRASHED'] },

  // ---- output
  { name: 'emit-flood', bundle: on("for (let i = 0; ; i++) ctx.emit({ stat: 'n', subject: { kind: 'player', id: 'p' }, value: i });"), expect: ['CLUTCH_PLUGIN_OUTPUT'] },
  { name: 'emit-flood-swallowed', bundle: on("for (let i = 0; i < 5000; i++) { try { ctx.emit({ stat: 'n', subject: { kind: 'player', id: 'p' }, value: i }); } catch (e) {} }"), expect: ['CLUTCH_PLUGIN_OUTPUT'] },
  { name: 'giant-state', capabilities: ['state'], bundle: on('state.blob = "s".repeat(2e6); return state;'), expect: ['CLUTCH_PLUGIN_OUTPUT'] },
  { name: 'giant-string-value', bundle: on(probe('"v".repeat(1e6)')), expect: ['CLUTCH_PLUGIN_INVALID_OUTPUT'] },
  {
    name: 'giant-logs',
    capabilities: ['log'],
    bundle: on('for (let i = 0; i < 1e5; i++) ctx.log("l".repeat(2000));'),
    expect: 'ok',
    check: (r) => {
      assert.ok(Buffer.byteLength(r.logs.join(''), 'utf8') <= 4096, 'logs capped');
      assert.ok(r.logsDropped > 99_000, 'dropped lines counted');
    },
  },
  { name: 'undeclared-stat', bundle: on("ctx.emit({ stat: 'secretStat', subject: { kind: 'match' }, value: 1 });"), expect: ['CLUTCH_PLUGIN_INVALID_OUTPUT'] },
  { name: 'wrong-type', bundle: on("ctx.emit({ stat: 'n', subject: { kind: 'player', id: 'p' }, value: 1.5 });"), expect: ['CLUTCH_PLUGIN_INVALID_OUTPUT'] },
  { name: 'deep-state', capabilities: ['state'], bundle: on('let o = {}; const root = o; for (let i = 0; i < 1e5; i++) o = o.c = {}; return root;'), expect: ['CLUTCH_PLUGIN_INVALID_OUTPUT', 'CLUTCH_PLUGIN_OUTPUT'] },
  { name: 'cyclic-state', capabilities: ['state'], bundle: on('state.self = state; return state;'), expect: ['CLUTCH_PLUGIN_INVALID_OUTPUT'] },

  // ---- prototypes and forged results
  {
    name: 'prototype-pollution',
    capabilities: ['state'],
    bundle: on(
      "Object.prototype.polluted = 'yes'; Array.prototype.push = function () { return 0; }; String.prototype.slice = function () { return 'x'; };" +
        "state['__proto__'] = { polluted: 'state' }; state.constructor = { prototype: { polluted: 'ctor' } };" +
        "ctx.emit({ stat: 'n', subject: { kind: 'player', id: '__proto__' }, value: 1 }); return JSON.parse('{\"__proto__\": {\"polluted\": \"json\"}, \"ok\": 1}');",
    ),
    expect: 'ok',
    check: (r) => {
      assert.equal(r.values.length, 1, 'one value');
      assert.equal(Object.getPrototypeOf(r.values[0]), Object.prototype, 'a plain host object');
      assert.equal(r.values[0]!.subject.id, '__proto__', 'an id is only a string');
      assert.equal((r.values[0] as unknown as Record<string, unknown>).polluted, undefined, 'no polluted property');
    },
  },
    // toJSON applies to every nested value too: the forgery recurses until the stack overflows.
  { name: 'forged-result-tojson', bundle: on('Object.prototype.toJSON = function () { return { ok: true, values: [["stolen", "player", "x", 1]], logs: [] }; };'), expect: ['CLUTCH_PLUGIN_INVALID_OUTPUT', 'CLUTCH_PLUGIN_CRASHED'] },
  { name: 'forged-result-once', bundle: on('let done = false; Object.prototype.toJSON = function () { if (done) return this; done = true; return { ok: true, values: [["stolen", "player", "x", 1]], logs: [] }; };'), expect: ['CLUTCH_PLUGIN_INVALID_OUTPUT'] },
  { name: 'forged-result-array-setter', bundle: on("Object.defineProperty(Array.prototype, '0', { set() {}, get() { return ['n', 'player', 'p', 'NaN']; }, configurable: true }); ctx.emit({ stat: 'n', subject: { kind: 'player', id: 'p' }, value: 1 });"), expect: ['CLUTCH_PLUGIN_INVALID_OUTPUT', 'ok'], check: (r) => assert.ok(r.values.every((v) => v.value === 1), 'only the real value') },

  // ---- reaching the host
  {
    name: 'host-globals',
    bundle: on(probe("[typeof process, typeof require, typeof module, typeof exports, typeof global, typeof Buffer, typeof setTimeout, typeof setInterval, typeof setImmediate, typeof queueMicrotask, typeof fetch, typeof performance, typeof WebAssembly, typeof SharedArrayBuffer, typeof Atomics, typeof eval, typeof console, typeof WeakRef, typeof FinalizationRegistry, typeof _ivm, typeof ivm].join(',')")),
    expect: 'ok',
    check: (r) => assert.equal(r.values[0]!.value, Array(21).fill('undefined').join(','), 'none of the host globals'),
  },
  { name: 'function-constructor', bundle: on("ctx.emit({ stat: 'probe', subject: { kind: 'match' }, value: String(ctx.constructor.constructor('return this')()) });"), expect: ['CLUTCH_PLUGIN_CRASHED'] },
  { name: 'async-function-constructor', bundle: on("(async function () {}).constructor('return process')();"), expect: ['CLUTCH_PLUGIN_CRASHED'] },
  { name: 'generator-constructor', bundle: on("Object.getPrototypeOf(function* () {}).constructor('yield 1');"), expect: ['CLUTCH_PLUGIN_CRASHED'] },
  {
    name: 'dynamic-import',
    calls: 2,
    bundle: on("if (!globalThis.r) { globalThis.r = 'pending'; try { import('node:fs').then(() => { globalThis.r = 'loaded'; }, (e) => { globalThis.r = 'refused'; }); } catch (e) { globalThis.r = 'refused'; } }" + probe('globalThis.r')),
    expect: 'ok',
    check: (r) => assert.ok(r.values[0]!.value !== 'loaded', `import() must not load (${String(r.values[0]!.value)})`),
  },
  { name: 'shared-memory', bundle: on('const b = new SharedArrayBuffer(8); Atomics.wait(new Int32Array(b), 0, 0);'), expect: ['CLUTCH_PLUGIN_CRASHED'] },
  {
    name: 'timing',
    bundle: on("const a = Date.now(), d = new Date().getTime(); let x = 0; for (let i = 0; i < 2e6; i++) x += i; const b = Date.now(); " + probe("[b - a, d - a, a === ctx.now(), typeof performance, Date() === new Date(ctx.now()).toString()].join(',')")),
    expect: 'ok',
    check: (r) => assert.equal(r.values[0]!.value, '0,0,true,undefined,true', 'a clock that does not move'),
  },
  {
    name: 'real-date-via-prototype',
    bundle: on("const D = Object.getPrototypeOf(new Date()).constructor; " + probe('[D === Date, new D().getTime() === ctx.now(), Reflect.construct(D, []).getTime() === ctx.now()].join(",")')),
    expect: 'ok',
    check: (r) => assert.equal(r.values[0]!.value, 'true,true,true', 'no way back to the real Date'),
  },

  // ---- thrown values
  { name: 'throw-getter-loop', bundle: on("throw { get message() { for (;;) {} }, get name() { for (;;) {} } };"), expect: ['CLUTCH_PLUGIN_CRASHED'] },
  { name: 'throw-tostring-loop', bundle: on('throw { toString() { for (;;) {} }, valueOf() { for (;;) {} } };'), expect: ['CLUTCH_PLUGIN_CRASHED'] },
  { name: 'throw-toprimitive', bundle: on('throw { [Symbol.toPrimitive]() { throw new Error("trap"); } };'), expect: ['CLUTCH_PLUGIN_CRASHED'] },
  { name: 'throw-proxy', bundle: on('throw new Proxy({}, { get() { for (;;) {} }, getOwnPropertyDescriptor() { for (;;) {} }, getPrototypeOf() { for (;;) {} } });'), expect: ['CLUTCH_PLUGIN_TIMEOUT', 'CLUTCH_PLUGIN_CRASHED'] },
  { name: 'throw-error-with-getter-stack', bundle: on("const e = new Error('x'); Object.defineProperty(e, 'stack', { get() { for (;;) {} } }); throw e;"), expect: ['CLUTCH_PLUGIN_CRASHED'] },

  // ---- promises and proxies
  { name: 'async-never-settles', bundle: 'var plugin = { async onEvents() { await new Promise(() => {}); } };', expect: ['CLUTCH_PLUGIN_INVALID_OUTPUT'] },
  { name: 'thenable-state', capabilities: ['state'], bundle: on('return { then(resolve) {} };'), expect: ['CLUTCH_PLUGIN_INVALID_OUTPUT'] },
  { name: 'proxy-state', capabilities: ['state'], bundle: on('return new Proxy({}, { ownKeys() { for (;;) {} } });'), expect: ['CLUTCH_PLUGIN_TIMEOUT'] },
  { name: 'proxy-emit', bundle: on("ctx.emit(new Proxy({}, { get(t, k) { if (k === 'subject') return new Proxy({}, { get() { for (;;) {} } }); return 'n'; } }));"), expect: ['CLUTCH_PLUGIN_TIMEOUT'] },

  // ---- other tenants and matches
  { name: 'stash-secret', tenant: 'victim', capabilities: ['state'], bundle: on("globalThis.stash = (globalThis.stash || '') + JSON.stringify(events[0]); state.secret = 'victim-state'; return state;"), expect: 'ok' },
  {
    name: 'stash-secret',
    tenant: 'mallory',
    capabilities: ['state'],
    bundle: on("state.secret = 'mallory'; " + probe("[typeof globalThis.stash, ctx.matchId, Object.keys(ctx).sort().join('/'), typeof ctx.state, typeof ctx.getState, typeof ctx.tenant].join(',')") + ' return state;'),
    expect: 'ok',
    check: (r) => assert.equal(r.values[0]!.value, 'undefined,m-hostile,emit/matchId/now/title,undefined,undefined,undefined', "no other tenant's globals, no way to ask for other state"),
  },
  { name: 'other-match-stat', bundle: on("ctx.emit({ stat: 'probe', subject: { kind: 'match', id: 'someone-elses-match' }, value: 'x' });"), expect: ['CLUTCH_PLUGIN_INVALID_OUTPUT'] },
  { name: 'ctx-tampering', bundle: on("ctx.emit = null; ctx.now = () => 0; Object.defineProperty(ctx, 'matchId', { value: 'x' });"), expect: ['CLUTCH_PLUGIN_CRASHED'] },
];

/** A corpus plugin as a validated definition: one manifest for all (CS2 kills in; a match string and a player integer out). */
export function hostileDefinition(h: HostilePlugin): PluginDefinition {
  return validatePlugin(
    {
      name: h.name,
      version: '1.0.0',
      hostApi: '^1.0.0',
      titles: ['cs2'],
      events: ['player.killed.player'],
      outputs: [
        { stat: 'probe', subject: 'match', type: 'string' },
        { stat: 'n', subject: 'player', type: 'integer' },
      ],
      capabilities: h.capabilities ?? [],
      limits: h.limits ?? {},
    },
    h.bundle,
  );
}

/** The one event every corpus plugin is called with, as its tenant. */
export const hostileEvents = (tenant: string): Envelope[] => [envelope({ tenant, title: 'cs2', matchId: 'm-hostile' }, 1, 'player.killed.player', { killer: { id: 'a', name: 'a', team: 'x' }, victim: { id: 'b', name: 'b', team: 'y' } })];
