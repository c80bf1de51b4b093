// Apps and their credentials (migration 0007, docs/auth.md). A secret is shown once, at creation;
// only its SHA-256 is stored and looked up. Every query is scoped to the tenant, except the lookup of
// a presented secret, which is how the tenant is found.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { uuidv7 } from '@clutch/core';
import type { Scope } from '../auth/scopes.ts';
import type { Db } from './db.ts';

export type CredentialKind = 'client' | 'api_key';

export interface AppInfo {
  id: string;
  tenant: string;
  name: string;
  createdAt: Date;
}

export interface CredentialInfo {
  id: string;
  tenant: string;
  appId: string;
  kind: CredentialKind;
  name: string;
  hint: string;
  scopes: Scope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** API keys: `ck_<key id>_<secret>`; OAuth2 clients: client_id `cli_<id>`, client_secret `cs_<secret>`. */
export const API_KEY_PREFIX = 'ck_';
const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

export async function createApp(db: Db, tenant: string, name: string): Promise<AppInfo> {
  const id = `app_${uuidv7().replaceAll('-', '')}`;
  const r = await db.insertInto('apps').values({ id, tenant_id: tenant, name }).returningAll().executeTakeFirstOrThrow();
  return { id: r.id, tenant: r.tenant_id, name: r.name, createdAt: r.created_at };
}

export async function listApps(db: Db, tenant: string): Promise<AppInfo[]> {
  const rows = await db.selectFrom('apps').selectAll().where('tenant_id', '=', tenant).orderBy('created_at').orderBy('id').limit(1000).execute();
  return rows.map((r) => ({ id: r.id, tenant: r.tenant_id, name: r.name, createdAt: r.created_at }));
}

export async function getApp(db: Db, tenant: string, id: string): Promise<AppInfo | undefined> {
  const r = await db.selectFrom('apps').selectAll().where('tenant_id', '=', tenant).where('id', '=', id).executeTakeFirst();
  return r ? { id: r.id, tenant: r.tenant_id, name: r.name, createdAt: r.created_at } : undefined;
}

/** Deletes an app and its credentials; false when this tenant has no such app. */
export async function deleteApp(db: Db, tenant: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('apps').where('tenant_id', '=', tenant).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * Creates a credential; returns its one-time secret. For a client: `clientId` and `clientSecret`;
 * for an API key: `apiKey`. `secret` may be given (the demo's fixed key, tests).
 */
export async function createCredential(
  db: Db,
  c: { tenant: string; appId: string; kind: CredentialKind; scopes: readonly Scope[]; name?: string; expiresAt?: Date; secret?: string },
): Promise<{ info: CredentialInfo; secret: string }> {
  const key = randomBytes(8).toString('hex');
  const id = c.kind === 'client' ? `cli_${key}` : key;
  const secret = c.secret ?? (c.kind === 'client' ? `cs_${randomBytes(32).toString('base64url')}` : `${API_KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}`);
  const r = await db
    .insertInto('app_credentials')
    .values({ id, tenant_id: c.tenant, app_id: c.appId, kind: c.kind, secret_hash: hash(secret), hint: secret.slice(-4), scopes: JSON.stringify(c.scopes), name: c.name ?? '', expires_at: c.expiresAt ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { info: toInfo(r), secret };
}

export async function listCredentials(db: Db, tenant: string, appId: string): Promise<CredentialInfo[]> {
  const rows = await db.selectFrom('app_credentials').selectAll().where('tenant_id', '=', tenant).where('app_id', '=', appId).orderBy('created_at').orderBy('id').limit(1000).execute();
  return rows.map(toInfo);
}

/** Revokes a credential of this tenant's app; false when there is no such live credential. */
export async function revokeCredential(db: Db, tenant: string, appId: string, id: string): Promise<boolean> {
  const r = await db.updateTable('app_credentials').set({ revoked_at: new Date() }).where('tenant_id', '=', tenant).where('app_id', '=', appId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The live credential a presented secret belongs to (not revoked, not expired), or undefined. */
export async function findBySecret(db: Db, secret: string, kind: CredentialKind): Promise<CredentialInfo | undefined> {
  const r = await db.selectFrom('app_credentials').selectAll().where('secret_hash', '=', hash(secret)).where('kind', '=', kind).executeTakeFirst();
  if (!r || r.revoked_at || (r.expires_at && r.expires_at.getTime() <= Date.now())) return undefined;
  return toInfo(r);
}

/** An OAuth2 client by client_id and secret (constant-time comparison of the hashes). */
export async function findClient(db: Db, clientId: string, clientSecret: string): Promise<CredentialInfo | undefined> {
  const r = await db.selectFrom('app_credentials').selectAll().where('id', '=', clientId).where('kind', '=', 'client').executeTakeFirst();
  if (!r) return undefined;
  const a = Buffer.from(r.secret_hash, 'hex');
  const b = Buffer.from(hash(clientSecret), 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
  if (r.revoked_at || (r.expires_at && r.expires_at.getTime() <= Date.now())) return undefined;
  return toInfo(r);
}

/** A credential by id, live or not (for checking a token's client is still live). */
export async function getCredential(db: Db, id: string): Promise<CredentialInfo | undefined> {
  const r = await db.selectFrom('app_credentials').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toInfo(r) : undefined;
}

export async function touchCredential(db: Db, id: string): Promise<void> {
  await db.updateTable('app_credentials').set({ last_used_at: new Date() }).where('id', '=', id).execute();
}

type Row = { id: string; tenant_id: string; app_id: string; kind: string; name: string; hint: string; scopes: unknown; created_at: Date; last_used_at: Date | null; expires_at: Date | null; revoked_at: Date | null };

function toInfo(r: Row): CredentialInfo {
  const scopes = (typeof r.scopes === 'string' ? JSON.parse(r.scopes) : r.scopes) as Scope[];
  return { id: r.id, tenant: r.tenant_id, appId: r.app_id, kind: r.kind as CredentialKind, name: r.name, hint: r.hint, scopes, createdAt: r.created_at, lastUsedAt: r.last_used_at, expiresAt: r.expires_at, revokedAt: r.revoked_at };
}
