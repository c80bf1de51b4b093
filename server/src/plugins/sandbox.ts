// One plugin version in one isolated-vm isolate: load the harness and the bundle, run calls under the
// version's limits, turn every failure into a coded fault made of strings. Synchronous: it blocks the
// thread it runs on for at most the call's time limit, which is why the runtime runs it in worker
// threads (worker.ts); the plugin SDK's local harness can run it in-thread exactly as the server does.
//
// The isolate lives until dispose(), a memory-limit stop (isolated-vm disposes it), or a timeout (we
// dispose it: the plugin's globals may be half-updated); the next call loads the bundle again.
//
// CPU time, not wall-clock time, is what a plugin is charged for. isolated-vm can only stop a script
// after a wall-clock time, so a call runs under a wall bound of a few times its CPU budget and the
// isolate's own CPU clock (isolate.cpuTime) decides: over budget is CLUTCH_PLUGIN_TIMEOUT (a strike);
// stopped by the wall bound while under budget means the thread did not get the CPU (the host is
// busy, and plugin threads run at a low priority): the call is run again from the same state under
// a wider bound (calls are deterministic: same events, state, "now" and seed), and after the last
// bound it fails with CLUTCH_PLUGIN_STARVED, which is not the plugin's fault and not a strike.
import ivm from 'isolated-vm';
import { HARNESS_SOURCE } from './harness.ts';
import type { PluginFault } from './errors.ts';
import type { PluginCapability, PluginLimits, PluginOutput } from './manifest.ts';
import { checkResult, type CallOutput } from './output.ts';

/** What a sandbox needs of a plugin version (plain data: it crosses to worker threads). */
export interface SandboxSpec {
  bundle: string;
  limits: PluginLimits;
  capabilities: readonly PluginCapability[];
  outputs: readonly PluginOutput[];
}

export interface SandboxCall {
  matchId: string;
  title: string;
  /** The batch's events as one JSON array text. */
  events: string;
  /** The match's state as JSON text; undefined on the first call of a match. */
  state: string | undefined;
  /** Host "now", ms since the epoch: the last event's occurredAt. */
  now: number;
  /** 32-bit seed of the call's random numbers. */
  seed: number;
}

export type SandboxResult =
  | { ok: true; output: CallOutput; cpuNs: number }
  | { ok: false; fault: PluginFault; cpuNs: number }
  /** The host did not give the plugin its CPU time within the last wall bound: not a strike. */
  | { ok: false; starved: string; cpuNs: number };
export type LoadResult = { ok: true } | { ok: false; detail: string; starved?: true };

const MAX_DETAIL = 600;
/** Wall bounds of a call's attempts, as multiples of its CPU budget (at least 10 ms). */
export const CALL_WALL_FACTORS = [2, 8, 32] as const;
/** Wall bounds of a load's attempts, as multiples of its CPU budget. */
export const LOAD_WALL_FACTORS = [2, 8] as const;
/** CPU budget of loading a bundle (harness, bundle, definition), ms. */
export const loadBudgetMs = (limits: PluginLimits) => Math.max(4 * limits.cpuMsPerCall, 200);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
/** The longest a call can take in its worker when isolated-vm keeps control: every attempt, each after a full load. */
export const worstCallWallMs = (limits: PluginLimits) => sum(CALL_WALL_FACTORS) * Math.max(limits.cpuMsPerCall, 10) + CALL_WALL_FACTORS.length * sum(LOAD_WALL_FACTORS) * loadBudgetMs(limits);

/**
 * CPU time of the calling thread, ns. Calls run synchronously on this thread, so its CPU time over a
 * call is the plugin's. Not isolate.cpuTime: isolated-vm 7.0.1's prebuilt Linux binary is built
 * without USE_CLOCK_THREAD_CPUTIME_ID and reports wall time there (a starved call "used" 746 ms of
 * CPU for 10 ms of work, measured with both clocks side by side).
 */
const threadCpuNs = (): number => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) * 1_000;
};

/** Runs fn under a wall bound; on a stop, tells whether the thread had used the CPU budget by then. */
function timed<T>(isolate: ivm.Isolate, budgetMs: number, wallMs: number, fn: (timeout: number) => T): { ok: true; value: T; cpuNs: number } | { ok: false; err: unknown; cpuNs: number; overBudget: boolean } {
  const before = threadCpuNs();
  try {
    const value = fn(wallMs);
    return { ok: true, value, cpuNs: threadCpuNs() - before };
  } catch (err) {
    const cpuNs = threadCpuNs() - before;
    return { ok: false, err, cpuNs, overBudget: cpuNs >= budgetMs * 1e6 || isolate.isDisposed };
  }
}

