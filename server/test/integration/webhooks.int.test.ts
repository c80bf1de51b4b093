// Webhooks on real PostgreSQL and Kafka: canonical events appended to Kafka become outbox rows through
// the router's consumer group, and two dispatchers, each with its own connection pool (two server
// processes), drain the outbox together. Claims are `for update skip locked` with a lease: no attempt
// is ever sent twice, and every delivery goes out exactly once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { toRecord } from '../../src/events/codec.ts';
import { KafkaEventLog } from '../../src/infra/kafka/event-log.ts';
import { createPostgresStore } from '../../src/infra/postgres/store.ts';
import type { Store } from '../../src/ports/store.ts';
import { claimDue, createSubscription, insertDeliveries, listDeliveries, releaseClaim } from '../../src/store/webhooks.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { groupName, topicNames, topicSpecs } from '../../src/topics.ts';
import { startDispatcher, type Dispatcher } from '../../src/webhooks/dispatcher.ts';
import { startRouter } from '../../src/webhooks/router.ts';
import { newSecret } from '../../src/webhooks/signing.ts';
import { verifyWebhook } from '../../../sdk/client/src/webhooks.ts';
import { createTestDatabase, runId } from '../support/isolation.ts';
import { cs2Match } from '../support/events.ts';

const log = pino({ level: 'silent' });

describe('webhooks on PostgreSQL and Kafka', () => {
  let database: { url: string; drop: () => Promise<void> };
  let a: Store;
  let b: Store;
  let server: Server;
  let url: string;
  const got: Array<{ id: string; attempt: string; body: string; signature: string }> = [];

  beforeAll(async () => {
    database = await createTestDatabase(inject('endpoints').databaseUrl);
    a = createPostgresStore({ url: database.url, poolMax: 6 });
    b = createPostgresStore({ url: database.url, poolMax: 6 });
    await Promise.all([a.migrate(), b.migrate()]);
    await ensureTenant(a.db, 'acme', 'acme');
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ id: req.headers['clutch-delivery-id'] as string, attempt: req.headers['clutch-attempt'] as string, body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['clutch-signature'] as string });
        // A little work per request, so both dispatchers are busy at once.
        setTimeout(() => res.end('ok'), 5);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await Promise.allSettled([a?.close(), b?.close()]);
    await database?.drop();
  });

  it('concurrent claims from two pools never return the same row', async () => {
    const sub = (await createSubscription(a.db, 'acme', { url, events: ['match.started'], thresholds: [], filters: {}, secret: newSecret(), enabled: false }, 20))!;
    await insertDeliveries(
      a.db,
      Array.from({ length: 300 }, (_, i) => ({ tenant: 'acme', subscriptionId: sub.id, dedupeKey: `k${i}`, type: 'match.started' as const, matchId: null, seq: 0, data: { i }, maxAttempts: 3 })),
    );
    await a.db.updateTable('webhook_subscriptions').set({ enabled: true }).where('tenant_id', '=', 'acme').where('id', '=', sub.id).execute();
    const seen = new Map<string, number>();
    // Both pools claim in small bites at the same time until nothing is left.
    const drain = async (s: Store) => {
      for (;;) {
        const rows = await claimDue(s.db, { limit: 7, leaseMs: 60_000 });
        if (!rows.length) return;
        for (const r of rows) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
      }
    };
    await Promise.all([drain(a), drain(b), drain(a), drain(b)]);
    expect(seen.size).toBe(300);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // Leased rows are nobody else's until released.
    expect(await claimDue(b.db, { limit: 10, leaseMs: 60_000 })).toEqual([]);
    const one = (await a.db.selectFrom('webhook_deliveries').select(['tenant_id', 'id', 'claim_token']).where('subscription_id', '=', sub.id).limit(1).executeTakeFirstOrThrow());
    await releaseClaim(a.db, one.tenant_id, one.id, one.claim_token!);
    expect((await claimDue(b.db, { limit: 10, leaseMs: 60_000 })).map((r) => r.id)).toEqual([one.id]);
    await a.db.deleteFrom('webhook_subscriptions').where('tenant_id', '=', 'acme').where('id', '=', sub.id).execute();
  });

  it('routes events from Kafka into the outbox and two dispatchers send each delivery exactly once', async () => {
    const prefix = `t${runId()}.`;
    const topics = topicNames(prefix);
    const kafka = new KafkaEventLog({ brokers: inject('endpoints').kafkaBrokers.split(','), clientId: 'webhooks-int', log });
    await kafka.ensureTopics(topicSpecs(topics).filter((t) => t.name === topics.events || t.name === topics.stats));
    const secret = newSecret();
    const sub = (await createSubscription(a.db, 'acme', { url, events: ['match.started', 'round.ended', 'match.ended'], thresholds: [], filters: {}, secret }, 20))!;
    const settings = { timeoutMs: 5000, retryBaseMs: 100, maxAttempts: 3, allowPrivate: true };
    const dispatchers: Dispatcher[] = [a, b].map((store) => startDispatcher({ ...settings, store, log, concurrency: 8, perEndpoint: 8, pollMs: 20, retentionDays: 0 }));
    const router = await startRouter({ eventLog: kafka, store: a, eventsTopic: topics.events, statsTopic: topics.stats, groupId: groupName(prefix, 'webhooks'), log, maxAttempts: 3, maxPending: 10_000 });
    try {
      const matches = Array.from({ length: 30 }, (_, i) => cs2Match('acme', `int-${i}`));
      // 30 matches × 5 subscribed events; each match appended twice (a producer retry): 150 deliveries.
      for (const events of matches) await kafka.append(events.map((e) => toRecord(topics.events, e)));
      for (const events of matches) await kafka.append(events.map((e) => toRecord(topics.events, e)));
      await expect.poll(() => got.length, { timeout: 45_000, interval: 200 }).toBeGreaterThanOrEqual(150);
      await new Promise((r) => setTimeout(r, 500));
      expect(got).toHaveLength(150);
      expect(new Set(got.map((g) => g.id)).size).toBe(150);
      expect(got.every((g) => g.attempt === '1')).toBe(true);
      for (const g of got) verifyWebhook({ body: g.body, signatureHeader: g.signature, secret });
      // Per match, in seq order.
      const byMatch = new Map<string, number[]>();
      for (const g of got) {
        const e = JSON.parse(g.body) as { data: { matchId: string; seq: number } };
        byMatch.set(e.data.matchId, [...(byMatch.get(e.data.matchId) ?? []), e.data.seq]);
      }
      for (const [m, seqs] of byMatch) expect(seqs, m).toEqual([1, 3, 4, 5, 6]);
      const log_ = await listDeliveries(a.db, 'acme', sub.id, { limit: 200 });
      expect(log_).toHaveLength(150);
      expect(log_.every((d) => d.status === 'succeeded' && d.attempts === 1 && d.attemptLog.length === 1)).toBe(true);
    } finally {
      await router.stop();
      await Promise.all(dispatchers.map((d) => d.stop()));
      await kafka.close();
    }
  });
});
