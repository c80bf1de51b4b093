// Webhook signature verification for receivers (docs/webhooks.md). Clutch signs each attempt with
//
//   Clutch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>[,v1=…]
//
// (one v1= per valid secret: during a rotation both the new and the previous secret sign). Verify
// against the RAW body bytes as received, before any JSON parsing: re-serialised JSON does not match.
// Pure: node:crypto only, nothing from the server.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a verified webhook body holds. `id` equals the Clutch-Delivery-Id header: the idempotency key. */
export interface WebhookEvent<T = Record<string, unknown>> {
  id: string;
  type: string;
  createdAt: string;
  tenant?: string;
  data: T;
}

export type WebhookVerificationErrorCode = 'CLUTCH_WEBHOOK_SIGNATURE_MALFORMED' | 'CLUTCH_WEBHOOK_SIGNATURE_MISMATCH' | 'CLUTCH_WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE' | 'CLUTCH_WEBHOOK_BODY_INVALID';

/** Thrown by verifyWebhook; `code` says why. Answer the request with a 400 and do not act on it. */
export class WebhookVerificationError extends Error {
  readonly code: WebhookVerificationErrorCode;
  constructor(code: WebhookVerificationErrorCode, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

export interface VerifyWebhookOptions {
  /** The raw request body, exactly as received. */
  body: string | Uint8Array;
  /** The Clutch-Signature header. */
  signatureHeader: string | undefined;
  /** Your signing secret; during a rotation, pass the new and the old one. */
  secret: string | readonly string[];
  /** Largest accepted distance between the signature's timestamp and now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** Now, in ms since the epoch (tests). */
  now?: number;
}

const HEX_64 = /^[0-9a-f]{64}$/;
const MAX_HEADER = 4096;

/** The signature header's timestamp and v1 signatures; throws MALFORMED when it is not one. */
export function parseSignatureHeader(header: string | undefined): { timestamp: number; signatures: string[] } {
  if (typeof header !== 'string' || header.length === 0) throw new WebhookVerificationError('CLUTCH_WEBHOOK_SIGNATURE_MALFORMED', 'no Clutch-Signature header');
  if (header.length > MAX_HEADER) throw new WebhookVerificationError('CLUTCH_WEBHOOK_SIGNATURE_MALFORMED', 'the Clutch-Signature header is too long');
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new WebhookVerificationError('CLUTCH_WEBHOOK_SIGNATURE_MALFORMED', `malformed Clutch-Signature element ${JSON.stringify(part.slice(0, 40))}`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) throw new WebhookVerificationError('CLUTCH_WEBHOOK_SIGNATURE_MALFORMED', 'the Clutch-Signature timestamp t= must appear once, as unix seconds');
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!HEX_64.test(value)) throw new WebhookVerificationError('CLUTCH_WEBHOOK_SIGNATURE_MALFORMED', 'a v1= signature must be 64 lowercase hex digits');
      signatures.push(value);
    }
    // Other schemes (a future v2=) are ignored, so receivers keep working when one is added.
  }
  if (timestamp === undefined) throw new WebhookVerificationError('CLUTCH_WEBHOOK_SIGNATURE_MALFORMED', 'the Clutch-Signature header has no t=');
  if (!signatures.length) throw new WebhookVerificationError('CLUTCH_WEBHOOK_SIGNATURE_MALFORMED', 'the Clutch-Signature header has no v1= signature');
  return { timestamp, signatures };
}

/** hex HMAC-SHA256(secret, "<timestamp>.<body>"): what v1= holds. */
export function webhookSignature(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * Checks the signature and the timestamp of a webhook and returns its parsed body. Throws
 * WebhookVerificationError (MALFORMED, TIMESTAMP_OUT_OF_TOLERANCE, MISMATCH, BODY_INVALID).
 */
export function verifyWebhook<T = Record<string, unknown>>(o: VerifyWebhookOptions): WebhookEvent<T> {
  const { timestamp, signatures } = parseSignatureHeader(o.signatureHeader);
  const tolerance = o.toleranceSeconds ?? 300;
  const now = Math.floor((o.now ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > tolerance) throw new WebhookVerificationError('CLUTCH_WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE', `the signature's timestamp is ${now - timestamp} s from now; at most ${tolerance} s accepted (a replay, or a clock that is off)`);
  const secrets = typeof o.secret === 'string' ? [o.secret] : o.secret;
  if (!secrets.length || secrets.some((s) => typeof s !== 'string' || s.length === 0)) throw new TypeError('verifyWebhook: secret must be a non-empty string or array of them');
  const given = signatures.map((s) => Buffer.from(s, 'hex'));
  let ok = false;
  for (const secret of secrets) {
    const expected = Buffer.from(webhookSignature(secret, timestamp, o.body), 'hex');
    // Every comparison runs (no early exit), each in constant time.
    for (const g of given) if (timingSafeEqual(g, expected)) ok = true;
  }
  if (!ok) throw new WebhookVerificationError('CLUTCH_WEBHOOK_SIGNATURE_MISMATCH', 'no v1= signature matches the body with your secret');
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof o.body === 'string' ? o.body : Buffer.from(o.body.buffer, o.body.byteOffset, o.body.byteLength).toString('utf8'));
  } catch {
    throw new WebhookVerificationError('CLUTCH_WEBHOOK_BODY_INVALID', 'the signed body is not JSON');
  }
  const e = parsed as Partial<WebhookEvent<T>> | null;
  if (!e || typeof e !== 'object' || typeof e.id !== 'string' || typeof e.type !== 'string' || typeof e.createdAt !== 'string' || typeof e.data !== 'object' || e.data === null) {
    throw new WebhookVerificationError('CLUTCH_WEBHOOK_BODY_INVALID', 'the signed body is not a Clutch webhook ({ id, type, createdAt, data })');
  }
  return e as WebhookEvent<T>;
}
