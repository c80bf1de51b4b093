// gRPC via Connect on the embedded app: MatchService and LiveService.Subscribe over gRPC (HTTP/2:
// the h2c listener, and TLS on the main port), gRPC-Web and the Connect protocol (HTTP/1.1 on the
// main port), with real clients (@connectrpc/connect-node). The live stream resumes like the
// WebSocket and SSE: a client cut off at random points over a thousand times, on all three
// protocols, receives every change once and in order and ends at the final stats.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect as h2connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from '@connectrpc/connect-node';
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvelopeSchema, TITLES } from '@clutch/core';
import { MatchSchema as RestMatchSchema } from '../../src/api/matches.ts';
import grpcApi from '../../src/api/grpc.ts';
import { ErrorInfoSchema, Title, TitleSchema } from '../../src/gen/clutch/v1/common_pb.ts';
import { EventSchema } from '../../src/gen/clutch/v1/event_pb.ts';
import { LiveService, SubscribeRequestSchema, type SubscribeResponse } from '../../src/gen/clutch/v1/live_pb.ts';
import { MatchSchema, MatchService, MatchStatus } from '../../src/gen/clutch/v1/match_pb.ts';
import { statsOfEvents } from '../../src/cli/stats.ts';
import { toRecord } from '../../src/events/codec.ts';
import { LiveHub } from '../../src/live/hub.ts';
import { topicNames } from '../../src/topics.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';
import { eventsOf, feed, resumeUnderCuts, type LiveMsg } from '../support/replay.ts';

const topics = topicNames('');
const STATUS_NAMES: Record<number, string> = { [MatchStatus.SCHEDULED]: 'scheduled', [MatchStatus.LIVE]: 'live', [MatchStatus.FINISHED]: 'finished', [MatchStatus.CANCELLED]: 'cancelled' };
const iso = (t: Parameters<typeof timestampDate>[0] | undefined) => (t ? timestampDate(t).toISOString() : undefined);

/** The live message as the resume scenario checks it. */
function liveMsg(m: SubscribeResponse): LiveMsg {
  const head = { seq: Number(m.seq), sentAt: iso(m.sentAt) };
  switch (m.kind.case) {
    case 'snapshot':
      return { type: 'snapshot', ...head, reason: m.kind.value.reason, stats: m.kind.value.stats };
    case 'delta': {
      const d = m.kind.value;
      return { type: 'delta', ...head, fromSeq: Number(d.fromSeq), occurredAt: iso(d.occurredAt), receivedAt: iso(d.receivedAt), processedAt: iso(d.processedAt), stats: d.stats };
    }
    case 'subscribed':
      return { type: 'subscribed', ...head };
    default:
      return { type: 'heartbeat', ...head };
  }
}

async function listen(t: TestApp): Promise<{ base: string; h2c: string }> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const main = t.app.server.address() as { port: number };
  const h2c = t.app.grpc.h2cAddress();
  return { base: `http://127.0.0.1:${main.port}`, h2c: h2c ? `http://127.0.0.1:${h2c.port}` : '' };
}

/** The three protocols: gRPC over h2c, gRPC-Web and Connect over HTTP/1.1 on the main port. */
function transports(base: string, h2c: string): Record<string, Transport> {
  return {
    grpc: createGrpcTransport({ baseUrl: h2c }),
    'grpc-web': createGrpcWebTransport({ baseUrl: base, httpVersion: '1.1' }),
    connect: createConnectTransport({ baseUrl: base, httpVersion: '1.1' }),
  };
}

/** The error a call failed with: its Connect code and the CLUTCH code and problems of its ErrorInfo. */
async function failure(call: Promise<unknown>): Promise<{ code: Code; clutch: string | undefined; fields: string[]; message: string }> {
  try {
    await call;
  } catch (err) {
    const e = ConnectError.from(err);
    const info = e.findDetails(ErrorInfoSchema)[0];
    return { code: e.code, clutch: info?.code, fields: info?.problems.map((p) => p.field) ?? [], message: e.rawMessage };
  }
  throw new Error('the call succeeded');
}

