// The webhook dispatcher: claims due deliveries from the outbox (webhook_deliveries), sends them
// signed, logs every attempt, and retries failures with exponential back-off and jitter until the
// last attempt, after which the delivery is `failed`. Several processes may run it: a claim is
// `for update skip locked` plus a lease (locked_until), and an attempt is recorded only under the
// claim that made it. Bounded: at most `concurrency` attempts in flight per process and
// `perEndpoint` per subscription. It never touches the event consumer (the router only writes rows).
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Store } from '../ports/store.ts';
import { claimDue, purgeFinished, recordAttempt, releaseClaim, type ClaimedDelivery, type DeliveryRow } from '../store/webhooks.ts';
import { unseal } from '../platform/seal.ts';
import { sendWebhook, type SendResult } from './send.ts';
import { deliveryHeaders } from './signing.ts';

export interface DeliverySettings {
  /** Per attempt, for the whole answer. */
  timeoutMs: number;
  /** First retry delay; doubled each attempt (with ±20 % jitter), capped at MAX_RETRY_DELAY_MS. */
  retryBaseMs: number;
  /** Automatic attempts per delivery. */
  maxAttempts: number;
  /** Send to loopback/private addresses (demo, tests, private deployments). */
  allowPrivate: boolean;
  /** Seals the signing secrets at rest (CLUTCH_SIGNING_KEK, platform/seal.ts); none: stored as they are. */
  secretsKek?: Buffer | undefined;
}

export const MAX_RETRY_DELAY_MS = 6 * 3600_000;

/** The delay before attempt n + 1 after attempt n failed: base·2^(n−1), capped, ±20 % jitter. */
export function retryDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const d = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(d * (0.8 + 0.4 * random()));
}

export interface WebhookMetrics {
  attempts: Counter<'outcome'>;
  finished: Counter<'status'>;
  latency: Histogram<'outcome'>;
  created: Counter;
}

