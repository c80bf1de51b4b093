// Test support for the pollers: a virtual clock, a local HTTP server that serves recorded responses
// and records what it was asked (at virtual time), a submit that captures bodies, and window counting.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Accepted } from '../../../src/ingest/accept.ts';
import type { SourceName } from '../../../src/ingest/adapters/types.ts';
import { isNdjson } from '../../../src/ingest/payloads.ts';
import type { Clock } from '../../../src/ingest/pollers/clock.ts';
import { PollerLogUnavailable, withDetails } from '../../../src/ingest/pollers/errors.ts';
import type { Submit } from '../../../src/ingest/pollers/submit.ts';
import { createMemoryCacheBackend } from '../../../src/infra/memory/cache.ts';

export const silent = pino({ level: 'silent' });

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const fixtureText = (path: string) => readFileSync(`${FIXTURES}${path}`, 'utf8');
export const fixtureJson = <T = Record<string, unknown>>(path: string) => JSON.parse(fixtureText(path)) as T;

/** A recorded response (server/test/fixtures/pollers/**\/*.response.json). */
export interface Recorded {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Real ms before the headers are sent (slow responses). */
  delayMs?: number;
  /** Real ms between the headers and the body (a stalled body). */
  bodyDelayMs?: number;
  /** Send the body without content-length (chunked). */
  chunked?: boolean;
}

export const recorded = (path: string): Recorded => fixtureJson<Recorded>(`pollers/${path}`);

/** Virtual time: sleep() moves it forward at once (and yields), so minutes of waiting take microseconds. */
export class FakeClock implements Clock {
  t: number;
  readonly sleeps: number[] = [];

  constructor(start = Date.parse('2024-06-15T15:06:00Z')) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    if (ms > 0) this.t += ms;
    await new Promise((r) => setImmediate(r));
    signal?.throwIfAborted();
  }
}

export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Virtual time of arrival. */
  at: number;
}

export type Handler = (req: Seen) => Recorded | Promise<Recorded>;

/** A local HTTP server answering with recorded responses; every request is kept in `seen`. */
export class RecordedServer {
  readonly seen: Seen[] = [];
  handler: Handler;
  readonly #server: Server;
  readonly #clock: Clock;
  url = '';

  constructor(clock: Clock, handler: Handler) {
    this.#clock = clock;
    this.handler = handler;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((r) => this.#server.close(r));
  }

  paths(prefix = ''): string[] {
    return this.seen.map((s) => s.path).filter((p) => p.startsWith(prefix));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    const seen: Seen = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, at: this.#clock.now() };
    this.seen.push(seen);
    let r: Recorded;
    try {
      r = await this.handler(seen);
    } catch (err) {
      r = { status: 599, body: { error: (err as Error).message } };
    }
    res.on('error', () => {});
    if (r.delayMs) await new Promise((x) => setTimeout(x, r.delayMs));
    if (res.destroyed) return;
    const body = r.body === undefined || r.body === null ? '' : Buffer.isBuffer(r.body) ? r.body : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    const headers: Record<string, string> = { ...r.headers };
    if (!r.chunked && r.status !== 204) headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(r.status, headers);
    if (r.bodyDelayMs) {
      res.flushHeaders();
      await new Promise((x) => setTimeout(x, r.bodyDelayMs));
      if (res.destroyed) return;
    }
    res.end(r.status === 204 ? undefined : body);
  }
}

export interface Captured {
  source: SourceName;
  streamId: string;
  body: Buffer;
  lines: unknown[];
}

/** A Submit that keeps what it was given; `failNext` makes the next n calls fail like an unavailable log. */
export function captureSubmit(): { submit: Submit; bodies: Captured[]; failNext: (n: number) => void; calls: () => number } {
  const bodies: Captured[] = [];
  let fail = 0;
  let calls = 0;
  const submit: Submit = async (source, streamId, body) => {
    calls++;
    if (fail > 0) {
      fail--;
      throw withDetails(new PollerLogUnavailable(source, 'no acknowledgement within 10000 ms'), { retryable: true });
    }
    // As ingest reads it: NDJSON → one document per line, else one document.
    const text = body.toString('utf8');
    const lines = isNdjson(body) ? text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown) : [JSON.parse(text) as unknown];
    bodies.push({ source, streamId, body, lines });
    return { meta: { tenant: 't', source, streamId, receivedAt: '', ingestId: '', contentType: '' }, accepted: lines.length, rejected: [], raw: [] } satisfies Accepted;
  };
  return { submit, bodies, failNext: (n) => (fail = n), calls: () => calls };
}

export const memoryCache = () => createMemoryCacheBackend().cache;

/** The largest number of times falling in any window [t, t + windowMs). */
export function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** Match-V5 documents for any id: our 2024 fixtures with the id (and numeric game id) substituted. */
export function riotDocuments(id: string): { match: string; timeline: string } {
  const num = id.split('_')[1]!;
  const swap = (text: string) => text.replaceAll('EUW1_7123456789', id).replaceAll('7123456789', num);
  return { match: swap(fixtureText('lol-match/match-2024.json')), timeline: swap(fixtureText('lol-match/timeline-2024.json')) };
}

export async function catchError(p: Promise<unknown>): Promise<Error & { code?: string; upstreamStatus?: number; retryable?: boolean }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}
