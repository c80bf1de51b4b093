// End to end on real services, as an operator runs it: `clutch org create` for an API key, then
// `clutch serve` with the simulator on, events through Kafka into PostgreSQL and out of the REST API
// to that key (and to no one without it); then SIGTERM and a clean exit.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, runId } from '../support/isolation.ts';

const bin = fileURLToPath(new URL('../../bin/clutch.mjs', import.meta.url));

describe('clutch serve on Kafka, PostgreSQL and Redis', () => {
  let child: ChildProcess;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let base = '';
  let output = '';
  let apiKey = '';

  beforeAll(async () => {
    const e = inject('endpoints');
    const id = runId();
    db = await createTestDatabase(e.databaseUrl);
    // The operator's first step: an organisation (the simulator's tenant) and its owner key.
    const org = execFileSync(process.execPath, [bin, 'org', 'create', '--tenant', 'demo', '--kind', 'api_key'], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, LOG_LEVEL: 'warn' }, encoding: 'utf8' });
    apiKey = (JSON.parse(org) as { apiKey: string }).apiKey;
    child = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        REDIS_URL: e.redisUrl,
        KAFKA_BROKERS: e.kafkaBrokers,
        KAFKA_TOPIC_PREFIX: `t${id}.`,
        REDIS_KEY_PREFIX: `t:${id}:`,
        CLUTCH_SIMULATOR_MATCHES: '4',
        CLUTCH_SIMULATOR_SPEED: '200',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    // Fastify logs the address it listens on.
    const deadline = Date.now() + 60_000;
    while (!base && Date.now() < deadline && child.exitCode === null) {
      base = /"message":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(output)?.[1] ?? '';
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!base) throw new Error(`clutch serve did not start:\n${output}`);
  });

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await db?.drop();
  });

  it('is ready with every dependency checked', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(Object.keys(((await res.json()) as { checks: object }).checks).sort()).toEqual(['kafka', 'postgres', 'redis']);
  });

  it('serves live matches of every title that the simulator plays through Kafka', async () => {
    await expect
      .poll(
        async () => {
          const { data } = (await (await fetch(`${base}/v1/matches?limit=50`, { headers: { authorization: `Bearer ${apiKey}` } })).json()) as { data: { title: string; lastSeq: number }[] };
          return [...new Set(data.filter((m) => m.lastSeq >= 2).map((m) => m.title))].sort();
        },
        { timeout: 60_000, interval: 500 },
      )
      .toEqual(['cs2', 'dota2', 'lol', 'valorant']);
    // Production has no anonymous tenant.
    expect((await fetch(`${base}/v1/matches`)).status).toBe(401);
  });

  it('exits cleanly on SIGTERM after committing and closing its clients', async () => {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    // On failure, the last lines of the server's log say what it was waiting for.
    if (code !== 0) process.stderr.write(`[serve] exit ${code}; last log lines:\n${output.split('\n').slice(-25).join('\n')}\n`);
    expect(code).toBe(0);
    expect(output).toMatch(/"message":"shutting down"/);
    expect(output).not.toMatch(/"log.level":"(error|fatal)"/);
  });
});
