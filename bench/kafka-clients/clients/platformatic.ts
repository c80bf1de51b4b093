// @platformatic/kafka 2.12.1 adapter: idempotent producer (acks=all, no compression, Java-compatible
// partitioner) and a group consumer reading a MessagesStream.
import {
  CompressionAlgorithms, Consumer, FetchIsolationLevels, MessagesStreamFallbackModes, MessagesStreamModes,
  ProduceAcks, Producer, compatibilityPartitioner,
} from '@platformatic/kafka';
import type { Job, Measurement } from '../settings.ts';
import { drive, payload } from './drive.ts';

export async function produce(job: Job): Promise<Measurement> {
  const { keys, value } = payload(job);
  const t0 = performance.now();
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: job.settings.brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    compression: CompressionAlgorithms.NONE,
    autocreateTopics: false,
    // The default partitioner disagrees with Java for ~40% of keys (unsigned vs masked murmur2).
    partitioner: compatibilityPartitioner,
  });
  await drive(job, async (from, count) => {
    const messages = Array.from({ length: count }, (_, i) => ({ topic: job.topic, key: keys[(from + i) % keys.length]!, value }));
    await producer.send({ messages });
  });
  const elapsedMs = performance.now() - t0;
  await producer.close();
  return { records: job.records, elapsedMs };
}

export async function consume(job: Job): Promise<Measurement> {
  const c = job.settings.consumer;
  const t0 = performance.now();
  const consumer = new Consumer({
    clientId: 'bench-platformatic',
    groupId: job.groupId,
    bootstrapBrokers: job.settings.brokers,
    minBytes: c.fetchMinBytes,
    maxBytes: c.fetchMaxBytes,
    maxBytesPerPartition: c.partitionFetchMaxBytes,
    maxWaitTime: c.fetchMaxWaitMs,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    autocommit: c.autoCommitIntervalMs,
  });
  const stream = await consumer.consume({
    topics: [job.topic],
    mode: MessagesStreamModes.COMMITTED,
    fallbackMode: MessagesStreamFallbackModes.EARLIEST,
  });
  let count = 0;
  let startupMs: number | undefined;
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('data', () => {
      startupMs ??= performance.now() - t0;
      if (++count === job.records) resolve();
    });
  });
  const elapsedMs = performance.now() - t0;
  await stream.close();
  await consumer.close(true);
  return { records: count, elapsedMs, ...(startupMs !== undefined ? { startupMs } : {}) };
}
