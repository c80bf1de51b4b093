// A loopback TCP proxy between the browser and the server that can drop the live WebSocket alone:
// every connection passes through untouched, but those that open with `GET /v1/live` can be reset
// (the browser sees the socket die, close code 1006) and new ones held — accepted, nothing
// forwarded — until restore(). REST keeps working meanwhile, so the page keeps loading; only the
// live stream is cut, as on a flaky mobile network or a load balancer dropping long connections.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface LiveDropProxy {
  port: number;
  /** Live connections open now. */
  readonly liveConnections: number;
  /** Resets every live connection and holds new ones. */
  drop(): void;
  /** Lets held and new live connections through again. */
  restore(): void;
  close(): Promise<void>;
}

export async function startLiveDropProxy(target: { host: string; port: number }): Promise<LiveDropProxy> {
  const all = new Set<Socket>();
  const live = new Set<Socket>();
  let held: Promise<void> | undefined;
  let release = () => {};
  const server: Server = createServer((client) => {
    all.add(client);
    client.on('close', () => {
      all.delete(client);
      live.delete(client);
    });
    client.on('error', () => client.destroy());
    client.once('data', (first) => {
      client.pause();
      const isLive = first.toString('latin1', 0, 32).startsWith('GET /v1/live');
      const connect = () => {
        if (client.destroyed) return;
        const upstream = createConnection(target);
        all.add(upstream);
        upstream.on('close', () => {
          all.delete(upstream);
          client.destroy();
        });
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
        if (isLive) live.add(client);
        upstream.write(first);
        client.pipe(upstream).pipe(client);
        client.resume();
      };
      if (isLive && held) void held.then(connect);
      else connect();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const proxy: LiveDropProxy = {
    port: (server.address() as { port: number }).port,
    get liveConnections() {
      return live.size;
    },
    drop() {
      held ??= new Promise<void>((r) => (release = r));
      for (const s of live) s.resetAndDestroy();
      live.clear();
    },
    restore() {
      held = undefined;
      release();
    },
    async close() {
      proxy.restore();
      for (const s of all) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return proxy;
}
