// The archive of canonical events per match (migration 0004): written by the archiver, read for
// backfill (GET /v1/matches/{id}/events) and to rebuild a match's state at a time or seq.
import { upsertJson, type Db } from './db.ts';

export interface ArchivedEvent {
  tenant: string;
  matchId: string;
  seq: number;
  type: string;
  occurredAt: string;
  /** The envelope as the JSON text it travelled as. */
  envelope: string;
}

/** Inserts events; one already archived (same tenant, match and seq) is left as it is. Returns how many were new. */
export async function archiveEvents(db: Db, events: readonly ArchivedEvent[]): Promise<number> {
  if (!events.length) return 0;
  const rows = await upsertJson(db, {
    table: 'match_events',
    columns: { tenant_id: 'text', match_id: 'text', seq: 'bigint', type: 'text', occurred_at: 'timestamptz', envelope: 'text' },
    rows: events.map((e) => ({ tenant_id: e.tenant, match_id: e.matchId, seq: e.seq, type: e.type, occurred_at: e.occurredAt, envelope: e.envelope })),
    conflict: ['tenant_id', 'match_id', 'seq'],
    update: [],
    returning: ['seq'],
  });
  return rows.length;
}

/** Envelopes (JSON text) of a match after `afterSeq`, in seq order; `types` narrows them. */
export async function matchEvents(db: Db, tenant: string, matchId: string, q: { afterSeq: number; limit: number; upToSeq?: number; types?: readonly string[] }): Promise<Array<{ seq: number; envelope: string }>> {
  let s = db.selectFrom('match_events').select(['seq', 'envelope']).where('tenant_id', '=', tenant).where('match_id', '=', matchId).where('seq', '>', q.afterSeq);
  if (q.upToSeq !== undefined) s = s.where('seq', '<=', q.upToSeq);
  if (q.types?.length) s = s.where('type', 'in', q.types);
  const rows = await s.orderBy('seq').limit(q.limit).execute();
  return rows.map((r) => ({ seq: Number(r.seq), envelope: r.envelope }));
}

/** The seq of the last archived event of a match that occurred at or before `at` (0 when none). */
export async function seqAt(db: Db, tenant: string, matchId: string, at: Date): Promise<number> {
  const r = await db
    .selectFrom('match_events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('tenant_id', '=', tenant)
    .where('match_id', '=', matchId)
    .where('occurred_at', '<=', at)
    .executeTakeFirst();
  return r?.seq === null || r?.seq === undefined ? 0 : Number(r.seq);
}

/** The highest archived seq of a match (0 when none). */
export async function archivedSeq(db: Db, tenant: string, matchId: string): Promise<number> {
  const r = await db.selectFrom('match_events').select((eb) => eb.fn.max('seq').as('seq')).where('tenant_id', '=', tenant).where('match_id', '=', matchId).executeTakeFirst();
  return r?.seq === null || r?.seq === undefined ? 0 : Number(r.seq);
}
