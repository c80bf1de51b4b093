// Kafka-specific: aborted transactions whose abort marker lies beyond one fetch response must stay
// invisible (a bug of @platformatic/kafka 2.12.1 that patches/ fixes; see patches/README.md).
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { KafkaEventLog } from '../../src/infra/kafka/event-log.ts';
import { collect } from '../contract/event-log.contract.ts';
import { runId } from '../support/isolation.ts';

describe('Kafka transactions with small fetches', () => {
  let log: KafkaEventLog;
  beforeAll(() => {
    // 1 KiB per partition per fetch: twenty 200-byte records span several fetch responses.
    log = new KafkaEventLog({ brokers: inject('endpoints').kafkaBrokers.split(','), clientId: 'tx-small-fetch', log: pino({ level: 'silent' }), fetchMaxBytesPerPartition: 1024 });
  });
  afterAll(async () => {
    await log.close();
  });

  it('delivers none of an aborted transaction whose abort marker is in a later fetch', async () => {
    const topic = `t${runId()}.tx-small-fetch`;
    await log.ensureTopics([{ name: topic, partitions: 1 }]);
    const filler = 'x'.repeat(200);
    await expect(
      log.transaction(async (tx) => {
        await tx.append(Array.from({ length: 20 }, (_, i) => ({ topic, key: 'm', value: Buffer.from(`aborted-${i}-${filler}`) })));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await log.append([{ topic, key: 'm', value: Buffer.from('committed') }]);
    const sub = await log.subscribe({ groupId: `${topic}.g`, topics: [topic] });
    const got = await collect(sub, 1, 15_000);
    await sub.close();
    expect(got.map((r) => r.value.toString())).toEqual(['committed']);
  });
});
