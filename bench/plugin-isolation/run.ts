// npm run bench -- plugin-isolation [--seconds 8] [--connections 20] [--workers 1]
// Does hostile tenant code slow the host? The API (embedded adapters, in this process) is loaded with
// autocannon on a cheap route while nothing else runs, then again while the plugin runtime (worker
// threads of this same process) runs the hostile corpus (server/test/plugins/hostile.ts: infinite
// loops, memory bombs, huge outputs…) in a loop next to a well-behaved plugin. Prints the API's p99
// in both phases and their ratio (issue #6 target: ≤ 1.2×), and the good plugin's call p99 too.
import assert from 'node:assert/strict';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { buildApp } from '../../server/src/app.ts';
import { DEMO_ENV, loadConfig } from '../../server/src/config.ts';
import { createMemoryCacheBackend } from '../../server/src/infra/memory/cache.ts';
import { MemoryEventLog } from '../../server/src/infra/memory/event-log.ts';
import { createPGliteStore } from '../../server/src/infra/pglite/store.ts';
import { validatePlugin } from '../../server/src/plugins/manifest.ts';
import { PluginRuntime } from '../../server/src/plugins/runtime.ts';
import { hostile, hostileDefinition, hostileEvents } from '../../server/test/plugins/hostile.ts';
import { openingDuelsBundle, openingDuelsManifest, openingMatch } from '../../server/test/plugins/opening-duels.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 8);
const CONNECTIONS = arg('connections', 20);
const WORKERS = arg('workers', 1);
const log = (m: string) => process.stderr.write(`[bench:plugin-isolation] ${m}\n`);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

async function main(): Promise<void> {
  const config = loadConfig({ ...DEMO_ENV, CLUTCH_SIMULATOR_MATCHES: '0', CLUTCH_ROLES: 'api', LOG_LEVEL: 'silent', PORT: '0' });
  const store = await createPGliteStore();
  const eventLog = new MemoryEventLog();
  const cache = createMemoryCacheBackend();
  const app = await buildApp({ config, infra: { eventLog, store, cache, dependencies: [], close: async () => {} }, logger: pino({ level: 'silent' }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/leaderboards/cs2/kills`;
  const load = async () => {
    const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS });
    return { requestsPerSec: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, p999Ms: r.latency.p99_9, non2xx: r.non2xx + r.errors };
  };

  const rt = new PluginRuntime({ workers: WORKERS, nice: config.pluginNice, strikes: { max: 1_000_000, windowMs: 60_000 } });
  const good = await rt.load('good', validatePlugin(openingDuelsManifest, openingDuelsBundle));
  const match = openingMatch('good', 'm-good');
  const corpus = hostile(assert);
  const defs = corpus.map((h) => ({ h, def: hostileDefinition(h) }));

  const goodCalls: number[] = [];
  const runGood = async (until: () => boolean) => {
    while (!until()) {
      let state: string | undefined;
      for (const slice of [match.slice(0, 7), match.slice(7, 13), match.slice(13)]) {
        const t0 = performance.now();
        state = (await rt.invoke(good.key, { matchId: 'm-good', events: slice, state })).state;
        goodCalls.push(performance.now() - t0);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  log(`baseline: ${SECONDS} s of GET /v1/leaderboards/cs2/kills, ${CONNECTIONS} connections, good plugin running`);
  let stop = false;
  const goodA = runGood(() => stop);
  const baseline = await load();
  stop = true;
  await goodA;
  const goodBaseline = { calls: goodCalls.length, p50Ms: percentile(goodCalls, 50), p99Ms: percentile(goodCalls, 99) };
  goodCalls.length = 0;

  log(`with the hostile corpus (${corpus.length} plugins) running in a loop`);
  stop = false;
  let rounds = 0;
  const outcomes: Record<string, number> = {};
  const hostileLoop = (async () => {
    while (!stop) {
      for (const { h, def } of defs) {
        if (stop) break;
        const tenant = h.tenant ?? 'mallory';
        const events = hostileEvents(tenant);
        const code = await rt
          .load(tenant, def)
          .then((p) => rt.invoke(p.key, { matchId: 'm-hostile', events }))
          .then(
            () => 'ok',
            (err: { code?: string }) => err.code ?? 'error',
          );
        outcomes[code] = (outcomes[code] ?? 0) + 1;
        rt.unload(`${tenant}/${h.name}@1.0.0`);
      }
      rounds++;
    }
  })();
  const goodB = runGood(() => stop);
  const underAttack = await load();
  stop = true;
  await Promise.all([hostileLoop, goodB]);
  const goodUnderAttack = { calls: goodCalls.length, p50Ms: percentile(goodCalls, 50), p99Ms: percentile(goodCalls, 99) };

  await rt.close();
  await app.close();
  await Promise.allSettled([store.close(), eventLog.close(), cache.close()]);

  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: 'plugin-isolation',
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.split(' ').slice(0, 2).join(' '), memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version },
        settings: { seconds: SECONDS, connections: CONNECTIONS, pluginWorkers: WORKERS, pluginNice: config.pluginNice, route: 'GET /v1/leaderboards/cs2/kills', note: 'API, plugin runtime (worker threads) and autocannon in one process, as a process running the api and process roles' },
        results: {
          api: { baseline, underAttack, p99Ratio: Math.round((underAttack.p99Ms / Math.max(1, baseline.p99Ms)) * 100) / 100, throughputRatio: Math.round((underAttack.requestsPerSec / baseline.requestsPerSec) * 100) / 100 },
          goodPlugin: { baseline: goodBaseline, underAttack: goodUnderAttack },
          corpus: { plugins: corpus.length, rounds, outcomes },
          target: { p99Ratio: 1.2 },
        },
      },
      null,
      2,
    )}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
