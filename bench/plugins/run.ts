// Pipeline throughput with 5 active tenant stat plugins vs none (issue #6 target: ratio ≥ 0.7).
//
//   npm run bench -- plugins [--events N] [--quick] [--rounds R] [--workers W] [--nice N] [--processor-workers P]
//
// Setup as bench/pipeline: the simulator preloads N canonical events (default 1,200,000, about 2 minutes in all on 2 cores; --quick 100,000;
// mixed titles in turn: lol, cs2, valorant, dota2) of tenant `bench` into a fresh topic of 6
// partitions. Then, in this same process and on that same topic, R rounds (default 2) of two phases,
// in the order none, plugins, none, plugins…; each phase with a fresh consumer group, a fresh
// PostgreSQL schema (migrated, nothing else in it), a fresh Redis key prefix and a fresh stats topic:
// - none: the processor role (startProcessor, as in `clutch serve`: workers 1, concurrency 4, batches
//   of 10,000 records) with no plugin host.
// - plugins: the same, with a PluginHost over a PluginRuntime (worker threads --workers, default
//   config.pluginWorkers; nice --nice, default config.pluginNice) and 5 plugin versions uploaded and
//   activated tenant-wide for `bench` through server/src/store/plugins.ts: the four first-party
//   plugins of plugins/ (cs2-trades, first-blood-conversion, lol-gold-objectives,
//   dota2-networth-swing) and the opening-duels test plugin (server/test/plugins/opening-duels.ts).
//   cs2 and valorant matches run 3 of them, lol and dota2 matches 1. The versions are loaded into the
//   runtime before the clock starts (what a running processor has done long before).
// Each phase is timed until every match's stored last_seq is its last event (as bench/pipeline). CPU
// is this process's (all its threads: Kafka client, processor, shard worker, plugin workers), also
// split per thread name; the machine's CPU use over the phase is given too (PostgreSQL, Redis and
// Kafka run in processes of their own on the same 2 cores).
//
// BENCH_CPU_PROF=<dir>: a V8 CPU profile of the main thread per phase, <dir>/<phase>-<round>.cpuprofile.
//
// Prints one JSON document on stdout; progress on stderr.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DEMO_ENV, loadConfig } from '../../server/src/config.ts';
import { toRecord } from '../../server/src/events/codec.ts';
import { KafkaEventLog } from '../../server/src/infra/kafka/event-log.ts';
import { createPostgresStore } from '../../server/src/infra/postgres/store.ts';
import { createRedisCacheBackend } from '../../server/src/infra/redis/cache.ts';
import { PluginHost } from '../../server/src/plugins/host.ts';
import { validatePlugin } from '../../server/src/plugins/manifest.ts';
import { PluginRuntime } from '../../server/src/plugins/runtime.ts';
import { startProcessor } from '../../server/src/processing/processor.ts';
import { activate, insertVersion } from '../../server/src/store/plugins.ts';
import { ensureTenant } from '../../server/src/store/tenants.ts';
import { openingDuelsBundle, openingDuelsManifest } from '../../server/test/plugins/opening-duels.ts';
import { ensureServices } from '../../scripts/services/ensure.ts';
import { machineTicks, threadTicks } from '../support/cpu.ts';
import { machineInfo, runBench } from '../support/main.ts';
import { simulated } from '../support/simulated.ts';
import { ensureBroker, repoRoot } from '../kafka-clients/broker.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const quick = process.argv.includes('--quick');
const EVENTS = Number(arg('events') ?? (quick ? 100_000 : 1_200_000));
const ROUNDS = Number(arg('rounds') ?? 2);
const PARTITIONS = 6;
const TENANT = 'bench';
const PROCESSOR = { maxBatchRecords: 10_000, concurrency: 4, workers: Number(arg('processor-workers') ?? 1) };
// The plugin runtime as `clutch serve` configures it (CLUTCH_PLUGIN_WORKERS, CLUTCH_PLUGIN_NICE), unless overridden.
const config = loadConfig({ ...DEMO_ENV, ...(process.env.CLUTCH_PLUGIN_WORKERS ? { CLUTCH_PLUGIN_WORKERS: process.env.CLUTCH_PLUGIN_WORKERS } : {}), ...(process.env.CLUTCH_PLUGIN_NICE ? { CLUTCH_PLUGIN_NICE: process.env.CLUTCH_PLUGIN_NICE } : {}) });
const PLUGIN_WORKERS = Number(arg('workers') ?? config.pluginWorkers);
const PLUGIN_NICE = Number(arg('nice') ?? config.pluginNice);
const PROF_DIR = process.env.BENCH_CPU_PROF;
const log = (m: string) => process.stderr.write(`[bench:plugins] ${m}\n`);

