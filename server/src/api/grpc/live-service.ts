// LiveService.Subscribe: one match as a server stream, on the hub's sessions (live/hub.ts), with
// the WebSocket's and SSE's resume semantics (docs/live.md): after_seq resumes, a resume older than
// the retained history gets a snapshot (reason "history_gap"), nothing is sent twice.
import { Code, createContextKey, type ConnectError, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import type { Logger } from 'pino';
import { LiveService, type SubscribeResponse } from '../../gen/clutch/v1/live_pb.ts';
import { CLOSE, type LiveHub, type LiveSession } from '../../live/hub.ts';
import { heartbeat, liveMessageFromJson } from './convert.ts';
import { badRequest, rpcError } from './errors.ts';

export interface LiveServiceOptions {
  hub: LiveHub;
  tenant: (ctx: HandlerContext) => string;
  log: Logger;
  /** A heartbeat message on every stream this often (keeps idle timeouts and proxies from closing it). */
  heartbeatMs: number;
  /** Subscribe streams open at once in this process, over every listener and protocol. */
  maxStreams: number;
}

export const DEFAULT_MAX_STREAMS = 10_000;

/**
 * Aborted when the HTTP response of the call closes, watched from the moment the request arrived
 * (api/grpc.ts). Connect's own signal misses a response that closed before its handler started, and
 * the call then never ends: this one releases the stream's session whatever Connect does.
 */
export const kConnectionClosed = createContextKey<AbortSignal | undefined>(undefined, { description: 'clutch: the HTTP response closed' });
/** As the WebSocket's and SSE's match ids. */
const ID = /^[\w.:-]{1,128}$/u;

/**
 * Messages waiting for the stream: the hub's sink pushes, the handler's generator pulls as fast as
 * Connect writes them to the network (it awaits the socket's drain). What waits here is what the
 * client has not read: the hub cuts the session off past its limit (slow consumer).
 */
class Outbox {
  readonly #items: Array<{ m: SubscribeResponse; size: number }> = [];
  #bytes = 0;
  #end: ConnectError | 'done' | undefined;
  #wake: (() => void) | undefined;

  get bytes(): number {
    return this.#bytes;
  }

  push(m: SubscribeResponse, size: number): void {
    if (this.#end) return;
    this.#items.push({ m, size });
    this.#bytes += size;
    this.#wakeUp();
  }

  /** Ends the stream: cleanly, or with an error at once (what is queued is dropped: the client resumes). */
  finish(err?: ConnectError): void {
    if (this.#end) return;
    this.#end = err ?? 'done';
    if (err) {
      this.#items.length = 0;
      this.#bytes = 0;
    }
    this.#wakeUp();
  }

  #wakeUp(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  async *drain(): AsyncGenerator<SubscribeResponse> {
    for (;;) {
      const next = this.#items.shift();
      if (next) {
        this.#bytes -= next.size;
        yield next.m;
        continue;
      }
      if (this.#end === 'done') return;
      if (this.#end) throw this.#end;
      await new Promise<void>((r) => (this.#wake = r));
    }
  }
}

/**
 * Live messages converted once per text: a delta's JSON is shared by every session (live/hub.ts), so
 * a thousand gRPC subscribers of a match parse it once. Bounded (oldest out first).
 */
class Converted {
  readonly #map = new Map<string, SubscribeResponse | undefined>();
  readonly #max: number;
  constructor(max = 256) {
    this.#max = max;
  }

  get(text: string): SubscribeResponse | undefined {
    if (this.#map.has(text)) return this.#map.get(text);
    const m = liveMessageFromJson(text);
    this.#map.set(text, m);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
    return m;
  }
}

export interface Live {
  impl: ServiceImpl<typeof LiveService>;
  /** Streams open now. */
  streams(): number;
  /** Ends every stream with UNAVAILABLE CLUTCH_LIVE_CLOSED (server shutdown): clients resume elsewhere. */
  closeAll(): void;
}

export function liveService(o: LiveServiceOptions): Live {
  let streams = 0;
  const open = new Set<LiveSession>();
  const converted = new Converted();
  const impl: ServiceImpl<typeof LiveService> = {
    async *subscribe(req, ctx) {
      const problems: Array<{ field: string; message: string }> = [];
      if (!ID.test(req.matchId)) problems.push({ field: 'match_id', message: req.matchId ? 'must be 1 to 128 letters, digits, _ . : -' : 'required' });
      if (req.afterSeq !== undefined && req.afterSeq > BigInt(Number.MAX_SAFE_INTEGER)) problems.push({ field: 'after_seq', message: 'too large' });
      if (problems.length) throw badRequest(problems);
      if (streams >= o.maxStreams) throw rpcError(Code.ResourceExhausted, 'CLUTCH_LIVE_TOO_MANY_STREAMS', `this server has ${o.maxStreams} live streams open: retry later or on another instance`);
      streams++;
      const matchId = req.matchId;
      const afterSeq = req.afterSeq === undefined ? undefined : Number(req.afterSeq);
      const out = new Outbox();
      let lastSeq = afterSeq ?? 0;
      const session = o.hub.open(o.tenant(ctx), {
        send: (text, type) => {
          if (type === 'error') {
            // A one-match stream has one subscription: the hub's only refusal is a limit.
            return out.finish(rpcError(Code.ResourceExhausted, 'CLUTCH_LIVE_TOO_MANY_SUBSCRIPTIONS', (JSON.parse(text) as { message: string }).message));
          }
          const m = converted.get(text);
          if (!m) return;
          lastSeq = Number(m.seq);
          out.push(m, text.length);
        },
        buffered: () => out.bytes,
        close: (code, reason) =>
          out.finish(code === CLOSE.slowConsumer ? rpcError(Code.ResourceExhausted, 'CLUTCH_LIVE_SLOW_CONSUMER', reason) : rpcError(Code.Unavailable, 'CLUTCH_LIVE_CLOSED', reason)),
      });
      let released = false;
      /** Ends the session and gives back the stream's place, once (the generator may never resume). */
      const release = () => {
        if (released) return;
        released = true;
        session.end();
        open.delete(session);
        streams--;
      };
      const onAbort = () => {
        release();
        out.finish();
      };
      open.add(session);
      const closed = ctx.values.get(kConnectionClosed);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      closed?.addEventListener('abort', onAbort, { once: true });
      // A client that went away before the handler got here aborted already: no event will come.
      if (ctx.signal.aborted || closed?.aborted) onAbort();
      const beat = setInterval(() => out.push(heartbeat(matchId, lastSeq), 32), o.heartbeatMs);
      try {
        session.subscribe(matchId, afterSeq).catch((err: unknown) => {
          o.log.warn({ error: err, matchId }, 'live subscribe failed');
          session.end();
          out.finish(rpcError(Code.Unavailable, 'CLUTCH_LIVE_UNAVAILABLE', `could not subscribe to ${matchId} now: retry`));
        });
        yield* out.drain();
      } finally {
        clearInterval(beat);
        ctx.signal.removeEventListener('abort', onAbort);
        closed?.removeEventListener('abort', onAbort);
        release();
      }
    },
  };
  return {
    impl,
    streams: () => streams,
    closeAll: () => {
      for (const s of [...open]) s.end(CLOSE.goingAway, 'server shutting down: reconnect and resume');
    },
  };
}
