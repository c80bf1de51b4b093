// Dependency checks: the same list serves start-up (wait until every dependency answers, or stop
// with a message naming the ones that do not) and /readyz (which turns red and back to green as a
// dependency goes down and comes back, without restarting anything).
import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyUnavailable } from '../errors.ts';

export interface Dependency {
  name: string;
  /** host:port or "in-process": where it was looked for. */
  target: string;
  /** The env var that points at it, for the hint. */
  envVar?: string;
  check(): Promise<void>;
}

export interface CheckResult {
  name: string;
  target: string;
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export async function checkOne(d: Dependency, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      d.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name: d.name, target: d.target, ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { name: d.name, target: d.target, ok: false, latencyMs: Math.round(performance.now() - started), error: (err as Error).message || String(err) };
  } finally {
    clearTimeout(timer);
  }
}

export function checkAll(deps: Dependency[], timeoutMs = 2000): Promise<CheckResult[]> {
  return Promise.all(deps.map((d) => checkOne(d, timeoutMs)));
}

export function hint(d: Dependency): string {
  return d.envVar
    ? `Start it with \`npm run services:up\` (the project's local ${d.name}), or point ${d.envVar} at a running ${d.name}.`
    : 'It runs in-process; restart Clutch.';
}

/** Waits until every dependency answers; after timeoutMs throws CLUTCH_DEPENDENCY_UNAVAILABLE naming the ones still down. */
export async function waitForDependencies(deps: Dependency[], timeoutMs: number, onWait?: (down: CheckResult[]) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const results = await checkAll(deps);
    const down = results.filter((r) => !r.ok);
    if (!down.length) return;
    if (Date.now() >= deadline) {
      const lines = down.map((r) => `${r.name} is not reachable at ${r.target} (${r.error}). ${hint(deps.find((d) => d.name === r.name)!)}`);
      throw new DependencyUnavailable(lines.join('\n'));
    }
    onWait?.(down);
    await sleep(Math.min(1000, Math.max(0, deadline - Date.now())));
  }
}
