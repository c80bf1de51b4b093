// The typed REST client: openapi-fetch over the types generated from the server's OpenAPI document
// (src/openapi.gen.ts, `npm run gen`). Every path, parameter and answer is typed; errors come back
// as the documented body { code, message, details? }, or thrown as ClutchApiError by `unwrap`.
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './openapi.gen.ts';

export type { paths } from './openapi.gen.ts';
export type ClutchClient = Client<paths>;

export interface ClutchClientOptions {
  /** e.g. https://api.clutch.example (no trailing /v1). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` (an API key or an OAuth2 access token). */
  token?: string | (() => string | Promise<string>);
  fetch?: ClientOptions['fetch'];
  headers?: Record<string, string>;
}

export function createClutchClient(o: ClutchClientOptions): ClutchClient {
  const client = createClient<paths>({ baseUrl: o.baseUrl.replace(/\/+$/, ''), ...(o.fetch ? { fetch: o.fetch } : {}), ...(o.headers ? { headers: o.headers } : {}) });
  if (o.token) {
    const token = o.token;
    client.use({
      async onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${typeof token === 'function' ? await token() : token}`);
        return request;
      },
    });
  }
  return client;
}

/**
 * Access tokens by the OAuth2 client credentials grant (POST /oauth/token), cached until a minute
 * before they expire. Pass it as `token` to createClutchClient or LiveClient:
 *   const token = clientCredentials({ baseUrl, clientId, clientSecret });
 *   const api = createClutchClient({ baseUrl, token });
 */
export function clientCredentials(o: { baseUrl: string; clientId: string; clientSecret: string; scope?: string; fetch?: typeof fetch }): () => Promise<string> {
  let cached: { token: string; until: number } | undefined;
  let pending: Promise<string> | undefined;
  const doFetch = o.fetch ?? fetch;
  return async () => {
    if (cached && Date.now() < cached.until) return cached.token;
    pending ??= (async () => {
      try {
        const body = new URLSearchParams({ grant_type: 'client_credentials', ...(o.scope ? { scope: o.scope } : {}) });
        const basic = btoa(`${encodeURIComponent(o.clientId)}:${encodeURIComponent(o.clientSecret)}`);
        const r = await doFetch(`${o.baseUrl.replace(/\/+$/, '')}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` }, body });
        const j = (await r.json()) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
        if (!r.ok || !j.access_token) throw new ClutchApiError(r.status, { code: `CLUTCH_OAUTH_${(j.error ?? 'error').toUpperCase()}`, message: j.error_description ?? 'no access token' });
        cached = { token: j.access_token, until: Date.now() + Math.max(0, (j.expires_in ?? 60) - 60) * 1000 };
        return j.access_token;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
}

/** The error body of every Clutch API answer that is not 2xx. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details?: Array<{ in: string; path: string; message: string } & Record<string, unknown>>;
}

export class ClutchApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ApiErrorBody['details'];
  readonly retryAfterSeconds: number | undefined;
  constructor(status: number, body: Partial<ApiErrorBody> | undefined, retryAfter?: string | null) {
    super(body?.message ?? `HTTP ${status}`);
    this.name = 'ClutchApiError';
    this.status = status;
    this.code = body?.code ?? `CLUTCH_HTTP_${status}`;
    this.details = body?.details;
    const s = retryAfter ? Number(retryAfter) : NaN;
    this.retryAfterSeconds = Number.isFinite(s) ? s : undefined;
  }
}

/** The data of an openapi-fetch answer, or a ClutchApiError with the server's code. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data;
  if (response.status === 304) throw new ClutchApiError(304, { code: 'CLUTCH_NOT_MODIFIED', message: 'not modified' });
  throw new ClutchApiError(response.status, error as Partial<ApiErrorBody> | undefined, response.headers.get('retry-after'));
}

/**
 * Every item of a cursor-paginated list, page after page:
 *   for await (const m of paginate((cursor) => client.GET('/v1/matches', { params: { query: { status: 'finished', cursor } } }))) …
 */
export async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<{ data?: { data: T[]; next: string | null }; error?: unknown; response: Response }>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await unwrap(fetchPage(cursor));
    yield* page.data;
    cursor = page.next ?? undefined;
  } while (cursor);
}
