// The plugin runtime: the library the processor (and the lifecycle API's test runs) call. It loads
// validated plugin versions into a pool of worker threads, runs batched calls for one match at a
// time, counts strikes and disables a version that keeps breaking its limits, and exports metrics.
//
//   const rt = new PluginRuntime({ workers: 2, metrics: registry, onDisabled: (e) => persist(e) });
//   const p = await rt.load('acme', validatePlugin(manifest, bundle));   // CLUTCH_PLUGIN_BUNDLE_INVALID…
//   const r = await rt.invoke(p.key, { matchId, events, state });        // coded CLUTCH_PLUGIN_* errors
//   save(r.state); publish(r.values);
//
// What the caller owns: the per-match state (JSON text, passed in and taken back each call, so it can
// be snapshotted with the match), which plugins run on which matches, and persisting disable events.
// What the runtime guarantees: a plugin sees only the events of the match it is called for, of the
// types it subscribed to; no call blocks the caller's event loop; a failing plugin fails only its
// own calls.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Envelope } from '@clutch/core';
import { faultError, PluginBadCall, PluginBundleInvalid, PluginDisabled, PluginNotFound, PluginStarved, PluginWorkerRestarted, type PluginFault, type StrikeCode } from './errors.ts';
import type { PluginDefinition } from './manifest.ts';
import type { CallOutput } from './output.ts';
import { WorkerLost, WorkerPool } from './pool.ts';
import { worstCallWallMs, type SandboxSpec } from './sandbox.ts';
import type { WorkerInfo } from './worker.ts';

export interface PluginRuntimeOptions {
  /** Worker threads (default 1). Each plugin version is pinned to one. */
  workers?: number;
  /**
   * Wall-clock time a call may take in its worker before the worker is declared hung and replaced.
   * Default per plugin: its load timeout (a call may reload the bundle) + its time limit + 1 s.
   */
  wallTimeoutMs?: number;
  /**
   * Nice value of the worker threads (Linux, per thread; default 0). A higher value keeps busy
   * plugins from taking CPU from the API and the pipeline; limits are charged in CPU time, so a
   * plugin is not struck for being scheduled less (docs/plugins.md, "Limits").
   */
  nice?: number;
  /** Calls waiting per worker before CLUTCH_PLUGIN_OVERLOADED (default 256). */
  maxQueuedPerWorker?: number;
  /** Live isolates per worker (default 64); the least recently used are disposed and reloaded on use. */
  maxIsolatesPerWorker?: number;
  /** Events per call (default 5000) and their JSON size (default 8 MiB): larger batches are refused. */
  maxEventsPerCall?: number;
  maxEventBytesPerCall?: number;
  /** Strikes (calls failing because of the plugin) within windowMs that disable a version (3 in 10 min). */
  strikes?: { max: number; windowMs: number };
  /** Time of strikes and disables (injected for tests). */
  clock?: () => number;
  metrics?: Registry;
  log?: Logger;
  /** A version was disabled: persist it and tell the tenant. Called once per disable. */
  onDisabled?: (e: PluginDisabledEvent) => void;
}

export interface PluginHandle {
  /** `tenant/name@version`: the id of a loaded version in this runtime. */
  key: string;
  tenant: string;
  name: string;
  version: string;
}

export interface StrikeRecord {
  code: StrikeCode;
  message: string;
  at: number;
}

export interface PluginDisabledEvent extends PluginHandle {
  /** The strike that disabled it. */
  reason: StrikeRecord;
  /** The strikes within the window, oldest first. */
  strikes: StrikeRecord[];
  at: number;
}

export interface PluginStatus extends PluginHandle {
  disabled: PluginDisabledEvent | undefined;
  /** Strikes within the current window. */
  strikes: StrikeRecord[];
}

export interface InvokeInput {
  matchId: string;
  /** The batch, in seq order, all of this tenant and match; types the plugin did not subscribe to are dropped here. */
  events: readonly Envelope[];
  /** The state the previous call returned for this match (undefined for a new match). */
  state?: string | undefined;
}

export interface InvokeResult extends CallOutput {
  /** Events passed to the plugin (after filtering by subscribed type); 0 means it was not called. */
  events: number;
  /** CPU time of the call in the isolate, ms. */
  cpuMs: number;
}

