// Client-side rate limiting: a request is sent only when every window that applies to it has room.
// (server/src/infra/rate-gcra.ts is the other direction: it limits what clients may ask of us.)
//
// Algorithm: a sliding log per scope. A scope (Riot's application key, one Riot method, the OpenDota
// key…) keeps the send times of its recent requests — at most as many as its largest limit, no older
// than its longest window. A window `limit:seconds` has room at `now` when fewer than `limit` sends
// lie in (now − seconds − margin, now]; otherwise the wait is until the oldest of the last `limit`
// sends leaves it. Providers count fixed windows (Riot's start at the first request) on their own
// clock, on arrival; a sliding log is never more permissive than any fixed window of the same length,
// and the margin absorbs the difference between our send time and their arrival time.
//
// Providers tell us their view in headers: Riot's `X-App-Rate-Limit: 20:1,100:120` (limits replace
// the configured defaults) and `X-App-Rate-Limit-Count: 3:1,45:120`; OpenDota's
// `X-Rate-Limit-Remaining-Minute/-Day`. When their count is above ours (another process uses the
// same key, or this one restarted), the difference is added as sends at `now`: conservative, since
// they happened earlier. A 429 naming the scope blocks it until Retry-After has passed.
import type { Clock } from './clock.ts';
import type { Gate } from './http-client.ts';
import { parseRetryAfter } from './http-client.ts';

/** A Retry-After blocks a scope for at most this long (as the HTTP client caps its own wait). */
const MAX_BLOCK_MS = 15 * 60_000;

export interface RateWindow {
  limit: number;
  windowMs: number;
}

/** `limit:seconds[,limit:seconds…]` (Riot's header format) → windows. Throws on anything else. */
export function parseRateLimits(spec: string): RateWindow[] {
  const out: RateWindow[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+):(\d+)\s*$/.exec(part);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`rate limit "${part.trim()}" must be <requests>:<seconds> with both ≥ 1`);
    out.push({ limit: Number(m[1]), windowMs: Number(m[2]) * 1000 });
  }
  return out;
}

/** `count:seconds[,…]` (Riot's *-Count headers) → counts per window; malformed parts are skipped. */
export function parseRateCounts(spec: string): { count: number; windowMs: number }[] {
  const out: { count: number; windowMs: number }[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+):(\d+)\s*$/.exec(part);
    if (m) out.push({ count: Number(m[1]), windowMs: Number(m[2]) * 1000 });
  }
  return out;
}

export const formatRateLimits = (w: RateWindow[]) => w.map((x) => `${x.limit}:${x.windowMs / 1000}`).join(',');

