// Worker-thread entry of the plugin runtime: holds the sandboxes (one isolate per plugin version) of
// the plugin versions the pool pinned to this worker, and runs one request at a time, synchronously.
// A call that hangs here blocks only this thread; the pool (pool.ts) kills the thread when it does not
// answer in time, and a new one takes its place.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { PluginSandbox, type SandboxCall, type SandboxResult, type SandboxSpec } from './sandbox.ts';

export type WorkerRequest =
  | { id: number; op: 'load'; key: string; spec: SandboxSpec }
  | { id: number; op: 'call'; key: string; spec?: SandboxSpec; call: SandboxCall }
  | { id: number; op: 'unload'; key: string }
  | { id: number; op: 'info' }
  | { id: number; op: 'exit' };

export interface WorkerInfo {
  /** Plugin versions this worker knows. */
  plugins: number;
  /** Of those, how many have a live isolate. */
  isolates: number;
  /** Heap in use by those isolates, bytes. */
  heapBytes: number;
  /** Whether this thread's Object/Array/Function prototypes are as they were at start. */
  prototypesIntact: boolean;
}

export type WorkerResponse =
  | { id: number; op: 'load'; ok: true }
  | { id: number; op: 'load'; ok: false; detail: string; starved?: true }
  | { id: number; op: 'call'; result: SandboxResult }
  | { id: number; op: 'call'; missing: true }
  | { id: number; op: 'unload' }
  | { id: number; op: 'info'; info: WorkerInfo };

const { maxIsolates, nice } = workerData as { maxIsolates: number; nice: number };
// Linux keeps a nice value per thread, and pid 0 is this thread: the isolates run here, synchronously.
if (nice) {
  try {
    setPriority(0, nice);
  } catch {
    // not permitted here (or not Linux): run at the process's priority
  }
}
// Insertion order is recency: a used sandbox is moved to the end; the oldest live isolates go first.
const sandboxes = new Map<string, PluginSandbox>();
const protoNames = () => [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => Reflect.ownKeys(p).map(String).join('|')).join('\n');
const protoAtStart = protoNames();

// isolated-vm lost control of an isolate: this thread cannot be trusted any more. Ending it fails the
// call in hand; the pool starts a new worker.
const onCatastrophicError = () => process.exit(70);

function touch(key: string, sb: PluginSandbox): void {
  sandboxes.delete(key);
  sandboxes.set(key, sb);
  let live = 0;
  for (const s of sandboxes.values()) if (s.loaded) live++;
  for (const [k, s] of sandboxes) {
    if (live <= maxIsolates) break;
    if (k !== key && s.loaded) {
      s.dispose();
      live--;
    }
  }
}

function handle(req: Exclude<WorkerRequest, { op: 'exit' }>): WorkerResponse {
  switch (req.op) {
    case 'load': {
      sandboxes.get(req.key)?.dispose();
      const sb = new PluginSandbox(req.spec, { onCatastrophicError });
      const r = sb.load();
      if (!r.ok) {
        sandboxes.delete(req.key);
        return { id: req.id, op: 'load', ok: false, detail: r.detail, ...(r.starved ? { starved: true as const } : {}) };
      }
      touch(req.key, sb);
      return { id: req.id, op: 'load', ok: true };
    }
    case 'call': {
      if (req.spec) {
        sandboxes.get(req.key)?.dispose();
        sandboxes.set(req.key, new PluginSandbox(req.spec, { onCatastrophicError }));
      }
      const sb = sandboxes.get(req.key);
      if (!sb) return { id: req.id, op: 'call', missing: true };
      const result = sb.call(req.call);
      touch(req.key, sb);
      return { id: req.id, op: 'call', result };
    }
    case 'unload':
      sandboxes.get(req.key)?.dispose();
      sandboxes.delete(req.key);
      return { id: req.id, op: 'unload' };
    case 'info': {
      let isolates = 0;
      let heapBytes = 0;
      for (const s of sandboxes.values()) {
        if (!s.loaded) continue;
        isolates++;
        heapBytes += s.heapBytes();
      }
      return { id: req.id, op: 'info', info: { plugins: sandboxes.size, isolates, heapBytes, prototypesIntact: protoNames() === protoAtStart } };
    }
  }
}

parentPort!.on('message', (req: WorkerRequest) => {
  if (req.op === 'exit') {
    // Retire: dispose every isolate and let the thread end by itself. Terminating a thread right
    // after isolated-vm worked in it can abort the whole process (seen with isolated-vm 7.0.1 on
    // Node 24), so the pool asks first and only terminates a thread that does not leave.
    for (const sb of sandboxes.values()) sb.dispose();
    sandboxes.clear();
    parentPort!.close();
    return;
  }
  parentPort!.postMessage(handle(req));
});
