// Token signing keys: shared through the store by every instance, rotated without breaking a token
// still valid, retired afterwards, and encrypted at rest with a key-encryption key.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPGliteStore } from '../../src/infra/pglite/store.ts';
import { useMigratedStore } from '../support/pglite.ts';
import { KeyRing } from '../../src/auth/keys.ts';
import { issueAccessToken, verifyAccessToken } from '../../src/auth/tokens.ts';

const settings = { issuer: 'https://api.clutch.test', audience: 'clutch-api', ttlSeconds: 900, leewaySeconds: 30 };
const claims = { tenant: 'acme', clientId: 'cli_0123456789abcdef', appId: 'app_x', scopes: ['matches:read' as const] };

describe('signing keys', () => {
  const store = useMigratedStore();

  it('rotates: the new key signs, tokens of the old one verify until it is retired a token lifetime later', async () => {
    let now = Date.parse('2026-11-24T12:00:00Z');
    const clock = () => now;
    const a = new KeyRing({ db: store().db, tokenTtlMs: 900_000, rotateAfterMs: 86_400_000, clock, refreshMs: 0 });
    // Another instance on the same store.
    const b = new KeyRing({ db: store().db, tokenTtlMs: 900_000, rotateAfterMs: 86_400_000, clock, refreshMs: 0 });
    const t1 = (await issueAccessToken(a, settings, claims, now)).token;
    expect((await verifyAccessToken(b, settings, t1, now)).tenant).toBe('acme');
    const kid1 = JSON.parse(Buffer.from(t1.split('.')[0]!, 'base64url').toString()).kid as string;

    // A day later, the next token comes with a new key; the old one is still published and verifies.
    now += 86_400_000 + 1;
    const t2 = (await issueAccessToken(b, settings, claims, now)).token;
    const kid2 = JSON.parse(Buffer.from(t2.split('.')[0]!, 'base64url').toString()).kid as string;
    expect(kid2).not.toBe(kid1);
    expect((await a.jwks()).keys.map((k) => k.kid).sort()).toEqual([kid1, kid2].sort());
    const t1b = (await issueAccessToken(a, settings, claims, now - 60_000)).token;
    expect((await verifyAccessToken(a, settings, t1b, now)).tenant).toBe('acme');

    // Another rotation more than a token lifetime after kid2 took over retires kid1 (nothing valid uses it).
    now += 86_400_000 + 1;
    await a.rotate();
    const kids = (await b.jwks()).keys.map((k) => k.kid);
    expect(kids).not.toContain(kid1);
    expect(kids).toContain(kid2);
    // Its kid is unknown now: even a token within its lifetime (forged or replayed clock) is refused.
    await expect(verifyAccessToken(b, settings, t1, Date.parse('2026-11-24T12:05:00Z'))).rejects.toThrow(/unknown kid/);
  });

  it('stores private keys encrypted with CLUTCH_SIGNING_KEK, and cannot use them without it', async () => {
    const kek = randomBytes(32);
    const enc = await createPGliteStore();
    await enc.migrate();
    try {
      const ring = new KeyRing({ db: enc.db, kek, tokenTtlMs: 900_000 });
      const t = (await issueAccessToken(ring, settings, claims)).token;
      const rows = await enc.db.selectFrom('signing_keys').select(['private_jwk']).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.private_jwk).toMatch(/^enc:v1:/);
      expect(rows[0]!.private_jwk).not.toContain('"d"');
      expect((await verifyAccessToken(new KeyRing({ db: enc.db, kek, tokenTtlMs: 900_000 }), settings, t)).tenant).toBe('acme');
      await expect(new KeyRing({ db: enc.db, tokenTtlMs: 900_000 }).jwks()).rejects.toThrow(/CLUTCH_SIGNING_KEK/);
      await expect(new KeyRing({ db: enc.db, kek: randomBytes(32), tokenTtlMs: 900_000 }).jwks()).rejects.toThrow();
    } finally {
      await enc.close();
    }
  });
});
