// All data comes through @clutch/sdk: the typed REST client and the live client (WebSocket /v1/live,
// resuming by itself). The API key, if any, is kept in localStorage (Settings page); without one the
// calls are anonymous, which the demo answers as its demo tenant (CLUTCH_AUTH_ANONYMOUS_TENANT).
import { createClutchClient, LiveClient, type ClutchClient, type LiveClientOptions } from '@clutch/sdk';

const KEY = 'clutch.apiKey';

export function apiKey(): string | undefined {
  try {
    return localStorage.getItem(KEY) || undefined;
  } catch {
    return undefined;
  }
}

export function setApiKey(key: string | undefined): void {
  if (key) localStorage.setItem(KEY, key);
  else localStorage.removeItem(KEY);
  client = undefined;
}

/** The API is the origin the dashboard is served from (the server itself, or Vite's proxy in development). */
const baseUrl = location.origin;

let client: ClutchClient | undefined;

export function api(): ClutchClient {
  const token = apiKey();
  client ??= createClutchClient({ baseUrl, ...(token ? { token } : {}) });
  return client;
}

export function liveClient(o: Omit<LiveClientOptions, 'url' | 'token'>): LiveClient {
  const token = apiKey();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/live`;
  return new LiveClient({ ...o, url, ...(token ? { token } : {}) });
}

/** A readable message for a failed call (the API's CLUTCH_* code when there is one). */
export function describeError(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) return `${String((e as { message: unknown }).message)} (${String((e as { code: unknown }).code)})`;
  return e instanceof Error ? e.message : String(e);
}
