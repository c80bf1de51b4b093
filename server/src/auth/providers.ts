// Sign-in providers of the dashboard (docs/auth.md): any OpenID Connect issuer, and presets for
// GitHub and Discord (OAuth2 with their user APIs: neither issues ID tokens) and Twitch (OIDC).
//
// The relying party is openid-client (v6): for an OIDC issuer it does discovery, the authorization
// code flow with PKCE (S256), state and nonce, RFC 9207 issuer identification, and verifies the ID
// token — iss, aud, azp, exp/iat, nonce, and its signature with the issuer's JWKS (non-repudiation
// checks on: the token endpoint's answer is not trusted on TLS alone). @fastify/oauth2 was not used:
// it stops at the token exchange and verifies no ID token, which is the part that matters here.
//
// Configuration (config.ts): CLUTCH_OIDC_PROVIDERS=github,okta,… and per provider
// CLUTCH_OIDC_<NAME>_CLIENT_ID / _CLIENT_SECRET, plus _ISSUER for a generic OIDC issuer, and
// optionally _SCOPES and _LABEL. Plain http is accepted only for a loopback issuer (development, tests).
import * as oidc from 'openid-client';

export type ProviderKind = 'oidc' | 'github' | 'discord';

export interface ProviderConfig {
  /** In URLs: /auth/login/{id}. */
  id: string;
  label: string;
  kind: ProviderKind;
  /** OIDC: the issuer (discovery at {issuer}/.well-known/openid-configuration). */
  issuer: string | undefined;
  clientId: string;
  clientSecret: string;
  scopes: string;
  /** Extra authorization request parameters (Twitch: the claims it puts in the ID token). */
  extraParams?: Record<string, string>;
}

/** The person a provider vouched for. `email` only when the provider says it is verified. */
export interface Identity {
  subject: string;
  email: string | undefined;
  name: string;
}

interface Preset {
  label: string;
  kind: ProviderKind;
  issuer?: string;
  scopes: string;
  extraParams?: Record<string, string>;
}

export const PRESETS: Readonly<Record<string, Preset>> = {
  github: { label: 'GitHub', kind: 'github', scopes: 'read:user user:email' },
  discord: { label: 'Discord', kind: 'discord', scopes: 'identify email' },
  twitch: {
    label: 'Twitch',
    kind: 'oidc',
    issuer: 'https://id.twitch.tv/oauth2',
    scopes: 'openid user:read:email',
    // Twitch puts email and name in the ID token only when asked by the claims parameter.
    extraParams: { claims: JSON.stringify({ id_token: { email: null, email_verified: null, preferred_username: null } }) },
  },
};

// The OAuth2-only presets: endpoints (documented by GitHub and Discord) and where the user is read.
const OAUTH2_ENDPOINTS: Record<'github' | 'discord', { issuer: string; authorization_endpoint: string; token_endpoint: string }> = {
  github: { issuer: 'https://github.com', authorization_endpoint: 'https://github.com/login/oauth/authorize', token_endpoint: 'https://github.com/login/oauth/access_token' },
  discord: { issuer: 'https://discord.com', authorization_endpoint: 'https://discord.com/oauth2/authorize', token_endpoint: 'https://discord.com/api/oauth2/token' },
};
const GITHUB_API = 'https://api.github.com';
const DISCORD_API = 'https://discord.com/api';

const SUFFIXES = ['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET', 'SCOPES', 'LABEL'] as const;
const envName = (id: string) => `CLUTCH_OIDC_${id.toUpperCase().replaceAll('-', '_')}`;

