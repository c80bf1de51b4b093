// gRPC, gRPC-Web and the Connect protocol from one set of handlers (Connect, docs/grpc.md):
//   clutch.v1.MatchService  Get, List, ListEvents      (the REST matches, as protobuf)
//   clutch.v1.LiveService   Subscribe (server stream)  (the live sessions of live/hub.ts, resume by seq)
// On the main port: Connect and gRPC-Web over HTTP/1.1, and gRPC too when TLS gives HTTP/2 (ALPN).
// With an h2c port (CLUTCH_GRPC_H2C_PORT): the same routes on HTTP/2 cleartext, for gRPC inside a
// cluster (Node's cleartext HTTP/2 server cannot also speak HTTP/1.1, hence a listener of its own).
import type { Http2ServerRequest, Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createContextKey, createContextValues, type ConnectRouter, type ConnectRouterOptions, type ContextValues, type HandlerContext } from '@connectrpc/connect';
import { fastifyConnectPlugin } from '@connectrpc/connect-fastify';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import { LiveService } from '../gen/clutch/v1/live_pb.ts';
import { MatchService } from '../gen/clutch/v1/match_pb.ts';
import type { LiveHub } from '../live/hub.ts';
import type { CacheBackend } from '../ports/cache.ts';
import type { Store } from '../ports/store.ts';
import { DEFAULT_MAX_STREAMS, kConnectionClosed, liveService } from './grpc/live-service.ts';
import authPlugin, { type AuthOptions, type Principal } from '../auth/plugin.ts';

/** The caller, as the auth plugin found it for the HTTP request of the call. */
export const kPrincipal = createContextKey<Principal | undefined>(undefined, { description: 'clutch principal' });

/** The tenant of an RPC: every route of these services is behind a scope, so a principal is there. */
export function grpcTenant(ctx: HandlerContext): string {
  const p = ctx.values.get(kPrincipal);
  if (!p) throw new Error('no principal on an RPC: the route is not behind a scope');
  return p.tenant;
}

/** Per request: aborted when its HTTP response closes (see kConnectionClosed). */
const connectionClosed = new WeakMap<object, AbortSignal>();
import { matchService } from './grpc/match-service.ts';

export interface GrpcApiOptions {
  hub: LiveHub;
  store: Store;
  cache: CacheBackend;
  tenant: (ctx: HandlerContext) => string;
  /** Authentication of the h2c listener (the main port's comes from the app). */
  auth?: AuthOptions;
  log: Logger;
  /** Also serve the RPCs over HTTP/2 cleartext on this address (started with the app, closed with it). */
  h2c?: { host: string; port: number };
  /** Heartbeat interval of live streams (default 15 s, as SSE's ping). */
  heartbeatMs?: number;
  /** Live streams open at once in this process (default 10,000). */
  maxStreams?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    grpc: {
      /** Where the h2c listener listens, once the app is ready (undefined without one). */
      h2cAddress(): AddressInfo | undefined;
      /** Live streams open now. */
      streams(): number;
    };
  }
}

/** Requests are small (an id, filters, a page token). */
const MAX_REQUEST_BYTES = 64 * 1024;
/** Concurrent streams per HTTP/2 connection on the h2c listener: as the WebSocket's 100 subscriptions per connection. */
const MAX_STREAMS_PER_CONNECTION = 100;
/** How long an HTTP/2 request still being sent after its answer went out is given before it is reset. */
const ANSWERED_STREAM_RESET_MS = 1000;
/** How long h2c connections may take to finish their requests at shutdown. */
const H2C_CLOSE_GRACE_MS = 2000;

export default fp(
  async (app: FastifyInstance, opts: GrpcApiOptions) => {
    const live = liveService({ hub: opts.hub, tenant: opts.tenant, log: opts.log, heartbeatMs: opts.heartbeatMs ?? 15_000, maxStreams: opts.maxStreams ?? DEFAULT_MAX_STREAMS });
    const matches = matchService({ store: opts.store, cache: opts.cache, tenant: opts.tenant, log: opts.log });
    const connect: ConnectRouterOptions & { routes: (r: ConnectRouter) => void; contextValues: (req: FastifyRequest) => ContextValues } = {
      routes: (router) => {
        router.service(MatchService, matches);
        router.service(LiveService, live.impl);
      },
      readMaxBytes: MAX_REQUEST_BYTES,
      contextValues: (req: FastifyRequest) => createContextValues().set(kConnectionClosed, connectionClosed.get(req.raw)).set(kPrincipal, req.auth),
    };
    const rpc = async (scope: FastifyInstance) => {
      // RPC routes are described by proto/, not by the OpenAPI document.
      scope.addHook('onRoute', (route) => {
        route.schema = { ...route.schema, hide: true };
      });
      // An HTTP/2 stream answered before its request was read to the end (a message over the limit)
      // is reset a moment after the answer went out, telling the client to stop sending (RFC 9113
      // §8.1). Left open, it would wait for flow-control credit forever and hold its connection at
      // shutdown; reset at once, the client could lose the answer still in flight.
      scope.addHook('onRequest', async (req, reply) => {
        const gone = new AbortController();
        connectionClosed.set(req.raw, gone.signal);
        reply.raw.once('close', () => gone.abort());
        const stream = (req.raw as unknown as Partial<Http2ServerRequest>).stream;
        stream?.once('finish', () => {
          if (!stream.readableEnded) setTimeout(() => stream.destroyed || stream.readableEnded || stream.destroy(), ANSWERED_STREAM_RESET_MS).unref();
        });
      });
      await scope.register(fastifyConnectPlugin, connect);
    };
    await app.register(rpc);

    let h2c: FastifyInstance | undefined;
    const sessions = new Set<Http2Session>();
    if (opts.h2c) {
      const settings = { maxConcurrentStreams: MAX_STREAMS_PER_CONNECTION };
      h2c = Fastify({ http2: true, http: { settings }, loggerInstance: app.log as FastifyBaseLogger, connectionTimeout: 60_000 } as never) as unknown as FastifyInstance;
      if (opts.auth) await h2c.register(authPlugin, opts.auth);
      await h2c.register(rpc);
      const { host, port } = opts.h2c;
      const server = h2c;
      server.server.on('session', (s: Http2Session) => {
        sessions.add(s);
        s.once('close', () => sessions.delete(s));
      });
      app.addHook('onReady', async () => {
        await server.listen({ host, port });
        opts.log.info({ address: server.server.address() }, 'gRPC over h2c listening');
      });
    }
    app.decorate('grpc', {
      h2cAddress: () => (h2c?.server.listening ? (h2c.server.address() as AddressInfo) : undefined),
      streams: live.streams,
    });
    // Live streams end first (clients resume elsewhere), then the h2c listener closes: its connections
    // are asked to finish (GOAWAY), and those still open after a grace period are dropped.
    app.addHook('preClose', async () => {
      live.closeAll();
      if (!h2c) return;
      const drop = setTimeout(() => {
        for (const s of sessions) s.destroy();
      }, H2C_CLOSE_GRACE_MS);
      try {
        await h2c.close();
      } finally {
        clearTimeout(drop);
      }
    });
  },
  { name: 'clutch-grpc' },
);