type Dispatch = ivm.Reference<(op: string, a?: string, b?: string, c?: string) => string>;

export class PluginSandbox {
  readonly #spec: SandboxSpec;
  readonly #outputs: ReadonlyMap<string, PluginOutput>;
  readonly #onCatastrophicError: ((message: string) => void) | undefined;
  #isolate: ivm.Isolate | undefined;
  #context: ivm.Context | undefined;
  #dispatch: Dispatch | undefined;

  constructor(spec: SandboxSpec, o: { onCatastrophicError?: (message: string) => void } = {}) {
    this.#spec = spec;
    this.#outputs = new Map(spec.outputs.map((out) => [out.stat, out]));
    this.#onCatastrophicError = o.onCatastrophicError;
  }

  get loaded(): boolean {
    return this.#dispatch !== undefined && this.#isolate !== undefined && !this.#isolate.isDisposed;
  }

  /** Heap in use by the isolate, bytes (0 when not loaded). */
  heapBytes(): number {
    if (!this.loaded) return 0;
    const h = this.#isolate!.getHeapStatisticsSync();
    return h.used_heap_size + h.externally_allocated_size;
  }

  /**
   * Creates the isolate and runs the harness and the bundle, within loadBudgetMs of CPU. A failure
   * leaves nothing loaded; `starved` means the thread did not get that CPU in time (retry later).
   */
  load(): LoadResult {
    for (let attempt = 0; ; attempt++) {
      const r = this.#loadOnce(LOAD_WALL_FACTORS[attempt]!);
      if (r.ok || !r.starved || attempt === LOAD_WALL_FACTORS.length - 1) return r;
    }
  }

