// Billing (scope billing:manage: owners): the plan and its status (GET /v1/billing); Stripe Checkout
// to subscribe to a paid plan and the customer portal to manage it. Both answer a Stripe URL the
// browser goes to; the plan changes only when Stripe confirms (its webhook). When billing is not
// configured the server says so (503 CLUTCH_BILLING_NOT_CONFIGURED) and the page shows its message.
import { unwrap } from '@clutch/sdk';
import { sessionApi, type Me } from '../../session.ts';
import { Card, LoadError, OutcomeNote, useAction, useLoad, when } from './common.tsx';

const back = (what: string) => `${location.origin}/app/#/dev/billing?${what}`;

export function BillingPage({ me }: { me: Me }) {
  const billing = useLoad(() => unwrap(sessionApi().GET('/v1/billing')), [me.currentOrg]);
  const a = useAction();
  const checkout = async (plan: 'pro' | 'enterprise') => {
    const r = await a.run(() => unwrap(sessionApi().POST('/v1/billing/checkout', { body: { plan, successUrl: back('checkout=done'), cancelUrl: back('checkout=cancelled') } })));
    if (r?.url) location.assign(r.url);
  };
  const portal = async () => {
    const r = await a.run(() => unwrap(sessionApi().POST('/v1/billing/portal', { body: { returnUrl: back('portal=done') } })));
    if (r?.url) location.assign(r.url);
  };
  const b = billing.data;
  return (
    <>
      <h1>Billing</h1>
      <Card title="Plan" id="billing-h" testId="billing">
        {!me.scopes.includes('billing:manage') && <p className="muted">Billing is managed by the organisation's owners (your role: {me.role}).</p>}
        <LoadError error={billing.error} />
        {b && (
          <dl className="facts">
            <div>
              <dt>Plan</dt>
              <dd data-testid="billing-plan">{b.plan}</dd>
            </div>
            <div>
              <dt>In effect</dt>
              <dd>{b.effectivePlan}</dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd data-testid="billing-status">{b.status}</dd>
            </div>
            {b.graceUntil && (
              <div>
                <dt>Paid plan kept until</dt>
                <dd>{when(b.graceUntil)}</dd>
              </div>
            )}
            <div>
              <dt>Stripe customer</dt>
              <dd>{b.customer ? 'yes' : 'not yet'}</dd>
            </div>
          </dl>
        )}
        <div className="button-row">
          <button type="button" disabled={a.busy} onClick={() => void checkout('pro')} data-testid="checkout-pro">
            Upgrade to Pro (Stripe Checkout)
          </button>
          <button type="button" disabled={a.busy} onClick={() => void checkout('enterprise')}>
            Upgrade to Enterprise
          </button>
          <button type="button" className="secondary" disabled={a.busy} onClick={() => void portal()} data-testid="billing-portal">
            Manage the subscription (Stripe portal)
          </button>
        </div>
        <OutcomeNote outcome={a.outcome} testId="billing" />
      </Card>
    </>
  );
}
