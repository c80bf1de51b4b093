// `clutch simulate --titles lol,cs2,valorant,dota2 --matches <n> --rate <events/s>`: synthetic but
// consistent live matches (scores follow rounds and kills, money and gold add up) at a chosen event
// rate, for demos and load tests. Events go to the configured event log (Kafka) or, with --out stdout,
// to stdout as NDJSON.
import { setTimeout as sleep } from 'node:timers/promises';
import { uuidv7, type Envelope, type Title } from '@clutch/core';
import { script, type ScriptedEvent } from '../ingest/scenarios.ts';

export interface SimulateOptions {
  titles: Title[];
  matches: number;
  /** Events per second across all matches. */
  rate: number;
  tenant: string;
  seed: number;
  /** Stop after this many events (undefined = until the signal aborts). */
  maxEvents?: number;
  signal?: AbortSignal;
  emit: (events: Envelope[]) => Promise<void>;
  progress?: (line: string) => void;
  now?: () => number;
}

interface Slot {
  title: Title;
  matchId: string;
  seq: number;
  it: Iterator<ScriptedEvent>;
}

export async function simulate(o: SimulateOptions): Promise<number> {
  const now = o.now ?? Date.now;
  let seed = o.seed;
  let made = 0;
  const newSlot = (i: number): Slot => {
    const title = o.titles[i % o.titles.length]!;
    return { title, matchId: `sim-${title}-${now().toString(36)}-${i}-${seed}`, seq: 0, it: script(title, seed++) };
  };
  const slots = Array.from({ length: o.matches }, (_, i) => newSlot(i));
  const tickMs = 100;
  const started = now();
  let lastReport = started;
  let cursor = 0;
  while (!o.signal?.aborted && (o.maxEvents === undefined || made < o.maxEvents)) {
    // Events due by now at the target rate, taken round-robin from the matches.
    const due = Math.floor(((now() - started + tickMs) / 1000) * o.rate) - made;
    const want = Math.min(due, o.maxEvents === undefined ? due : o.maxEvents - made, 10_000);
    const batch: Envelope[] = [];
    for (let n = 0; n < want; n++) {
      const i = cursor++ % slots.length;
      let slot = slots[i]!;
      let next = slot.it.next();
      if (next.done) {
        slot = slots[i] = newSlot(i);
        next = slot.it.next();
      }
      const ev = next.value as ScriptedEvent;
      const at = new Date(now()).toISOString();
      batch.push({ id: uuidv7(now()), v: 1, tenant: o.tenant, title: slot.title, source: 'simulator', matchId: slot.matchId, seq: ++slot.seq, type: ev.type, gameTime: ev.gameTime, occurredAt: at, receivedAt: at, payload: ev.payload as Record<string, unknown> });
    }
    if (batch.length) await o.emit(batch);
    made += batch.length;
    if (o.progress && (now() - lastReport >= 1000 || (o.maxEvents !== undefined && made >= o.maxEvents))) {
      lastReport = now();
      const secs = Math.max(0.001, (now() - started) / 1000);
      o.progress(`simulate: ${made} events, ${slots.length} live matches, ${Math.round(made / secs)} events/s (target ${o.rate})`);
    }
    if (batch.length < due || due <= 0) await sleep(tickMs, undefined, o.signal ? { signal: o.signal } : undefined).catch(() => {});
  }
  return made;
}
