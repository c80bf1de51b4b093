// The archiver: a consumer group of its own on clutch.events.v1 that keeps every canonical event of
// every match in PostgreSQL (match_events), for backfill over REST and for the state of a match at
// any time or seq. Off the live path on purpose: the processor's latency and throughput do not pay
// for the archive. At-least-once into a table keyed by (tenant, match, seq) = exactly-once effect:
// offsets are committed after the rows are written, and a replayed record inserts nothing.
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { fromCanonicalValue } from '../events/codec.ts';
import type { EventLog, LogBatch, Subscription } from '../ports/event-log.ts';
import type { Store } from '../ports/store.ts';
import { archiveEvents, type ArchivedEvent } from '../store/events.ts';
import { supervise, type Supervised } from '../streams/supervise.ts';

export interface ArchiverOptions {
  eventLog: EventLog;
  store: Store;
  topic: string;
  groupId: string;
  log: Logger;
  metrics?: Registry;
  maxBatchRecords?: number;
}

export type Archiver = Supervised;

/** The archive rows of a batch; records that are not valid canonical events are left out (the processor reports them). */
export function archiveRows(batch: LogBatch): ArchivedEvent[] {
  const out: ArchivedEvent[] = [];
  for (const r of batch.records) {
    try {
      const e = fromCanonicalValue(r.value);
      out.push({ tenant: e.tenant, matchId: e.matchId, seq: e.seq, type: e.type, occurredAt: e.occurredAt, envelope: r.value.toString('utf8') });
    } catch {
      // invalid: nothing to archive
    }
  }
  return out;
}

export async function startArchiver(o: ArchiverOptions): Promise<Archiver> {
  const registers = o.metrics ? [o.metrics] : [];
  const archived = new Counter({ name: 'clutch_archiver_events_total', help: 'Canonical events written to the match archive (new ones; replays insert nothing).', registers });
  const apply = async (sub: Subscription, batch: LogBatch) => {
    const rows = archiveRows(batch);
    archived.inc(await archiveEvents(o.store.db, rows));
    await sub.commit([{ topic: batch.topic, partition: batch.partition, offset: batch.records[batch.records.length - 1]!.offset + 1n }]);
  };
  return supervise({
    name: 'archiver',
    log: o.log,
    subscribe: () => o.eventLog.subscribe({ groupId: o.groupId, topics: [o.topic], maxBatchRecords: o.maxBatchRecords ?? 5000 }),
    async consume(sub, ctl) {
      for await (const batch of sub) {
        if (ctl.stopping()) return;
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
