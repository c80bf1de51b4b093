// Stage 2 of ingest: drafts → canonical events with a gap-free seq per match. Keyed by match, so one
// owner numbers a match's events whatever stream they came from. A draft whose key the match has
// already seen (the same fact delivered again) is dropped; a draft that fails the schema goes to the
// DLQ without taking a seq.
import { eventProblems, uuidv7, type Envelope } from '@clutch/core';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Counter } from 'prom-client';
import { toRecord } from '../events/codec.ts';
import type { AppendRecord, EventLog } from '../ports/event-log.ts';
import { startStatefulStage, type Stage } from '../streams/stateful-stage.ts';
import type { Topics } from '../topics.ts';
import { dlqRecord, matchKey, rawRef, readDraftRecord, type DraftRecord } from './records.ts';

/** Draft keys remembered per match for duplicate detection. */
const RECENT_KEYS = 1024;

export interface SequencerState {
  seq: number;
  keys: string[];
}

export interface SequencerStageOptions {
  eventLog: EventLog;
  topics: Topics;
  groupId: string;
  log: Logger;
  metrics?: Registry;
  now?: () => number;
}

export function toEnvelope(d: DraftRecord, seq: number, id: string): Envelope {
  const { draft } = d;
  return {
    id,
    v: 1,
    tenant: d.tenant,
    title: draft.title,
    source: d.source,
    matchId: draft.matchId,
    ...(draft.seriesId !== undefined ? { seriesId: draft.seriesId } : {}),
    ...(draft.tournamentId !== undefined ? { tournamentId: draft.tournamentId } : {}),
    seq,
    type: draft.type,
    ...(draft.gameTime !== undefined ? { gameTime: draft.gameTime } : {}),
    occurredAt: draft.occurredAt,
    receivedAt: d.receivedAt,
    payload: draft.payload as Record<string, unknown>,
    raw: d.raw,
  };
}

export type SequenceResult =
  | { kind: 'event'; state: SequencerState; envelope: Envelope }
  | { kind: 'duplicate' }
  | { kind: 'invalid'; problems: string[] };

/** Gives a draft its seq (pure): a key the match has seen is a duplicate; an invalid event takes no seq. */
export function sequenceDraft(st: SequencerState | undefined, d: DraftRecord, id: string): SequenceResult {
  const state = st ?? { seq: 0, keys: [] };
  if (state.keys.includes(d.draft.key)) return { kind: 'duplicate' };
  const envelope = toEnvelope(d, state.seq + 1, id);
  const problems = eventProblems(envelope);
  if (problems.length) return { kind: 'invalid', problems };
  return { kind: 'event', envelope, state: { seq: envelope.seq, keys: [...state.keys, d.draft.key].slice(-RECENT_KEYS) } };
}

export function startSequencerStage(o: SequencerStageOptions): Promise<Stage> {
  const now = o.now ?? Date.now;
  const counter = new Counter({ name: 'clutch_ingest_events_total', help: 'Drafts seen by the sequencer, by outcome.', labelNames: ['outcome'], registers: o.metrics ? [o.metrics] : [] });
  return startStatefulStage<SequencerState>({
    name: 'sequencer',
    eventLog: o.eventLog,
    input: o.topics.drafts,
    groupId: o.groupId,
    changelog: o.topics.sequencerState,
    log: o.log,
    process(batch, ctx) {
      const out: AppendRecord[] = [];
      for (const r of batch.records) {
        let d: DraftRecord;
        try {
          d = readDraftRecord(r);
        } catch (err) {
          counter.inc({ outcome: 'malformed' });
          out.push(dlqRecord(o.topics.dlq, r.key, r.value, { code: 'CLUTCH_INGEST_RECORD_INVALID', message: (err as Error).message, stage: 'sequencer', raw: rawRef(r) }));
          continue;
        }
        const key = matchKey(d.tenant, d.draft.matchId);
        const result = sequenceDraft(ctx.get(key), d, uuidv7(now()));
        counter.inc({ outcome: result.kind === 'event' ? 'sequenced' : result.kind });
        if (result.kind === 'invalid') {
          out.push(dlqRecord(o.topics.dlq, key, r.value, { code: 'CLUTCH_EVENT_INVALID', message: result.problems.join('; '), stage: 'sequencer', tenant: d.tenant, source: d.source, streamId: d.streamId, receivedAt: d.receivedAt, raw: d.raw }));
        } else if (result.kind === 'event') {
          ctx.set(key, result.state);
          out.push(toRecord(o.topics.events, result.envelope));
        }
      }
      return out;
    },
  });
}
