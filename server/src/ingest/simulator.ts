// The built-in simulator: keeps N matches live (titles in turn), playing each script in scaled real
// time and appending its events to the canonical topic exactly as ingest does — enveloped, seq per
// match from 1, keyed by match id. When a match ends another starts in its slot.
import { TITLES, uuidv7, type Envelope, type Title } from '@clutch/core';
import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { toRecord } from '../events/codec.ts';
import type { EventLog } from '../ports/event-log.ts';
import { script, type ScriptedEvent } from './scenarios.ts';

export interface SimulatorOptions {
  eventLog: EventLog;
  topic: string;
  tenant: string;
  matches: number;
  /** Game milliseconds per real millisecond. */
  speed: number;
  log: Logger;
  now?: () => number;
  seed?: number;
}

export interface Simulator {
  stop(): Promise<void>;
}

export function startSimulator(o: SimulatorOptions): Simulator {
  const now = o.now ?? Date.now;
  const abort = new AbortController();
  let seed = o.seed ?? (now() & 0x7fffffff);

  const playOne = async (title: Title, slot: number): Promise<void> => {
    const matchId = `${title}-${now().toString(36)}-${slot}`;
    const start = now();
    let seq = 0;
    let last = 0;
    o.log.info({ matchId, title }, 'simulated match starting');
    for (const ev of script(title, seed++) as Iterable<ScriptedEvent>) {
      await sleep(Math.max(0, (ev.gameTime - last) / o.speed), undefined, { signal: abort.signal });
      last = ev.gameTime;
      const at = new Date(start + ev.gameTime / o.speed).toISOString();
      const envelope: Envelope = {
        id: uuidv7(now()),
        v: 1,
        tenant: o.tenant,
        title,
        source: 'simulator',
        matchId,
        seq: ++seq,
        type: ev.type,
        gameTime: ev.gameTime,
        occurredAt: at,
        receivedAt: new Date(now()).toISOString(),
        payload: ev.payload as Record<string, unknown>,
      };
      await appendWithRetry(envelope);
    }
  };

  // Order per match matters more than latency: retry the same event until the log takes it.
  const appendWithRetry = async (e: Envelope): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await o.eventLog.append([toRecord(o.topic, e)]);
        return;
      } catch (err) {
        if (abort.signal.aborted) throw err;
        o.log.warn({ error: err, matchId: e.matchId, seq: e.seq, attempt }, 'simulator append failed; retrying');
        await sleep(Math.min(5000, 200 * attempt), undefined, { signal: abort.signal });
      }
    }
  };

  const slots = Array.from({ length: o.matches }, async (_, slot) => {
    const title = TITLES[slot % TITLES.length]!;
    // Stagger starts so the matches are at different stages.
    await sleep(slot * 1500, undefined, { signal: abort.signal }).catch(() => {});
    while (!abort.signal.aborted) {
      try {
        await playOne(title, slot);
        await sleep(10_000 / o.speed, undefined, { signal: abort.signal });
      } catch (err) {
        if (!abort.signal.aborted) o.log.error({ error: err }, 'simulated match failed');
      }
    }
  });

  return {
    async stop() {
      abort.abort();
      await Promise.allSettled(slots);
    },
  };
}
