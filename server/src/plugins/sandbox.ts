// One plugin version in one isolated-vm isolate: load the harness and the bundle, run calls under the
// version's limits, turn every failure into a coded fault made of strings. Synchronous: it blocks the
// thread it runs on for at most the call's time limit, which is why the runtime runs it in worker
// threads (worker.ts); the plugin SDK's local harness can run it in-thread exactly as the server does.
//
// The isolate lives until dispose(), a memory-limit stop (isolated-vm disposes it), or a timeout (we
// dispose it: the plugin's globals may be half-updated); the next call loads the bundle again.
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

export type SandboxResult = { ok: true; output: CallOutput; cpuNs: number } | { ok: false; fault: PluginFault; cpuNs: number };
export type LoadResult = { ok: true } | { ok: false; detail: string };

const MAX_DETAIL = 600;

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

  /** Creates the isolate and runs the harness and the bundle. A failure leaves nothing loaded. */
  load(): LoadResult {
    this.dispose();
    const { limits } = this.#spec;
    const timeout = Math.max(4 * limits.cpuMsPerCall, 500);
    const onCatastrophicError = this.#onCatastrophicError;
    const isolate = new ivm.Isolate({ memoryLimit: limits.memoryMiB, ...(onCatastrophicError ? { onCatastrophicError } : {}) });
    try {
      const context = isolate.createContextSync();
      const factory = isolate.compileScriptSync(HARNESS_SOURCE, { filename: 'file:///clutch-harness.js' });
      const make = factory.runSync(context, { timeout, reference: true }) as ivm.Reference<(cfg: string) => unknown>;
      const cfg = JSON.stringify({ capabilities: this.#spec.capabilities, maxEmits: limits.maxEmitsPerCall, maxStateBytes: limits.maxStateBytes, maxLogBytes: limits.maxLogBytes });
      const dispatch = make.applySync(undefined, [cfg], { timeout, result: { reference: true } }) as unknown as Dispatch;
      make.release();
      factory.release();
      const script = isolate.compileScriptSync(this.#spec.bundle, { filename: 'file:///plugin.js' });
      script.runSync(context, { timeout, release: true });
      const loaded = readResult(dispatch.applySync(undefined, ['load'], { timeout }));
      if (!loaded.ok) throw new LoadFailure(loaded.detail);
      this.#isolate = isolate;
      this.#context = context;
      this.#dispatch = dispatch;
      return { ok: true };
    } catch (err) {
      const detail = err instanceof LoadFailure ? err.message : describeHostError(err, isolate, limits).detail;
      if (!isolate.isDisposed) isolate.dispose();
      return { ok: false, detail };
    }
  }

  /** Runs one call; loads the bundle first when needed. Never throws for what the plugin does. */
  call(c: SandboxCall): SandboxResult {
    if (!this.loaded) {
      const l = this.load();
      if (!l.ok) return { ok: false, fault: { code: 'CLUTCH_PLUGIN_CRASHED', detail: `the bundle failed to load: ${l.detail}` }, cpuNs: 0 };
    }
    const isolate = this.#isolate!;
    const { limits } = this.#spec;
    const before = isolate.cpuTime;
    const meta = JSON.stringify({ matchId: c.matchId, title: c.title, now: c.now, seed: c.seed });
    let text: unknown;
    try {
      text = this.#dispatch!.applySync(undefined, ['call', c.events, c.state ?? '', meta], { timeout: limits.cpuMsPerCall });
    } catch (err) {
      const cpuNs = isolate.isDisposed ? 0 : Number(isolate.cpuTime - before);
      const fault = describeHostError(err, isolate, limits);
      // After a timeout the plugin's globals may be half-updated; after a memory stop it is gone.
      this.dispose();
      return { ok: false, fault, cpuNs };
    }
    const cpuNs = Number(isolate.cpuTime - before);
    const checked = checkResult(text, { outputs: this.#outputs, limits, canState: this.#spec.capabilities.includes('state'), matchId: c.matchId });
    return checked.ok ? { ok: true, output: checked.output, cpuNs } : { ok: false, fault: checked.fault, cpuNs };
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
  if (/timed out/i.test(message)) return { code: 'CLUTCH_PLUGIN_TIMEOUT', detail: `${limits.cpuMsPerCall} ms per call` };
  return { code: 'CLUTCH_PLUGIN_CRASHED', detail: message };
}
