// `clutch replay <source> <file...> --speed <N|max>`: a recorded match played again as a live one.
// Two ways:
// - to the event log (default, needs KAFKA_BROKERS): the files are parsed here and their canonical
//   events appended to clutch.events.v1 at N× their recorded pace, as a fresh live match (its id gets
//   a `-replay-<time>` suffix so its seq starts at 1), timestamps shifted to now. Works for documents
//   too: a LoL timeline becomes a live game.
// - to a running Clutch (--url, --token): the raw payloads are POSTed to /v1/ingest/<source> at
//   their recorded pace, as the game server would (stream sources: CS2 logs by log second, JSON payloads
//   by the time of the first event they carry).
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Envelope } from '@clutch/core';
import { CliUsage } from '../errors.ts';
import { toRecord } from '../events/codec.ts';
import { adapterFor } from '../ingest/adapters/registry.ts';
import type { Adapter } from '../ingest/adapters/types.ts';
import { parsePayload } from '../ingest/parser-stage.ts';
import { payloadsOfFile } from '../ingest/payloads.ts';
import type { EventLog } from '../ports/event-log.ts';
import { parseFiles } from './parse.ts';

export interface ReplayOptions {
  /** Multiplier of recorded time, or Infinity for as fast as possible. */
  speed: number;
  tenant: string;
  /** Progress output (a line rewritten in place). */
  progress: (line: string) => void;
  now?: () => number;
  /** Injectable for tests (with `now`): how the replay waits. */
  sleep?: (ms: number) => Promise<void>;
}

export function parseSpeed(raw: string | undefined): number {
  if (raw === undefined || raw === 'max') return raw === 'max' ? Infinity : 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new CliUsage(`--speed must be a positive number or "max", got ${JSON.stringify(raw)}`);
  return n;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
const clock = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;

/** Waits until `recordedOffset / speed` after the start, unless speed is max. */
async function until(started: number, recordedOffset: number, o: ReplayOptions): Promise<void> {
  if (o.speed === Infinity) return;
  const wait = started + recordedOffset / o.speed - (o.now ?? Date.now)();
  if (wait > 0) await (o.sleep ?? sleep)(wait);
}

/** Replays parsed events into the event log; returns how many were appended. */
export async function replayToLog(log: EventLog, topic: string, source: string, files: string[], o: ReplayOptions): Promise<number> {
  const now = o.now ?? Date.now;
  const { events } = await parseFiles(source, files, { tenant: o.tenant, streamId: 'replay', receivedAt: new Date(now()).toISOString() });
  if (!events.length) return 0;
  const started = now();
  const suffix = `-replay-${stamp(started)}`;
  const t0 = Date.parse(events[0]!.occurredAt);
  let lastReport = 0;
  for (const [i, e] of events.entries()) {
    const offset = Math.max(0, Date.parse(e.occurredAt) - t0);
    await until(started, offset, o);
    const live: Envelope = {
      ...e,
      matchId: `${e.matchId.slice(0, 128 - suffix.length)}${suffix}`,
      occurredAt: new Date(started + (o.speed === Infinity ? 0 : offset / o.speed)).toISOString(),
      receivedAt: new Date(now()).toISOString(),
    };
    await log.append([toRecord(topic, live)]);
    if (now() - lastReport > 250 || i === events.length - 1) {
      lastReport = now();
      o.progress(`replay ${source}: ${i + 1}/${events.length} events, recorded time ${clock(offset)}, ${o.speed === Infinity ? 'max' : `${o.speed}x`}`);
    }
  }
  return events.length;
}

/** The recorded time (ms) of a payload: its log line second, or the first event it yields. */
function payloadTimes(adapter: Adapter, payloads: Buffer[]): { payload: Buffer; at: number | undefined }[] {
  let state = adapter.initialState();
  return payloads.map((payload) => {
    try {
      const out = parsePayload(adapter, payload, state, { receivedAt: new Date(0).toISOString(), streamId: 'replay' });
      state = out.state;
      const times = out.drafts.map((d) => Date.parse(d.occurredAt)).filter((t) => t > 0);
      return { payload, at: times.length ? Math.min(...times) : undefined };
    } catch {
      return { payload, at: undefined }; // the server will say what is wrong with it
    }
  });
}

/** CS2 log files are cut into bodies of one log second each, as a server sends them. */
export function logSeconds(text: string): { payload: Buffer; at: number | undefined }[] {
  const bodies: { payload: Buffer; at: number | undefined }[] = [];
  let current: string[] = [];
  let currentAt: number | undefined;
  const flush = () => {
    if (current.length) bodies.push({ payload: Buffer.from(`${current.join('\n')}\n`), at: currentAt });
    current = [];
  };
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    const m = /^L (\d\d)\/(\d\d)\/(\d{4}) - (\d\d):(\d\d):(\d\d):/.exec(line);
    const at = m ? Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])) : currentAt;
    if (at !== currentAt) flush();
    currentAt = at;
    current.push(line);
  }
  flush();
  return bodies;
}

export interface HttpReplayOptions extends ReplayOptions {
  url: string;
  token: string;
  fetch?: typeof fetch;
}

/** Replays raw payloads to a running Clutch over HTTP; returns how many bodies were accepted. */
export async function replayToHttp(source: string, files: string[], o: HttpReplayOptions): Promise<number> {
  const adapter = adapterFor(source);
  if (adapter.kind === 'document') throw new CliUsage(`${source} is a document source: replay it to the event log (without --url), which paces its events`);
  const now = o.now ?? Date.now;
  const doFetch = o.fetch ?? fetch;
  const bodies: { payload: Buffer; at: number | undefined }[] = [];
  for (const f of files) {
    const content = await readFile(f);
    bodies.push(...(adapter.format === 'text' ? logSeconds(content.toString('utf8')) : payloadTimes(adapter, payloadsOfFile(adapter, content))));
  }
  const t0 = bodies.find((b) => b.at !== undefined)?.at ?? 0;
  const started = now();
  const endpoint = `${o.url.replace(/\/$/, '')}/v1/ingest/${source}`;
  let sent = 0;
  let lastReport = 0;
  for (const [i, b] of bodies.entries()) {
    const offset = b.at === undefined ? 0 : Math.max(0, b.at - t0);
    await until(started, offset, o);
    for (let attempt = 1; ; attempt++) {
      const res = await doFetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${o.token}`, 'content-type': adapter.format === 'text' ? 'text/plain' : 'application/json' },
        body: b.payload,
      });
      if (res.status === 202) break;
      const text = await res.text();
      if (res.status === 503 && attempt < 10) {
        await sleep(1000 * Number(res.headers.get('retry-after') ?? 1));
        continue;
      }
      throw new Error(`POST ${endpoint} answered ${res.status}: ${text.slice(0, 500)}`);
    }
    sent++;
    if (now() - lastReport > 250 || i === bodies.length - 1) {
      lastReport = now();
      o.progress(`replay ${source} → ${o.url}: ${sent}/${bodies.length} bodies, recorded time ${clock(offset)}, ${o.speed === Infinity ? 'max' : `${o.speed}x`}`);
    }
  }
  return sent;
}