/** Reads the providers from the environment; every problem is named (config.ts reports them all at once). */
export function providersFromEnv(env: NodeJS.ProcessEnv): { providers: ProviderConfig[]; problems: string[] } {
  const problems: string[] = [];
  const providers: ProviderConfig[] = [];
  const ids = [...new Set((env.CLUTCH_OIDC_PROVIDERS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))];
  const known = new Set<string>(['CLUTCH_OIDC_PROVIDERS']);
  for (const id of ids) {
    const prefix = envName(id);
    for (const s of SUFFIXES) known.add(`${prefix}_${s}`);
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(id)) {
      problems.push(`CLUTCH_OIDC_PROVIDERS: ${JSON.stringify(id)} is not a provider name (a-z, 0-9, -; at most 32)`);
      continue;
    }
    const get = (s: (typeof SUFFIXES)[number]) => env[`${prefix}_${s}`]?.trim() || undefined;
    const preset = PRESETS[id];
    const issuer = get('ISSUER') ?? preset?.issuer;
    const clientId = get('CLIENT_ID');
    const clientSecret = get('CLIENT_SECRET');
    if (!clientId) problems.push(`${prefix}_CLIENT_ID is required for the sign-in provider ${id}`);
    if (!clientSecret) problems.push(`${prefix}_CLIENT_SECRET is required for the sign-in provider ${id}`);
    const kind: ProviderKind = preset?.kind ?? 'oidc';
    if (kind === 'oidc') {
      if (!issuer) problems.push(`${prefix}_ISSUER is required: ${id} is not a preset (${Object.keys(PRESETS).join(', ')}), so it must be an OpenID Connect issuer`);
      else {
        const problem = issuerProblem(issuer);
        if (problem) problems.push(`${prefix}_ISSUER ${problem}`);
      }
    } else if (get('ISSUER')) problems.push(`${prefix}_ISSUER cannot be set: ${id} is the ${preset!.label} preset (OAuth2, not OIDC)`);
    if (!clientId || !clientSecret) continue;
    providers.push({ id, label: get('LABEL') ?? preset?.label ?? id, kind, issuer: kind === 'oidc' ? issuer : undefined, clientId, clientSecret, scopes: get('SCOPES') ?? preset?.scopes ?? 'openid email profile', ...(preset?.extraParams ? { extraParams: preset.extraParams } : {}) });
  }
  // A misspelt variable or a provider left out of the list would silently do nothing: say so.
  for (const name of Object.keys(env)) {
    if (name.startsWith('CLUTCH_OIDC_') && !known.has(name) && env[name]) problems.push(`${name} is set but names no provider of CLUTCH_OIDC_PROVIDERS (${ids.join(', ') || 'empty'}); expected CLUTCH_OIDC_<NAME>_{${SUFFIXES.join(',')}}`);
  }
  return { providers, problems };
}

function issuerProblem(issuer: string): string | undefined {
  let u: URL;
  try {
    u = new URL(issuer);
  } catch {
    return 'must be a URL (e.g. https://accounts.example.com)';
  }
  if (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u))) return undefined;
  return 'must be https (plain http only for a loopback issuer in development)';
}

const isLoopback = (u: URL) => u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname);

/** Why a sign-in was refused; the message names the check that failed (never a token or a secret). */
export class SignInRefused extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** A provider could not be reached (discovery, JWKS, token endpoint down or answering nonsense). */
export class ProviderUnavailable extends Error {}

export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  nonce: string;
  codeChallenge: string;
}

export interface CallbackChecks {
  /** The redirect URI with the query the provider sent back. */
  currentUrl: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

const TIMEOUT_S = 10;
const MAX_USER_API_BYTES = 256 * 1024;

export class SignInProviders {
  readonly #byId = new Map<string, ProviderConfig>();
  readonly #configs = new Map<string, Promise<oidc.Configuration>>();

  constructor(providers: readonly ProviderConfig[]) {
    for (const p of providers) this.#byId.set(p.id, p);
  }

  list(): ProviderConfig[] {
    return [...this.#byId.values()];
  }

  get(id: string): ProviderConfig | undefined {
    return this.#byId.get(id);
  }

  /** The URL to send the browser to. */
  async authorizationUrl(p: ProviderConfig, r: AuthorizationRequest): Promise<URL> {
    const config = await this.#config(p);
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: r.redirectUri,
      scope: p.scopes,
      state: r.state,
      code_challenge: r.codeChallenge,
      code_challenge_method: 'S256',
      ...(p.kind === 'oidc' ? { nonce: r.nonce } : {}),
      ...p.extraParams,
    });
  }

  /** Exchanges the code (PKCE), verifies the answer and the ID token, and says who signed in. */
  async identify(p: ProviderConfig, c: CallbackChecks): Promise<Identity> {
    const config = await this.#config(p);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, c.currentUrl, {
        pkceCodeVerifier: c.codeVerifier,
        expectedState: c.state,
        ...(p.kind === 'oidc' ? { expectedNonce: c.nonce, idTokenExpected: true } : {}),
      });
    } catch (err) {
      throw refusal(err);
    }
    if (p.kind === 'github') return githubUser(config, tokens.access_token);
    if (p.kind === 'discord') return discordUser(config, tokens.access_token);
    const claims = tokens.claims();
    if (!claims) throw new SignInRefused('the provider sent no ID token');
    let email = verifiedEmail(claims);
    let name = stringClaim(claims, 'name') ?? stringClaim(claims, 'preferred_username') ?? '';
    // Many providers put email and name at the userinfo endpoint only (OIDC Core §5.4 with a code flow).
    if ((!email || !name) && config.serverMetadata().userinfo_endpoint) {
      try {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        email ??= verifiedEmail(info);
        name ||= stringClaim(info, 'name') ?? stringClaim(info, 'preferred_username') ?? '';
      } catch (err) {
        throw refusal(err);
      }
    }
    return { subject: claims.sub, email, name: name || email || claims.sub };
  }

  /** The openid-client configuration of a provider: discovered once (again after a failure). */
  #config(p: ProviderConfig): Promise<oidc.Configuration> {
    let c = this.#configs.get(p.id);
    if (!c) {
      c = (async () => {
        const insecure = p.issuer !== undefined && new URL(p.issuer).protocol === 'http:';
        const execute = [oidc.enableNonRepudiationChecks, ...(insecure ? [oidc.allowInsecureRequests] : [])];
        if (p.kind === 'oidc') {
          try {
            return await oidc.discovery(new URL(p.issuer!), p.clientId, p.clientSecret, undefined, { execute, timeout: TIMEOUT_S });
          } catch (err) {
            throw new ProviderUnavailable(`discovery of ${p.issuer!} failed: ${(err as Error).message}`);
          }
        }
        const config = new oidc.Configuration(OAUTH2_ENDPOINTS[p.kind], p.clientId, p.clientSecret);
        config.timeout = TIMEOUT_S;
        return config;
      })();
      c.catch(() => this.#configs.delete(p.id));
      this.#configs.set(p.id, c);
    }
    return c;
  }
}

