// Redis 7 adapter for Cache, PubSub, RateLimiter (GCRA in Lua, on the server's clock so every
// instance agrees) and LiveHistory (one Redis stream per match, entry id = seq). Every key and
// channel gets the configured prefix. Commands fail fast while Redis is down (readiness turns red)
// and the client reconnects on its own when it is back.
import { Redis } from 'ioredis';
import type { Cache, CacheBackend, Counters, HistoryEntry, Leaderboards, Leases, LiveHistory, PubSub, RateDecision, RateLimiter, RatePolicy, Unsubscribe } from '../../ports/cache.ts';

export interface RedisBackendOptions {
  url: string;
  /** Prepended to every key and channel, e.g. "clutch:" or a per-test-run prefix. */
  keyPrefix: string;
  commandTimeoutMs?: number;
}

// Mirrors infra/rate-gcra.ts. Numbers are returned as strings: Lua numbers become integer replies.
const GCRA = `
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local newTat = tat + interval * cost
local allowAt = newTat - window
if allowAt > now then
  return {0, 0, tostring(allowAt - now), tostring(tat - now)}
end
local ttl = math.ceil(newTat - now)
if ttl > 0 then redis.call('SET', KEYS[1], tostring(newTat), 'PX', ttl) end
return {1, math.floor((window - (newTat - now)) / interval + 1e-9), '0', tostring(newTat - now)}
`;

