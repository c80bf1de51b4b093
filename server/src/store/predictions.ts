// Win-probability predictions per match (migrations/0012_predictions.ts, 0013 json): written by the processor in
// its transaction, read by GET /v1/matches/{id}/predictions.
import type { LivePrediction } from '../predict/live.ts';
import { sql } from 'kysely';
import type { Db } from './db.ts';

/** One match's predictions of a batch as columns, serialised where they were made (processing/shard.ts). */
export interface PredictionRows {
  tenant: string;
  matchId: string;
  seq: number[];
  kind: Array<'live' | 'draft'>;
  model: string[];
  version: string[];
  occurredAt: string[];
  /** Each prediction as JSON text. */
  json: string[];
}

/** Rows per INSERT (each a ~0.7 KB JSON text): bounds a statement's parameters to a few MB. */
const CHUNK = 5000;

/**
 * Inserts the predictions as arrays unnested in one statement per chunk (no JSON document of the rows
 * for PostgreSQL to parse, migrations/0013); a (tenant, match, seq, kind) already stored is left alone
 * (replays).
 */
export async function writePredictions(db: Db, items: readonly PredictionRows[]): Promise<void> {
  const cols = { tenant: [] as string[], match: [] as string[], seq: [] as number[], kind: [] as string[], model: [] as string[], version: [] as string[], at: [] as string[], json: [] as string[] };
  const flush = async () => {
    if (!cols.seq.length) return;
    await sql`insert into match_predictions (tenant_id, match_id, seq, kind, model, version, occurred_at, prediction)
      select * from unnest(${cols.tenant}::text[], ${cols.match}::text[], ${cols.seq}::bigint[], ${cols.kind}::text[], ${cols.model}::text[], ${cols.version}::text[], ${cols.at}::timestamptz[], ${cols.json}::json[])
      on conflict (tenant_id, match_id, seq, kind) do nothing`.execute(db);
    for (const c of Object.values(cols)) c.length = 0;
  };
  for (const m of items) {
    for (let i = 0; i < m.seq.length; i++) {
      cols.tenant.push(m.tenant);
      cols.match.push(m.matchId);
      cols.seq.push(m.seq[i]!);
      cols.kind.push(m.kind[i]!);
      cols.model.push(m.model[i]!);
      cols.version.push(m.version[i]!);
      cols.at.push(m.occurredAt[i]!);
      cols.json.push(m.json[i]!);
      if (cols.seq.length >= CHUNK) await flush();
    }
  }
  await flush();
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
