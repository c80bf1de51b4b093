// @clutch/sdk: the typed REST client, the resuming live client, and webhook verification.
export { clientCredentials, ClutchApiError, createClutchClient, paginate, unwrap, type ApiErrorBody, type ClutchClient, type ClutchClientOptions, type paths } from './rest.ts';
export { LiveClient, MAX_SUBSCRIPTIONS, type LiveClientOptions, type LiveMessage, type LiveMessageType, type LiveState } from './live.ts';
export { parseSignatureHeader, verifyWebhook, webhookSignature, WebhookVerificationError, type VerifyWebhookOptions, type WebhookEvent, type WebhookVerificationErrorCode } from './webhooks.ts';