interface Entry extends PluginHandle {
  def: PluginDefinition;
  slot: number;
  subscribed: ReadonlySet<string>;
  titles: ReadonlySet<string>;
  strikes: StrikeRecord[];
  disabled: PluginDisabledEvent | undefined;
}

const TENANT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class PluginRuntime {
  readonly #o: Required<Pick<PluginRuntimeOptions, 'maxEventsPerCall' | 'maxEventBytesPerCall' | 'strikes' | 'clock'>> & PluginRuntimeOptions;
  readonly #pool: WorkerPool;
  readonly #plugins = new Map<string, Entry>();
  readonly #m: ReturnType<typeof metrics>;

  constructor(o: PluginRuntimeOptions = {}) {
    this.#o = { maxEventsPerCall: 5_000, maxEventBytesPerCall: 8 * 1024 * 1024, strikes: { max: 3, windowMs: 10 * 60_000 }, clock: Date.now, ...o };
    this.#m = metrics(o.metrics);
    this.#pool = new WorkerPool({
      size: o.workers ?? 1,
      maxIsolatesPerWorker: o.maxIsolatesPerWorker ?? 64,
      maxQueuedPerWorker: o.maxQueuedPerWorker ?? 256,
      nice: o.nice ?? 0,
      ...(o.log ? { log: o.log } : {}),
      onRestart: (_slot, reason) => this.#m.restarts.inc({ reason }),
    });
  }

  /**
   * Loads a validated plugin version for a tenant: the bundle runs once in a fresh isolate, which must
   * define the plugin. Throws CLUTCH_PLUGIN_BUNDLE_INVALID with what went wrong. Loading the same
   * version with the same bundle again is a no-op; with another bundle it is refused (versions are
   * immutable: bump the version).
   */
  async load(tenant: string, def: PluginDefinition): Promise<PluginHandle> {
    if (!TENANT_RE.test(tenant)) throw new PluginBadCall(`tenant id ${JSON.stringify(tenant.slice(0, 64))} is not valid`);
    const { name, version } = def.manifest;
    const key = `${tenant}/${name}@${version}`;
    const existing = this.#plugins.get(key);
    if (existing) {
      if (existing.def.bundle !== def.bundle || JSON.stringify(existing.def.manifest) !== JSON.stringify(def.manifest)) throw new PluginBadCall(`${key} is already loaded with another bundle or manifest; publish a new version`);
      return handle(existing);
    }
    const spec: SandboxSpec = { bundle: def.bundle, limits: def.limits, capabilities: def.capabilities, outputs: def.manifest.outputs };
    const slot = this.#pool.assign(key, spec);
    let res;
    try {
      res = await this.#pool.request(slot, { op: 'load', key, spec }, this.#wallMs(def));
    } catch (err) {
      this.#pool.release(key, slot);
      if (err instanceof WorkerLost) throw new PluginBundleInvalid(`it did not finish loading (${err.message})`);
      throw err;
    }
    if (res.op !== 'load' || !res.ok) {
      this.#pool.release(key, slot);
      if (res.op === 'load' && !res.ok && res.starved) throw new PluginStarved(res.detail);
      throw new PluginBundleInvalid(res.op === 'load' && !res.ok ? res.detail : 'unexpected answer');
    }
    const entry: Entry = { key, tenant, name, version, def, slot, subscribed: new Set(def.manifest.events), titles: new Set(def.manifest.titles), strikes: [], disabled: undefined };
    this.#plugins.set(key, entry);
    return handle(entry);
  }

  /** Unloads a version (its isolate is disposed). */
  unload(key: string): void {
    const e = this.#plugins.get(key);
    if (!e) return;
    this.#plugins.delete(key);
    this.#pool.release(key, e.slot);
  }

  /**
   * Runs a plugin over one batch of one match. Resolves with the values it emitted (checked against
   * its manifest), its new state and logs; rejects with CLUTCH_PLUGIN_TIMEOUT / _MEMORY / _OUTPUT /
   * _CRASHED / _INVALID_OUTPUT (a strike; the state passed in stays the one to keep), _DISABLED,
   * _NOT_FOUND, _OVERLOADED or _BAD_CALL.
   */
  async invoke(key: string, input: InvokeInput): Promise<InvokeResult> {
    const e = this.#plugins.get(key);
    if (!e) throw new PluginNotFound(key);
    if (e.disabled) {
      this.#m.calls.inc({ plugin: key, outcome: 'disabled' });
      throw new PluginDisabled(key, `${e.disabled.reason.code}: ${e.disabled.reason.message}`);
    }
    const batch = this.#batch(e, input);
    if (batch.length === 0) return { values: [], state: input.state, logs: [], logsDropped: 0, events: 0, cpuMs: 0 };
    const text = JSON.stringify(batch);
    if (text.length > this.#o.maxEventBytesPerCall) throw new PluginBadCall(`the batch is ${text.length} bytes as JSON; at most ${this.#o.maxEventBytesPerCall}`);
    const first = batch[0]!;
    const last = batch[batch.length - 1]!;
    const call = { matchId: input.matchId, title: first.title, events: text, state: input.state, now: Date.parse(last.occurredAt), seed: seedOf(e.tenant, input.matchId, first.seq) };
    const started = performance.now();
    let res;
    try {
      res = await this.#pool.request(e.slot, { op: 'call', key, call }, this.#wallMs(e.def));
    } catch (err) {
      if (!(err instanceof WorkerLost)) throw err;
      if (err.reason === 'restarted') throw new PluginWorkerRestarted();
      const fault: PluginFault = err.reason === 'timeout' ? { code: 'CLUTCH_PLUGIN_TIMEOUT', detail: `no answer within ${this.#wallMs(e.def)} ms; its worker was replaced` } : { code: 'CLUTCH_PLUGIN_CRASHED', detail: `its worker stopped (${err.message})` };
      throw this.#strike(e, fault);
    } finally {
      this.#m.callSeconds.observe({ plugin: key }, (performance.now() - started) / 1000);
    }
    if (res.op !== 'call' || !('result' in res)) throw this.#strike(e, { code: 'CLUTCH_PLUGIN_CRASHED', detail: 'the worker had not loaded it' });
    const r = res.result;
    this.#m.cpuSeconds.observe({ plugin: key }, r.cpuNs / 1e9);
    this.#m.events.inc({ plugin: key }, batch.length);
    if (!r.ok && 'starved' in r) {
      this.#m.calls.inc({ plugin: key, outcome: 'starved' });
      throw new PluginStarved(r.starved);
    }
    if (!r.ok) throw this.#strike(e, r.fault);
    this.#m.calls.inc({ plugin: key, outcome: 'ok' });
    return { ...r.output, events: batch.length, cpuMs: r.cpuNs / 1e6 };
  }

  status(key: string): PluginStatus {
    const e = this.#plugins.get(key);
    if (!e) throw new PluginNotFound(key);
    return { ...handle(e), disabled: e.disabled, strikes: this.#recent(e) };
  }

  /** What a loaded version subscribes to, the titles it supports, and whether the host keeps a state for it. */
  describe(key: string): { events: readonly string[]; titles: readonly string[]; stateful: boolean } {
    const e = this.#plugins.get(key);
    if (!e) throw new PluginNotFound(key);
    return { events: e.def.manifest.events, titles: e.def.manifest.titles, stateful: e.def.capabilities.includes('state') };
  }

  /** Enables a disabled version again and forgets its strikes. */
  enable(key: string): void {
    const e = this.#plugins.get(key);
    if (!e) throw new PluginNotFound(key);
    e.disabled = undefined;
    e.strikes = [];
  }

  /** Replaces every worker thread (calls in hand fail with CLUTCH_PLUGIN_WORKER_RESTARTED, no strike). */
  restartWorkers(): void {
    this.#pool.restart();
  }

  /** What each worker holds (for tests and diagnostics). */
  async workerInfo(): Promise<WorkerInfo[]> {
    const out: WorkerInfo[] = [];
    for (let i = 0; i < this.#pool.size; i++) {
      const res = await this.#pool.request(i, { op: 'info' }, 5_000);
      if (res.op === 'info') out.push(res.info);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  #wallMs(def: PluginDefinition): number {
    // The worker answers within the call's wall bounds (sandbox.ts) unless isolated-vm lost control.
    return this.#o.wallTimeoutMs ?? 1_000 + worstCallWallMs(def.limits);
  }

  #batch(e: Entry, input: InvokeInput): Envelope[] {
    if (typeof input.matchId !== 'string' || input.matchId.length === 0) throw new PluginBadCall('matchId is required');
    if (!Array.isArray(input.events)) throw new PluginBadCall('events must be an array');
    if (input.events.length > this.#o.maxEventsPerCall) throw new PluginBadCall(`${input.events.length} events in one call; at most ${this.#o.maxEventsPerCall}`);
    if (input.state !== undefined && typeof input.state !== 'string') throw new PluginBadCall('state must be the JSON text a previous call returned');
    const out: Envelope[] = [];
    let prev = 0;
    for (const ev of input.events) {
      // The boundary between tenants and matches is enforced here, not trusted to the caller's routing.
      if (ev.tenant !== e.tenant || ev.matchId !== input.matchId) throw new PluginBadCall(`an event of ${ev.tenant}/${ev.matchId} in a call for ${e.tenant}/${input.matchId}`);
      if (!e.titles.has(ev.title)) throw new PluginBadCall(`${e.key} does not support title ${ev.title}`);
      if (!(ev.seq > prev)) throw new PluginBadCall('events must be in increasing seq order');
      prev = ev.seq;
      if (e.subscribed.has(ev.type)) out.push(ev);
    }
    return out;
  }

  #recent(e: Entry): StrikeRecord[] {
    const since = this.#o.clock() - this.#o.strikes.windowMs;
    e.strikes = e.strikes.filter((s) => s.at > since);
    return [...e.strikes];
  }

  #strike(e: Entry, fault: PluginFault): Error {
    const err = faultError(fault);
    this.#m.calls.inc({ plugin: e.key, outcome: 'error' });
    this.#m.errors.inc({ plugin: e.key, code: fault.code });
    const record: StrikeRecord = { code: fault.code, message: err.message, at: this.#o.clock() };
    e.strikes.push(record);
    const strikes = this.#recent(e);
    if (!e.disabled && strikes.length >= this.#o.strikes.max) {
      e.disabled = { ...handle(e), reason: record, strikes, at: record.at };
      this.#m.disabled.inc({ plugin: e.key });
      this.#o.log?.warn({ plugin: e.key, code: fault.code, strikes: strikes.length }, 'plugin version disabled');
      // Free its isolate; enable() loads it again on the next call.
      this.#pool.evict(e.key, e.slot);
      try {
        this.#o.onDisabled?.(e.disabled);
      } catch (cbErr) {
        this.#o.log?.error({ error: cbErr, plugin: e.key }, 'onDisabled callback failed');
      }
    }
    return err;
  }
}

function handle(e: Entry): PluginHandle {
  return { key: e.key, tenant: e.tenant, name: e.name, version: e.version };
}

/** FNV-1a over tenant, match and the batch's first seq: the same batch gets the same random numbers. */
export function seedOf(tenant: string, matchId: string, seq: number): number {
  let h = 0x811c9dc5;
  const s = `${tenant}\n${matchId}\n${seq}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function metrics(registry: Registry | undefined) {
  const registers = registry ? [registry] : [];
  const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
  return {
    calls: new Counter({ name: 'clutch_plugin_calls_total', help: 'Plugin calls by plugin version and outcome (ok, error, starved, disabled).', labelNames: ['plugin', 'outcome'], registers }),
    events: new Counter({ name: 'clutch_plugin_events_total', help: 'Events passed to plugins, by plugin version.', labelNames: ['plugin'], registers }),
    errors: new Counter({ name: 'clutch_plugin_errors_total', help: 'Plugin calls that failed because of the plugin, by plugin version and CLUTCH_PLUGIN_* code.', labelNames: ['plugin', 'code'], registers }),
    cpuSeconds: new Histogram({ name: 'clutch_plugin_cpu_seconds', help: 'CPU time of one plugin call in its isolate.', labelNames: ['plugin'], buckets, registers }),
    callSeconds: new Histogram({ name: 'clutch_plugin_call_seconds', help: 'Time of one plugin call as the caller sees it (queue, transfer, run, checks).', labelNames: ['plugin'], buckets, registers }),
    disabled: new Counter({ name: 'clutch_plugin_disabled_total', help: 'Plugin versions disabled after too many strikes.', labelNames: ['plugin'], registers }),
    restarts: new Counter({ name: 'clutch_plugin_worker_restarts_total', help: 'Plugin worker threads replaced, by reason (timeout, crashed).', labelNames: ['reason'], registers }),
  };
}
