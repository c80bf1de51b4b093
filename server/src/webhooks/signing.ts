// Webhook signatures (docs/webhooks.md): the server side of sdk/client/src/webhooks.ts, which must
// accept exactly what this produces (tested together in server/test/unit/webhooks-signing.test.ts).
//   Clutch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>[,v1=…]
import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` + 32 random bytes (base64url). The HMAC key is the whole string, UTF-8. */
export const newSecret = () => `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;

/** What the API shows of a secret: its prefix and last four characters. */
export const secretHint = (secret: string) => `${SECRET_PREFIX}…${secret.slice(-4)}`;

/** The Clutch-Signature header for a body: one v1= per secret (the current one first). */
export function signatureHeader(secrets: readonly string[], body: string, nowMs = Date.now()): string {
  const t = Math.floor(nowMs / 1000);
  return [`t=${t}`, ...secrets.map((s) => `v1=${createHmac('sha256', s).update(`${t}.`).update(body).digest('hex')}`)].join(',');
}

/** The headers of one attempt. */
export function deliveryHeaders(o: { deliveryId: string; type: string; attempt: number; secrets: readonly string[]; body: string; nowMs?: number }): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Clutch-Webhooks/1',
    'clutch-signature': signatureHeader(o.secrets, o.body, o.nowMs),
    'clutch-delivery-id': o.deliveryId,
    'clutch-event': o.type,
    'clutch-attempt': String(o.attempt),
  };
}
