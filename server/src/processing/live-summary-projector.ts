// Projects canonical events into live match summaries: PostgreSQL (history, idempotent by seq), the
// cache (current summary per match) and pub/sub (one message per changed match). Offsets are
// committed only after the write, so a crash at any point replays events whose effect is already
// stored, and replaying changes nothing. Issue #4 grows this into the full per-title processor.
import { applyToSummary, type Envelope, type LiveSummary } from '@clutch/core';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { fromRecord } from '../events/codec.ts';
import type { CacheBackend } from '../ports/cache.ts';
import type { CommitPosition, EventLog, LogBatch, Subscription } from '../ports/event-log.ts';
import type { Store } from '../ports/store.ts';
import { getMatch, upsertSummaries } from '../store/matches.ts';
import { supervise, type SuperviseControl, type Supervised } from '../streams/supervise.ts';

export interface ProjectorOptions {
  eventLog: EventLog;
  store: Store;
  cache: CacheBackend;
  topic: string;
  groupId: string;
  log: Logger;
  metrics?: Registry;
  /** Summaries kept in memory (least recently used go first and are reloaded from the store). */
  maxCachedMatches?: number;
}

export const summaryKey = (tenant: string, matchId: string) => `t:${tenant}:match:${matchId}`;
export const liveChannel = (tenant: string) => `t:${tenant}:live:matches`;

/** stop() finishes the batch in hand, commits it, leaves the group. */
export type Projector = Supervised;

export async function startLiveSummaryProjector(o: ProjectorOptions): Promise<Projector> {
  const state = new Map<string, LiveSummary>();
  const max = o.maxCachedMatches ?? 10_000;
  const retries = new Counter({ name: 'clutch_projector_retries_total', help: 'Batches whose write failed and was retried (a dependency was down).', registers: o.metrics ? [o.metrics] : [] });
  const applied = new Counter({ name: 'clutch_projector_events_total', help: 'Canonical events seen by the live summary projector.', labelNames: ['outcome'], registers: o.metrics ? [o.metrics] : [] });
  const key = (e: Envelope) => `${e.tenant}\u0000${e.matchId}`;

  const load = async (e: Envelope): Promise<LiveSummary | undefined> => {
    const k = key(e);
    const cached = state.get(k);
    if (cached) {
      state.delete(k); // refresh LRU position
      state.set(k, cached);
      return cached;
    }
    const row = await getMatch(o.store.db, e.tenant, e.matchId);
    if (!row) return undefined;
    return {
      tenant: row.tenant,
      matchId: row.id,
      title: row.title,
      status: row.status === 'finished' ? 'finished' : 'live',
      teams: row.teams,
      ...(row.map ? { map: row.map } : {}),
      ...(row.winner ? { winner: row.winner } : {}),
      lastSeq: row.lastSeq,
      startedAt: row.startedAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  };

  const handle = async (batch: LogBatch): Promise<CommitPosition> => {
    const changed = new Map<string, LiveSummary>();
    for (const record of batch.records) {
      let e: Envelope;
      try {
        e = fromRecord(record);
      } catch (err) {
        // The canonical topic only carries validated events; a bad one is logged, counted and skipped.
        applied.inc({ outcome: 'invalid' });
        o.log.error({ error: err, partition: record.partition, offset: String(record.offset) }, 'skipping invalid canonical event');
        continue;
      }
      const before = changed.get(key(e)) ?? (await load(e));
      const after = applyToSummary(before, e);
      applied.inc({ outcome: after === before ? 'unchanged' : 'applied' });
      if (after !== before) changed.set(key(e), after);
    }
    if (changed.size) {
      const summaries = [...changed.values()];
      await upsertSummaries(o.store.db, summaries);
      await Promise.all(
        summaries.map(async (s) => {
          const json = JSON.stringify(s);
          await o.cache.cache.set(summaryKey(s.tenant, s.matchId), json, 24 * 3600_000);
          await o.cache.pubsub.publish(liveChannel(s.tenant), json);
        }),
      );
      // Only now: if a step above failed, the retry recomputes the same changes and publishes them.
      for (const [k, s] of changed) state.set(k, s);
      while (state.size > max) state.delete(state.keys().next().value!);
    }
    const last = batch.records[batch.records.length - 1]!;
    return { topic: batch.topic, partition: batch.partition, offset: last.offset + 1n };
  };

  // A failing write (PostgreSQL or Redis down) is retried, in order, until it succeeds: nothing is
  // committed past it, and the client's bounded read-ahead holds the log back meanwhile.
  const apply = async (sub: Subscription, batch: LogBatch, ctl: SuperviseControl): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await sub.commit([await handle(batch)]);
        return;
      } catch (err) {
        // The partition moved to another member, which replays these records from the last commit.
        if ((err as { code?: string }).code === 'CLUTCH_EVENTLOG_NOT_ASSIGNED') return;
        if (ctl.stopping()) throw err;
        retries.inc();
        o.log.warn({ error: err, partition: batch.partition, attempt }, 'applying a batch failed; retrying');
        await ctl.pause(attempt);
      }
    }
  };

  const worker = await supervise({
    name: 'live-summary',
    log: o.log,
    subscribe: () =>
      o.eventLog.subscribe({
        groupId: o.groupId,
        topics: [o.topic],
        maxBatchRecords: 500,
        // State of partitions that move to another process is dropped; it reloads from the store there.
        onRevoked: () => state.clear(),
      }),
    onRestart: () => state.clear(),
    async consume(sub, ctl) {
      const it = sub[Symbol.asyncIterator]();
      for (;;) {
        const next = await it.next();
        // A batch that arrives after stop() is left uncommitted: the next owner gets it again.
        if (next.done || ctl.stopping()) return;
        await ctl.track(apply(sub, next.value, ctl));
        ctl.succeeded();
      }
    },
  });
  return worker;
}
