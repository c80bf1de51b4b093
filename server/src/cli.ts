// `clutch` — the one command of the server package. Every role of the platform runs from it.
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { DEMO_ENV, describeConfig, loadConfig, ROLES, type VarName } from './config.ts';
import { isClutchError } from './errors.ts';

const HELP = `clutch — real-time e-sports statistics platform

Usage: clutch <command> [options]

Commands:
  serve      Run the platform against Kafka, PostgreSQL and Redis (configured by env; see .env.example).
             --roles=ingest,process,api   roles of this process (default: all, or CLUTCH_ROLES)
             --port=N --host=ADDR         HTTP listen address (default: PORT, HOST)
  demo       Run the whole platform in one process on embedded adapters (in-memory log, PGlite,
             in-memory cache) with the built-in simulator playing live matches. No services needed.
             --port=N                     HTTP port (default 8080; 0 = any free port)
  migrate    Apply pending database migrations and exit.
  config     Print the validated configuration (secrets reduced to their host) and exit.
  help       Show this help.

Options:
  -h, --help       Show this help.
  -v, --version    Print the version.

Roles: ${ROLES.join(', ')}. Quick start: npm run demo (then open the printed URL).`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function fail(err: unknown): never {
  // Expected failures (bad config, a dependency down, port in use) get their message, not a stack.
  const e = err as NodeJS.ErrnoException;
  if (isClutchError(err)) console.error(`clutch: ${err.message} [${err.code}]`);
  else if (e?.code === 'EADDRINUSE') console.error(`clutch: the HTTP port is already in use (${e.message}); set PORT or --port.`);
  else console.error(err);
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      roles: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
    },
  });
  const command = positionals[0] ?? (values.version ? 'version' : 'help');
  if (values.help || command === 'help') return void console.log(HELP);
  if (command === 'version') return void console.log(version());

  const overrides: Partial<Record<VarName, string>> = {};
  if (values.roles) overrides.CLUTCH_ROLES = values.roles;
  if (values.port) overrides.PORT = values.port;
  if (values.host) overrides.HOST = values.host;

  switch (command) {
    case 'serve':
    case 'demo': {
      const started = performance.now();
      const base = command === 'demo' ? { ...DEMO_ENV, ...stripEmpty(process.env) } : process.env;
      const config = loadConfig({ ...base, ...overrides });
      const { startServer } = await import('./server.ts');
      const { url } = await startServer(config);
      // performance.now() counts from this process's start: time to ready includes module loading.
      const ms = Math.round(performance.now());
      if (command === 'demo') {
        console.log(`\n  Clutch demo ready in ${(ms / 1000).toFixed(1)} s (app ${Math.round(performance.now() - started)} ms) → ${url}\n` +
          `  live matches: ${url}/v1/matches?status=live   readiness: ${url}/readyz   metrics: ${url}/metrics\n` +
          `  ${config.simulatorMatches} simulated matches at ${config.simulatorSpeed}× speed. Ctrl-C to stop.\n`);
      }
      return;
    }
    case 'migrate': {
      const config = loadConfig({ ...process.env, ...overrides });
      const { pino } = await import('pino');
      const { createInfra } = await import('./infra/wiring.ts');
      const { waitForDependencies } = await import('./infra/health.ts');
      const infra = await createInfra({ ...config, eventLog: 'memory', cache: 'memory' }, pino({ level: 'silent' }));
      try {
        await waitForDependencies(infra.dependencies, config.startupTimeoutMs);
        const { applied } = await infra.store.migrate();
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await infra.close();
      }
      return;
    }
    case 'config':
      return void console.log(JSON.stringify(describeConfig(loadConfig({ ...process.env, ...overrides })), null, 2));
    default:
      console.error(`clutch: unknown command "${command}"\n\n${HELP}`);
      process.exit(2);
  }
}

/** Empty env values do not override demo defaults. */
function stripEmpty(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}

main(process.argv.slice(2)).catch(fail);
