// @clutch/sdk for browsers (the package's "browser" export condition): the typed REST client and the
// resuming live client, without webhook verification (server-side only: it needs node:crypto).
export { clientCredentials, ClutchApiError, createClutchClient, paginate, unwrap, type ApiErrorBody, type ClutchClient, type ClutchClientOptions, type paths } from './rest.ts';
export { LiveClient, MAX_SUBSCRIPTIONS, type LiveClientOptions, type LiveMessage, type LiveMessageType, type LiveState } from './live.ts';
