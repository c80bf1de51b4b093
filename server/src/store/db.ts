import type { Kysely, Transaction } from 'kysely';
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
