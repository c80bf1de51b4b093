// The SDK's verifier (sdk/client/src/webhooks.ts) against the server's signer (server/src/webhooks/
// signing.ts): what one signs the other accepts; tampering, old timestamps, wrong secrets and broken
// headers are refused with their codes. Also the retry schedule and the private-address check.
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from '../../../sdk/client/src/webhooks.ts';
import { MAX_RETRY_DELAY_MS, retryDelay } from '../../src/webhooks/dispatcher.ts';
import { isPrivateAddress, isPrivateHost } from '../../src/webhooks/send.ts';
import { deliveryHeaders, newSecret, signatureHeader } from '../../src/webhooks/signing.ts';

const body = JSON.stringify({ id: '0190a1b2-0000-7000-8000-000000000001', type: 'match.started', createdAt: '2026-03-14T20:00:00.000Z', tenant: 'demo', data: { matchId: 'm1', payload: { teams: [] } } });
const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookVerificationError);
    return (err as WebhookVerificationError).code;
  }
  throw new Error('did not throw');
};

describe('webhook signatures', () => {
  const secret = newSecret();
  const now = Date.parse('2026-03-14T20:00:10.000Z');

  it('the SDK verifies what the server signs, from a string or from bytes, and returns the body', () => {
    const header = signatureHeader([secret], body, now);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const e = verifyWebhook({ body, signatureHeader: header, secret, now });
    expect(e).toMatchObject({ type: 'match.started', tenant: 'demo', data: { matchId: 'm1' } });
    expect(verifyWebhook({ body: new TextEncoder().encode(body), signatureHeader: header, secret, now }).id).toBe(e.id);
  });

  it('refuses a tampered body, a wrong secret, an old or future timestamp, and malformed headers', () => {
    const header = signatureHeader([secret], body, now);
    expect(code(() => verifyWebhook({ body: body.replace('"m1"', '"m2"'), signatureHeader: header, secret, now }))).toBe('CLUTCH_WEBHOOK_SIGNATURE_MISMATCH');
    expect(code(() => verifyWebhook({ body, signatureHeader: header, secret: newSecret(), now }))).toBe('CLUTCH_WEBHOOK_SIGNATURE_MISMATCH');
    // The timestamp is signed too: moving it breaks the signature.
    const moved = header.replace(/t=(\d+)/, (_m, t: string) => `t=${Number(t) + 1}`);
    expect(code(() => verifyWebhook({ body, signatureHeader: moved, secret, now }))).toBe('CLUTCH_WEBHOOK_SIGNATURE_MISMATCH');
    expect(code(() => verifyWebhook({ body, signatureHeader: header, secret, now: now + 301_000 }))).toBe('CLUTCH_WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE');
    expect(code(() => verifyWebhook({ body, signatureHeader: header, secret, now: now - 301_000 }))).toBe('CLUTCH_WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE');
    expect(verifyWebhook({ body, signatureHeader: header, secret, now: now + 299_000 }).type).toBe('match.started');
    expect(code(() => verifyWebhook({ body, signatureHeader: header, secret, now: now + 11_000, toleranceSeconds: 10 }))).toBe('CLUTCH_WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE');
    for (const bad of [undefined, '', 'v1=abc', 't=1', 't=abc,v1=' + 'a'.repeat(64), 't=1,v1=xyz', 't=1,t=2,v1=' + 'a'.repeat(64), 'garbage', 'x'.repeat(5000)]) {
      expect(code(() => verifyWebhook({ body, signatureHeader: bad, secret, now })), String(bad)).toBe('CLUTCH_WEBHOOK_SIGNATURE_MALFORMED');
    }
  });

  it('during a rotation both secrets sign, and a receiver with either one (or both) accepts', () => {
    const next = newSecret();
    const header = signatureHeader([next, secret], body, now);
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(verifyWebhook({ body, signatureHeader: header, secret, now }).type).toBe('match.started');
    expect(verifyWebhook({ body, signatureHeader: header, secret: next, now }).type).toBe('match.started');
    expect(verifyWebhook({ body, signatureHeader: header, secret: [next, secret], now }).type).toBe('match.started');
    expect(code(() => verifyWebhook({ body, signatureHeader: header, secret: newSecret(), now }))).toBe('CLUTCH_WEBHOOK_SIGNATURE_MISMATCH');
  });

  it('refuses a correctly signed body that is not a webhook', () => {
    const notJson = 'hello';
    expect(code(() => verifyWebhook({ body: notJson, signatureHeader: signatureHeader([secret], notJson, now), secret, now }))).toBe('CLUTCH_WEBHOOK_BODY_INVALID');
    const other = '{"a":1}';
    expect(code(() => verifyWebhook({ body: other, signatureHeader: signatureHeader([secret], other, now), secret, now }))).toBe('CLUTCH_WEBHOOK_BODY_INVALID');
  });

  it('sends the delivery id, event type and attempt number with the signature', () => {
    const h = deliveryHeaders({ deliveryId: 'd-1', type: 'round.ended', attempt: 3, secrets: [secret], body, nowMs: now });
    expect(h).toMatchObject({ 'content-type': 'application/json', 'clutch-delivery-id': 'd-1', 'clutch-event': 'round.ended', 'clutch-attempt': '3' });
    expect(verifyWebhook({ body, signatureHeader: h['clutch-signature'], secret, now }).type).toBe('match.started');
  });
});

describe('retry schedule', () => {
  it('doubles from the base with ±20 % jitter and is capped', () => {
    expect(retryDelay(1, 30_000, () => 0.5)).toBe(30_000);
    expect(retryDelay(2, 30_000, () => 0.5)).toBe(60_000);
    expect(retryDelay(3, 30_000, () => 0.5)).toBe(120_000);
    expect(retryDelay(1, 30_000, () => 0)).toBe(24_000);
    expect(retryDelay(1, 30_000, () => 1)).toBe(36_000);
    expect(retryDelay(30, 30_000, () => 0.5)).toBe(MAX_RETRY_DELAY_MS);
    // The default schedule (13 attempts) spans about 20 hours.
    let total = 0;
    for (let n = 1; n < 13; n++) total += retryDelay(n, 30_000, () => 0.5);
    expect(total / 3600_000).toBeGreaterThan(18);
    expect(total / 3600_000).toBeLessThan(24);
  });
});

describe('private addresses', () => {
  it('recognises loopback, private, link-local and mapped addresses, and lets public ones through', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '172.32.0.1']) expect(isPrivateAddress(a), a).toBe(false);
    expect(isPrivateHost('localhost')).toBe(true);
    expect(isPrivateHost('[::1]')).toBe(true);
    expect(isPrivateHost('example.com')).toBe(false);
  });
});
