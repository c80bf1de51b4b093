// The developer portal's session: the dashboard signs in through the server's OAuth2/OIDC providers
// (GET /auth/providers → /auth/login/{provider}?return_to=/app/#/dev), which leave an HttpOnly session
// cookie. Every call here goes through @clutch/sdk with that cookie (same origin: fetch sends it) and
// no Authorization header (a header would win over the cookie); writes carry X-CSRF-Token, the token
// GET /v1/me gives. A small external store keeps /v1/me for every page (useMe).
import { useSyncExternalStore } from 'react';
import { ClutchApiError, createClutchClient, unwrap, type ApiErrorBody, type ClutchClient, type paths } from '@clutch/sdk';

export type Me = paths['/v1/me']['get']['responses'][200]['content']['application/json'];
export type Provider = paths['/auth/providers']['get']['responses'][200]['content']['application/json']['data'][number];

/** Where sign-in lands (a path of this site, hash routing). */
export const SIGNED_IN_PATH = '/app/#/dev';

let csrf: string | undefined;
let client: ClutchClient | undefined;

/** The REST client of the session: cookie, and X-CSRF-Token on every write. */
export function sessionApi(): ClutchClient {
  if (client) return client;
  const c = createClutchClient({ baseUrl: location.origin });
  c.use({
    onRequest({ request }) {
      if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method) && csrf) request.headers.set('x-csrf-token', csrf);
      return request;
    },
  });
  client = c;
  return c;
}

type State = { status: 'loading' } | { status: 'signed-out'; reason?: string } | { status: 'signed-in'; me: Me } | { status: 'error'; message: string };

let state: State = { status: 'loading' };
const listeners = new Set<() => void>();
const set = (s: State) => {
  state = s;
  csrf = s.status === 'signed-in' ? s.me.csrfToken : undefined;
  for (const l of listeners) l();
};

/** Reads GET /v1/me again (after sign-in, an organisation switch or creation, a role change). */
export async function refreshMe(): Promise<void> {
  try {
    set({ status: 'signed-in', me: await unwrap(sessionApi().GET('/v1/me')) });
  } catch (e) {
    if (e instanceof ClutchApiError && (e.status === 401 || e.code === 'CLUTCH_USER_REQUIRED')) set({ status: 'signed-out' });
    else set({ status: 'error', message: describeApiError(e) });
  }
}

let started = false;
const subscribe = (l: () => void) => {
  listeners.add(l);
  if (!started) {
    started = true;
    void refreshMe();
  }
  return () => listeners.delete(l);
};

export function useSession(): State {
  return useSyncExternalStore(subscribe, () => state);
}

/** A write answered 204 (no body: `unwrap` wants data): true, or the server's error thrown. */
export async function noContent(call: Promise<{ error?: unknown; response: Response }>): Promise<true> {
  const { error, response } = await call;
  if (!response.ok) throw new ClutchApiError(response.status, error as Partial<ApiErrorBody> | undefined, response.headers.get('retry-after'));
  return true;
}

/** POST /auth/logout (CSRF header), then the signed-out state. */
export async function signOut(): Promise<void> {
  await noContent(sessionApi().POST('/auth/logout'));
  set({ status: 'signed-out', reason: 'You are signed out.' });
}

/** PUT /v1/me/org: API calls of this session act in `org` from now on. */
export async function switchOrg(org: string): Promise<void> {
  set({ status: 'signed-in', me: await unwrap(sessionApi().PUT('/v1/me/org', { body: { org } })) });
}

/** The server's message and code, for people. */
export function describeApiError(e: unknown): string {
  if (e instanceof ClutchApiError) return `${e.message} (${e.code})`;
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return `${String((e as { message: unknown }).message)} (${String((e as { code: unknown }).code)})`;
  return e instanceof Error ? e.message : String(e);
}
