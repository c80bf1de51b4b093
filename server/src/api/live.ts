// Live delivery (protocol: docs/live.md), the same sessions (live/hub.ts) over two transports:
// WebSocket /v1/live: follow matches live and resume after a disconnect.
//   → {"op":"subscribe","matches":[{"id":"cs2-1","afterSeq":42}]}   afterSeq: resume after it
//   → {"op":"unsubscribe","matches":["cs2-1"]}
//   ← snapshot | delta | subscribed | error   (every match message carries its seq)
// Server-Sent Events GET /v1/matches/:id/live: one match; `id:` is the seq, so a browser's
// EventSource resumes by itself (Last-Event-ID); ?afterSeq= does the same for other clients.
import websocket from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { isTitle, TITLES } from '@clutch/core';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CLOSE, type LiveHub } from '../live/hub.ts';
import { ErrorBody } from './errors.ts';

export interface LiveApiOptions {
  hub: LiveHub;
  tenant: (req: unknown) => string;
  /** Ping interval; a client that has not answered the previous ping is disconnected. */
  heartbeatMs?: number;
}

/** Largest client message (subscribe lists are short). */
const MAX_CLIENT_MESSAGE = 64 * 1024;
const ID = /^[\w.:-]{1,128}$/u;

type ClientMessage =
  | { op: 'subscribe'; matches: Array<{ id: string; afterSeq?: number }> }
  | { op: 'unsubscribe'; matches: string[] }
  | { op: 'follow'; titles: string[]; tournaments: string[] }
  | { op: 'unfollow'; titles: string[]; tournaments: string[] };

/** The fields each op accepts; any other is refused. */
const FIELDS: Record<string, readonly string[]> = { subscribe: ['op', 'matches'], unsubscribe: ['op', 'matches'], follow: ['op', 'titles', 'tournaments'], unfollow: ['op', 'titles', 'tournaments'] };

/** Validates a client message; returns a reason when it is not one we accept. */
export function parseClientMessage(text: string): ClientMessage | string {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof m !== 'object' || m === null) return 'not an object';
  const { op, matches, titles = [], tournaments = [] } = m as Record<string, unknown>;
  const allowed = typeof op === 'string' && Object.hasOwn(FIELDS, op) ? FIELDS[op]! : undefined;
  if (!allowed) return '`op` must be subscribe, unsubscribe, follow or unfollow';
  const unknown = Object.keys(m).find((f) => !allowed.includes(f));
  if (unknown) return `unknown field ${unknown}`;
  if (op === 'follow' || op === 'unfollow') {
    if (!Array.isArray(titles) || !titles.every((t) => isTitle(t))) return `\`titles\` must be a list of ${TITLES.join(', ')}`;
    if (!Array.isArray(tournaments) || !tournaments.every((t) => typeof t === 'string' && ID.test(t))) return '`tournaments` must be tournament ids';
    if (titles.length + tournaments.length === 0 || titles.length + tournaments.length > 100) return 'give 1 to 100 titles and tournaments';
    return { op, titles: titles as string[], tournaments: tournaments as string[] };
  }
  if (!Array.isArray(matches) || matches.length === 0 || matches.length > 100) return '`matches` must be a list of 1 to 100 entries';
  if (op === 'subscribe') {
    for (const e of matches) {
      if (typeof e !== 'object' || e === null) return 'each entry of `matches` must be {"id", "afterSeq"?}';
      const { id, afterSeq, ...rest } = e as Record<string, unknown>;
      if (typeof id !== 'string' || !ID.test(id)) return 'a match id is 1 to 128 letters, digits, _ . : -';
      if (afterSeq !== undefined && !(Number.isSafeInteger(afterSeq) && (afterSeq as number) >= 0)) return '`afterSeq` must be an integer ≥ 0';
      if (Object.keys(rest).length) return `unknown field ${Object.keys(rest)[0]}`;
    }
    return { op, matches: matches as Array<{ id: string; afterSeq?: number }> };
  }
  if (!matches.every((id) => typeof id === 'string' && ID.test(id))) return '`matches` must be match ids';
  return { op: 'unsubscribe', matches: matches as string[] };
}

