// One HTTP attempt of a webhook: POST the body, wait at most `timeoutMs` for the whole answer, keep a
// short excerpt of it. Redirects are not followed (a 3xx is a failure). Unless private targets are
// allowed, the address the host name resolves to is checked when connecting (no loopback, private,
// link-local or metadata addresses), so a DNS answer that changes after the subscription was
// created cannot point a webhook at the internal network.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

export const EXCERPT_CHARS = 512;

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) blocked.addSubnet(net, bits, 'ipv6');

/** True when an IP address is loopback, private, link-local, multicast or otherwise not a public target. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) return blocked.check(address, 'ipv6');
  return false;
}

/** The host of a URL as an IP literal or a name that is local by definition ('localhost'). */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isIP(h) ? isPrivateAddress(h) : false;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that refuses private addresses. */
function publicLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) {
      const e = Object.assign(new Error(`${hostname} resolves to a private address (${bad.address}); webhooks only go to public addresses`), { code: 'CLUTCH_WEBHOOK_PRIVATE_ADDRESS' });
      return callback(e, []);
    }
    if (options.all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}

export interface SendResult {
  statusCode: number | null;
  /** Why there is no 2xx: a network error, a timeout, or a non-2xx status. */
  error: string | null;
  responseExcerpt: string | null;
  durationMs: number;
  ok: boolean;
  /** not_sent: the server could not sign it (its signing secret cannot be read; see attemptDelivery). */
  outcome: 'success' | 'http_error' | 'timeout' | 'network_error' | 'not_sent';
}

export async function sendWebhook(o: { url: string; body: string; headers: Record<string, string>; timeoutMs: number; allowPrivate: boolean; signal?: AbortSignal }): Promise<SendResult> {
  const started = performance.now();
  const url = new URL(o.url);
  const lib = url.protocol === 'https:' ? https : http;
  const body = Buffer.from(o.body);
  // A literal private IP when private targets are not allowed: refused without connecting.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (!o.allowPrivate && isIP(literal) && isPrivateAddress(literal)) {
    return { statusCode: null, ok: false, error: `CLUTCH_WEBHOOK_PRIVATE_ADDRESS: ${literal} is a private address; webhooks only go to public addresses`, responseExcerpt: null, outcome: 'network_error', durationMs: 0 };
  }
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve({ ...r, durationMs: performance.now() - started });
    };
    const req = lib.request(
      url,
      {
        method: 'POST',
        headers: { ...o.headers, 'content-length': String(body.length) },
        agent: false, // no pooled sockets: every attempt resolves and checks the address again
        ...(o.allowPrivate || isIP(literal) ? {} : { lookup: publicLookup as never }),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let excerpt = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (excerpt.length < EXCERPT_CHARS) excerpt += chunk.slice(0, EXCERPT_CHARS - excerpt.length);
          else res.destroy(); // the rest is not kept; stop reading it
        });
        const done = () => {
          const ok = status >= 200 && status < 300;
          finish({ statusCode: status, ok, error: ok ? null : `HTTP ${status}`, responseExcerpt: excerpt || null, outcome: ok ? 'success' : 'http_error' });
        };
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish({ statusCode: null, ok: false, error: `no answer within ${o.timeoutMs} ms`, responseExcerpt: null, outcome: 'timeout' });
    }, o.timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish({ statusCode: null, ok: false, error: 'cancelled (shutting down)', responseExcerpt: null, outcome: 'network_error' });
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ statusCode: null, ok: false, error: `${err.code ?? 'ERROR'}: ${err.message}`.slice(0, 300), responseExcerpt: null, outcome: 'network_error' }));
    req.end(body);
  });
}
