// npm run bench -- rate-limit [--seconds 10] [--factor 10] [--plan pro]
// Rate-limit accuracy across instances: two `clutch serve --roles api` processes share PostgreSQL and
// Redis; one app (an API key of a `pro` organisation) sends reads at `factor` times its plan's rate,
// alternating between the two instances, for `seconds`. GCRA allows the burst (the policy's limit)
// plus rate × elapsed time: the requests admitted (200) are compared with that allowance, measured
// over the span from the first request sent to the last answer received (target: over-admission
// ≤ 1 %). Prints the RateLimit fields and Retry-After seen. Prints one JSON document on stdout.
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { PLANS, type PlanId } from '../../server/src/platform/plans.ts';
import { ensureServices } from '../../scripts/services/ensure.ts';
import { startServe } from '../support/serve.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const SECONDS = Number(arg('seconds', '10'));
const FACTOR = Number(arg('factor', '10'));
const PLAN = arg('plan', 'pro') as PlanId;
const log = (m: string) => process.stderr.write(`[bench:rate-limit] ${m}\n`);

async function main(): Promise<void> {
  const endpoints = await ensureServices(['postgres', 'redis']);
  const id = Date.now().toString(36);
  const admin = new pg.Client({ connectionString: endpoints.postgres.url });
  await admin.connect();
  await admin.query(`create database benchrl_${id}`);
  const dbUrl = new URL(endpoints.postgres.url);
  dbUrl.pathname = `/benchrl_${id}`;
  const env = { DATABASE_URL: dbUrl.toString(), REDIS_URL: endpoints.redis.url, REDIS_KEY_PREFIX: `benchrl:${id}:`, CLUTCH_ROLES: 'api', CLUTCH_EVENT_LOG: 'memory', CLUTCH_SIMULATOR_MATCHES: '0' };
  log('starting two clutch serve --roles=api on the same PostgreSQL and Redis');
  const a = await startServe(env);
  const b = await startServe(env);
  const db = new pg.Client({ connectionString: dbUrl.toString() });
  await db.connect();
  await db.query('update tenants set plan = $1 where id = $2', [PLAN, 'demo']);
  const policy = PLANS[PLAN].rates.read;
  const rate = (policy.limit / policy.windowMs) * 1000;
  const sendRate = rate * FACTOR;
  // Plans are cached for 30 s by each instance: wait until both serve the new plan.
  for (const s of [a, b]) {
    for (const deadline = Date.now() + 40_000; ; ) {
      const r = await fetch(`http://${s.base}/v1/usage`, { headers: a.headers });
      if (((await r.json()) as { plan: { id: string } }).plan.id === PLAN) break;
      if (Date.now() > deadline) throw new Error('the plan change did not show');
      await new Promise((res) => setTimeout(res, 1000));
    }
  }
  // Let the budget refill completely.
  await new Promise((res) => setTimeout(res, policy.windowMs + 500));

  log(`sending ${sendRate} requests/s (${FACTOR}× the ${PLAN} read rate of ${rate}/s, burst ${policy.limit}) for ${SECONDS} s to two instances`);
  const statuses: Record<string, number> = {};
  const perInstance = [{ ok: 0, limited: 0 }, { ok: 0, limited: 0 }];
  const seen = { rateLimitPolicy: new Set<string>(), rateLimitOnOk: '', rateLimitOn429: '', retryAfter: new Set<string>() };
  const inflight: Promise<void>[] = [];
  const tickMs = 10;
  const perTick = sendRate / (1000 / tickMs);
  const t0 = performance.now();
  let sent = 0;
  let lastAnswer = t0;
  while (performance.now() - t0 < SECONDS * 1000) {
    const due = Math.floor(((performance.now() - t0) / tickMs + 1) * perTick);
    while (sent < due) {
      const i = sent++ % 2;
      const s = i === 0 ? a : b;
      inflight.push(
        fetch(`http://${s.base}/v1/matches?limit=1`, { headers: a.headers }).then(async (r) => {
          await r.arrayBuffer();
          lastAnswer = Math.max(lastAnswer, performance.now());
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
          if (r.status === 200) perInstance[i]!.ok++;
          if (r.status === 429) perInstance[i]!.limited++;
          const p = r.headers.get('ratelimit-policy');
          if (p) seen.rateLimitPolicy.add(p);
          if (r.status === 200 && !seen.rateLimitOnOk) seen.rateLimitOnOk = r.headers.get('ratelimit') ?? '';
          if (r.status === 429) {
            if (!seen.rateLimitOn429) seen.rateLimitOn429 = r.headers.get('ratelimit') ?? '';
            seen.retryAfter.add(r.headers.get('retry-after') ?? '');
          }
        }),
      );
    }
    await new Promise((res) => setTimeout(res, tickMs));
  }
  await Promise.all(inflight);
  const spanMs = lastAnswer - t0;
  const admitted = statuses['200'] ?? 0;
  const allowed = policy.limit + (rate * spanMs) / 1000;
  const result = {
    benchmark: 'rate-limit',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version },
    settings: { instances: 2, plan: PLAN, policy: { limit: policy.limit, windowMs: policy.windowMs, ratePerSecond: rate }, sendRatePerSecond: sendRate, factor: FACTOR, seconds: SECONDS, note: 'two clutch serve --roles=api processes on one Redis and one PostgreSQL; one API key; requests alternate between the instances' },
    results: {
      sent,
      statuses,
      perInstance,
      spanSeconds: Number((spanMs / 1000).toFixed(2)),
      admitted,
      allowed: Math.floor(allowed),
      overAdmissionPercent: Number((((admitted - allowed) / allowed) * 100).toFixed(2)),
      headers: { 'RateLimit-Policy': [...seen.rateLimitPolicy], 'RateLimit (200)': seen.rateLimitOnOk, 'RateLimit (429)': seen.rateLimitOn429, 'Retry-After (429)': [...seen.retryAfter].sort() },
      target: { overAdmissionPercent: 1 },
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  await Promise.all([a.stop(), b.stop()]);
  await db.end();
  await admin.query(`drop database benchrl_${id} with (force)`);
  await admin.end();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
