// Coded errors of the pollers. `upstreamStatus` (when set) is the provider's HTTP status; `retryable`
// says whether the same request may succeed later (timeouts, 5xx, 429, log unavailable).
import { createError } from '../../errors.ts';

export const PollerTimeout = createError('CLUTCH_POLLER_TIMEOUT', '%s did not answer within %s ms', 504);
export const PollerNetwork = createError('CLUTCH_POLLER_NETWORK', 'request to %s failed: %s', 502);
export const PollerUpstreamFailed = createError('CLUTCH_POLLER_UPSTREAM_FAILED', '%s answered %s %s times in a row; retried later', 502);
export const PollerRateLimited = createError('CLUTCH_POLLER_RATE_LIMITED', '%s is still rate limited (429, %s limit) after %s attempts; retried later', 429);
export const PollerUnauthorized = createError('CLUTCH_POLLER_UNAUTHORIZED', '%s refused the API key (%s): check %s (Riot development keys expire after 24 hours)', 502);
export const PollerHttpStatus = createError('CLUTCH_POLLER_HTTP_STATUS', '%s answered %s', 502);
export const PollerResponseTooLarge = createError('CLUTCH_POLLER_RESPONSE_TOO_LARGE', 'the response of %s is larger than %s bytes', 502);
export const PollerBadResponse = createError('CLUTCH_POLLER_BAD_RESPONSE', '%s: %s', 502);
export const PollerLogUnavailable = createError('CLUTCH_POLLER_LOG_UNAVAILABLE', 'the event log did not take the %s payload (%s); it is kept and submitted again later', 503);
export const PollerStopped = createError('CLUTCH_POLLER_STOPPED', 'the %s poller was stopped', 503);

export interface PollerErrorDetails {
  /** The provider's HTTP status, when it answered. */
  upstreamStatus?: number;
  /** True when the same request may succeed later. */
  retryable?: boolean;
}

export function withDetails<E extends Error>(err: E, details: PollerErrorDetails): E & PollerErrorDetails {
  return Object.assign(err, details);
}

/** The provider's HTTP status carried by a poller error, if any. */
export function upstreamStatus(err: unknown): number | undefined {
  const s = (err as PollerErrorDetails | null)?.upstreamStatus;
  return typeof s === 'number' ? s : undefined;
}

export function isRetryable(err: unknown): boolean {
  return (err as PollerErrorDetails | null)?.retryable === true;
}
