// Secrets at rest that the server must read back (token signing keys, webhook signing secrets) are
// sealed with AES-256-GCM under the key-encryption key CLUTCH_SIGNING_KEK when one is configured:
// `enc:v1:<iv>.<tag>.<ciphertext>` (base64url). Without a KEK they are stored as they are, and a value
// stored before a KEK was set is read as it is (sealed again when it is next written).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What every sealed value starts with. */
export const SEALED_PREFIX = 'enc:v1:';

export const isSealed = (stored: string) => stored.startsWith(SEALED_PREFIX);

/** Seals `text` under `kek` (32 bytes); without a KEK returns it unchanged. */
export function seal(text: string, kek: Buffer | undefined): string {
  if (!kek) return text;
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', kek, iv);
  const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
  return `${SEALED_PREFIX}${iv.toString('base64url')}.${c.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
}

/** The text of a stored value: opened when sealed (throws without the KEK or with a wrong one), else as it is. */
export function unseal(stored: string, kek: Buffer | undefined, what = 'a secret'): string {
  if (!isSealed(stored)) return stored;
  if (!kek) throw new Error(`${what} is stored encrypted but CLUTCH_SIGNING_KEK is not set`);
  const [iv, tag, body] = stored.slice(SEALED_PREFIX.length).split('.');
  try {
    const d = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv ?? '', 'base64url'));
    d.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
    return Buffer.concat([d.update(Buffer.from(body ?? '', 'base64url')), d.final()]).toString('utf8');
  } catch {
    throw new Error(`${what} cannot be decrypted with this CLUTCH_SIGNING_KEK (a different key sealed it)`);
  }
}