/** The 5 plugins: the first-party ones of plugins/ and the opening-duels test plugin. */
function pluginSources(): Array<{ manifest: unknown; bundle: string }> {
  const dir = join(repoRoot, 'plugins');
  const firstParty = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ manifest: JSON.parse(readFileSync(join(dir, d.name, 'manifest.json'), 'utf8')) as unknown, bundle: readFileSync(join(dir, d.name, 'bundle.js'), 'utf8') }));
  return [...firstParty, { manifest: openingDuelsManifest, bundle: openingDuelsBundle }];
}

const histSum = async (r: Registry, name: string) => {
  const values = (await r.getSingleMetric(name)?.get())?.values ?? [];
  const out: Record<string, number> = {};
  for (const v of values) {
    if (!(v as { metricName?: string }).metricName?.endsWith('_sum')) continue;
    const label = Object.values(v.labels).join(',') || 'all';
    out[label] = Number(((out[label] ?? 0) + v.value).toFixed(2));
  }
  return out;
};

interface Loaded {
  events: number;
  matches: number;
  matchesByTitle: Record<string, number>;
  bytes: number;
  /** The last match is cut where N events are reached: it may be too short for any plugin to emit a value. */
  lastMatch: { matchId: string; events: number };
}

async function phase(kind: 'none' | 'plugins', round: number, ctx: { eventLog: KafkaEventLog; pgUrl: string; redisUrl: string; topic: string; prefix: string; loaded: Loaded; admin: pg.Client }) {
  const { eventLog, loaded, admin } = ctx;
  const tag = `${kind}-${round}`;
  const schema = `${ctx.prefix}_${kind}_${round}`;
  const statsTopic = `${ctx.prefix}.${tag}.clutch.stats.v1`;
  await eventLog.ensureTopics([{ name: statsTopic, partitions: PARTITIONS }]);
  await admin.query(`create schema ${schema}`);
  const store = createPostgresStore({ url: ctx.pgUrl, poolMax: 4, searchPath: schema });
  await store.migrate();
  await ensureTenant(store.db, TENANT, TENANT);
  const cache = createRedisCacheBackend({ url: ctx.redisUrl, keyPrefix: `${ctx.prefix}:${tag}:` });
  const metrics = new Registry();

  // Plugin host and runtime messages by text, and whether the plugin supports the match's title (the
  // host logs at debug when a stateful plugin waits for the event archive). The first of each kind is
  // shown on stderr.
  const titlesOf = new Map(pluginSources().map(({ manifest }) => [(manifest as { name: string }).name, (manifest as { titles: string[] }).titles]));
  const messages: Record<string, number> = {};
  const sink = {
    write(line: string) {
      const o = JSON.parse(line) as { level: number; msg: string; plugin?: string; matchId?: string; error?: { code?: string } };
      const name = /\/(.+)@/.exec(o.plugin ?? '')?.[1];
      const title = /^bench-([a-z0-9]+)-/.exec(o.matchId ?? '')?.[1];
      const what = `${o.msg}${o.error?.code ? ` (${o.error.code})` : ''}${name && title ? (titlesOf.get(name)?.includes(title) ? ' [title supported]' : ` [${title} match, plugin without ${title}]`) : ''}`;
      messages[what] = (messages[what] ?? 0) + 1;
      if (o.level >= 40 && messages[what] === 1) process.stderr.write(`first of its kind: ${line}`);
    },
  };
  let runtime: PluginRuntime | undefined;
  let host: PluginHost | undefined;
  let loadMs = 0;
  if (kind === 'plugins') {
    const plog = pino({ level: 'debug' }, sink);
    runtime = new PluginRuntime({ workers: PLUGIN_WORKERS, nice: PLUGIN_NICE, metrics, log: plog, onDisabled: (e) => host?.onDisabled(e) });
    host = new PluginHost({ runtime, store, log: plog, cacheMs: config.pluginCacheMs });
    // What POST /v1/plugins and …/activate store (api/plugins.ts), straight through the store.
    for (const src of pluginSources()) {
      const def = validatePlugin(src.manifest, src.bundle);
      const { name, version } = def.manifest;
      const row = await insertVersion(store.db, { tenant: TENANT, name, version, manifest: def.manifest, bundle: def.bundle, sha256: createHash('sha256').update(def.bundle, 'utf8').digest('hex') });
      if (!row) throw new Error(`${name}@${version} already stored`);
      await store.db.transaction().execute((trx) => activate(trx, TENANT, name, version, undefined));
    }
    host.invalidate(TENANT);
    const t = performance.now();
    const ready = await host.runnable(TENANT, undefined);
    loadMs = performance.now() - t;
    if (ready.length !== 5) throw new Error(`${ready.length} plugin versions runnable, expected 5`);
  }

  log(`${tag}: consuming`);
  const session = PROF_DIR ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const threads0 = threadTicks();
  const machine0 = machineTicks();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const processor = await startProcessor({ eventLog, store, cache, topic: ctx.topic, statsTopic, groupId: `${ctx.prefix}.${tag}.processor`, log: pino({ level: 'warn' }, pino.destination(2)), metrics, ...PROCESSOR, ...(host ? { plugins: host } : {}) });
  // Done when every match's stored last_seq is its last event (bench/pipeline).
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const r = await store.db.selectFrom('match_stats').select((eb) => eb.fn.sum<string>('last_seq').as('s')).executeTakeFirst();
    if (Number(r?.s ?? 0) >= loaded.events) break;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const machine1 = machineTicks();
  const threads1 = threadTicks();
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(PROF_DIR!, { recursive: true });
    writeFileSync(join(PROF_DIR!, `${tag}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
  await processor.stop();
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const threads: Record<string, number> = {};
  for (const [name, ticks] of threads1) {
    const d = (ticks - (threads0.get(name) ?? 0)) / 100;
    if (d >= 0.05) threads[name] = Number(d.toFixed(2));
  }

  const retried = (await metrics.getSingleMetric('clutch_processor_retries_total')?.get())?.values[0]?.value ?? 0;
  const matches = await store.db.selectFrom('match_stats').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirst();
  const out = {
    events: loaded.events,
    seconds: Number((ms / 1000).toFixed(2)),
    eventsPerSec: Math.round(loaded.events / (ms / 1000)),
    cpuSeconds: Number(cpuSec.toFixed(2)),
    eventsPerCpuSecond: Math.round(loaded.events / cpuSec),
    cpuSecondsByThread: threads,
    machineCpuBusy: `${(((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100).toFixed(0)} % of ${cpus().length} cores`,
    matchesStored: Number(matches?.n ?? 0),
    batchesRetried: retried,
    processorPhaseSeconds: await histSum(metrics, 'clutch_processor_phase_seconds'),
    plugins: undefined as unknown,
  };

  if (runtime) {
    const calls = (await metrics.getSingleMetric('clutch_plugin_calls_total')?.get())?.values ?? [];
    const byOutcome: Record<string, number> = {};
    const callsByPlugin: Record<string, number> = {};
    for (const v of calls) {
      byOutcome[String(v.labels.outcome)] = (byOutcome[String(v.labels.outcome)] ?? 0) + v.value;
      if (v.labels.outcome === 'ok') callsByPlugin[String(v.labels.plugin).replace(`${TENANT}/`, '')] = v.value;
    }
    const eventsIn = ((await metrics.getSingleMetric('clutch_plugin_events_total')?.get())?.values ?? []).reduce((a, v) => a + v.value, 0);
    const cpuSum = Object.values(await histSum(metrics, 'clutch_plugin_cpu_seconds')).reduce((a, b) => a + b, 0);
    const callSum = Object.values(await histSum(metrics, 'clutch_plugin_call_seconds')).reduce((a, b) => a + b, 0);
    // What the plugins left in the store, per title of the match and plugin (tenant `bench` only).
    const rows = await admin.query<{ title: string; plugin: string; matches: string; rows: string }>(
      `select s.title, o.plugin, count(distinct o.match_id) as matches, count(*) as rows
         from ${schema}.plugin_outputs o join ${schema}.match_stats s on s.tenant_id = o.tenant_id and s.match_id = o.match_id
        where o.tenant_id = $1 group by 1, 2 order by 1, 2`,
      [TENANT],
    );
    const total = await admin.query<{ rows: string }>(`select count(*) as rows from ${schema}.plugin_outputs where tenant_id = $1`, [TENANT]);
    const states = await admin.query<{ rows: string }>(`select count(*) as rows from ${schema}.plugin_states where tenant_id = $1`, [TENANT]);
    const outputsByTitle: Record<string, Record<string, { matches: string; rows: number }>> = {};
    for (const r of rows.rows) (outputsByTitle[r.title] ??= {})[r.plugin] = { matches: `${r.matches}/${loaded.matchesByTitle[r.title] ?? 0}`, rows: Number(r.rows) };
    out.plugins = {
      active: 5,
      loadMsBeforeTiming: Math.round(loadMs),
      calls: byOutcome,
      okCallsByPlugin: callsByPlugin,
      eventsPassed: eventsIn,
      isolateCpuSeconds: Number(cpuSum.toFixed(2)),
      callSecondsAsSeen: Number(callSum.toFixed(2)),
      outputRows: Number(total.rows[0]?.rows ?? 0),
      stateRows: Number(states.rows[0]?.rows ?? 0),
      outputsByTitle,
      hostMessages: messages,
    };
    await runtime.close();
  } else delete out.plugins;

  log(`${tag}: ${loaded.events} events in ${out.seconds} s = ${out.eventsPerSec} events/s, ${out.cpuSeconds} CPU s`);
  await store.close();
  await cache.close();
  await admin.query(`drop schema ${schema} cascade`);
  return out;
}

async function main(): Promise<unknown> {
  const wall0 = performance.now();
  const broker = await ensureBroker();
  const endpoints = await ensureServices(['postgres', 'redis']);
  const prefix = `benchplug${Date.now().toString(36)}`;
  const topic = `${prefix}.clutch.events.v1`;
  const eventLog = new KafkaEventLog({ brokers: broker.brokers, clientId: 'bench-plugins', log: pino({ level: 'warn' }, pino.destination(2)) });
  await eventLog.ensureTopics([{ name: topic, partitions: PARTITIONS }]);

  log(`preloading ${EVENTS} events into ${topic}`);
  const p0 = performance.now();
  const loaded: Loaded = { events: 0, matches: 0, matchesByTitle: {}, bytes: 0, lastMatch: { matchId: '', events: 0 } };
  const matches = new Set<string>();
  let batch = [];
  for (const e of simulated(EVENTS, TENANT)) {
    const r = toRecord(topic, e);
    loaded.bytes += r.value.length;
    loaded.events++;
    if (!matches.has(e.matchId)) {
      matches.add(e.matchId);
      loaded.matchesByTitle[e.title] = (loaded.matchesByTitle[e.title] ?? 0) + 1;
      loaded.lastMatch = { matchId: e.matchId, events: 0 };
    }
    loaded.lastMatch.events++;
    batch.push(r);
    if (batch.length === 1000) {
      await eventLog.append(batch);
      batch = [];
    }
  }
  if (batch.length) await eventLog.append(batch);
  loaded.matches = matches.size;
  const preloadSec = (performance.now() - p0) / 1000;
  log(`preloaded ${loaded.events} events (${loaded.matches} matches) in ${preloadSec.toFixed(1)} s`);

  const admin = new pg.Client({ connectionString: endpoints.postgres.url });
  await admin.connect();
  const ctx = { eventLog, pgUrl: endpoints.postgres.url, redisUrl: endpoints.redis.url, topic, prefix, loaded, admin };
  const runs: { none: Array<Awaited<ReturnType<typeof phase>>>; plugins: Array<Awaited<ReturnType<typeof phase>>> } = { none: [], plugins: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    runs.none.push(await phase('none', round, ctx));
    runs.plugins.push(await phase('plugins', round, ctx));
  }
  await admin.end();
  // The bench's topics go (a broker keeping every run's topics grows by GBs and starts slowly).
  await eventLog.deleteTopicsWithPrefix(`${prefix}.`);
  await eventLog.close();

  // Each phase's figure over all its rounds: events processed / seconds taken.
  const overall = (rs: Array<{ events: number; seconds: number; cpuSeconds: number }>) => {
    const events = rs.reduce((a, r) => a + r.events, 0);
    const sec = rs.reduce((a, r) => a + r.seconds, 0);
    const cpu = rs.reduce((a, r) => a + r.cpuSeconds, 0);
    return { eventsPerSec: Math.round(events / sec), eventsPerCpuSecond: Math.round(events / cpu) };
  };
  const none = overall(runs.none);
  const withPlugins = overall(runs.plugins);
  const result = {
    benchmark: 'plugins',
    date: new Date().toISOString(),
    machine: machineInfo(),
    settings: {
      events: loaded.events,
      matches: loaded.matches,
      matchesByTitle: loaded.matchesByTitle,
      lastMatch: loaded.lastMatch,
      partitions: PARTITIONS,
      meanEventBytes: Math.round(loaded.bytes / loaded.events),
      processor: PROCESSOR,
      pluginWorkers: PLUGIN_WORKERS,
      pluginNice: PLUGIN_NICE,
      plugins: pluginSources().map(({ manifest }) => {
        const m = manifest as { name: string; version: string; titles: string[] };
        return `${m.name}@${m.version} (${m.titles.join(', ')})`;
      }),
      rounds: ROUNDS,
      order: 'none, plugins per round',
      cache: 'redis',
      store: 'postgres',
      preloadSeconds: Number(preloadSec.toFixed(1)),
    },
    results: {
      none: { ...none, runs: runs.none },
      plugins: { ...withPlugins, runs: runs.plugins },
      ratio: Number((withPlugins.eventsPerSec / none.eventsPerSec).toFixed(2)),
      ratioPerRound: runs.plugins.map((p, i) => Number((p.eventsPerSec / runs.none[i]!.eventsPerSec).toFixed(2))),
      cpuRatio: Number((withPlugins.eventsPerCpuSecond / none.eventsPerCpuSecond).toFixed(2)),
      target: 0.7,
      note: 'ratio: events/s with the 5 plugins ÷ without, each over all its rounds (events ÷ seconds); cpuRatio the same for events per CPU second of this process',
    },
    benchSeconds: Math.round((performance.now() - wall0) / 1000),
  };
  return result;
}

runBench(main);
