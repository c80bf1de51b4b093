import { MemoryEventLog } from '../../src/infra/memory/event-log.ts';
import { eventLogContract } from './event-log.contract.ts';

eventLogContract('in-memory', async () => {
  const log = new MemoryEventLog();
  // Two "clients" of one in-process log share its state, as two Kafka clients share a broker.
  return { log, other: log, close: () => log.close() };
});
