// Generic cell rate algorithm (GCRA), shared by the in-memory limiter and mirrored line by line in
// the Redis Lua script (redis/cache.ts). State is one number per key: the theoretical arrival time
// (TAT) of the next request. A policy of `limit` per `windowMs` allows a burst of `limit` and then
// one request every windowMs/limit.
import type { RateDecision, RatePolicy } from '../ports/cache.ts';

export function gcra(storedTat: number | undefined, now: number, policy: RatePolicy, cost: number): { decision: RateDecision; tat: number | undefined } {
  const interval = policy.windowMs / policy.limit;
  const tat = Math.max(storedTat ?? now, now);
  const newTat = tat + interval * cost;
  const allowAt = newTat - policy.windowMs;
  if (allowAt > now) {
    return { decision: { allowed: false, remaining: 0, retryAfterMs: Math.ceil(allowAt - now), resetMs: Math.ceil(tat - now) }, tat: undefined };
  }
  const remaining = Math.floor((policy.windowMs - (newTat - now)) / interval + 1e-9);
  return { decision: { allowed: true, remaining, retryAfterMs: 0, resetMs: Math.ceil(newTat - now) }, tat: newTat };
}