  #loadOnce(factor: number): LoadResult {
    this.dispose();
    const { limits } = this.#spec;
    const budget = loadBudgetMs(limits);
    const wall = factor * budget;
    const onCatastrophicError = this.#onCatastrophicError;
    const isolate = new ivm.Isolate({ memoryLimit: limits.memoryMiB, ...(onCatastrophicError ? { onCatastrophicError } : {}) });
    const r = timed(isolate, budget, wall, (timeout) => {
      const deadline = performance.now() + timeout;
      const left = () => Math.max(1, Math.round(deadline - performance.now()));
      const context = isolate.createContextSync();
      const factory = isolate.compileScriptSync(HARNESS_SOURCE, { filename: 'file:///clutch-harness.js' });
      const make = factory.runSync(context, { timeout: left(), reference: true }) as ivm.Reference<(cfg: string) => unknown>;
      const cfg = JSON.stringify({ capabilities: this.#spec.capabilities, maxEmits: limits.maxEmitsPerCall, maxStateBytes: limits.maxStateBytes, maxLogBytes: limits.maxLogBytes });
      const dispatch = make.applySync(undefined, [cfg], { timeout: left(), result: { reference: true } }) as unknown as Dispatch;
      make.release();
      factory.release();
      const script = isolate.compileScriptSync(this.#spec.bundle, { filename: 'file:///plugin.js' });
      script.runSync(context, { timeout: left(), release: true });
      const loaded = readResult(dispatch.applySync(undefined, ['load'], { timeout: left() }));
      if (!loaded.ok) throw new LoadFailure(loaded.detail);
      return { context, dispatch };
    });
    if (r.ok) {
      if (r.cpuNs <= budget * 1e6) {
        this.#isolate = isolate;
        this.#context = r.value.context;
        this.#dispatch = r.value.dispatch;
        return { ok: true };
      }
      isolate.dispose();
      return { ok: false, detail: `loading it took ${(r.cpuNs / 1e6).toFixed(0)} ms of CPU; at most ${budget} ms` };
    }
    const err = r.err;
    let out: LoadResult;
    if (err instanceof LoadFailure) out = { ok: false, detail: err.message };
    else {
      const fault = describeHostError(err, isolate, limits);
      if (fault.code !== 'CLUTCH_PLUGIN_TIMEOUT') out = { ok: false, detail: fault.detail };
      else if (r.overBudget) out = { ok: false, detail: `loading it took more than ${budget} ms of CPU` };
      else out = { ok: false, starved: true, detail: `the host did not give it ${budget} ms of CPU to load within ${wall} ms` };
    }
    if (!isolate.isDisposed) isolate.dispose();
    return out;
  }

  /** Runs one call; loads the bundle first when needed. Never throws for what the plugin does. */
  call(c: SandboxCall): SandboxResult {
    const { limits } = this.#spec;
    const budget = limits.cpuMsPerCall;
    const meta = JSON.stringify({ matchId: c.matchId, title: c.title, now: c.now, seed: c.seed });
    let spent = 0;
    for (let attempt = 0; ; attempt++) {
      if (!this.loaded) {
        const l = this.load();
        if (!l.ok) return l.starved ? { ok: false, starved: l.detail, cpuNs: spent } : { ok: false, fault: { code: 'CLUTCH_PLUGIN_CRASHED', detail: `the bundle failed to load: ${l.detail}` }, cpuNs: spent };
      }
      const isolate = this.#isolate!;
      const wall = CALL_WALL_FACTORS[attempt]! * Math.max(budget, 10);
      const r = timed(isolate, budget, wall, (timeout) => this.#dispatch!.applySync(undefined, ['call', c.events, c.state ?? '', meta], { timeout }));
      spent += r.cpuNs;
      if (r.ok) {
        if (r.cpuNs > budget * 1e6) {
          // It finished, over its budget: the values are not used; the isolate is fine.
          return { ok: false, fault: { code: 'CLUTCH_PLUGIN_TIMEOUT', detail: `${budget} ms of CPU per call (it used ${(r.cpuNs / 1e6).toFixed(1)} ms)` }, cpuNs: spent };
        }
        const checked = checkResult(r.value, { outputs: this.#outputs, limits, canState: this.#spec.capabilities.includes('state'), matchId: c.matchId });
        return checked.ok ? { ok: true, output: checked.output, cpuNs: spent } : { ok: false, fault: checked.fault, cpuNs: spent };
      }
      const fault = describeHostError(r.err, isolate, limits);
      // After a stop the plugin's globals may be half-updated; after a memory stop the isolate is gone.
      this.dispose();
      if (fault.code !== 'CLUTCH_PLUGIN_TIMEOUT') return { ok: false, fault, cpuNs: spent };
      if (r.overBudget) return { ok: false, fault: { code: fault.code, detail: `${budget} ms of CPU per call (stopped after ${(r.cpuNs / 1e6).toFixed(1)} ms)` }, cpuNs: spent };
      // Stopped by the wall bound before using its CPU budget: the thread was starved, not the plugin slow.
      if (attempt === CALL_WALL_FACTORS.length - 1) return { ok: false, starved: `it got ${(r.cpuNs / 1e6).toFixed(1)} of its ${budget} ms of CPU within ${wall} ms`, cpuNs: spent };
    }
  }

  dispose(): void {
    const isolate = this.#isolate;
    this.#dispatch = undefined;
    if (isolate && !isolate.isDisposed) this.#context?.release();
    this.#context = undefined;
    this.#isolate = undefined;
    if (isolate && !isolate.isDisposed) isolate.dispose();
  }
}

class LoadFailure extends Error {}

function readResult(text: unknown): LoadResult {
  if (typeof text !== 'string') return { ok: false, detail: 'the harness returned nothing' };
  try {
    const r = JSON.parse(text) as { ok?: unknown; detail?: unknown };
    if (r.ok === true) return { ok: true };
    return { ok: false, detail: typeof r.detail === 'string' ? r.detail.slice(0, MAX_DETAIL) : 'the bundle did not load' };
  } catch {
    return { ok: false, detail: 'the harness returned no JSON' };
  }
}

/**
 * A fault from an error isolated-vm raised on our side of the boundary. Those are errors isolated-vm
 * builds from strings (timeout, memory, a copy of an uncaught exception); only the own `message` data
 * property is read, and only as a string.
 */
function describeHostError(err: unknown, isolate: ivm.Isolate, limits: PluginLimits): PluginFault {
  const d = err !== null && typeof err === 'object' ? Object.getOwnPropertyDescriptor(err, 'message') : undefined;
  const message = d && typeof d.value === 'string' ? d.value.slice(0, MAX_DETAIL) : 'the sandbox failed';
  if (isolate.isDisposed || /memory limit/i.test(message)) {
    return /memory limit/i.test(message) ? { code: 'CLUTCH_PLUGIN_MEMORY', detail: `${limits.memoryMiB} MiB` } : { code: 'CLUTCH_PLUGIN_CRASHED', detail: 'the isolate was lost' };
  }
  if (/timed out/i.test(message)) return { code: 'CLUTCH_PLUGIN_TIMEOUT', detail: `${limits.cpuMsPerCall} ms of CPU per call` };
  return { code: 'CLUTCH_PLUGIN_CRASHED', detail: message };
}