const byRegistry = new WeakMap<Registry, WebhookMetrics>();
/** The webhook metrics of an app (one set per registry, shared by the API, the router and the dispatcher). */
export function webhookMetrics(registry?: Registry): WebhookMetrics {
  const existing = registry && byRegistry.get(registry);
  if (existing) return existing;
  const registers = registry ? [registry] : [];
  const m: WebhookMetrics = {
    attempts: new Counter({ name: 'clutch_webhook_attempts_total', help: 'Webhook delivery attempts by outcome (success, http_error, timeout, network_error, not_sent: the server could not read the signing secret).', labelNames: ['outcome'], registers }),
    finished: new Counter({ name: 'clutch_webhook_deliveries_total', help: 'Webhook deliveries that reached a final status (succeeded, failed).', labelNames: ['status'], registers }),
    latency: new Histogram({ name: 'clutch_webhook_attempt_seconds', help: 'Duration of webhook attempts, by outcome.', labelNames: ['outcome'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers }),
    created: new Counter({ name: 'clutch_webhook_deliveries_created_total', help: 'Webhook deliveries written to the outbox (new ones; replayed records add none).', registers }),
  };
  if (registry) byRegistry.set(registry, m);
  return m;
}

/** Lease of a claim: the attempt's timeout plus a margin to record it. */
export const leaseMs = (s: Pick<DeliverySettings, 'timeoutMs'>) => s.timeoutMs + 30_000;

/** Sends one claimed delivery and records the attempt. */
export async function attemptDelivery(store: Store, d: ClaimedDelivery, s: DeliverySettings, metrics: WebhookMetrics, signal?: AbortSignal, log?: Pick<Logger, 'error'> | Pick<FastifyBaseLogger, 'error'>): Promise<{ result: SendResult; status: DeliveryRow['status']; recorded: boolean }> {
  const attempt = d.attempts + 1;
  const startedAt = new Date();
  let secrets: string[] | undefined;
  try {
    secrets = d.secrets.map((x) => unseal(x, s.secretsKek, 'a webhook signing secret'));
  } catch (err) {
    // A server misconfiguration (CLUTCH_SIGNING_KEK missing or changed), not the receiver's fault: logged
    // for the operator and counted (outcome not_sent); the attempt is recorded and retried like a failed one.
    log?.error({ error: err, delivery: d.id, subscription: d.subscriptionId }, 'webhook not sent: its signing secret cannot be read');
  }
  const result: SendResult = secrets
    ? await sendWebhook({ url: d.url, body: d.payload, headers: deliveryHeaders({ deliveryId: d.id, type: d.type, attempt, secrets, body: d.payload }), timeoutMs: s.timeoutMs, allowPrivate: s.allowPrivate, ...(signal ? { signal } : {}) })
    : { statusCode: null, ok: false, error: 'CLUTCH_WEBHOOK_NOT_SIGNED: the server could not read this webhook\'s signing secret, so nothing was sent; its operators are alerted and it is retried', responseExcerpt: null, outcome: 'not_sent', durationMs: 0 };
  metrics.attempts.inc({ outcome: result.outcome });
  metrics.latency.observe({ outcome: result.outcome }, result.durationMs / 1000);
  const r = await recordAttempt(store.db, d, { startedAt, durationMs: result.durationMs, statusCode: result.statusCode, error: result.error, responseExcerpt: result.responseExcerpt, ok: result.ok }, retryDelay(attempt, s.retryBaseMs));
  if (r.recorded && r.status !== 'pending') metrics.finished.inc({ status: r.status });
  return { result, ...r };
}

export interface DispatcherOptions extends DeliverySettings {
  store: Store;
  log: Logger;
  metrics?: Registry;
  /** Attempts in flight at once in this process. */
  concurrency: number;
  /** Attempts in flight at once per subscription in this process. */
  perEndpoint: number;
  /** How often to look for due deliveries when nothing woke it. */
  pollMs: number;
  /** Finished deliveries older than this are deleted (0: kept). */
  retentionDays: number;
}

export interface Dispatcher {
  /** Look for due deliveries now (new rows were written, a redelivery was asked for). */
  wake(): void;
  stop(): Promise<void>;
}

export function startDispatcher(o: DispatcherOptions): Dispatcher {
  const metrics = webhookMetrics(o.metrics);
  const inFlight = new Map<string, number>(); // subscription id → attempts in flight
  const running = new Set<Promise<void>>();
  const abort = new AbortController();
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  let lastPurge = 0;

  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const idle = async (ms: number) => {
    if (woken) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
    wakeUp = undefined;
  };

  const start = (d: ClaimedDelivery) => {
    inFlight.set(d.subscriptionId, (inFlight.get(d.subscriptionId) ?? 0) + 1);
    const p = attemptDelivery(o.store, d, o, metrics, abort.signal, o.log)
      .then(({ result, status, recorded }) => {
        if (!recorded) o.log.warn({ delivery: d.id, subscription: d.subscriptionId }, 'webhook attempt not recorded: its claim expired and another dispatcher took it');
        else if (status === 'failed') o.log.warn({ delivery: d.id, subscription: d.subscriptionId, attempts: d.attempts + 1, error: result.error }, 'webhook delivery failed for good');
      })
      .catch((err: unknown) => o.log.error({ error: err, delivery: d.id }, 'webhook attempt could not be recorded; the claim runs out and it is tried again'))
      .finally(() => {
        const n = (inFlight.get(d.subscriptionId) ?? 1) - 1;
        if (n > 0) inFlight.set(d.subscriptionId, n);
        else inFlight.delete(d.subscriptionId);
        running.delete(p);
        wake();
      });
    running.add(p);
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopping) {
      woken = false;
      try {
        const free = o.concurrency - running.size;
        if (free > 0) {
          const full = [...inFlight].filter(([, n]) => n >= o.perEndpoint).map(([id]) => id);
          const claimed = await claimDue(o.store.db, { limit: free, leaseMs: leaseMs(o), exclude: full });
          for (const d of claimed) {
            if (stopping || (inFlight.get(d.subscriptionId) ?? 0) >= o.perEndpoint) await releaseClaim(o.store.db, d.tenant, d.id, d.claimToken);
            else start(d);
          }
          if (claimed.length) woken = true; // there may be more due
        }
        if (o.retentionDays > 0 && Date.now() - lastPurge > 3600_000) {
          lastPurge = Date.now();
          const n = await purgeFinished(o.store.db, new Date(Date.now() - o.retentionDays * 86_400_000), 10_000);
          if (n) o.log.info({ deleted: n }, 'old finished webhook deliveries deleted');
        }
        failures = 0;
      } catch (err) {
        failures++;
        if (!stopping) o.log.warn({ error: err, failures }, 'webhook dispatcher could not claim deliveries; retrying');
        await sleep(Math.min(10_000, 200 * 2 ** failures));
      }
      if (!stopping) await idle(running.size >= o.concurrency ? 60_000 : o.pollMs);
    }
  })();

  return {
    wake,
    async stop() {
      stopping = true;
      wake();
      await loop;
      // Attempts in flight get a short grace to finish and be recorded; the rest are cut (their
      // claims run out and another dispatcher tries them again).
      if (running.size) {
        const cut = setTimeout(() => abort.abort(), Math.min(5000, o.timeoutMs));
        await Promise.allSettled([...running]);
        clearTimeout(cut);
      }
      abort.abort();
    },
  };
}
