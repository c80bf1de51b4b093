// An HTTP proxy in front of a Stripe API (stripe-mock) that injects faults into meter event requests
// and records what the API accepted. A fault may strike before the request is forwarded (Stripe never
// saw it) or after stripe-mock answered 200 (Stripe holds the event, the client sees an error):
//   5xx      a Stripe 500 error (before), or a proxy's non-JSON 503 page (after)
//   timeout  no answer at all; the client gives up at its own timeout
//   reset    the connection is reset
// `accepted` holds every identifier answered 200 upstream, once: what Stripe, which dedupes meter
// events by identifier, would hold. Other requests pass through untouched.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '@clutch/core';

export const FAULTS = ['5xx-before', '5xx-after', 'timeout-before', 'timeout-after', 'reset-before', 'reset-after'] as const;
export type Fault = (typeof FAULTS)[number] | 'none';

export interface AcceptedEvent {
  identifier: string;
  eventName: string;
  customer: string;
  value: number;
  timestamp: number;
  /** 200s stripe-mock gave for this identifier (more than one: a resend Stripe would dedupe). */
  times: number;
}

export interface FaultProxy {
  url: string;
  /** Meter event requests received, and how many of each fault was injected. */
  requests: number;
  faults: Record<Fault, number>;
  accepted: Map<string, AcceptedEvent>;
  /** Problems seen: an identifier sent with other parameters, an Idempotency-Key not equal to the identifier. */
  problems: string[];
  close(): Promise<void>;
}

/** A seeded PRNG (mulberry32): the same faults at every run. */
export const seeded = mulberry32;

export async function startStripeFaultProxy(target: string, decide: () => Fault): Promise<FaultProxy> {
  const up = new URL(target);
  const p: FaultProxy = { url: '', requests: 0, faults: Object.fromEntries([...FAULTS, 'none'].map((f) => [f, 0])) as Record<Fault, number>, accepted: new Map(), problems: [], close: async () => {} };

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const u = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      u.on('error', reject);
      u.end(body);
    });

  const reply = (res: ServerResponse, r: { status: number; headers: IncomingMessage['headers']; body: Buffer }) => {
    const headers = { ...r.headers };
    delete headers['transfer-encoding'];
    headers['content-length'] = String(r.body.length);
    res.writeHead(r.status, headers);
    res.end(r.body);
  };

  const record = (req: IncomingMessage, body: Buffer) => {
    const f = new URLSearchParams(body.toString('utf8'));
    const e = { identifier: f.get('identifier') ?? '', eventName: f.get('event_name') ?? '', customer: f.get('payload[stripe_customer_id]') ?? '', value: Number(f.get('payload[value]')), timestamp: Number(f.get('timestamp')) };
    if (req.headers['idempotency-key'] !== e.identifier) p.problems.push(`Idempotency-Key ${String(req.headers['idempotency-key'])} for identifier ${e.identifier}`);
    const seen = p.accepted.get(e.identifier);
    if (!seen) p.accepted.set(e.identifier, { ...e, times: 1 });
    else {
      seen.times++;
      if (seen.eventName !== e.eventName || seen.customer !== e.customer || seen.value !== e.value || seen.timestamp !== e.timestamp) p.problems.push(`identifier ${e.identifier} sent again with other parameters`);
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const metered = req.method === 'POST' && req.url?.split('?')[0] === '/v1/billing/meter_events';
      const fault: Fault = metered ? decide() : 'none';
      if (metered) {
        p.requests++;
        p.faults[fault]++;
      }
      if (fault === '5xx-before') {
        res.writeHead(500, { 'content-type': 'application/json', 'request-id': 'req_injected' });
        res.end(JSON.stringify({ error: { type: 'api_error', message: 'injected fault: Stripe had an internal error' } }));
        return;
      }
      if (fault === 'timeout-before') return; // never answered: the client times out
      if (fault === 'reset-before') return void req.socket.destroy();
      forward(req, body).then(
        (r) => {
          if (metered && r.status === 200) record(req, body);
          if (fault === '5xx-after') {
            res.writeHead(503, { 'content-type': 'text/html' });
            res.end('<html><body>503 Service Unavailable</body></html>');
          } else if (fault === 'timeout-after') return;
          else if (fault === 'reset-after') req.socket.destroy();
          else reply(res, r);
        },
        (err: Error) => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`proxy: ${err.message}`);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  p.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  p.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return p;
}
