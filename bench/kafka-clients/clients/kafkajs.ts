// kafkajs 2.2.4 adapter: idempotent producer (acks=-1, no compression) and an eachBatch consumer.
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Job, Measurement } from '../settings.ts';
import { drive, payload } from './drive.ts';

function client(job: Job): Kafka {
  return new Kafka({ clientId: 'bench-kafkajs', brokers: job.settings.brokers, logLevel: logLevel.ERROR });
}

export async function produce(job: Job): Promise<Measurement> {
  const { keys, value } = payload(job);
  const t0 = performance.now();
  const producer = client(job).producer({
    idempotent: true,
    maxInFlightRequests: job.settings.producer.maxInFlight,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner, // Java-compatible murmur2
  });
  await producer.connect();
  await drive(job, async (from, count) => {
    const messages = Array.from({ length: count }, (_, i) => ({ key: keys[(from + i) % keys.length]!, value }));
    await producer.send({ topic: job.topic, acks: -1, compression: CompressionTypes.None, messages });
  });
  const elapsedMs = performance.now() - t0;
  await producer.disconnect();
  return { records: job.records, elapsedMs };
}

export async function consume(job: Job): Promise<Measurement> {
  const c = job.settings.consumer;
  const t0 = performance.now();
  const consumer = client(job).consumer({
    groupId: job.groupId,
    minBytes: c.fetchMinBytes,
    maxBytes: c.fetchMaxBytes,
    maxBytesPerPartition: c.partitionFetchMaxBytes,
    maxWaitTimeInMs: c.fetchMaxWaitMs,
    readUncommitted: false,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [job.topic], fromBeginning: true });
  let count = 0;
  let startupMs: number | undefined;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommitInterval: c.autoCommitIntervalMs,
        eachBatch: async ({ batch }) => {
          startupMs ??= performance.now() - t0;
          count += batch.messages.length;
          if (count >= job.records) resolve();
        },
      })
      .catch(reject);
  });
  const elapsedMs = performance.now() - t0;
  await consumer.disconnect();
  return { records: count, elapsedMs, ...(startupMs !== undefined ? { startupMs } : {}) };
}
