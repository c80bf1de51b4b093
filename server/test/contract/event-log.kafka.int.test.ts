import { pino } from 'pino';
import { inject } from 'vitest';
import { KafkaEventLog } from '../../src/infra/kafka/event-log.ts';
import { eventLogContract } from './event-log.contract.ts';

eventLogContract('Kafka', async () => {
  const brokers = inject('endpoints').kafkaBrokers.split(',');
  const log = pino({ level: 'silent' });
  // Two independent clients: what two Clutch processes on one cluster look like.
  const a = new KafkaEventLog({ brokers, clientId: 'contract-a', log });
  const b = new KafkaEventLog({ brokers, clientId: 'contract-b', log });
  return {
    log: a,
    other: b,
    async close() {
      await Promise.all([a.close(), b.close()]);
    },
  };
});
