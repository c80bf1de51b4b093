// The fetch wrapper every poller uses: a rate-limit gate before each attempt, a timeout per attempt,
// a bounded response body, and retries — exponential backoff with jitter on network errors,
// timeouts and 5xx; on 429 the provider's Retry-After (Riot also says which limit in
// X-Rate-Limit-Type; a 429 without it is a service limit and is backed off all the same). Every
// failure is a coded CLUTCH_POLLER_* error; API keys never appear in messages.
import { isClutchError } from '../../errors.ts';
import { systemClock, type Clock } from './clock.ts';
import {
  PollerBadResponse,
  PollerHttpStatus,
  PollerNetwork,
  PollerRateLimited,
  PollerResponseTooLarge,
  PollerStopped,
  PollerTimeout,
  PollerUnauthorized,
  PollerUpstreamFailed,
  withDetails,
} from './errors.ts';

/** Client-side rate limiting around one request (rate-limits.ts). */
export interface Gate {
  /** Waits until the request may be sent, and counts it. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Learns from the response's status and headers (limits, counts, 429s). */
  observe(status: number, headers: Headers): void;
}

export interface HttpClientOptions {
  /** Provider name for messages and logs ("riot", "opendota"…). */
  name: string;
  /** The env var holding the key, named when the provider refuses it. */
  keyVar?: string;
  clock?: Clock;
  /** [0, 1): the jitter source. */
  random?: () => number;
  fetch?: typeof fetch;
  /** Per attempt, headers and body included (real time). Default 10 s. */
  timeoutMs?: number;
  /** Largest response body accepted. Default 4 MiB. */
  maxBytes?: number;
  /** Attempts per request, the first included. Default 5. */
  maxAttempts?: number;
  /** Backoff: base · 2^(attempt−1), capped, then jittered to [½, 1] of that. Defaults 1 s and 60 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After above this is capped (a misbehaving proxy must not park a poller for days). Default 15 min. */
  maxRetryAfterMs?: number;
  /** Sent with every request (the key header). */
  headers?: Record<string, string>;
  /** Called before each retry's wait (logs, metrics). */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
  status?: number;
  /** 429 only: application, method or service. */
  limitType?: string;
}

