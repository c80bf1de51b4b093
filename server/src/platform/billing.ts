// Stripe billing (docs/billing.md):
//   GET  /v1/billing                 the organisation's plan and billing status       (billing:manage)
//   POST /v1/billing/checkout        a Checkout session to subscribe to a paid plan    (billing:manage)
//   POST /v1/billing/portal          a customer-portal session                         (billing:manage)
//   POST /stripe/webhook             Stripe's events, signature checked on the raw body (public)
//
// Every Stripe event goes through one function, syncFromStripe(): in one transaction it records the
// event id (a redelivered event changes nothing), ignores an event older than the last one applied to
// the organisation (Stripe does not keep order), and sets plan, status and grace period:
//   subscription active/trialing → its plan, status active, no grace;
//   past_due/unpaid, invoice.payment_failed → status past_due, grace until now + grace days (the
//     plan stays meanwhile; afterwards the effective plan is free, see effectivePlan());
//   invoice.paid → active, no grace;   subscription canceled/deleted → free, status canceled.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Stripe from 'stripe';
import Type from 'typebox';
import { ErrorBody, sendError } from '../api/errors.ts';
import { tenantOf } from '../auth/plugin.ts';
import { createError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { effectivePlan, PLANS, type PlanId } from './plans.ts';

export interface BillingSettings {
  secretKey: string;
  webhookSecret: string | undefined;
  /** Stripe's API, e.g. http://127.0.0.1:12111 for stripe-mock; default Stripe itself. */
  apiBase: string | undefined;
  /** Price id of each paid plan. */
  prices: Partial<Record<PlanId, string>>;
  graceDays: number;
}

export const BillingNotConfigured = createError('CLUTCH_BILLING_NOT_CONFIGURED', 'billing is not configured on this server (%s)', 503);
export const PlanNotForSale = createError('CLUTCH_BILLING_PLAN_NOT_FOR_SALE', 'plan %s has no Stripe price here', 422);
export const NoCustomer = createError('CLUTCH_BILLING_NO_CUSTOMER', 'this organisation has no Stripe customer yet: subscribe with POST /v1/billing/checkout first', 409);

/** A Stripe client; the meter reporter passes its own retries (none: it retries itself, durably) and timeout. */
export function stripeClient(s: Pick<BillingSettings, 'secretKey' | 'apiBase'>, o: { maxNetworkRetries?: number; timeoutMs?: number } = {}): Stripe {
  const base = s.apiBase ? new URL(s.apiBase) : undefined;
  return new Stripe(s.secretKey, {
    maxNetworkRetries: o.maxNetworkRetries ?? 2,
    timeout: o.timeoutMs ?? 20_000,
    ...(base ? { host: base.hostname, port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)), protocol: base.protocol.replace(':', '') as 'http' | 'https' } : {}),
  });
}

type SyncResult = 'applied' | 'duplicate' | 'stale' | 'ignored' | 'unknown_customer';

