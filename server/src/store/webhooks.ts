// Webhook subscriptions, the delivery outbox and its attempt log (migration 0005, docs/webhooks.md).
// Every query is parameterised and filtered by tenant, except the dispatcher's claim and the purge of
// old finished deliveries: those are the system's own queue work across tenants (each row they touch
// is then updated by its tenant and id).
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { uuidv7 } from '@clutch/core';
import type { Filters, NewDelivery, RouteSubscription, Threshold } from '../webhooks/model.ts';
import { isSealed, seal, SEALED_PREFIX } from '../platform/seal.ts';
import type { Db } from './db.ts';

export interface SubscriptionRow {
  tenant: string;
  id: string;
  url: string;
  description: string;
  events: string[];
  thresholds: Threshold[];
  filters: Filters;
  enabled: boolean;
  /** As stored: sealed under CLUTCH_SIGNING_KEK when one is set (platform/seal.ts). */
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

type RawSub = {
  tenant_id: string;
  id: string;
  url: string;
  description: string;
  events: unknown;
  thresholds: unknown;
  filters: unknown;
  enabled: boolean;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const toSub = (r: RawSub): SubscriptionRow => ({
  tenant: r.tenant_id,
  id: r.id,
  url: r.url,
  description: r.description,
  events: json<string[]>(r.events),
  thresholds: json<Threshold[]>(r.thresholds),
  filters: json<Filters>(r.filters),
  enabled: r.enabled,
  secret: r.secret,
  previousSecret: r.previous_secret,
  previousSecretExpiresAt: r.previous_secret_expires_at,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
});

/** The secrets that sign now: the current one, and the previous one until it expires. */
export function signingSecrets(s: Pick<SubscriptionRow, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, now = Date.now()): string[] {
  return s.previousSecret && s.previousSecretExpiresAt && s.previousSecretExpiresAt.getTime() > now ? [s.secret, s.previousSecret] : [s.secret];
}

export interface NewSubscription {
  url: string;
  description?: string | undefined;
  events: readonly string[];
  thresholds: readonly Threshold[];
  filters: Filters;
  enabled?: boolean | undefined;
  secret: string;
}

/**
 * Creates a subscription unless the tenant already has `max`; the count and the insert are
 * serialised per tenant (the tenant row is locked), so concurrent creations cannot exceed it.
 * Returns undefined when the limit is reached.
 */
export async function createSubscription(db: Db, tenant: string, s: NewSubscription, max: number): Promise<SubscriptionRow | undefined> {
  const run = async (tx: Db) => {
    await sql`select id from tenants where id = ${tenant} for update`.execute(tx);
    const n = await tx.selectFrom('webhook_subscriptions').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant).executeTakeFirstOrThrow();
    if (Number(n.n) >= max) return undefined;
    const r = await tx
      .insertInto('webhook_subscriptions')
      .values({
        tenant_id: tenant,
        id: randomUUID(),
        url: s.url,
        description: s.description ?? '',
        events: JSON.stringify(s.events),
        thresholds: JSON.stringify(s.thresholds),
        filters: JSON.stringify(s.filters),
        enabled: s.enabled ?? true,
        secret: s.secret,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSub(r as RawSub);
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

export async function listSubscriptions(db: Db, tenant: string): Promise<SubscriptionRow[]> {
  const rows = await db.selectFrom('webhook_subscriptions').selectAll().where('tenant_id', '=', tenant).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => toSub(r as RawSub));
}

export async function getSubscription(db: Db, tenant: string, id: string): Promise<SubscriptionRow | undefined> {
  const r = await db.selectFrom('webhook_subscriptions').selectAll().where('tenant_id', '=', tenant).where('id', '=', id).executeTakeFirst();
  return r ? toSub(r as RawSub) : undefined;
}

export interface SubscriptionPatch {
  url?: string;
  description?: string;
  events?: readonly string[];
  thresholds?: readonly Threshold[];
  filters?: Filters;
  enabled?: boolean;
}

export async function updateSubscription(db: Db, tenant: string, id: string, p: SubscriptionPatch): Promise<SubscriptionRow | undefined> {
  const r = await db
    .updateTable('webhook_subscriptions')
    .set({
      ...(p.url !== undefined ? { url: p.url } : {}),
      ...(p.description !== undefined ? { description: p.description } : {}),
      ...(p.events !== undefined ? { events: JSON.stringify(p.events) } : {}),
      ...(p.thresholds !== undefined ? { thresholds: JSON.stringify(p.thresholds) } : {}),
      ...(p.filters !== undefined ? { filters: JSON.stringify(p.filters) } : {}),
      ...(p.enabled !== undefined ? { enabled: p.enabled } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('tenant_id', '=', tenant)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return r ? toSub(r as RawSub) : undefined;
}

/** Deletes a subscription with its deliveries and their attempts; false when there is none. */
export async function deleteSubscription(db: Db, tenant: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('webhook_subscriptions').where('tenant_id', '=', tenant).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Replaces the secret; the old one keeps signing for `graceMs` (0: not at all). */
export async function rotateSecret(db: Db, tenant: string, id: string, secret: string, graceMs: number): Promise<SubscriptionRow | undefined> {
  const r = await db
    .updateTable('webhook_subscriptions')
    .set({
      previous_secret: graceMs > 0 ? sql<string>`secret` : null,
      previous_secret_expires_at: graceMs > 0 ? sql<Date>`now() + ${graceMs} * interval '1 millisecond'` : null,
      secret,
      updated_at: sql<Date>`now()`,
    })
    .where('tenant_id', '=', tenant)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return r ? toSub(r as RawSub) : undefined;
}

/**
 * Seals the secrets stored before a KEK was configured (run at start when one is): every tenant's rows,
 * each updated only if it still holds the text that was read (a concurrent rotation wins). Returns how
 * many rows it sealed.
 */
export async function sealPlainSecrets(db: Db, kek: Buffer): Promise<number> {
  const rows = await db
    .selectFrom('webhook_subscriptions')
    .select(['tenant_id', 'id', 'secret', 'previous_secret'])
    .where((w) => w.or([w('secret', 'not like', `${SEALED_PREFIX}%`), w('previous_secret', 'not like', `${SEALED_PREFIX}%`)]))
    .execute();
  let n = 0;
  for (const r of rows) {
    const prev = r.previous_secret;
    const u = await db
      .updateTable('webhook_subscriptions')
      .set({ secret: isSealed(r.secret) ? r.secret : seal(r.secret, kek), previous_secret: prev === null || isSealed(prev) ? prev : seal(prev, kek) })
      .where('tenant_id', '=', r.tenant_id)
      .where('id', '=', r.id)
      .where('secret', '=', r.secret)
      .where((w) => (prev === null ? w('previous_secret', 'is', null) : w('previous_secret', '=', prev)))
      .executeTakeFirst();
    n += Number(u.numUpdatedRows);
  }
  return n;
}

/** Enabled subscriptions of these tenants, for the router. */
export async function routeSubscriptions(db: Db, tenants: readonly string[]): Promise<RouteSubscription[]> {
  if (!tenants.length) return [];
  const rows = await db
    .selectFrom('webhook_subscriptions')
    .select(['tenant_id', 'id', 'events', 'thresholds', 'filters', 'created_at'])
    .where('tenant_id', 'in', tenants)
    .where('enabled', '=', true)
    .execute();
  return rows.map((r) => ({ tenant: r.tenant_id, id: r.id, events: json<string[]>(r.events), thresholds: json<Threshold[]>(r.thresholds), filters: json<Filters>(r.filters), createdAtMs: new Date(r.created_at).getTime() }));
}

/** Pending deliveries per subscription of a tenant (the queue bound). */
export async function pendingCounts(db: Db, tenant: string, subscriptionIds: readonly string[]): Promise<Map<string, number>> {
  if (!subscriptionIds.length) return new Map();
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['subscription_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenant)
    .where('subscription_id', 'in', subscriptionIds)
    .where('status', '=', 'pending')
    .groupBy('subscription_id')
    .execute();
  return new Map(rows.map((r) => [r.subscription_id, Number(r.n)]));
}

export interface DeliveryRow {
  tenant: string;
  id: string;
  subscriptionId: string;
  type: string;
  matchId: string | null;
  seq: number;
  payload: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  manualPending: boolean;
  createdAt: Date;
  deliveredAt: Date | null;
}

type RawDelivery = {
  tenant_id: string;
  id: string;
  subscription_id: string;
  event_type: string;
  match_id: string | null;
  seq: number | string;
  payload: string;
  status: string;
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  manual_pending: boolean;
  created_at: Date;
  delivered_at: Date | null;
};
const date = (d: Date | string | null) => (d === null ? null : new Date(d));
const toDelivery = (r: RawDelivery): DeliveryRow => ({
  tenant: r.tenant_id,
  id: r.id,
  subscriptionId: r.subscription_id,
  type: r.event_type,
  matchId: r.match_id,
  seq: Number(r.seq),
  payload: r.payload,
  status: r.status as DeliveryRow['status'],
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  nextAttemptAt: date(r.next_attempt_at),
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  manualPending: r.manual_pending,
  createdAt: new Date(r.created_at),
  deliveredAt: date(r.delivered_at),
});

/** The body of a delivery: `{ id, type, createdAt, tenant, data }`; `id` is the delivery id (Clutch-Delivery-Id). */
export const deliveryBody = (id: string, d: Pick<NewDelivery, 'type' | 'tenant' | 'data'>, createdAt: Date) => JSON.stringify({ id, type: d.type, createdAt: createdAt.toISOString(), tenant: d.tenant, data: d.data });

/**
 * Writes deliveries; one whose (tenant, subscription, dedupe key) exists is left as it is (a replayed
 * record). `failed` rows are written as failed at once (the subscription's queue was full), with
 * `reason`. Returns how many were new.
 */
export async function insertDeliveries(db: Db, rows: ReadonlyArray<NewDelivery & { maxAttempts: number; failedReason?: string }>): Promise<number> {
  if (!rows.length) return 0;
  const now = new Date();
  const values = rows.map((d) => {
    const id = uuidv7(now.getTime());
    return {
      tenant_id: d.tenant,
      id,
      subscription_id: d.subscriptionId,
      dedupe_key: d.dedupeKey,
      event_type: d.type,
      match_id: d.matchId,
      seq: d.seq,
      payload: deliveryBody(id, d, now),
      status: d.failedReason ? 'failed' : 'pending',
      max_attempts: d.maxAttempts,
      next_attempt_at: d.failedReason ? null : now,
      last_error: d.failedReason ?? null,
      created_at: now,
    };
  });
  let n = 0;
  for (let i = 0; i < values.length; i += 500) {
    const r = await db
      .insertInto('webhook_deliveries')
      .values(values.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['tenant_id', 'subscription_id', 'dedupe_key']).doNothing())
      .returning('id')
      .execute();
    n += r.length;
  }
  return n;
}

/** A delivery claimed by a dispatcher, with what sending it needs. */
export interface ClaimedDelivery extends DeliveryRow {
  claimToken: string;
  url: string;
  secrets: string[];
}

/**
 * Claims up to `limit` due deliveries for `leaseMs` (for update skip locked: concurrent dispatchers
 * never claim the same row). Of one subscription and match, only the first pending delivery (by seq)
 * is due while an earlier one has not been attempted yet or is being attempted: a match's webhooks
 * go out in order; an earlier one waiting for a retry does not hold the later ones back.
 * Deliveries of disabled subscriptions wait. `exclude`: subscriptions this process has no room for.
 */
export async function claimDue(db: Db, o: { limit: number; leaseMs: number; exclude?: readonly string[] }): Promise<ClaimedDelivery[]> {
  if (o.limit <= 0) return [];
  const token = randomUUID();
  const exclude = o.exclude?.length ? sql`and not (d.subscription_id in (${sql.join(o.exclude.map((x) => sql`${x}`))}))` : sql``;
  const claimed = await sql<RawDelivery & { claim_token: string }>`
    with due as (
      select d.tenant_id, d.id from webhook_deliveries d
      where d.status = 'pending' and d.next_attempt_at <= now()
        and (d.locked_until is null or d.locked_until < now())
        ${exclude}
        and exists (select 1 from webhook_subscriptions s where s.tenant_id = d.tenant_id and s.id = d.subscription_id and s.enabled)
        and not exists (
          select 1 from webhook_deliveries e
          where e.tenant_id = d.tenant_id and e.subscription_id = d.subscription_id and e.match_id = d.match_id and e.status = 'pending'
            and (e.seq < d.seq or (e.seq = d.seq and e.id < d.id))
            and (e.attempts = 0 or e.locked_until > now()))
      order by d.next_attempt_at, d.id
      limit ${o.limit}
      for update of d skip locked)
    update webhook_deliveries w set locked_until = now() + ${o.leaseMs} * interval '1 millisecond', claim_token = ${token}
    from due where w.tenant_id = due.tenant_id and w.id = due.id
    returning w.*`.execute(db);
  if (!claimed.rows.length) return [];
  const subs = await db
    .selectFrom('webhook_subscriptions')
    .select(['tenant_id', 'id', 'url', 'secret', 'previous_secret', 'previous_secret_expires_at'])
    .where((eb) => eb.or(claimed.rows.map((r) => eb.and([eb('tenant_id', '=', r.tenant_id), eb('id', '=', r.subscription_id)]))))
    .execute();
  const byKey = new Map(subs.map((s) => [`${s.tenant_id}\n${s.id}`, s]));
  const out: ClaimedDelivery[] = [];
  for (const r of claimed.rows) {
    const s = byKey.get(`${r.tenant_id}\n${r.subscription_id}`);
    if (!s) continue; // deleted meanwhile: its deliveries went with it
    out.push({ ...toDelivery(r), claimToken: token, url: s.url, secrets: signingSecrets({ secret: s.secret, previousSecret: s.previous_secret, previousSecretExpiresAt: date(s.previous_secret_expires_at) }) });
  }
  return out;
}

/** Gives a claimed delivery back untouched (no room to send it now). */
export async function releaseClaim(db: Db, tenant: string, id: string, token: string): Promise<void> {
  await db.updateTable('webhook_deliveries').set({ locked_until: null, claim_token: null }).where('tenant_id', '=', tenant).where('id', '=', id).where('claim_token', '=', token).execute();
}

export interface AttemptResult {
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
  ok: boolean;
}

/**
 * Logs the attempt and moves the delivery on: succeeded, failed (last attempt), or pending with its
 * next attempt after `retryDelayMs`. Only while this claim holds it; false when the claim was lost
 * (the lease ran out and another dispatcher took the row).
 */
export async function recordAttempt(db: Db, d: Pick<ClaimedDelivery, 'tenant' | 'id' | 'attempts' | 'maxAttempts' | 'claimToken' | 'manualPending'>, a: AttemptResult, retryDelayMs: number): Promise<{ recorded: boolean; status: DeliveryRow['status'] }> {
  const n = d.attempts + 1;
  const status: DeliveryRow['status'] = a.ok ? 'succeeded' : n >= d.maxAttempts ? 'failed' : 'pending';
  const run = async (tx: Db) => {
    const u = await tx
      .updateTable('webhook_deliveries')
      .set({
        attempts: n,
        status,
        next_attempt_at: status === 'pending' ? sql<Date>`now() + ${Math.max(0, Math.round(retryDelayMs))} * interval '1 millisecond'` : null,
        locked_until: null,
        claim_token: null,
        manual_pending: false,
        last_status_code: a.statusCode,
        last_error: a.error,
        ...(a.ok ? { delivered_at: sql<Date>`now()` } : {}),
      })
      .where('tenant_id', '=', d.tenant)
      .where('id', '=', d.id)
      .where('claim_token', '=', d.claimToken)
      .executeTakeFirst();
    if (Number(u.numUpdatedRows) === 0) return false;
    await tx
      .insertInto('webhook_delivery_attempts')
      .values({ tenant_id: d.tenant, delivery_id: d.id, n, started_at: a.startedAt, duration_ms: Math.round(a.durationMs), status_code: a.statusCode, error: a.error, response_excerpt: a.responseExcerpt, manual: d.manualPending })
      .execute();
    return true;
  };
  const recorded = db.isTransaction ? await run(db) : await db.transaction().execute(run);
  return { recorded, status };
}

/** A ping (POST /v1/webhooks/{id}/test): one attempt, claimed by the caller at creation. */
export async function insertPing(db: Db, tenant: string, subscriptionId: string, leaseMs: number): Promise<ClaimedDelivery | undefined> {
  const sub = await getSubscription(db, tenant, subscriptionId);
  if (!sub) return undefined;
  const id = uuidv7();
  const token = randomUUID();
  const now = new Date();
  const payload = deliveryBody(id, { type: 'ping', tenant, data: { subscriptionId, message: 'A test from Clutch: your endpoint is reachable and your signature check can be tried on this.' } }, now);
  const r = await db
    .insertInto('webhook_deliveries')
    .values({ tenant_id: tenant, id, subscription_id: subscriptionId, dedupe_key: `ping:${id}`, event_type: 'ping', match_id: null, seq: 0, payload, status: 'pending', max_attempts: 1, next_attempt_at: now, created_at: now, claim_token: token, locked_until: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ...toDelivery(r as RawDelivery), claimToken: token, url: sub.url, secrets: signingSecrets(sub) };
}

export interface AttemptRow {
  n: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
  manual: boolean;
}

/** The delivery log of a subscription: newest first, keyset-paginated by id (UUIDv7), each with its attempts. */
export async function listDeliveries(db: Db, tenant: string, subscriptionId: string, q: { limit: number; beforeId?: string; status?: DeliveryRow['status']; type?: string }): Promise<Array<DeliveryRow & { attemptLog: AttemptRow[] }>> {
  let s = db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenant).where('subscription_id', '=', subscriptionId);
  if (q.beforeId) s = s.where('id', '<', q.beforeId);
  if (q.status) s = s.where('status', '=', q.status);
  if (q.type) s = s.where('event_type', '=', q.type);
  const rows = (await s.orderBy('id', 'desc').limit(q.limit).execute()).map((r) => toDelivery(r as RawDelivery));
  return withAttempts(db, tenant, rows);
}

export async function getDelivery(db: Db, tenant: string, subscriptionId: string, id: string): Promise<(DeliveryRow & { attemptLog: AttemptRow[] }) | undefined> {
  const r = await db.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenant).where('subscription_id', '=', subscriptionId).where('id', '=', id).executeTakeFirst();
  return r ? (await withAttempts(db, tenant, [toDelivery(r as RawDelivery)]))[0] : undefined;
}

async function withAttempts(db: Db, tenant: string, rows: DeliveryRow[]): Promise<Array<DeliveryRow & { attemptLog: AttemptRow[] }>> {
  if (!rows.length) return [];
  const attempts = await db
    .selectFrom('webhook_delivery_attempts')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where(
      'delivery_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('delivery_id')
    .orderBy('n')
    .execute();
  const by = new Map<string, AttemptRow[]>();
  for (const a of attempts) {
    const list = by.get(a.delivery_id) ?? [];
    list.push({ n: a.n, startedAt: new Date(a.started_at), durationMs: a.duration_ms, statusCode: a.status_code, error: a.error, responseExcerpt: a.response_excerpt, manual: a.manual });
    by.set(a.delivery_id, list);
  }
  return rows.map((r) => ({ ...r, attemptLog: by.get(r.id) ?? [] }));
}

/**
 * Manual redelivery: one more attempt as soon as a dispatcher is free, with the same delivery id and
 * body. 'pending' when the delivery is still being delivered, 'limit' when it has had `maxAttempts`
 * attempts in all, undefined when there is no such delivery of this tenant and subscription.
 */
export async function redeliver(db: Db, tenant: string, subscriptionId: string, id: string, maxAttempts: number): Promise<DeliveryRow | 'pending' | 'limit' | undefined> {
  const cur = await db.selectFrom('webhook_deliveries').select(['status', 'attempts']).where('tenant_id', '=', tenant).where('subscription_id', '=', subscriptionId).where('id', '=', id).executeTakeFirst();
  if (!cur) return undefined;
  if (cur.status === 'pending') return 'pending';
  if (cur.attempts >= maxAttempts) return 'limit';
  const r = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', max_attempts: sql<number>`attempts + 1`, next_attempt_at: sql<Date>`now()`, locked_until: null, claim_token: null, manual_pending: true })
    .where('tenant_id', '=', tenant)
    .where('subscription_id', '=', subscriptionId)
    .where('id', '=', id)
    .where('status', '<>', 'pending')
    .returningAll()
    .executeTakeFirst();
  return r ? toDelivery(r as RawDelivery) : 'pending';
}

/** Deletes up to `limit` finished deliveries created before `before` (with their attempts). */
export async function purgeFinished(db: Db, before: Date, limit: number): Promise<number> {
  const r = await sql`
    delete from webhook_deliveries w using (
      select tenant_id, id from webhook_deliveries where status <> 'pending' and created_at < ${before} limit ${limit}) old
    where w.tenant_id = old.tenant_id and w.id = old.id`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