// Append to a stream unless seq is not above the last entry; refresh the TTL; trim exactly.
const APPEND = `
local ok = pcall(redis.call, 'XADD', KEYS[1], 'MAXLEN', ARGV[2], ARGV[1] .. '-0', 'm', ARGV[3])
if not ok then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

// A source's contribution to a member's score: the score moves by (new − old); replays move nothing.
// KEYS[1] sorted set, KEYS[2] hash of contributions; ARGV member, field, value, ttl ms.
const CONTRIBUTE = `
local old = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
local v = tonumber(ARGV[3])
if v ~= old then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  redis.call('ZINCRBY', KEYS[1], v - old, ARGV[1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1
`;

// KEYS[1] the set, KEYS[2] its batch sequence, KEYS[3] the set of sealed batch ids; ARGV[1] the batch key prefix.
const SEAL = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local id = tostring(redis.call('INCR', KEYS[2]))
redis.call('RENAME', KEYS[1], ARGV[1] .. id)
redis.call('ZADD', KEYS[3], tonumber(id), id)
return id
`;

// Leases: KEYS[1] a sorted set of holders scored by expiry (ms, Redis's own clock: every instance
// agrees). ARGV[1] holder, ARGV[2] limit, ARGV[3] ttl ms. Returns {acquired 0|1, held}.
const NOW_MS = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)`;
const LEASE = `
${NOW_MS}
local ttl = tonumber(ARGV[3])
local n = redis.call('ZCARD', KEYS[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  if n >= tonumber(ARGV[2]) then return {0, n} end
  n = n + 1
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return {1, n}
`;
// ARGV[1] ttl ms, ARGV[2..] holders: extends those still held. Returns how many.
const RENEW = `
${NOW_MS}
local ttl = tonumber(ARGV[1])
local n = 0
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + ttl, ARGV[i])
    n = n + 1
  end
end
if n > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return n
`;
const LEASE_COUNT = `
${NOW_MS}
return redis.call('ZCARD', KEYS[1])
`;

type Commands = Redis & {
  clutchLease(set: string, holder: string, limit: number, ttlMs: number): Promise<[number, number]>;
  clutchRenew(set: string, ttlMs: number, ...holders: string[]): Promise<number>;
  clutchLeaseCount(set: string): Promise<number>;
  clutchSeal(set: string, seq: string, sealed: string, batchPrefix: string): Promise<string | null>;
  clutchContribute(board: string, contributions: string, member: string, field: string, value: number, ttlMs: number): Promise<number>;
  clutchGcra(key: string, interval: number, window: number, cost: number): Promise<[number, number, string, string]>;
  clutchAppend(key: string, seq: number, maxLen: number, message: string, ttlMs: number): Promise<number>;
};

function connect(url: string, commandTimeoutMs: number): Commands {
  const client = new Redis(url, {
    // Fail fast while Redis is down instead of queueing forever; reconnect in the background.
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
  }) as Commands;
  client.on('error', () => {}); // surfaced through failed commands and ping(), not as a crash
  client.defineCommand('clutchGcra', { numberOfKeys: 1, lua: GCRA });
  client.defineCommand('clutchAppend', { numberOfKeys: 1, lua: APPEND });
  client.defineCommand('clutchContribute', { numberOfKeys: 2, lua: CONTRIBUTE });
  client.defineCommand('clutchSeal', { numberOfKeys: 3, lua: SEAL });
  client.defineCommand('clutchLease', { numberOfKeys: 1, lua: LEASE });
  client.defineCommand('clutchRenew', { numberOfKeys: 1, lua: RENEW });
  client.defineCommand('clutchLeaseCount', { numberOfKeys: 1, lua: LEASE_COUNT });
  return client;
}

const entryFrom = ([id, fields]: [string, string[]]): HistoryEntry => ({ seq: Number(id.split('-')[0]), message: fields[1] ?? '' });

export function createRedisCacheBackend(opts: RedisBackendOptions): CacheBackend {
  const timeout = opts.commandTimeoutMs ?? 2000;
  const client = connect(opts.url, timeout);
  const k = (key: string) => `${opts.keyPrefix}${key}`;
  let subscriber: Redis | undefined;
  const handlers = new Map<string, Set<(m: string) => void>>();

  const cache: Cache = {
    async get(key) {
      return (await client.get(k(key))) ?? undefined;
    },
    async set(key, value, ttlMs) {
      if (ttlMs === undefined) await client.set(k(key), value);
      else await client.set(k(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)));
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await client.set(k(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    },
    async del(key) {
      await client.del(k(key));
    },
    async incr(key, by = 1, ttlMs) {
      if (ttlMs === undefined) return client.incrby(k(key), by);
      const [[, value]] = (await client.multi().incrby(k(key), by).pexpire(k(key), Math.ceil(ttlMs), 'NX').exec()) as [[null, number]];
      return value;
    },
    async ttl(key) {
      const ms = await client.pttl(k(key));
      return ms < 0 ? undefined : ms;
    },
  };

  const pubsub: PubSub = {
    async publish(channel, message) {
      await client.publish(k(channel), message);
    },
    async subscribe(channel, onMessage): Promise<Unsubscribe> {
      if (!subscriber) {
        subscriber = client.duplicate({ maxRetriesPerRequest: null, commandTimeout: undefined });
        subscriber.on('error', () => {});
        subscriber.on('message', (ch: string, message: string) => {
          for (const h of handlers.get(ch) ?? []) {
            try {
              h(message);
            } catch {
              /* one subscriber's failure never affects another */
            }
          }
        });
      }
      const full = k(channel);
      let set = handlers.get(full);
      if (!set) {
        handlers.set(full, (set = new Set()));
        await subscriber.subscribe(full);
      }
      const handler = (m: string) => onMessage(m);
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0 && handlers.get(full) === set) {
          handlers.delete(full);
          await subscriber?.unsubscribe(full);
        }
      };
    },
  };

  const rateLimiter: RateLimiter = {
    async consume(key: string, policy: RatePolicy, cost = 1): Promise<RateDecision> {
      const [allowed, remaining, retryAfter, reset] = await client.clutchGcra(k(key), policy.windowMs / policy.limit, policy.windowMs, cost);
      return { allowed: allowed === 1, remaining: Number(remaining), retryAfterMs: Math.ceil(Number(retryAfter)), resetMs: Math.ceil(Number(reset)) };
    },
  };

  const liveHistory: LiveHistory = {
    async append(stream, entry, o) {
      return (await client.clutchAppend(k(stream), entry.seq, o.maxLen, entry.message, Math.max(1, Math.ceil(o.ttlMs)))) === 1;
    },
    async readAfter(stream, afterSeq, limit) {
      const rows = (await client.xrange(k(stream), `(${afterSeq}-0`, '+', 'COUNT', limit)) as [string, string[]][];
      return rows.map(entryFrom);
    },
    async bounds(stream) {
      const [first] = (await client.xrange(k(stream), '-', '+', 'COUNT', 1)) as [string, string[]][];
      const [last] = (await client.xrevrange(k(stream), '+', '-', 'COUNT', 1)) as [string, string[]][];
      return first && last ? { first: entryFrom(first).seq, last: entryFrom(last).seq } : undefined;
    },
  };

  const leaderboards: Leaderboards = {
    async set(items, ttlMs) {
      if (!items.length) return;
      const p = client.pipeline() as unknown as Commands;
      // Queued on the pipeline (it returns the pipeline, not a reply); exec() below sends them all.
      for (const c of items) void p.clutchContribute(k(c.board), k(`${c.board}:src`), c.member, `${c.member}\u0000${c.source}`, c.value, Math.max(1, Math.ceil(ttlMs)));
      const results = (await (p as unknown as ReturnType<Redis['pipeline']>).exec()) ?? [];
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
    },
    async top(board, limit) {
      const flat = await client.zrevrange(k(board), 0, Math.max(0, limit - 1), 'WITHSCORES');
      const out: Array<{ member: string; score: number }> = [];
      for (let i = 0; i < flat.length; i += 2) out.push({ member: flat[i]!, score: Number(flat[i + 1]) });
      return out;
    },
  };

  const counters: Counters = {
    async add(set, deltas) {
      const m = client.multi();
      for (const [field, by] of Object.entries(deltas)) m.hincrby(k(`cnt:${set}`), field, by);
      await m.exec();
    },
    async seal(set) {
      return (await client.clutchSeal(k(`cnt:${set}`), k(`cnt:${set}:seq`), k(`cnt:${set}:sealed`), k(`cnt:${set}:b:`))) ?? undefined;
    },
    async batches(set) {
      const ids = await client.zrange(k(`cnt:${set}:sealed`), '0', '99');
      const out: Array<{ id: string; counts: Record<string, number> }> = [];
      for (const id of ids) {
        const h = await client.hgetall(k(`cnt:${set}:b:${id}`));
        out.push({ id, counts: Object.fromEntries(Object.entries(h).map(([f, v]) => [f, Number(v)])) });
      }
      return out;
    },
    async drop(set, batchId) {
      await client.multi().del(k(`cnt:${set}:b:${batchId}`)).zrem(k(`cnt:${set}:sealed`), batchId).exec();
    },
  };

  const leases: Leases = {
    async acquire(set, holder, limit, ttlMs) {
      const [ok, held] = await client.clutchLease(k(`lease:${set}`), holder, limit, Math.max(1, Math.ceil(ttlMs)));
      return { acquired: ok === 1, held: Number(held) };
    },
    async renew(set, holders, ttlMs) {
      if (!holders.length) return 0;
      return Number(await client.clutchRenew(k(`lease:${set}`), Math.max(1, Math.ceil(ttlMs)), ...holders));
    },
    async release(set, holder) {
      await client.zrem(k(`lease:${set}`), holder);
    },
    async count(set) {
      return Number(await client.clutchLeaseCount(k(`lease:${set}`)));
    },
  };

  return {
    kind: 'redis',
    counters,
    leases,
    cache,
    pubsub,
    rateLimiter,
    liveHistory,
    leaderboards,
    async ping() {
      await client.ping();
    },
    async close() {
      await Promise.allSettled([client.quit(), subscriber?.quit()]);
      client.disconnect();
      subscriber?.disconnect();
    },
  };
}
