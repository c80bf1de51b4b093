// npm run bench -- rest [--seconds 10] [--connections 50]
//
// REST throughput of `clutch serve --roles=process,api` on the local services, with autocannon, next
// to a bare Fastify hello-world measured in the same run with the same settings:
// - a match detail (GET /v1/matches/{id}: the write-through summary in Redis),
// - its stats (GET /v1/matches/{id}/stats: the view in Redis),
// - a leaderboard (GET /v1/leaderboards/cs2/kills: a Redis sorted set).
// The match is a recorded CS2 game (server/test/fixtures) run through Kafka and the processor first.
// Prints JSON: requests/s and p99 latency per route, and the ratio to hello-world (target ≥ 0.5).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { pino } from 'pino';
import { parseFiles } from '../../server/src/cli/parse.ts';
import { toRecord } from '../../server/src/events/codec.ts';
import { KafkaEventLog } from '../../server/src/infra/kafka/event-log.ts';
import { topicNames, topicSpecs } from '../../server/src/topics.ts';
import { ensureServices } from '../../scripts/services/ensure.ts';
import { ensureBroker } from '../kafka-clients/broker.ts';
import { startServe } from '../support/serve.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const quick = process.argv.includes('--quick');
const SECONDS = arg('seconds', quick ? 4 : 10);
const CONNECTIONS = arg('connections', 50);
const log = (m: string) => process.stderr.write(`[bench:rest] ${m}\n`);
const fixture = fileURLToPath(new URL('../../server/test/fixtures/cs2-log/wingman.log', import.meta.url));

async function measure(url: string, headers: Record<string, string> = {}): Promise<{ requestsPerSec: number; p50Ms: number; p99Ms: number; non2xx: number }> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  return { requestsPerSec: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx + r.errors };
}

/** A bare Fastify hello-world in its own process (as the product runs in its own). */
async function helloWorld(): Promise<{ url: string; stop: () => void }> {
  const code = `import Fastify from 'fastify'; const app = Fastify(); app.get('/', async () => ({ hello: 'world' })); await app.listen({ port: 0, host: '127.0.0.1' }); console.log(app.server.address().port);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: fileURLToPath(new URL('../../server', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
  const [data] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${data.toString().trim()}/`, stop: () => child.kill('SIGKILL') };
}

async function main(): Promise<void> {
  const broker = await ensureBroker();
  const endpoints = await ensureServices(['postgres', 'redis']);
  const id = Date.now().toString(36);
  const prefix = `benchrest${id}.`;
  const admin = new pg.Client({ connectionString: endpoints.postgres.url });
  await admin.connect();
  await admin.query(`create database benchrest_${id}`);
  const dbUrl = new URL(endpoints.postgres.url);
  dbUrl.pathname = `/benchrest_${id}`;
  const topics = topicNames(prefix);
  const eventLog = new KafkaEventLog({ brokers: broker.brokers, clientId: 'bench-rest', log: pino({ level: 'warn' }, pino.destination(2)) });
  await eventLog.ensureTopics(topicSpecs(topics));
  log('starting clutch serve --roles=process,api');
  const serve = await startServe({ DATABASE_URL: dbUrl.toString(), REDIS_URL: endpoints.redis.url, KAFKA_BROKERS: broker.brokers.join(','), KAFKA_TOPIC_PREFIX: prefix, REDIS_KEY_PREFIX: `benchrest:${id}:`, CLUTCH_ROLES: 'process,api', CLUTCH_SIMULATOR_MATCHES: '0' });
  const base = `http://${serve.base}`;
  try {
    const { events } = await parseFiles('cs2-log', [fixture], { tenant: 'demo', streamId: 'bench', receivedAt: new Date().toISOString() });
    await eventLog.append(events.map((e) => toRecord(topics.events, e)));
    const matchId = events[0]!.matchId;
    const last = events.at(-1)!.seq;
    for (const deadline = Date.now() + 60_000; ; ) {
      const r = await fetch(`${base}/v1/matches/${matchId}/stats`, { headers: serve.headers });
      if (r.ok && ((await r.json()) as { lastSeq: number }).lastSeq === last) break;
      if (Date.now() > deadline) throw new Error('the match was not processed in 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const hello = await helloWorld();
    try {
      log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s per route`);
      const helloWorldResult = await measure(hello.url);
      const routes = {
        matchDetail: await measure(`${base}/v1/matches/${matchId}`, serve.headers),
        matchStats: await measure(`${base}/v1/matches/${matchId}/stats`, serve.headers),
        leaderboard: await measure(`${base}/v1/leaderboards/cs2/kills?limit=10`, serve.headers),
      };
      const result = {
        benchmark: 'rest',
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version },
        settings: { connections: CONNECTIONS, secondsPerRoute: SECONDS, note: 'autocannon in this process; clutch serve (process+api, Redis, PostgreSQL, Kafka local) and the hello-world each in their own process; every request authenticated with an API key (Authorization: Bearer ck_…; the key is looked up once, then cached in the server)' },
        results: {
          helloWorld: helloWorldResult,
          ...Object.fromEntries(Object.entries(routes).map(([k, v]) => [k, { ...v, ratioToHelloWorld: Number((v.requestsPerSec / helloWorldResult.requestsPerSec).toFixed(2)) }])),
          target: { ratioToHelloWorld: 0.5 },
        },
      };
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } finally {
      hello.stop();
    }
  } finally {
    await serve.stop();
    await eventLog.close();
    await admin.query(`drop database if exists benchrest_${id} with (force)`);
    await admin.end();
  }
}

await main();
process.exit(0);
