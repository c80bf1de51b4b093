import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../infra/db/schema.gen.ts';

/** A database handle or an open transaction: repositories accept either. */
export type Db = Kysely<DB> | Transaction<DB>;

/** Rows per INSERT: keeps every statement far below PostgreSQL's 65 535 parameters. */
export const INSERT_CHUNK = 1000;

export function chunks<T>(items: readonly T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Column name → PostgreSQL type, for rows passed as JSON. */
export type JsonColumns = Readonly<Record<string, 'text' | 'integer' | 'bigint' | 'double precision' | 'boolean' | 'timestamptz' | 'date' | 'jsonb' | 'jsontext'>>;

/** Rows per statement of upsertJson (one JSON parameter each; bounds the statement's size). */
export const JSON_CHUNK = 5000;

/**
 * Rows already serialised where they were computed (a worker thread), so the writer neither receives
 * them as objects nor stringifies them: each fragment is `count` JSON objects joined by commas, with
 * column names as keys (rowsJson()).
 */
export interface JsonRows {
  fragments: ReadonlyArray<{ json: string; count: number }>;
}

/** `count` rows as a fragment of JsonRows. */
export function rowsJson(rows: readonly Record<string, unknown>[]): { json: string; count: number } {
  const json = JSON.stringify(rows);
  return { json: json.slice(1, -1), count: rows.length };
}

/** JSON arrays of about JSON_CHUNK rows each, from whole fragments. */
function jsonParts(rows: JsonRows): string[] {
  const out: string[] = [];
  let part: string[] = [];
  let n = 0;
  for (const f of rows.fragments) {
    if (!f.count) continue;
    part.push(f.json);
    n += f.count;
    if (n >= JSON_CHUNK) {
      out.push(`[${part.join(',')}]`);
      part = [];
      n = 0;
    }
  }
  if (part.length) out.push(`[${part.join(',')}]`);
  return out;
}

/**
 * Bulk upsert with the rows as ONE parameter: `insert … select … from json_to_recordset($1)`.
 * Building and binding one parameter per value (a multi-row VALUES) cost more CPU in the processor
 * than its stats did (docs/decisions/0002); a JSON.stringify of the rows costs a fraction of it.
 * Keys of each row are column names; a jsonb column takes the value as it is (no double encoding),
 * a `jsontext` column (stored as jsonb) takes JSON text already serialised, e.g. in a worker thread.
 * `guard` is a condition on the existing row (`t`) and the new one (`excluded`): when false the row is
 * left alone (e.g. `t.last_seq < excluded.last_seq`). Table, columns and guard are our constants,
 * never input: every value goes through the parameter.
 */
export async function upsertJson<R extends Record<string, unknown>>(
  db: Db,
  o: { table: string; columns: JsonColumns; rows: readonly R[] | JsonRows; conflict: readonly string[]; update: readonly string[]; guard?: string; returning?: readonly string[] },
): Promise<Record<string, unknown>[]> {
  const names = Object.keys(o.columns);
  const cols = names.map((c) => sql.id(c));
  const picked = names.map((c) => (o.columns[c] === 'jsontext' ? sql`${sql.id(c)}::jsonb` : sql.id(c)));
  const defs = sql.raw(names.map((c) => `"${c}" ${o.columns[c] === 'jsontext' ? 'text' : o.columns[c]}`).join(', '));
  const set = o.update.length ? sql`do update set ${sql.join(o.update.map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`))}${o.guard ? sql` where ${sql.raw(o.guard)}` : sql``}` : sql`do nothing`;
  const returning = o.returning?.length ? sql` returning ${sql.join(o.returning.map((c) => sql.id(c)))}` : sql``;
  const out: Record<string, unknown>[] = [];
  const parts = 'fragments' in o.rows ? jsonParts(o.rows) : chunks(o.rows, JSON_CHUNK).map((part) => JSON.stringify(part));
  for (const part of parts) {
    const r = await sql<Record<string, unknown>>`insert into ${sql.id(o.table)} as t (${sql.join(cols)})
      select ${sql.join(picked)} from json_to_recordset(${part}::json) as r(${defs})
      on conflict (${sql.join(o.conflict.map((c) => sql.id(c)))}) ${set}${returning}`.execute(db);
    out.push(...r.rows);
  }
  return out;
}
