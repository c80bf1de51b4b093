// Webhooks for developers (docs/webhooks.md), per tenant:
//   POST   /v1/webhooks                                   subscribe (the signing secret is shown once)
//   GET    /v1/webhooks                                   the tenant's subscriptions
//   GET    /v1/webhooks/{id}   PATCH   DELETE             one subscription
//   POST   /v1/webhooks/{id}/rotate-secret                a new secret (shown once); the old one signs too for a grace period
//   POST   /v1/webhooks/{id}/test                         sends a `ping` now and answers with the attempt
//   GET    /v1/webhooks/{id}/deliveries                   the delivery log, newest first, with every attempt
//   GET    /v1/webhooks/{id}/deliveries/{deliveryId}      one delivery with its body
//   POST   /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver   one more attempt, same Clutch-Delivery-Id
// Secrets are never logged and never returned except by create and rotate-secret; at rest they are
// sealed under CLUTCH_SIGNING_KEK when one is set (platform/seal.ts).
import Type from 'typebox';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Registry } from 'prom-client';
import { TITLES } from '@clutch/core';
import { createError } from '../errors.ts';
import type { Store } from '../ports/store.ts';
import {
  createSubscription,
  deleteSubscription,
  getDelivery,
  getSubscription,
  insertPing,
  listDeliveries,
  listSubscriptions,
  redeliver,
  rotateSecret,
  updateSubscription,
  type AttemptRow,
  type DeliveryRow,
  type SubscriptionRow,
} from '../store/webhooks.ts';
import { attemptDelivery, leaseMs, webhookMetrics, type DeliverySettings } from '../webhooks/dispatcher.ts';
import { THRESHOLD_OPS, thresholdProblems, WEBHOOK_EVENTS, type Filters, type Threshold } from '../webhooks/model.ts';
import { isPrivateHost } from '../webhooks/send.ts';
import { Id } from './matches.ts';
import { newSecret, secretHint } from '../webhooks/signing.ts';
import { seal, unseal } from '../platform/seal.ts';
import { ErrorBody, sendError } from './errors.ts';
import { CursorParam, decodeCursor, LimitParam, page } from './paging.ts';

/** Subscriptions per tenant. */
export const MAX_SUBSCRIPTIONS = 20;
export const MAX_URL_LENGTH = 2048;
/** Attempts of one delivery in all, automatic and manual (bounds its attempt log). */
export const MAX_ATTEMPTS_PER_DELIVERY = 100;
const MAX_GRACE_SECONDS = 7 * 86_400;
/** Largest request body of these routes (a full subscription is a few KiB). */
const BODY_LIMIT = 64 * 1024;

export const WebhookNotFound = createError('CLUTCH_WEBHOOK_NOT_FOUND', 'no webhook %s', 404);
export const DeliveryNotFound = createError('CLUTCH_WEBHOOK_DELIVERY_NOT_FOUND', 'no delivery %s of webhook %s', 404);
export const WebhookLimit = createError('CLUTCH_WEBHOOK_LIMIT', 'this tenant already has %d webhooks; delete one first', 409);
export const DeliveryPending = createError('CLUTCH_WEBHOOK_DELIVERY_PENDING', 'delivery %s is still being delivered (status pending); redeliver it once it has succeeded or failed', 409);
export const RedeliveryLimit = createError('CLUTCH_WEBHOOK_REDELIVERY_LIMIT', 'delivery %s has had %d attempts, the most one delivery may have', 409);
export const UrlInvalid = createError('CLUTCH_WEBHOOK_URL_INVALID', 'the webhook url %s', 422);
export const UrlNotAllowed = createError('CLUTCH_WEBHOOK_URL_NOT_ALLOWED', 'the webhook url points at %s, a loopback or private address; webhooks only go to public addresses', 422);
export const NothingSubscribed = createError('CLUTCH_WEBHOOK_NOTHING_SUBSCRIBED', 'a webhook needs at least one event or one threshold', 422);

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'A UUID (lowercase).' });
const ThresholdSchema = Type.Object(
  {
    stat: Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9]+$', description: 'A numeric player or team stat of GET /v1/matches/{id}/stats (e.g. kills, adr, gold).' }),
    subject: Type.Enum(['player', 'team']),
    op: Type.Enum(THRESHOLD_OPS, { description: 'Fires the first time the value is >= (or >) `value`.' }),
    value: Type.Number({ minimum: 0, maximum: 1e9 }),
    title: Type.Optional(Type.Enum(TITLES, { description: 'Only matches of this title.' })),
  },
  { additionalProperties: false },
);
const FiltersSchema = Type.Object(
  {
    titles: Type.Optional(Type.Array(Type.Enum(TITLES), { maxItems: TITLES.length, uniqueItems: true })),
    tournaments: Type.Optional(Type.Array(Id, { maxItems: 50, uniqueItems: true })),
    matches: Type.Optional(Type.Array(Id, { maxItems: 100, uniqueItems: true })),
  },
  { additionalProperties: false, description: 'Only events of these titles, tournaments and matches (each list: any of; lists together: all).' },
);
const Events = Type.Array(Type.Enum(WEBHOOK_EVENTS), { maxItems: WEBHOOK_EVENTS.length, uniqueItems: true, description: `Any of ${WEBHOOK_EVENTS.join(', ')}.` });
const Thresholds = Type.Array(ThresholdSchema, { maxItems: 20, description: 'Stat thresholds: a `stat.threshold` delivery once per subject per match when crossed.' });
const Url = Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH, description: 'http(s) URL that receives POSTs.' });
const Description = Type.String({ maxLength: 256 });

const WebhookSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(Type.String()),
  thresholds: Type.Array(ThresholdSchema),
  filters: FiltersSchema,
  enabled: Type.Boolean(),
  secretHint: Type.String({ description: 'The start and the last 4 characters of the signing secret.' }),
  previousSecretExpiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Until when the secret before the last rotation still signs too.' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const WithSecret = Type.Object({ ...WebhookSchema.properties, secret: Type.String({ description: 'The signing secret. Shown only now: keep it.' }) });
const AttemptSchema = Type.Object({
  n: Type.Integer(),
  startedAt: Type.String({ format: 'date-time' }),
  durationMs: Type.Integer(),
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  responseExcerpt: Type.Union([Type.String(), Type.Null()], { description: 'At most the first 512 characters of the answer.' }),
  manual: Type.Boolean({ description: 'Made by a manual redelivery.' }),
});
const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
const DELIVERY_TYPES = [...WEBHOOK_EVENTS, 'stat.threshold', 'ping'] as const;
const DeliverySchema = Type.Object({
  id: Type.String({ description: 'The Clutch-Delivery-Id: the same for every attempt and redelivery.' }),
  type: Type.String(),
  status: Type.Enum(DELIVERY_STATUSES),
  matchId: Type.Union([Type.String(), Type.Null()]),
  seq: Type.Integer(),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  attemptLog: Type.Array(AttemptSchema),
});
const DeliveryDetail = Type.Object({ ...DeliverySchema.properties, body: Type.Record(Type.String(), Type.Unknown(), { description: 'The JSON body every attempt sends.' }) });

export interface WebhooksOptions {
  store: Store;
  tenant: (req: unknown) => string;
  settings: DeliverySettings;
  metrics?: Registry;
  /** A redelivery was asked for: wake a dispatcher of this process, if any. */
  wake?: () => void;
  maxSubscriptions?: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const present = (s: SubscriptionRow, kek: Buffer | undefined) => ({
  id: s.id,
  url: s.url,
  description: s.description,
  events: s.events,
  thresholds: s.thresholds,
  filters: s.filters,
  enabled: s.enabled,
  secretHint: secretHint(unseal(s.secret, kek, 'a webhook secret')),
  previousSecretExpiresAt: s.previousSecret && s.previousSecretExpiresAt && s.previousSecretExpiresAt.getTime() > Date.now() ? s.previousSecretExpiresAt.toISOString() : null,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});
const presentAttempt = (a: AttemptRow) => ({ n: a.n, startedAt: a.startedAt.toISOString(), durationMs: a.durationMs, statusCode: a.statusCode, error: a.error, responseExcerpt: a.responseExcerpt, manual: a.manual });
const presentDelivery = (d: DeliveryRow & { attemptLog?: AttemptRow[] }) => ({
  id: d.id,
  type: d.type,
  status: d.status,
  matchId: d.matchId,
  seq: d.seq,
  attempts: d.attempts,
  maxAttempts: d.maxAttempts,
  nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: iso(d.deliveredAt),
  attemptLog: (d.attemptLog ?? []).map(presentAttempt),
});

/** Checks a webhook URL: http(s), no credentials, and (unless allowed) not a loopback/private literal address. */
export function checkUrl(raw: string, allowPrivate: boolean): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UrlInvalid('is not an absolute URL (e.g. https://example.com/hooks/clutch)');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new UrlInvalid(`has scheme ${u.protocol.replace(':', '')}; use https (or http)`);
  if (u.username || u.password) throw new UrlInvalid('has credentials in it; put a token in the path or query, or verify the signature instead');
  if (!u.hostname) throw new UrlInvalid('has no host');
  if (!allowPrivate && isPrivateHost(u.hostname)) throw new UrlNotAllowed(u.hostname);
  return raw;
}

