// A Kafka broker of a test's own, on its own ports and folder, that the test may stop and start
// for real (the shared broker must never be disturbed). Reuses the jars of the project's broker.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafka as kafkaService } from '../../../scripts/services/kafka.ts';
import { contextFor } from '../../../scripts/services/registry.ts';
import type { ServiceContext } from '../../../scripts/services/types.ts';

export interface OwnKafka {
  brokers: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

export async function ownKafka(port: number): Promise<OwnKafka> {
  const ctx: ServiceContext = { repoRoot: '', dir: mkdtempSync(join(tmpdir(), `clutch-kafka-${port}-`)), ci: true, log: () => {} };
  const shared = contextFor('kafka', () => {}).dir;
  for (const lib of ['libs', 'tools-libs']) if (existsSync(join(shared, lib))) symlinkSync(join(shared, lib), join(ctx.dir, lib));
  mkdirSync(ctx.dir, { recursive: true });
  const withPorts = async <T>(fn: () => Promise<T>): Promise<T> => {
    const saved = [process.env.CLUTCH_KAFKA_PORT, process.env.CLUTCH_KAFKA_CONTROLLER_PORT];
    process.env.CLUTCH_KAFKA_PORT = String(port);
    process.env.CLUTCH_KAFKA_CONTROLLER_PORT = String(port + 1);
    try {
      return await fn();
    } finally {
      if (saved[0] === undefined) delete process.env.CLUTCH_KAFKA_PORT;
      else process.env.CLUTCH_KAFKA_PORT = saved[0];
      if (saved[1] === undefined) delete process.env.CLUTCH_KAFKA_CONTROLLER_PORT;
      else process.env.CLUTCH_KAFKA_CONTROLLER_PORT = saved[1];
    }
  };
  await withPorts(() => kafkaService.install(ctx));
  const k: OwnKafka = {
    brokers: `127.0.0.1:${port}`,
    start: () => withPorts(() => kafkaService.start(ctx)),
    stop: () => withPorts(() => kafkaService.stop(ctx)),
    async destroy() {
      await k.stop().catch(() => {});
      rmSync(ctx.dir, { recursive: true, force: true });
    },
  };
  await k.start();
  return k;
}
