// Win-probability predictions per match (migrations/0012_predictions.ts): written by the processor in
// its transaction, read by GET /v1/matches/{id}/predictions.
import type { LivePrediction } from '../predict/live.ts';
import { upsertJson, type Db } from './db.ts';

export interface MatchPredictions {
  tenant: string;
  matchId: string;
  predictions: readonly LivePrediction[];
}

/** Inserts the predictions; a (tenant, match, seq, kind) already stored is left alone (replays). */
export async function writePredictions(db: Db, items: readonly MatchPredictions[]): Promise<void> {
  const rows = items.flatMap((m) =>
    m.predictions.map((p) => ({ tenant_id: m.tenant, match_id: m.matchId, seq: p.seq, kind: p.kind, model: p.model.name, version: p.model.version, occurred_at: p.occurredAt, prediction: p })),
  );
  if (!rows.length) return;
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
