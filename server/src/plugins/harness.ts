// The code the host runs inside each plugin isolate before the bundle: it removes what a plugin must
// not have (code from strings, shared memory, WebAssembly, GC observers, console), makes time and
// randomness deterministic, and returns one dispatch function the host keeps a Reference to (it is
// never put on the global object, so the bundle cannot replace it).
//
// Everything crosses the isolate boundary as strings: events and state go in as JSON text, the result
// comes out as one JSON text. The result is plugin output: a plugin can tamper with the intrinsics
// this code uses after it ran (Object.prototype.toJSON, Array.prototype setters…), so the worker
// re-checks every size, count, type and declared stat (sandbox.ts, output.ts). This code only stops a
// runaway plugin early and makes the exception text without calling into the host.
//
// Plain JavaScript in a string, evaluated as a function expression; `cfg` is JSON text:
// { capabilities: string[], maxEmits, maxStateBytes, maxLogBytes }.
export const HARNESS_SOURCE = String.raw`(function (cfgText) {
  'use strict';
  const G = globalThis;
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const apply = Reflect.apply;
  const construct = Reflect.construct;
  const getOwn = Object.getOwnPropertyDescriptor;
  const getProto = Object.getPrototypeOf;
  const define = Object.defineProperty;
  const freeze = Object.freeze;
  const isArray = Array.isArray;
  const ErrorCtor = Error;
  const EvalErrorCtor = EvalError;
  const RealDate = Date;
  const StringCtor = String;
  const imul = Math.imul;
  const cfg = parse(cfgText);
  const caps = cfg.capabilities;
  const canState = caps.indexOf('state') !== -1;
  const canLog = caps.indexOf('log') !== -1;
  const canRandom = caps.indexOf('random') !== -1;
  const MAX_LINE = 1024;
  const MAX_DETAIL = 600;

  // ---- what a plugin must not have
  for (const name of ['eval', 'SharedArrayBuffer', 'Atomics', 'WebAssembly', 'WeakRef', 'FinalizationRegistry', 'console']) delete G[name];
  const noCodegen = function Function() { throw new EvalErrorCtor('code generation from strings is disabled in plugins'); };
  const fnProtos = [getProto(function () {}), getProto(async function () {}), getProto(function* () {}), getProto(async function* () {})];
  define(noCodegen, 'prototype', { value: fnProtos[0], writable: false, enumerable: false, configurable: false });
  for (const p of fnProtos) define(p, 'constructor', { value: noCodegen, writable: false, enumerable: false, configurable: false });
  define(G, 'Function', { value: noCodegen, writable: false, enumerable: false, configurable: false });

  // ---- deterministic time: Date.now() and new Date() are the host's "now" (the batch's last event)
  let nowMs = 0;
  const FakeDate = function Date(...args) {
    if (new.target === undefined) return new RealDate(nowMs).toString();
    return construct(RealDate, args.length === 0 ? [nowMs] : args, new.target);
  };
  define(FakeDate, 'prototype', { value: RealDate.prototype, writable: false, enumerable: false, configurable: false });
  define(RealDate.prototype, 'constructor', { value: FakeDate, writable: false, enumerable: false, configurable: false });
  define(FakeDate, 'now', { value: function now() { return nowMs; }, writable: false, enumerable: false, configurable: false });
  define(FakeDate, 'parse', { value: RealDate.parse, writable: false, enumerable: false, configurable: false });
  define(FakeDate, 'UTC', { value: RealDate.UTC, writable: false, enumerable: false, configurable: false });
  define(G, 'Date', { value: FakeDate, writable: false, enumerable: false, configurable: false });

  // ---- no host locale or time zone: local-time Date methods are their UTC twins, toLocale* are the
  // plain conversions, and there is no Intl. A plugin gives the same values on every host.
  delete G.Intl;
  const DP = RealDate.prototype;
  const same = (proto, name, fn) => define(proto, name, { value: fn, writable: false, enumerable: false, configurable: false });
  for (const part of ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds']) {
    same(DP, 'get' + part, DP['getUTC' + part]);
    if (part !== 'Day') same(DP, 'set' + part, DP['setUTC' + part]);
  }
  same(DP, 'getTimezoneOffset', function getTimezoneOffset() { return 0; });
  const toISO = DP.toISOString;
  const toUTC = DP.toUTCString;
  const isValid = (d) => d.getTime() === d.getTime();
  same(DP, 'toString', function toString() { return apply(toUTC, this, []); });
  same(DP, 'toDateString', function toDateString() { return isValid(this) ? apply(toUTC, this, []).slice(0, 16) : 'Invalid Date'; });
  same(DP, 'toTimeString', function toTimeString() { return isValid(this) ? apply(toUTC, this, []).slice(17) : 'Invalid Date'; });
  same(DP, 'toLocaleString', function toLocaleString() { return isValid(this) ? apply(toISO, this, []) : 'Invalid Date'; });
  same(DP, 'toLocaleDateString', function toLocaleDateString() { return isValid(this) ? apply(toISO, this, []).slice(0, 10) : 'Invalid Date'; });
  same(DP, 'toLocaleTimeString', function toLocaleTimeString() { return isValid(this) ? apply(toISO, this, []).slice(11) : 'Invalid Date'; });
  same(Number.prototype, 'toLocaleString', Number.prototype.toString);
  same(BigInt.prototype, 'toLocaleString', BigInt.prototype.toString);
  same(Array.prototype, 'toLocaleString', function toLocaleString() { return apply(Array.prototype.join, this, [',']); });
  same(String.prototype, 'toLocaleUpperCase', String.prototype.toUpperCase);
  same(String.prototype, 'toLocaleLowerCase', String.prototype.toLowerCase);
  same(String.prototype, 'localeCompare', function localeCompare(that) { const a = StringCtor(this); const b = StringCtor(that); return a < b ? -1 : a > b ? 1 : 0; });

  // ---- deterministic randomness: mulberry32 seeded by the host per match and batch
  let seed = 0;
  const random = function random() {
    if (!canRandom) throw new ErrorCtor('Math.random() and ctx.random() need the "random" capability in the manifest');
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  define(Math, 'random', { value: random, writable: false, enumerable: false, configurable: false });

  // ---- per-call output, reset by every call
  let active = false;
  let values = [];
  let count = 0;
  let overflow = '';
  let invalid = '';
  let logs = [];
  let logBytes = 0;
  let logsDropped = 0;

  function emit(v) {
    if (!active) throw new ErrorCtor('ctx.emit() may only be called while onEvents runs');
    if (count >= cfg.maxEmits) {
      overflow = 'more than ' + cfg.maxEmits + ' values emitted in one call';
      throw new ErrorCtor(overflow);
    }
    // Copy primitives out now: later changes to the object do not matter.
    const subject = v === null || typeof v !== 'object' ? undefined : v.subject;
    const item = [v === null || typeof v !== 'object' ? undefined : v.stat, subject === null || typeof subject !== 'object' ? undefined : subject.kind, subject === null || typeof subject !== 'object' ? undefined : subject.id, v === null || typeof v !== 'object' ? undefined : v.value];
    for (let i = 0; i < 4; i++) {
      const t = typeof item[i];
      if (t !== 'string' && t !== 'number' && t !== 'boolean' && t !== 'undefined') {
        invalid = 'ctx.emit() takes { stat, subject: { kind, id }, value } with a string, number or boolean value';
        throw new ErrorCtor(invalid);
      }
      if (t === 'string' && item[i].length > 1024) {
        invalid = 'ctx.emit(): a string longer than 1024 characters';
        throw new ErrorCtor(invalid);
      }
    }
    values[count++] = item;
  }

  function text(x) {
    if (typeof x === 'string') return x;
    if (x === null || (typeof x !== 'object' && typeof x !== 'function')) return StringCtor(x);
    try { const s = stringify(x); return typeof s === 'string' ? s : '[unserialisable]'; } catch (e) { return '[unserialisable]'; }
  }

  function log(...args) {
    if (!active) return;
    if (logBytes >= cfg.maxLogBytes) { logsDropped++; return; }
    let line = '';
    for (let i = 0; i < args.length && line.length < MAX_LINE; i++) line += (i ? ' ' : '') + text(args[i]);
    if (line.length > MAX_LINE) line = line.slice(0, MAX_LINE);
    if (logBytes + line.length > cfg.maxLogBytes) { logsDropped++; logBytes = cfg.maxLogBytes; return; }
    logBytes += line.length;
    logs[logs.length] = line;
  }
  if (canLog) G.console = freeze({ log: log, info: log, warn: log, error: log, debug: log });

  // The text of a thrown value, read inside the isolate from data properties only (no getters, no
  // toString, no Symbol.toPrimitive); proxies run their traps here, under the call's time limit.
  function describe(e) {
    try {
      if (typeof e === 'string') return e.slice(0, MAX_DETAIL);
      if (e === null || (typeof e !== 'object' && typeof e !== 'function')) return typeof e === 'symbol' ? 'a symbol' : StringCtor(e);
      let name = 'a thrown ' + typeof e;
      let message = '';
      let o = e;
      for (let i = 0; i < 16 && o; i++) {
        const d = getOwn(o, 'name');
        if (d) { if (typeof d.value === 'string') name = d.value; break; }
        o = getProto(o);
      }
      const m = getOwn(e, 'message');
      if (m && typeof m.value === 'string') message = m.value;
      let where = '';
      const s = getOwn(e, 'stack');
      if (s && typeof s.value === 'string') {
        const at = s.value.split('\n').filter(function (l) { return l.indexOf('    at ') === 0; })[0];
        if (at) where = ' (' + at.trim() + ')';
      }
      return (name + (message ? ': ' + message : '') + where).slice(0, MAX_DETAIL);
    } catch (err) {
      return 'a thrown value that could not be described';
    }
  }

  function isThenable(x) {
    return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof x.then === 'function';
  }

  function fault(code, detail) {
    return stringify({ ok: false, code: code, detail: StringCtor(detail).slice(0, MAX_DETAIL) });
  }

  let onEvents;
  let init;
  let self;

  function load() {
    let p;
    try {
      p = typeof plugin === 'undefined' ? undefined : plugin;
      if (p !== null && typeof p === 'object' && p.default !== null && typeof p.default === 'object' && typeof p.onEvents !== 'function') p = p.default;
      if (p === null || typeof p !== 'object' || typeof p.onEvents !== 'function') return fault('CLUTCH_PLUGIN_BUNDLE_INVALID', 'the bundle must define a global "plugin" = { init?(ctx), onEvents(events, state, ctx) }');
      if (p.init !== undefined && typeof p.init !== 'function') return fault('CLUTCH_PLUGIN_BUNDLE_INVALID', 'plugin.init must be a function when present');
      onEvents = p.onEvents;
      init = p.init;
      self = p;
    } catch (e) {
      return fault('CLUTCH_PLUGIN_BUNDLE_INVALID', describe(e));
    }
    return stringify({ ok: true });
  }

  function call(eventsText, stateText, metaText) {
    const meta = parse(metaText);
    nowMs = meta.now;
    seed = meta.seed | 0;
    values = [];
    count = 0;
    overflow = '';
    invalid = '';
    logs = [];
    logBytes = 0;
    logsDropped = 0;
    const ctx = { matchId: meta.matchId, title: meta.title, emit: emit, now: function now() { return nowMs; } };
    if (canLog) ctx.log = log;
    if (canRandom) ctx.random = random;
    freeze(ctx);
    active = true;
    let next;
    try {
      const events = parse(eventsText);
      let state;
      if (canState) {
        if (stateText === '') {
          state = init === undefined ? {} : apply(init, self, [ctx]);
          if (isThenable(state)) return fault('CLUTCH_PLUGIN_INVALID_OUTPUT', 'init() returned a promise; it must be synchronous');
          if (state === undefined) state = {};
        } else state = parse(stateText);
      }
      const ret = apply(onEvents, self, [events, state, ctx]);
      if (isThenable(ret)) return fault('CLUTCH_PLUGIN_INVALID_OUTPUT', 'onEvents() returned a promise; it must be synchronous');
      if (!canState && ret !== undefined) return fault('CLUTCH_PLUGIN_INVALID_OUTPUT', 'onEvents() returned a state but the manifest does not ask for the "state" capability');
      next = ret === undefined ? state : ret;
    } catch (e) {
      if (overflow) return fault('CLUTCH_PLUGIN_OUTPUT', overflow);
      if (invalid) return fault('CLUTCH_PLUGIN_INVALID_OUTPUT', invalid);
      return fault('CLUTCH_PLUGIN_CRASHED', describe(e));
    } finally {
      active = false;
    }
    if (overflow) return fault('CLUTCH_PLUGIN_OUTPUT', overflow);
    if (invalid) return fault('CLUTCH_PLUGIN_INVALID_OUTPUT', invalid);
    let stateOut = null;
    if (canState) {
      if (next === null || typeof next !== 'object' || isArray(next)) return fault('CLUTCH_PLUGIN_INVALID_OUTPUT', 'the state must be a plain object');
      try { stateOut = stringify(next); } catch (e) { return fault('CLUTCH_PLUGIN_INVALID_OUTPUT', 'the state is not JSON: ' + describe(e)); }
      if (typeof stateOut !== 'string') return fault('CLUTCH_PLUGIN_INVALID_OUTPUT', 'the state is not JSON');
      if (stateOut.length > cfg.maxStateBytes) return fault('CLUTCH_PLUGIN_OUTPUT', 'the state is over ' + cfg.maxStateBytes + ' bytes as JSON');
    }
    return stringify({ ok: true, values: values, state: stateOut, logs: logs, logsDropped: logsDropped });
  }

  return function dispatch(op, a, b, c) {
    if (op === 'load') return load();
    return call(a, b, c);
  };
})`;
