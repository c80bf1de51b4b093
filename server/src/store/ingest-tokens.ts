// Ingest tokens. The token itself is shown once, at creation; only its SHA-256 is stored, so a
// database leak does not leak working tokens. Lookups are by hash.
import { createHash, randomBytes } from 'node:crypto';
import { uuidv7 } from '@clutch/core';
import type { Db } from './db.ts';

export interface IngestTokenInfo {
  id: string;
  tenant: string;
  source: string;
  streamId: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

const PREFIX = 'cit_';
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Creates a token; returns its one-time plaintext. `token` may be given (demo, fixed test tokens). */
export async function createIngestToken(
  db: Db,
  t: { tenant: string; source: string; streamId: string; name?: string; token?: string },
): Promise<{ id: string; token: string }> {
  const token = t.token ?? `${PREFIX}${randomBytes(24).toString('base64url')}`;
  const id = uuidv7();
  await db
    .insertInto('ingest_tokens')
    .values({ id, tenant_id: t.tenant, source: t.source, stream_id: t.streamId, name: t.name ?? '', token_hash: hashToken(token) })
    .execute();
  return { id, token };
}

/** The live (not revoked) token with this plaintext, or undefined. */
export async function findIngestToken(db: Db, token: string): Promise<IngestTokenInfo | undefined> {
  const r = await db.selectFrom('ingest_tokens').selectAll().where('token_hash', '=', hashToken(token)).where('revoked_at', 'is', null).executeTakeFirst();
  return r ? toInfo(r) : undefined;
}

export async function listIngestTokens(db: Db, tenant: string): Promise<IngestTokenInfo[]> {
  const rows = await db.selectFrom('ingest_tokens').selectAll().where('tenant_id', '=', tenant).orderBy('created_at').orderBy('id').execute();
  return rows.map(toInfo);
}

/** Revokes a token of this tenant; false when there is no such live token. */
export async function revokeIngestToken(db: Db, tenant: string, id: string): Promise<boolean> {
  const r = await db.updateTable('ingest_tokens').set({ revoked_at: new Date() }).where('tenant_id', '=', tenant).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

function toInfo(r: { id: string; tenant_id: string; source: string; stream_id: string; name: string; created_at: Date; revoked_at: Date | null }): IngestTokenInfo {
  return { id: r.id, tenant: r.tenant_id, source: r.source, streamId: r.stream_id, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at };
}
