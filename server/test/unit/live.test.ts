// Live delivery over WebSocket (/v1/live) on the embedded app, fed a recorded match through the
// processor: a client that is cut off at random points, over a thousand times, and resumes with its
// last seq receives every change once and in order; an old gap gets a snapshot; bad input and slow
// clients get their documented answers.
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseFiles } from '../../src/cli/parse.ts';
import { statsOfEvents } from '../../src/cli/stats.ts';
import { toRecord } from '../../src/events/codec.ts';
import { CLOSE, LiveHub } from '../../src/live/hub.ts';
import { topicNames } from '../../src/topics.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';

const topics = topicNames('');
const fixture = (p: string) => new URL(`../fixtures/${p}`, import.meta.url).pathname;
const eventsOf = async (source: string, files: string[]) => (await parseFiles(source, files.map(fixture), { tenant: 'demo', streamId: 's', receivedAt: '2026-03-14T20:00:00.000Z' })).events;

type Msg = { type: string; matchId?: string; seq?: number; fromSeq?: number; reason?: string; resumed?: boolean; code?: string; stats?: unknown; sentAt?: string; processedAt?: string; occurredAt?: string; receivedAt?: string };

async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  return `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1/live`;
}

function connect(url: string): Promise<{ ws: WebSocket; messages: Msg[]; next: (pred: (m: Msg) => boolean, ms?: number) => Promise<Msg> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: Msg[] = [];
    const waiters = new Set<() => void>();
    ws.on('message', (d) => {
      messages.push(JSON.parse(d.toString()) as Msg);
      for (const w of waiters) w();
    });
    const next = (pred: (m: Msg) => boolean, ms = 5000) =>
      new Promise<Msg>((res, rej) => {
        const check = () => {
          const m = messages.find(pred);
          if (!m) return false;
          waiters.delete(check);
          clearTimeout(timer);
          res(m);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          rej(new Error(`no matching message in ${ms} ms; got ${JSON.stringify(messages.map((m) => m.type))}`));
        }, ms);
        if (!check()) waiters.add(check);
      });
    ws.once('open', () => resolve({ ws, messages, next }));
    ws.once('error', reject);
  });
}

