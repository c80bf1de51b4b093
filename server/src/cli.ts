// `clutch` — the one command of the server package. Every role of the platform runs from it.
import { parseArgs } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import type { Title } from '@clutch/core';
import { TITLES } from '@clutch/core';
import { DEMO_ENV, describeConfig, loadConfig, ROLES, type Config, type VarName } from './config.ts';
import { CliUsage, isClutchError } from './errors.ts';
import { SOURCES } from './ingest/adapters/types.ts';

const HELP = `clutch — real-time e-sports statistics platform

Usage: clutch <command> [options]

Commands:
  serve      Run the platform against Kafka, PostgreSQL and Redis (configured by env; see .env.example).
             --roles=ingest,process,api   roles of this process (default: all, or CLUTCH_ROLES)
             --port=N --host=ADDR         HTTP listen address (default: PORT, HOST)
  demo       Run the whole platform in one process on embedded adapters (in-memory log, PGlite,
             in-memory cache) with the built-in simulator playing live matches. No services needed.
             --port=N                     HTTP port (default 8080; 0 = any free port)
  parse      clutch parse <source> <file...>: recorded data → canonical events as NDJSON on stdout.
  stats      clutch stats <source> <file...> [--per-round]: a recorded match through the built-in
             stats; prints final per-player and per-team stats as JSON (--per-round: cumulative
             per-player stats at every round end, for CS2 and Valorant).
  replay     clutch replay <source> <file...> --speed <N|max>: play a recorded match as a live one,
             into the event log (KAFKA_BROKERS), or --url <clutch base URL> --token <ingest token>.
  simulate   clutch simulate --titles lol,cs2,valorant,dota2 --matches <n> --rate <events/s>
             [--events <n>] [--out log|stdout]: synthetic consistent live matches.
  ingest-token  create|list|revoke ingest tokens (see: clutch ingest-token).
  org        clutch org create --tenant <id> [--name <n>] [--kind client|api_key] [--plan <p>]: an organisation
             with an owner credential holding every scope, printed once (docs/auth.md).
  plugin     build|test|publish tenant stat plugins (see: clutch plugin help; docs/plugins.md).
  billing    clutch billing setup | report | reconcile [--day YYYY-MM-DD] [--tenant <id>] [--stripe] | requeue: usage sent
             to Stripe Billing Meters, and the ledger compared with what Stripe accepted (docs/billing.md).
  predict    clutch predict eval --task <task> --file <csv>: the shipped win-probability model of a task scored
             on a CSV of its dataset format, one JSON object { task, n, accuracy, logloss, brier, auc, ece };
             clutch predict draft --task dota2-draft|lol-draft --team1 <ids> --team2 <ids> [--lobby cluster,mode,type]: draft what-if;
             clutch predict models: the shipped models (docs/predictions.md).
  migrate    Apply pending database migrations and exit.
  config     Print the validated configuration (secrets reduced to their host) and exit.
  help       Show this help.

Options:
  -h, --help       Show this help.
  -v, --version    Print the version.

Sources: ${SOURCES.join(', ')}.
Roles: ${ROLES.join(', ')}. Quick start: npm run demo (then open the printed URL).`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function fail(err: unknown): never {
  // Expected failures (bad config, a dependency down, bad input, port in use) get their message, not a stack.
  const e = err as NodeJS.ErrnoException;
  if (isClutchError(err)) console.error(`clutch: ${err.message} [${err.code}]`);
  else if (e?.code === 'EADDRINUSE') console.error(`clutch: the HTTP port is already in use (${e.message}); set PORT or --port.`);
  else if (e?.code === 'ENOENT') console.error(`clutch: ${e.message}`);
  else if (e?.code?.startsWith('ERR_PARSE_ARGS_')) console.error(`clutch: ${e.message.split('\n')[0]} (see clutch --help)`);
  else console.error(err);
  process.exit(1);
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  roles: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  tenant: { type: 'string' },
  speed: { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  titles: { type: 'string' },
  matches: { type: 'string' },
  rate: { type: 'string' },
  events: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  source: { type: 'string' },
  stream: { type: 'string' },
  kind: { type: 'string' },
  plan: { type: 'string' },
  name: { type: 'string' },
  'per-round': { type: 'boolean' },
  manifest: { type: 'string' },
  batch: { type: 'string' },
  day: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  stripe: { type: 'boolean' },
  task: { type: 'string' },
  file: { type: 'string' },
  team1: { type: 'string' },
  lobby: { type: 'string' },
  team2: { type: 'string' },
  top: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new CliUsage(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** Progress on stderr, rewriting one line on a terminal, one line per update otherwise. */
const progress = (line: string) => process.stderr.write(process.stderr.isTTY ? `\r${line}\x1b[K` : `${line}\n`);

async function withStore<T>(config: Config, fn: (store: import('./ports/store.ts').Store) => Promise<T>): Promise<T> {
  const { pino } = await import('pino');
  const { createInfra } = await import('./infra/wiring.ts');
  const { waitForDependencies } = await import('./infra/health.ts');
  const infra = await createInfra({ ...config, eventLog: 'memory', cache: 'memory' }, pino({ level: 'silent' }));
  try {
    await waitForDependencies(infra.dependencies, config.startupTimeoutMs);
    await infra.store.migrate();
    return await fn(infra.store);
  } finally {
    await infra.close();
  }
}

async function withEventLog<T>(config: Config, fn: (log: import('./ports/event-log.ts').EventLog, topics: import('./topics.ts').Topics) => Promise<T>): Promise<T> {
  if (config.eventLog !== 'kafka') throw new CliUsage('this command writes to Kafka: set KAFKA_BROKERS (or use --url to post to a running Clutch)');
  const { pino } = await import('pino');
  const { KafkaEventLog } = await import('./infra/kafka/event-log.ts');
  const { topicNames, topicSpecs } = await import('./topics.ts');
  const log = new KafkaEventLog({ brokers: config.kafkaBrokers!, clientId: `${config.kafkaClientId}-cli`, log: pino({ level: 'warn' }) });
  try {
    const topics = topicNames(config.kafkaTopicPrefix);
    await log.ensureTopics(topicSpecs(topics));
    return await fn(log, topics);
  } finally {
    await log.close();
  }
}

/** Config for commands that only need Kafka (or nothing): the store and cache settings do not apply. */
const toolConfig = (env: NodeJS.ProcessEnv) => loadConfig({ CLUTCH_STORE: 'pglite', CLUTCH_CACHE: 'memory', CLUTCH_EVENT_LOG: env.KAFKA_BROKERS ? 'kafka' : 'memory', ...env });

const COMMANDS: Record<string, (positionals: string[], v: Values, overrides: Partial<Record<VarName, string>>) => Promise<number>> = {
  async serve(_p, _v, overrides) {
    const config = loadConfig({ ...process.env, ...overrides });
    const { startServer } = await import('./server.ts');
    await startServer(config);
    return -1; // keeps running
  },
  async demo(_p, _v, overrides) {
    const started = performance.now();
    const env = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined && v !== ''));
    const config = loadConfig({ ...DEMO_ENV, ...env, ...overrides });
    const { startServer } = await import('./server.ts');
    const { url } = await startServer(config);
    // performance.now() counts from this process's start: time to ready includes module loading.
    const ms = Math.round(performance.now());
    const { DASHBOARD_DIST, DASHBOARD_PATH } = await import('./api/home.ts');
    const dashboard = existsSync(`${DASHBOARD_DIST}/index.html`) ? `${url}${DASHBOARD_PATH}` : 'not built (npm run dashboard:build, or start with npm run demo)';
    console.log(
      `\n  Clutch demo ready in ${(ms / 1000).toFixed(1)} s (app ${Math.round(performance.now() - started)} ms) → ${url}\n` +
        `  dashboard: ${dashboard}\n` +
        `  live matches: ${url}/v1/matches?status=live   readiness: ${url}/readyz   metrics: ${url}/metrics\n` +
        `  ${config.simulatorMatches} simulated matches at ${config.simulatorSpeed}× speed. Ctrl-C to stop.\n` +
        `  post real data: curl --data-binary @server.log '${url}/v1/ingest/cs2-log?token=demo-cs2-log'  (any source: token demo-<source>)\n`,
    );
    return -1;
  },
  async stats(p, v) {
    const { statsCommand } = await import('./cli/stats.ts');
    return statsCommand(p[0], p.slice(1), { tenant: v.tenant ?? 'cli', perRound: v['per-round'] === true });
  },
  async parse(p, v) {
    const { parseCommand } = await import('./cli/parse.ts');
    return parseCommand(p[0], p.slice(1), { tenant: v.tenant ?? 'cli' });
  },
  async replay(p, v) {
    const [source, ...files] = p;
    if (!source || !files.length) {
      console.error('usage: clutch replay <source> <file...> --speed <N|max> [--url <base URL> --token <ingest token>]');
      return 2;
    }
    const r = await import('./cli/replay.ts');
    const speed = r.parseSpeed(v.speed);
    const common = { speed, tenant: v.tenant ?? 'replay', progress };
    const n = v.url
      ? await r.replayToHttp(source, files, { ...common, url: v.url, token: v.token ?? '' })
      : await withEventLog(toolConfig(process.env), (log, topics) => r.replayToLog(log, topics.events, source, files, common));
    process.stderr.write(`\nreplay done: ${n} ${v.url ? 'bodies posted' : 'events published'}\n`);
    return 0;
  },
  async simulate(_p, v) {
    const { simulate } = await import('./cli/simulate.ts');
    const titles = (v.titles ?? TITLES.join(',')).split(',').map((t) => t.trim());
    const bad = titles.filter((t) => !(TITLES as readonly string[]).includes(t));
    if (bad.length) throw new CliUsage(`--titles: unknown ${bad.join(', ')}; known: ${TITLES.join(', ')}`);
    const abort = new AbortController();
    process.once('SIGINT', () => abort.abort());
    process.once('SIGTERM', () => abort.abort());
    const opts = {
      titles: titles as Title[],
      matches: positiveInt('matches', v.matches, 4),
      rate: positiveInt('rate', v.rate, 100),
      tenant: v.tenant ?? 'demo',
      seed: positiveInt('seed', v.seed, 1),
      signal: abort.signal,
      progress,
      ...(v.events ? { maxEvents: positiveInt('events', v.events, 1) } : {}),
    };
    const out = v.out ?? (process.env.KAFKA_BROKERS ? 'log' : 'stdout');
    if (out === 'stdout') {
      await simulate({ ...opts, progress: () => {}, emit: async (events) => void process.stdout.write(events.map((e) => `${JSON.stringify(e)}\n`).join('')) });
      return 0;
    }
    const { toRecord } = await import('./events/codec.ts');
    const n = await withEventLog(toolConfig(process.env), (log, topics) => simulate({ ...opts, emit: async (events) => void (await log.append(events.map((e) => toRecord(topics.events, e)))) }));
    process.stderr.write(`\nsimulate done: ${n} events\n`);
    return 0;
  },
  async 'ingest-token'(p, v) {
    const { ingestTokenCommand } = await import('./cli/ingest-token.ts');
    return withStore(loadConfig({ CLUTCH_EVENT_LOG: 'memory', CLUTCH_CACHE: 'memory', ...process.env }), (store) =>
      ingestTokenCommand(store, { action: p[0], id: p[1], tenant: v.tenant ?? 'demo', source: v.source, stream: v.stream, name: v.name }, (l) => console.log(l)),
    );
  },
  async org(p, v) {
    const { orgCommand } = await import('./cli/org.ts');
    return withStore(loadConfig({ CLUTCH_EVENT_LOG: 'memory', CLUTCH_CACHE: 'memory', ...process.env }), (store) => orgCommand(store, { action: p[0], tenant: v.tenant, name: v.name, kind: v.kind, plan: v.plan }, (l) => console.log(l)));
  },
  async billing(p, v) {
    const { billingCommand } = await import('./cli/billing.ts');
    const config = loadConfig({ CLUTCH_EVENT_LOG: 'memory', CLUTCH_CACHE: 'memory', ...process.env });
    return withStore(config, (store) => billingCommand(store, config, { action: p[0], day: v.day, from: v.from, to: v.to, tenant: v.tenant, stripe: v.stripe }, (l) => console.log(l)));
  },
  async plugin(p, v) {
    const { pluginCommand } = await import('./cli/plugin.ts');
    return pluginCommand(p, { out: v.out, source: v.source, manifest: v.manifest, batch: v.batch, url: v.url, token: v.token, tenant: v.tenant });
  },
  async predict(p, v) {
    const { predictCommand } = await import('./cli/predict.ts');
    return predictCommand(p, { task: v.task, file: v.file, team1: v.team1, team2: v.team2, top: v.top, lobby: v.lobby });
  },
  async migrate(_p, _v, overrides) {
    const config = loadConfig({ CLUTCH_EVENT_LOG: 'memory', CLUTCH_CACHE: 'memory', ...process.env, ...overrides });
    const applied = await withStore(config, async () => 'ok');
    console.log(applied === 'ok' ? 'database is up to date' : applied);
    return 0;
  },
  async config(_p, _v, overrides) {
    console.log(JSON.stringify(describeConfig(loadConfig({ ...process.env, ...overrides })), null, 2));
    return 0;
  },
};

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  const command = positionals[0] ?? (values.version ? 'version' : 'help');
  if (values.help || command === 'help') return void console.log(HELP);
  if (command === 'version') return void console.log(version());
  const run = COMMANDS[command];
  if (!run) {
    console.error(`clutch: unknown command "${command}"\n\n${HELP}`);
    process.exit(2);
  }
  const overrides: Partial<Record<VarName, string>> = {};
  if (values.roles) overrides.CLUTCH_ROLES = values.roles;
  if (values.port) overrides.PORT = values.port;
  if (values.host) overrides.HOST = values.host;
  const code = await run(positionals.slice(1), values, overrides);
  if (code < 0) return; // a server: it runs until signalled
  // process.exit() drops output still queued for a pipe (`clutch parse … | jq` lost its last lines):
  // wait until stdout and stderr have flushed.
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise((resolve) => s.write('', resolve))));
  process.exit(code);
}

main(process.argv.slice(2)).catch(fail);
