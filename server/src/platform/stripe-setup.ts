// `clutch billing setup`: the Stripe objects billing needs, made once and found again on every run
// (docs/billing.md): a product and a monthly price per paid plan (found by their lookup key), and a
// Billing Meter per reported usage unit (found by its event name). Prints the ids to configure.
import type Stripe from 'stripe';
import { PLANS, type PlanId } from './plans.ts';

/** The monthly price of each paid plan (USD cents). */
export const PLAN_PRICES: Partial<Record<PlanId, number>> = { pro: 4_900, enterprise: 49_900 };

export const priceLookupKey = (plan: PlanId) => `clutch_${plan}_monthly`;

export interface SetupResult {
  prices: Record<string, { price: string; product: string; created: boolean }>;
  meters: Record<string, { meter: string; eventName: string; created: boolean }>;
  /** The configuration lines to set. */
  env: string[];
}

export async function setupStripe(stripe: Stripe, meterEvents: Readonly<Record<string, string>>): Promise<SetupResult> {
  const out: SetupResult = { prices: {}, meters: {}, env: [] };
  for (const [plan, amount] of Object.entries(PLAN_PRICES) as Array<[PlanId, number]>) {
    const lookup = priceLookupKey(plan);
    const found = (await stripe.prices.list({ lookup_keys: [lookup], active: true, limit: 1 })).data.find((p) => p.lookup_key === lookup);
    if (found) {
      out.prices[plan] = { price: found.id, product: typeof found.product === 'string' ? found.product : found.product.id, created: false };
    } else {
      // Idempotency keys of our own: a setup interrupted and run again makes each object once.
      const product = await stripe.products.create({ name: `Clutch ${PLANS[plan].name}`, metadata: { clutch_plan: plan } }, { idempotencyKey: `clutch-setup-product-${plan}` });
      const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: amount, recurring: { interval: 'month' }, lookup_key: lookup, metadata: { clutch_plan: plan } }, { idempotencyKey: `clutch-setup-price-${plan}-${amount}` });
      out.prices[plan] = { price: price.id, product: product.id, created: true };
    }
    out.env.push(`STRIPE_PRICE_${plan.toUpperCase()}=${out.prices[plan]!.price}`);
  }
  const meters = await stripe.billing.meters.list({ status: 'active', limit: 100 });
  for (const [unit, eventName] of Object.entries(meterEvents)) {
    const found = meters.data.find((m) => m.event_name === eventName);
    if (found) {
      out.meters[unit] = { meter: found.id, eventName, created: false };
      continue;
    }
    const meter = await stripe.billing.meters.create(
      {
        display_name: `Clutch ${unit.replaceAll('_', ' ')}`,
        event_name: eventName,
        default_aggregation: { formula: 'sum' },
        customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' },
        value_settings: { event_payload_key: 'value' },
      },
      { idempotencyKey: `clutch-setup-meter-${eventName}` },
    );
    out.meters[unit] = { meter: meter.id, eventName, created: true };
  }
  return out;
}