/** Unknown stats of thresholds: a 422 with one detail per problem, or undefined. */
function thresholdError(reply: FastifyReply, thresholds: readonly Threshold[] | undefined): FastifyReply | undefined {
  const problems = thresholdProblems(thresholds ?? []);
  return problems.length ? sendError(reply, 422, 'CLUTCH_WEBHOOK_THRESHOLD_INVALID', problems.map((p) => p.message).join('; '), problems) : undefined;
}

const webhooks: FastifyPluginAsyncTypebox<WebhooksOptions> = async (app, opts) => {
  const max = opts.maxSubscriptions ?? MAX_SUBSCRIPTIONS;
  const metrics = webhookMetrics(opts.metrics);
  const db = opts.store.db;
  const kek = opts.settings.secretsKek;
  const mustGet = async (tenant: string, id: string) => {
    const s = await getSubscription(db, tenant, id);
    if (!s) throw new WebhookNotFound(id);
    return s;
  };
  const tags = ['webhooks'];
  const IdParams = Type.Object({ id: Uuid });
  const DeliveryParams = Type.Object({ id: Uuid, deliveryId: Uuid });

  app.post(
    '/v1/webhooks',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: 'Subscribe a URL to events',
        description: `Up to ${max} webhooks per tenant. The answer holds the signing secret: it is shown only this once (rotate it to get a new one).`,
        tags,
        body: Type.Object({ url: Url, description: Type.Optional(Description), events: Type.Optional(Events), thresholds: Type.Optional(Thresholds), filters: Type.Optional(FiltersSchema), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 201: WithSecret, 400: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const url = checkUrl(b.url, opts.settings.allowPrivate);
      if (!b.events?.length && !b.thresholds?.length) throw new NothingSubscribed();
      const bad = thresholdError(reply, b.thresholds as Threshold[] | undefined);
      if (bad) return bad;
      const secret = newSecret();
      const s = await createSubscription(db, opts.tenant(req), { url, description: b.description, events: b.events ?? [], thresholds: (b.thresholds ?? []) as Threshold[], filters: (b.filters ?? {}) as Filters, enabled: b.enabled, secret: seal(secret, kek) }, max);
      if (!s) throw new WebhookLimit(max);
      return reply.code(201).send({ ...present(s, kek), secret });
    },
  );

  app.get(
    '/v1/webhooks',
    { schema: { summary: "The tenant's webhooks", description: `Oldest first; at most ${max}.`, tags, querystring: Type.Object({}, { additionalProperties: false }), response: { 200: Type.Object({ data: Type.Array(WebhookSchema) }), 400: ErrorBody } } },
    async (req) => ({ data: (await listSubscriptions(db, opts.tenant(req))).map((s) => present(s, kek)) }),
  );

  app.get(
    '/v1/webhooks/:id',
    { schema: { summary: 'A webhook', tags, params: IdParams, response: { 200: WebhookSchema, 400: ErrorBody, 404: ErrorBody } } },
    async (req) => present(await mustGet(opts.tenant(req), req.params.id), kek),
  );

  app.patch(
    '/v1/webhooks/:id',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: 'Change a webhook',
        description: 'Only the fields given change; `enabled: false` pauses it (nothing is recorded or sent until enabled again).',
        tags,
        params: IdParams,
        body: Type.Object({ url: Type.Optional(Url), description: Type.Optional(Description), events: Type.Optional(Events), thresholds: Type.Optional(Thresholds), filters: Type.Optional(FiltersSchema), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: WebhookSchema, 400: ErrorBody, 404: ErrorBody, 422: ErrorBody },
      },
    },
    async (req, reply) => {
      const tenant = opts.tenant(req);
      const b = req.body;
      if (b.url !== undefined) checkUrl(b.url, opts.settings.allowPrivate);
      const bad = thresholdError(reply, b.thresholds as Threshold[] | undefined);
      if (bad) return bad;
      const cur = await mustGet(tenant, req.params.id);
      const events = b.events ?? cur.events;
      const thresholds = b.thresholds ?? cur.thresholds;
      if (!events.length && !thresholds.length) throw new NothingSubscribed();
      const s = await updateSubscription(db, tenant, req.params.id, {
        ...(b.url !== undefined ? { url: b.url } : {}),
        ...(b.description !== undefined ? { description: b.description } : {}),
        ...(b.events !== undefined ? { events: b.events } : {}),
        ...(b.thresholds !== undefined ? { thresholds: b.thresholds as Threshold[] } : {}),
        ...(b.filters !== undefined ? { filters: b.filters as Filters } : {}),
        ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
      });
      if (!s) throw new WebhookNotFound(req.params.id);
      return present(s, kek);
    },
  );

  app.delete(
    '/v1/webhooks/:id',
    { schema: { summary: 'Delete a webhook', description: 'With its delivery log; pending deliveries are not sent.', tags, params: IdParams, response: { 204: Type.Null(), 400: ErrorBody, 404: ErrorBody } } },
    async (req, reply) => {
      if (!(await deleteSubscription(db, opts.tenant(req), req.params.id))) throw new WebhookNotFound(req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/webhooks/:id/rotate-secret',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: 'Replace the signing secret',
        description: 'Answers with the new secret (shown only now). For `graceSeconds` (default 86400, at most 7 days) deliveries are signed with both the new and the old secret (two v1= in Clutch-Signature), so receivers can switch without dropping any.',
        tags,
        params: IdParams,
        body: Type.Object({ graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_GRACE_SECONDS })) }, { additionalProperties: false }),
        response: { 200: WithSecret, 400: ErrorBody, 404: ErrorBody },
      },
      // The body is optional: none is {}.
      preValidation: async (req) => {
        req.body ??= {};
      },
    },
    async (req) => {
      const secret = newSecret();
      const s = await rotateSecret(db, opts.tenant(req), req.params.id, seal(secret, kek), (req.body.graceSeconds ?? 86_400) * 1000);
      if (!s) throw new WebhookNotFound(req.params.id);
      return { ...present(s, kek), secret };
    },
  );

  app.post(
    '/v1/webhooks/:id/test',
    {
      schema: {
        summary: 'Send a ping now',
        description: 'One attempt of a `ping` delivery, made during the request (also when the webhook is disabled); the answer is that delivery with its attempt. It appears in the delivery log.',
        tags,
        params: IdParams,
        response: { 200: DeliverySchema, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const tenant = opts.tenant(req);
      const d = await insertPing(db, tenant, req.params.id, leaseMs(opts.settings));
      if (!d) throw new WebhookNotFound(req.params.id);
      await attemptDelivery(opts.store, d, opts.settings, metrics, undefined, req.log);
      const after = await getDelivery(db, tenant, req.params.id, d.id);
      return presentDelivery(after!);
    },
  );

  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      schema: {
        summary: 'The delivery log',
        description: 'Newest first, with every attempt (status code, duration, error, an excerpt of the answer) and the next retry of pending ones. Cursor pages.',
        tags,
        params: IdParams,
        querystring: Type.Object({ status: Type.Optional(Type.Enum(DELIVERY_STATUSES)), type: Type.Optional(Type.Enum(DELIVERY_TYPES)), limit: LimitParam(100, 20), cursor: CursorParam }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(DeliverySchema), next: Type.Union([Type.String(), Type.Null()]) }), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const tenant = opts.tenant(req);
      await mustGet(tenant, req.params.id);
      const q = req.query;
      const after = decodeCursor(q.cursor, { id: 'string' });
      const rows = await listDeliveries(db, tenant, req.params.id, { limit: q.limit + 1, ...(after ? { beforeId: after.id as string } : {}), ...(q.status ? { status: q.status } : {}), ...(q.type ? { type: q.type } : {}) });
      return page(rows, q.limit, presentDelivery, (d) => ({ id: d.id }));
    },
  );

  app.get(
    '/v1/webhooks/:id/deliveries/:deliveryId',
    { schema: { summary: 'A delivery and its body', tags, params: DeliveryParams, response: { 200: DeliveryDetail, 400: ErrorBody, 404: ErrorBody } } },
    async (req) => {
      const d = await getDelivery(db, opts.tenant(req), req.params.id, req.params.deliveryId);
      if (!d) throw new DeliveryNotFound(req.params.deliveryId, req.params.id);
      return { ...presentDelivery(d), body: JSON.parse(d.payload) as Record<string, unknown> };
    },
  );

  app.post(
    '/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      schema: {
        summary: 'Send a delivery again',
        description: `One more attempt, as soon as a dispatcher is free, with the same Clutch-Delivery-Id and body (a fresh signature). Only for a delivery that succeeded or failed; at most ${MAX_ATTEMPTS_PER_DELIVERY} attempts per delivery in all.`,
        tags,
        params: DeliveryParams,
        response: { 202: DeliverySchema, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const r = await redeliver(db, opts.tenant(req), req.params.id, req.params.deliveryId, MAX_ATTEMPTS_PER_DELIVERY);
      if (r === undefined) throw new DeliveryNotFound(req.params.deliveryId, req.params.id);
      if (r === 'pending') throw new DeliveryPending(req.params.deliveryId);
      if (r === 'limit') throw new RedeliveryLimit(req.params.deliveryId, MAX_ATTEMPTS_PER_DELIVERY);
      opts.wake?.();
      return reply.code(202).send(presentDelivery(r));
    },
  );
};

export default webhooks;