const live: FastifyPluginAsync<LiveApiOptions> = async (app, opts) => {
  await app.register(websocket, { options: { maxPayload: MAX_CLIENT_MESSAGE } });
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  app.addHook('preClose', async () => {
    await opts.hub.close();
  });

  app.get('/v1/live', { websocket: true }, (socket, req) => {
    const session = opts.hub.open(opts.tenant(req), {
      send: (text) => socket.send(text),
      buffered: () => socket.bufferedAmount,
      close: (code, reason) => socket.close(code, reason),
    });
    let alive = true;
    const heartbeat = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, heartbeatMs);
    socket.on('pong', () => (alive = true));
    socket.on('close', () => {
      clearInterval(heartbeat);
      session.end();
    });
    const error = (code: string, message: string) => socket.send(JSON.stringify({ type: 'error', code, message }));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return error('CLUTCH_LIVE_BAD_MESSAGE', 'send JSON text');
      const m = parseClientMessage(data.toString());
      if (typeof m === 'string') return error('CLUTCH_LIVE_BAD_MESSAGE', m);
      if (m.op === 'unsubscribe') {
        for (const id of m.matches) session.unsubscribe(id);
        return;
      }
      if (m.op === 'unfollow') return session.unfollow(m);
      if (m.op === 'follow') {
        session.follow(m).catch((err: unknown) => {
          req.log.warn({ error: err }, 'live follow failed');
          session.unfollow(m);
          error('CLUTCH_LIVE_UNAVAILABLE', 'could not follow now: retry');
        });
        return;
      }
      for (const { id, afterSeq } of m.matches) {
        session.subscribe(id, afterSeq).catch((err: unknown) => {
          req.log.warn({ error: err, matchId: id }, 'live subscribe failed');
          session.unsubscribe(id);
          error('CLUTCH_LIVE_UNAVAILABLE', `could not subscribe to ${id} now: retry`);
        });
      }
    });
  });
};

/** Server-Sent Events: one match per stream; Last-Event-ID (or ?afterSeq=) resumes. */
const sse: FastifyPluginAsync<LiveApiOptions> = async (app, opts) => {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const t = app.withTypeProvider<TypeBoxTypeProvider>();
  t.get(
    '/v1/matches/:id/live',
    {
      schema: {
        params: Type.Object({ id: Type.String({ pattern: ID.source, maxLength: 128 }) }),
        querystring: Type.Object({ afterSeq: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })) }),
        response: { 400: ErrorBody },
      },
    },
    async (req, reply) => {
      const header = req.headers['last-event-id'];
      const afterSeq = header !== undefined ? Number(header) : req.query.afterSeq;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
      // A browser reconnects after `retry` ms by itself, sending the last id it saw.
      res.write('retry: 1000\n\n');
      const session = opts.hub.open(opts.tenant(req), {
        send: (text, type, seq) => void res.write(`event: ${type}\n${seq !== undefined && type !== 'subscribed' ? `id: ${seq}\n` : ''}data: ${text}\n\n`),
        buffered: () => res.writableLength,
        close: (code, reason) => {
          res.write(`event: error\ndata: ${JSON.stringify({ type: 'error', code: code === CLOSE.slowConsumer ? 'CLUTCH_LIVE_SLOW_CONSUMER' : 'CLUTCH_LIVE_CLOSED', message: reason })}\n\n`);
          res.end();
        },
      });
      const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
      res.on('close', () => {
        clearInterval(heartbeat);
        session.end();
      });
      await session.subscribe(req.params.id, afterSeq).catch((err: unknown) => {
        req.log.warn({ error: err, matchId: req.params.id }, 'live subscribe failed');
        session.end(CLOSE.goingAway, 'could not subscribe now: retry');
      });
    },
  );
};

export default fp(
  async (app, opts: LiveApiOptions) => {
    await app.register(live, opts);
    await app.register(sse, opts);
  },
  { name: 'clutch-live' },
);
