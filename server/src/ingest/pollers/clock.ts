// Time as the pollers see it: injectable, so tests replace minutes of rate-limit waits and backoff
// with a virtual clock. Request timeouts stay on real time (they guard against real hangs).
import { setTimeout as sleep } from 'node:timers/promises';

export interface Clock {
  /** ms since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason when it is aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    signal?.throwIfAborted();
    if (ms <= 0) return;
    await sleep(ms, undefined, { signal });
  },
};
