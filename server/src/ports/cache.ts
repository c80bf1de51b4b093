// Cache, PubSub, RateLimiter and LiveHistory ports: Redis in production, in-memory for the demo and
// fast tests. One contract suite runs against both. Every key and channel is prefixed by the adapter
// (per deployment and per test run), and callers scope keys by tenant.

export interface Cache {
  get(key: string): Promise<string | undefined>;
  /** ttlMs: expiry in milliseconds; omitted = no expiry. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /**
   * Sets only when the key is absent (a read-through cache filling a miss never overwrites a newer
   * value a writer put there meanwhile). Returns whether it set.
   */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(key: string): Promise<void>;
  /** Atomic increment; ttlMs is set when the key is created. */
  incr(key: string, by?: number, ttlMs?: number): Promise<number>;
  /** Remaining time to live in ms; undefined when the key is missing or has no expiry. */
  ttl(key: string): Promise<number | undefined>;
}

export type Unsubscribe = () => Promise<void>;

export interface PubSub {
  /** Fire-and-forget fan-out to every current subscriber of the channel, in publish order. */
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active: messages published after that are delivered. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe>;
}

export interface RatePolicy {
  /** Requests allowed per window (also the burst). */
  limit: number;
  windowMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Requests still allowed right now. */
  remaining: number;
  /** When allowed: 0. When refused: ms until one more request is allowed. */
  retryAfterMs: number;
  /** ms until the limiter is back to a full allowance. */
  resetMs: number;
}

/** Generic cell rate algorithm (a token bucket without timers): smooth, burst-limited, O(1) state. */
export interface RateLimiter {
  consume(key: string, policy: RatePolicy, cost?: number): Promise<RateDecision>;
}

export interface HistoryEntry {
  seq: number;
  message: string;
}

/**
 * Recent live messages per stream (per match), keyed by the match seq: what a reconnecting client
 * replays. Appends must have increasing seq; a seq at or below the last one is a duplicate and is
 * ignored, so redelivered events never reach clients twice.
 */
export interface LiveHistory {
  /** true when appended, false when `seq` was not above the stream's last seq. */
  append(stream: string, entry: HistoryEntry, opts: { maxLen: number; ttlMs: number }): Promise<boolean>;
  /** Entries with seq > afterSeq, oldest first, at most `limit`. */
  readAfter(stream: string, afterSeq: number, limit: number): Promise<HistoryEntry[]>;
  /** Lowest seq still held (older ones were trimmed), and the last seq; undefined when empty. */
  bounds(stream: string): Promise<{ first: number; last: number } | undefined>;
}

export interface Contribution {
  /** The sorted set, e.g. `lb:cs2:kills` or `lb:cs2:t:major-2026:kills`. */
  board: string;
  /** Who is ranked: a player or team id. */
  member: string;
  /** Where the value comes from (a match id): a member's score is the sum of its sources' values. */
  source: string;
  value: number;
}

/**
 * Leaderboards: sorted sets whose scores are sums of per-source contributions. Setting a source's
 * value again replaces it (the score moves by the difference), so replays change nothing.
 */
export interface Leaderboards {
  set(items: readonly Contribution[], ttlMs: number): Promise<void>;
  /** Highest first, at most `limit`. */
  top(board: string, limit: number): Promise<Array<{ member: string; score: number }>>;
}

/**
 * Counter sets that survive the processes adding to them (usage metering, platform/usage.ts): many
 * instances add to fields of a set; a flusher seals the set's counts into a batch atomically (new adds
 * go to a fresh set), writes the batch elsewhere idempotently by its id, then drops it. A flusher that
 * dies between writing and dropping leaves the batch to be written again, never lost.
 */
export interface Counters {
  add(set: string, deltas: Readonly<Record<string, number>>): Promise<void>;
  /** Moves the set's counts into a new batch; undefined when there was nothing to move. */
  seal(set: string): Promise<string | undefined>;
  /** Sealed batches not dropped yet, oldest first. */
  batches(set: string): Promise<Array<{ id: string; counts: Record<string, number> }>>;
  drop(set: string, batchId: string): Promise<void>;
}

/**
 * Leases: at most `limit` holders of a set at once, across every instance (live connections per
 * organisation). A lease expires unless renewed, so the leases of a process that died free themselves
 * after ttlMs.
 */
export interface Leases {
  /** Takes a lease for `holder` when fewer than `limit` unexpired ones are held (a holder already in renews). `held`: leases after the call. */
  acquire(set: string, holder: string, limit: number, ttlMs: number): Promise<{ acquired: boolean; held: number }>;
  /** Extends the leases of these holders that have not expired; returns how many it extended. */
  renew(set: string, holders: readonly string[], ttlMs: number): Promise<number>;
  release(set: string, holder: string): Promise<void>;
  /** Unexpired leases now. */
  count(set: string): Promise<number>;
}

export interface CacheBackend {
  readonly kind: 'redis' | 'memory';
  readonly counters: Counters;
  readonly leases: Leases;
  readonly cache: Cache;
  readonly pubsub: PubSub;
  readonly rateLimiter: RateLimiter;
  readonly liveHistory: LiveHistory;
  readonly leaderboards: Leaderboards;
  ping(): Promise<void>;
  close(): Promise<void>;
}