function stringClaim(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' && v.length > 0 && v.length <= 320 ? v : undefined;
}

function verifiedEmail(o: Record<string, unknown>): string | undefined {
  const email = stringClaim(o, 'email');
  return email && o.email_verified === true ? email.toLowerCase() : undefined;
}

/** openid-client's errors → what the caller is told. A provider that cannot be reached is not the user's fault. */
function refusal(err: unknown): Error {
  if (err instanceof SignInRefused) return err;
  const e = err as { code?: string; message?: string; error?: string; error_description?: string; cause?: unknown };
  if (err instanceof oidc.AuthorizationResponseError || err instanceof oidc.ResponseBodyError) {
    return new SignInRefused(`the provider answered ${e.error ?? 'an error'}${e.error_description ? `: ${e.error_description.slice(0, 200)}` : ''}`);
  }
  if (e.code === 'OAUTH_TIMEOUT' || (err instanceof TypeError && /fetch failed/.test(e.message ?? '')) || (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError') {
    return new ProviderUnavailable(e.message ?? 'unreachable');
  }
  // openid-client wraps oauth4webapi's error, whose message names the failed check ("nonce" claim…).
  const inner = e.cause instanceof Error && e.cause.message ? e.cause.message : undefined;
  return new SignInRefused((inner ?? e.message ?? 'the provider answer was refused').slice(0, 300));
}

async function userApi(config: oidc.Configuration, accessToken: string, url: string): Promise<unknown> {
  let res: Response;
  try {
    res = await oidc.fetchProtectedResource(config, accessToken, new URL(url), 'GET', undefined, new Headers({ accept: 'application/json', 'user-agent': 'clutch' }));
  } catch (err) {
    throw new ProviderUnavailable(`${new URL(url).host}: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new SignInRefused(`${new URL(url).host} answered ${res.status} for ${new URL(url).pathname}`);
  if (text.length > MAX_USER_API_BYTES) throw new SignInRefused(`${new URL(url).host} answered too much`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SignInRefused(`${new URL(url).host} answered something that is not JSON`);
  }
}

async function githubUser(config: oidc.Configuration, accessToken: string): Promise<Identity> {
  const user = (await userApi(config, accessToken, `${GITHUB_API}/user`)) as { id?: unknown; login?: unknown; name?: unknown };
  if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new SignInRefused('GitHub sent no user id');
  const emails = (await userApi(config, accessToken, `${GITHUB_API}/user/emails`)) as Array<{ email?: unknown; primary?: unknown; verified?: unknown }>;
  const primary = Array.isArray(emails) ? emails.find((e) => e.primary === true && e.verified === true && typeof e.email === 'string') : undefined;
  const email = primary ? (primary.email as string).toLowerCase() : undefined;
  const name = (typeof user.name === 'string' && user.name) || (typeof user.login === 'string' && user.login) || String(user.id);
  return { subject: String(user.id), email, name };
}

async function discordUser(config: oidc.Configuration, accessToken: string): Promise<Identity> {
  const user = (await userApi(config, accessToken, `${DISCORD_API}/users/@me`)) as { id?: unknown; username?: unknown; global_name?: unknown; email?: unknown; verified?: unknown };
  if (typeof user.id !== 'string') throw new SignInRefused('Discord sent no user id');
  const email = typeof user.email === 'string' && user.verified === true ? user.email.toLowerCase() : undefined;
  const name = (typeof user.global_name === 'string' && user.global_name) || (typeof user.username === 'string' && user.username) || user.id;
  return { subject: user.id, email, name };
}