async function fedAndProcessed(t: TestApp, events: Array<{ matchId: string; seq: number }>[]): Promise<void> {
  for (const ev of events) await t.infra.eventLog.append((ev as Parameters<typeof toRecord>[1][]).map((e) => toRecord(topics.events, e)));
  for (const ev of events) await expect.poll(async () => (await t.app.inject({ url: `/v1/matches/${ev[0]!.matchId}` })).json().lastSeq, { timeout: 15_000 }).toBe(ev.at(-1)!.seq);
}

describe('gRPC via Connect: MatchService and LiveService', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('the protobuf schema covers the canonical envelope, every title and every REST match field', () => {
    const fields = (d: { fields: Array<{ localName: string }> }) => d.fields.map((f) => f.localName).sort();
    expect(fields(EventSchema)).toEqual(Object.keys(EnvelopeSchema.properties).sort());
    expect(TitleSchema.values.filter((v) => v.number !== 0).map((v) => v.localName.toLowerCase())).toEqual([...TITLES]);
    expect(fields(MatchSchema)).toEqual(Object.keys(RestMatchSchema.properties).sort());
  });

  it('MatchService answers Get, List and ListEvents over gRPC (h2c), gRPC-Web and Connect as REST does', async () => {
    t = await embeddedApp({ CLUTCH_GRPC_H2C_PORT: '0' });
    const { base, h2c } = await listen(t);
    const matches = [
      await eventsOf('cs2-log', ['cs2-log/wingman.log']),
      await eventsOf('lol-match', ['lol-match/match-2024.json', 'lol-match/timeline-2024.json']),
      await eventsOf('valorant-match', ['valorant-match/match-ascent.json']),
    ];
    await fedAndProcessed(t, matches);
    await expect.poll(async () => (await t!.app.inject({ url: `/v1/matches/${matches[1]![0]!.matchId}/events?afterSeq=99&limit=1` })).json().data.length, { timeout: 15_000 }).toBe(1);
    const restList = (await t.app.inject({ url: '/v1/matches?limit=200' })).json().data as Array<Record<string, unknown>>;
    expect(restList).toHaveLength(3);
    for (const [protocol, transport] of Object.entries(transports(base, h2c))) {
      const client = createClient(MatchService, transport);
      for (const rest of restList) {
        const { match } = await client.get({ id: rest.id as string });
        expect(match, protocol).toBeDefined();
        expect({
          id: match!.id,
          title: TITLES[match!.title - 1],
          status: STATUS_NAMES[match!.status],
          teams: match!.teams.map((x) => ({ id: x.id, name: x.name, score: x.score })),
          map: match!.map ?? null,
          winner: match!.winner ?? null,
          tournamentId: match!.tournamentId ?? null,
          seriesId: match!.seriesId ?? null,
          lastSeq: Number(match!.lastSeq),
          startedAt: iso(match!.startedAt),
          updatedAt: iso(match!.updatedAt),
        }, `${protocol} ${rest.id as string}`).toEqual(rest);
      }
      // Pages of 2 walk the same list in the same order.
      const ids: string[] = [];
      let pageToken = '';
      let pages = 0;
      do {
        const page = await client.list({ pageSize: 2, pageToken });
        ids.push(...page.matches.map((m) => m.id));
        pageToken = page.nextPageToken;
        pages++;
      } while (pageToken);
      expect(ids, protocol).toEqual(restList.map((m) => m.id));
      expect(pages).toBe(2);
      // Filters: only the LoL match, only finished ones.
      expect((await client.list({ title: Title.LOL })).matches.map((m) => m.id)).toEqual([matches[1]![0]!.matchId]);
      expect((await client.list({ status: MatchStatus.FINISHED })).matches.map((m) => m.id)).toEqual(restList.filter((m) => m.status === 'finished').map((m) => m.id));
      // The archived events: the envelope field for field, the payload as a Struct.
      const lolId = matches[1]![0]!.matchId;
      const ev = await client.listEvents({ matchId: lolId, afterSeq: 10n, pageSize: 50 });
      const rest = (await t.app.inject({ url: `/v1/matches/${lolId}/events?afterSeq=10&limit=50` })).json() as { data: Array<Record<string, unknown>>; next: number };
      expect(ev.events.map((e) => Number(e.seq))).toEqual(rest.data.map((e) => e.seq));
      expect(ev.nextAfterSeq).toBe(BigInt(rest.next));
      const [first] = ev.events;
      expect({ id: first!.id, type: first!.type, matchId: first!.matchId, payload: first!.payload, occurredAt: iso(first!.occurredAt), title: TITLES[first!.title - 1] }).toEqual({
        id: rest.data[0]!.id,
        type: rest.data[0]!.type,
        matchId: rest.data[0]!.matchId,
        payload: rest.data[0]!.payload,
        occurredAt: new Date(rest.data[0]!.occurredAt as string).toISOString(),
        title: rest.data[0]!.title,
      });
    }
  }, 60_000);

  it('refuses bad requests with INVALID_ARGUMENT and a CLUTCH code naming the fields, on every protocol', async () => {
    t = await embeddedApp({ CLUTCH_GRPC_H2C_PORT: '0' });
    const { base, h2c } = await listen(t);
    for (const [protocol, transport] of Object.entries(transports(base, h2c))) {
      const matches = createClient(MatchService, transport);
      const live = createClient(LiveService, transport);
      expect(await failure(matches.get({ id: 'no-such-match' })), protocol).toMatchObject({ code: Code.NotFound, clutch: 'CLUTCH_MATCH_NOT_FOUND', message: 'CLUTCH_MATCH_NOT_FOUND: no match no-such-match' });
      expect(await failure(matches.get({ id: 'a b' })), protocol).toMatchObject({ code: Code.InvalidArgument, clutch: 'CLUTCH_BAD_REQUEST', fields: ['id'] });
      expect(await failure(matches.get({})), protocol).toMatchObject({ code: Code.InvalidArgument, fields: ['id'] });
      expect(await failure(matches.list({ pageSize: 201, title: 99 as Title, teamId: 'x'.repeat(129) })), protocol).toMatchObject({ code: Code.InvalidArgument, clutch: 'CLUTCH_BAD_REQUEST', fields: ['title', 'team_id', 'page_size'] });
      expect(await failure(matches.list({ pageToken: 'bm90LW91cnM' })), protocol).toMatchObject({ code: Code.InvalidArgument, clutch: 'CLUTCH_BAD_CURSOR', fields: ['page_token'] });
      expect(await failure(matches.listEvents({ matchId: 'no-such-match' })), protocol).toMatchObject({ code: Code.NotFound, clutch: 'CLUTCH_MATCH_NOT_FOUND' });
      expect(await failure(matches.listEvents({ matchId: 'm', types: ['Kill;'], pageSize: -1 })), protocol).toMatchObject({ code: Code.InvalidArgument, fields: ['page_size', 'types'] });
      const stream = async (req: Parameters<typeof live.subscribe>[0]) => {
        for await (const _ of live.subscribe(req)) void _;
      };
      expect(await failure(stream({ matchId: 'a b' })), protocol).toMatchObject({ code: Code.InvalidArgument, clutch: 'CLUTCH_BAD_REQUEST', fields: ['match_id'] });
      expect(await failure(stream({ matchId: 'm', afterSeq: 2n ** 60n })), protocol).toMatchObject({ code: Code.InvalidArgument, fields: ['after_seq'] });
      // Requests are small: a 70 KB one is refused before it is read.
      expect((await failure(matches.get({ id: 'x'.repeat(70_000) }))).code, protocol).toBe(Code.ResourceExhausted);
    }
  });

  it('LiveService.Subscribe resumes after ≥ 1,000 random disconnects on gRPC, gRPC-Web and Connect with no gap and no duplicate, ending at the final stats', async () => {
    t = await embeddedApp({ CLUTCH_GRPC_H2C_PORT: '0' });
    const { base, h2c } = await listen(t);
    const lol = await eventsOf('lol-match', ['lol-match/match-2024.json', 'lol-match/timeline-2024.json']);
    const id = lol[0]!.matchId;
    const finalSeq = lol.at(-1)!.seq;
    const feeding = feed(t, lol);
    // gRPC streams share one HTTP/2 connection (a cut resets the stream), or get one of their own
    // (a cut drops the connection).
    const shared = new Http2SessionManager(h2c);
    const byProtocol: Record<string, number> = { 'grpc (stream reset)': 0, 'grpc (connection dropped)': 0, 'grpc-web': 0, connect: 0 };
    const r = await resumeUnderCuts({
      finalSeq,
      minReconnects: 1000,
      connect: async (last, on) => {
        const protocol = Object.keys(byProtocol)[Math.floor(Math.random() * 4)]!;
        byProtocol[protocol]!++;
        const own = protocol === 'grpc (connection dropped)' ? new Http2SessionManager(h2c) : undefined;
        const transport =
          protocol === 'grpc-web' ? createGrpcWebTransport({ baseUrl: base, httpVersion: '1.1' })
          : protocol === 'connect' ? createConnectTransport({ baseUrl: base, httpVersion: '1.1' })
          : createGrpcTransport({ baseUrl: h2c, sessionManager: own ?? shared });
        const ac = new AbortController();
        const client = createClient(LiveService, transport);
        void (async () => {
          for await (const m of client.subscribe(last === undefined ? { matchId: id } : { matchId: id, afterSeq: BigInt(last) }, { signal: ac.signal })) on(liveMsg(m));
        })().catch((err: unknown) => {
          const e = ConnectError.from(err);
          if (e.code !== Code.Canceled) on({ type: 'error', code: `${Code[e.code]} ${e.rawMessage}` });
        });
        return {
          cut: () => {
            ac.abort();
            own?.abort();
          },
        };
      },
    });
    await feeding;
    shared.abort();
    expect(r.problems).toEqual([]);
    expect(r.reconnects).toBeGreaterThanOrEqual(1000);
    expect(r.last).toBe(finalSeq);
    expect(r.snapshots).toBeLessThanOrEqual(1); // only the very first subscription (no after_seq) may get one
    expect(r.deltas).toBeGreaterThan(20);
    for (const n of Object.values(byProtocol)) expect(n).toBeGreaterThan(150);
    const [expected] = statsOfEvents(lol);
    expect(r.lastMessage!.stats).toEqual(JSON.parse(JSON.stringify(expected)));
    // Every stream the cuts left behind is gone on the server.
    await expect.poll(() => t!.app.grpc.streams(), { timeout: 5000 }).toBe(0);
    process.stderr.write(`[live:grpc] ${r.reconnects} reconnects (${Object.entries(byProtocol).map(([p, n]) => `${p} ${n}`).join(', ')}) in ${(r.ms / 1000).toFixed(1)} s, ${r.deltas} deltas, ${r.snapshots} snapshot(s), final seq ${r.last}\n`);
  }, 120_000);

  it('a resume older than the retained history gets a snapshot saying so; one within it gets only what was missed', async () => {
    t = await embeddedApp({ CLUTCH_GRPC_H2C_PORT: '0', CLUTCH_LIVE_HISTORY_LENGTH: '2' });
    const { h2c } = await listen(t);
    const cs2 = await eventsOf('cs2-log', ['cs2-log/wingman.log']);
    const id = cs2[0]!.matchId;
    for (let i = 0; i < cs2.length; i += 20) await fedAndProcessed(t, [cs2.slice(i, i + 20)]);
    const live = createClient(LiveService, createGrpcTransport({ baseUrl: h2c }));
    const until = async (req: { matchId: string; afterSeq?: bigint }) => {
      const got: SubscribeResponse[] = [];
      for await (const m of live.subscribe(req)) {
        got.push(m);
        if (m.kind.case === 'subscribed') break;
      }
      return got;
    };
    const gap = await until({ matchId: id, afterSeq: 5n });
    expect(gap.map((m) => [m.kind.case, Number(m.seq)])).toEqual([
      ['snapshot', cs2.at(-1)!.seq],
      ['subscribed', cs2.at(-1)!.seq],
    ]);
    expect(gap[0]!.kind.value).toMatchObject({ reason: 'history_gap' });
    expect(gap[1]!.kind.value).toMatchObject({ resumed: false });
    const lastChunk = Math.floor((cs2.length - 1) / 20) * 20;
    const within = await until({ matchId: id, afterSeq: BigInt(cs2[lastChunk - 1]!.seq) });
    expect(within.map((m) => m.kind.case)).toEqual(['delta', 'subscribed']);
    expect(Number((within[0]!.kind.value as { fromSeq: bigint }).fromSeq)).toBe(cs2[lastChunk - 1]!.seq + 1);
    expect(within[1]!.kind.value).toMatchObject({ resumed: true });
    // A fresh subscription starts with a snapshot of the current stats.
    const fresh = await until({ matchId: id });
    expect(fresh.map((m) => m.kind.case)).toEqual(['snapshot', 'subscribed']);
    expect(fresh[0]!.kind.value).toMatchObject({ reason: '' });
  });

  it('limits streams, sends heartbeats on a quiet stream, and cuts off a client that stops reading', async () => {
    t = await embeddedApp();
    await t.app.ready();
    const hub = new LiveHub({ cache: t.infra.cache, store: t.infra.store, log: pino({ level: 'silent' }), limits: { maxBufferedBytes: 4 * 1024 } });
    const app = Fastify();
    await app.register(grpcApi, { hub, store: t.infra.store, cache: t.infra.cache, tenant: () => 'demo', log: pino({ level: 'silent' }), h2c: { host: '127.0.0.1', port: 0 }, heartbeatMs: 50, maxStreams: 2 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const h2c = `http://127.0.0.1:${app.grpc.h2cAddress()!.port}`;
      const live = createClient(LiveService, createConnectTransport({ baseUrl: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, httpVersion: '1.1' }));
      // Two streams are open: a third is refused; once one ends, there is room again.
      const acs = [new AbortController(), new AbortController()];
      const beats = [0, 0];
      const running = acs.map(async (ac, i) => {
        for await (const m of live.subscribe({ matchId: `quiet-${i}` }, { signal: ac.signal })) if (m.kind.case === 'heartbeat') beats[i]!++;
      });
      await expect.poll(() => beats.every((b) => b >= 3), { timeout: 5000 }).toBe(true);
      // (A client that stops iterating without cancelling leaves its call open: cancel it.)
      const third = async () => {
        const ac = new AbortController();
        try {
          for await (const _ of live.subscribe({ matchId: 'quiet-3' }, { signal: ac.signal })) ac.abort();
        } catch (err) {
          if (ConnectError.from(err).code !== Code.Canceled) throw err;
        }
      };
      expect(await failure(third())).toMatchObject({ code: Code.ResourceExhausted, clutch: 'CLUTCH_LIVE_TOO_MANY_STREAMS' });
      acs[0]!.abort();
      await Promise.allSettled(running.slice(0, 1));
      await expect.poll(() => app.grpc.streams()).toBe(1);
      await third();
      acs[1]!.abort();
      await Promise.allSettled(running);
      await expect.poll(() => app.grpc.streams()).toBe(0);

      // A gRPC client (raw HTTP/2, a 1 KiB flow-control window) that stops reading while the match is played.
      const lol = await eventsOf('lol-match', ['lol-match/match-2024.json', 'lol-match/timeline-2024.json']);
      const session = h2connect(h2c, { settings: { initialWindowSize: 1024 } });
      const [settings] = (await once(session, 'remoteSettings')) as [{ maxConcurrentStreams?: number }];
      expect(settings.maxConcurrentStreams).toBe(100); // streams per h2c connection, as the WebSocket's subscriptions
      const body = toBinary(SubscribeRequestSchema, create(SubscribeRequestSchema, { matchId: lol[0]!.matchId }));
      const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, body.length]), body]);
      const req = session.request({ ':method': 'POST', ':path': '/clutch.v1.LiveService/Subscribe', 'content-type': 'application/grpc+proto', te: 'trailers' });
      const trailers = new Promise<Record<string, unknown>>((resolve) => req.on('trailers', (h) => resolve(h)));
      req.end(frame);
      req.pause();
      await expect.poll(() => hub.sessions).toBe(1);
      for (let i = 0; i < lol.length && hub.sessions > 0; i += 2) {
        await t.infra.eventLog.append(lol.slice(i, i + 2).map((e) => toRecord(topics.events, e)));
        await sleep(10);
      }
      // The server ended the session (its queue passed 4 KiB); reading on, the client finds why.
      await expect.poll(() => hub.sessions, { timeout: 15_000 }).toBe(0);
      req.resume();
      const end = await trailers;
      expect(end['grpc-status']).toBe(String(Code.ResourceExhausted));
      expect(decodeURIComponent(String(end['grpc-message']))).toMatch(/^CLUTCH_LIVE_SLOW_CONSUMER: /);
      session.close();
      await expect.poll(() => app.grpc.streams()).toBe(0);
    } finally {
      await app.close();
      await hub.close();
    }
  });

  it('at shutdown, open streams end with UNAVAILABLE CLUTCH_LIVE_CLOSED on every protocol and the h2c listener closes', async () => {
    t = await embeddedApp({ CLUTCH_GRPC_H2C_PORT: '0' });
    const { base, h2c } = await listen(t);
    const ends = Object.entries(transports(base, h2c)).map(async ([protocol, transport]) => {
      const got: string[] = [];
      const live = createClient(LiveService, transport);
      const f = await failure(
        (async () => {
          for await (const m of live.subscribe({ matchId: 'm-1' })) got.push(m.kind.case ?? '');
        })(),
      );
      return { protocol, got, ...f };
    });
    await expect.poll(() => t!.app.grpc.streams()).toBe(3);
    await t.app.close();
    for (const e of await Promise.all(ends)) expect(e, e.protocol).toMatchObject({ got: ['subscribed'], code: Code.Unavailable, clutch: 'CLUTCH_LIVE_CLOSED' });
    expect(await failure(createClient(MatchService, createGrpcTransport({ baseUrl: h2c })).get({ id: 'm-1' }))).toMatchObject({ code: Code.Unavailable });
  });

  it('serves gRPC over HTTP/2 on the main port when TLS is configured (ALPN), next to HTTP/1.1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clutch-tls-'));
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    t = await embeddedApp({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `https://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const cs2 = await eventsOf('cs2-log', ['cs2-log/wingman.log']);
    await fedAndProcessed(t, [cs2]);
    const ca = readFileSync(cert);
    for (const transport of [createGrpcTransport({ baseUrl, nodeOptions: { ca } }), createConnectTransport({ baseUrl, httpVersion: '1.1', nodeOptions: { ca } })]) {
      const { match } = await createClient(MatchService, transport).get({ id: cs2[0]!.matchId });
      expect(Number(match!.lastSeq)).toBe(cs2.at(-1)!.seq);
      const got: string[] = [];
      for await (const m of createClient(LiveService, transport).subscribe({ matchId: cs2[0]!.matchId, afterSeq: BigInt(cs2.at(-1)!.seq) })) {
        got.push(m.kind.case ?? '');
        if (m.kind.case === 'subscribed') break;
      }
      expect(got).toEqual(['subscribed']);
    }
  });
});
