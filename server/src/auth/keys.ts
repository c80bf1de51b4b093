// The signing keys of access tokens (ES256), in the store so every instance signs and verifies with
// the same set. The newest live key signs; every key not retired verifies and is published in the
// JWKS. Rotation adds a key (published at once: verifiers that do not know a kid read the store again
// before refusing) and retires keys that stopped signing more than a token lifetime ago, so no valid
// token ever loses its key. Two instances rotating at once just add two keys; the newer signs.
//
// Private keys are stored encrypted (AES-256-GCM) when a key-encryption key is configured
// (CLUTCH_SIGNING_KEK); without one they are stored as plain JWK and the server says so at start.
import { uuidv7 } from '@clutch/core';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { seal, unseal } from '../platform/seal.ts';
import type { Db } from '../store/db.ts';

export const ALG = 'ES256';

export interface KeyRingOptions {
  db: Db;
  /** 32 bytes; encrypts private keys at rest. */
  kek?: Buffer | undefined;
  /** Access-token lifetime: a key that stopped signing is kept this long (+ leeway) for verification. */
  tokenTtlMs: number;
  /** A new signing key after this long (default 30 days). */
  rotateAfterMs?: number;
  /** How long the set read from the store is trusted (default 60 s). */
  refreshMs?: number;
  clock?: () => number;
}

interface Key {
  kid: string;
  createdAt: number;
  retiredAt: number | undefined;
  publicJwk: JWK;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

const LEEWAY_MS = 5 * 60_000;

export class KeyRing {
  readonly #o: KeyRingOptions;
  readonly #clock: () => number;
  #keys: Key[] = [];
  #readAt = 0;
  #reading: Promise<void> | undefined;
  #lastUnknownReload = 0;

  constructor(o: KeyRingOptions) {
    this.#o = o;
    this.#clock = o.clock ?? Date.now;
  }

  /** The key that signs now (creates the first one, rotates when due). */
  async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    await this.#fresh();
    const now = this.#clock();
    let newest = this.#newest();
    if (!newest || now - newest.createdAt > (this.#o.rotateAfterMs ?? 30 * 86_400_000)) {
      await this.rotate();
      newest = this.#newest()!;
    }
    return { kid: newest.kid, key: newest.privateKey };
  }

  /** The public key of a kid, for verification; reads the store again (at most once a second) for an unknown kid. */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    await this.#fresh();
    let k = this.#keys.find((x) => x.kid === kid);
    if (!k && this.#clock() - this.#lastUnknownReload > 1_000) {
      this.#lastUnknownReload = this.#clock();
      await this.#read();
      k = this.#keys.find((x) => x.kid === kid);
    }
    return k?.publicKey;
  }

  /** The JWKS document: every key not retired. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.#fresh();
    return { keys: this.#keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: ALG, use: 'sig' })) };
  }

  /** Adds a new signing key; retires keys that stopped signing more than a token lifetime ago. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = uuidv7();
    const priv = JSON.stringify(await exportJWK(privateKey));
    await this.#o.db
      .insertInto('signing_keys')
      .values({ kid, alg: ALG, public_jwk: JSON.stringify(await exportJWK(publicKey)), private_jwk: seal(priv, this.#o.kek), created_at: new Date(this.#clock()) })
      .execute();
    // A key stopped signing when the next one was created: retire those whose successor is older than a token lifetime.
    const rows = await this.#o.db.selectFrom('signing_keys').select(['kid', 'created_at']).where('retired_at', 'is', null).orderBy('created_at', 'desc').execute();
    const cutoff = this.#clock() - this.#o.tokenTtlMs - LEEWAY_MS;
    const retire: string[] = [];
    for (let i = 1; i < rows.length; i++) if (rows[i - 1]!.created_at.getTime() < cutoff) retire.push(rows[i]!.kid);
    if (retire.length) await this.#o.db.updateTable('signing_keys').set({ retired_at: new Date(this.#clock()) }).where('kid', 'in', retire).execute();
    await this.#read();
    return kid;
  }

  #newest(): Key | undefined {
    return this.#keys.reduce<Key | undefined>((a, k) => (!a || k.createdAt > a.createdAt ? k : a), undefined);
  }

  async #fresh(): Promise<void> {
    if (this.#clock() - this.#readAt < (this.#o.refreshMs ?? 60_000) && this.#keys.length) return;
    await this.#read();
  }

  async #read(): Promise<void> {
    this.#reading ??= (async () => {
      try {
        const rows = await this.#o.db.selectFrom('signing_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at').execute();
        const keys: Key[] = [];
        for (const r of rows) {
          const privateJwk = JSON.parse(unseal(r.private_jwk, this.#o.kek, 'a signing key')) as JWK;
          const publicJwk = (typeof r.public_jwk === 'string' ? JSON.parse(r.public_jwk) : r.public_jwk) as JWK;
          keys.push({ kid: r.kid, createdAt: r.created_at.getTime(), retiredAt: undefined, publicJwk: { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y }, privateKey: (await importJWK(privateJwk, ALG)) as CryptoKey, publicKey: (await importJWK(publicJwk, ALG)) as CryptoKey });
        }
        this.#keys = keys;
        this.#readAt = this.#clock();
      } finally {
        this.#reading = undefined;
      }
    })();
    await this.#reading;
  }
}
