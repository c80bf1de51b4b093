// Dashboard sign-in end to end against a real OpenID Connect provider (the oidc-provider package,
// in-process on an ephemeral port): the authorization code flow with PKCE, state and nonce, the
// provider's login and consent pages driven over HTTP like a browser would, the code exchanged by the
// server at the provider's token endpoint, the ID token verified with the provider's JWKS, the user
// read from the userinfo endpoint. Then organisations, roles, invitations, sessions and CSRF.
// Refusals are provoked through the same protocol: a nonce altered on its way to the provider, an ID
// token re-signed for another audience or with its signature damaged by the provider's token endpoint,
// a state altered on the way back, a callback in a browser that did not start the sign-in.
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { providersFromEnv } from '../../src/auth/providers.ts';
import { hashSessionId } from '../../src/auth/session.ts';
import { loadConfig, describeConfig } from '../../src/config.ts';
import { redactQuery } from '../../src/logger.ts';
import { membershipProblem } from '../../src/store/users.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';

const PUBLIC_URL = 'https://api.clutch.test';
const SESSION_SECRET = 'test-session-secret-0123456789abcdef-0123456789';

/** A cookie jar of one browser for one site (paths ignored: enough for these two sites). */
class Jar {
  readonly #c = new Map<string, string>();
  store(setCookies: string[]): void {
    for (const sc of setCookies) {
      const [pair, ...attrs] = sc.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const gone = value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || attrs.some((a) => /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (gone) this.#c.delete(name);
      else this.#c.set(name, value);
    }
  }
  get(name: string): string | undefined {
    return this.#c.get(name);
  }
  set(name: string, value: string): void {
    this.#c.set(name, value);
  }
  header(): string {
    return [...this.#c].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const setCookies = (h: string | string[] | number | undefined): string[] => (Array.isArray(h) ? h : typeof h === 'string' ? [h] : []);

interface OidcProvider {
  issuer: string;
  /** login → claims the provider knows. */
  accounts: Map<string, { email?: string; email_verified?: boolean; name?: string }>;
  /** When set, the token endpoint's ID token is replaced by what this returns (tampering in flight). */
  tamper: ((idToken: string) => Promise<string>) | undefined;
  privateJwk: JWK;
  close(): Promise<void>;
}

async function startProvider(): Promise<OidcProvider> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid: 'provider-key-1', alg: 'RS256', use: 'sig' };
  const accounts = new Map<string, { email?: string; email_verified?: boolean; name?: string }>();
  const client = (id: string) => ({ client_id: id, client_secret: `${id}-secret-0123456789`, redirect_uris: [`${PUBLIC_URL}/auth/callback/${id === 'clutch' ? 'test' : 'test2'}`], grant_types: ['authorization_code'], response_types: ['code' as const], token_endpoint_auth_method: 'client_secret_post' as const });
  const provider = new Provider(issuer, {
    clients: [client('clutch'), client('clutch-two')],
    jwks: { keys: [privateJwk] },
    cookies: { keys: ['provider-cookie-key-0123456789'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    findAccount: (_ctx, sub) => {
      const a = accounts.get(sub);
      return a ? { accountId: sub, claims: () => ({ sub, ...a }) } : undefined;
    },
  });
  const p: OidcProvider = { issuer, accounts, tamper: undefined, privateJwk, close: () => new Promise<void>((r) => server.close(() => r())) };
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === '/token' && p.tamper && body?.id_token) ctx.body = { ...body, id_token: await p.tamper(body.id_token) };
  });
  server.on('request', provider.callback());
  return p;
}

describe('dashboard sign-in through OIDC (real provider), organisations and roles', () => {
  let op: OidcProvider;
  let t: TestApp;

  beforeAll(async () => {
    op = await startProvider();
    op.accounts.set('alice', { email: 'Alice@Acme.test', email_verified: true, name: 'Alice' });
    op.accounts.set('bob', { email: 'bob@acme.test', email_verified: true, name: 'Bob' });
    op.accounts.set('carol', { email: 'carol@acme.test', email_verified: true, name: 'Carol' });
    op.accounts.set('dave', { email: 'dave@globex.test', email_verified: true, name: 'Dave' });
    op.accounts.set('mallory', { email: 'mallory@evil.test', email_verified: true, name: 'Mallory' });
    op.accounts.set('unverified', { email: 'ursula@acme.test', email_verified: false, name: 'Ursula' });
    t = await embeddedApp({
      CLUTCH_AUTH_ANONYMOUS_TENANT: '',
      CLUTCH_ISSUER: PUBLIC_URL,
      CLUTCH_OIDC_PROVIDERS: 'test,test2',
      CLUTCH_OIDC_TEST_ISSUER: op.issuer,
      CLUTCH_OIDC_TEST_CLIENT_ID: 'clutch',
      CLUTCH_OIDC_TEST_CLIENT_SECRET: 'clutch-secret-0123456789',
      CLUTCH_OIDC_TEST_LABEL: 'Test IdP',
      CLUTCH_OIDC_TEST2_ISSUER: op.issuer,
      CLUTCH_OIDC_TEST2_CLIENT_ID: 'clutch-two',
      CLUTCH_OIDC_TEST2_CLIENT_SECRET: 'clutch-two-secret-0123456789',
      CLUTCH_SESSION_SECRET: SESSION_SECRET,
      CLUTCH_SESSION_COOKIE_SECURE: 'on',
    });
    await t.app.ready();
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
    await op?.close();
  });

  /** Our server: inject with this browser's cookies, keep what it sets. */
  const call = async (jar: Jar, method: string, url: string, o: { payload?: unknown; headers?: Record<string, string> } = {}) => {
    const res = await t.app.inject({ method: method as 'GET', url, headers: { ...(jar.header() ? { cookie: jar.header() } : {}), ...o.headers }, ...(o.payload !== undefined ? { payload: o.payload as object } : {}) });
    jar.store(setCookies(res.headers['set-cookie']));
    return res;
  };

  /** Drives the provider like a browser: follows redirects, fills in the login and consent forms. Returns the URL it sends the browser back to. */
  const atProvider = async (authorizeUrl: string, login: string): Promise<string> => {
    const jar = new Jar();
    let url = authorizeUrl;
    const pages: string[] = [];
    for (let i = 0; i < 12; i++) {
      if (url.startsWith(`${PUBLIC_URL}/`)) return url;
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
      jar.store(res.headers.getSetCookie());
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location')!, url).href;
        continue;
      }
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
      if (res.status !== 200 || !action || !prompt) throw new Error(`unexpected provider page ${res.status}: ${html.slice(0, 300)}`);
      pages.push(prompt);
      const form = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
      const post = await fetch(new URL(action.replaceAll('&amp;', '&'), url), { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      jar.store(post.headers.getSetCookie());
      if (post.status < 300 || post.status >= 400) throw new Error(`the provider refused the ${prompt} form: ${post.status} ${(await post.text()).slice(0, 300)}`);
      url = new URL(post.headers.get('location')!, url).href;
    }
    throw new Error(`no redirect back after ${pages.join(', ')}`);
  };

  /**
   * The whole sign-in in one browser: our redirect, the provider's pages, the callback. `alterAuthorize`
   * changes the authorization request on its way to the provider; `alterCallback` the answer on its way back.
   */
  const signIn = async (login: string, o: { provider?: string; jar?: Jar; alterAuthorize?: (u: URL) => void; alterCallback?: (u: URL) => void; returnTo?: string } = {}) => {
    const jar = o.jar ?? new Jar();
    const start = await call(jar, 'GET', `/auth/login/${o.provider ?? 'test'}${o.returnTo ? `?return_to=${encodeURIComponent(o.returnTo)}` : ''}`);
    expect(start.statusCode, start.body).toBe(302);
    const authorize = new URL(start.headers.location as string);
    o.alterAuthorize?.(authorize);
    const back = new URL(await atProvider(authorize.href, login));
    o.alterCallback?.(back);
    const callback = await call(jar, 'GET', back.pathname + back.search);
    return { jar, start, authorize, callback };
  };

  const csrf = async (jar: Jar) => {
    const me = await call(jar, 'GET', '/v1/me');
    expect(me.statusCode, me.body).toBe(200);
    return { 'x-csrf-token': me.json().csrfToken as string };
  };

  const orgs: Record<string, string> = {};
  const users: Record<string, string> = {};
  const jars: Record<string, Jar> = {};

  it('lists the configured providers; the demo has none and keeps working without any', async () => {
    const r = await t.app.inject({ url: '/auth/providers' });
    expect(r.json().data).toEqual([
      { id: 'test', name: 'Test IdP', protocol: 'oidc', loginUrl: '/auth/login/test' },
      { id: 'test2', name: 'test2', protocol: 'oidc', loginUrl: '/auth/login/test2' },
    ]);
    expect((await t.app.inject({ url: '/auth/login/nope' })).json().code).toBe('CLUTCH_PROVIDER_NOT_FOUND');
    const demo = await embeddedApp();
    try {
      expect((await demo.app.inject({ url: '/auth/providers' })).json()).toEqual({ data: [] });
      expect((await demo.app.inject({ url: '/v1/matches' })).statusCode).toBe(200);
      expect((await demo.app.inject({ url: '/v1/me' })).json().code).toBe('CLUTCH_UNAUTHENTICATED');
      // A cookie it never issued is refused, not taken for the anonymous tenant.
      const forged = await demo.app.inject({ url: '/v1/matches', headers: { cookie: 'clutch_session=abc.def' } });
      expect([forged.statusCode, forged.json().code]).toEqual([401, 'CLUTCH_INVALID_TOKEN']);
    } finally {
      await demo.dispose();
    }
  }, 60_000);

  it('signs in: authorization code with PKCE, state and nonce; ID token verified; a session cookie, hashed in the store', async () => {
    const { jar, start, authorize, callback } = await signIn('alice', { returnTo: '/app/matches' });
    // The authorization request.
    expect(authorize.origin + authorize.pathname).toBe(`${op.issuer}/auth`);
    const q = Object.fromEntries(authorize.searchParams);
    expect(q).toMatchObject({ response_type: 'code', client_id: 'clutch', redirect_uri: `${PUBLIC_URL}/auth/callback/test`, code_challenge_method: 'S256', scope: 'openid email profile' });
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.state!.length).toBeGreaterThanOrEqual(32);
    expect(q.nonce!.length).toBeGreaterThanOrEqual(32);
    // The sign-in in progress is in an HttpOnly cookie of this browser, encrypted (the verifier is not readable).
    const loginCookie = setCookies(start.headers['set-cookie']).find((c) => c.startsWith('__Host-clutch_login='))!;
    expect(loginCookie).toMatch(/HttpOnly/i);
    expect(loginCookie).not.toContain(q.state!);

    expect(callback.statusCode, callback.body).toBe(302);
    expect(callback.headers.location).toBe('/app/matches');
    const session = setCookies(callback.headers['set-cookie']).find((c) => c.startsWith('__Host-clutch_session='))!;
    expect(session).toMatch(/; HttpOnly/i);
    expect(session).toMatch(/; Secure/i);
    expect(session).toMatch(/; SameSite=Lax/i);
    expect(session).toMatch(/; Path=\//i);
    expect(jar.get('__Host-clutch_login')).toBeUndefined();

    const me = await call(jar, 'GET', '/v1/me');
    expect(me.statusCode, me.body).toBe(200);
    // Email from the userinfo endpoint (the ID token of a code flow carries sub only), lower-cased.
    expect(me.json()).toMatchObject({ user: { email: 'alice@acme.test', name: 'Alice' }, organisations: [], currentOrg: null, role: null, scopes: [] });
    users.alice = me.json().user.id as string;
    jars.alice = jar;
    // The store has a hash of the session id, never the id.
    const raw = decodeURIComponent(jar.get('__Host-clutch_session')!).split('.')[0]!;
    const rows = await t.infra.store.db.selectFrom('sessions').selectAll().where('user_id', '=', users.alice).execute();
    expect(rows.map((r) => r.id_hash)).toEqual([hashSessionId(raw)]);
    expect(JSON.stringify(rows)).not.toContain(raw);
    // No organisation yet: API calls say so.
    const none = await call(jar, 'GET', '/v1/matches');
    expect([none.statusCode, none.json().code]).toEqual([403, 'CLUTCH_NO_ORGANISATION']);
    // Signing in again (same provider, same subject) is the same user.
    const again = await signIn('alice');
    expect((await call(again.jar, 'GET', '/v1/me')).json().user.id).toBe(users.alice);
  });

  it('the first user creates an organisation and becomes its owner; the session acts in it with every owner scope', async () => {
    const jar = jars.alice!;
    const noCsrf = await call(jar, 'POST', '/v1/orgs', { payload: { name: 'Acme Esports', id: 'acme-esports' } });
    expect([noCsrf.statusCode, noCsrf.json().code]).toEqual([403, 'CLUTCH_CSRF']);
    const created = await call(jar, 'POST', '/v1/orgs', { payload: { name: 'Acme Esports', id: 'acme-esports' }, headers: await csrf(jar) });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toEqual({ id: 'acme-esports', name: 'Acme Esports', role: 'owner' });
    orgs.acme = 'acme-esports';
    const me = (await call(jar, 'GET', '/v1/me')).json();
    expect(me).toMatchObject({ currentOrg: 'acme-esports', role: 'owner', organisations: [{ id: 'acme-esports', name: 'Acme Esports', role: 'owner' }] });
    expect(me.scopes).toContain('billing:manage');
    // An existing tenant's id cannot be taken (that would join it).
    const taken = await call(jar, 'POST', '/v1/orgs', { payload: { name: 'Demo', id: 'demo' }, headers: await csrf(jar) });
    expect([taken.statusCode, taken.json().code]).toEqual([409, 'CLUTCH_ORG_EXISTS']);
    const members = await call(jar, 'GET', '/v1/orgs/acme-esports/members');
    expect(members.json().data).toEqual([expect.objectContaining({ user: { id: users.alice, email: 'alice@acme.test', name: 'Alice' }, role: 'owner' })]);
    // The session calls the API as the owner of acme-esports: an app, then its credentials.
    const app = await call(jar, 'POST', '/v1/apps', { payload: { name: 'acme dashboard' }, headers: await csrf(jar) });
    expect(app.statusCode, app.body).toBe(201);
    orgs.acmeApp = app.json().id as string;
    expect((await call(jar, 'GET', '/v1/apps')).json().data.map((a: { name: string }) => a.name)).toEqual(['acme dashboard']);
  });

  it('an invitation by email is accepted when that email signs in verified; an unverified email is not', async () => {
    const jar = jars.alice!;
    const h = await csrf(jar);
    const bob = await call(jar, 'POST', '/v1/orgs/acme-esports/members', { payload: { email: 'Bob@Acme.test', role: 'viewer' }, headers: h });
    expect(bob.statusCode, bob.body).toBe(201);
    expect(bob.json()).toMatchObject({ status: 'invited', invitation: { email: 'bob@acme.test', role: 'viewer' } });
    for (const [email, role] of [['carol@acme.test', 'developer'], ['ursula@acme.test', 'viewer']] as const) {
      expect((await call(jar, 'POST', '/v1/orgs/acme-esports/members', { payload: { email, role }, headers: h })).statusCode).toBe(201);
    }
    expect((await call(jar, 'GET', '/v1/orgs/acme-esports/members')).json().invitations.map((i: { email: string }) => i.email).sort()).toEqual(['bob@acme.test', 'carol@acme.test', 'ursula@acme.test']);

    for (const who of ['bob', 'carol']) {
      const { jar: j, callback } = await signIn(who);
      expect(callback.statusCode, callback.body).toBe(302);
      const me = (await call(j, 'GET', '/v1/me')).json();
      expect(me.currentOrg).toBe('acme-esports');
      users[who] = me.user.id as string;
      jars[who] = j;
    }
    expect((await call(jars.bob!, 'GET', '/v1/me')).json()).toMatchObject({ role: 'viewer', scopes: ['matches:read', 'live:read', 'usage:read'] });
    // Ursula's provider does not vouch for her email: no email on her account, the invitation stays pending.
    const u = await signIn('unverified');
    expect((await call(u.jar, 'GET', '/v1/me')).json()).toMatchObject({ user: { email: null }, organisations: [] });
    expect((await call(jar, 'GET', '/v1/orgs/acme-esports/members')).json().invitations.map((i: { email: string }) => i.email)).toEqual(['ursula@acme.test']);
    // An existing user is added at once (dave has signed in before being added).
    const dave = await signIn('dave');
    users.dave = (await call(dave.jar, 'GET', '/v1/me')).json().user.id as string;
    jars.dave = dave.jar;
  });

  it('enforces roles: a viewer reads but cannot create an app; changes of role apply at the next request', async () => {
    const bob = jars.bob!;
    expect((await call(bob, 'GET', '/v1/matches')).statusCode).toBe(200);
    const denied = await call(bob, 'POST', '/v1/apps', { payload: { name: 'nope' }, headers: await csrf(bob) });
    expect([denied.statusCode, denied.json().code]).toEqual([403, 'CLUTCH_INSUFFICIENT_SCOPE']);
    const billing = await call(jars.carol!, 'GET', '/v1/billing');
    expect([billing.statusCode, billing.json().code]).toEqual([403, 'CLUTCH_INSUFFICIENT_SCOPE']);
    const invite = await call(bob, 'POST', '/v1/orgs/acme-esports/members', { payload: { email: 'x@acme.test', role: 'viewer' }, headers: await csrf(bob) });
    expect([invite.statusCode, invite.json().code]).toEqual([403, 'CLUTCH_ROLE_REQUIRED']);
    // A viewer sees the members, not more.
    expect((await call(bob, 'GET', '/v1/orgs/acme-esports/members')).statusCode).toBe(200);

    const alice = jars.alice!;
    const promote = await call(alice, 'PATCH', `/v1/orgs/acme-esports/members/${users.bob!}`, { payload: { role: 'developer' }, headers: await csrf(alice) });
    expect([promote.statusCode, promote.json().role]).toEqual([200, 'developer']);
    expect((await call(bob, 'POST', '/v1/apps', { payload: { name: 'bob app' }, headers: await csrf(bob) })).statusCode).toBe(201);

    // An admin manages members but never an owner, and cannot grant the owner role.
    await call(alice, 'PATCH', `/v1/orgs/acme-esports/members/${users.carol!}`, { payload: { role: 'admin' }, headers: await csrf(alice) });
    const carol = jars.carol!;
    const hc = await csrf(carol);
    const toViewer = await call(carol, 'PATCH', `/v1/orgs/acme-esports/members/${users.bob!}`, { payload: { role: 'viewer' }, headers: hc });
    expect(toViewer.statusCode, toViewer.body).toBe(200);
    const grantOwner = await call(carol, 'PATCH', `/v1/orgs/acme-esports/members/${users.bob!}`, { payload: { role: 'owner' }, headers: hc });
    expect([grantOwner.statusCode, grantOwner.json().code]).toEqual([403, 'CLUTCH_OWNER_REQUIRED']);
    const demoteOwner = await call(carol, 'PATCH', `/v1/orgs/acme-esports/members/${users.alice!}`, { payload: { role: 'viewer' }, headers: hc });
    expect([demoteOwner.statusCode, demoteOwner.json().code]).toEqual([403, 'CLUTCH_OWNER_REQUIRED']);
    const removeOwner = await call(carol, 'DELETE', `/v1/orgs/acme-esports/members/${users.alice!}`, { headers: hc });
    expect([removeOwner.statusCode, removeOwner.json().code]).toEqual([403, 'CLUTCH_OWNER_REQUIRED']);
    const inviteOwner = await call(carol, 'POST', '/v1/orgs/acme-esports/members', { payload: { email: 'boss@acme.test', role: 'owner' }, headers: hc });
    expect([inviteOwner.statusCode, inviteOwner.json().code]).toEqual([403, 'CLUTCH_OWNER_REQUIRED']);
    // An admin adds an existing user at once.
    const addDave = await call(carol, 'POST', '/v1/orgs/acme-esports/members', { payload: { email: 'dave@globex.test', role: 'viewer' }, headers: hc });
    expect(addDave.json()).toMatchObject({ status: 'added', member: { user: { id: users.dave }, role: 'viewer' } });
    const again = await call(carol, 'POST', '/v1/orgs/acme-esports/members', { payload: { email: 'dave@globex.test', role: 'viewer' }, headers: hc });
    expect([again.statusCode, again.json().code]).toEqual([409, 'CLUTCH_ALREADY_MEMBER']);
    // Dave leaves by himself (any member may).
    const leave = await call(jars.dave!, 'DELETE', `/v1/orgs/acme-esports/members/${users.dave!}`, { headers: await csrf(jars.dave!) });
    expect(leave.statusCode, leave.body).toBe(204);
    // A viewer cannot remove someone else.
    const kick = await call(bob, 'DELETE', `/v1/orgs/acme-esports/members/${users.carol!}`, { headers: await csrf(bob) });
    expect([kick.statusCode, kick.json().code]).toEqual([403, 'CLUTCH_ROLE_REQUIRED']);
  });

  it('protects the last owner; ownership is transferred by making another owner first', async () => {
    const alice = jars.alice!;
    const h = await csrf(alice);
    const demote = await call(alice, 'PATCH', `/v1/orgs/acme-esports/members/${users.alice!}`, { payload: { role: 'admin' }, headers: h });
    expect([demote.statusCode, demote.json().code]).toEqual([409, 'CLUTCH_LAST_OWNER']);
    const leave = await call(alice, 'DELETE', `/v1/orgs/acme-esports/members/${users.alice!}`, { headers: h });
    expect([leave.statusCode, leave.json().code]).toEqual([409, 'CLUTCH_LAST_OWNER']);
    // Transfer: carol becomes owner, then alice steps down to admin.
    expect((await call(alice, 'PATCH', `/v1/orgs/acme-esports/members/${users.carol!}`, { payload: { role: 'owner' }, headers: h })).statusCode).toBe(200);
    expect((await call(alice, 'PATCH', `/v1/orgs/acme-esports/members/${users.alice!}`, { payload: { role: 'admin' }, headers: h })).statusCode).toBe(200);
    const carol = jars.carol!;
    const lastNow = await call(carol, 'DELETE', `/v1/orgs/acme-esports/members/${users.carol!}`, { headers: await csrf(carol) });
    expect([lastNow.statusCode, lastNow.json().code]).toEqual([409, 'CLUTCH_LAST_OWNER']);
    const owners = (await call(carol, 'GET', '/v1/orgs/acme-esports/members')).json().data.filter((m: { role: string }) => m.role === 'owner');
    expect(owners.map((m: { user: { id: string } }) => m.user.id)).toEqual([users.carol]);
    // Back as it was, for the tests below.
    await call(carol, 'PATCH', `/v1/orgs/acme-esports/members/${users.alice!}`, { payload: { role: 'owner' }, headers: await csrf(carol) });
    // The rules, exhaustively on the pure function.
    expect(membershipProblem({ actor: 'owner', self: true, target: 'owner', next: null, owners: 1 })).toBe('last_owner');
    expect(membershipProblem({ actor: 'owner', self: true, target: 'owner', next: null, owners: 2 })).toBeUndefined();
    expect(membershipProblem({ actor: 'viewer', self: true, target: 'viewer', next: null, owners: 1 })).toBeUndefined();
    expect(membershipProblem({ actor: 'viewer', self: true, target: 'viewer', next: 'admin', owners: 1 })).toBe('admin_required');
    expect(membershipProblem({ actor: 'admin', self: true, target: 'admin', next: 'owner', owners: 1 })).toBe('owner_required');
    expect(membershipProblem({ actor: 'developer', self: false, target: 'viewer', next: null, owners: 1 })).toBe('admin_required');
  });

  it('a user of organisation A reads nothing of organisation B', async () => {
    const dave = jars.dave!;
    const created = await call(dave, 'POST', '/v1/orgs', { payload: { name: 'Globex' }, headers: await csrf(dave) });
    expect(created.statusCode, created.body).toBe(201);
    orgs.globex = created.json().id as string;
    expect(orgs.globex).toMatch(/^globex-[0-9a-f]{6}$/);
    // acme's members, apps and app by id: not found for dave.
    for (const url of ['/v1/orgs/acme-esports/members', `/v1/apps/${orgs.acmeApp!}`]) {
      const r = await call(dave, 'GET', url);
      expect([r.statusCode, url]).toEqual([404, url]);
    }
    expect((await call(dave, 'GET', '/v1/apps')).json().data).toEqual([]);
    const sw = await call(dave, 'PUT', '/v1/me/org', { payload: { org: 'acme-esports' }, headers: await csrf(dave) });
    expect([sw.statusCode, sw.json().code]).toEqual([404, 'CLUTCH_ORG_NOT_FOUND']);
    const invite = await call(dave, 'POST', '/v1/orgs/acme-esports/members', { payload: { email: 'mallory@evil.test', role: 'owner' }, headers: await csrf(dave) });
    expect([invite.statusCode, invite.json().code]).toEqual([404, 'CLUTCH_ORG_NOT_FOUND']);
    // And acme's owner sees nothing of globex.
    expect((await call(jars.alice!, 'GET', `/v1/orgs/${orgs.globex}/members`)).statusCode).toBe(404);
    expect(JSON.stringify((await call(jars.alice!, 'GET', '/v1/me')).json())).not.toContain(orgs.globex);

    // Switching: alice joins globex as a viewer and switches; her session then acts there with viewer scopes.
    await call(dave, 'POST', `/v1/orgs/${orgs.globex}/members`, { payload: { email: 'alice@acme.test', role: 'viewer' }, headers: await csrf(dave) });
    const alice = jars.alice!;
    const switched = await call(alice, 'PUT', '/v1/me/org', { payload: { org: orgs.globex }, headers: await csrf(alice) });
    expect(switched.json()).toMatchObject({ currentOrg: orgs.globex, role: 'viewer' });
    expect((await call(alice, 'GET', '/v1/apps')).statusCode).toBe(403);
    // Her role in acme is still owner, on acme's member routes.
    expect((await call(alice, 'GET', '/v1/orgs/acme-esports/members')).statusCode).toBe(200);
    await call(alice, 'PUT', '/v1/me/org', { payload: { org: 'acme-esports' }, headers: await csrf(alice) });
    expect((await call(alice, 'GET', '/v1/apps')).json().data.length).toBe(2);
  });

  it('refuses state-changing cookie requests without the session\'s CSRF token', async () => {
    const alice = jars.alice!;
    const bobToken = await csrf(jars.bob!);
    for (const headers of [{}, { 'x-csrf-token': 'nope' }, bobToken, { 'x-csrf-token': '' }]) {
      const r = await call(alice, 'POST', '/v1/apps', { payload: { name: 'csrf' }, headers });
      expect([r.statusCode, r.json().code]).toEqual([403, 'CLUTCH_CSRF']);
    }
    // GET needs none; an API credential needs none (no cookie involved).
    expect((await call(alice, 'GET', '/v1/apps')).statusCode).toBe(200);
    expect((await call(alice, 'POST', '/v1/apps', { payload: { name: 'with token' }, headers: await csrf(alice) })).statusCode).toBe(201);
  });

  it('refuses an ID token with a wrong nonce, a wrong audience or a damaged signature, a wrong state, and a callback in another browser', async () => {
    const refused = async (r: Awaited<ReturnType<typeof signIn>>, status: number, code: string, why?: RegExp) => {
      expect([r.callback.statusCode, r.callback.json().code], r.callback.body).toEqual([status, code]);
      if (why) expect(r.callback.json().message).toMatch(why);
      expect(r.callback.headers['set-cookie']?.toString() ?? '').not.toMatch(/clutch_session=[^;]/);
    };
    // The nonce is altered on its way to the provider: the provider signs a valid ID token with it.
    await refused(await signIn('mallory', { alterAuthorize: (u) => u.searchParams.set('nonce', 'attacker-chosen-nonce-0123456789abcdef') }), 401, 'CLUTCH_LOGIN_FAILED', /nonce/);
    // The provider's token endpoint answers an ID token for another client, signed with its own key.
    const resign = (claims: (c: Record<string, unknown>) => Record<string, unknown>) => async (idToken: string) => {
      const key = await (await import('jose')).importJWK(op.privateJwk, 'RS256');
      return new SignJWT(claims(decodeJwt(idToken))).setProtectedHeader(decodeProtectedHeader(idToken) as { alg: string }).sign(key);
    };
    op.tamper = resign((c) => ({ ...c, aud: 'someone-else' }));
    try {
      await refused(await signIn('mallory'), 401, 'CLUTCH_LOGIN_FAILED', /aud/);
      // The same claims, re-signed unchanged, pass: the refusals above are about the claim, not the re-signing.
      op.tamper = resign((c) => c);
      const ok = await signIn('mallory');
      expect(ok.callback.statusCode, ok.callback.body).toBe(302);
      // Another issuer.
      op.tamper = resign((c) => ({ ...c, iss: 'https://evil.example' }));
      await refused(await signIn('mallory'), 401, 'CLUTCH_LOGIN_FAILED', /iss/);
      // The signature damaged (one byte in its middle).
      op.tamper = async (idToken) => {
        const [h, p, s] = idToken.split('.') as [string, string, string];
        const sig = Buffer.from(s, 'base64url');
        sig[sig.length >> 1]! ^= 0x01;
        return `${h}.${p}.${sig.toString('base64url')}`;
      };
      await refused(await signIn('mallory'), 401, 'CLUTCH_LOGIN_FAILED', /signature/i);
      // Signed by a key that is not the provider's, with the provider's kid.
      op.tamper = async (idToken) => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT(decodeJwt(idToken)).setProtectedHeader(decodeProtectedHeader(idToken) as { alg: string }).sign(privateKey);
      };
      await refused(await signIn('mallory'), 401, 'CLUTCH_LOGIN_FAILED', /signature/i);
    } finally {
      op.tamper = undefined;
    }
    // The state altered on the way back.
    await refused(await signIn('mallory', { alterCallback: (u) => u.searchParams.set('state', 'forged-state') }), 400, 'CLUTCH_LOGIN_STATE_MISMATCH');
    // A callback (valid code and state) delivered to a browser that did not start this sign-in (login CSRF).
    const victim = new Jar();
    const attacker = await call(new Jar(), 'GET', '/auth/login/test');
    const back = new URL(await atProvider(attacker.headers.location as string, 'mallory'));
    const r = await call(victim, 'GET', back.pathname + back.search);
    expect([r.statusCode, r.json().code]).toEqual([400, 'CLUTCH_LOGIN_EXPIRED']);
    // The provider's own refusal (the user denies) is reported, not signed in.
    const denied = await call(new Jar(), 'GET', '/auth/callback/test?error=access_denied&state=x');
    expect(denied.json().code).toBe('CLUTCH_LOGIN_EXPIRED');
    // return_to must stay on this site.
    for (const bad of ['https://evil.example/', '//evil.example', '/\\evil.example']) {
      expect((await call(new Jar(), 'GET', `/auth/login/test?return_to=${encodeURIComponent(bad)}`)).statusCode, bad).toBe(400);
    }
  });

  it('refuses a session-cookie WebSocket opened from another site (cross-site WebSocket hijacking) and serves one from this site', async () => {
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const open = (headers: Record<string, string>) =>
      new Promise<{ status: number; code?: string }>((resolve) => {
        const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/live`, { headers: { cookie: jars.alice!.header(), ...headers } });
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(body || '{}') as { code?: string }).code }));
        });
        ws.on('open', () => {
          ws.close();
          resolve({ status: 101 });
        });
        ws.on('error', () => {});
      });
    expect(await open({ origin: 'https://evil.example' })).toEqual({ status: 403, code: 'CLUTCH_CSRF' });
    expect(await open({ origin: 'null' })).toEqual({ status: 403, code: 'CLUTCH_CSRF' });
    expect(await open({ origin: base })).toEqual({ status: 101 });
  });

  it('an email already used through another provider is not linked to a new identity', async () => {
    // test2 is another client of the same issuer, so the same person: a separate identity with alice's email.
    const r = await signIn('alice', { provider: 'test2' });
    expect([r.callback.statusCode, r.callback.json().code]).toEqual([409, 'CLUTCH_ACCOUNT_EXISTS']);
  });

  it('signing out revokes the session at once', async () => {
    const { jar } = await signIn('bob');
    const stolen = jar.header();
    const noCsrf = await call(jar, 'POST', '/auth/logout');
    expect([noCsrf.statusCode, noCsrf.json().code]).toEqual([403, 'CLUTCH_CSRF']);
    const out = await call(jar, 'POST', '/auth/logout', { headers: await csrf(jar) });
    expect(out.statusCode, out.body).toBe(204);
    expect(setCookies(out.headers['set-cookie']).some((c) => /^__Host-clutch_session=;/.test(c) && /Max-Age=0/i.test(c))).toBe(true);
    // The old cookie, replayed: refused, and told to go.
    const replay = await t.app.inject({ url: '/v1/me', headers: { cookie: stolen } });
    expect([replay.statusCode, replay.json().code]).toEqual([401, 'CLUTCH_INVALID_TOKEN']);
    expect(replay.json().message).toMatch(/signed out|expired/);
    expect((await t.app.inject({ url: '/v1/matches', headers: { cookie: stolen } })).statusCode).toBe(401);
    // Bob's other session (from an earlier test) is still signed in.
    expect((await call(jars.bob!, 'GET', '/v1/me')).statusCode).toBe(200);
    // A tampered cookie signature.
    const forged = stolen.replace(/(__Host-clutch_session=[^.;]+)\.[^;]+/, '$1.AAAA');
    expect((await t.app.inject({ url: '/v1/me', headers: { cookie: forged } })).json().message).toMatch(/signature/);
  });

  it('session routes refuse API credentials and no credentials; appear in the OpenAPI document with their security', async () => {
    const noCreds = await t.app.inject({ url: '/v1/me' });
    expect([noCreds.statusCode, noCreds.json().code]).toEqual([401, 'CLUTCH_UNAUTHENTICATED']);
    const { createApp, createCredential } = await import('../../src/store/apps.ts');
    const a = await createApp(t.infra.store.db, 'acme-esports', 'key holder');
    const key = (await createCredential(t.infra.store.db, { tenant: 'acme-esports', appId: a.id, kind: 'api_key', scopes: ['matches:read'] })).secret;
    const withKey = await t.app.inject({ url: '/v1/me', headers: { 'x-api-key': key } });
    expect([withKey.statusCode, withKey.json().code]).toEqual([403, 'CLUTCH_USER_REQUIRED']);
    const doc = (await t.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>; components: { securitySchemes: Record<string, { in?: string; name?: string }> } };
    expect(doc.components.securitySchemes.session).toMatchObject({ in: 'cookie', name: '__Host-clutch_session' });
    expect(doc.paths['/v1/me']!.get!.security).toEqual([{ session: [] }]);
    expect(doc.paths['/v1/orgs/{org}/members']!.post!.security).toEqual([{ session: ['role:admin'] }]);
    expect(Object.keys(doc.paths['/v1/orgs/{org}/members/{user}']!.patch!.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409']));
    expect(doc.paths['/v1/apps']!.post!.security).toEqual([{ oauth2: ['apps:manage'] }, { apiKey: [] }, { session: ['apps:manage'] }]);
    for (const p of ['/auth/providers', '/auth/login/{provider}', '/auth/callback/{provider}', '/auth/logout', '/v1/orgs', '/v1/me/org', '/v1/orgs/{org}/invitations/{id}']) expect(doc.paths[p], p).toBeDefined();
  });
});

describe('sign-in configuration', () => {
  const base = { CLUTCH_STORE: 'pglite', CLUTCH_EVENT_LOG: 'memory', CLUTCH_CACHE: 'memory' };
  it('reads presets and OIDC issuers, and names every mistake', () => {
    const ok = providersFromEnv({ CLUTCH_OIDC_PROVIDERS: 'github, twitch,my-corp', CLUTCH_OIDC_GITHUB_CLIENT_ID: 'gh', CLUTCH_OIDC_GITHUB_CLIENT_SECRET: 's1', CLUTCH_OIDC_TWITCH_CLIENT_ID: 'tw', CLUTCH_OIDC_TWITCH_CLIENT_SECRET: 's2', CLUTCH_OIDC_MY_CORP_ISSUER: 'https://login.corp.example', CLUTCH_OIDC_MY_CORP_CLIENT_ID: 'c', CLUTCH_OIDC_MY_CORP_CLIENT_SECRET: 's3' });
    expect(ok.problems).toEqual([]);
    expect(ok.providers.map((p) => [p.id, p.kind, p.issuer, p.label])).toEqual([
      ['github', 'github', undefined, 'GitHub'],
      ['twitch', 'oidc', 'https://id.twitch.tv/oauth2', 'Twitch'],
      ['my-corp', 'oidc', 'https://login.corp.example', 'my-corp'],
    ]);
    const bad = providersFromEnv({ CLUTCH_OIDC_PROVIDERS: 'okta,github', CLUTCH_OIDC_OKTA_ISSUER: 'http://okta.example', CLUTCH_OIDC_OKTA_CLIENT_ID: 'x', CLUTCH_OIDC_GITHUB_CLIENT_ID: 'y', CLUTCH_OIDC_GITHUB_CLIENT_SECRET: 'z', CLUTCH_OIDC_GITHUB_ISSUER: 'https://github.com', CLUTCH_OIDC_OKTA_CLIENTSECRET: 'typo' });
    expect(bad.problems.join('\n')).toMatch(/CLUTCH_OIDC_OKTA_CLIENT_SECRET is required/);
    expect(bad.problems.join('\n')).toMatch(/CLUTCH_OIDC_OKTA_ISSUER must be https/);
    expect(bad.problems.join('\n')).toMatch(/CLUTCH_OIDC_GITHUB_ISSUER cannot be set/);
    expect(bad.problems.join('\n')).toMatch(/CLUTCH_OIDC_OKTA_CLIENTSECRET is set but names no provider/);
    expect(providersFromEnv({ CLUTCH_OIDC_PROVIDERS: 'corp' }).problems.join('\n')).toMatch(/CLUTCH_OIDC_CORP_ISSUER is required/);
  });

  it('needs a session secret with providers, and never prints secrets', () => {
    const env = { ...base, CLUTCH_OIDC_PROVIDERS: 'github', CLUTCH_OIDC_GITHUB_CLIENT_ID: 'gh-id', CLUTCH_OIDC_GITHUB_CLIENT_SECRET: 'gh-very-secret' };
    expect(() => loadConfig(env)).toThrow(/CLUTCH_SESSION_SECRET is required/);
    expect(() => loadConfig({ ...env, CLUTCH_SESSION_SECRET: 'short' })).toThrow(/at least 32/);
    const c = loadConfig({ ...env, CLUTCH_SESSION_SECRET: SESSION_SECRET });
    expect(c.signIn).toMatchObject({ sessionTtlSeconds: 604800, secureCookies: true });
    const printed = JSON.stringify(describeConfig(c));
    expect(printed).not.toContain('gh-very-secret');
    expect(printed).not.toContain(SESSION_SECRET);
    expect(printed).toContain('gh-id');
    // No provider: no secret needed (the demo).
    expect(loadConfig(base).signIn.providers).toEqual([]);
  });

  it('logs request URLs with codes, states and tokens blanked', () => {
    expect(redactQuery('/auth/callback/test?code=abc&state=def&iss=https%3A%2F%2Fidp')).toBe('/auth/callback/test?code=[redacted]&state=[redacted]&iss=https%3A%2F%2Fidp');
    expect(redactQuery('/v1/live?access_token=eyJ.x.y')).toBe('/v1/live?access_token=[redacted]');
    expect(redactQuery('/v1/ingest/cs2-log?token=t1&x=1')).toBe('/v1/ingest/cs2-log?token=[redacted]&x=1');
    expect(redactQuery('/v1/matches')).toBe('/v1/matches');
  });
});
