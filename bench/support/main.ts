// What every benchmark's entry point does: the machine it ran on, and running main() — its JSON on
// stdout, exit 0; on an error, the error on stderr and exit 1.
import { cpus, totalmem } from 'node:os';

export const machineInfo = () => ({ cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version });

/** Runs the benchmark and prints its result as one JSON document. */
export function runBench(main: () => Promise<unknown>): void {
  main().then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
