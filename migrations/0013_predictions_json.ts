// 0013: match_predictions.prediction as json, not jsonb. The processor stores one row per prediction
// (≈ 0.7 KB each, about one event in eleven); PostgreSQL's jsonb input (parse + binary conversion) was
// the largest part of storing them, and nothing queries inside the column: it is written once and
// served as it is (GET /v1/matches/{id}/predictions). json keeps the text, checked for validity.
// Measured on 5,000 rows: insert via unnest(text[]) → json 56 ms, → jsonb 90 ms, and the former
// json_to_recordset → jsonb 130 ms (docs/predictions.md, Performance). Frozen once shipped.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table match_predictions alter column prediction type json using prediction::json`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table match_predictions alter column prediction type jsonb using prediction::jsonb`.execute(db);
}
