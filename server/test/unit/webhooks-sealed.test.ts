// Webhook signing secrets at rest: sealed under CLUTCH_SIGNING_KEK (AES-256-GCM), so a copy of the
// database does not let anyone forge deliveries; secrets stored before a KEK was set are sealed at the
// next start; a server that cannot read a secret sends nothing and says why in the delivery log.
// Several apps on one store play the same deployment restarted with another configuration.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../../sdk/client/src/webhooks.ts';
import { buildApp } from '../../src/app.ts';
import { DEMO_ENV, loadConfig } from '../../src/config.ts';
import { seal, unseal } from '../../src/platform/seal.ts';
import { embeddedApp, type TestApp } from '../support/app.ts';

const ENV = { ...DEMO_ENV, CLUTCH_SIMULATOR_MATCHES: '0', PORT: '0', LOG_LEVEL: 'silent' };

describe('webhook secrets at rest', () => {
  let t: TestApp;
  const got: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let server: Server;
  let url = '';
  const kek = randomBytes(32);
  const apps: Array<Awaited<ReturnType<typeof buildApp>>> = [];
  /** The same deployment restarted with these settings (same store, log and cache). */
  const restart = async (env: Record<string, string>) => {
    const app = await buildApp({ config: loadConfig({ ...ENV, ...env }), infra: t.infra, logger: pino({ level: 'silent' }) });
    await app.ready();
    apps.push(app);
    return app;
  };
  const stored = (id: string) => t.infra.store.db.selectFrom('webhook_subscriptions').select(['secret', 'previous_secret']).where('id', '=', id).executeTakeFirstOrThrow();
  const signedWith = (i: number, secret: string) => verifyWebhook({ body: got[i]!.body, signatureHeader: got[i]!.headers['clutch-signature'] as string, secret });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    t = await embeddedApp();
    await t.app.ready();
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await t.dispose();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('seals with AES-256-GCM: a different key or a tampered value does not open, a plain value reads as it is', () => {
    const s = seal('whsec_abc', kek);
    expect(s).toMatch(/^enc:v1:/);
    expect(s).not.toContain('abc');
    expect(seal('whsec_abc', kek)).not.toBe(s); // a fresh IV each time
    expect(unseal(s, kek)).toBe('whsec_abc');
    expect(() => unseal(s, randomBytes(32), 'a webhook secret')).toThrow('a webhook secret cannot be decrypted with this CLUTCH_SIGNING_KEK');
    expect(() => unseal(`${s.slice(0, -2)}AA`, kek)).toThrow('cannot be decrypted');
    expect(() => unseal(s, undefined, 'a webhook secret')).toThrow('a webhook secret is stored encrypted but CLUTCH_SIGNING_KEK is not set');
    expect(unseal('whsec_plain', kek)).toBe('whsec_plain');
    expect(seal('whsec_plain', undefined)).toBe('whsec_plain');
  });

  it('seals secrets stored before the KEK at start, stores new and rotated ones sealed, and signs with the real secrets', async () => {
    // Without a KEK (the demo): stored as they are.
    const before = (await t.app.inject({ method: 'POST', url: '/v1/webhooks', payload: { url, events: ['match.ended'] } })).json() as { id: string; secret: string };
    expect((await stored(before.id)).secret).toBe(before.secret);

    // Restarted with a KEK: the old secret is sealed at start, new ones are sealed when created.
    const app = await restart({ CLUTCH_SIGNING_KEK: kek.toString('base64') });
    const old = await stored(before.id);
    expect(old.secret).toMatch(/^enc:v1:/);
    expect(old.secret).not.toContain(before.secret.slice(6));
    expect(unseal(old.secret, kek)).toBe(before.secret);
    const created = await app.inject({ method: 'POST', url: '/v1/webhooks', payload: { url, events: ['match.ended'] } });
    expect(created.statusCode, created.body).toBe(201);
    const after = created.json() as { id: string; secret: string; secretHint: string };
    expect((await stored(after.id)).secret).toMatch(/^enc:v1:/);
    expect(JSON.stringify(await stored(after.id))).not.toContain(after.secret.slice(6));
    // The hint is still shown from the real secret.
    expect(after.secretHint).toBe(`whsec_…${after.secret.slice(-4)}`);
    expect(((await app.inject({ url: `/v1/webhooks/${before.id}` })).json() as { secretHint: string }).secretHint).toBe(`whsec_…${before.secret.slice(-4)}`);

    // Deliveries are signed with the secrets the tenant holds.
    for (const id of [before.id, after.id]) expect((await app.inject({ method: 'POST', url: `/v1/webhooks/${id}/test` })).json()).toMatchObject({ status: 'succeeded' });
    expect(signedWith(0, before.secret).type).toBe('ping');
    expect(signedWith(1, after.secret).type).toBe('ping');

    // A rotation with grace: the new secret and the kept old one are both sealed, and both sign.
    const rot = await app.inject({ method: 'POST', url: `/v1/webhooks/${after.id}/rotate-secret`, payload: { graceSeconds: 600 } });
    const next = (rot.json() as { secret: string }).secret;
    const row = await stored(after.id);
    expect([row.secret, row.previous_secret]).toEqual([expect.stringMatching(/^enc:v1:/), expect.stringMatching(/^enc:v1:/)]);
    expect([unseal(row.secret, kek), unseal(row.previous_secret!, kek)]).toEqual([next, after.secret]);
    await app.inject({ method: 'POST', url: `/v1/webhooks/${after.id}/test` });
    expect(signedWith(2, next).type).toBe('ping');
    expect(signedWith(2, after.secret).type).toBe('ping');

    // A second start with the KEK has nothing left to seal and changes nothing.
    await restart({ CLUTCH_SIGNING_KEK: kek.toString('base64') });
    expect(await stored(after.id)).toEqual(row);
  });

  it('sends nothing it cannot sign (KEK missing or another one): the attempt in the delivery log says why', async () => {
    const app = await restart({ CLUTCH_SIGNING_KEK: kek.toString('base64') });
    const sub = (await app.inject({ method: 'POST', url: '/v1/webhooks', payload: { url, events: ['match.ended'] } })).json() as { id: string };
    const n = got.length;
    for (const env of [{}, { CLUTCH_SIGNING_KEK: randomBytes(32).toString('base64') }] as Array<Record<string, string>>) {
      const wrong = await restart(env);
      const ping = await wrong.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test` });
      expect(ping.statusCode, ping.body).toBe(200);
      const d = ping.json() as { status: string; attemptLog: Array<{ statusCode: number | null; error: string }> };
      expect(d.status).toBe('failed'); // a ping is one attempt; other deliveries are retried like any failed attempt
      expect(d.attemptLog.at(-1)).toMatchObject({ statusCode: null, error: expect.stringContaining('CLUTCH_WEBHOOK_NOT_SIGNED') });
    }
    expect(got.length).toBe(n);
    // With the right KEK again it is sent.
    expect((await app.inject({ method: 'POST', url: `/v1/webhooks/${sub.id}/test` })).json()).toMatchObject({ status: 'succeeded' });
    expect(got.length).toBe(n + 1);
  });
});
