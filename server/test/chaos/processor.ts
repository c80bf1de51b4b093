// Crash test of the processor: npm run test:chaos -- processor [--kills N]
//
// Runs on the real services: Kafka, PostgreSQL and Redis.
//
// 1. A recorded corpus (our fixtures of every title, the real captures in ../shared/data when present,
//    and simulated matches) goes onto a fresh events topic, in chunks over time, as a live replay.
// 2. Chaos run: `clutch serve --roles=process` runs as a child process and is killed with SIGKILL at
//    random points (at least 20 times), restarting after each kill, until everything is processed.
// 3. Clean run: a second processor, never killed, processes the same topic into another database.
// 4. Every stored result must be equal in both databases: match stats, per-player and per-team rows,
//    windows and summaries.
//
// Exit code 0 and a JSON report on stdout when they are equal; 1 with the first differences otherwise.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { pino } from 'pino';
import { TITLES, uuidv7, type Envelope, type Title } from '@clutch/core';
import { ensureServices } from '../../../scripts/services/ensure.ts';
import { parseFiles } from '../../src/cli/parse.ts';
import { toRecord } from '../../src/events/codec.ts';
import { KafkaEventLog } from '../../src/infra/kafka/event-log.ts';
import { createPostgresStore } from '../../src/infra/postgres/store.ts';
import { createRedisCacheBackend } from '../../src/infra/redis/cache.ts';
import { script } from '../../src/ingest/scenarios.ts';
import { startProcessor } from '../../src/processing/processor.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { topicNames, topicSpecs } from '../../src/topics.ts';
import { createTestDatabase, runId } from '../support/isolation.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const KILLS = arg('kills', 20);
const log = (m: string) => process.stderr.write(`[chaos:processor] ${m}\n`);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (p: string) => join(root, 'server', 'test', 'fixtures', p);
const shared = join(root, '..', 'shared', 'data', 'fixtures');
const TENANT = 'demo';

/** Events of recorded matches (our fixtures, plus the real captures when ../shared/data is there). */
async function corpus(): Promise<Envelope[]> {
  const sets: Array<[string, string[]]> = [
    ['cs2-log', [fixture('cs2-log/wingman.log')]],
    ['lol-match', [fixture('lol-match/match-2024.json'), fixture('lol-match/timeline-2024.json')]],
    ['lol-match', [fixture('lol-match/match-2021.json'), fixture('lol-match/timeline-2021.json')]],
    ['valorant-match', [fixture('valorant-match/match-ascent.json')]],
  ];
  if (existsSync(shared)) {
    for (const f of readdirSync(join(shared, 'cs2-server-logs'))) sets.push(['cs2-log', [join(shared, 'cs2-server-logs', f)]]);
    sets.push(['lol-match', [join(shared, 'lol-riot-api', 'match.json'), join(shared, 'lol-riot-api', 'match.timeline.json')]]);
    sets.push(['opendota', [join(shared, 'dota2-opendota', '1781962623_output.json')]]);
  } else log('../shared/data is absent: the corpus is our fixtures and simulated matches only');
  const out: Envelope[] = [];
  for (const [source, files] of sets) out.push(...(await parseFiles(source, files, { tenant: TENANT, streamId: `chaos-${source}`, receivedAt: '2026-11-24T12:00:00.000Z' })).events);
  // Simulated matches of every title on top, so there is enough to kill the processor in the middle of.
  for (let m = 0; m < 16; m++) {
    const title: Title = TITLES[m % TITLES.length]!;
    let seq = 0;
    const t0 = Date.parse('2026-11-24T12:00:00.000Z') + m * 60_000;
    for (const ev of script(title, 7000 + m)) {
      out.push({ id: uuidv7(t0 + ev.gameTime), v: 1, tenant: TENANT, title, source: 'simulator', matchId: `chaos-${title}-${m}`, tournamentId: 'chaos-cup', seq: ++seq, type: ev.type, gameTime: ev.gameTime, occurredAt: new Date(t0 + ev.gameTime).toISOString(), receivedAt: new Date(t0 + ev.gameTime).toISOString(), payload: ev.payload as Record<string, unknown> });
    }
  }
  return out;
}

function spawnProcessor(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [join(root, 'server', 'src', 'cli.ts'), 'serve', '--roles=process', '--port=0'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sum of stored last_seq per match = events applied (seqs run 1..n per match). */
async function applied(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ s: string | null }>('select sum(last_seq)::text as s from match_stats').catch(() => ({ rows: [{ s: '0' }] }));
    return Number(r.rows[0]?.s ?? 0);
  } finally {
    await c.end();
  }
}