/** Applies one Stripe event to the organisation it concerns, once. */
export async function syncFromStripe(db: Db, event: Stripe.Event, s: Pick<BillingSettings, 'prices' | 'graceDays'>, now = new Date()): Promise<SyncResult> {
  const obj = event.data.object as { object?: string; customer?: string | { id: string } | null; metadata?: Record<string, string> | null; status?: string; id?: string; items?: { data?: Array<{ price?: { id?: string } }> } };
  const customer = typeof obj.customer === 'string' ? obj.customer : obj.customer?.id;
  const relevant = ['customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted', 'invoice.paid', 'invoice.payment_failed', 'checkout.session.completed'];
  return db.transaction().execute(async (trx) => {
    const fresh = await trx.insertInto('stripe_events').values({ id: event.id, type: event.type }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
    if (!fresh) return 'duplicate';
    if (!relevant.includes(event.type)) return 'ignored';
    const metaTenant = obj.metadata?.tenant;
    let tenant = customer ? (await trx.selectFrom('tenants').select(['id']).where('stripe_customer_id', '=', customer).executeTakeFirst())?.id : undefined;
    if (!tenant && metaTenant && customer) {
      // The Checkout session names the organisation (client_reference_id / metadata): link the customer.
      const linked = await trx.updateTable('tenants').set({ stripe_customer_id: customer }).where('id', '=', metaTenant).where('stripe_customer_id', 'is', null).returning('id').executeTakeFirst();
      tenant = linked?.id;
    }
    if (!tenant) return 'unknown_customer';
    await trx.updateTable('stripe_events').set({ tenant_id: tenant }).where('id', '=', event.id).execute();
    const t = await trx.selectFrom('tenants').select(['billing_synced_at', 'grace_until']).where('id', '=', tenant).forUpdate().executeTakeFirstOrThrow();
    const at = new Date(event.created * 1000);
    if (t.billing_synced_at && t.billing_synced_at.getTime() > at.getTime()) return 'stale';
    const grace = () => t.grace_until ?? new Date(now.getTime() + s.graceDays * 86_400_000);
    const set: { plan?: string; billing_status?: 'active' | 'past_due' | 'canceled'; grace_until?: Date | null; stripe_subscription_id?: string | null; billing_synced_at: Date } = { billing_synced_at: at };
    if (event.type.startsWith('customer.subscription.')) {
      const priceId = obj.items?.data?.[0]?.price?.id;
      const plan = (Object.entries(s.prices).find(([, p]) => p === priceId)?.[0] ?? undefined) as PlanId | undefined;
      if (event.type === 'customer.subscription.deleted' || obj.status === 'canceled' || obj.status === 'incomplete_expired') Object.assign(set, { plan: 'free', billing_status: 'canceled', grace_until: null, stripe_subscription_id: null });
      else if (obj.status === 'active' || obj.status === 'trialing') Object.assign(set, { ...(plan ? { plan } : {}), billing_status: 'active', grace_until: null, stripe_subscription_id: obj.id ?? null });
      else if (obj.status === 'past_due' || obj.status === 'unpaid') Object.assign(set, { billing_status: 'past_due', grace_until: grace() });
    } else if (event.type === 'invoice.paid') Object.assign(set, { billing_status: 'active', grace_until: null });
    else if (event.type === 'invoice.payment_failed') Object.assign(set, { billing_status: 'past_due', grace_until: grace() });
    await trx.updateTable('tenants').set(set).where('id', '=', tenant).execute();
    return 'applied';
  });
}

const tags = ['billing'];
const Url = Type.String({ format: 'uri', maxLength: 2048, pattern: '^https?://' });

export const billingApi: FastifyPluginAsyncTypebox<{ db: Db; settings: BillingSettings | undefined }> = async (app, o) => {
  const stripe = o.settings ? stripeClient(o.settings) : undefined;
  const need = () => {
    if (!stripe || !o.settings) throw new BillingNotConfigured('STRIPE_SECRET_KEY is not set');
    return { stripe, settings: o.settings };
  };

  app.get(
    '/v1/billing',
    { schema: { summary: "The organisation's plan and billing status", tags, response: { 200: Type.Object({ plan: Type.String(), effectivePlan: Type.String(), status: Type.String(), graceUntil: Type.Union([Type.String(), Type.Null()]), customer: Type.Boolean() }) } } },
    async (req) => {
      const t = await o.db.selectFrom('tenants').select(['plan', 'billing_status', 'grace_until', 'stripe_customer_id']).where('id', '=', tenantOf(req)).executeTakeFirstOrThrow();
      return { plan: t.plan, effectivePlan: effectivePlan(t), status: t.billing_status, graceUntil: t.grace_until?.toISOString() ?? null, customer: Boolean(t.stripe_customer_id) };
    },
  );

  app.post(
    '/v1/billing/checkout',
    {
      bodyLimit: 16 * 1024,
      schema: {
        summary: 'Subscribe to a paid plan (Stripe Checkout)',
        description: 'Creates the Stripe customer if needed and a Checkout session; redirect the user to `url`. The plan changes when Stripe confirms the subscription (webhook).',
        tags,
        body: Type.Object({ plan: Type.Enum(['pro', 'enterprise']), successUrl: Url, cancelUrl: Url }, { additionalProperties: false }),
        response: { 200: Type.Object({ id: Type.String(), url: Type.Union([Type.String(), Type.Null()]) }), 400: ErrorBody, 422: ErrorBody, 503: ErrorBody },
      },
    },
    async (req) => {
      const { stripe, settings } = need();
      const tenant = tenantOf(req);
      const price = settings.prices[req.body.plan];
      if (!price) throw new PlanNotForSale(req.body.plan);
      const t = await o.db.selectFrom('tenants').select(['name', 'stripe_customer_id']).where('id', '=', tenant).executeTakeFirstOrThrow();
      let customer = t.stripe_customer_id;
      if (!customer) {
        // Our idempotency key: a retried request makes one customer.
        const c = await stripe.customers.create({ name: t.name, metadata: { tenant } }, { idempotencyKey: `customer-${tenant}` });
        customer = c.id;
        await o.db.updateTable('tenants').set({ stripe_customer_id: customer }).where('id', '=', tenant).where('stripe_customer_id', 'is', null).execute();
      }
      const session = await stripe.checkout.sessions.create({
        mode: 'subscription',
        customer,
        client_reference_id: tenant,
        line_items: [{ price, quantity: 1 }],
        subscription_data: { metadata: { tenant, plan: req.body.plan } },
        metadata: { tenant },
        success_url: req.body.successUrl,
        cancel_url: req.body.cancelUrl,
      });
      return { id: session.id, url: session.url ?? null };
    },
  );

  app.post(
    '/v1/billing/portal',
    {
      bodyLimit: 16 * 1024,
      schema: { summary: 'Manage the subscription (Stripe customer portal)', tags, body: Type.Object({ returnUrl: Url }, { additionalProperties: false }), response: { 200: Type.Object({ url: Type.String() }), 400: ErrorBody, 409: ErrorBody, 503: ErrorBody } },
    },
    async (req) => {
      const { stripe } = need();
      const t = await o.db.selectFrom('tenants').select(['stripe_customer_id']).where('id', '=', tenantOf(req)).executeTakeFirstOrThrow();
      if (!t.stripe_customer_id) throw new NoCustomer();
      const session = await stripe.billingPortal.sessions.create({ customer: t.stripe_customer_id, return_url: req.body.returnUrl });
      return { url: session.url };
    },
  );

  // Stripe's events: the signature covers the raw body, so this route keeps it as bytes.
  await app.register(async (raw) => {
    raw.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 512 * 1024 }, (_req, body, done) => done(null, body));
    raw.post('/stripe/webhook', { schema: { hide: true } }, async (req, reply) => {
      const { stripe, settings } = need();
      if (!settings.webhookSecret) throw new BillingNotConfigured('STRIPE_WEBHOOK_SECRET is not set');
      const sig = req.headers['stripe-signature'];
      let event: Stripe.Event;
      try {
        if (typeof sig !== 'string' || !Buffer.isBuffer(req.body)) throw new Error('no Stripe-Signature header or no body');
        event = stripe.webhooks.constructEvent(req.body, sig, settings.webhookSecret, 300);
      } catch (err) {
        return sendError(reply, 400, 'CLUTCH_BILLING_BAD_SIGNATURE', `the event's signature does not verify: ${(err as Error).message.split('\n')[0]}`);
      }
      const result = await syncFromStripe(o.db, event, settings);
      if (result === 'unknown_customer') req.log.warn({ event: event.id, type: event.type }, 'a Stripe event for a customer no organisation has');
      return { received: true, result };
    });
  });
};

/** Stripe settings from the environment, or undefined when billing is off. */
export function billingSettings(c: { secretKey: string | undefined; webhookSecret: string | undefined; apiBase: string | undefined; pricePro: string | undefined; priceEnterprise: string | undefined; graceDays: number }): BillingSettings | undefined {
  if (!c.secretKey) return undefined;
  return { secretKey: c.secretKey, webhookSecret: c.webhookSecret, apiBase: c.apiBase, prices: { ...(c.pricePro ? { pro: c.pricePro } : {}), ...(c.priceEnterprise ? { enterprise: c.priceEnterprise } : {}) }, graceDays: c.graceDays };
}

export { effectivePlan, PLANS };