describe('live delivery: WebSocket /v1/live and SSE /v1/matches/:id/live', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  // One reconnecting client per transport: it keeps its last seq and resumes with it.
  type Conn = { cut(): void };
  const transports: Record<string, (base: string, id: string, last: number | undefined, on: (m: Msg) => void) => Promise<Conn>> = {
    websocket: async (base, id, last, on) => {
      const c = await connect(`${base.replace('http', 'ws')}/v1/live`);
      c.ws.on('message', (d) => on(JSON.parse(d.toString()) as Msg));
      c.ws.send(JSON.stringify({ op: 'subscribe', matches: [last === undefined ? { id } : { id, afterSeq: last }] }));
      return { cut: () => (Math.random() < 0.5 ? c.ws.terminate() : c.ws.close()) };
    },
    sse: async (base, id, last, on) => {
      const ac = new AbortController();
      const res = await fetch(`${base}/v1/matches/${id}/live`, { headers: last === undefined ? {} : { 'last-event-id': String(last) }, signal: ac.signal });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      void (async () => {
        const decoder = new TextDecoder();
        let buf = '';
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (data) on(JSON.parse(data.slice(6)) as Msg);
          }
        }
      })().catch(() => {});
      return { cut: () => ac.abort() };
    },
  };

  it.each(Object.keys(transports))('%s: resumes after ≥ 1,000 random disconnects with no gap and no duplicate, ending at the final stats', async (transport) => {
    t = await embeddedApp();
    const base = (await listen(t)).replace('ws:', 'http:').replace('/v1/live', '');
    const lol = await eventsOf('lol-match', ['lol-match/match-2024.json', 'lol-match/timeline-2024.json']);
    const id = lol[0]!.matchId;
    const finalSeq = lol.at(-1)!.seq;
    // The match arrives a few events at a time while the client keeps dropping its connection.
    const feeding = (async () => {
      for (let i = 0; i < lol.length; ) {
        const n = 1 + Math.floor(Math.random() * 2);
        await t!.infra.eventLog.append(lol.slice(i, i + n).map((e) => toRecord(topics.events, e)));
        i += n;
        await sleep(20 + Math.random() * 60);
      }
    })();
    let last: number | undefined;
    let reconnects = 0;
    let deltas = 0;
    let snapshots = 0;
    const problems: string[] = [];
    let lastMessage: Msg | undefined;
    let live = 0;
    const on = (m: Msg) => {
      if (m.type === 'snapshot') {
        snapshots++;
        if (last !== undefined) problems.push(`snapshot at ${m.seq} after ${last} (${m.reason})`);
        last = m.seq;
        lastMessage = m;
      } else if (m.type === 'delta') {
        deltas++;
        if (last !== undefined && m.fromSeq !== last + 1) problems.push(`gap or duplicate: delta ${m.fromSeq}..${m.seq} after ${last}`);
        if (!(m.processedAt! <= m.sentAt! && m.receivedAt && m.occurredAt)) problems.push(`timestamp chain ${JSON.stringify(m)}`);
        last = m.seq;
        lastMessage = m;
      } else if (m.type === 'subscribed') live++;
      else if (m.type === 'error') problems.push(`error ${m.code}`);
    };
    while (reconnects < 1000 || last !== finalSeq) {
      const before = deltas + live;
      // A client that drops a connection processes nothing more from it.
      let current = true;
      const c = await transports[transport]!(base, id, last, (m) => current && on(m));
      // Cut off at a random point: at once, after a message or two, or after a short while.
      const cut = Math.random();
      if (cut < 0.3) await expect.poll(() => deltas + live > before, { timeout: 50, interval: 2 }).toBe(true).catch(() => {});
      else if (cut < 0.6) await sleep(Math.random() * 10);
      current = false;
      c.cut();
      reconnects++;
      if (reconnects > 20_000) break;
    }
    await feeding;
    expect(problems).toEqual([]);
    expect(reconnects).toBeGreaterThanOrEqual(1000);
    expect(last).toBe(finalSeq);
    expect(snapshots).toBeLessThanOrEqual(1); // only the very first subscription (no afterSeq) may get one
    expect(deltas).toBeGreaterThan(20);
    const [expected] = statsOfEvents(lol);
    expect(lastMessage!.stats).toEqual(JSON.parse(JSON.stringify(expected)));
    process.stderr.write(`[live:${transport}] ${reconnects} reconnects, ${deltas} deltas, ${snapshots} snapshot(s), final seq ${last}\n`);
  }, 120_000);

  it('follows titles and tournaments: every delta of their matches once and in order, none of others', async () => {
    t = await embeddedApp();
    const url = await listen(t);
    const cs2 = await eventsOf('cs2-log', ['cs2-log/wingman.log']);
    const lol = (await eventsOf('lol-match', ['lol-match/match-2024.json', 'lol-match/timeline-2024.json'])).map((e) => ({ ...e, tournamentId: 'major' }));
    const val = await eventsOf('valorant-match', ['valorant-match/match-ascent.json']);
    const c = await connect(url);
    c.ws.send(JSON.stringify({ op: 'follow', titles: ['cs2'], tournaments: ['major'] }));
    expect(await c.next((m) => m.type === 'following')).toMatchObject({ titles: ['cs2'], tournaments: ['major'] });
    for (let i = 0; i < Math.max(cs2.length, lol.length, val.length); i += 25) {
      await t.infra.eventLog.append([cs2, lol, val].flatMap((ev) => ev.slice(i, i + 25)).map((e) => toRecord(topics.events, e)));
      await sleep(30);
      // Half-way, also subscribe to the cs2 match with a resume position: nothing is sent twice.
      if (i === 100) c.ws.send(JSON.stringify({ op: 'subscribe', matches: [{ id: cs2[0]!.matchId, afterSeq: 3 }] }));
    }
    for (const ev of [cs2, lol]) await c.next((m) => m.type === 'delta' && m.matchId === ev[0]!.matchId && m.seq === ev.at(-1)!.seq, 10_000);
    for (const ev of [cs2, lol]) {
      const deltas = c.messages.filter((m) => m.type === 'delta' && m.matchId === ev[0]!.matchId);
      let last = 0;
      for (const d of deltas) {
        expect(d.fromSeq, `${ev[0]!.matchId} after ${last}`).toBe(last + 1);
        last = d.seq!;
      }
      expect(last).toBe(ev.at(-1)!.seq);
    }
    expect(c.messages.some((m) => m.matchId === val[0]!.matchId)).toBe(false);
    c.ws.send(JSON.stringify({ op: 'follow', titles: ['chess'] }));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'CLUTCH_LIVE_BAD_MESSAGE' });
    c.ws.close();
  });

  it('a resume older than the retained history gets a fresh snapshot, saying so', async () => {
    t = await embeddedApp({ CLUTCH_LIVE_HISTORY_LENGTH: '2' });
    const url = await listen(t);
    const cs2 = await eventsOf('cs2-log', ['cs2-log/wingman.log']);
    const id = cs2[0]!.matchId;
    for (let i = 0; i < cs2.length; i += 20) {
      await t.infra.eventLog.append(cs2.slice(i, i + 20).map((e) => toRecord(topics.events, e)));
      await expect.poll(async () => (await t!.app.inject({ url: `/v1/matches/${id}/stats` })).json().lastSeq, { timeout: 10_000 }).toBe(cs2[Math.min(i + 19, cs2.length - 1)]!.seq);
    }
    const c = await connect(url);
    c.ws.send(JSON.stringify({ op: 'subscribe', matches: [{ id, afterSeq: 5 }] }));
    const snap = await c.next((m) => m.type === 'snapshot');
    expect(snap).toMatchObject({ matchId: id, seq: cs2.at(-1)!.seq, reason: 'history_gap' });
    expect(await c.next((m) => m.type === 'subscribed')).toMatchObject({ seq: cs2.at(-1)!.seq, resumed: false });
    // Within the history: only what was missed, then the end of the catch-up.
    const lastChunk = Math.floor((cs2.length - 1) / 20) * 20;
    const d = await connect(url);
    d.ws.send(JSON.stringify({ op: 'subscribe', matches: [{ id, afterSeq: cs2[lastChunk - 1]!.seq }] }));
    expect(await d.next((m) => m.type === 'subscribed')).toMatchObject({ seq: cs2.at(-1)!.seq, resumed: true });
    expect(d.messages.map((m) => m.type)).toEqual(['delta', 'subscribed']);
    c.ws.close();
    d.ws.close();
  });

  it('answers bad messages with CLUTCH_LIVE_BAD_MESSAGE and keeps the connection', async () => {
    t = await embeddedApp();
    const url = await listen(t);
    const c = await connect(url);
    for (const bad of ['not json', '{"op":"subscribe"}', '{"op":"subscribe","matches":[{"id":"a","afterSeq":-1}]}', '{"op":"subscribe","matches":[{"id":"a b"}]}', '{"op":"dance","matches":["a"]}', '{"op":"constructor","matches":["a"]}', '{"op":"follow","titles":["cs2"],"matches":["a"]}', '{"op":"subscribe","matches":[{"id":"a","x":1}]}']) {
      c.messages.length = 0;
      c.ws.send(bad);
      expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'CLUTCH_LIVE_BAD_MESSAGE' });
    }
    c.ws.send(JSON.stringify({ op: 'subscribe', matches: [{ id: 'no-such-match' }] }));
    expect(await c.next((m) => m.type === 'subscribed')).toMatchObject({ matchId: 'no-such-match', seq: 0, resumed: false });
    // SSE: a bad resume position or an unknown parameter is a 400 with the error body.
    for (const [url, headers] of [['/v1/matches/m/live', { 'last-event-id': 'abc' }], ['/v1/matches/m/live?afterSeq=-1', {}], ['/v1/matches/m/live?after=1', {}], ['/v1/matches/a%20b/live', {}]] as const) {
      const r = await t.app.inject({ url, headers });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().code).toMatch(/^CLUTCH_/);
    }
    // A message over 64 KiB closes with 1009 (message too big).
    const closed = new Promise<number>((r) => c.ws.once('close', (code) => r(code)));
    c.ws.send('x'.repeat(70_000));
    expect(await closed).toBe(1009);
  });

  it('limits subscriptions per connection and cuts off a slow consumer with 4008', async () => {
    t = await embeddedApp();
    await t.app.ready();
    const hub = new LiveHub({ cache: t.infra.cache, store: t.infra.store, log: pino({ level: 'silent' }), limits: { maxSubscriptions: 2, maxBufferedBytes: 100 } });
    const sent: string[] = [];
    let closed: [number, string] | undefined;
    let buffered = 0;
    const session = hub.open('demo', { send: (s) => sent.push(s), buffered: () => buffered, close: (code, reason) => (closed = [code, reason]) });
    await session.subscribe('m1');
    await session.subscribe('m2');
    await session.subscribe('m3');
    expect(JSON.parse(sent.at(-1)!)).toMatchObject({ type: 'error', code: 'CLUTCH_LIVE_TOO_MANY_SUBSCRIPTIONS', matchId: 'm3' });
    expect(session.subscriptions).toBe(2);
    // The client stops reading: its unsent bytes pass the limit, the next message ends the session.
    buffered = 1000;
    await t.infra.cache.pubsub.publish('t:demo:live:stats', JSON.stringify({ v: 1, tenant: 'demo', matchId: 'm1', title: 'cs2', seq: 1, fromSeq: 1, occurredAt: 'x', receivedAt: 'x', processedAt: 'x', stats: {}, windows: { minutes: [], corrections: [] } }));
    await expect.poll(() => closed).toEqual([CLOSE.slowConsumer, 'slow consumer: reconnect and resume']);
    expect(hub.sessions).toBe(0);
    await hub.close();
  });
});
