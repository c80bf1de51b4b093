// The produce loop shared by the Node clients: records go out in send() calls of one Java-sized batch
// per partition, with `maxInFlight` calls pending at once (Java's max.in.flight.requests.per.connection).
import { keyFor, recordsPerSend, type Job } from '../settings.ts';

export interface Payload {
  keys: Buffer[];
  value: Buffer;
}

/** Keys and value are built once and shared by every record, as ProducerPerformance does. */
export function payload(job: Job): Payload {
  const keys = Array.from({ length: job.settings.keys }, (_, i) => Buffer.from(keyFor(i, job.settings.keys)));
  return { keys, value: Buffer.alloc(job.recordBytes, 'x') };
}

export async function drive(job: Job, send: (from: number, count: number) => Promise<void>): Promise<void> {
  const perSend = recordsPerSend(job.settings, job.recordBytes);
  let next = 0;
  const lane = async () => {
    while (next < job.records) {
      const from = next;
      const count = Math.min(perSend, job.records - from);
      next += count;
      await send(from, count);
    }
  };
  await Promise.all(Array.from({ length: job.settings.producer.maxInFlight }, lane));
}