/** Everything the processor stored, in a canonical order, as JSON. */
async function results(url: string): Promise<Record<string, string>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const q = async (sql: string) => JSON.stringify((await c.query(sql)).rows);
    return {
      matches: await q(`select tenant_id, id, title, status, teams, map, winner, last_seq, tournament_id, series_id from matches order by 1, 2`),
      match_stats: await q(`select tenant_id, match_id, last_seq, view from match_stats order by 1, 2`),
      match_player_stats: await q(`select tenant_id, match_id, player_id, team_id, finished, kills, deaths, assists, stats, last_seq from match_player_stats order by 1, 2, 3`),
      match_team_stats: await q(`select tenant_id, match_id, team_id, score, kills, stats, last_seq from match_team_stats order by 1, 2, 3`),
      stat_windows: await q(`select time, match_id, subject_kind, subject_id, win, idx, kills, deaths, assists, damage, gold, xp, cs from stat_windows order by 2, 5, 6, 3, 4`),
      players: await q(`select tenant_id, id, name, team_id from players order by 1, 2`),
    };
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const endpoints = await ensureServices(['kafka', 'postgres', 'redis']);
  const id = runId();
  const prefix = `chaos${id}.`;
  const topics = topicNames(prefix);
  const events = await corpus();
  const matches = new Set(events.map((e) => e.matchId)).size;
  log(`corpus: ${events.length} events in ${matches} matches`);
  const eventLog = new KafkaEventLog({ brokers: endpoints.kafka.url.split(','), clientId: `chaos-${id}`, log: pino({ level: 'warn' }) });
  await eventLog.ensureTopics(topicSpecs(topics));
  const chaosDb = await createTestDatabase(endpoints.postgres.url);
  const cleanDb = await createTestDatabase(endpoints.postgres.url);
  const envFor = (db: string, name: string): NodeJS.ProcessEnv => ({
    ...process.env,
    KAFKA_BROKERS: endpoints.kafka.url,
    KAFKA_TOPIC_PREFIX: prefix,
    DATABASE_URL: db,
    REDIS_URL: endpoints.redis.url,
    REDIS_KEY_PREFIX: `chaos:${id}:${name}:`,
    KAFKA_CLIENT_ID: `chaos-${name}`,
    CLUTCH_ROLES: 'process',
    LOG_LEVEL: 'error',
    SHUTDOWN_TIMEOUT_MS: '2000',
  });
  const report: Record<string, unknown> = { events: events.length, matches };
  try {
    // ---- chaos run: a live replay into the topic while the processor is killed at random ----------
    const chunks: Envelope[][] = [];
    // A live replay: ~100 events a second across all matches, lasting through every kill.
    for (let i = 0; i < events.length; i += 100) chunks.push(events.slice(i, i + 100));
    let next = 0;
    const feeding = (async () => {
      for (const c of chunks) {
        // A separate consumer group per run: the clean run below reads the same topic from the start.
        await eventLog.append(c.map((e) => toRecord(topics.events, e)));
        next++;
        await sleep(1000);
      }
    })();
    const rng = (() => {
      let s = 0x2545f491;
      return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    })();
    const chaosEnv = envFor(chaosDb.url, 'chaos');
    let kills = 0;
    let child = spawnProcessor(chaosEnv);
    const t0 = performance.now();
    const killedAt: number[] = [];
    while (kills < KILLS) {
      // Kill only once the new process is doing work (it joined the group and applied events), at a
      // random moment after that: mid-batch, mid-transaction, between write and commit…
      const before = await applied(chaosDb.url);
      const deadline = performance.now() + 60_000;
      while ((await applied(chaosDb.url)) <= before && performance.now() < deadline) await sleep(50);
      await sleep(rng() * 1500);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      kills++;
      const done = await applied(chaosDb.url);
      killedAt.push(done);
      log(`kill ${kills}: ${done}/${events.length} events applied, ${next}/${chunks.length} chunks appended`);
      child = spawnProcessor(chaosEnv);
    }
    report['killedAfterApplied'] = killedAt;
    await feeding;
    for (;;) {
      if ((await applied(chaosDb.url)) >= events.length) break;
      await sleep(500);
    }
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    report['chaos'] = { kills, seconds: Math.round((performance.now() - t0) / 1000) };

    // ---- clean run: the same topic read by another group into another database, never killed -----
    log('clean run');
    const store = createPostgresStore({ url: cleanDb.url, poolMax: 4 });
    await store.migrate();
    await ensureTenant(store.db, TENANT, TENANT);
    const cache = createRedisCacheBackend({ url: endpoints.redis.url, keyPrefix: `chaos:${id}:clean:` });
    const processor = await startProcessor({ eventLog, store, cache, topic: topics.events, groupId: `${prefix}clutch.clean`, log: pino({ level: 'warn' }) });
    for (;;) {
      if ((await applied(cleanDb.url)) >= events.length) break;
      await sleep(500);
    }
    await processor.stop();
    await store.close();
    await cache.close();

    // ---- compare ---------------------------------------------------------------------------------
    const [a, b] = await Promise.all([results(chaosDb.url), results(cleanDb.url)]);
    const differing = Object.keys(a).filter((k) => a[k] !== b[k]);
    report['rows'] = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, (JSON.parse(v) as unknown[]).length]));
    report['equal'] = differing.length === 0;
    report['differing'] = differing;
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (differing.length) {
      for (const k of differing) {
        const x = JSON.parse(a[k]!) as unknown[];
        const y = JSON.parse(b[k]!) as unknown[];
        const i = x.findIndex((row, j) => JSON.stringify(row) !== JSON.stringify(y[j]));
        log(`${k} differs (chaos ${x.length} rows, clean ${y.length}); first difference at row ${i}:\n  chaos ${JSON.stringify(x[i]).slice(0, 600)}\n  clean ${JSON.stringify(y[i]).slice(0, 600)}`);
      }
      process.exitCode = 1;
    }
  } finally {
    await eventLog.close();
    await chaosDb.drop();
    await cleanDb.drop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
