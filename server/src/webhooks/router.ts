// The webhook router: a consumer group of its own on clutch.events.v1 (match.started, round.ended,
// match.ended, series.live) and clutch.stats.v1 (stat thresholds) that turns what subscriptions ask
// for into rows of the delivery outbox. At-least-once into a table unique per (subscription, source
// event) = exactly-once effect: offsets are committed after the rows are written, and a replayed
// record inserts nothing. It never sends anything itself (the dispatcher does), so a slow or dead
// receiver never holds the log back.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { fromCanonicalValue } from '../events/codec.ts';
import type { EventLog, LogBatch, Subscription } from '../ports/event-log.ts';
import type { Store } from '../ports/store.ts';
import { insertDeliveries, pendingCounts, routeSubscriptions } from '../store/webhooks.ts';
import { supervise, type Supervised } from '../streams/supervise.ts';
import { webhookMetrics } from './dispatcher.ts';
import { deliveriesForDelta, deliveriesForEvent, type NewDelivery, type StatsDeltaLike } from './model.ts';

export interface RouterOptions {
  eventLog: EventLog;
  store: Store;
  eventsTopic: string;
  statsTopic: string;
  groupId: string;
  log: Logger;
  metrics?: Registry;
  /** Automatic attempts of each new delivery. */
  maxAttempts: number;
  /** Pending deliveries a subscription may have; beyond, new ones are logged as failed (redeliver them later). */
  maxPending: number;
  /** Called after new deliveries were written (wakes a dispatcher in this process). */
  onDeliveries?: () => void;
  maxBatchRecords?: number;
}

export type Router = Supervised;

function decodeDelta(value: Buffer): StatsDeltaLike | undefined {
  try {
    const d = JSON.parse(value.toString('utf8')) as Partial<StatsDeltaLike> & { v?: unknown };
    if (d.v !== 1 || typeof d.tenant !== 'string' || typeof d.matchId !== 'string' || typeof d.title !== 'string' || typeof d.seq !== 'number' || !d.stats || typeof d.stats !== 'object') return undefined;
    return d as StatsDeltaLike;
  } catch {
    return undefined;
  }
}

/** Tenants a batch is about (only these subscriptions are read). */
function tenantsOf(batch: LogBatch, statsTopic: string): { tenants: Set<string>; items: Array<{ at: number; event?: ReturnType<typeof fromCanonicalValue>; delta?: StatsDeltaLike }> } {
  const tenants = new Set<string>();
  const items: Array<{ at: number; event?: ReturnType<typeof fromCanonicalValue>; delta?: StatsDeltaLike }> = [];
  for (const r of batch.records) {
    if (batch.topic === statsTopic) {
      const delta = decodeDelta(r.value);
      if (!delta) continue;
      tenants.add(delta.tenant);
      items.push({ at: r.timestamp, delta });
    } else {
      try {
        const event = fromCanonicalValue(r.value);
        tenants.add(event.tenant);
        items.push({ at: r.timestamp, event });
      } catch {
        // not a canonical event: the processor reports it
      }
    }
  }
  return { tenants, items };
}

export async function startRouter(o: RouterOptions): Promise<Router> {
  const metrics = webhookMetrics(o.metrics);
  // Threshold keys already written: a crossed threshold stays crossed for the rest of the match, so
  // every later delta would try to insert it again (a no-op); this skips most of those. Bounded.
  const fired = new Set<string>();
  const FIRED_MAX = 100_000;

  const apply = async (sub: Subscription, batch: LogBatch) => {
    const { tenants, items } = tenantsOf(batch, o.statsTopic);
    const subs = await routeSubscriptions(o.store.db, [...tenants]);
    let rows: NewDelivery[] = [];
    if (subs.length) {
      for (const it of items) {
        if (it.event) rows.push(...deliveriesForEvent(it.event, it.at, subs));
        else if (it.delta) rows.push(...deliveriesForDelta(it.delta, it.at, subs).filter((d) => !fired.has(`${d.tenant}\n${d.subscriptionId}\n${d.dedupeKey}`)));
      }
      // One delivery per (subscription, key) even within a batch (two deltas crossing the same threshold).
      const seen = new Set<string>();
      rows = rows.filter((d) => {
        const k = `${d.tenant}\n${d.subscriptionId}\n${d.dedupeKey}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    }
    if (rows.length) {
      const out: Array<NewDelivery & { maxAttempts: number; failedReason?: string }> = [];
      for (const tenant of new Set(rows.map((r) => r.tenant))) {
        const mine = rows.filter((r) => r.tenant === tenant);
        const pending = await pendingCounts(o.store.db, tenant, [...new Set(mine.map((r) => r.subscriptionId))]);
        for (const r of mine) {
          const n = pending.get(r.subscriptionId) ?? 0;
          pending.set(r.subscriptionId, n + 1);
          out.push(n >= o.maxPending ? { ...r, maxAttempts: o.maxAttempts, failedReason: `not queued: the subscription already had ${o.maxPending} pending deliveries (redeliver it once the endpoint is back)` } : { ...r, maxAttempts: o.maxAttempts });
        }
      }
      const n = await insertDeliveries(o.store.db, out);
      metrics.created.inc(n);
      if (fired.size > FIRED_MAX) fired.clear();
      for (const r of out) if (r.type === 'stat.threshold') fired.add(`${r.tenant}\n${r.subscriptionId}\n${r.dedupeKey}`);
      if (n) o.onDeliveries?.();
    }
    await sub.commit([{ topic: batch.topic, partition: batch.partition, offset: batch.records[batch.records.length - 1]!.offset + 1n }]);
  };

  return supervise({
    name: 'webhooks',
    log: o.log,
    subscribe: () => o.eventLog.subscribe({ groupId: o.groupId, topics: [o.eventsTopic, o.statsTopic], maxBatchRecords: o.maxBatchRecords ?? 2000 }),
    onRestart: () => fired.clear(),
    async consume(sub, ctl) {
      for await (const batch of sub) {
        if (ctl.stopping()) return;
        if (!batch.records.length) continue;
        try {
          await ctl.track(apply(sub, batch));
        } catch (err) {
          // A partition that moved is replayed by its new owner from the last commit.
          if ((err as { code?: string }).code !== 'CLUTCH_EVENTLOG_NOT_ASSIGNED') throw err;
        }
        ctl.succeeded();
      }
    },
  });
}
