// Stripe billing against stripe-mock (Stripe's own mock of its API, started by the test setup):
// Checkout and portal sessions; and Stripe's events, signed with the stripe package's test helper,
// through POST /stripe/webhook: signature checked on the raw body, each event applied once, in event
// time order, with plan changes, a grace period and the downgrade after it.
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SCOPES } from '../../src/auth/scopes.ts';
import { createApp, createCredential } from '../../src/store/apps.ts';
import { ensureTenant } from '../../src/store/tenants.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';

const WHSEC = 'whsec_test_secret';
const stripe = new Stripe('sk_test_123');

function event(id: string, type: string, object: Record<string, unknown>, created: number): string {
  return JSON.stringify({ id, object: 'event', type, created, api_version: '2025-01-27', livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object } });
}

describe('Stripe billing (stripe-mock)', () => {
  let t: TestApp;
  let key = '';
  beforeAll(async () => {
    const { stripeUrl } = inject('endpoints');
    t = await embeddedApp({ CLUTCH_AUTH_ANONYMOUS_TENANT: '', STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_API_BASE: stripeUrl, STRIPE_WEBHOOK_SECRET: WHSEC, STRIPE_PRICE_PRO: 'price_pro', STRIPE_PRICE_ENTERPRISE: 'price_ent', CLUTCH_BILLING_GRACE_DAYS: '7' });
    await t.app.ready();
    await ensureTenant(t.infra.store.db, 'acme', 'Acme Esports');
    const app = await createApp(t.infra.store.db, 'acme', 'billing');
    key = (await createCredential(t.infra.store.db, { tenant: 'acme', appId: app.id, kind: 'api_key', scopes: SCOPES })).secret;
  });
  afterAll(async () => {
    await t?.dispose();
  });
  const billing = async () => (await t.app.inject({ url: '/v1/billing', headers: { 'x-api-key': key } })).json();
  const deliver = (payload: string, secret = WHSEC) => t.app.inject({ method: 'POST', url: '/stripe/webhook', headers: { 'content-type': 'application/json', 'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret }) }, payload });

  it('creates the customer and a Checkout session on Stripe, then a portal session', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/billing/checkout', headers: { 'x-api-key': key }, payload: { plan: 'pro', successUrl: 'https://app.example/ok', cancelUrl: 'https://app.example/no' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().id).toMatch(/^cs_/);
    expect((await billing()).customer).toBe(true);
    const portal = await t.app.inject({ method: 'POST', url: '/v1/billing/portal', headers: { 'x-api-key': key }, payload: { returnUrl: 'https://app.example/back' } });
    expect(portal.statusCode, portal.body).toBe(200);
    expect(portal.json().url).toMatch(/^https:\/\//);
    // A plan without a price, and bad URLs, are refused.
    const bad = await t.app.inject({ method: 'POST', url: '/v1/billing/checkout', headers: { 'x-api-key': key }, payload: { plan: 'pro', successUrl: 'javascript:alert(1)', cancelUrl: 'https://x' } });
    expect(bad.statusCode).toBe(400);
  });

  it('applies signed events once and in order: upgrade, payment failure with grace, downgrade after it, cancel', async () => {
    const row = await t.infra.store.db.selectFrom('tenants').select('stripe_customer_id').where('id', '=', 'acme').executeTakeFirstOrThrow();
    const customer = row.stripe_customer_id!;
    const sub = (status: string, price = 'price_pro') => ({ id: 'sub_1', object: 'subscription', customer, status, metadata: { tenant: 'acme' }, items: { object: 'list', data: [{ price: { id: price } }] } });
    const now = Math.floor(Date.now() / 1000);

    // A bad signature is refused and changes nothing.
    const forged = await deliver(event('evt_forged', 'customer.subscription.created', sub('active'), now), 'whsec_other');
    expect([forged.statusCode, forged.json().code]).toEqual([400, 'CLUTCH_BILLING_BAD_SIGNATURE']);
    expect((await billing()).plan).toBe('free');

    const created = event('evt_1', 'customer.subscription.created', sub('active'), now - 100);
    expect((await deliver(created)).json().result).toBe('applied');
    expect(await billing()).toMatchObject({ plan: 'pro', effectivePlan: 'pro', status: 'active' });
    // Redelivered: nothing happens twice.
    expect((await deliver(created)).json().result).toBe('duplicate');

    // Payment fails: still pro, past due, 7 days of grace.
    expect((await deliver(event('evt_2', 'invoice.payment_failed', { id: 'in_1', object: 'invoice', customer }, now - 50))).json().result).toBe('applied');
    const b = await billing();
    expect(b).toMatchObject({ plan: 'pro', effectivePlan: 'pro', status: 'past_due' });
    expect(Date.parse(b.graceUntil) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    // An older event arriving late (the subscription as it was before) does not undo it.
    expect((await deliver(event('evt_0', 'customer.subscription.updated', sub('active'), now - 200))).json().result).toBe('stale');
    expect((await billing()).status).toBe('past_due');

    // Grace over: served as free (limits follow), until paid.
    await t.infra.store.db.updateTable('tenants').set({ grace_until: new Date(Date.now() - 1000) }).where('id', '=', 'acme').execute();
    expect(await billing()).toMatchObject({ plan: 'pro', effectivePlan: 'free', status: 'past_due' });
    expect((await deliver(event('evt_3', 'invoice.paid', { id: 'in_1', object: 'invoice', customer }, now - 10))).json().result).toBe('applied');
    expect(await billing()).toMatchObject({ effectivePlan: 'pro', status: 'active', graceUntil: null });

    // Upgrade, then cancel.
    expect((await deliver(event('evt_4', 'customer.subscription.updated', sub('active', 'price_ent'), now - 5))).json().result).toBe('applied');
    expect((await billing()).plan).toBe('enterprise');
    expect((await deliver(event('evt_5', 'customer.subscription.deleted', sub('canceled', 'price_ent'), now))).json().result).toBe('applied');
    expect(await billing()).toMatchObject({ plan: 'free', status: 'canceled' });
    // An event of a customer no organisation has is recorded and ignored.
    expect((await deliver(event('evt_6', 'invoice.paid', { id: 'in_9', object: 'invoice', customer: 'cus_nobody' }, now))).json().result).toBe('unknown_customer');
  });
});
