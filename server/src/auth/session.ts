// Dashboard sessions (docs/auth.md). A signed-in browser holds one cookie: an opaque 256-bit random
// session id, signed (HMAC-SHA256 with CLUTCH_SESSION_SECRET, @fastify/cookie's signer), HttpOnly,
// Secure, SameSite=Lax, with the __Host- prefix when Secure (no subdomain can set or shadow it). Only
// a SHA-256 of the id is stored, with an absolute expiry; signing out revokes it. An opaque id rather
// than a JWT: revocation and role changes take effect at the next request, not at a token's expiry.
//
// CSRF: a request authenticated by the cookie that changes state (anything but GET/HEAD/OPTIONS) must
// carry X-CSRF-Token, an HMAC of the session (from GET /v1/me). Another site can make a browser send
// the cookie (a form post), but it cannot read the token nor set a custom header without CORS, which
// the API does not grant. SameSite=Lax already keeps the cookie off most cross-site requests.
//
// The sign-in in progress (state, nonce, PKCE verifier, where to return) lives in a second short-lived
// cookie, encrypted (AES-256-GCM): the callback must come back to the browser that started it.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface SessionSettings {
  /** Signs cookies, derives the CSRF and login-cookie keys; at least 32 characters. */
  secret: string;
  ttlSeconds: number;
  /** Secure cookies (off only for a plain-http demo on localhost). */
  secure: boolean;
}

export interface LoginState {
  provider: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** ms since epoch. */
  expiresAt: number;
}

export const CSRF_HEADER = 'x-csrf-token';
const LOGIN_TTL_S = 600;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('hex');

export class SessionCookies {
  readonly settings: SessionSettings;
  readonly sessionCookie: string;
  readonly loginCookie: string;
  readonly #signer: ReturnType<typeof fastifyCookie.signerFactory>;
  readonly #csrfKey: Buffer;
  readonly #loginKey: Buffer;

  constructor(settings: SessionSettings) {
    this.settings = settings;
    const prefix = settings.secure ? '__Host-' : '';
    this.sessionCookie = `${prefix}clutch_session`;
    this.loginCookie = `${prefix}clutch_login`;
    this.#signer = fastifyCookie.signerFactory(settings.secret, 'sha256');
    // Separate keys per use, derived from the one secret.
    this.#csrfKey = Buffer.from(hkdfSync('sha256', settings.secret, 'clutch', 'csrf', 32));
    this.#loginKey = Buffer.from(hkdfSync('sha256', settings.secret, 'clutch', 'login', 32));
  }

  /** A new session id (the raw value: only its hash is stored). */
  static newSessionId(): string {
    return randomBytes(32).toString('base64url');
  }

  /** The session id of the request's cookie when its signature is good; undefined when absent; null when present but forged. */
  sessionId(req: FastifyRequest): string | null | undefined {
    const raw = this.#cookie(req, this.sessionCookie);
    if (raw === undefined) return undefined;
    const r = this.#signer.unsign(raw);
    return r.valid && r.value && /^[A-Za-z0-9_-]{43}$/.test(r.value) ? r.value : null;
  }

  setSession(reply: FastifyReply, id: string, expiresAt: Date): void {
    this.#set(reply, this.sessionCookie, this.#signer.sign(id), Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000)));
  }

  clearSession(reply: FastifyReply): void {
    this.#set(reply, this.sessionCookie, '', 0);
  }

  csrfToken(sessionHash: string): string {
    return createHmac('sha256', this.#csrfKey).update(sessionHash).digest('base64url');
  }

  /** True when the request needs no CSRF token (a safe method) or carries the session's. */
  csrfOk(req: FastifyRequest, sessionHash: string): boolean {
    if (SAFE_METHODS.has(req.method)) return true;
    const sent = req.headers[CSRF_HEADER];
    if (typeof sent !== 'string') return false;
    const want = Buffer.from(this.csrfToken(sessionHash));
    const got = Buffer.from(sent);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  setLogin(reply: FastifyReply, s: Omit<LoginState, 'expiresAt'>): void {
    const body: LoginState = { ...s, expiresAt: Date.now() + LOGIN_TTL_S * 1000 };
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#loginKey, iv);
    const sealed = Buffer.concat([c.update(JSON.stringify(body), 'utf8'), c.final()]);
    this.#set(reply, this.loginCookie, `${iv.toString('base64url')}.${c.getAuthTag().toString('base64url')}.${sealed.toString('base64url')}`, LOGIN_TTL_S);
  }

  /** The sign-in in progress of this browser; undefined when absent, tampered with or expired. */
  login(req: FastifyRequest): LoginState | undefined {
    const raw = this.#cookie(req, this.loginCookie);
    if (!raw || raw.length > 4096) return undefined;
    const [iv, tag, body] = raw.split('.');
    if (!iv || !tag || !body) return undefined;
    try {
      const d = createDecipheriv('aes-256-gcm', this.#loginKey, Buffer.from(iv, 'base64url'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      const s = JSON.parse(Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8')) as LoginState;
      return s.expiresAt > Date.now() ? s : undefined;
    } catch {
      return undefined;
    }
  }

  clearLogin(reply: FastifyReply): void {
    this.#set(reply, this.loginCookie, '', 0);
  }

  // Parsed by @fastify/cookie (registered by the auth plugin along with the sessions).
  #cookie(req: FastifyRequest, name: string): string | undefined {
    return (req.cookies as Record<string, string | undefined> | undefined)?.[name];
  }

  #set(reply: FastifyReply, name: string, value: string, maxAge: number): void {
    reply.setCookie(name, value, { httpOnly: true, secure: this.settings.secure, sameSite: 'lax', path: '/', maxAge, ...(maxAge === 0 ? { expires: new Date(0) } : {}) });
  }
}
