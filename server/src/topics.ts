// Kafka topics of the platform (ARCHITECTURE.md "Data flow"). Every record is keyed by match id.
import type { TopicSpec } from './ports/event-log.ts';

export interface Topics {
  raw: string;
  events: string;
  dlq: string;
  stats: string;
}

export function topicNames(prefix: string): Topics {
  return { raw: `${prefix}clutch.raw.v1`, events: `${prefix}clutch.events.v1`, dlq: `${prefix}clutch.dlq.v1`, stats: `${prefix}clutch.stats.v1` };
}

/** Partition counts bound how far processing scales out: one consumer per partition at most. */
export function topicSpecs(t: Topics): TopicSpec[] {
  return [
    { name: t.raw, partitions: 6 },
    { name: t.events, partitions: 6 },
    { name: t.dlq, partitions: 1 },
    { name: t.stats, partitions: 6 },
  ];
}

/** Consumer group names, prefixed like topics so deployments sharing a cluster stay apart. */
export const groupName = (prefix: string, name: string) => `${prefix}clutch.${name}`;
