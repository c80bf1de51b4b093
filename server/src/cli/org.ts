// `clutch org create`: bootstraps an organisation (tenant) with a first app and an owner credential
// holding every scope, printed once. From there, everything goes through the API (/v1/apps, docs/auth.md).
import { SCOPES } from '../auth/scopes.ts';
import { PLAN_IDS } from '../platform/plans.ts';
import type { Store } from '../ports/store.ts';
import { createApp, createCredential } from '../store/apps.ts';
import { ensureTenant } from '../store/tenants.ts';

const USAGE = `usage:
  clutch org create --tenant <id> [--name <display name>] [--kind client|api_key] [--plan free|pro|enterprise]
    creates the organisation if missing, an app "owner", and a credential with every scope:
    an OAuth2 client (default: client_id + client_secret for POST /oauth/token) or an API key.`;

const TENANT_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;

export async function orgCommand(store: Store, a: { action: string | undefined; tenant: string | undefined; name: string | undefined; kind: string | undefined; plan?: string | undefined }, out: (line: string) => void): Promise<number> {
  if (a.action !== 'create' || !a.tenant || (a.kind !== undefined && a.kind !== 'client' && a.kind !== 'api_key') || (a.plan !== undefined && !(PLAN_IDS as readonly string[]).includes(a.plan))) {
    out(USAGE);
    return 2;
  }
  if (!TENANT_RE.test(a.tenant)) {
    out(`the tenant id must be 2-63 lower-case letters, digits and dashes (got ${JSON.stringify(a.tenant)})`);
    return 2;
  }
  await ensureTenant(store.db, a.tenant, a.name ?? a.tenant);
  if (a.plan) await store.db.updateTable('tenants').set({ plan: a.plan }).where('id', '=', a.tenant).execute();
  const app = await createApp(store.db, a.tenant, 'owner');
  const kind = (a.kind ?? 'client') as 'client' | 'api_key';
  const { info, secret } = await createCredential(store.db, { tenant: a.tenant, appId: app.id, kind, scopes: SCOPES, name: 'owner' });
  out(
    JSON.stringify(
      { tenant: a.tenant, ...(a.plan ? { plan: a.plan } : {}), app: app.id, scopes: SCOPES, ...(kind === 'client' ? { clientId: info.id, clientSecret: secret } : { apiKey: secret }), note: 'the secret is shown once; keep it secret' },
      null,
      2,
    ),
  );
  return 0;
}
