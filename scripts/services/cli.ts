// npm run services:up | services:status | services:down [-- name ...]
// up: installs what is missing, starts every service, waits for readiness, prints the status JSON.
import { ensureServices, status, stopServices } from './ensure.ts';
import { byName } from './registry.ts';
import type { ServiceName } from './types.ts';

const [command, ...rest] = process.argv.slice(2);
const names = rest.length ? rest.map((n) => byName(n).name as ServiceName) : undefined;

async function main(): Promise<number> {
  switch (command) {
    case 'up':
      await ensureServices(names);
      break;
    case 'down':
      await stopServices(names);
      break;
    case 'status':
      break;
    default:
      process.stderr.write('usage: services <up|status|down> [postgres|redis|kafka|timescale ...]\n');
      return 2;
  }
  const s = await status(names);
  process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[services] ${(err as Error).message}\n`);
    process.exit(1);
  },
);
