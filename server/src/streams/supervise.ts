// Keeps a consumer-group member alive: consume until the subscription ends or fails; on failure leave
// the group, back off, and join again (from the committed offsets). stop() lets the work in hand
// finish (it commits), then leaves the group. Shared by the processor and the stateful stages.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Subscription } from '../ports/event-log.ts';

export interface SuperviseControl {
  stopping(): boolean;
  /** Marks work in hand: stop() waits for it before leaving the group. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Backoff sleep that stop() cuts short. */
  pause(attempt: number): Promise<void>;
  /** Call after a unit of work succeeded: the next failure backs off from the start again. */
  succeeded(): void;
}

export interface Supervised {
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function supervise(o: {
  name: string;
  log: Logger;
  subscribe: () => Promise<Subscription>;
  consume: (sub: Subscription, ctl: SuperviseControl) => Promise<void>;
  /** Before joining again after a failure: drop what the old membership held. */
  onRestart?: () => void;
}): Promise<Supervised> {
  let stopping = false;
  let busy: Promise<unknown> | undefined;
  let failures = 0;
  const stopped = new AbortController();
  const ctl: SuperviseControl = {
    stopping: () => stopping,
    track: (work) => {
      busy = work;
      return work.finally(() => {
        if (busy === work) busy = undefined;
      });
    },
    pause: (attempt) => sleep(Math.min(5000, 100 * 2 ** attempt), undefined, { signal: stopped.signal }).catch(() => {}),
    succeeded: () => void (failures = 0),
  };
  let sub = await o.subscribe();
  const done = (async () => {
    while (!stopping) {
      try {
        await o.consume(sub, ctl);
      } catch (err) {
        failures++;
        if (!stopping) o.log.warn({ error: err, worker: o.name, failures }, 'consumer failed; joining again from the last commit');
      }
      if (stopping) return;
      await sub.close().catch(() => {});
      o.onRestart?.();
      await ctl.pause(failures);
      if (stopping) return;
      sub = await o.subscribe().catch((err: unknown) => {
        o.log.error({ error: err, worker: o.name }, 'joining again failed; retrying');
        failures++;
        return sub; // closed: the next round ends at once and retries after a longer pause
      });
    }
  })();
  return {
    done,
    async stop() {
      stopping = true;
      stopped.abort();
      await busy?.catch(() => {});
      await sub.close();
      await done.catch(() => {});
    },
  };
}
