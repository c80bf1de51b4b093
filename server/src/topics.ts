// Kafka topics of the platform (ARCHITECTURE.md "Data flow"). Every record is keyed by match id.
import type { TopicSpec } from './ports/event-log.ts';

export interface Topics {
  /** Payloads as received, keyed by stream (tenant|source|stream id). */
  raw: string;
  /** Canonical event drafts from the parser, keyed by match (tenant|match id), before sequencing. */
  drafts: string;
  /** Canonical events with their gap-free seq, keyed by match id. */
  events: string;
  /** Rejected input with the reason and the raw bytes. */
  dlq: string;
  stats: string;
  /** Changelogs of the ingest stages' state (compacted, co-partitioned with their input). */
  parserState: string;
  sequencerState: string;
}

export function topicNames(prefix: string): Topics {
  return {
    raw: `${prefix}clutch.raw.v1`,
    drafts: `${prefix}clutch.drafts.v1`,
    events: `${prefix}clutch.events.v1`,
    dlq: `${prefix}clutch.dlq.v1`,
    stats: `${prefix}clutch.stats.v1`,
    parserState: `${prefix}clutch.parser-state.v1`,
    sequencerState: `${prefix}clutch.sequencer-state.v1`,
  };
}

/**
 * Partition counts bound how far processing scales out (one consumer per partition at most). A
 * changelog must have exactly the partition count of the topic whose keys it holds.
 */
export function topicSpecs(t: Topics): TopicSpec[] {
  // Raw payloads and rejected ones can be whole post-game documents (a LoL timeline is ~1 MB).
  const documents = 16 * 1024 * 1024 + 64 * 1024;
  return [
    { name: t.raw, partitions: 6, maxRecordBytes: documents },
    { name: t.parserState, partitions: 6, compacted: true },
    { name: t.drafts, partitions: 6 },
    { name: t.sequencerState, partitions: 6, compacted: true },
    { name: t.events, partitions: 6 },
    { name: t.dlq, partitions: 1, maxRecordBytes: documents },
    { name: t.stats, partitions: 6 },
  ];
}

/** Consumer group names, prefixed like topics so deployments sharing a cluster stay apart. */
export const groupName = (prefix: string, name: string) => `${prefix}clutch.${name}`;