/** First index of a sorted array whose value is > t. */
function firstAfter(a: number[], t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** One rate-limit scope: its windows, the log of its recent sends, and a block set by a 429. */
export class SlidingWindowLimiter {
  #windows: RateWindow[];
  readonly #marginMs: number;
  /** Send times, ascending. */
  readonly #log: number[] = [];
  #blockedUntil = 0;

  constructor(windows: RateWindow[], marginMs = 250) {
    this.#windows = [...windows];
    this.#marginMs = marginMs;
  }

  get windows(): RateWindow[] {
    return [...this.#windows];
  }

  get blockedUntil(): number {
    return this.#blockedUntil;
  }

  /** Replaces the windows (e.g. from the provider's headers); the log of sends is kept. */
  setWindows(windows: RateWindow[]): void {
    if (windows.length && formatRateLimits(windows) !== formatRateLimits(this.#windows)) this.#windows = [...windows];
  }

  /** Sends in the window ending at `now` (with the margin). */
  count(windowMs: number, now: number): number {
    return this.#log.length - firstAfter(this.#log, now - windowMs - this.#marginMs);
  }

  /** ms until one more request fits every window (0 = now). */
  waitMs(now: number): number {
    this.#trim(now);
    let wait = Math.max(0, this.#blockedUntil - now);
    for (const w of this.#windows) {
      const span = w.windowMs + this.#marginMs;
      if (this.count(w.windowMs, now) < w.limit) continue;
      // Room again once the oldest of the last `limit` sends has left the window.
      const oldest = this.#log[this.#log.length - w.limit]!;
      wait = Math.max(wait, oldest + span - now);
    }
    return wait;
  }

  record(now: number): void {
    const i = firstAfter(this.#log, now);
    if (i === this.#log.length) this.#log.push(now);
    else this.#log.splice(i, 0, now);
  }

  /**
   * The provider counted more than we did: add the difference. Shortest window first; the sends
   * missing from a window are placed as late as its shorter windows allow (at `now` for the
   * shortest, else just before the next shorter window), so they leave it as late as they could.
   */
  syncCounts(counts: { count: number; windowMs: number }[], now: number): void {
    let at = now;
    for (const c of [...counts].sort((a, b) => a.windowMs - b.windowMs)) {
      const limit = this.#windows.find((w) => w.windowMs === c.windowMs)?.limit ?? c.count;
      const missing = Math.min(c.count, limit) - this.count(c.windowMs, now);
      for (let n = 0; n < missing; n++) this.record(at);
      at = now - c.windowMs - this.#marginMs;
    }
  }

  blockUntil(t: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, t);
  }

  #trim(now: number): void {
    const longest = Math.max(0, ...this.#windows.map((w) => w.windowMs)) + this.#marginMs;
    const largest = Math.max(1, ...this.#windows.map((w) => w.limit));
    const drop = Math.max(firstAfter(this.#log, now - longest), this.#log.length - largest);
    if (drop > 0) this.#log.splice(0, drop);
  }
}

/** Waits until every scope has room, then records the send in all of them (atomically: no await in between). */
export async function acquireAll(clock: Clock, scopes: SlidingWindowLimiter[], signal?: AbortSignal): Promise<void> {
  for (;;) {
    signal?.throwIfAborted();
    const now = clock.now();
    const wait = scopes.reduce((m, s) => Math.max(m, s.waitMs(now)), 0);
    if (wait <= 0) {
      for (const s of scopes) s.record(now);
      return;
    }
    await clock.sleep(wait, signal);
  }
}

/** A gate over fixed scopes that learns nothing from responses (Steam, Faceit, the esports feed). */
export function windowGate(clock: Clock, limiter: SlidingWindowLimiter): Gate {
  return {
    acquire: (signal) => acquireAll(clock, [limiter], signal),
    observe: (status, headers) => {
      if (status !== 429) return;
      const ra = parseRetryAfter(headers.get('retry-after'), clock.now());
      if (ra !== undefined) limiter.blockUntil(clock.now() + Math.min(ra, MAX_BLOCK_MS));
    },
  };
}

/** OpenDota: configured windows, corrected by `X-Rate-Limit-Remaining-Minute` / `-Day`. */
export function openDotaGate(clock: Clock, limiter: SlidingWindowLimiter): Gate {
  const base = windowGate(clock, limiter);
  return {
    acquire: base.acquire,
    observe: (status, headers) => {
      const counts: { count: number; windowMs: number }[] = [];
      for (const [header, windowMs] of [['x-rate-limit-remaining-minute', 60_000], ['x-rate-limit-remaining-day', 86_400_000]] as const) {
        const v = headers.get(header)?.trim();
        const w = limiter.windows.find((x) => x.windowMs === windowMs);
        if (v && /^\d+$/.test(v) && w) counts.push({ windowMs, count: Math.max(0, w.limit - Number(v)) });
      }
      if (counts.length) limiter.syncCounts(counts, clock.now());
      base.observe(status, headers);
    },
  };
}

export interface RiotRateLimitOptions {
  clock: Clock;
  /** Application limits until the first response says otherwise (a development key: 20:1,100:120). */
  appLimits: RateWindow[];
  /** Method limits before a response of that method names them (none: only the app limits apply). */
  methodLimits?: Record<string, RateWindow[]>;
  marginMs?: number;
}

/**
 * Riot: one application scope per key (and routing region: one instance per poller) plus one scope
 * per method (`match-v5.getMatch`…), each updated from X-App-/X-Method-Rate-Limit(-Count).
 */
export class RiotRateLimits {
  readonly app: SlidingWindowLimiter;
  readonly #methods = new Map<string, SlidingWindowLimiter>();
  readonly #o: RiotRateLimitOptions;

  constructor(o: RiotRateLimitOptions) {
    this.#o = o;
    this.app = new SlidingWindowLimiter(o.appLimits, o.marginMs);
  }

  method(name: string): SlidingWindowLimiter {
    let m = this.#methods.get(name);
    if (!m) {
      m = new SlidingWindowLimiter(this.#o.methodLimits?.[name] ?? [], this.#o.marginMs);
      this.#methods.set(name, m);
    }
    return m;
  }

  gate(methodName: string): Gate {
    const clock = this.#o.clock;
    const method = this.method(methodName);
    const learn = (scope: SlidingWindowLimiter, limits: string | null, counts: string | null, now: number) => {
      if (limits) {
        try {
          scope.setWindows(parseRateLimits(limits));
        } catch {
          /* a malformed header changes nothing */
        }
      }
      if (counts) scope.syncCounts(parseRateCounts(counts), now);
    };
    return {
      acquire: (signal) => acquireAll(clock, [this.app, method], signal),
      observe: (status, h) => {
        const now = clock.now();
        learn(this.app, h.get('x-app-rate-limit'), h.get('x-app-rate-limit-count'), now);
        learn(method, h.get('x-method-rate-limit'), h.get('x-method-rate-limit-count'), now);
        if (status !== 429) return;
        const type = h.get('x-rate-limit-type')?.toLowerCase();
        const raw = parseRetryAfter(h.get('retry-after'), now);
        const ra = raw === undefined ? undefined : Math.min(raw, MAX_BLOCK_MS);
        // A service limit (or a 429 without the type) is the service's, not our key's: the
        // request backs off (http-client) but the scopes stay open for other methods.
        if (ra === undefined) return;
        if (type === 'application') this.app.blockUntil(now + ra);
        else if (type === 'method') method.blockUntil(now + ra);
      },
    };
  }
}
