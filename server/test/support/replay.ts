// A recorded match fed through the embedded pipeline while a live client keeps losing its
// connection: the scenario of the resume tests (WebSocket and SSE in live.test.ts, gRPC in
// grpc.test.ts). The client keeps the last seq it processed and resumes with it; every message is
// checked to follow the previous one (no gap, no duplicate).
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { Envelope } from '@clutch/core';
import { parseFiles } from '../../src/cli/parse.ts';
import { toRecord } from '../../src/events/codec.ts';
import { topicNames } from '../../src/topics.ts';
import type { TestApp } from './app.ts';

const fixture = (p: string) => new URL(`../fixtures/${p}`, import.meta.url).pathname;

/** Canonical events of recorded source files (test fixtures). */
export const eventsOf = async (source: string, files: string[]) => (await parseFiles(source, files.map(fixture), { tenant: 'demo', streamId: 's', receivedAt: '2026-03-14T20:00:00.000Z' })).events;

/** Appends the events to the app's log a few at a time, with short random pauses (a match being played). */
export async function feed(t: TestApp, events: readonly Envelope[]): Promise<void> {
  const topic = topicNames('').events;
  for (let i = 0; i < events.length; ) {
    const n = 1 + Math.floor(Math.random() * 2);
    await t.infra.eventLog.append(events.slice(i, i + n).map((e) => toRecord(topic, e)));
    i += n;
    await sleep(20 + Math.random() * 60);
  }
}

/** A live message, whatever the transport, in the fields the scenario checks. */
export interface LiveMsg {
  type: 'snapshot' | 'delta' | 'subscribed' | 'heartbeat' | 'error';
  seq?: number;
  fromSeq?: number;
  reason?: string;
  code?: string;
  occurredAt?: string;
  receivedAt?: string;
  processedAt?: string;
  sentAt?: string;
  stats?: unknown;
}

/** Opens a subscription (resuming after `last` when given) that calls `on` for each message; `cut` drops it. */
export type Connect = (last: number | undefined, on: (m: LiveMsg) => void) => Promise<{ cut(): void }>;

export interface ResumeResult {
  reconnects: number;
  deltas: number;
  snapshots: number;
  last: number | undefined;
  lastMessage: LiveMsg | undefined;
  problems: string[];
  ms: number;
}

/**
 * Subscribes, cuts the subscription at a random point (at once, after a message or two, or after a
 * short while), resumes with the last seq, again and again: at least `minReconnects` times and until
 * the final seq was received.
 */
export async function resumeUnderCuts(o: { connect: Connect; finalSeq: number; minReconnects: number; maxReconnects?: number }): Promise<ResumeResult> {
  const started = performance.now();
  const r: ResumeResult = { reconnects: 0, deltas: 0, snapshots: 0, last: undefined, lastMessage: undefined, problems: [], ms: 0 };
  let live = 0;
  const on = (m: LiveMsg) => {
    if (m.type === 'snapshot') {
      r.snapshots++;
      if (r.last !== undefined) r.problems.push(`snapshot at ${m.seq} after ${r.last} (${m.reason})`);
      r.last = m.seq;
      r.lastMessage = m;
    } else if (m.type === 'delta') {
      r.deltas++;
      if (r.last !== undefined && m.fromSeq !== r.last + 1) r.problems.push(`gap or duplicate: delta ${m.fromSeq}..${m.seq} after ${r.last}`);
      if (!(m.processedAt! <= m.sentAt! && m.receivedAt && m.occurredAt)) r.problems.push(`timestamp chain ${JSON.stringify({ ...m, stats: undefined })}`);
      r.last = m.seq;
      r.lastMessage = m;
    } else if (m.type === 'subscribed') live++;
    else if (m.type === 'error') r.problems.push(`error ${m.code}`);
  };
  while (r.reconnects < o.minReconnects || r.last !== o.finalSeq) {
    const before = r.deltas + live;
    // A client that drops a connection processes nothing more from it.
    let current = true;
    const c = await o.connect(r.last, (m) => current && on(m));
    const cut = Math.random();
    if (cut < 0.3) await expect.poll(() => r.deltas + live > before, { timeout: 50, interval: 2 }).toBe(true).catch(() => {});
    else if (cut < 0.6) await sleep(Math.random() * 10);
    current = false;
    c.cut();
    r.reconnects++;
    if (r.reconnects > (o.maxReconnects ?? 20_000)) break;
  }
  r.ms = Math.round(performance.now() - started);
  return r;
}