export interface RequestOptions {
  gate?: Gate;
  signal?: AbortSignal;
  maxBytes?: number;
  headers?: Record<string, string>;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** Retry-After: delay-seconds or an HTTP date → ms from now; undefined when absent or malformed. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with jitter: base · 2^(attempt−1), capped at max, scaled into [½, 1]. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/** The URL without secrets (Steam and OpenDota take their keys in the query). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    for (const k of [...u.searchParams.keys()]) if (/^(key|api_key|apikey|token|access_token)$/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return '(malformed url)';
  }
}

const RETRYABLE_STATUS = new Set([408, 500, 502, 503, 504]);

export class HttpClient {
  readonly #o: Required<Omit<HttpClientOptions, 'keyVar' | 'onRetry' | 'headers'>> & Pick<HttpClientOptions, 'keyVar' | 'onRetry' | 'headers'>;

  constructor(o: HttpClientOptions) {
    this.#o = {
      clock: systemClock,
      random: Math.random,
      fetch: globalThis.fetch,
      timeoutMs: 10_000,
      maxBytes: 4 << 20,
      maxAttempts: 5,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      maxRetryAfterMs: 15 * 60_000,
      ...o,
    };
  }

  /** GET with retries. Resolves with a 2xx response (204 included); any other outcome throws a coded error. */
  async get(url: string, r: RequestOptions = {}): Promise<HttpResponse> {
    const o = this.#o;
    const safe = redactUrl(url);
    const maxBytes = r.maxBytes ?? o.maxBytes;
    let last: Error | undefined;
    for (let attempt = 1; attempt <= o.maxAttempts; attempt++) {
      const stopped = () => withDetails(new PollerStopped(o.name), { retryable: true });
      if (r.signal?.aborted) throw stopped();
      try {
        await r.gate?.acquire(r.signal);
      } catch (err) {
        if (r.signal?.aborted) throw stopped();
        throw err;
      }
      const timeout = AbortSignal.timeout(o.timeoutMs);
      const signal = r.signal ? AbortSignal.any([r.signal, timeout]) : timeout;
      let delay: number;
      let retry: Omit<RetryInfo, 'attempt' | 'delayMs' | 'url'>;
      try {
        const res = await o.fetch(url, { method: 'GET', headers: { accept: 'application/json', ...o.headers, ...r.headers }, signal, redirect: 'follow' });
        r.gate?.observe(res.status, res.headers);
        if (res.status >= 200 && res.status < 300) return { status: res.status, headers: res.headers, body: await readBody(res, maxBytes, safe) };
        await res.body?.cancel().catch(() => {});
        const now = o.clock.now();
        if (res.status === 429) {
          const limitType = res.headers.get('x-rate-limit-type')?.toLowerCase() ?? 'service';
          const ra = parseRetryAfter(res.headers.get('retry-after'), now);
          delay = ra !== undefined ? Math.min(ra, o.maxRetryAfterMs) : backoffMs(attempt, o.baseDelayMs, o.maxDelayMs, o.random);
          retry = { reason: `429 (${limitType} limit)`, status: 429, limitType };
          last = withDetails(new PollerRateLimited(safe, limitType, attempt), { upstreamStatus: 429, retryable: true });
        } else if (RETRYABLE_STATUS.has(res.status)) {
          const ra = res.status === 503 ? parseRetryAfter(res.headers.get('retry-after'), now) : undefined;
          delay = ra !== undefined ? Math.min(ra, o.maxRetryAfterMs) : backoffMs(attempt, o.baseDelayMs, o.maxDelayMs, o.random);
          retry = { reason: `${res.status}`, status: res.status };
          last = withDetails(new PollerUpstreamFailed(safe, res.status, attempt), { upstreamStatus: res.status, retryable: true });
        } else if (res.status === 401 || res.status === 403) {
          throw withDetails(new PollerUnauthorized(safe, res.status, o.keyVar ?? 'the API key'), { upstreamStatus: res.status, retryable: false });
        } else {
          throw withDetails(new PollerHttpStatus(safe, res.status), { upstreamStatus: res.status, retryable: false });
        }
      } catch (err) {
        // Our own decisions (4xx, too large) are final; what fetch threw is the network's.
        if (isClutchError(err)) throw err;
        if (r.signal?.aborted) throw stopped();
        last = timeout.aborted
          ? withDetails(new PollerTimeout(safe, o.timeoutMs), { retryable: true })
          : withDetails(new PollerNetwork(safe, causeOf(err)), { retryable: true });
        delay = backoffMs(attempt, o.baseDelayMs, o.maxDelayMs, o.random);
        retry = { reason: last.message };
      }
      if (attempt === o.maxAttempts) break;
      o.onRetry?.({ url: safe, attempt, delayMs: delay, ...retry });
      try {
        await o.clock.sleep(delay, r.signal);
      } catch {
        throw stopped();
      }
    }
    throw last ?? new PollerNetwork(safe, 'no attempt made');
  }

  /** GET and parse JSON; 204 (no content) resolves undefined. */
  async json(url: string, r: RequestOptions = {}): Promise<{ data: unknown; body: Buffer } | undefined> {
    const res = await this.get(url, r);
    if (res.status === 204 || res.body.length === 0) return undefined;
    try {
      return { data: JSON.parse(res.body.toString('utf8')) as unknown, body: res.body };
    } catch (err) {
      throw withDetails(new PollerBadResponse(redactUrl(url), `not JSON (${(err as Error).message})`), { upstreamStatus: res.status, retryable: false });
    }
  }
}

/** fetch says "fetch failed" and hides the reason (ECONNREFUSED…) in `cause`. */
function causeOf(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(': ');
}

async function readBody(res: Response, maxBytes: number, safeUrl: string): Promise<Buffer> {
  const tooLarge = () => withDetails(new PollerResponseTooLarge(safeUrl, maxBytes), { upstreamStatus: res.status, retryable: false });
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes && res.headers.get('content-encoding') === null) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, total);
}
