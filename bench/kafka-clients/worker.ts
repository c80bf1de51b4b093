// One Node client measurement per process, so every run starts with a cold JIT and an empty heap,
// just like each run of the Java tools starts a fresh JVM. Usage: node worker.ts '<Job as JSON>'.
// Prints one Measurement as JSON on stdout.
import type { Job, Measurement } from './settings.ts';
import * as kafkajs from './clients/kafkajs.ts';
import * as platformatic from './clients/platformatic.ts';

const adapters = { kafkajs, platformatic };

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as Job;
  const adapter = adapters[job.client];
  const result: Measurement = job.op === 'produce' ? await adapter.produce(job) : await adapter.consume(job);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0), // do not wait for lingering client timers
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
