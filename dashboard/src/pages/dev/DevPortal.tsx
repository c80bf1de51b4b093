// The developer portal: the signed-in header (user, current organisation switcher, sign out), the
// sections' navigation, and the section. Signed out: the sign-in page.
import { useState } from 'react';
import { DEV_SECTIONS, href, type DevSection } from '../../router.ts';
import { describeApiError, signOut, switchOrg, useSession, type Me } from '../../session.ts';
import { SignInPage } from '../SignInPage.tsx';
import { AppsPage } from './AppsPage.tsx';
import { BillingPage } from './BillingPage.tsx';
import { OrgPage } from './OrgPage.tsx';
import { PluginsPage } from './PluginsPage.tsx';
import { UsagePage } from './UsagePage.tsx';
import { WebhooksPage } from './WebhooksPage.tsx';

const LABELS: Record<DevSection, string> = { org: 'Organisation', apps: 'Apps', usage: 'Usage', billing: 'Billing', plugins: 'Plugins', webhooks: 'Webhooks' };

export function DevPortal({ section }: { section: DevSection }) {
  const session = useSession();
  if (session.status === 'loading') return <p className="muted">Loading your session…</p>;
  if (session.status === 'error')
    return (
      <p role="alert" className="error">
        {session.message}
      </p>
    );
  if (session.status === 'signed-out') return <SignInPage />;
  const me = session.me;
  return (
    <div className="dev" data-testid="dev-portal" data-org={me.currentOrg ?? ''} data-role={me.role ?? ''}>
      <SignedInBar me={me} />
      <nav aria-label="Developer portal" className="subnav">
        <ul>
          {DEV_SECTIONS.map((s) => (
            <li key={s}>
              <a href={href.dev(s)} aria-current={s === section ? 'page' : undefined}>
                {LABELS[s]}
              </a>
            </li>
          ))}
          <li>
            <a href="/docs">API docs</a>
          </li>
        </ul>
      </nav>
      {section === 'org' ? (
        <OrgPage me={me} />
      ) : !me.currentOrg ? (
        <section className="card">
          <h1>{LABELS[section]}</h1>
          <p>
            You are in no organisation yet: <a href={href.dev('org')}>create one</a>, or ask an admin of yours to invite your email.
          </p>
        </section>
      ) : (
        <Section key={`${section}:${me.currentOrg}`} section={section} me={me} />
      )}
    </div>
  );
}

function Section({ section, me }: { section: DevSection; me: Me }) {
  switch (section) {
    case 'apps':
      return <AppsPage me={me} />;
    case 'usage':
      return <UsagePage me={me} />;
    case 'billing':
      return <BillingPage me={me} />;
    case 'plugins':
      return <PluginsPage />;
    case 'webhooks':
      return <WebhooksPage me={me} />;
    default:
      return null;
  }
}

function SignedInBar({ me }: { me: Me }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const change = async (org: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await switchOrg(org);
    } catch (e) {
      setError(describeApiError(e));
    } finally {
      setBusy(false);
    }
  };
  const out = async () => {
    setBusy(true);
    try {
      await signOut();
      location.hash = href.signin();
    } catch (e) {
      setError(describeApiError(e));
      setBusy(false);
    }
  };
  return (
    <div className="card signed-in" data-testid="signed-in">
      <p className="who">
        Signed in as <strong data-testid="user-name">{me.user.name}</strong>
        {me.user.email ? <span className="muted"> ({me.user.email})</span> : null}
        {me.role ? (
          <span className="muted">
            {' '}
            · <span data-testid="my-role">{me.role}</span>
          </span>
        ) : null}
      </p>
      {me.organisations.length > 0 && (
        <label className="field">
          <span>Current organisation</span>
          <select data-testid="org-switcher" value={me.currentOrg ?? ''} disabled={busy} onChange={(e) => void change(e.target.value)}>
            {!me.currentOrg && <option value="">— choose —</option>}
            {me.organisations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name} ({o.id}, {o.role})
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="button" className="secondary" onClick={() => void out()} disabled={busy} data-testid="sign-out">
        Sign out
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
