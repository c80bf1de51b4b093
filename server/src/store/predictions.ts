// Win-probability predictions per match (migrations/0012_predictions.ts): written by the processor in
// its transaction, read by GET /v1/matches/{id}/predictions.
import type { LivePrediction } from '../predict/live.ts';
import { upsertJson, type Db, type JsonRows } from './db.ts';

/**
 * Inserts the predictions, serialised as match_predictions rows where they were made (processing/shard.ts);
 * a (tenant, match, seq, kind) already stored is left alone (replays).
 */
export async function writePredictions(db: Db, rows: JsonRows): Promise<void> {
  if (!rows.fragments.some((f) => f.count)) return;
  await upsertJson(db, {
    table: 'match_predictions',
    columns: { tenant_id: 'text', match_id: 'text', seq: 'bigint', kind: 'text', model: 'text', version: 'text', occurred_at: 'timestamptz', prediction: 'jsonb' },
    rows,
    conflict: ['tenant_id', 'match_id', 'seq', 'kind'],
    update: [],
  });
}

/** A match's predictions after `afterSeq`, in seq order (draft before live at one seq), at most `limit`. */
export async function matchPredictions(db: Db, tenant: string, matchId: string, o: { afterSeq: number; limit: number; kind?: 'live' | 'draft' }): Promise<LivePrediction[]> {
  let q = db
    .selectFrom('match_predictions')
    .select(['prediction'])
    .where('tenant_id', '=', tenant)
    .where('match_id', '=', matchId)
    .where('seq', '>', o.afterSeq);
  if (o.kind) q = q.where('kind', '=', o.kind);
  const rows = await q.orderBy('seq').orderBy('kind').limit(o.limit).execute();
  return rows.map((r) => r.prediction as unknown as LivePrediction);
}
